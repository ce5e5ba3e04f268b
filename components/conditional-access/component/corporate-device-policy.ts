/**
 * Pure core of CorporateDeviceAccess: normalises and validates the args (all problems at once),
 * and builds the azuread ConditionalAccessPolicy args. No Pulumi here.
 */
import type { InputProblem } from "../../errors";
import { aliasedField, type Deprecation } from "../../common/deprecation";
import { DeviceFilter, DeviceFilterError, TrustType } from "../device-filter";
import { DevicePlatform, PolicyState, parsePolicyState, type PlainConditionalAccessPolicy } from "../policy-shape";
import { GUID } from "../../common/ids";

export const COMPONENT = "CorporateDeviceAccess";

/** What happens to a sign-in from a device that is not corporate. */
export const OtherDevicesAction = {
  /** Block access (the default). */
  Block: "block",
  /** Let it in with multifactor authentication: a softer first step while inventories are cleaned up. */
  RequireMfa: "mfa",
} as const;
export type OtherDevicesAction = (typeof OtherDevicesAction)[keyof typeof OtherDevicesAction];

/** The args once resolved to plain values (what the component validates). */
export interface PlainCorporateDeviceAccessArgs {
  displayNamePrefix?: string;
  /** @deprecated use displayNamePrefix (the same value). */
  displayName?: string;
  state?: string;
  trustedTrustTypes?: string[];
  applications?: string[];
  excludedApplications?: string[];
  users?: {
    includeUsers?: string[];
    includeGroupIds?: string[];
    /** @deprecated use includeGroupIds (the same value). */
    includeGroups?: string[];
    includeRoles?: string[];
    excludeUsers?: string[];
    excludeGroupIds?: string[];
    /** @deprecated use excludeGroupIds (the same value). */
    excludeGroups?: string[];
    excludeRoles?: string[];
  };
  emergencyAccess?: { userIds?: string[]; groupIds?: string[] };
  allowedPlatforms?: string[];
  clientAppTypes?: string[];
  otherDevicesAction?: string;
  deviceStates?: { include?: string[]; exclude?: string[] };
}

/** The component's inputs checked and with every default filled in (what {@link normaliseCorporateDeviceAccess} returns as `value`). */
export interface NormalisedCorporateDeviceAccess {
  /** Prefix of the policies' display names (default "Corporate devices only"). */
  displayNamePrefix: string;
  /** @deprecated use displayNamePrefix (the same value). */
  displayName: string;
  state: PolicyState;
  trustedTrustTypes: TrustType[];
  applications: string[];
  excludedApplications: string[];
  includeUsers: string[];
  includeGroupIds: string[];
  /** @deprecated use includeGroupIds (the same value). */
  includeGroups: string[];
  includeRoles: string[];
  excludeUsers: string[];
  /** Excluded groups: the break-glass groups and `users.excludeGroupIds`. */
  excludeGroupIds: string[];
  /** @deprecated use excludeGroupIds (the same value). */
  excludeGroups: string[];
  excludeRoles: string[];
  allowedPlatforms: DevicePlatform[] | undefined;
  clientAppTypes: string[];
  action: OtherDevicesAction;
  /** Canonical device filter rule selecting the devices to act on (untrusted and unregistered). */
  rule: string;
}


/** Case-insensitive lookup of a canonical spelling; undefined when unknown. */
function canonical<T extends string>(value: string, allowed: readonly T[]): T | undefined {
  const key = value.trim().toLowerCase().replace(/[\s_-]/g, "");
  return allowed.find((a) => a.toLowerCase() === key);
}

const APP_KEYWORDS = ["All", "Office365", "MicrosoftAdminPortals"] as const;
const USER_KEYWORDS = ["All", "GuestsOrExternalUsers"] as const;
const CLIENT_APP_TYPES = ["all", "browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported", "other"] as const;
const PLATFORMS = Object.values(DevicePlatform).filter((p) => p !== "all");
const TRUST_TYPES = Object.values(TrustType) as TrustType[];

