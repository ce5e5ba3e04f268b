/**
 * Graph -> azuread args: a Graph policy converted to the provider's ConditionalAccessPolicy args.
 */
import { DeviceFilter, DeviceFilterError } from "../device-filter";
import { excerpt } from "./decode";
import { legacyDeviceStatesToFilter } from "./legacy";
import { parseFilterCached } from "./recognise";
import type { PlainConditionalAccessPolicy, PlainGuestsOrExternalUsers, PlainUsersCondition } from "../policy-shape";
import { CLIENT_APP_TYPES, PLATFORMS, ID, BUILT_IN_CONTROLS, OPERATORS, RISK_LEVELS, INSIDER_RISK_LEVELS, GUEST_TYPES, MEMBERSHIP_KINDS, TRANSFER_METHODS, FILTER_MODES, CLOUD_APP_SECURITY, BROWSER_MODES, FREQUENCY_PERIODS, FREQUENCY_INTERVALS, FREQUENCY_AUTH_TYPES, type Json, isAnnotationKey, isObject, asText, isEmpty, Context, stringList, canonicalEnum, enumList, checkId, idList, optional, compact, rejectUnknown } from "./fields";
import { AUTHENTICATION_STRENGTH_PREFIX } from "./import";

export function convertGuests(ctx: Context, field: string, value: unknown): PlainGuestsOrExternalUsers[] | undefined {
  if (isEmpty(value)) return undefined;
  if (!isObject(value)) {
    ctx.problem(field, `expected an object, found ${excerpt(value)}`);
    return undefined;
  }
  rejectUnknown(ctx, field, value, ["guestOrExternalUserTypes", "externalTenants"]);
  const types = enumList(ctx, `${field}.guestOrExternalUserTypes`, value.guestOrExternalUserTypes, GUEST_TYPES, true);
  if (typeof value.guestOrExternalUserTypes === "string" && value.guestOrExternalUserTypes.includes(",")) {
    ctx.note("guest-types-split", `${field}.guestOrExternalUserTypes: comma string split into a list, order kept`);
  }
  const guests: PlainGuestsOrExternalUsers = { guestOrExternalUserTypes: types };
  const tenants = value.externalTenants;
  if (!isEmpty(tenants) && isObject(tenants)) {
    const odataType = asText(tenants["@odata.type"] ?? "");
    const kindRaw = typeof tenants.membershipKind === "string" ? tenants.membershipKind : /AllExternalTenants$/i.test(odataType) ? "all" : /EnumeratedExternalTenants$/i.test(odataType) ? "enumerated" : "";
    const membershipKind = canonicalEnum(ctx, `${field}.externalTenants.membershipKind`, kindRaw, MEMBERSHIP_KINDS);
    const members = idList(ctx, `${field}.externalTenants.members`, tenants.members, ID.tenants);
    if (membershipKind) guests.externalTenants = [compact({ membershipKind, members: optional(members) })];
  }
  return [guests];
}

