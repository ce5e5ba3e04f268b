/**
 * Recognise an imported policy that has the shape CorporateDeviceAccess declares (block, or MFA,
 * for every device outside some trusted join types, unregistered devices included) and give the
 * component args. The proof is by construction: the component's own policy is built from the
 * args and compared with the imported one, the device targeting by evaluation over every device
 * class a trustType rule can tell apart. No Pulumi here.
 */
import { DeviceFilter, TrustType, type GraphDevice } from "../device-filter";
import { buildCorporateDevicePolicies, displayNamePrefixOf, normaliseCorporateDeviceAccess, type PlainCorporateDeviceAccessArgs } from "../component/corporate-device-policy";
import type { PlainConditionalAccessPolicy, PlainUsersCondition } from "../policy-shape";

export interface RecognisedComponent {
  /** CorporateDeviceAccess args when the policy is exactly what the component declares. */
  args: PlainCorporateDeviceAccessArgs | undefined;
  /** Why it was (or was not) recognised; empty for policies without a trustType device filter. */
  notes: { code: string; message: string }[];
}

const TRUST_TYPES = Object.values(TrustType) as string[];

/** Device classes a trustType-only rule can tell apart: each join type, and unregistered (null). */
const DEVICE_CLASSES: { label: string; device: GraphDevice | null }[] = [
  ...TRUST_TYPES.map((t) => ({ label: t, device: { trustType: t } as GraphDevice })),
  { label: "unregistered", device: null },
];

/**
 * DeviceFilter.parse for the importer, remembering recent rules: a tenant export repeats a few
 * rules many times, and a DeviceFilter is immutable. Throws what DeviceFilter.parse throws.
 */
const recentFilters = new Map<string, DeviceFilter>();
export function parseFilterCached(rule: string): DeviceFilter {
  let filter = recentFilters.get(rule);
  if (filter === undefined) {
    filter = DeviceFilter.parse(rule);
    if (recentFilters.size >= 256) recentFilters.clear();
    recentFilters.set(rule, filter);
  }
  return filter;
}

/** Devices the policy acts on, per class label. */
function targetedClasses(filter: { mode: string; rule: string }): Set<string> {
  const compiled = parseFilterCached(filter.rule);
  const include = filter.mode === "include";
  return new Set(DEVICE_CLASSES.filter((c) => compiled.matches(c.device) === include).map((c) => c.label));
}

function sameSet(a: string[] | undefined, b: string[] | undefined): boolean {
  const x = new Set((a ?? []).map((v) => v.toLowerCase()));
  const y = new Set((b ?? []).map((v) => v.toLowerCase()));
  return x.size === y.size && [...x].every((v) => y.has(v));
}

const STATE_TO_COMPONENT: Record<string, string> = {
  enabled: "enabled",
  disabled: "disabled",
  enabledForReportingButNotEnforced: "reportOnly",
};

/** Conditions the component never sets; any of them keeps the policy a raw resource. */
function extraConditions(p: PlainConditionalAccessPolicy, platformsAllowed = false): string[] {
  const c = p.conditions;
  const extra: string[] = [];
  if (c.platforms && !platformsAllowed) extra.push("platforms (the component restricts platforms in a separate policy, so a combined condition has a different meaning)");
  if (c.locations) extra.push("locations");
  if (c.clientApplications) extra.push("clientApplications");
  if (c.signInRiskLevels || c.userRiskLevels || c.servicePrincipalRiskLevels || c.insiderRiskLevels) extra.push("risk levels");
  if (c.authenticationFlowTransferMethods) extra.push("authentication flows");
  if (c.applications.includedUserActions) extra.push("user actions");
  if (c.applications.filter) extra.push("an application filter");
  if (c.users.includedGuestsOrExternalUsers || c.users.excludedGuestsOrExternalUsers) extra.push("guest or external user types");
  if (p.sessionControls) extra.push("session controls");
  const g = p.grantControls;
  const builtIn = g?.builtInControls ?? [];
  if (!g || builtIn.length !== 1 || !["block", "mfa"].includes(builtIn[0]) || g.authenticationStrengthPolicyId || g.termsOfUses || g.customAuthenticationFactors) {
    extra.push("grant controls other than block or mfa alone");
  }
  return extra;
}

