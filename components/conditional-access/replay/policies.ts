/**
 * azuread policy args in the one shape the replay evaluates, the Graph `conditionalAccessPolicy`
 * (through the importer's inverse, `toGraphPolicy`). The policies a stack declares, of both kinds,
 * come from `declaredConditionalAccessPolicies` (../declared-policies.ts).
 */
import { toGraphPolicy } from "../import/to-graph";
import type { PlainConditionalAccessPolicy } from "../policy-shape";
import type { ReplayPolicy } from "./evaluate";

/** The Graph shape of one azuread policy's args. */
export function replayPolicyFromAzuread(args: PlainConditionalAccessPolicy): ReplayPolicy {
  return toGraphPolicy(args) as unknown as ReplayPolicy;
}
