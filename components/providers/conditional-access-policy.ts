// Entry point the Graph-native Conditional Access policy's serialized provider requires at run time
// (`tenant-guardrails/providers/conditional-access-policy`).
export { graphPolicyProvider as provider } from "../conditional-access/graph-policy/graph-provider";
