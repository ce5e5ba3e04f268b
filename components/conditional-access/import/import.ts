/**
 * Import Conditional Access policies from Microsoft Graph exports: the exact `@pulumi/azuread`
 * ConditionalAccessPolicy args, the `pulumi import` command, and CorporateDeviceAccess args where a
 * policy has the shape that component declares. Pure: no Pulumi, no network.
 */
import { DeviceFilter, DeviceFilterError } from "../device-filter";
import { ExportDecodeError, MAX_EXPORT_BYTES, excerpt, exportItems, exportTooLarge, readExport, type ExportEncoding } from "./decode";
import { legacyDeviceStatesToFilter } from "./legacy";
import { parseFilterCached, recogniseCorporateDeviceAccess, recognisePlatformCompanion } from "./recognise";
import type { PlainCorporateDeviceAccessArgs } from "../component/corporate-device-policy";
import type { PlainConditionalAccessPolicy, PlainGuestsOrExternalUsers, PlainUsersCondition } from "../policy-shape";

export const AZUREAD_POLICY_TYPE = "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy";
export const CORPORATE_DEVICE_ACCESS_TYPE = "tenant-guardrails:index:CorporateDeviceAccess";
export const IMPORT_ID_PREFIX = "/identity/conditionalAccess/policies/";
export const AUTHENTICATION_STRENGTH_PREFIX = "/policies/authenticationStrengthPolicies/";

/** How an imported policy is best declared. */
export const ImportKind = {
  /** As a CorporateDeviceAccess component (the policy has the shape the component declares). */
  Component: "component",
  /** As a raw azuread ConditionalAccessPolicy resource. */
  Resource: "resource",
} as const;
export type ImportKind = (typeof ImportKind)[keyof typeof ImportKind];

/** Something the importer changed or decided, in words a reviewer reads. */
export interface ImportNote {
  /** Stable machine-readable code, e.g. "legacy-device-condition". */
  code: string;
  message: string;
}

export interface ImportedPolicy {
  /** File name (or "<input>") the policy came from. */
  source: string;
  /** 0-based position of the policy in its export. */
  index: number;
  /** Graph object id; undefined for exports without ids (e.g. POST request bodies). */
  id: string | undefined;
  displayName: string;
  /** Pulumi resource name (unique within one import run). */
  resourceName: string;
  kind: ImportKind;
  /** The exact azuread ConditionalAccessPolicy args (what the tenant has today). */
  resource: PlainConditionalAccessPolicy;
  /** CorporateDeviceAccess args, when kind is "component" (undefined on a policy that is part of another's component). */
  component: PlainCorporateDeviceAccessArgs | undefined;
  /** Resource name of the imported component that declares this policy as its second child (platforms). */
  partOf: string | undefined;
  /** `pulumi import` command line; undefined when the export has no id. */
  importCommand: string | undefined;
  /** For components: the `pulumi import --file` document adopting the policy under the component. */
  importFile: ImportFile | undefined;
  /** TypeScript to paste into a stack module. */
  typescript: string;
  notes: ImportNote[];
}

/** The document `pulumi import --file` reads. */
export interface ImportFile {
  resources: { type: string; name: string; id?: string; parent?: string; component?: boolean }[];
}

/** A policy (or a whole file) that could not be imported. */
export interface PolicyImportError {
  source: string;
  /** Position of the policy in its export; undefined when the whole file failed. */
  index: number | undefined;
  /** Display name (or derived name) of the policy, when known. */
  policy: string | undefined;
  /** Path of the offending field, e.g. "conditions.devices.deviceFilter.rule". */
  field: string | undefined;
  /** Character position in a device filter rule, for rule errors. */
  position: number | undefined;
  /** The device filter rule, for rule errors (to show the position). */
  rule: string | undefined;
  message: string;
  fix: string | undefined;
}

export interface ImportResult {
  /** Every file read, with how its bytes were decoded. */
  files: { source: string; encoding: string }[];
  policies: ImportedPolicy[];
  errors: PolicyImportError[];
}

export interface ImportOptions {
  /** File name of the export: used in messages and to name policies without displayName. */
  sourceName?: string;
  /** Values for placeholder tokens (e.g. "ENTRAGROUP_Break glass_ENTRAGROUP" -> a group object id). */
  placeholderValues?: Record<string, string>;
  /** Resource names already taken (e.g. by earlier files of the same run); updated in place. */
  takenResourceNames?: Set<string>;
}

/** One input file for a multi-file import. */
export interface ExportFile {
  name: string;
  content: Uint8Array | string;
  /** Size of the file on disk, when known before reading it: a file over MAX_EXPORT_BYTES is refused unread. */
  sizeBytes?: number;
}

// ---------------------------------------------------------------------------------------------
// Field vocabularies: the provider's spelling of each enum (it compares case-sensitively).

