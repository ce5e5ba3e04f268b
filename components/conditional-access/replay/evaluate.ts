/**
 * The replay evaluator: every condition Conditional Access evaluates, over sign-ins read from the
 * logs, for policies in the Graph `conditionalAccessPolicy` shape. Pure core: no Pulumi, no I/O.
 *
 * Each condition answers 1 (matches), 0 (does not) or 2 (the sign-in lacks what it needs, or the
 * condition is not modelled). A policy applies when every condition matches; one condition that
 * does not match decides "not applied" whatever the others say; otherwise a 2 makes the policy's
 * verdict "not enough information". The semantics, rule by rule with their sources, are in
 * docs/design/conditional-access-evaluation.md.
 *
 * Policies are compiled once (sets built, device filters parsed); evaluating a sign-in allocates
 * nothing: results go into a caller's Uint16Array.
 */
import type * as Graph from "@microsoft/microsoft-graph-types";
import { DeviceFilter, DeviceFilterError, type FilterNode } from "../device-filter";
import { generatedExpression } from "../device-filter/codegen";
import type { InputProblem } from "../../errors";
import { PolicyState } from "../policy-shape";
import { inLocation, type NamedLocation } from "./locations";
import { DEVICE_PROP_BITS, type SignIn } from "./signin";

/** A Conditional Access policy in the Graph shape (what the replay evaluates). */
export type ReplayPolicy = Graph.ConditionalAccessPolicy;

/** The conditions, in the order they are checked; a result code carries the deciding one. */
export const Condition = {
  Users: 0,
  Applications: 1,
  ClientApps: 2,
  Platforms: 3,
  Locations: 4,
  SignInRisk: 5,
  UserRisk: 6,
  AuthenticationFlows: 7,
  Device: 8,
  Unmodelled: 9,
  Grant: 10,
  None: 15,
} as const;

export const CONDITION_NAMES = ["users", "applications", "clientAppTypes", "platforms", "locations", "signInRisk", "userRisk", "authenticationFlows", "device", "unmodelled", "grant"];

/** The sign-in fields each condition reads (named as in the Graph sign-in log), for reports. */
export const CONDITION_FIELDS: Readonly<Record<string, readonly string[]>> = {
  users: ["userId", "userType", "crossTenantAccessType", "homeTenantId", "groups (--groups)", "roles (--groups)"],
  applications: ["resourceId", "appId", "resourceOwnerTenantId", "authenticationContextClassReferences"],
  clientAppTypes: ["clientAppUsed"],
  platforms: ["deviceDetail.operatingSystem"],
  locations: ["ipAddress", "location.countryOrRegion", "networkLocationDetails", "named locations (--locations)"],
  signInRisk: ["riskLevelDuringSignIn"],
  userRisk: ["userRiskLevel"],
  authenticationFlows: ["originalTransferMethod", "authenticationProtocol"],
  device: ["deviceDetail.deviceId", "deviceDetail.trustType", "deviceDetail.isCompliant", "deviceDetail.displayName"],
  unmodelled: [],
  grant: ["deviceDetail.isCompliant", "deviceDetail.trustType"],
};

/** A policy's verdict for one sign-in: the low 3 bits of a result code. */
export const Verdict = {
  NotApplied: 0,
  /** Applies and blocks: `block`, or device grant controls the sign-in's device cannot satisfy. */
  Block: 1,
  /** Applies and requires controls the log cannot judge (MFA, authentication strength, ...), or device controls it satisfies. */
  Grant: 2,
  /** Applies with no grant controls (session controls only). */
  Allow: 3,
  /** Not enough information. */
  Unknown: 4,
} as const;

export const VERDICT_NAMES = ["notApplied", "block", "grant", "allow", "unknown"] as const;
export type VerdictName = (typeof VERDICT_NAMES)[number];

/** The outcome of a sign-in over all policies. */
export const Outcome = { Allow: 0, Grant: 1, Unknown: 2, Block: 3 } as const;
export const OUTCOME_NAMES = ["allow", "grant", "unknown", "block"] as const;
export type OutcomeName = (typeof OUTCOME_NAMES)[number];

export function verdictOf(code: number): number {
  return code & 7;
}
export function conditionOf(code: number): number {
  return code >> 3;
}

type CondFn = (s: SignIn) => number;

