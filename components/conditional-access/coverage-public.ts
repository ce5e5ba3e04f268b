/** The public API of the coverage analysis (what components/index.ts re-exports). */
export { analyseCoverage, classifyDevice, classResult, randomClassMember, policyInScope, CoverageLimitError, PLATFORM_RULES, PLATFORM_OPERATING_SYSTEM } from "./coverage";
export type { CoverageAnalysis, CoverageOptions, CoverageRegion, CoverageScope, CoverageSelector, CoverageCounts, DeviceClass } from "./coverage";
export { ExpectedOutcome, CoverageAssertionError, parseCoverageAssertion, checkAssertions, describeScope } from "./coverage-assert";
export type { CoverageAssertion, AssertionFailure, AssertionResult } from "./coverage-assert";
export { coverageDocument, coverageLines, coverageHtml } from "./coverage-report";
export type { CoverageDocument, CoverageRow } from "./coverage-report";