function componentUsers(users: PlainUsersCondition): { users: PlainCorporateDeviceAccessArgs["users"]; emergencyAccess: PlainCorporateDeviceAccessArgs["emergencyAccess"] } {
  const excludedKeywords = (users.excludedUsers ?? []).filter((u) => u === "GuestsOrExternalUsers");
  const excludedIds = (users.excludedUsers ?? []).filter((u) => u !== "GuestsOrExternalUsers");
  const onlyAllUsers = sameSet(users.includedUsers, ["All"]) && !users.includedGroups && !users.includedRoles;
  return {
    users: Object.fromEntries(
      Object.entries({
        includeUsers: onlyAllUsers ? undefined : users.includedUsers,
        includeGroupIds: users.includedGroups,
        includeRoles: users.includedRoles,
        excludeUsers: excludedKeywords.length ? excludedKeywords : undefined,
        excludeRoles: users.excludedRoles,
      }).filter(([, v]) => v !== undefined),
    ),
    emergencyAccess:
      excludedIds.length || users.excludedGroups
        ? Object.fromEntries(Object.entries({ userIds: excludedIds.length ? excludedIds : undefined, groupIds: users.excludedGroups }).filter(([, v]) => v !== undefined))
        : undefined,
  };
}

/** What differs between a policy the component builds and an imported one (besides devices and platforms). */
function scopeDifferences(built: PlainConditionalAccessPolicy, policy: PlainConditionalAccessPolicy): string[] {
  const differences: string[] = [];
  if (built.state !== policy.state) differences.push("state");
  if (!sameSet(built.conditions.clientAppTypes, policy.conditions.clientAppTypes)) differences.push("clientAppTypes");
  const a = built.conditions.applications;
  const b = policy.conditions.applications;
  if (!sameSet(a.includedApplications, b.includedApplications) || !sameSet(a.excludedApplications, b.excludedApplications)) differences.push("applications");
  const u = built.conditions.users;
  const v = policy.conditions.users;
  for (const key of ["includedUsers", "excludedUsers", "includedGroups", "excludedGroups", "includedRoles", "excludedRoles"] as const) {
    if (!sameSet(u[key], v[key])) differences.push(`users.${key}`);
  }
  if (!sameSet(built.grantControls?.builtInControls, policy.grantControls?.builtInControls)) differences.push("grant controls");
  return differences;
}

/**
 * The component's second policy: with `allowedPlatforms` it also acts on platforms other than the
 * allowed ones, for the same users and apps. When `candidate` is exactly that policy for `args`,
 * return the args with `allowedPlatforms` and the display name the component gives that policy.
 */
export function recognisePlatformCompanion(
  args: PlainCorporateDeviceAccessArgs,
  candidate: PlainConditionalAccessPolicy,
): { args: PlainCorporateDeviceAccessArgs; displayName: string } | undefined {
  const platforms = candidate.conditions.platforms;
  if (args.allowedPlatforms || candidate.conditions.devices || !platforms || !platforms.excludedPlatforms?.length) return undefined;
  if (!sameSet(platforms.includedPlatforms, ["all"]) || extraConditions(candidate, true).length) return undefined;
  const merged = { ...args, allowedPlatforms: platforms.excludedPlatforms };
  const { value } = normaliseCorporateDeviceAccess(merged);
  const built = value && buildCorporateDevicePolicies(value).find((p) => p.key === "other-platforms")?.args;
  if (!built?.conditions.platforms) return undefined;
  if (scopeDifferences(built, candidate).length) return undefined;
  const same = sameSet(built.conditions.platforms.includedPlatforms, platforms.includedPlatforms) && sameSet(built.conditions.platforms.excludedPlatforms, platforms.excludedPlatforms);
  return same ? { args: merged, displayName: built.displayName } : undefined;
}

