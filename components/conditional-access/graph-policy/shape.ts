/**
 * Pure core of the Graph-native ConditionalAccessPolicy: which API version a policy needs, the
 * properties this package knows in Graph's `conditionalAccessPolicy`, and the canonical form that
 * makes a declared policy and the one Graph returns comparable (no perpetual diff from ordering of
 * id lists, enum casing, Graph defaults filled in on read, `@odata.*` annotations, null vs absent).
 * No Pulumi, no network.
 */
import { DeviceFilter } from "../device-filter";

/** Graph API versions the resource uses. */
export type GraphApiVersion = "v1.0" | "beta";

/** The collection path of Conditional Access policies in one API version. */
export function policiesPath(version: GraphApiVersion): string {
  return `/${version}/identity/conditionalAccess/policies`;
}

/**
 * Properties of a Conditional Access policy that exist only in Graph beta, by dotted path. A
 * policy that sets any of them is written and read on beta; every other policy uses v1.0. The
 * list is ours (Microsoft publishes no machine-readable diff of the two versions) and UNVERIFIED
 * against the live service: a property missing here makes v1.0 answer 400 at apply, never a silent
 * drop; set `apiVersion: "beta"` on the resource until the list learns it.
 */
export const BETA_ONLY_PROPERTIES: readonly string[] = [
  // Agent identities (Entra Agent ID) and their risk.
  "conditions.agentIdRiskLevels",
  "conditions.clientApplications.includeAgentIdServicePrincipals",
  "conditions.clientApplications.excludeAgentIdServicePrincipals",
  // Global Secure Access network conditions.
  "conditions.networks",
  // Session controls: continuous access evaluation, Global Secure Access.
  "sessionControls.continuousAccessEvaluation",
  "sessionControls.networkAccessSecurity",
  "sessionControls.globalSecureAccessFilteringProfile",
  // The retired time condition.
  "conditions.times",
  // Policy-level beta properties.
  "partialEnablementStrategy",
];

/** Grant controls (values of `grantControls.builtInControls`) that exist only in Graph beta (UNVERIFIED). */
export const BETA_ONLY_GRANT_CONTROLS: readonly string[] = ["riskRemediation", "compliantNetwork"];

/**
 * Properties this package knows in v1.0 `conditionalAccessPolicy` (from
 * `@microsoft/microsoft-graph-types`), by the path of the object that holds them. Used by the diff:
 * a property Graph returns that is neither declared nor known here is a default Graph may add, not
 * drift; a known one that the stack does not declare is drift (someone added a condition).
 */
export const KNOWN_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  "": ["displayName", "state", "conditions", "grantControls", "sessionControls"],
  conditions: [
    "applications",
    "authenticationFlows",
    "clientApplications",
    "clientAppTypes",
    "devices",
    "insiderRiskLevels",
    "locations",
    "platforms",
    "servicePrincipalRiskLevels",
    "signInRiskLevels",
    "userRiskLevels",
    "users",
  ],
  "conditions.applications": ["applicationFilter", "excludeApplications", "includeApplications", "includeAuthenticationContextClassReferences", "includeUserActions"],
  "conditions.applications.applicationFilter": ["mode", "rule"],
  "conditions.authenticationFlows": ["transferMethods"],
  "conditions.clientApplications": ["excludeServicePrincipals", "includeServicePrincipals", "servicePrincipalFilter"],
  "conditions.clientApplications.servicePrincipalFilter": ["mode", "rule"],
  "conditions.devices": ["deviceFilter"],
  "conditions.devices.deviceFilter": ["mode", "rule"],
  "conditions.locations": ["excludeLocations", "includeLocations"],
  "conditions.platforms": ["excludePlatforms", "includePlatforms"],
  "conditions.users": [
    "excludeGroups",
    "excludeGuestsOrExternalUsers",
    "excludeRoles",
    "excludeUsers",
    "includeGroups",
    "includeGuestsOrExternalUsers",
    "includeRoles",
    "includeUsers",
  ],
  "conditions.users.includeGuestsOrExternalUsers": ["externalTenants", "guestOrExternalUserTypes"],
  "conditions.users.excludeGuestsOrExternalUsers": ["externalTenants", "guestOrExternalUserTypes"],
  "conditions.users.includeGuestsOrExternalUsers.externalTenants": ["membershipKind", "members"],
  "conditions.users.excludeGuestsOrExternalUsers.externalTenants": ["membershipKind", "members"],
  grantControls: ["builtInControls", "customAuthenticationFactors", "operator", "termsOfUse", "authenticationStrength"],
  "grantControls.authenticationStrength": ["id"],
  sessionControls: ["applicationEnforcedRestrictions", "cloudAppSecurity", "disableResilienceDefaults", "persistentBrowser", "secureSignInSession", "signInFrequency"],
  "sessionControls.applicationEnforcedRestrictions": ["isEnabled"],
  "sessionControls.cloudAppSecurity": ["isEnabled", "cloudAppSecurityType"],
  "sessionControls.persistentBrowser": ["isEnabled", "mode"],
  "sessionControls.secureSignInSession": ["isEnabled"],
  "sessionControls.signInFrequency": ["isEnabled", "type", "value", "authenticationType", "frequencyInterval"],
};

