/**
 * The Conditional Access policies a stack declares, of both kinds, from the resources the offline
 * engine recorded: azuread `ConditionalAccessPolicy` resources (declared directly or as children of
 * CorporateDeviceAccess) and the Graph-native `ConditionalAccessPolicy`. Each comes in the one shape
 * the evaluators read, Graph's `conditionalAccessPolicy` (azuread args go through the importer's
 * inverse, `toGraphPolicy`), with the break-glass ids the stack declares. Pure: no Pulumi.
 */
import { COMPONENT_TYPE_TOKENS, PLUGIN_RESOURCE_TYPE_TOKENS, PROVIDER_TYPE_TOKENS } from "../common/type-tokens";
import { toGraphPolicy } from "./import/to-graph";
import type { PlainConditionalAccessPolicy } from "./policy-shape";

/** A resource the offline engine recorded: type token, name, URN and plain (revealed) inputs. */
export interface DeclaredPolicyResource {
  type: string;
  name: string;
  urn?: string;
  plainInputs: Record<string, unknown>;
}

/** Which resource declares a policy: `@pulumi/azuread`'s, or this package's Graph-native one. */
export type DeclaredPolicyKind = "azuread" | "graph";

/** One declared Conditional Access policy, in Graph's `conditionalAccessPolicy` shape. */
export interface DeclaredConditionalAccessPolicy {
  kind: DeclaredPolicyKind;
  /** Pulumi resource name. */
  name: string;
  /** Pulumi URN ("" when the caller recorded none). */
  urn: string;
  /** The policy as Graph holds it: displayName, state, conditions, grantControls, sessionControls. */
  graph: Record<string, unknown>;
}

/** The break-glass users and groups a stack declares (CorporateDeviceAccess and Graph-native `emergencyAccess`). */
export interface DeclaredEmergencyAccess {
  userIds: string[];
  groupIds: string[];
}

/** What {@link declaredConditionalAccessPolicies} returns. */
export interface DeclaredPolicies {
  policies: DeclaredConditionalAccessPolicy[];
  emergencyAccess: DeclaredEmergencyAccess;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/**
 * Every Conditional Access policy among recorded resources, in declaration order, with the
 * emergency-access ids (deduplicated). The Graph-native resource records its validated Graph
 * payload as `policy`; that payload is taken as it is.
 */
export function declaredConditionalAccessPolicies(resources: readonly DeclaredPolicyResource[]): DeclaredPolicies {
  const policies: DeclaredConditionalAccessPolicy[] = [];
  const userIds = new Set<string>();
  const groupIds = new Set<string>();
  for (const r of resources) {
    if (r.type === PROVIDER_TYPE_TOKENS.ConditionalAccessPolicy) {
      policies.push({ kind: "azuread", name: r.name, urn: r.urn ?? "", graph: toGraphPolicy(r.plainInputs as unknown as PlainConditionalAccessPolicy) });
    } else if (r.type === PLUGIN_RESOURCE_TYPE_TOKENS.ConditionalAccessPolicy) {
      const payload = r.plainInputs.policy;
      const graph = payload && typeof payload === "object" && !Array.isArray(payload) ? { ...(payload as Record<string, unknown>) } : {};
      if (typeof graph.displayName !== "string" && typeof r.plainInputs.displayName === "string") graph.displayName = r.plainInputs.displayName;
      policies.push({ kind: "graph", name: r.name, urn: r.urn ?? "", graph });
    }
    if (r.type === COMPONENT_TYPE_TOKENS.CorporateDeviceAccess || r.type === PLUGIN_RESOURCE_TYPE_TOKENS.ConditionalAccessPolicy) {
      const e = (r.plainInputs.emergencyAccess ?? {}) as Record<string, unknown>;
      for (const id of strings(e.userIds)) userIds.add(id);
      for (const id of strings(e.groupIds)) groupIds.add(id);
    }
  }
  return { policies, emergencyAccess: { userIds: [...userIds], groupIds: [...groupIds] } };
}
