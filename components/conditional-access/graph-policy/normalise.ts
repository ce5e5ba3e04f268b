/**
 * `normaliseConditionalAccessPolicy(args) -> { value, problems }`: the pure validator of the
 * Graph-native ConditionalAccessPolicy, run at preview before any API call. It gives the same
 * safety as CorporateDeviceAccess (report-only by default; enabling a policy that blocks or
 * requires controls of all users needs a break-glass exclusion; the legacy device-state condition
 * is refused; every device filter is parsed) and builds the Graph payload, carrying properties it
 * does not know unchanged. No Pulumi here.
 */
import type {
  ConditionalAccessConditionSet,
  ConditionalAccessGrantControls,
  ConditionalAccessPolicy as GraphConditionalAccessPolicy,
  ConditionalAccessSessionControls,
} from "@microsoft/microsoft-graph-types";
import type { InputProblem } from "../../errors";
import type { Normalised } from "../../common/normalised";
import { DeviceFilter, DeviceFilterError } from "../device-filter";
import { legacyDeviceStatesToFilter } from "../import/legacy";
import { PolicyState, parsePolicyState } from "../policy-shape";
import { BETA_ONLY_GRANT_CONTROLS, betaPropertiesOf, isAnnotation, isEmptyValue, isJsonObject, KNOWN_PROPERTIES, READ_ONLY_PROPERTIES, type GraphApiVersion, type Json } from "./shape";
import { GUID } from "../../common/ids";

/** The component name the Graph-native policy's errors and warnings carry. */
export const GRAPH_POLICY_COMPONENT = "ConditionalAccessPolicy";

/**
 * A Graph type opened for values Microsoft adds later: every property optional and nullable, enum
 * types widened to string, and any other property accepted (carried unchanged).
 */
export type OpenGraph<T> = T extends string
  ? string
  : T extends readonly (infer U)[]
    ? OpenGraph<U>[]
    : T extends object
      ? { [K in keyof T]?: OpenGraph<NonNullable<T[K]>> | null } & { [extra: string]: unknown }
      : T;

/** Graph `conditionalAccessConditionSet`, open to conditions Microsoft adds later. */
export type GraphConditionSet = OpenGraph<ConditionalAccessConditionSet>;
/** Graph `conditionalAccessGrantControls`, open to controls Microsoft adds later. */
export type GraphGrantControls = OpenGraph<ConditionalAccessGrantControls>;
/** Graph `conditionalAccessSessionControls`, open to session controls Microsoft adds later. */
export type GraphSessionControls = OpenGraph<ConditionalAccessSessionControls>;

/** Break-glass accounts excluded from the policy (the CorporateDeviceAccess concept). */
export interface PlainEmergencyAccess {
  userIds?: string[];
  groupIds?: string[];
}

/**
 * The resolved args: Graph's `conditionalAccessPolicy` shape (typed with
 * `@microsoft/microsoft-graph-types`), where any property Graph adds later is carried as written.
 */
export interface PlainGraphConditionalAccessPolicyArgs {
  displayName: string;
  /** "enabledForReportingButNotEnforced" (default; "reportOnly" is accepted), "enabled" or "disabled". */
  state?: string;
  conditions: GraphConditionSet;
  grantControls?: GraphGrantControls | null;
  sessionControls?: GraphSessionControls | null;
  /** Break-glass users and groups: added to conditions.users.excludeUsers / excludeGroups. */
  emergencyAccess?: PlainEmergencyAccess;
  /** Force an API version; by default v1.0 unless the policy uses a beta-only property. */
  apiVersion?: string;
  /** Any other top-level property of Graph's policy, carried unchanged. */
  [extra: string]: unknown;
}

/** The Graph payload of a policy (what is POSTed and PATCHed). */
export type GraphPolicyPayload = GraphConditionalAccessPolicy & Json;

