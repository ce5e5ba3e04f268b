/**
 * Every kind of declared Conditional Access policy in the one shape the replay evaluates: the
 * Graph `conditionalAccessPolicy`. azuread policy args (declared directly or as children of
 * CorporateDeviceAccess) go through the importer's inverse (`toGraphPolicy`); a resource whose
 * args already are the Graph shape is taken as it is.
 */
import { PROVIDER_TYPE_TOKENS } from "../../common/type-tokens";
import { toGraphPolicy } from "../import/to-graph";
import type { PlainConditionalAccessPolicy } from "../policy-shape";
import type { ReplayPolicy } from "./evaluate";

/** A resource the offline engine recorded: its type token, name and plain inputs. */
export interface DeclaredPolicyResource {
  type: string;
  name: string;
  plainInputs: Record<string, unknown>;
}

/** Whether inputs are a Graph `conditionalAccessPolicy` (Graph field names: includeUsers, includeApplications, ...). */
export function isGraphShapedPolicy(inputs: Record<string, unknown>): boolean {
  const c = inputs.conditions as Record<string, unknown> | undefined;
  if (!c || typeof c !== "object") return false;
  const users = c.users as Record<string, unknown> | undefined;
  const apps = c.applications as Record<string, unknown> | undefined;
  const graphKeys = ["includeUsers", "includeGroups", "includeRoles", "includeGuestsOrExternalUsers", "includeApplications", "includeUserActions", "includeAuthenticationContextClassReferences"];
  return graphKeys.some((k) => (users && k in users) || (apps && k in apps));
}

/** The Graph shape of one azuread policy's args. */
export function replayPolicyFromAzuread(args: PlainConditionalAccessPolicy): ReplayPolicy {
  return toGraphPolicy(args) as unknown as ReplayPolicy;
}

/**
 * The Conditional Access policies among declared resources, in the Graph shape: azuread
 * `ConditionalAccessPolicy` resources, and any other resource whose type ends in
 * `ConditionalAccessPolicy` with Graph-shaped args (the Graph-native resource).
 */
export function replayPoliciesFromResources(resources: readonly DeclaredPolicyResource[]): { name: string; policy: ReplayPolicy }[] {
  const out: { name: string; policy: ReplayPolicy }[] = [];
  for (const r of resources) {
    if (r.type === PROVIDER_TYPE_TOKENS.ConditionalAccessPolicy) {
      out.push({ name: r.name, policy: replayPolicyFromAzuread(r.plainInputs as unknown as PlainConditionalAccessPolicy) });
    } else if (/ConditionalAccessPolicy$/.test(r.type) && isGraphShapedPolicy(r.plainInputs)) {
      out.push({ name: r.name, policy: r.plainInputs as unknown as ReplayPolicy });
    }
  }
  return out;
}