export function convertUsers(ctx: Context, value: unknown): PlainUsersCondition {
  const field = "conditions.users";
  if (!isObject(value)) {
    ctx.problem(field, "the policy has no users condition", "export the policy again with GET /identity/conditionalAccess/policies/<id>");
    return {};
  }
  rejectUnknown(ctx, field, value, [
    "includeUsers",
    "excludeUsers",
    "includeGroups",
    "excludeGroups",
    "includeRoles",
    "excludeRoles",
    "includeGuestsOrExternalUsers",
    "excludeGuestsOrExternalUsers",
  ]);
  const users: PlainUsersCondition = compact({
    includedUsers: optional(idList(ctx, `${field}.includeUsers`, value.includeUsers, ID.includeUsers)),
    excludedUsers: optional(idList(ctx, `${field}.excludeUsers`, value.excludeUsers, ID.excludeUsers)),
    includedGroups: optional(idList(ctx, `${field}.includeGroups`, value.includeGroups, ID.groups)),
    excludedGroups: optional(idList(ctx, `${field}.excludeGroups`, value.excludeGroups, ID.groups)),
    includedRoles: optional(idList(ctx, `${field}.includeRoles`, value.includeRoles, ID.roles)),
    excludedRoles: optional(idList(ctx, `${field}.excludeRoles`, value.excludeRoles, ID.roles)),
    includedGuestsOrExternalUsers: convertGuests(ctx, `${field}.includeGuestsOrExternalUsers`, value.includeGuestsOrExternalUsers),
    excludedGuestsOrExternalUsers: convertGuests(ctx, `${field}.excludeGuestsOrExternalUsers`, value.excludeGuestsOrExternalUsers),
  });
  if (!users.includedUsers && !users.includedGroups && !users.includedRoles && !users.includedGuestsOrExternalUsers) {
    ctx.problem(field, "the policy includes no user, group, role or guest type (the provider requires at least one)", 'set includeUsers to ["None"] if the policy is meant to target nobody');
  }
  return users;
}

export function convertApplications(ctx: Context, value: unknown): PlainConditionalAccessPolicy["conditions"]["applications"] {
  const field = "conditions.applications";
  if (!isObject(value)) {
    ctx.problem(field, "the policy has no applications condition", "export the policy again with GET /identity/conditionalAccess/policies/<id>");
    return {};
  }
  rejectUnknown(ctx, field, value, ["includeApplications", "excludeApplications", "includeUserActions", "applicationFilter"]);
  const apps = compact({
    includedApplications: optional(idList(ctx, `${field}.includeApplications`, value.includeApplications, ID.includeApplications)),
    excludedApplications: optional(idList(ctx, `${field}.excludeApplications`, value.excludeApplications, ID.excludeApplications)),
    includedUserActions: optional(stringList(ctx, `${field}.includeUserActions`, value.includeUserActions)),
  });
  if (!isEmpty(value.applicationFilter)) {
    // Not in the installed @pulumi/azuread (6.9.x): importing would drop the filter.
    ctx.gap(`${field}.applicationFilter`, "application filters (custom security attributes) are not supported by the installed @pulumi/azuread, so importing would drop the filter", "manage this policy outside Pulumi for now");
  }
  if (!apps.includedApplications === !apps.includedUserActions) {
    // Authentication context (reported as a gap by rejectUnknown) is a third kind of target, and an
    // application filter selects applications by attribute: both are gaps of azuread, not faults.
    const report = isEmpty(value.includeAuthenticationContextClassReferences) && isEmpty(value.applicationFilter) ? ctx.problem.bind(ctx) : ctx.gap.bind(ctx);
    report(field, "exactly one of includeApplications and includeUserActions must be set (the provider requires it)", "keep the one the policy is about");
  }
  return apps;
}

/** Legacy device condition values from the beta `devices` block and the older `deviceStates` block. */
export function legacyStates(ctx: Context, devices: Json | undefined, deviceStates: unknown): { include: string[]; exclude: string[]; fields: string[] } {
  const include: string[] = [];
  const exclude: string[] = [];
  const fields: string[] = [];
  const take = (obj: Json, key: string, into: string[], path: string) => {
    const list = stringList(ctx, path, obj[key]);
    if (list.length > 0) {
      into.push(...list);
      fields.push(path);
    }
  };
  if (devices) {
    take(devices, "includeDevices", include, "conditions.devices.includeDevices");
    take(devices, "excludeDevices", exclude, "conditions.devices.excludeDevices");
    take(devices, "includeDeviceStates", include, "conditions.devices.includeDeviceStates");
    take(devices, "excludeDeviceStates", exclude, "conditions.devices.excludeDeviceStates");
  }
  if (isObject(deviceStates)) {
    rejectUnknown(ctx, "conditions.deviceStates", deviceStates, ["includeStates", "excludeStates"]);
    take(deviceStates, "includeStates", include, "conditions.deviceStates.includeStates");
    take(deviceStates, "excludeStates", exclude, "conditions.deviceStates.excludeStates");
  }
  return { include, exclude, fields };
}