const STATES = ["enabled", "disabled", "enabledForReportingButNotEnforced"] as const;
const CLIENT_APP_TYPES = ["all", "browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported", "other"] as const;
const PLATFORMS = ["all", "android", "iOS", "linux", "macOS", "windows", "windowsPhone"] as const;
/** What an id field holds: object ids (GUIDs) and the keywords Graph allows in that field. */
interface IdKind {
  /** "user object ids", for messages. */
  what: string;
  keywords: readonly string[];
  /** The nil GUID is a real id here (the legacy "MFA trusted IPs" named location). */
  nilGuid?: boolean;
}
const ID = {
  includeUsers: { what: "user object ids", keywords: ["All", "None", "GuestsOrExternalUsers"] },
  excludeUsers: { what: "user object ids", keywords: ["GuestsOrExternalUsers"] },
  groups: { what: "group object ids", keywords: [] },
  roles: { what: "directory role template ids", keywords: [] },
  includeApplications: { what: "application ids", keywords: ["All", "None", "Office365", "MicrosoftAdminPortals"] },
  excludeApplications: { what: "application ids", keywords: ["Office365", "MicrosoftAdminPortals"] },
  includeLocations: { what: "named location ids", keywords: ["All", "AllTrusted"], nilGuid: true },
  excludeLocations: { what: "named location ids", keywords: ["AllTrusted"], nilGuid: true },
  servicePrincipals: { what: "service principal object ids", keywords: ["ServicePrincipalsInMyTenant"] },
  tenants: { what: "tenant ids", keywords: [] },
  authenticationStrength: { what: "an authentication strength policy id", keywords: [] },
  termsOfUse: { what: "terms of use agreement ids", keywords: [] },
} satisfies Record<string, IdKind>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NIL_GUID = "00000000-0000-0000-0000-000000000000";
const BUILT_IN_CONTROLS = ["block", "mfa", "approvedApplication", "compliantApplication", "compliantDevice", "domainJoinedDevice", "passwordChange"] as const;
const OPERATORS = ["AND", "OR"] as const;
const RISK_LEVELS = ["low", "medium", "high", "hidden", "none", "unknownFutureValue"] as const;
const INSIDER_RISK_LEVELS = ["minor", "moderate", "elevated", "unknownFutureValue"] as const;
const GUEST_TYPES = ["none", "internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember", "b2bDirectConnectUser", "otherExternalUser", "serviceProvider", "unknownFutureValue"] as const;
const MEMBERSHIP_KINDS = ["all", "enumerated", "unknownFutureValue"] as const;
const TRANSFER_METHODS = ["authenticationTransfer", "deviceCodeFlow"] as const;
const FILTER_MODES = ["include", "exclude"] as const;
const CLOUD_APP_SECURITY = ["blockDownloads", "mcasConfigured", "monitorOnly", "unknownFutureValue"] as const;
const BROWSER_MODES = ["always", "never"] as const;
const FREQUENCY_PERIODS = ["hours", "days"] as const;
const FREQUENCY_INTERVALS = ["timeBased", "everyTime"] as const;
const FREQUENCY_AUTH_TYPES = ["primaryAndSecondaryAuthentication", "secondaryAuthentication"] as const;

/** Read-only or server-managed top-level fields: never part of the args. */
const READ_ONLY_POLICY_KEYS = new Set(["id", "createdDateTime", "modifiedDateTime", "deletedDateTime", "templateId", "partialEnablementStrategy"]);

// ---------------------------------------------------------------------------------------------
// Small helpers

type Json = Record<string, unknown>;

/** OData annotations (`@odata.type`, `x@odata.context`), actions (`#microsoft.graph.restore`), Simeon `$` keys. */
function isAnnotationKey(key: string): boolean {
  return key.startsWith("#") || key.startsWith("$") || key.includes("@odata.") || key.startsWith("@");
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** A value read as text for an enum: strings as they are, null/undefined as "", anything else as an excerpt (never throws). */
function asText(v: unknown): string {
  if (typeof v === "string") return v;
  return v === null || v === undefined ? "" : excerpt(v);
}

/** Graph treats null, [] and {} as "not configured". */
function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObject(v)) return Object.entries(v).every(([k, x]) => isAnnotationKey(k) || isEmpty(x));
  if (typeof v === "string") return v.trim() === "";
  return false;
}

class PolicyProblem extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly fix?: string,
    readonly position?: number,
    readonly rule?: string,
  ) {
    super(message);
  }
}

/** Collects every problem of one policy, so a user sees them all at once. */
class Context {
  readonly problems: PolicyProblem[] = [];
  readonly notes: ImportNote[] = [];
  /** Fields already reported for a placeholder (so the id check does not report them twice). */
  readonly placeholderPaths = new Set<string>();
  note(code: string, message: string): void {
    this.notes.push({ code, message });
  }
  problem(field: string, message: string, fix?: string, position?: number, rule?: string): void {
    this.problems.push(new PolicyProblem(field, message, fix, position, rule));
  }
}

/** A list field: null/missing -> [], array of strings kept in order, a comma string split in order. */
function stringList(ctx: Context, field: string, value: unknown, splitCommas = false): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === "string") {
    if (!splitCommas && value.trim() !== "") return [value.trim()];
    return value
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  }
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) {
    const out = (value as string[]).map((v) => v.trim()).filter((v) => v !== "");
    return splitCommas ? out.flatMap((v) => v.split(",").map((s) => s.trim())).filter((s) => s !== "") : out;
  }
  ctx.problem(field, `expected a list of strings, found ${excerpt(value)}`);
  return [];
}

/** The provider's spelling of an enum value (case-insensitive match), with a note when it changed. */
function canonicalEnum<T extends string>(ctx: Context, field: string, value: string, allowed: readonly T[]): T | undefined {
  const found = allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase());
  if (!found) {
    ctx.problem(field, `${excerpt(value)} is not a value the azuread provider accepts`, `use one of ${allowed.join(", ")}`);
    return undefined;
  }
  if (found !== value) ctx.note("casing", `${field}: "${value}" written as "${found}" (the provider compares enum values case-sensitively)`);
  return found;
}