/** Server-managed top-level properties: never sent, never compared. */
export const READ_ONLY_PROPERTIES: readonly string[] = ["id", "createdDateTime", "modifiedDateTime", "deletedDateTime", "templateId"];

/** A JSON object as Graph sends it: property names to values of any JSON type. */
export type Json = Record<string, unknown>;

export function isJsonObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `@odata.type`, `@odata.context`, `x@odata.nextLink`, `#microsoft.graph.restore`. */
export function isAnnotation(key: string): boolean {
  return key.startsWith("@") || key.startsWith("#") || key.includes("@odata.");
}

/** The beta-only properties (and grant controls) a Graph-shaped policy uses, as paths. */
export function betaPropertiesOf(policy: Json): string[] {
  const used: string[] = [];
  for (const path of BETA_ONLY_PROPERTIES) {
    let v: unknown = policy;
    for (const part of path.split(".")) v = isJsonObject(v) ? v[part] : undefined;
    if (!isEmptyValue(v)) used.push(path);
  }
  const grant = isJsonObject(policy.grantControls) ? policy.grantControls : undefined;
  const controls = Array.isArray(grant?.builtInControls) ? (grant.builtInControls as unknown[]) : [];
  for (const c of BETA_ONLY_GRANT_CONTROLS) {
    if (controls.some((x) => typeof x === "string" && x.toLowerCase() === c.toLowerCase())) used.push(`grantControls.builtInControls: ${c}`);
  }
  return used;
}

/**
 * Graph treats null, [], "" and {} (annotations aside) as "not configured". `annotation` says
 * which keys are annotations (import-ca also counts `$`-prefixed keys of exports).
 */
export function isEmptyValue(v: unknown, annotation: (key: string) => boolean = isAnnotation): boolean {
  if (v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isJsonObject(v)) return Object.entries(v).every(([k, x]) => annotation(k) || isEmptyValue(x, annotation));
  if (typeof v === "string") return v.trim() === "";
  return false;
}

/** Session control blocks Graph switches with `isEnabled`. */
const SESSION_BLOCKS = new Set(["applicationEnforcedRestrictions", "cloudAppSecurity", "persistentBrowser", "secureSignInSession", "signInFrequency", "continuousAccessEvaluation", "networkAccessSecurity", "globalSecureAccessFilteringProfile"]);

/** Values Graph fills in on read when they were not sent (UNVERIFIED beyond these). */
const DEFAULTS: Record<string, Record<string, string>> = {
  "sessionControls.signInFrequency": { authenticationType: "primaryandsecondaryauthentication", frequencyInterval: "timebased" },
};

function canonicalRule(rule: string): string {
  try {
    return DeviceFilter.parse(rule).toString();
  } catch {
    return rule.trim().replace(/\s+/g, " ");
  }
}

/**
 * The canonical form of a Graph-shaped policy (or a part of it at `path`): annotations and
 * read-only properties dropped, null/empty as absent, strings trimmed and lower-cased (enum casing
 * and GUID casing do not matter) except the display name and rules, string lists as sorted sets,
 * comma-joined guest types as a set, device filter rules in their canonical form, a disabled
 * session control as absent and `isEnabled: true` as implied, Graph's known defaults dropped,
 * the expanded authentication strength reduced to its id, and the operator dropped when there is
 * at most one control. Undefined when nothing is configured.
 */