/** Validate a device filter rule with the same parser the components use. */
export function checkDeviceRule(ctx: Context, field: string, rule: string): boolean {
  try {
    const canonical = parseFilterCached(rule).toString();
    if (canonical !== rule) {
      ctx.note("rule-kept", `${field}: kept as exported so the import shows no diff; its canonical form is ${canonical}`);
    }
    return true;
  } catch (err) {
    if (!(err instanceof DeviceFilterError)) throw err;
    const at = err.token ? ` (${excerpt(err.token, 40)})` : "";
    ctx.problem(field, `invalid device filter rule at position ${err.position}${at}: ${err.problem}; expected ${err.expected}`, err.fix, err.position, rule);
    return false;
  }
}

export function convertDevices(ctx: Context, conditions: Json): PlainConditionalAccessPolicy["conditions"]["devices"] {
  const devices = isObject(conditions.devices) ? conditions.devices : undefined;
  if (conditions.devices !== undefined && conditions.devices !== null && !devices) {
    ctx.problem("conditions.devices", `expected an object, found ${excerpt(conditions.devices)}`);
  }
  if (devices) rejectUnknown(ctx, "conditions.devices", devices, ["deviceFilter", "includeDevices", "excludeDevices", "includeDeviceStates", "excludeDeviceStates"]);
  const legacy = legacyStates(ctx, devices, conditions.deviceStates);
  const filterRaw = devices?.deviceFilter;
  const hasFilter = !isEmpty(filterRaw);

  if (legacy.fields.length > 0 && hasFilter) {
    ctx.problem(
      "conditions.devices",
      `the policy sets both a device filter and the legacy device condition (${legacy.fields.join(", ")}); Graph accepts only one of them`,
      "remove the legacy device condition in the tenant, or express it in the filter rule",
    );
    return undefined;
  }

  if (legacy.fields.length > 0) {
    const { conversion, problems } = legacyDeviceStatesToFilter(legacy.include, legacy.exclude);
    for (const p of problems) ctx.problem(legacy.fields.join(", "), `${p.problem}: ${excerpt(p.value)}`, p.fix);
    if (!conversion) return undefined;
    const rejected = legacy.fields.filter((f) => /DeviceStates|deviceStates/.test(f));
    const error1088 = rejected.length
      ? ` ${rejected.join(" and ")} ${rejected.length > 1 ? "are" : "is"} rejected by Graph on write (error 1088), so the policy must change on the next update anyway.`
      : "";
    ctx.note("legacy-device-condition", `${conversion.explanation}.${error1088}`);
    if (!conversion.filter) return undefined;
    const rule = DeviceFilter.parse(conversion.filter.rule).toString();
    ctx.note(
      "legacy-device-condition",
      `the first pulumi up after import replaces the legacy condition with filter ${conversion.filter.mode}: ${rule} in one update. ` +
        "Whether Graph accepts that update while the legacy condition is still stored is UNVERIFIED: run pulumi preview --diff first, and if the update is refused the policy is left unchanged",
    );
    return { filter: { mode: conversion.filter.mode, rule } };
  }

  if (!hasFilter) return undefined;
  if (!isObject(filterRaw) || typeof filterRaw.rule !== "string") {
    ctx.problem("conditions.devices.deviceFilter", `expected { mode, rule }, found ${excerpt(filterRaw)}`);
    return undefined;
  }
  const mode = canonicalEnum(ctx, "conditions.devices.deviceFilter.mode", asText(filterRaw.mode ?? ""), FILTER_MODES);
  const ruleOk = checkDeviceRule(ctx, "conditions.devices.deviceFilter.rule", filterRaw.rule);
  if (!mode || !ruleOk) return undefined;
  return { filter: { mode, rule: filterRaw.rule } };
}