/**
 * A condition written into its policy's generated evaluator rather than called: statements that
 * set `r` (1, 0, 2) from the sign-in `s`, built only from fixed text of this file, integers and
 * parameter names. Every value it needs (sets, lists, helpers) goes through `k`, which passes the
 * value in as a parameter and returns its name, so no policy data enters the source. Scratch
 * variables: `x`, `e`.
 */
interface InlineCond {
  inline(k: (value: unknown) => string): string;
}

/** A compiled condition: a closure, or code for the policy's evaluator (the common shapes). */
type Cond = CondFn | InlineCond;

/** `r = <set>.has(x) ? 1 : 0` after reading `x` from a sign-in field: 2 when the log lacks it. */
function inlineLookup(field: string, set: ReadonlySet<string>): InlineCond {
  return { inline: (k) => `x = s.${field}; r = x === undefined ? 2 : ${k(set)}.has(x) ? 1 : 0;` };
}

export interface CompiledReplayPolicy {
  index: number;
  id: string | undefined;
  displayName: string;
  state: string;
  enabled: boolean;
  /** Grant controls as written, e.g. "block", "mfa AND compliantDevice". */
  controls: string;
  /** Whether the policy has grant controls at all (an unknown verdict can change the outcome). */
  hasGrant: boolean;
  /** The conditions it sets that the evaluator does not model (always "not enough information"). */
  unmodelled: readonly string[];
  /** The result code for a sign-in: verdict | condition << 3. */
  evaluate(s: SignIn): number;
}

/** Facts from outside the log the evaluator needs when policies use them. */
export interface ReplayContext {
  /** Named locations (`--locations`). Without them, a policy naming a location gives "not enough information". */
  locations?: readonly NamedLocation[];
  /** Groups and roles whose complete membership is known (`--groups`). */
  completeGroups?: ReadonlySet<string>;
  completeRoles?: ReadonlySet<string>;
}

/** Microsoft's own tenant: it owns the first-party apps (the Office 365 app group is drawn from them). */
export const MICROSOFT_TENANT_ID = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

/**
 * Resource app ids in the Office 365 app group. Microsoft lists the group's apps by name, not id;
 * these are the well-known ids of the main ones. A first-party app outside this list is "not
 * enough information" for an Office365 condition, never assumed out of it.
 */
export const OFFICE365_APP_IDS: ReadonlySet<string> = new Set([
  "00000002-0000-0ff1-ce00-000000000000", // Office 365 Exchange Online
  "00000003-0000-0ff1-ce00-000000000000", // Office 365 SharePoint Online
  "00000004-0000-0ff1-ce00-000000000000", // Skype for Business Online
  "00000005-0000-0ff1-ce00-000000000000", // Office 365 Yammer
  "00000006-0000-0ff1-ce00-000000000000", // Microsoft Office 365 Portal
  "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", // Microsoft Teams Services
  "4765445b-32c6-49b0-83e6-1d93765276ca", // OfficeHome
  "c9a559d2-7aab-4f13-a6ed-e7e9c52aec87", // Microsoft Forms
  "2d4d3d8e-2be3-4bef-9f87-7875a61c29de", // OneNote
]);

const GUEST_TYPES = ["internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember", "b2bDirectConnectUser", "otherExternalUser", "serviceProvider"];
const CLIENT_APP_TYPES = ["all", "browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported", "other"];
const PLATFORMS = ["all", "android", "iOS", "windows", "windowsPhone", "macOS", "linux"];
const RISK_LEVELS = ["low", "medium", "high", "none"];
const TRANSFER_METHODS = ["deviceCodeFlow", "authenticationTransfer"];
const CONTROLS = ["block", "mfa", "compliantDevice", "domainJoinedDevice", "approvedApplication", "compliantApplication", "passwordChange"];

// Three-valued logic over 0 (no), 1 (yes), 2 (unknown).
function or3(a: number, b: number): number {
  return a === 1 || b === 1 ? 1 : a | b;
}
function not3(a: number): number {
  return a === 2 ? 2 : 1 - a;
}
function and3(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return a === 2 || b === 2 ? 2 : 1;
}

function lowerList(values: readonly (string | null | undefined)[] | null | undefined): string[] {
  return (values ?? []).filter((v): v is string => typeof v === "string").map((v) => v.toLowerCase());
}

function splitList(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(splitList);
  if (typeof value === "string") return value.split(",").map((v) => v.trim()).filter((v) => v !== "");
  return [];
}