function enumList<T extends string>(ctx: Context, field: string, value: unknown, allowed: readonly T[], splitCommas = false): T[] {
  return stringList(ctx, field, value, splitCommas)
    .map((v) => canonicalEnum(ctx, field, v, allowed))
    .filter((v): v is T => v !== undefined);
}

/**
 * One id: a keyword of the field (in provider casing, with a note when that changed the value)
 * or an object id (GUID, kept verbatim). Anything else is reported as an unresolved placeholder
 * at `path`, and undefined returned: a template value never reaches Graph as an id.
 */
function checkId(ctx: Context, path: string, field: string, raw: unknown, kind: IdKind): string | undefined {
  if (ctx.placeholderPaths.has(path)) return undefined; // reported when placeholders were resolved
  if (typeof raw !== "string") {
    ctx.problem(path, `expected ${kind.what} as strings, found ${excerpt(raw)}`);
    return undefined;
  }
  const v = raw.trim();
  const keyword = kind.keywords.find((k) => k.toLowerCase() === v.toLowerCase());
  if (keyword) {
    if (keyword !== v) ctx.note("casing", `${field}: "${v}" written as "${keyword}"`);
    return keyword;
  }
  if (GUID.test(v) && (v !== NIL_GUID || kind.nilGuid)) return v;
  const takes = `${field} takes ${kind.what} (GUIDs)${kind.keywords.length ? ` or ${kind.keywords.join(", ")}` : ""}`;
  if (v === "") {
    ctx.problem(path, `an empty value ${excerpt(raw)}: ${takes}`, "remove the empty entry, or give the object id");
  } else {
    const why = v === NIL_GUID ? " (the nil GUID is a template value, not an object id)" : "";
    ctx.problem(path, `unresolved placeholder ${excerpt(v)}${why}: ${takes}`, `give its value in the placeholder map (import-ca --map <file.json> with {${excerpt(v)}: "<object id>"})`);
  }
  return undefined;
}

/** A list of ids mixed with keywords ("All", "Office365"...), each checked by checkId. */
function idList(ctx: Context, field: string, value: unknown, kind: IdKind): string[] {
  if (value === null || value === undefined || (typeof value === "string" && value.trim() === "")) return [];
  if (typeof value === "string") {
    const id = checkId(ctx, field, field, value, kind);
    return id === undefined ? [] : [id];
  }
  if (!Array.isArray(value)) {
    ctx.problem(field, `expected a list of ${kind.what}, found ${excerpt(value)}`);
    return [];
  }
  const out: string[] = [];
  value.forEach((raw, i) => {
    const id = checkId(ctx, `${field}[${i}]`, field, raw, kind);
    if (id !== undefined) out.push(id);
  });
  return out;
}

function optional<T>(list: T[]): T[] | undefined {
  return list.length > 0 ? list : undefined;
}

/** Drop undefined members so args (and their JSON) carry only what is set. */
function compact<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) {
    const v = (obj as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = v; // keys are this module's own field names, never input
  }
  return out as T;
}