export function canonicalPolicy(value: unknown, path = ""): unknown {
  if (value === null || value === undefined) return undefined;
  const leaf = path.split(".").pop() ?? "";
  if (typeof value === "string") {
    const t = value.trim();
    if (t === "") return undefined;
    if (path === "displayName") return t;
    if (leaf === "rule") return path === "conditions.devices.deviceFilter.rule" ? canonicalRule(t) : t.replace(/\s+/g, " ");
    if (leaf === "guestOrExternalUserTypes" && t.includes(",")) return canonicalPolicy(t.split(","), path);
    return t.toLowerCase();
  }
  if (Array.isArray(value)) {
    const items = value.flatMap((v) => canonicalPolicy(v, path) ?? []);
    if (items.length === 0) return undefined;
    const keyed = items.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
    return [...new Map(keyed.map((k, i) => [k, items[i]])).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  }
  if (!isJsonObject(value)) return value;
  if (SESSION_BLOCKS.has(leaf) && path.startsWith("sessionControls.") && value.isEnabled === false) return undefined;
  if (path === "grantControls.authenticationStrength") {
    return typeof value.id === "string" && value.id.trim() ? { id: value.id.trim().toLowerCase() } : undefined;
  }
  const out: Json = {};
  for (const key of Object.keys(value).sort()) {
    if (isAnnotation(key)) continue;
    if (path === "" && READ_ONLY_PROPERTIES.includes(key)) continue;
    if (key === "isEnabled" && value[key] === true && SESSION_BLOCKS.has(leaf)) continue;
    const child = canonicalPolicy(value[key], path ? `${path}.${key}` : key);
    if (child === undefined) continue;
    if (DEFAULTS[path]?.[key] !== undefined && child === DEFAULTS[path][key]) continue;
    out[key] = child;
  }
  if (path === "grantControls") {
    const count = ["builtInControls", "customAuthenticationFactors", "termsOfUse"].reduce((n, k) => n + (Array.isArray(out[k]) ? (out[k] as unknown[]).length : 0), 0) + (out.authenticationStrength ? 1 : 0);
    if (count <= 1) delete out.operator;
    if (count === 0) return undefined;
  }
  if (SESSION_BLOCKS.has(leaf) && path.startsWith("sessionControls.") && Object.keys(out).length === 0 && value.isEnabled === true) return { isEnabled: true };
  return Object.keys(out).length === 0 ? undefined : out;
}

/**
 * The stored policy seen through the declared one: every declared property, plus the properties
 * this package knows that Graph holds although the stack does not declare them (drift). A property
 * Graph returns that is neither is left out (a default it may add), so a new server-side default
 * does not become a perpetual diff. Both arguments are canonical.
 */
export function projectStored(declared: unknown, stored: unknown, path = ""): unknown {
  if (!isJsonObject(declared) || !isJsonObject(stored)) return stored;
  const known = KNOWN_PROPERTIES[path] ?? [];
  const out: Json = {};
  for (const key of Object.keys(stored)) {
    if (!(key in declared) && !known.includes(key)) continue;
    out[key] = projectStored(declared[key], stored[key], path ? `${path}.${key}` : key);
  }
  return out;
}

/** Dotted paths where the canonical declared policy and the canonical stored one differ. */
export function policyDifferences(declared: unknown, stored: unknown, path = ""): string[] {
  const seen = projectStored(declared, stored, path);
  return differencesOf(declared, seen, path);
}

function differencesOf(a: unknown, b: unknown, path: string): string[] {
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differencesOf(a[k], b[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path || "(policy)"];
}

/**
 * The explicit removals a PATCH needs so that properties Graph holds but the stack does not
 * declare (known ones only) are cleared: `null` for an object, `[]` for a list. Graph merges a
 * PATCH into the stored policy, so an omitted property would stay. `stored` is raw (as read).
 */
export function removalsFor(declared: Json, stored: Json, path = ""): Json {
  const out: Json = {};
  const known = KNOWN_PROPERTIES[path] ?? [];
  for (const key of known) {
    const s = stored[key];
    const d = declared[key];
    const childPath = path ? `${path}.${key}` : key;
    if (isEmptyValue(s)) continue;
    if (d === undefined || d === null) {
      out[key] = Array.isArray(s) ? [] : null;
    } else if (isJsonObject(d) && isJsonObject(s)) {
      const nested = removalsFor(d, s, childPath);
      if (Object.keys(nested).length > 0) out[key] = nested;
    }
  }
  return out;
}

/** `declared` with `removals` merged in (removals only fill keys the declared policy lacks). */
export function withRemovals(declared: Json, removals: Json): Json {
  const out: Json = { ...declared };
  for (const [key, value] of Object.entries(removals)) {
    if (isJsonObject(value) && isJsonObject(out[key])) out[key] = withRemovals(out[key] as Json, value);
    else if (!(key in out) || out[key] === undefined) out[key] = value;
  }
  return out;
}