/** A sign-in's group (or role) membership among `ids`: 1 member of one, 0 of none, 2 unknown. */
function membership(ids: readonly string[], known: readonly boolean[], set: ReadonlySet<string> | undefined, complete: boolean): number {
  if (ids.length === 0) return 0;
  if (set === undefined) return 2;
  let r = 0;
  for (let i = 0; i < ids.length; i++) {
    if (set.has(ids[i])) return 1;
    if (!complete && !known[i]) r = 2;
  }
  return r;
}

interface GuestMatcher {
  any: boolean;
  types: ReadonlySet<string>;
  allTenants: boolean;
  tenants: ReadonlySet<string>;
}

function guestMatcher(g: Graph.ConditionalAccessGuestsOrExternalUsers | null | undefined): GuestMatcher | undefined {
  if (!g) return undefined;
  const types = new Set(splitList(g.guestOrExternalUserTypes));
  if (types.size === 0) return undefined;
  const t = g.externalTenants as (Graph.ConditionalAccessExternalTenants & { members?: string[] }) | null | undefined;
  const odataAll = String((t as Record<string, unknown> | undefined)?.["@odata.type"] ?? "").endsWith("AllExternalTenants");
  const allTenants = !t || t.membershipKind === "all" || odataAll;
  return { any: false, types, allTenants, tenants: new Set(lowerList(t?.members)) };
}

/** Whether a sign-in's user is one of the guest kinds: 1, 0, or 2 (the log does not say the kind or home tenant). */
function guestMatch(m: GuestMatcher | undefined, s: SignIn): number {
  if (m === undefined) return 0;
  const kind = s.guestKind;
  if (kind === undefined) return 2;
  if (kind === "member") return 0;
  if (m.any) return 1;
  if (!m.types.has(kind)) return 0;
  if (m.allTenants || kind === "internalGuest") return 1;
  if (s.homeTenantId === undefined) return 2;
  return m.tenants.has(s.homeTenantId) ? 1 : 0;
}

function compileUsers(u: Graph.ConditionalAccessUsers | null | undefined, hasClientApplications: boolean, ctx: ReplayContext): Cond | undefined {
  const includeUsers = lowerList(u?.includeUsers);
  const excludeUsers = lowerList(u?.excludeUsers);
  const all = includeUsers.includes("all");
  const none = includeUsers.includes("none");
  const incIds = new Set(includeUsers.filter((x) => x !== "all" && x !== "none" && x !== "guestsorexternalusers"));
  const excIds = new Set(excludeUsers.filter((x) => x !== "guestsorexternalusers"));
  const anyGuest = { any: true, types: new Set<string>(), allTenants: true, tenants: new Set<string>() };
  const incGuests = guestMatcher(u?.includeGuestsOrExternalUsers) ?? (includeUsers.includes("guestsorexternalusers") ? anyGuest : undefined);
  const excGuests = guestMatcher(u?.excludeGuestsOrExternalUsers) ?? (excludeUsers.includes("guestsorexternalusers") ? anyGuest : undefined);
  const incGroups = lowerList(u?.includeGroups);
  const excGroups = lowerList(u?.excludeGroups);
  const incRoles = lowerList(u?.includeRoles);
  const excRoles = lowerList(u?.excludeRoles);
  const knownGroup = (ids: string[]) => ids.map((g) => ctx.completeGroups?.has(g) === true);
  const incGroupsKnown = knownGroup(incGroups);
  const excGroupsKnown = knownGroup(excGroups);
  const knownRole = (ids: string[]) => ids.map((r) => ctx.completeRoles?.has(r) === true);
  const incRolesKnown = knownRole(incRoles);
  const excRolesKnown = knownRole(excRoles);
  const spResult = hasClientApplications ? 2 : 0;
  const exclusions = excIds.size > 0 || excGuests !== undefined || excGroups.length > 0 || excRoles.length > 0;
  // User conditions target users; a workload identity is targeted through clientApplications (not modelled).
  // Written into the evaluator with only the parts the policy sets: a part left out answers 0,
  // which or3 ignores; the include side is 1 for "all" and 0 for "none".
  return {
    inline: (k) => {
      const lines = [`if (s.isServicePrincipal) r = ${spResult};`, "else {"];
      const side = (v: string, ids: ReadonlySet<string>, guests: GuestMatcher | undefined, groups: string[], groupsKnown: boolean[], roles: string[], rolesKnown: boolean[]) => {
        lines.push(ids.size > 0 ? `  x = s.userId; ${v} = x === undefined ? 2 : ${k(ids)}.has(x) ? 1 : 0;` : `  ${v} = 0;`);
        if (guests !== undefined) lines.push(`  if (${v} !== 1) ${v} = ${k(or3)}(${v}, ${k(guestMatch)}(${k(guests)}, s));`);
        if (groups.length > 0) lines.push(`  if (${v} !== 1) ${v} = ${k(or3)}(${v}, ${k(membership)}(${k(groups)}, ${k(groupsKnown)}, s.groups, s.groupsComplete));`);
        if (roles.length > 0) lines.push(`  if (${v} !== 1) ${v} = ${k(or3)}(${v}, ${k(membership)}(${k(roles)}, ${k(rolesKnown)}, s.roles, s.rolesComplete));`);
      };
      if (none) lines.push("  r = 0;");
      else {
        if (all) lines.push("  r = 1;");
        else side("r", incIds, incGuests, incGroups, incGroupsKnown, incRoles, incRolesKnown);
        if (exclusions) {
          lines.push("  if (r !== 0) {");
          side("e", excIds, excGuests, excGroups, excGroupsKnown, excRoles, excRolesKnown);
          // and3(r, not3(e)) with r 1 or 2.
          lines.push("  if (e === 1) r = 0; else if (e === 2) r = 2;", "  }");
        }
      }
      lines.push("}");
      return lines.join("\n");
    },
  };
}

