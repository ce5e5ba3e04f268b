/** The Graph-native ConditionalAccessPolicy resource and the pure core behind it. */
export { ConditionalAccessPolicy, type ConditionalAccessPolicyArgs } from "./conditional-access-policy";
export {
  GRAPH_POLICY_COMPONENT,
  normaliseConditionalAccessPolicy,
  type NormalisedGraphConditionalAccessPolicy,
  type PlainGraphConditionalAccessPolicyArgs,
  type PlainEmergencyAccess,
  type GraphPolicyPayload,
  type GraphConditionSet,
  type GraphGrantControls,
  type GraphSessionControls,
  type OpenGraph,
} from "./normalise";
export { BETA_ONLY_PROPERTIES, BETA_ONLY_GRANT_CONTROLS, betaPropertiesOf, canonicalPolicy, policyDifferences, policiesPath, type GraphApiVersion, type Json } from "./shape";
export { graphPolicyProvider, type GraphPolicyInputs, type GraphPolicyOutputs } from "./graph-provider";