/** Normalise a list of ids or keywords: keywords to the provider's casing, GUIDs checked. */
function idsOrKeywords(field: string, values: string[] | undefined, keywords: readonly string[], problems: InputProblem[], what: string): string[] {
  const out: string[] = [];
  for (const raw of values ?? []) {
    const v = String(raw).trim();
    const keyword = canonical(v, keywords);
    if (keyword) out.push(keyword);
    else if (GUID.test(v)) out.push(v.toLowerCase());
    else
      problems.push({
        field,
        value: raw,
        problem: `not a ${what} object id (GUID)${keywords.length ? ` nor one of ${keywords.join(", ")}` : ""}`,
        fix: `use the object id from Entra ID${keywords.length ? ` or one of ${keywords.join(", ")}` : ""}`,
      });
  }
  return [...new Set(out)];
}

/** Validate and normalise; returns every problem found, not the first only. */
export function normaliseCorporateDeviceAccess(args: PlainCorporateDeviceAccessArgs): {
  value?: NormalisedCorporateDeviceAccess;
  problems: InputProblem[];
  /** Deprecated arg names used (displayName, users.includeGroups, users.excludeGroups): the component warns. */
  deprecations: Deprecation[];
} {
  const problems: InputProblem[] = [];
  const deprecations: Deprecation[] = [];
  const prefix = aliasedField<string>(args as Record<string, unknown>, "", "displayName", "displayNamePrefix", problems, deprecations);

  const stateRaw = args.state ?? "reportOnly";
  const state = parsePolicyState(stateRaw);
  if (!state)
    problems.push({ field: "state", value: stateRaw, problem: "unknown policy state", fix: 'use "reportOnly" (default), "enabled" or "disabled"' });

  const trustedTrustTypes: TrustType[] = [];
  for (const raw of args.trustedTrustTypes ?? [TrustType.AzureAD, TrustType.ServerAD]) {
    const t = canonical(String(raw), TRUST_TYPES);
    if (t) trustedTrustTypes.push(t);
    else
      problems.push({
        field: "trustedTrustTypes",
        value: raw,
        problem: "unknown device trust type",
        fix: 'use "AzureAD" (Entra joined), "ServerAD" (hybrid joined) or "Workplace" (registered)',
      });
  }
  // One canonical order (and no duplicates), so reordering config never changes the rule.
  trustedTrustTypes.splice(0, trustedTrustTypes.length, ...TRUST_TYPES.filter((t) => trustedTrustTypes.includes(t)));
  if (args.trustedTrustTypes && args.trustedTrustTypes.length === 0)
    problems.push({ field: "trustedTrustTypes", value: [], problem: "no trust type is trusted, so every device would be blocked", fix: 'list at least one, e.g. ["AzureAD", "ServerAD"]' });
  if (trustedTrustTypes.length === TRUST_TYPES.length)
    problems.push({
      field: "trustedTrustTypes",
      value: args.trustedTrustTypes,
      problem: "every trust type is trusted, so only unregistered devices would be affected",
      fix: 'drop "Workplace": registered personal devices are not corporate',
    });

  const applications = idsOrKeywords("applications", args.applications ?? ["All"], APP_KEYWORDS, problems, "application (appId)");
  if (args.applications && args.applications.length === 0)
    problems.push({ field: "applications", value: [], problem: "no target application", fix: 'use ["All"], ["Office365"] or application ids' });
  const excludedApplications = idsOrKeywords("excludedApplications", args.excludedApplications, APP_KEYWORDS.filter((k) => k !== "All"), problems, "application (appId)");

  const users = args.users ?? {};
  const includeGroupsArg = aliasedField<string[]>(users, "users.", "includeGroups", "includeGroupIds", problems, deprecations);
  const excludeGroupsArg = aliasedField<string[]>(users, "users.", "excludeGroups", "excludeGroupIds", problems, deprecations);
  const includeUsers = idsOrKeywords("users.includeUsers", users.includeUsers ?? (includeGroupsArg.value?.length || users.includeRoles?.length ? [] : ["All"]), USER_KEYWORDS, problems, "user");
  const includeGroupIds = idsOrKeywords(includeGroupsArg.field, includeGroupsArg.value, [], problems, "group");
  const includeRoles = idsOrKeywords("users.includeRoles", users.includeRoles, [], problems, "directory role template");
  if (includeUsers.length + includeGroupIds.length + includeRoles.length === 0 && problems.every((p) => !p.field.startsWith("users.include")))
    problems.push({ field: "users", value: users, problem: "the policy targets no user, group or role", fix: 'set users.includeUsers to ["All"] or list groups in users.includeGroupIds' });

  const breakGlassUsers = idsOrKeywords("emergencyAccess.userIds", args.emergencyAccess?.userIds, [], problems, "user");
  const breakGlassGroups = idsOrKeywords("emergencyAccess.groupIds", args.emergencyAccess?.groupIds, [], problems, "group");
  const excludeUsers = [...new Set([...breakGlassUsers, ...idsOrKeywords("users.excludeUsers", users.excludeUsers, ["GuestsOrExternalUsers"], problems, "user")])];
  const excludeGroupIds = [...new Set([...breakGlassGroups, ...idsOrKeywords(excludeGroupsArg.field, excludeGroupsArg.value, [], problems, "group")])];
  const excludeRoles = idsOrKeywords("users.excludeRoles", users.excludeRoles, [], problems, "directory role template");
  if (state === PolicyState.Enabled && breakGlassUsers.length + breakGlassGroups.length === 0)
    problems.push({
      field: "emergencyAccess",
      value: args.emergencyAccess,
      problem: "an enabled policy must exclude at least one emergency-access (break-glass) account or group, or a mistake locks every administrator out",
      fix: "set emergencyAccess.userIds or emergencyAccess.groupIds to your break-glass accounts' object ids, or keep state \"reportOnly\"",
    });

  let allowedPlatforms: DevicePlatform[] | undefined;
  if (args.allowedPlatforms !== undefined) {
    allowedPlatforms = [];
    for (const raw of args.allowedPlatforms) {
      const p = canonical(String(raw), PLATFORMS);
      if (p) allowedPlatforms.push(p);
      else
        problems.push({
          field: "allowedPlatforms",
          value: raw,
          problem: String(raw).toLowerCase() === "all" ? '"all" allows every platform, so there is nothing to restrict' : "unknown device platform",
          fix: `omit allowedPlatforms to allow any platform, or list some of ${PLATFORMS.join(", ")}`,
        });
    }
    if (args.allowedPlatforms.length === 0)
      problems.push({ field: "allowedPlatforms", value: [], problem: "no platform is allowed, so every device would be blocked", fix: 'list the allowed platforms, e.g. ["windows"], or omit the field' });
    const chosen = new Set(allowedPlatforms);
    allowedPlatforms = PLATFORMS.filter((p) => chosen.has(p));
  }

  const clientAppTypes: string[] = [];
  for (const raw of args.clientAppTypes ?? ["all"]) {
    const c = canonical(String(raw), CLIENT_APP_TYPES);
    if (c) clientAppTypes.push(c);
    else problems.push({ field: "clientAppTypes", value: raw, problem: "unknown client app type", fix: `use some of ${CLIENT_APP_TYPES.join(", ")}` });
  }

  const actionRaw = args.otherDevicesAction ?? OtherDevicesAction.Block;
  const action = canonical(String(actionRaw), Object.values(OtherDevicesAction));
  if (!action) problems.push({ field: "otherDevicesAction", value: actionRaw, problem: "unknown action", fix: 'use "block" (default) or "mfa"' });

  if (args.deviceStates && ((args.deviceStates.include?.length ?? 0) > 0 || (args.deviceStates.exclude?.length ?? 0) > 0))
    problems.push({
      field: "deviceStates",
      value: args.deviceStates,
      problem:
        "the legacy device-state condition cannot be combined with a device filter, and Graph rejects it (error 1088: 'includeDeviceStates' and 'excludeDeviceStates' are no longer supported)",
      fix: 'remove deviceStates: trustedTrustTypes expresses "Hybrid joined" (ServerAD) and "Entra joined" (AzureAD); see `tenant-guardrails import-ca` to convert an old policy',
    });

  // Include mode with negative operators: an unregistered device has no trustType, so every
  // "-ne" comparison is true and the device is caught (see docs/conditional-access.md: why include mode).
  let rule = "";
  if (trustedTrustTypes.length > 0) {
    try {
      rule = DeviceFilter.parse(trustedTrustTypes.map((t) => `device.trustType -ne "${t}"`).join(" -and ")).toString();
    } catch (err) {
      if (!(err instanceof DeviceFilterError)) throw err;
      problems.push({ field: "trustedTrustTypes", value: args.trustedTrustTypes, problem: (err as DeviceFilterError).message, fix: (err as DeviceFilterError).fix });
    }
  }

  if (problems.length > 0 || !state || !action) return { problems, deprecations };
  const displayNamePrefix = (prefix.value ?? "Corporate devices only").trim();
  return {
    problems,
    deprecations,
    value: {
      displayNamePrefix,
      displayName: displayNamePrefix,
      state,
      trustedTrustTypes,
      applications,
      excludedApplications,
      includeUsers,
      includeGroupIds,
      includeGroups: includeGroupIds,
      includeRoles,
      excludeUsers,
      excludeGroupIds,
      excludeGroups: excludeGroupIds,
      excludeRoles,
      allowedPlatforms,
      clientAppTypes,
      action,
      rule,
    },
  };
}