export function convertConditions(ctx: Context, value: unknown): PlainConditionalAccessPolicy["conditions"] {
  if (!isObject(value)) {
    ctx.problem("conditions", "the policy has no conditions");
    return { applications: {}, clientAppTypes: [], users: {} };
  }
  rejectUnknown(ctx, "conditions", value, [
    "applications",
    "users",
    "clientAppTypes",
    "platforms",
    "locations",
    "devices",
    "deviceStates",
    "clientApplications",
    "signInRiskLevels",
    "userRiskLevels",
    "servicePrincipalRiskLevels",
    "insiderRiskLevels",
    "authenticationFlows",
  ]);

  let clientAppTypes = enumList(ctx, "conditions.clientAppTypes", value.clientAppTypes, CLIENT_APP_TYPES);
  if (clientAppTypes.length === 0) {
    clientAppTypes = ["all"];
    ctx.note("client-app-types-default", 'clientAppTypes was empty or missing, which Graph treats as every client app: written as ["all"] (the provider requires a value)');
  }

  let platforms: PlainConditionalAccessPolicy["conditions"]["platforms"];
  if (isObject(value.platforms) && !isEmpty(value.platforms)) {
    rejectUnknown(ctx, "conditions.platforms", value.platforms, ["includePlatforms", "excludePlatforms"]);
    const included = enumList(ctx, "conditions.platforms.includePlatforms", value.platforms.includePlatforms, PLATFORMS);
    const excluded = enumList(ctx, "conditions.platforms.excludePlatforms", value.platforms.excludePlatforms, PLATFORMS);
    if (included.length === 0) ctx.problem("conditions.platforms.includePlatforms", "no platform is included (the provider requires includePlatforms)", 'include ["all"] and exclude the platforms to leave out');
    platforms = compact({ includedPlatforms: included, excludedPlatforms: optional(excluded) });
  }

  let locations: PlainConditionalAccessPolicy["conditions"]["locations"];
  if (isObject(value.locations) && !isEmpty(value.locations)) {
    rejectUnknown(ctx, "conditions.locations", value.locations, ["includeLocations", "excludeLocations"]);
    const included = idList(ctx, "conditions.locations.includeLocations", value.locations.includeLocations, ID.includeLocations);
    const excluded = idList(ctx, "conditions.locations.excludeLocations", value.locations.excludeLocations, ID.excludeLocations);
    if (included.length === 0 && isEmpty(value.locations.includeLocations)) ctx.problem("conditions.locations.includeLocations", "no location is included (the provider requires includeLocations)", 'include ["All"] and exclude the locations to leave out');
    locations = compact({ includedLocations: included, excludedLocations: optional(excluded) });
  }

  let clientApplications: PlainConditionalAccessPolicy["conditions"]["clientApplications"];
  if (isObject(value.clientApplications) && !isEmpty(value.clientApplications)) {
    const ca = value.clientApplications;
    rejectUnknown(ctx, "conditions.clientApplications", ca, ["includeServicePrincipals", "excludeServicePrincipals", "servicePrincipalFilter"]);
    if (!isEmpty(ca.servicePrincipalFilter)) {
      ctx.gap("conditions.clientApplications.servicePrincipalFilter", "service principal filters are not in the plain policy shape this tool emits", "manage this policy outside Pulumi for now");
    }
    clientApplications = compact({
      includedServicePrincipals: optional(idList(ctx, "conditions.clientApplications.includeServicePrincipals", ca.includeServicePrincipals, ID.servicePrincipals)),
      excludedServicePrincipals: optional(idList(ctx, "conditions.clientApplications.excludeServicePrincipals", ca.excludeServicePrincipals, ID.servicePrincipals)),
    });
    ctx.note("workload-identities", "clientApplications (workload identities) needs Workload Identities Premium licences");
  }

  let authenticationFlowTransferMethods: string[] | undefined;
  if (isObject(value.authenticationFlows) && !isEmpty(value.authenticationFlows)) {
    rejectUnknown(ctx, "conditions.authenticationFlows", value.authenticationFlows, ["transferMethods"]);
    const methods = enumList(ctx, "conditions.authenticationFlows.transferMethods", value.authenticationFlows.transferMethods, TRANSFER_METHODS, true);
    authenticationFlowTransferMethods = optional(methods);
  }

  const insider = stringList(ctx, "conditions.insiderRiskLevels", value.insiderRiskLevels, true);
  if (insider.length > 1) {
    ctx.gap("conditions.insiderRiskLevels", `the provider takes one insider risk level, the policy has ${insider.join(", ")}`, "keep the lowest level the policy should act on");
  }
  const insiderRiskLevels = insider.length
    ? insider
        .map((v) => canonicalEnum(ctx, "conditions.insiderRiskLevels", v, INSIDER_RISK_LEVELS))
        .filter((v) => v !== undefined)
        .join(",")
    : undefined;

  // A workload-identity policy targets service principals only: Graph needs users or
  // clientApplications, the azuread resource always needs users.
  const workloadOnly = isEmpty(value.users) && !isEmpty(value.clientApplications);
  if (workloadOnly) ctx.gap("conditions.users", "a workload-identity policy (clientApplications) without users: the azuread resource requires a users condition", "manage this policy as a Graph-native ConditionalAccessPolicy");
  return compact({
    applications: convertApplications(ctx, value.applications),
    clientAppTypes,
    users: workloadOnly ? {} : convertUsers(ctx, value.users),
    devices: convertDevices(ctx, value),
    platforms,
    locations,
    clientApplications,
    signInRiskLevels: optional(enumList(ctx, "conditions.signInRiskLevels", value.signInRiskLevels, RISK_LEVELS)),
    userRiskLevels: optional(enumList(ctx, "conditions.userRiskLevels", value.userRiskLevels, RISK_LEVELS)),
    servicePrincipalRiskLevels: optional(enumList(ctx, "conditions.servicePrincipalRiskLevels", value.servicePrincipalRiskLevels, RISK_LEVELS)),
    insiderRiskLevels: insiderRiskLevels || undefined,
    authenticationFlowTransferMethods,
  });
}