/** Whether the sign-in's resource is one of `ids` or in the named app group: 1, 0, 2. */
function appIn(ids: ReadonlySet<string>, office365: boolean, otherGroup: boolean, s: SignIn): number {
  const target = s.resourceId ?? s.appId;
  if (target === undefined) return ids.size > 0 || office365 || otherGroup ? 2 : 0;
  if (ids.has(target)) return 1;
  let r = 0;
  if (office365) {
    if (OFFICE365_APP_IDS.has(target)) return 1;
    // Only Microsoft's first-party apps are in the Office 365 group.
    if (s.resourceOwnerTenantId === undefined || s.resourceOwnerTenantId === MICROSOFT_TENANT_ID) r = 2;
  }
  if (otherGroup) r = 2;
  return r;
}

function compileApplications(a: Graph.ConditionalAccessApplications | null | undefined): Cond | undefined {
  const actions = new Set(lowerList(a?.includeUserActions));
  if (actions.size > 0) return inlineLookup("userAction", actions);
  const contexts = new Set(lowerList(a?.includeAuthenticationContextClassReferences));
  const include = lowerList(a?.includeApplications);
  const exclude = lowerList(a?.excludeApplications);
  const keywords = new Set(["all", "none", "office365"]);
  const group = (x: string) => !keywords.has(x) && !/^[0-9a-f-]{36}$/.test(x);
  const all = include.includes("all");
  const none = include.includes("none");
  const incIds = new Set(include.filter((x) => !keywords.has(x)));
  const excIds = new Set(exclude.filter((x) => !keywords.has(x)));
  const incO365 = include.includes("office365");
  const excO365 = exclude.includes("office365");
  const incOther = include.some(group);
  const excOther = exclude.some(group);
  if (all && exclude.length === 0) return undefined;
  if (!all && !none && incIds.size > 0 && contexts.size === 0 && exclude.length === 0 && !incO365 && !incOther) {
    // Only app ids: one set lookup.
    return { inline: (k) => `x = s.resourceId; if (x === undefined) x = s.appId; r = x === undefined ? 2 : ${k(incIds)}.has(x) ? 1 : 0;` };
  }
  return (s) => {
    let inc: number;
    if (all) inc = 1;
    else if (none && contexts.size === 0) inc = 0;
    else inc = appIn(incIds, incO365, incOther, s);
    if (inc !== 1 && contexts.size > 0) {
      let ctx = 0;
      if (s.authContexts === undefined) ctx = 2;
      else for (let i = 0; i < s.authContexts.length; i++) if (contexts.has(s.authContexts[i])) ctx = 1;
      inc = or3(inc, ctx);
    }
    if (inc === 0) return 0;
    return and3(inc, not3(appIn(excIds, excO365, excOther, s)));
  };
}

function compileClientApps(types: readonly string[] | undefined): Cond | undefined {
  const set = new Set((types ?? []).map((t) => (t === "easSupported" ? "exchangeActiveSync" : t)));
  if (set.size === 0 || set.has("all")) return undefined;
  return inlineLookup("clientAppType", set);
}