/** Keys of a Graph object that this importer does not know; non-empty ones become problems. */
function rejectUnknown(ctx: Context, path: string, obj: Json, known: readonly string[]): void {
  for (const [key, value] of Object.entries(obj)) {
    if (isAnnotationKey(key) || known.includes(key) || isEmpty(value)) continue;
    ctx.problem(
      `${path}.${key}`,
      `${key} is set (${excerpt(value)}) but the azuread ConditionalAccessPolicy resource cannot express it, so importing would drop it`,
      "manage this policy outside Pulumi, or remove the setting in the tenant first if it is not needed",
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Placeholders

/** Unresolved template tokens seen in public baselines. */
// Each pattern runs in linear time on any string (no unbounded backtracking), so a huge or
// hostile value cannot stall the import.
const PLACEHOLDER_PATTERNS: RegExp[] = [
  /\$\{[^{}]*\}/g, // Simeon: ${urn:resource:MSGraph:Groups/<name>?$id}
  /\b([A-Z]{3,})_[^"]{0,256}?_\1\b/g, // DCToolbox: ENTRAGROUP_<name>_ENTRAGROUP (Entra names are at most 256 characters)
  /\$[A-Z][A-Za-z0-9]+/g, // DCToolbox: $AddCustomPrefix
  /<[^<>"]+>/g, // <group-id> style documentation placeholders
  /%[A-Za-z][A-Za-z0-9_.-]*%/g, // %TempAccessPassStrengthId% style template variables
];

/** Every placeholder pattern needs one of these characters; most strings (ids) have none. */
const PLACEHOLDER_MARK = /[$_<%]/;

/** Distinct placeholder tokens in `text`, in pattern order. */
function findPlaceholders(text: string): string[] {
  if (!PLACEHOLDER_MARK.test(text)) return [];
  return [...new Set(PLACEHOLDER_PATTERNS.flatMap((re) => [...text.matchAll(re)].map((m) => m[0])))];
}

/** Unresolved placeholders reported per field; a hostile value can hold thousands. */
const MAX_PLACEHOLDERS_REPORTED = 10;

function mapped(map: Record<string, string>, token: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(map, token) && typeof map[token] === "string" ? map[token] : undefined;
}

/**
 * Replace mapped placeholders, report the rest; walks every string of the policy. A whole value
 * that is a key of the map is replaced too (e.g. a template GUID such as
 * "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"). A placeholder mapped to an empty value is a problem:
 * it would silently drop an exclusion.
 */
function resolvePlaceholders(ctx: Context, value: unknown, path: string, map: Record<string, string>, hasEntries = Object.keys(map).length > 0): unknown {
  if (typeof value === "string") {
    const report = (message: string, fix: string) => {
      ctx.problem(path, message, fix);
      ctx.placeholderPaths.add(path);
    };
    const emptyFix = "map it to the object id or text it stands for, or remove it from the export";
    const whole = hasEntries ? mapped(map, value.trim()) : undefined;
    if (whole !== undefined && value.trim() !== "") {
      if (whole.trim() === "") report(`placeholder ${excerpt(value.trim())} is mapped to an empty value`, emptyFix);
      else ctx.note("placeholder", `${path}: placeholder ${excerpt(value.trim())} replaced by ${excerpt(whole)}`);
      return whole;
    }
    let out = value;
    let unresolved = 0;
    for (const token of findPlaceholders(value)) {
      const replacement = mapped(map, token);
      if (replacement !== undefined) {
        out = out.split(token).join(replacement);
        if (replacement.trim() === "") report(`placeholder ${excerpt(token)} is mapped to an empty value`, emptyFix);
        else ctx.note("placeholder", `${path}: placeholder ${excerpt(token)} replaced by ${excerpt(replacement)}`);
      } else if (++unresolved <= MAX_PLACEHOLDERS_REPORTED) {
        report(`unresolved placeholder ${excerpt(token)}`, `give its value in the placeholder map (import-ca --map <file.json> with {${excerpt(token)}: "<value>"})`);
      }
    }
    if (unresolved > MAX_PLACEHOLDERS_REPORTED) report(`${unresolved - MAX_PLACEHOLDERS_REPORTED} more unresolved placeholders`, "this does not look like a Graph export: check the file");
    return out;
  }
  // Containers are copied only when something inside them changed.
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((v, i) => {
      const r = resolvePlaceholders(ctx, v, `${path}[${i}]`, map, hasEntries);
      if (r !== v) (copy ??= value.slice())[i] = r;
    });
    return copy ?? value;
  }
  if (isObject(value)) {
    let changed: Map<string, unknown> | undefined;
    for (const [k, v] of Object.entries(value)) {
      if (isAnnotationKey(k)) continue;
      const r = resolvePlaceholders(ctx, v, path ? `${path}.${k}` : k, map, hasEntries);
      if (r !== v) (changed ??= new Map()).set(k, r);
    }
    // fromEntries defines keys (a "__proto__" key stays a plain key).
    return changed ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, changed.has(k) ? changed.get(k) : v])) : value;
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Graph -> azuread args

function convertGuests(ctx: Context, field: string, value: unknown): PlainGuestsOrExternalUsers[] | undefined {
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

function convertUsers(ctx: Context, value: unknown): PlainUsersCondition {
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

function convertApplications(ctx: Context, value: unknown): PlainConditionalAccessPolicy["conditions"]["applications"] {
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
    ctx.problem(`${field}.applicationFilter`, "application filters (custom security attributes) are not supported by the installed @pulumi/azuread, so importing would drop the filter", "manage this policy outside Pulumi for now");
  }
  if (!apps.includedApplications === !apps.includedUserActions) {
    ctx.problem(field, "exactly one of includeApplications and includeUserActions must be set (the provider requires it)", "keep the one the policy is about");
  }
  return apps;
}

/** Legacy device condition values from the beta `devices` block and the older `deviceStates` block. */
function legacyStates(ctx: Context, devices: Json | undefined, deviceStates: unknown): { include: string[]; exclude: string[]; fields: string[] } {
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
function checkDeviceRule(ctx: Context, field: string, rule: string): boolean {
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

function convertDevices(ctx: Context, conditions: Json): PlainConditionalAccessPolicy["conditions"]["devices"] {
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

function convertConditions(ctx: Context, value: unknown): PlainConditionalAccessPolicy["conditions"] {
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
      ctx.problem("conditions.clientApplications.servicePrincipalFilter", "service principal filters are not in the plain policy shape this tool emits", "manage this policy outside Pulumi for now");
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
    ctx.problem("conditions.insiderRiskLevels", `the provider takes one insider risk level, the policy has ${insider.join(", ")}`, "keep the lowest level the policy should act on");
  }
  const insiderRiskLevels = insider.length
    ? insider
        .map((v) => canonicalEnum(ctx, "conditions.insiderRiskLevels", v, INSIDER_RISK_LEVELS))
        .filter((v) => v !== undefined)
        .join(",")
    : undefined;

  return compact({
    applications: convertApplications(ctx, value.applications),
    clientAppTypes,
    users: convertUsers(ctx, value.users),
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

function convertGrantControls(ctx: Context, value: unknown): PlainConditionalAccessPolicy["grantControls"] {
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
function enabledBlock(value: unknown): Json | undefined {
  return isObject(value) && value.isEnabled !== false && !isEmpty(value) ? value : undefined;
}

function convertSessionControls(ctx: Context, value: unknown): Record<string, unknown> | undefined {
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

// ---------------------------------------------------------------------------------------------
// Names

function baseName(sourceName: string | undefined): string | undefined {
  if (!sourceName) return undefined;
  const file = sourceName.split(/[\\/]/).pop() ?? sourceName;
  return file.replace(/\.json$/i, "");
}

/** A Pulumi resource name from a display name: lower-case words joined by "-". */
export function resourceNameFor(displayName: string): string {
  const slug = displayName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return slug || "ca-policy";
}

/** Per set of taken names: the next suffix to try for a base name (keeps naming linear). */
const nextSuffix = new WeakMap<Set<string>, Map<string, number>>();

function uniqueName(base: string, taken: Set<string>): string {
  let suffixes = nextSuffix.get(taken);
  if (!suffixes) nextSuffix.set(taken, (suffixes = new Map()));
  let name = base;
  let n = suffixes.get(base) ?? 2;
  if (taken.has(name)) {
    do name = `${base}-${n++}`;
    while (taken.has(name));
    suffixes.set(base, n);
  }
  taken.add(name);
  return name;
}

/** The display name, or one derived from `$friendlyName`/`$description` or the file name. */
function policyName(ctx: Context, raw: Json, index: number, count: number, sourceName: string | undefined): string {
  if (typeof raw.displayName === "string" && raw.displayName.trim() !== "") {
    if (raw.displayName !== raw.displayName.trim()) {
      ctx.note("display-name-whitespace", `displayName ${excerpt(raw.displayName)} has leading or trailing spaces: kept, so the import shows no diff`);
    }
    return raw.displayName;
  }
  const file = baseName(sourceName);
  let derived: string;
  let from: string;
  if (typeof raw.$friendlyName === "string" && raw.$friendlyName.trim()) {
    derived = raw.$friendlyName.trim();
    from = "$friendlyName";
  } else if (file) {
    derived = count > 1 ? `${file} #${index + 1}` : file;
    from = "the file name";
  } else if (typeof raw.$description === "string" && raw.$description.trim()) {
    derived = raw.$description.trim().slice(0, 120);
    from = "$description";
  } else {
    derived = `Imported policy #${index + 1}`;
    from = "its position in the export";
  }
  ctx.note("derived-display-name", `the policy has no displayName: named "${derived}" from ${from}; the first pulumi up sets this name in the tenant`);
  return derived;
}

// ---------------------------------------------------------------------------------------------
// Output snippets

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** TypeScript object literal for args: unquoted keys, short lists of strings on one line. */
function tsLiteral(value: unknown, indent = ""): string {
  if (Array.isArray(value)) {
    const flat = `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
    if (value.every((v) => typeof v !== "object" || v === null) && flat.length <= 100) return flat;
    const inner = indent + "  ";
    return `[\n${value.map((v) => inner + tsLiteral(v, inner)).join(",\n")},\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const inner = indent + "  ";
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return "{}";
    const body = entries.map(([k, v]) => `${inner}${IDENTIFIER.test(k) ? k : JSON.stringify(k)}: ${tsLiteral(v, inner)}`).join(",\n");
    return `{\n${body},\n${indent}}`;
  }
  return JSON.stringify(value);
}

/**
 * A value quoted for a POSIX shell (sh, bash, zsh): in single quotes, where nothing is special,
 * with each ' written as '\''. The printed `pulumi import` lines quote every argument this way.
 */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

function importIdOf(id: string): string {
  return `${IMPORT_ID_PREFIX}${id}`;
}

function resourceSnippet(name: string, args: PlainConditionalAccessPolicy, id: string | undefined): string {
  const opts = id ? `, { import: ${JSON.stringify(importIdOf(id))} }` : "";
  return `new azuread.ConditionalAccessPolicy(${JSON.stringify(name)}, ${tsLiteral(args)}${opts});`;
}

function componentSnippet(name: string, args: PlainCorporateDeviceAccessArgs): string {
  return `new CorporateDeviceAccess(${JSON.stringify(name)}, ${tsLiteral(args)});`;
}

// ---------------------------------------------------------------------------------------------
// Import

/**
 * The lockout rule of CorporateDeviceAccess, for every imported policy: an enabled policy that
 * blocks all users, or requires a control of them, must exclude at least one user or group by
 * object id (the break-glass accounts). Excluded guests or roles do not count.
 */
function checkLockout(ctx: Context, state: string | undefined, users: PlainUsersCondition, grant: PlainConditionalAccessPolicy["grantControls"]): void {
  if (state !== "enabled" || !grant || !(users.includedUsers ?? []).includes("All")) return;
  const excludedIds = (users.excludedUsers ?? []).filter((u) => GUID.test(u));
  if (excludedIds.length + (users.excludedGroups ?? []).length > 0) return;
  const controls = [...(grant.builtInControls ?? []), ...(grant.authenticationStrengthPolicyId ? ["authentication strength"] : []), ...(grant.termsOfUses ? ["terms of use"] : []), ...(grant.customAuthenticationFactors ?? [])];
  const what = controls.length === 1 && controls[0] === "block" ? "blocks all users" : `blocks all users or requires a control of them (${controls.join(", ")})`;
  ctx.problem(
    "conditions.users.excludeGroups",
    `an enabled policy that ${what} must exclude at least one emergency-access (break-glass) account or group, or a mistake locks every administrator out; this one excludes none`,
    'exclude your break-glass accounts or group (conditions.users.excludeUsers or excludeGroups; use --map when the export has a placeholder for them), or import the policy with state "enabledForReportingButNotEnforced"',
  );
}

/** Convert one Graph policy object; problems are returned, never thrown. */
function importOne(raw: unknown, index: number, count: number, options: ImportOptions, taken: Set<string>): { policy?: ImportedPolicy; errors: PolicyImportError[] } {
  const source = options.sourceName ?? "<input>";
  const fail = (message: string, fix?: string, policy?: string): { errors: PolicyImportError[] } => ({
    errors: [{ source, index, policy, field: undefined, position: undefined, rule: undefined, message, fix }],
  });
  if (!isObject(raw)) return fail(`item #${index + 1} is ${excerpt(raw)}, not a Conditional Access policy object`);
  const odataType = raw["@odata.type"];
  if (typeof odataType === "string" && !/conditionalAccessPolicy$/i.test(odataType)) {
    const label = typeof raw.displayName === "string" ? raw.displayName : undefined;
    return fail(`item #${index + 1} is a ${odataType.replace(/^#/, "").slice(0, 100)}, not a Conditional Access policy`, "import only files of GET /identity/conditionalAccess/policies", label);
  }
  if (!("conditions" in raw)) {
    const label = typeof raw.displayName === "string" ? raw.displayName : undefined;
    return fail(`item #${index + 1} has no "conditions": not a Conditional Access policy`, "import only files of GET /identity/conditionalAccess/policies", label);
  }

  const ctx = new Context();
  const displayNameRaw = policyName(ctx, raw, index, count, options.sourceName);
  const resolved = resolvePlaceholders(ctx, { ...raw, displayName: displayNameRaw }, "", options.placeholderValues ?? {}) as Json;
  const displayName = resolved.displayName as string;

  for (const [key, value] of Object.entries(resolved)) {
    if (isAnnotationKey(key) || READ_ONLY_POLICY_KEYS.has(key) || ["displayName", "state", "conditions", "grantControls", "sessionControls"].includes(key)) continue;
    if (!isEmpty(value)) ctx.note("ignored-field", `${key} is not part of the azuread resource and was ignored`);
  }

  const state = canonicalEnum(ctx, "state", asText(resolved.state ?? ""), STATES);
  const conditions = convertConditions(ctx, resolved.conditions);
  const grantControls = convertGrantControls(ctx, resolved.grantControls);
  const sessionControls = convertSessionControls(ctx, resolved.sessionControls);
  // Unless a control was refused already (then this would only repeat it).
  if (!grantControls && !sessionControls && !ctx.problems.some((p) => /^(grantControls|sessionControls)\b/.test(p.field))) {
    ctx.problem("grantControls", "the policy has neither grant controls nor session controls (the provider requires one)", "add a grant control such as block or mfa");
  }
  const id = typeof resolved.id === "string" && resolved.id.trim() ? resolved.id.trim() : undefined;
  if (id !== undefined && /[\u0000-\u001f\u007f]/.test(id)) {
    ctx.problem("id", `the policy id ${excerpt(id)} has control characters: not a Graph object id`, "export the policy again from Graph");
  }
  checkLockout(ctx, state, conditions.users, grantControls);

  if (ctx.problems.length > 0 || !state) {
    return {
      errors: ctx.problems.map((p) => ({ source, index, policy: displayName, field: p.field, position: p.position, rule: p.rule, message: p.message, fix: p.fix })),
    };
  }

  const resource: PlainConditionalAccessPolicy = compact({ displayName, state, conditions, grantControls, sessionControls });
  const recognised = recogniseCorporateDeviceAccess(resource);
  for (const reason of recognised.notes) ctx.note(reason.code, reason.message);
  const resourceName = uniqueName(resourceNameFor(displayName), taken);

  let importCommand: string | undefined;
  let typescript: string;
  let importFile: ImportFile | undefined;
  if (recognised.args) {
    typescript = componentSnippet(resourceName, recognised.args);
    if (id) {
      // `pulumi import` (CLI >= 3.94) can create the empty component as the parent of the adopted policy.
      importFile = {
        resources: [
          { type: CORPORATE_DEVICE_ACCESS_TYPE, name: resourceName, component: true },
          { type: AZUREAD_POLICY_TYPE, name: `${resourceName}-untrusted-devices`, id: importIdOf(id), parent: resourceName },
        ],
      };
      importCommand = `pulumi import --file ${shellQuote(`${resourceName}.import.json`)}`;
      ctx.note("component-import", `save importFile as ${resourceName}.import.json: it adopts the policy as the component's child "${resourceName}-untrusted-devices"`);
    }
  } else {
    typescript = resourceSnippet(resourceName, resource, id);
    if (id) importCommand = `pulumi import ${shellQuote(AZUREAD_POLICY_TYPE)} ${shellQuote(resourceName)} ${shellQuote(importIdOf(id))}`;
  }
  if (!id) ctx.note("no-id", "the export has no id (a request body, not a tenant export): nothing to import, pulumi up creates the policy");

  return {
    errors: [],
    policy: {
      source,
      index,
      id,
      displayName,
      resourceName,
      kind: recognised.args ? ImportKind.Component : ImportKind.Resource,
      resource,
      component: recognised.args,
      partOf: undefined,
      importCommand,
      importFile,
      typescript,
      notes: ctx.notes,
    },
  };
}

/**
 * What a platform companion shares with its component's device policy (same users, apps, client
 * apps, state and control), as one string: sets compared case-insensitively, as the recogniser does.
 */
function scopeKey(p: ImportedPolicy): string {
  const set = (list: string[] | undefined) => [...new Set((list ?? []).map((v) => v.toLowerCase()))].sort().join(",");
  const r = p.resource;
  const u = r.conditions.users;
  return JSON.stringify([
    p.id === undefined,
    r.state,
    set(r.conditions.clientAppTypes),
    set(r.conditions.applications.includedApplications),
    set(r.conditions.applications.excludedApplications),
    set(u.includedUsers),
    set(u.excludedUsers),
    set(u.includedGroups),
    set(u.excludedGroups),
    set(u.includedRoles),
    set(u.excludedRoles),
    set(r.grantControls?.builtInControls),
  ]);
}

/**
 * CorporateDeviceAccess with `allowedPlatforms` declares two policies: the device one and one on
 * other platforms. When both are in the export, adopt them as one component.
 */
function mergePlatformCompanions(policies: ImportedPolicy[]): void {
  // Candidates by scope, so each component looks only at policies that can be its companion
  // (linear in the number of policies, not quadratic).
  const candidates = new Map<string, ImportedPolicy[]>();
  for (const q of policies) {
    const c = q.resource.conditions;
    if (q.kind !== ImportKind.Resource || c.devices || !c.platforms?.excludedPlatforms?.length) continue;
    const key = scopeKey(q);
    const bucket = candidates.get(key);
    if (bucket) bucket.push(q);
    else candidates.set(key, [q]);
  }
  if (candidates.size === 0) return;
  for (const main of policies) {
    if (main.kind !== ImportKind.Component || !main.component || main.component.allowedPlatforms) continue;
    const mainArgs = main.component;
    const companion = candidates
      .get(scopeKey(main))
      ?.find((q) => q !== main && q.kind === ImportKind.Resource && !q.id === !main.id && recognisePlatformCompanion(mainArgs, q.resource) !== undefined);
    if (!companion) continue;
    const { args: merged, displayName } = recognisePlatformCompanion(mainArgs, companion.resource)!;
    const child = `${main.resourceName}-other-platforms`;
    main.component = merged;
    main.typescript = componentSnippet(main.resourceName, merged);
    if (main.importFile && companion.id) {
      main.importFile.resources.push({ type: AZUREAD_POLICY_TYPE, name: child, id: importIdOf(companion.id), parent: main.resourceName });
    }
    main.notes.push({
      code: "platform-companion",
      message: `merged with "${companion.displayName}" (${companion.source} #${companion.index + 1}), which acts on platforms other than ${merged.allowedPlatforms!.join(", ")}: it becomes allowedPlatforms and the component's child "${child}"`,
    });
    companion.kind = ImportKind.Component;
    companion.partOf = main.resourceName;
    companion.typescript = `// declared by new CorporateDeviceAccess(${JSON.stringify(main.resourceName)}) as its child "${child}"`;
    companion.importCommand = main.importCommand;
    companion.notes.push({
      code: "platform-companion",
      message:
        `same shape as the platform policy of CorporateDeviceAccess "${main.resourceName}" (${main.source} #${main.index + 1}): adopted as its child "${child}"` +
        (displayName !== companion.displayName ? `; the first pulumi up renames it to "${displayName}"` : ""),
    });
  }
}

/**
 * Import the Conditional Access policies of one Graph export (bytes, text or parsed JSON), with
 * options or just the file name. Every policy is tried; those that cannot be imported are listed
 * in `errors` with the reason.
 */
export function importConditionalAccessPolicies(input: unknown, optionsOrSourceName: ImportOptions | string = {}): ImportResult {
  const options = typeof optionsOrSourceName === "string" ? { sourceName: optionsOrSourceName } : optionsOrSourceName;
  const source = options.sourceName ?? "<input>";
  let json: unknown;
  let encoding: ExportEncoding;
  try {
    ({ json, encoding } = readExport(input));
  } catch (err) {
    if (!(err instanceof ExportDecodeError)) throw err;
    const message = err.value === undefined ? err.message : `${err.message} (found ${err.value})`;
    return { files: [{ source, encoding: "unreadable" }], policies: [], errors: [{ source, index: undefined, policy: undefined, field: err.path, position: undefined, rule: undefined, message, fix: undefined }] };
  }
  const items = exportItems(json);
  const taken = options.takenResourceNames ?? new Set<string>();
  const result: ImportResult = { files: [{ source, encoding }], policies: [], errors: [] };
  if (items.length === 0) {
    result.errors.push({ source, index: undefined, policy: undefined, field: undefined, position: undefined, rule: undefined, message: "the export holds no policy", fix: undefined });
  }
  for (const item of items) {
    let outcome: { policy?: ImportedPolicy; errors: PolicyImportError[] };
    try {
      outcome = importOne(item.value, item.index, items.length, options, taken);
    } catch (err) {
      // A fault of this importer, not of the export: report it against the policy and go on.
      outcome = { errors: [internalError(source, item.index, err)] };
    }
    if (outcome.policy) result.policies.push(outcome.policy);
    for (const e of outcome.errors) result.errors.push(e);
  }
  mergePlatformCompanions(result.policies);
  return result;
}

/** Marks an error as the importer's own fault (tests assert no input produces one). */
export const INTERNAL_ERROR_PREFIX = "internal error of import-ca";

function internalError(source: string, index: number | undefined, err: unknown): PolicyImportError {
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : excerpt(err);
  return {
    source,
    index,
    policy: undefined,
    field: undefined,
    position: undefined,
    rule: undefined,
    message: `${INTERNAL_ERROR_PREFIX} (${excerpt(detail, 200)}): the ${index === undefined ? "file" : "policy"} was not imported`,
    fix: "report this to the maintainers of tenant-guardrails with the export (names and ids removed)",
  };
}

/** Import several export files in one run: resource names stay unique across files. */
export function importConditionalAccessFiles(files: ExportFile[], options: Omit<ImportOptions, "sourceName" | "takenResourceNames"> = {}): ImportResult {
  const taken = new Set<string>();
  const result: ImportResult = { files: [], policies: [], errors: [] };
  for (const file of files) {
    let one: ImportResult;
    try {
      if (file.sizeBytes !== undefined && file.sizeBytes > MAX_EXPORT_BYTES) throw exportTooLarge(file.sizeBytes);
      one = importConditionalAccessPolicies(file.content, { ...options, sourceName: file.name, takenResourceNames: taken });
    } catch (err) {
      const error =
        err instanceof ExportDecodeError
          ? { source: file.name, index: undefined, policy: undefined, field: err.path, position: undefined, rule: undefined, message: err.message, fix: undefined }
          : internalError(file.name, undefined, err);
      one = { files: [{ source: file.name, encoding: "unreadable" }], policies: [], errors: [error] };
    }
    for (const f of one.files) result.files.push(f);
    for (const p of one.policies) result.policies.push(p);
    for (const e of one.errors) result.errors.push(e);
  }
  mergePlatformCompanions(result.policies);
  return result;
}

/**
 * One `pulumi import --file` document adopting every imported policy that has an id: raw
 * resources by name, components with their children.
 */
export function combinedImportFile(policies: ImportedPolicy[]): ImportFile {
  const resources: ImportFile["resources"] = [];
  for (const p of policies) {
    if (p.partOf !== undefined || !p.id) continue; // a companion is adopted with its component
    if (p.importFile) resources.push(...p.importFile.resources);
    else resources.push({ type: AZUREAD_POLICY_TYPE, name: p.resourceName, id: importIdOf(p.id) });
  }
  return { resources };
}

// ---------------------------------------------------------------------------------------------
// azuread args -> Graph JSON (v1.0 shape, only what is set)

function guestsToGraph(list: PlainGuestsOrExternalUsers[] | undefined): Json | undefined {
  const g = list?.[0];
  if (!g) return undefined;
  const tenants = g.externalTenants?.[0];
  return compact({
    guestOrExternalUserTypes: g.guestOrExternalUserTypes.join(","),
    externalTenants: tenants
      ? compact({
          "@odata.type": tenants.membershipKind === "enumerated" ? "#microsoft.graph.conditionalAccessEnumeratedExternalTenants" : "#microsoft.graph.conditionalAccessAllExternalTenants",
          membershipKind: tenants.membershipKind,
          members: tenants.members,
        })
      : undefined,
  });
}

/** The Graph `conditionalAccessPolicy` body for azuread args: the inverse of the import. */
export function toGraphPolicy(plain: PlainConditionalAccessPolicy): Json {
  const c = plain.conditions;
  const u = c.users;
  const s = plain.sessionControls as Record<string, unknown> | undefined;
  const g = plain.grantControls;
  return compact({
    displayName: plain.displayName,
    state: plain.state,
    conditions: compact({
      applications: compact({
        includeApplications: c.applications.includedApplications,
        excludeApplications: c.applications.excludedApplications,
        includeUserActions: c.applications.includedUserActions,
        applicationFilter: c.applications.filter,
      }),
      users: compact({
        includeUsers: u.includedUsers,
        excludeUsers: u.excludedUsers,
        includeGroups: u.includedGroups,
        excludeGroups: u.excludedGroups,
        includeRoles: u.includedRoles,
        excludeRoles: u.excludedRoles,
        includeGuestsOrExternalUsers: guestsToGraph(u.includedGuestsOrExternalUsers),
        excludeGuestsOrExternalUsers: guestsToGraph(u.excludedGuestsOrExternalUsers),
      }),
      clientAppTypes: c.clientAppTypes,
      platforms: c.platforms ? compact({ includePlatforms: c.platforms.includedPlatforms, excludePlatforms: c.platforms.excludedPlatforms }) : undefined,
      locations: c.locations ? compact({ includeLocations: c.locations.includedLocations, excludeLocations: c.locations.excludedLocations }) : undefined,
      devices: c.devices ? { deviceFilter: { mode: c.devices.filter.mode, rule: c.devices.filter.rule } } : undefined,
      clientApplications: c.clientApplications
        ? compact({ includeServicePrincipals: c.clientApplications.includedServicePrincipals, excludeServicePrincipals: c.clientApplications.excludedServicePrincipals })
        : undefined,
      signInRiskLevels: c.signInRiskLevels,
      userRiskLevels: c.userRiskLevels,
      servicePrincipalRiskLevels: c.servicePrincipalRiskLevels,
      insiderRiskLevels: c.insiderRiskLevels,
      authenticationFlows: c.authenticationFlowTransferMethods ? { transferMethods: c.authenticationFlowTransferMethods.join(",") } : undefined,
    }),
    grantControls: g
      ? compact({
          operator: g.operator,
          builtInControls: g.builtInControls,
          customAuthenticationFactors: g.customAuthenticationFactors,
          termsOfUse: g.termsOfUses,
          authenticationStrength: g.authenticationStrengthPolicyId ? { id: g.authenticationStrengthPolicyId.slice(AUTHENTICATION_STRENGTH_PREFIX.length) } : undefined,
        })
      : undefined,
    sessionControls: s
      ? compact({
          applicationEnforcedRestrictions: s.applicationEnforcedRestrictionsEnabled ? { isEnabled: true } : undefined,
          cloudAppSecurity: s.cloudAppSecurityPolicy ? { isEnabled: true, cloudAppSecurityType: s.cloudAppSecurityPolicy } : undefined,
          persistentBrowser: s.persistentBrowserMode ? { isEnabled: true, mode: s.persistentBrowserMode } : undefined,
          signInFrequency:
            s.signInFrequency !== undefined || s.signInFrequencyInterval !== undefined
              ? compact({
                  isEnabled: true,
                  value: s.signInFrequency,
                  type: s.signInFrequencyPeriod,
                  frequencyInterval: s.signInFrequencyInterval,
                  authenticationType: s.signInFrequencyAuthenticationType,
                })
              : undefined,
          disableResilienceDefaults: s.disableResilienceDefaults === true ? true : undefined,
        })
      : undefined,
  });
}
