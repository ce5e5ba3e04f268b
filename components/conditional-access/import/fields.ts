/**
 * Field vocabularies (the provider's spelling of each enum) and the small checking helpers the
 * importer reads a Graph policy with: every problem is recorded on the policy's Context.
 */
import { excerpt } from "./decode";
import type { ImportNote } from "./import";

// ---------------------------------------------------------------------------------------------
// Field vocabularies: the provider's spelling of each enum (it compares case-sensitively).

export const STATES = ["enabled", "disabled", "enabledForReportingButNotEnforced"] as const;
export const CLIENT_APP_TYPES = ["all", "browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported", "other"] as const;
export const PLATFORMS = ["all", "android", "iOS", "linux", "macOS", "windows", "windowsPhone"] as const;
/** What an id field holds: object ids (GUIDs) and the keywords Graph allows in that field. */
export interface IdKind {
  /** "user object ids", for messages. */
  what: string;
  keywords: readonly string[];
  /** The nil GUID is a real id here (the legacy "MFA trusted IPs" named location). */
  nilGuid?: boolean;
}
export const ID = {
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

import { GUID } from "../../common/ids";
import { isEmptyValue, isJsonObject } from "../graph-policy/shape";
export { GUID };
export const NIL_GUID = "00000000-0000-0000-0000-000000000000";
export const BUILT_IN_CONTROLS = ["block", "mfa", "approvedApplication", "compliantApplication", "compliantDevice", "domainJoinedDevice", "passwordChange"] as const;
export const OPERATORS = ["AND", "OR"] as const;
export const RISK_LEVELS = ["low", "medium", "high", "hidden", "none", "unknownFutureValue"] as const;
export const INSIDER_RISK_LEVELS = ["minor", "moderate", "elevated", "unknownFutureValue"] as const;
export const GUEST_TYPES = ["none", "internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember", "b2bDirectConnectUser", "otherExternalUser", "serviceProvider", "unknownFutureValue"] as const;
export const MEMBERSHIP_KINDS = ["all", "enumerated", "unknownFutureValue"] as const;
export const TRANSFER_METHODS = ["authenticationTransfer", "deviceCodeFlow"] as const;
export const FILTER_MODES = ["include", "exclude"] as const;
export const CLOUD_APP_SECURITY = ["blockDownloads", "mcasConfigured", "monitorOnly", "unknownFutureValue"] as const;
export const BROWSER_MODES = ["always", "never"] as const;
export const FREQUENCY_PERIODS = ["hours", "days"] as const;
export const FREQUENCY_INTERVALS = ["timeBased", "everyTime"] as const;
export const FREQUENCY_AUTH_TYPES = ["primaryAndSecondaryAuthentication", "secondaryAuthentication"] as const;

/** Read-only or server-managed top-level fields: never part of the args. */
export const READ_ONLY_POLICY_KEYS = new Set(["id", "createdDateTime", "modifiedDateTime", "deletedDateTime", "templateId", "partialEnablementStrategy"]);

// ---------------------------------------------------------------------------------------------
// Small helpers

export type Json = Record<string, unknown>;

/** OData annotations (`@odata.type`, `x@odata.context`), actions (`#microsoft.graph.restore`), Simeon `$` keys. */
export function isAnnotationKey(key: string): boolean {
  return key.startsWith("#") || key.startsWith("$") || key.includes("@odata.") || key.startsWith("@");
}

/** A JSON object (not null, not an array). */
export const isObject: (v: unknown) => v is Json = isJsonObject;

/** A value read as text for an enum: strings as they are, null/undefined as "", anything else as an excerpt (never throws). */
export function asText(v: unknown): string {
  if (typeof v === "string") return v;
  return v === null || v === undefined ? "" : excerpt(v);
}

/** Graph treats null, [], "" and {} as "not configured"; annotations, `$`-prefixed keys included, aside. */
export function isEmpty(v: unknown): boolean {
  return isEmptyValue(v, isAnnotationKey);
}

export class PolicyProblem extends Error {
  /** Set when the problem is only that the azuread resource cannot express the setting (Graph can). */
  gap = false;
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

/** Values Graph accepts that the azuread provider does not (grant controls that exist only in Graph beta). */
export const GRAPH_ONLY_VALUES = ["riskRemediation", "compliantNetwork"] as const;

/** Collects every problem of one policy, so a user sees them all at once. */
export class Context {
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
  /** A setting Graph holds that the azuread resource cannot express: the policy may still import as a Graph-native resource. */
  gap(field: string, message: string, fix?: string): void {
    const p = new PolicyProblem(field, message, fix);
    p.gap = true;
    this.problems.push(p);
  }
}

/** A list field: null/missing -> [], array of strings kept in order, a comma string split in order. */
export function stringList(ctx: Context, field: string, value: unknown, splitCommas = false): string[] {
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
export function canonicalEnum<T extends string>(ctx: Context, field: string, value: string, allowed: readonly T[]): T | undefined {
  const found = allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase());
  if (!found) {
    const graphOnly = (GRAPH_ONLY_VALUES as readonly string[]).some((g) => g.toLowerCase() === value.trim().toLowerCase());
    if (graphOnly) ctx.gap(field, `${excerpt(value)} is a value Graph accepts but the azuread provider does not`, `use one of ${allowed.join(", ")}`);
    else ctx.problem(field, `${excerpt(value)} is not a value the azuread provider accepts`, `use one of ${allowed.join(", ")}`);
    return undefined;
  }
  if (found !== value) ctx.note("casing", `${field}: "${value}" written as "${found}" (the provider compares enum values case-sensitively)`);
  return found;
}

export function enumList<T extends string>(ctx: Context, field: string, value: unknown, allowed: readonly T[], splitCommas = false): T[] {
  return stringList(ctx, field, value, splitCommas)
    .map((v) => canonicalEnum(ctx, field, v, allowed))
    .filter((v): v is T => v !== undefined);
}

/**
 * One id: a keyword of the field (in provider casing, with a note when that changed the value)
 * or an object id (GUID, kept verbatim). Anything else is reported as an unresolved placeholder
 * at `path`, and undefined returned: a template value never reaches Graph as an id.
 */
export function checkId(ctx: Context, path: string, field: string, raw: unknown, kind: IdKind): string | undefined {
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
export function idList(ctx: Context, field: string, value: unknown, kind: IdKind): string[] {
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

export function optional<T>(list: T[]): T[] | undefined {
  return list.length > 0 ? list : undefined;
}

/** Drop undefined members so args (and their JSON) carry only what is set. */
export function compact<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) {
    const v = (obj as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = v; // keys are this module's own field names, never input
  }
  return out as T;
}

/** Keys of a Graph object that this importer does not know; non-empty ones become problems. */
export function rejectUnknown(ctx: Context, path: string, obj: Json, known: readonly string[]): void {
  for (const [key, value] of Object.entries(obj)) {
    if (isAnnotationKey(key) || known.includes(key) || isEmpty(value)) continue;
    ctx.gap(
      `${path}.${key}`,
      `${key} is set (${excerpt(value)}) but the azuread ConditionalAccessPolicy resource cannot express it, so importing would drop it`,
      "manage this policy outside Pulumi, or remove the setting in the tenant first if it is not needed",
    );
  }
}