export function convertGrantControls(ctx: Context, value: unknown): PlainConditionalAccessPolicy["grantControls"] {
  if (isEmpty(value)) return undefined;
  if (!isObject(value)) {
    ctx.problem("grantControls", `expected an object, found ${excerpt(value)}`);
    return undefined;
  }
  rejectUnknown(ctx, "grantControls", value, ["operator", "builtInControls", "customAuthenticationFactors", "termsOfUse", "authenticationStrength"]);
  const builtInControls = enumList(ctx, "grantControls.builtInControls", value.builtInControls, BUILT_IN_CONTROLS);
  const customAuthenticationFactors = stringList(ctx, "grantControls.customAuthenticationFactors", value.customAuthenticationFactors);
  const termsOfUses = idList(ctx, "grantControls.termsOfUse", value.termsOfUse, ID.termsOfUse);
  let authenticationStrengthPolicyId: string | undefined;
  const strength = value.authenticationStrength;
  // A blank id is a template left unfilled, not "not configured".
  if (!isEmpty(strength) || (isObject(strength) && typeof strength.id === "string")) {
    const strengthId = isObject(strength) && typeof strength.id === "string" ? checkId(ctx, "grantControls.authenticationStrength.id", "grantControls.authenticationStrength.id", strength.id, ID.authenticationStrength) : undefined;
    if (strengthId !== undefined && isObject(strength)) {
      authenticationStrengthPolicyId = `${AUTHENTICATION_STRENGTH_PREFIX}${strengthId}`;
      const expanded = Object.keys(strength).filter((k) => !isAnnotationKey(k) && k !== "id");
      if (expanded.length) {
        const label = typeof strength.displayName === "string" ? ` "${strength.displayName}"` : "";
        ctx.note("authentication-strength", `expanded authenticationStrength${label} reduced to its id path ${authenticationStrengthPolicyId}`);
      }
    } else if (!(isObject(strength) && typeof strength.id === "string")) {
      ctx.problem("grantControls.authenticationStrength", `expected an object with an id, found ${excerpt(strength)}`);
    }
  }
  if (builtInControls.length + customAuthenticationFactors.length + termsOfUses.length === 0 && !authenticationStrengthPolicyId) return undefined;
  const operator = canonicalEnum(ctx, "grantControls.operator", asText(value.operator ?? "OR"), OPERATORS) ?? "OR";
  return compact({
    operator,
    builtInControls: optional(builtInControls),
    authenticationStrengthPolicyId,
    customAuthenticationFactors: optional(customAuthenticationFactors),
    termsOfUses: optional(termsOfUses),
  });
}

