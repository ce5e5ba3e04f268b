/** The public API of the coverage analysis (what components/index.ts re-exports). */
export { analyseCoverage, classifyDevice, randomClassMember, evaluateWitness, CoverageLimitError, PLATFORM_OPERATING_SYSTEM } from "./analysis";
export type { CoverageAnalysis, CoverageOptions, CoverageRegion, CoverageSelector, CoverageCounts, DeviceClass } from "./analysis";
export { PLATFORM_RULES } from "./platforms";
export { classResult, policyInScope } from "./scope";
export type { CoverageScope } from "./scope";
export { ExpectedOutcome, CoverageAssertionError, parseCoverageAssertion, parseCoverageFor, dimensionSelector, DIMENSION_KEYS, checkAssertions, describeScope } from "./assert";
export type { CoverageAssertion, CoverageFor, AssertionFailure, AssertionResult } from "./assert";
export { CLIENT_APP_TYPES, USER_KINDS, signInTargetsOf, usersApply, clientAppAndLocationApply } from "./dimensions";
export type { CoverageSignIn, SignInTargets, UserSide, GuestTarget } from "./dimensions";
export { coverageDocument, coverageLines, coverageHtml } from "./report";
export type { CoverageDocument, CoverageRow, CoverageHtmlOptions } from "./report";
export type { ReportProvenance, ReportProvenanceFile } from "../../common/html";