/** One Conditional Access policy the component declares: its stable key and its azuread arguments. */
export interface CorporateDevicePolicy {
  /** Stable suffix of the child resource name: changing it would replace the policy. */
  key: "untrusted-devices" | "other-platforms";
  args: PlainConditionalAccessPolicy;
}

function grant(action: OtherDevicesAction): PlainConditionalAccessPolicy["grantControls"] {
  return { operator: "OR", builtInControls: [action] };
}

/**
 * The `displayNamePrefix` a policy this component declares was named with, read back from its
 * display name (`<prefix>: block devices not ... joined`, `<prefix>: require MFA for platforms
 * other than ...`), or undefined for a name of another shape. Graph's policy has no field the
 * provider can set for an ownership marker, so this shape (and the component's type token in the
 * policy's URN) is how a policy is told to be the component's; `import-ca` gives the prefix back.
 */
export function displayNamePrefixOf(displayName: string): string | undefined {
  return /^(.+): (?:block|require MFA for) (?:devices not .+ joined|platforms other than .+)$/.exec(displayName)?.[1];
}

/** The policies the component declares, in the provider's shape. */
export function buildCorporateDevicePolicies(n: NormalisedCorporateDeviceAccess): CorporateDevicePolicy[] {
  const users = {
    includedUsers: n.includeUsers.length ? n.includeUsers : undefined,
    includedGroups: n.includeGroupIds.length ? n.includeGroupIds : undefined,
    includedRoles: n.includeRoles.length ? n.includeRoles : undefined,
    excludedUsers: n.excludeUsers.length ? n.excludeUsers : undefined,
    excludedGroups: n.excludeGroupIds.length ? n.excludeGroupIds : undefined,
    excludedRoles: n.excludeRoles.length ? n.excludeRoles : undefined,
  };
  const applications = {
    includedApplications: n.applications,
    excludedApplications: n.excludedApplications.length ? n.excludedApplications : undefined,
  };
  const verb = n.action === OtherDevicesAction.Block ? "block" : "require MFA for";
  const policies: CorporateDevicePolicy[] = [
    {
      key: "untrusted-devices",
      args: {
        displayName: `${n.displayNamePrefix}: ${verb} devices not ${n.trustedTrustTypes.join(" or ")} joined`,
        state: n.state,
        conditions: {
          applications,
          clientAppTypes: n.clientAppTypes,
          users,
          devices: { filter: { mode: "include", rule: n.rule } },
        },
        grantControls: grant(n.action),
      },
    },
  ];
  if (n.allowedPlatforms) {
    policies.push({
      key: "other-platforms",
      args: {
        displayName: `${n.displayNamePrefix}: ${verb} platforms other than ${n.allowedPlatforms.join(", ")}`,
        state: n.state,
        conditions: {
          applications,
          clientAppTypes: n.clientAppTypes,
          users,
          platforms: { includedPlatforms: ["all"], excludedPlatforms: n.allowedPlatforms },
        },
        grantControls: grant(n.action),
      },
    });
  }
  return policies;
}