function compilePlatforms(p: Graph.ConditionalAccessPlatforms | null | undefined): Cond | undefined {
  if (!p) return undefined;
  const include = new Set((p.includePlatforms ?? []) as string[]);
  const exclude = new Set((p.excludePlatforms ?? []) as string[]);
  const all = include.has("all");
  if (all && exclude.size === 0) return undefined;
  // An OS Entra does not list is included only by "all" and never excluded (UNVERIFIED, the reading that blocks more).
  return {
    inline: (k) =>
      `x = s.platform; r = x === undefined ? 2 : ${all ? "" : `!${k(include)}.has(x) ? 0 : `}${exclude.size > 0 ? `${k(exclude)}.has(x) ? 0 : ` : ""}1;`,
  };
}

function compileLocations(l: Graph.ConditionalAccessLocations | null | undefined, ctx: ReplayContext): Cond | undefined {
  if (!l) return undefined;
  const include = lowerList(l.includeLocations);
  const exclude = lowerList(l.excludeLocations);
  if (include.length === 0 && exclude.length === 0) return undefined;
  const table = new Map((ctx.locations ?? []).map((loc) => [loc.id, loc]));
  const trustedLocations = (ctx.locations ?? []).filter((loc) => loc.isTrusted);
  const trusted = (s: SignIn): number => {
    if (ctx.locations) {
      let r = 0;
      for (const loc of trustedLocations) r = or3(r, inLocation(loc, s));
      // Without a match in the export, fall back on what the log says (it also knows MFA trusted IPs).
      return r === 1 || s.trustedNetwork === undefined ? r : s.trustedNetwork ? 1 : r;
    }
    return s.trustedNetwork === undefined ? 2 : s.trustedNetwork ? 1 : 0;
  };
  // Written into the evaluator: each side an or3 over its locations, a named location tested in place.
  const side = (v: string, ids: string[], k: (value: unknown) => string): string[] => {
    if (ids.includes("all")) return [`${v} = 1;`];
    const lines = [`${v} = 0;`];
    for (const id of ids) {
      const loc = table.get(id);
      // A location not in the --locations export (or no export) is "not enough information".
      const part = id === "alltrusted" ? `${k(trusted)}(s)` : loc ? `${k(inLocation)}(${k(loc)}, s)` : "2";
      lines.push(`if (${v} !== 1) { x = ${part}; ${v} = x === 1 ? 1 : ${v} | x; }`);
    }
    return lines;
  };
  return {
    inline: (k) =>
      [
        ...(include.length ? side("r", include, k) : ["r = 1;"]),
        ...(exclude.length ? ["if (r !== 0) {", ...side("e", exclude, k).map((l) => `  ${l}`), "  if (e === 1) r = 0; else if (e === 2) r = 2;", "}"] : []),
      ].join("\n"),
  };
}

function compileRisk(levels: readonly string[] | null | undefined, field: "signInRisk" | "userRisk"): Cond | undefined {
  const set = new Set(levels ?? []);
  if (set.size === 0) return undefined;
  // "hidden" and "unknownFutureValue" say nothing about the level.
  return { inline: (k) => `x = s.${field}; r = x === undefined || x === "hidden" || x === "unknownFutureValue" ? 2 : ${k(set)}.has(x) ? 1 : 0;` };
}

function compileFlows(f: Graph.ConditionalAccessAuthenticationFlows | null | undefined): Cond | undefined {
  const set = new Set(splitList(f?.transferMethods));
  if (set.size === 0) return undefined;
  return inlineLookup("transferMethod", set);
}

/** Bit for a filter property the log never carries (extension attributes, model, ...). */
const NOT_IN_LOG = 1 << 10;

/**
 * A device filter condition, written into the policy's generated evaluator: the rule as the
 * device filter's code generator writes it (generatedExpression), tested in place.
 */
interface DeviceCond {
  ast: FilterNode;
  /** DEVICE_PROP_BITS the rule reads (NOT_IN_LOG for a property no log carries). */
  need: number;
  /** The filter's answer for the condition ("include" mode: the rule; "exclude": its negation). */
  include: boolean;
  /** The condition's result for an unregistered device (every property *none*). */
  unregistered: number;
}

function compileDevice(filter: DeviceFilter, include: boolean): DeviceCond {
  let need = 0;
  for (const c of filter.comparisons) need |= DEVICE_PROP_BITS[c.property] ?? NOT_IN_LOG;
  return { ast: filter.ast, need, include, unregistered: filter.matches(null) === include ? 1 : 0 };
}

