/** The public API of the coverage analysis (what components/index.ts re-exports). */
export { analyseCoverage, classifyDevice, randomClassMember, CoverageLimitError, PLATFORM_OPERATING_SYSTEM } from "./analysis";
export type { CoverageAnalysis, CoverageOptions, CoverageRegion, CoverageSelector, CoverageCounts, DeviceClass } from "./analysis";
export { PLATFORM_RULES } from "./platforms";
export { classResult, policyInScope } from "./scope";
export type { CoverageScope } from "./scope";
export { ExpectedOutcome, CoverageAssertionError, parseCoverageAssertion, checkAssertions, describeScope } from "./assert";
export type { CoverageAssertion, AssertionFailure, AssertionResult } from "./assert";
export { coverageDocument, coverageLines, coverageHtml } from "./report";
export type { CoverageDocument, CoverageRow, CoverageHtmlOptions } from "./report";
export type { ReportProvenance, ReportProvenanceFile } from "../../common/html";