/** Recognise the CorporateDeviceAccess shape in an imported (already validated) policy. */
export function recogniseCorporateDeviceAccess(policy: PlainConditionalAccessPolicy): RecognisedComponent {
  const filter = policy.conditions.devices?.filter;
  if (!filter) return { args: undefined, notes: [] };
  const properties = new Set(parseFilterCached(filter.rule).comparisons.map((c) => c.property));
  if (properties.size !== 1 || !properties.has("trustType")) return { args: undefined, notes: [] };

  const keepRaw = (why: string) => ({ args: undefined, notes: [{ code: "not-component", message: `kept as a raw resource, not CorporateDeviceAccess: ${why}` }] });

  const targeted = targetedClasses(filter);
  if (!targeted.has("unregistered")) return keepRaw("the device filter does not act on unregistered devices, so it does not restrict access to corporate devices");
  const trusted = TRUST_TYPES.filter((t) => !targeted.has(t));
  if (trusted.length === 0) return keepRaw("the device filter acts on every device");
  const extra = extraConditions(policy);
  if (extra.length) return keepRaw(`the policy also has ${extra.join(", ")}`);

  const { users, emergencyAccess } = componentUsers(policy.conditions.users);
  const action = policy.grantControls!.builtInControls![0];
  const args: PlainCorporateDeviceAccessArgs = Object.fromEntries(
    Object.entries({
      displayNamePrefix: policy.displayName,
      state: STATE_TO_COMPONENT[policy.state],
      trustedTrustTypes: trusted,
      applications: sameSet(policy.conditions.applications.includedApplications, ["All"]) ? undefined : policy.conditions.applications.includedApplications,
      excludedApplications: policy.conditions.applications.excludedApplications,
      users: users && Object.keys(users).length ? users : undefined,
      emergencyAccess,
      clientAppTypes: sameSet(policy.conditions.clientAppTypes, ["all"]) ? undefined : policy.conditions.clientAppTypes,
      otherDevicesAction: action === "block" ? undefined : action,
    }).filter(([, v]) => v !== undefined),
  );

  // A policy the component declared carries the component's suffix: give back the prefix, so
  // adopting it renames nothing.
  const prefix = displayNamePrefixOf(policy.displayName);
  if (prefix) {
    const named = normaliseCorporateDeviceAccess({ ...args, displayNamePrefix: prefix }).value;
    if (named && buildCorporateDevicePolicies(named)[0].args.displayName === policy.displayName) args.displayNamePrefix = prefix;
  }

  const { value, problems } = normaliseCorporateDeviceAccess(args);
  if (!value) return keepRaw(`the component would refuse these args (${problems.map((p) => `${p.field}: ${p.problem}`).join("; ")})`);

  // Proof by construction: the component's own policy must target the same devices, users, apps.
  const built = buildCorporateDevicePolicies(value)[0].args;
  const differences = scopeDifferences(built, policy);
  const builtTargets = built.conditions.devices ? targetedClasses(built.conditions.devices.filter) : new Set<string>();
  if (!sameSet([...builtTargets], [...targeted])) differences.push("device targeting");
  if (differences.length) return keepRaw(`the component would declare a different policy (${differences.join(", ")})`);

  const rewrites = [
    built.displayName !== policy.displayName ? `display name ("${built.displayName}")` : undefined,
    built.conditions.devices?.filter.rule !== filter.rule || built.conditions.devices?.filter.mode !== filter.mode
      ? `rule (${built.conditions.devices?.filter.mode}: ${built.conditions.devices?.filter.rule})`
      : undefined,
  ].filter((r) => r !== undefined);
  const notes = [
    {
      code: "component",
      message:
        `same shape as CorporateDeviceAccess: acts on devices that are not ${trusted.join(" or ")} joined, unregistered devices included.` +
        (rewrites.length ? ` The component writes its own ${rewrites.join(" and ")}: the first pulumi up after import updates the policy in place, with the same device targeting` : ""),
    },
  ];
  if (emergencyAccess) {
    notes.push({
      code: "emergency-access",
      message: "the policy's excluded users and groups became emergencyAccess (the component excludes them from every policy it declares): check that they are your break-glass accounts",
    });
  }
  return { args, notes };
}