/** Whether the sign-in's device satisfies a device grant control: 1, 0, 2. */
function deviceControl(control: string, s: SignIn): number {
  if (s.device === undefined) return 2;
  if (s.device === null) return 0;
  if (control === "compliantDevice") return s.isCompliant === undefined ? 2 : s.isCompliant ? 1 : 0;
  return s.trustType === undefined ? 2 : s.trustType === "ServerAD" ? 1 : 0;
}

/** A policy's grant: a fixed verdict (a number, written into the evaluator) or one that depends on the device. */
function compileGrant(g: Graph.ConditionalAccessGrantControls | null | undefined): { grant: ((s: SignIn) => number) | number; controls: string; hasGrant: boolean } {
  const builtIn = (g?.builtInControls ?? []) as string[];
  if (builtIn.includes("block")) return { grant: Verdict.Block, controls: "block", hasGrant: true };
  const strength = g?.authenticationStrength as { id?: string; displayName?: string } | null | undefined;
  const others = [
    ...builtIn,
    ...(strength ? [`authenticationStrength:${strength.displayName ?? strength.id ?? "?"}`] : []),
    ...(g?.termsOfUse ?? []).map((t) => `termsOfUse:${t}`),
    ...(g?.customAuthenticationFactors ?? []).map((c) => `custom:${c}`),
  ];
  if (others.length === 0) return { grant: Verdict.Allow, controls: "", hasGrant: false };
  const and = String(g?.operator ?? "OR").toUpperCase() === "AND";
  const device = others.filter((c) => c === "compliantDevice" || c === "domainJoinedDevice");
  const judgeable = device.length === others.length;
  const controls = others.join(and ? " AND " : " OR ");
  if (device.length === 0) return { grant: Verdict.Grant, controls, hasGrant: true };
  return {
    controls,
    hasGrant: true,
    grant: (s) => {
      let r = and ? 1 : 0;
      for (let i = 0; i < device.length; i++) {
        const v = deviceControl(device[i], s);
        r = and ? and3(r, v) : or3(r, v);
      }
      // AND: a device control the device fails blocks; OR: blocks only when every alternative is a failed device control.
      if (r === 0 && (and || judgeable)) return Verdict.Block;
      if (r === 2 && (and || judgeable)) return Verdict.Unknown;
      return Verdict.Grant;
    },
  };
}

/**
 * Check a policy's shape and values (the Graph enums) before compiling it; every problem found,
 * each naming the field, the value and the fix.
 */
export function normaliseReplayPolicy(policy: ReplayPolicy, where = "policy"): { value?: ReplayPolicy; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const c = policy.conditions;
  const oneOf = (field: string, values: unknown, allowed: string[], fix: string) => {
    for (const [i, v] of splitList(values).entries()) if (!allowed.includes(v)) problems.push({ field: `${where}.${field}[${i}]`, value: v, problem: `not one of ${allowed.join(", ")}`, fix });
  };
  if (typeof policy.displayName !== "string" || policy.displayName === "") problems.push({ field: `${where}.displayName`, value: policy.displayName, problem: "a policy needs a display name", fix: "set displayName" });
  if (!Object.values(PolicyState).includes(policy.state as PolicyState)) {
    problems.push({ field: `${where}.state`, value: policy.state, problem: "not a policy state", fix: `use one of ${Object.values(PolicyState).join(", ")}` });
  }
  if (!c) problems.push({ field: `${where}.conditions`, value: c, problem: "a policy needs conditions", fix: "set conditions.users and conditions.applications" });
  else {
    if (!c.users && !c.clientApplications) problems.push({ field: `${where}.conditions.users`, value: undefined, problem: "neither users nor clientApplications is set", fix: 'set conditions.users, e.g. { includeUsers: ["All"] }' });
    oneOf("conditions.clientAppTypes", c.clientAppTypes, CLIENT_APP_TYPES, "use the Graph spelling (e.g. mobileAppsAndDesktopClients)");
    oneOf("conditions.platforms.includePlatforms", c.platforms?.includePlatforms, PLATFORMS, "use the Graph spelling (e.g. iOS, macOS)");
    oneOf("conditions.platforms.excludePlatforms", c.platforms?.excludePlatforms, PLATFORMS, "use the Graph spelling (e.g. iOS, macOS)");
    oneOf("conditions.signInRiskLevels", c.signInRiskLevels, RISK_LEVELS, "use low, medium, high or none");
    oneOf("conditions.userRiskLevels", c.userRiskLevels, RISK_LEVELS, "use low, medium, high or none");
    oneOf("conditions.authenticationFlows.transferMethods", c.authenticationFlows?.transferMethods, TRANSFER_METHODS, "use deviceCodeFlow or authenticationTransfer");
    oneOf("conditions.users.includeGuestsOrExternalUsers.guestOrExternalUserTypes", c.users?.includeGuestsOrExternalUsers?.guestOrExternalUserTypes, GUEST_TYPES, "use the Graph guest kinds");
    oneOf("conditions.users.excludeGuestsOrExternalUsers.guestOrExternalUserTypes", c.users?.excludeGuestsOrExternalUsers?.guestOrExternalUserTypes, GUEST_TYPES, "use the Graph guest kinds");
    const rule = c.devices?.deviceFilter?.rule;
    if (typeof rule === "string") {
      try {
        DeviceFilter.parse(rule);
      } catch (err) {
        if (!(err instanceof DeviceFilterError)) throw err;
        problems.push({ field: `${where}.conditions.devices.deviceFilter.rule`, value: rule, problem: err.message, fix: "correct the rule (tenant-guardrails filter check shows where)" });
      }
    }
  }
  oneOf("grantControls.builtInControls", policy.grantControls?.builtInControls, CONTROLS, "use the Graph control names");
  return problems.length ? { problems } : { value: policy, problems };
}

