/**
 * Scope: the sign-in user and app (policies' user and application conditions), and a class's
 * result for a scope.
 */
import type { DeviceResult } from "../whatif/evaluate";
import { PolicyState, type PlainConditionalAccessPolicy } from "../policy-shape";
import { evaluateWitness, type DeviceClass, type CoverageAnalysis } from "./analysis";

/**
 * Who signs in to what. Without `user`, every policy's user condition is taken to include the
 * user (what `whatif` assumes); without `app`, every policy's application condition.
 */
export interface CoverageScope {
  /** A member user (not a guest) with these explicit ids; empty lists = "any other user". */
  user?: { userIds: string[]; groupIds: string[]; roleIds: string[] };
  /** An application id or an app group such as `Office365`, compared case-insensitively. */
  app?: string;
}

export function has(list: string[] | undefined, values: string[]): boolean {
  const wanted = new Set(values.map((v) => v.toLowerCase()));
  return (list ?? []).some((x) => wanted.has(x.toLowerCase()));
}

/** Whether a policy's user and application conditions include this scope. */
export function policyInScope(policy: PlainConditionalAccessPolicy, scope: CoverageScope): boolean {
  const u = policy.conditions.users;
  if (scope.user) {
    const { userIds, groupIds, roleIds } = scope.user;
    const excluded = has(u.excludedUsers, userIds) || has(u.excludedGroups, groupIds) || has(u.excludedRoles, roleIds);
    const included = has(u.includedUsers, ["All", ...userIds]) || has(u.includedGroups, groupIds) || has(u.includedRoles, roleIds);
    if (excluded || !included) return false;
  }
  if (scope.app !== undefined) {
    const a = policy.conditions.applications;
    if (!has(a.includedApplications, ["All", scope.app])) return false;
    if (has(a.excludedApplications, [scope.app])) return false;
  }
  return true;
}

/**
 * A class's result for a scope: the evaluator over the witness (device and sign-in), with only the
 * policies whose application condition covers the scope's app (`enabledOnly`: and enabled). The
 * user is the class's own: a scope's user is a part of the space (the assertion's selector and
 * `--for` select the classes of exactly that user), not an override.
 */
export function classResult(analysis: CoverageAnalysis, cls: DeviceClass, scope: CoverageScope = {}, enabledOnly = false): DeviceResult {
  if (scope.app === undefined && !enabledOnly) {
    return { applying: cls.applying, outcome: cls.outcome, controls: cls.controls, outcomeIfReportOnlyEnforced: cls.outcomeIfReportOnlyEnforced };
  }
  const appOnly: CoverageScope = scope.app === undefined ? {} : { app: scope.app };
  const keep = analysis.source.map((p) => policyInScope(p, appOnly) && (!enabledOnly || p.state === PolicyState.Enabled));
  return evaluateWitness(
    analysis.compiled.filter((_, k) => keep[k]),
    analysis.targets.filter((_, k) => keep[k]),
    cls.witness,
    cls.signIn,
  );
}