/** A Graph session control block counts only when it is enabled. */
export function enabledBlock(value: unknown): Json | undefined {
  return isObject(value) && value.isEnabled !== false && !isEmpty(value) ? value : undefined;
}

export function convertSessionControls(ctx: Context, value: unknown): Record<string, unknown> | undefined {
  if (isEmpty(value)) return undefined;
  if (!isObject(value)) {
    ctx.problem("sessionControls", `expected an object, found ${excerpt(value)}`);
    return undefined;
  }
  rejectUnknown(ctx, "sessionControls", value, ["applicationEnforcedRestrictions", "cloudAppSecurity", "persistentBrowser", "signInFrequency", "disableResilienceDefaults"]);
  const out: Record<string, unknown> = {};
  if (enabledBlock(value.applicationEnforcedRestrictions)) out.applicationEnforcedRestrictionsEnabled = true;
  const cas = enabledBlock(value.cloudAppSecurity);
  if (cas) out.cloudAppSecurityPolicy = canonicalEnum(ctx, "sessionControls.cloudAppSecurity.cloudAppSecurityType", asText(cas.cloudAppSecurityType ?? ""), CLOUD_APP_SECURITY);
  const browser = enabledBlock(value.persistentBrowser);
  if (browser) out.persistentBrowserMode = canonicalEnum(ctx, "sessionControls.persistentBrowser.mode", asText(browser.mode ?? ""), BROWSER_MODES);
  const frequency = enabledBlock(value.signInFrequency);
  if (frequency) {
    const path = "sessionControls.signInFrequency";
    if (typeof frequency.value === "number") out.signInFrequency = frequency.value;
    if (typeof frequency.type === "string") out.signInFrequencyPeriod = canonicalEnum(ctx, `${path}.type`, frequency.type, FREQUENCY_PERIODS);
    if (typeof frequency.frequencyInterval === "string") out.signInFrequencyInterval = canonicalEnum(ctx, `${path}.frequencyInterval`, frequency.frequencyInterval, FREQUENCY_INTERVALS);
    if (typeof frequency.authenticationType === "string") {
      out.signInFrequencyAuthenticationType = canonicalEnum(ctx, `${path}.authenticationType`, frequency.authenticationType, FREQUENCY_AUTH_TYPES);
    }
    if (out.signInFrequencyInterval === "everyTime" && (out.signInFrequency !== undefined || out.signInFrequencyPeriod !== undefined)) {
      ctx.problem(path, "signInFrequencyInterval everyTime cannot be combined with a frequency value or period (the provider refuses it)", "drop value and type for everyTime");
    }
  }
  if (value.disableResilienceDefaults === true) out.disableResilienceDefaults = true;
  const result = compact(out);
  return Object.keys(result).length ? result : undefined;
}