/** Compile one Graph-shaped policy (already normalised). */
export function compileReplayPolicy(policy: ReplayPolicy, index: number, ctx: ReplayContext = {}): CompiledReplayPolicy {
  const c = policy.conditions ?? {};
  const conds: Cond[] = [];
  const kinds: number[] = [];
  const add = (kind: number, cond: Cond | undefined) => {
    if (cond) {
      conds.push(cond);
      kinds.push(kind);
    }
  };
  const hasClientApplications = !!c.clientApplications && ((c.clientApplications.includeServicePrincipals ?? []).length > 0 || !!c.clientApplications.servicePrincipalFilter);
  add(Condition.Users, compileUsers(c.users, hasClientApplications, ctx));
  add(Condition.Applications, compileApplications(c.applications));
  add(Condition.ClientApps, compileClientApps(c.clientAppTypes as string[] | undefined));
  add(Condition.Platforms, compilePlatforms(c.platforms));
  add(Condition.Locations, compileLocations(c.locations, ctx));
  add(Condition.SignInRisk, compileRisk(c.signInRiskLevels as string[] | undefined, "signInRisk"));
  add(Condition.UserRisk, compileRisk(c.userRiskLevels as string[] | undefined, "userRisk"));
  add(Condition.AuthenticationFlows, compileFlows(c.authenticationFlows));
  const filter = c.devices?.deviceFilter;
  const device = filter?.rule ? compileDevice(DeviceFilter.parse(filter.rule), filter.mode !== "exclude") : undefined;

  const raw = c as Record<string, unknown>;
  const deviceConds = (c.devices ?? {}) as Record<string, unknown>;
  const unmodelled = [
    ...(c.applications?.applicationFilter ? ["applications.applicationFilter"] : []),
    ...(c.insiderRiskLevels ? ["insiderRiskLevels"] : []),
    ...((c.servicePrincipalRiskLevels ?? []).length ? ["servicePrincipalRiskLevels"] : []),
    ...(["includeDevices", "excludeDevices", "includeDeviceStates", "excludeDeviceStates"].filter((k) => Array.isArray(deviceConds[k]) && (deviceConds[k] as unknown[]).length > 0).map((k) => `devices.${k}`)),
    ...(raw.deviceStates ? ["deviceStates"] : []),
    ...(raw.times ? ["times"] : []),
  ];
  const hasUnmodelled = unmodelled.length > 0;

  const { grant, controls, hasGrant } = compileGrant(policy.grantControls);
  return {
    index,
    id: typeof policy.id === "string" && policy.id ? policy.id.toLowerCase() : undefined,
    displayName: policy.displayName ?? `policy ${index}`,
    state: policy.state ?? "",
    enabled: policy.state === PolicyState.Enabled,
    controls,
    hasGrant,
    unmodelled,
    evaluate: policyEvaluator(conds, kinds, device, hasUnmodelled, grant),
  };
}

/**
 * One evaluator function per policy, its conditions called in a fixed order from call sites of
 * its own (generated code holding only the condition count and kinds, no policy data): each call
 * site sees one closure, so V8 keeps it monomorphic and can inline it, where a shared loop over
 * every policy's conditions goes megamorphic. The common conditions, the device filter (as the
 * device filter's code generator writes a rule) and fixed grant verdicts are written into the
 * function itself; an unmodelled condition is a constant.
 */
