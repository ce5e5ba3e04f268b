export {
  VulnerabilityAssessmentProvider,
  DefenderServersSubPlan,
  MachineKind,
  VA_PROVIDER_POLICY_ID,
  VA_TRANSITION_POLICY_ID,
  SECURITY_ADMIN_ROLE_ID,
} from "./model";
export type {
  PlainVulnerabilityAssessmentArgs,
  NormalisedVulnerabilityAssessment,
  PlainMachine,
  PlainPolicyAssignment,
  PlainBuiltInArgs,
  PlainQualysByolArgs,
  PlainSubscriptionState,
  ClassifiedMachine,
} from "./model";
export { normaliseVulnerabilityAssessment, classifyMachine, machinesByolCannotCover } from "./validate";
export { decisionSummary } from "./decision";
export type { VulnerabilityAssessmentDecision } from "./decision";
export * from "./vulnerability-assessment";
export { QualysByolSolution, PricingReset } from "./resources";
export type { QualysByolSolutionArgs, PricingResetArgs } from "./resources";