/** A Graph-native policy after validation: the payload to send, its API version, and the break-glass ids it excludes. */
export interface NormalisedGraphConditionalAccessPolicy {
  displayName: string;
  state: PolicyState;
  /** The payload: annotations other than `@odata.type` and read-only properties dropped, enum casing fixed, defaults applied. */
  policy: GraphPolicyPayload;
  apiVersion: GraphApiVersion;
  /** The beta-only properties the policy uses (why it is on beta); empty on v1.0. */
  betaProperties: string[];
  /** Properties this package does not know, carried unchanged (dotted paths). */
  unknownProperties: string[];
  /** The break-glass ids (also in the payload's exclusions), kept as evidence for the policy pack. */
  emergencyAccess: { userIds: string[]; groupIds: string[] };
}


/** Graph's spelling of the enums this package knows (a value it does not know is carried as written). */
const ENUMS: Record<string, readonly string[]> = {
  "conditions.clientAppTypes": ["all", "browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported", "other", "unknownFutureValue"],
  "conditions.platforms.includePlatforms": ["all", "android", "iOS", "linux", "macOS", "windows", "windowsPhone", "unknownFutureValue"],
  "conditions.platforms.excludePlatforms": ["all", "android", "iOS", "linux", "macOS", "windows", "windowsPhone", "unknownFutureValue"],
  "conditions.signInRiskLevels": ["low", "medium", "high", "hidden", "none", "unknownFutureValue"],
  "conditions.userRiskLevels": ["low", "medium", "high", "hidden", "none", "unknownFutureValue"],
  "conditions.servicePrincipalRiskLevels": ["low", "medium", "high", "hidden", "none", "unknownFutureValue"],
  "conditions.devices.deviceFilter.mode": ["include", "exclude"],
  "conditions.applications.applicationFilter.mode": ["include", "exclude"],
  "conditions.clientApplications.servicePrincipalFilter.mode": ["include", "exclude"],
  "grantControls.builtInControls": ["block", "mfa", "compliantDevice", "domainJoinedDevice", "approvedApplication", "compliantApplication", "passwordChange", ...BETA_ONLY_GRANT_CONTROLS, "unknownFutureValue"],
  "grantControls.operator": ["AND", "OR"],
  "sessionControls.signInFrequency.type": ["days", "hours"],
  "sessionControls.signInFrequency.frequencyInterval": ["timeBased", "everyTime"],
  "sessionControls.signInFrequency.authenticationType": ["primaryAndSecondaryAuthentication", "secondaryAuthentication"],
  "sessionControls.persistentBrowser.mode": ["always", "never"],
  "sessionControls.cloudAppSecurity.cloudAppSecurityType": ["mcasConfigured", "monitorOnly", "blockDownloads", "unknownFutureValue"],
};

const USER_KEYWORDS = ["All", "None", "GuestsOrExternalUsers"];
const LEGACY_DEVICE_FIELDS = ["includeDevices", "excludeDevices", "includeDeviceStates", "excludeDeviceStates"];

function canonicalEnum(path: string, value: unknown): unknown {
  const allowed = ENUMS[path];
  if (!allowed || typeof value !== "string") return value;
  const key = value.trim().toLowerCase();
  return allowed.find((a) => a.toLowerCase() === key) ?? value.trim();
}

/**
 * A copy fit to send: `@odata.*` annotations dropped except `@odata.type` (Graph needs it for
 * derived types), read-only properties dropped, nulls kept (they clear), enum casing fixed,
 * unknown properties carried as written. Records unknown property paths.
 */
function payloadOf(value: unknown, path: string, unknown: string[]): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => payloadOf(v, path, unknown));
    return items.every((v) => typeof v === "string") ? [...new Set(items)] : items;
  }
  if (!isJsonObject(value)) return canonicalEnum(path, value);
  const out: Json = {};
  const known = KNOWN_PROPERTIES[path];
  for (const [key, v] of Object.entries(value)) {
    if (isAnnotation(key) && key !== "@odata.type") continue;
    if (path === "" && (READ_ONLY_PROPERTIES.includes(key) || key === "emergencyAccess" || key === "apiVersion")) continue;
    const childPath = path ? `${path}.${key}` : key;
    if (known && !known.includes(key) && key !== "@odata.type" && !isEmptyValue(v)) unknown.push(childPath);
    out[key] = payloadOf(v, childPath, unknown);
  }
  return out;
}