function policyEvaluator(conds: Cond[], kinds: number[], device: DeviceCond | undefined, unmodelled: boolean, grant: ((s: SignIn) => number) | number): (s: SignIn) => number {
  const values: unknown[] = [];
  const k = (value: unknown): string => {
    values.push(value);
    return `k${values.length - 1}`;
  };
  const lines = ["return function evaluate(s) {", "  var r, d, t, x, e, u = -1;"];
  let first = true;
  const check = (kind: number) => {
    // The first condition that cannot decide names the verdict; before the first check none has.
    lines.push(`  if (r === 0) return ${Verdict.NotApplied | (kind << 3)};`, `  if (r === 2${first ? "" : " && u < 0"}) u = ${kind};`);
    first = false;
  };
  conds.forEach((cond, i) => {
    if (typeof cond === "function") lines.push(`  r = ${k(cond)}(s);`);
    else lines.push(...cond.inline(k).split("\n").filter((l) => l !== "").map((l) => `  ${l}`));
    check(kinds[i] | 0);
  });
  if (device) {
    const yes = device.include ? "1 : 0" : "0 : 1";
    lines.push(
      "  d = s.device;",
      `  if (d === undefined) r = 2;`,
      `  else if (d === null) r = ${device.unregistered | 0};`,
      `  else if ((${device.need | 0} & ~s.deviceProps) !== 0) r = 2;`,
      `  else r = ${generatedExpression(device.ast, k)} ? ${yes};`,
    );
    check(Condition.Device);
  }
  if (unmodelled) lines.push(`  if (u < 0) u = ${Condition.Unmodelled};`);
  lines.push(`  if (u >= 0) return ${Verdict.Unknown} | (u << 3);`);
  const grantCode = (v: number) => v | ((v === Verdict.Block || v === Verdict.Unknown ? Condition.Grant : Condition.None) << 3);
  if (typeof grant === "number") lines.push(`  return ${grantCode(grant) | 0};`);
  else lines.push(`  r = ${k(grant)}(s);`, `  return r | ((r === ${Verdict.Block} || r === ${Verdict.Unknown} ? ${Condition.Grant} : ${Condition.None}) << 3);`);
  lines.push("};");
  const make = new Function(...values.map((_, i) => `k${i}`), lines.join("\n")) as (...values: unknown[]) => (s: SignIn) => number;
  return make(...values);
}

export interface CompiledPolicySet {
  policies: readonly CompiledReplayPolicy[];
}

/** Compile the policies that Entra evaluates (enabled and report-only; disabled ones are left out). */
export function compileReplayPolicies(policies: readonly ReplayPolicy[], ctx: ReplayContext = {}): CompiledReplayPolicy[] {
  return policies.filter((p) => p.state !== PolicyState.Disabled).map((p, i) => compileReplayPolicy(p, i, ctx));
}

/**
 * Evaluate a sign-in: each policy's result code into `out` (length >= policies), and the outcome
 * with enabled policies only (low 2 bits) and with report-only policies enforced too (bits 2-3).
 */
export function evaluateSignIn(policies: readonly CompiledReplayPolicy[], s: SignIn, out: Uint16Array): number {
  let enforced = Outcome.Allow as number;
  let all = Outcome.Allow as number;
  let enforcedUnknown = false;
  let allUnknown = false;
  for (let i = 0; i < policies.length; i++) {
    const p = policies[i];
    const code = p.evaluate(s);
    out[i] = code;
    const v = code & 7;
    if (v === Verdict.NotApplied || v === Verdict.Allow) continue;
    if (v === Verdict.Block) {
      all = Outcome.Block;
      if (p.enabled) enforced = Outcome.Block;
    } else if (v === Verdict.Grant) {
      if (all === Outcome.Allow) all = Outcome.Grant;
      if (p.enabled && enforced === Outcome.Allow) enforced = Outcome.Grant;
    } else if (p.hasGrant) {
      allUnknown = true;
      if (p.enabled) enforcedUnknown = true;
    }
  }
  // Not enough information about a policy with grant controls leaves the outcome open, unless another policy blocks.
  if (allUnknown && all !== Outcome.Block) all = Outcome.Unknown;
  if (enforcedUnknown && enforced !== Outcome.Block) enforced = Outcome.Unknown;
  return enforced | (all << 2);
}
