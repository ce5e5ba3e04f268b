/** The public API of the coverage analysis (what components/index.ts re-exports). */
export { analyseCoverage, classifyDevice, classResult, randomClassMember, policyInScope, CoverageLimitError, PLATFORM_RULES, PLATFORM_OPERATING_SYSTEM } from "./analysis";
export type { CoverageAnalysis, CoverageOptions, CoverageRegion, CoverageScope, CoverageSelector, CoverageCounts, DeviceClass } from "./analysis";
export { ExpectedOutcome, CoverageAssertionError, parseCoverageAssertion, checkAssertions, describeScope } from "./assert";
export type { CoverageAssertion, AssertionFailure, AssertionResult } from "./assert";
export { coverageDocument, coverageLines, coverageHtml } from "./report";
export type { CoverageDocument, CoverageRow } from "./report";