/**
 * The payload of a policy as Graph stores it, without validation: what `pulumi import` records as
 * the inputs of an adopted policy (read-only properties and annotations other than `@odata.type`
 * dropped, enum casing fixed, every other setting kept).
 */
export function payloadOfStoredPolicy(stored: Json): GraphPolicyPayload {
  return payloadOf(stored, "", []) as GraphPolicyPayload;
}

function ids(list: unknown): string[] {
  return Array.isArray(list) ? list.filter((v): v is string => typeof v === "string") : [];
}

/** A list of object ids (GUIDs), optionally with keywords; problems for anything else. */
function checkIds(field: string, list: unknown, keywords: readonly string[], what: string, problems: InputProblem[]): void {
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) {
    problems.push({ field, value: list, problem: `expected a list of ${what}`, fix: `give a list, e.g. ["<object id>"]` });
    return;
  }
  list.forEach((v, i) => {
    if (typeof v === "string" && (GUID.test(v.trim()) || keywords.some((k) => k.toLowerCase() === v.trim().toLowerCase()))) return;
    problems.push({
      field: `${field}[${i}]`,
      value: v,
      problem: `not a ${what} (GUID)${keywords.length ? ` nor one of ${keywords.join(", ")}` : ""}`,
      fix: `use the object id from Entra ID${keywords.length ? ` or one of ${keywords.join(", ")}` : ""}`,
    });
  });
}

function checkDeviceFilter(field: string, filter: unknown, problems: InputProblem[]): void {
  if (isEmptyValue(filter)) return;
  if (!isJsonObject(filter) || typeof filter.rule !== "string") {
    problems.push({ field, value: filter, problem: "expected { mode, rule }", fix: 'give { mode: "include" | "exclude", rule: "<device filter rule>" }' });
    return;
  }
  const mode = typeof filter.mode === "string" ? filter.mode.trim().toLowerCase() : filter.mode;
  if (mode !== "include" && mode !== "exclude") problems.push({ field: `${field}.mode`, value: filter.mode, problem: "unknown filter mode", fix: 'use "include" or "exclude"' });
  try {
    DeviceFilter.parse(filter.rule);
  } catch (err) {
    if (!(err instanceof DeviceFilterError)) throw err;
    problems.push({ field: `${field}.rule`, value: filter.rule, problem: `invalid device filter rule at position ${err.position}: ${err.problem}`, fix: err.fix });
  }
}

/** Every problem of the policy's shape and safety, not the first only. */
export function normaliseConditionalAccessPolicy(args: PlainGraphConditionalAccessPolicyArgs): Normalised<NormalisedGraphConditionalAccessPolicy> {
  const problems: InputProblem[] = [];
  if (!isJsonObject(args)) {
    return { problems: [{ field: "(args)", value: args, problem: "expected the policy's args as an object", fix: "give displayName, conditions and grantControls or sessionControls" }] };
  }

  const displayName = typeof args.displayName === "string" ? args.displayName.trim() : "";
  if (!displayName) {
    problems.push({ field: "displayName", value: args.displayName, problem: "required: it names the policy and is how the resource finds it after an interrupted create", fix: "give a display name unique among the tenant's Conditional Access policies" });
  }

  const stateRaw = args.state ?? "reportOnly";
  const state = parsePolicyState(stateRaw);
  if (!state) problems.push({ field: "state", value: stateRaw, problem: "unknown policy state", fix: 'use "enabledForReportingButNotEnforced" (report-only, the default), "enabled" or "disabled"' });

  let apiOverride: GraphApiVersion | undefined;
  if (args.apiVersion !== undefined) {
    if (args.apiVersion === "v1.0" || args.apiVersion === "beta") apiOverride = args.apiVersion;
    else problems.push({ field: "apiVersion", value: args.apiVersion, problem: "unknown Graph API version", fix: 'use "v1.0" or "beta", or omit it (v1.0 unless the policy uses a beta-only property)' });
  }

  const conditions = args.conditions;
  if (!isJsonObject(conditions)) {
    problems.push({ field: "conditions", value: conditions, problem: "required: the policy has no conditions", fix: "give conditions with applications and users (or clientApplications)" });
    return { problems };
  }
  if (isEmptyValue(conditions.applications)) {
    problems.push({ field: "conditions.applications", value: conditions.applications, problem: "required: the policy targets no application, user action or authentication context", fix: 'set conditions.applications.includeApplications, e.g. ["All"]' });
  }
  if (isEmptyValue(conditions.users) && isEmptyValue(conditions.clientApplications)) {
    problems.push({ field: "conditions.users", value: conditions.users, problem: "the policy targets no user and no workload identity (Graph requires users or clientApplications)", fix: 'set conditions.users.includeUsers, e.g. ["All"], or conditions.clientApplications for workload identities' });
  }
  if (isEmptyValue(args.grantControls) && isEmptyValue(args.sessionControls)) {
    problems.push({ field: "grantControls", value: args.grantControls, problem: "the policy has neither grant controls nor session controls, so it does nothing", fix: 'add grantControls, e.g. { operator: "OR", builtInControls: ["mfa"] }' });
  }

  // Users and break-glass exclusions.
  const users: Json = isJsonObject(conditions.users) ? conditions.users : {};
  checkIds("conditions.users.includeUsers", users.includeUsers, USER_KEYWORDS, "user object id", problems);
  checkIds("conditions.users.excludeUsers", users.excludeUsers, ["GuestsOrExternalUsers"], "user object id", problems);
  checkIds("conditions.users.includeGroups", users.includeGroups, [], "group object id", problems);
  checkIds("conditions.users.excludeGroups", users.excludeGroups, [], "group object id", problems);
  checkIds("emergencyAccess.userIds", args.emergencyAccess?.userIds, [], "user object id", problems);
  checkIds("emergencyAccess.groupIds", args.emergencyAccess?.groupIds, [], "group object id", problems);
  const breakGlassUsers = ids(args.emergencyAccess?.userIds).map((v) => v.trim().toLowerCase());
  const breakGlassGroups = ids(args.emergencyAccess?.groupIds).map((v) => v.trim().toLowerCase());
  const excludedIds = [...ids(users.excludeUsers).filter((u) => GUID.test(u.trim())), ...ids(users.excludeGroups), ...breakGlassUsers, ...breakGlassGroups];
  const allUsers = ids(users.includeUsers).some((u) => u.trim().toLowerCase() === "all");
  const grant: Json = isJsonObject(args.grantControls) ? args.grantControls : {};
  const controls = [
    ...ids(grant.builtInControls),
    ...(isEmptyValue(grant.authenticationStrength) ? [] : ["authentication strength"]),
    ...(isEmptyValue(grant.termsOfUse) ? [] : ["terms of use"]),
    ...ids(grant.customAuthenticationFactors),
  ];
  if (state === PolicyState.Enabled && allUsers && controls.length > 0 && excludedIds.length === 0) {
    const what = controls.length === 1 && controls[0].toLowerCase() === "block" ? "blocks all users" : `requires controls of all users (${controls.join(", ")})`;
    problems.push({
      field: "emergencyAccess",
      value: args.emergencyAccess,
      problem: `an enabled policy that ${what} must exclude at least one emergency-access (break-glass) account or group, or a mistake locks every administrator out`,
      fix: 'set emergencyAccess.userIds or emergencyAccess.groupIds to your break-glass accounts\' object ids, or keep state "enabledForReportingButNotEnforced" (the default)',
    });
  }

  // Devices: one filter, validated; the legacy device-state condition refused.
  const devices = isJsonObject(conditions.devices) ? conditions.devices : undefined;
  const legacy = [
    ...LEGACY_DEVICE_FIELDS.filter((k) => devices && !isEmptyValue(devices[k])).map((k) => `conditions.devices.${k}`),
    ...(isEmptyValue(conditions.deviceStates) ? [] : ["conditions.deviceStates"]),
  ];
  if (legacy.length > 0) {
    const include = [...ids(devices?.includeDevices), ...ids(devices?.includeDeviceStates), ...ids((conditions.deviceStates as Json | undefined)?.includeStates)];
    const exclude = [...ids(devices?.excludeDevices), ...ids(devices?.excludeDeviceStates), ...ids((conditions.deviceStates as Json | undefined)?.excludeStates)];
    const converted = legacyDeviceStatesToFilter(include, exclude).conversion?.filter;
    const withFilter = devices && !isEmptyValue(devices.deviceFilter);
    problems.push({
      field: legacy[0],
      value: legacy.map((f) => f.split(".").pop()).join(", "),
      problem: withFilter
        ? "the legacy device-state condition cannot be combined with a device filter (Graph accepts only one of them)"
        : "the legacy device-state condition is retired (Graph rejects includeDeviceStates/excludeDeviceStates with error 1088, and includeDevices/excludeDevices exist only in beta)",
      fix: converted
        ? `remove ${legacy.join(", ")} and use conditions.devices.deviceFilter { mode: "${converted.mode}", rule: ${JSON.stringify(converted.rule)} }, which targets the same devices`
        : `remove ${legacy.join(", ")} and express the devices with conditions.devices.deviceFilter`,
    });
  }
  if (devices) checkDeviceFilter("conditions.devices.deviceFilter", devices.deviceFilter, problems);

  if (problems.length > 0 || !state) return { problems };

  // The payload.
  const unknownProperties: string[] = [];
  const policy = payloadOf(args, "", unknownProperties) as GraphPolicyPayload;
  policy.displayName = displayName;
  policy.state = state;
  const payloadConditions = policy.conditions as Json;
  if (isEmptyValue(payloadConditions.clientAppTypes)) payloadConditions.clientAppTypes = ["all"];
  if (breakGlassUsers.length + breakGlassGroups.length > 0) {
    const u = { ...((payloadConditions.users as Json | undefined) ?? {}) };
    u.excludeUsers = [...new Set([...ids(u.excludeUsers), ...breakGlassUsers])];
    u.excludeGroups = [...new Set([...ids(u.excludeGroups), ...breakGlassGroups])];
    payloadConditions.users = u;
  }
  for (const side of ["includeGuestsOrExternalUsers", "excludeGuestsOrExternalUsers"]) {
    const guests = (payloadConditions.users as Json | undefined)?.[side];
    const tenants = isJsonObject(guests) ? guests.externalTenants : undefined;
    // Graph needs the derived type of externalTenants on write.
    if (isJsonObject(tenants) && tenants["@odata.type"] === undefined && typeof tenants.membershipKind === "string") {
      tenants["@odata.type"] = tenants.membershipKind === "enumerated" ? "#microsoft.graph.conditionalAccessEnumeratedExternalTenants" : "#microsoft.graph.conditionalAccessAllExternalTenants";
    }
    if (isJsonObject(guests) && Array.isArray(guests.guestOrExternalUserTypes)) guests.guestOrExternalUserTypes = guests.guestOrExternalUserTypes.join(",");
  }

  const betaProperties = betaPropertiesOf(policy);
  const apiVersion: GraphApiVersion = apiOverride ?? (betaProperties.length > 0 ? "beta" : "v1.0");
  if (apiOverride === "v1.0" && betaProperties.length > 0) {
    return {
      problems: [
        {
          field: "apiVersion",
          value: "v1.0",
          problem: `the policy uses properties that exist only in Graph beta (${betaProperties.join(", ")}), which v1.0 does not accept`,
          fix: 'omit apiVersion (the resource then uses beta for this policy) or remove those properties',
        },
      ],
    };
  }
  return { problems, value: { displayName, state, policy, apiVersion, betaProperties, unknownProperties, emergencyAccess: { userIds: breakGlassUsers, groupIds: breakGlassGroups } } };
}
