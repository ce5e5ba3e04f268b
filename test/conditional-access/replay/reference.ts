/**
 * A second, straightforward implementation of the replay semantics (docs/design/conditional-access-evaluation.md),
 * written from the table rather than from the evaluator: plain arrays, `includes`, and answers
 * "yes" / "no" / "unknown". Slow and obvious on purpose; the property test compares the two.
 */
import { DeviceFilter } from "../../../components/conditional-access/device-filter";
import type { NamedLocation, ReplayPolicy, SignIn } from "../../../components/conditional-access/replay";

type Tri = "yes" | "no" | "unknown";

const anyOf = (parts: Tri[]): Tri => (parts.includes("yes") ? "yes" : parts.includes("unknown") ? "unknown" : "no");
const allOf = (parts: Tri[]): Tri => (parts.includes("no") ? "no" : parts.includes("unknown") ? "unknown" : "yes");
const not = (t: Tri): Tri => (t === "yes" ? "no" : t === "no" ? "yes" : "unknown");
const lc = (xs: readonly string[] | null | undefined) => (xs ?? []).map((x) => x.toLowerCase());
const split = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap(split) : typeof v === "string" ? v.split(",").map((x) => x.trim()).filter(Boolean) : []);

const O365 = ["00000002-0000-0ff1-ce00-000000000000", "00000003-0000-0ff1-ce00-000000000000", "00000004-0000-0ff1-ce00-000000000000", "00000005-0000-0ff1-ce00-000000000000", "00000006-0000-0ff1-ce00-000000000000", "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", "4765445b-32c6-49b0-83e6-1d93765276ca", "c9a559d2-7aab-4f13-a6ed-e7e9c52aec87", "2d4d3d8e-2be3-4bef-9f87-7875a61c29de"];
const MICROSOFT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

export interface ReferenceContext {
  locations?: NamedLocation[];
  completeGroups?: ReadonlySet<string>;
  completeRoles?: ReadonlySet<string>;
}

function member(ids: string[], set: ReadonlySet<string> | undefined, complete: boolean, known: ReadonlySet<string> | undefined): Tri {
  if (ids.length === 0) return "no";
  if (!set) return "unknown";
  return anyOf(ids.map((id) => (set.has(id) ? "yes" : complete || known?.has(id) ? "no" : "unknown")));
}

function guests(g: { guestOrExternalUserTypes?: unknown; externalTenants?: { membershipKind?: string | null; members?: string[] } | null } | null | undefined, s: SignIn, legacy: boolean): Tri {
  if (!g && !legacy) return "no";
  if (s.guestKind === undefined) return "unknown";
  if (s.guestKind === "member") return "no";
  if (legacy && !g) return "yes";
  const types = split(g!.guestOrExternalUserTypes);
  if (!types.includes(s.guestKind)) return "no";
  const t = g!.externalTenants as { membershipKind?: string; members?: string[]; "@odata.type"?: string } | null | undefined;
  if (!t || t.membershipKind === "all" || String(t["@odata.type"] ?? "").endsWith("AllExternalTenants") || s.guestKind === "internalGuest") return "yes";
  if (s.homeTenantId === undefined) return "unknown";
  return lc(t.members).includes(s.homeTenantId) ? "yes" : "no";
}

function users(p: ReplayPolicy, s: SignIn, ctx: ReferenceContext): Tri {
  const u = p.conditions?.users;
  const sp = p.conditions?.clientApplications;
  if (s.isServicePrincipal) return sp && ((sp.includeServicePrincipals ?? []).length > 0 || sp.servicePrincipalFilter) ? "unknown" : "no";
  const inc = lc(u?.includeUsers);
  const exc = lc(u?.excludeUsers);
  const idTri = (ids: string[]): Tri => (ids.length === 0 ? "no" : s.userId === undefined ? "unknown" : ids.includes(s.userId) ? "yes" : "no");
  const incIds = inc.filter((x) => !["all", "none", "guestsorexternalusers"].includes(x));
  const excIds = exc.filter((x) => x !== "guestsorexternalusers");
  let included: Tri;
  if (inc.includes("none")) included = "no";
  else if (inc.includes("all")) included = "yes";
  else
    included = anyOf([
      idTri(incIds),
      guests(u?.includeGuestsOrExternalUsers, s, inc.includes("guestsorexternalusers")),
      member(lc(u?.includeGroups), s.groups, s.groupsComplete, ctx.completeGroups),
      member(lc(u?.includeRoles), s.roles, s.rolesComplete, ctx.completeRoles),
    ]);
  const excluded = anyOf([
    idTri(excIds),
    guests(u?.excludeGuestsOrExternalUsers, s, exc.includes("guestsorexternalusers")),
    member(lc(u?.excludeGroups), s.groups, s.groupsComplete, ctx.completeGroups),
    member(lc(u?.excludeRoles), s.roles, s.rolesComplete, ctx.completeRoles),
  ]);
  return allOf([included, not(excluded)]);
}

function appListed(list: string[], s: SignIn): Tri {
  const target = s.resourceId ?? s.appId;
  const ids = list.filter((x) => !["all", "none", "office365"].includes(x));
  const groups = ids.filter((x) => !/^[0-9a-f-]{36}$/.test(x));
  const hasO365 = list.includes("office365");
  if (target === undefined) return ids.length || hasO365 ? "unknown" : "no";
  if (ids.includes(target)) return "yes";
  if (hasO365 && O365.includes(target)) return "yes";
  const o365: Tri = !hasO365 ? "no" : s.resourceOwnerTenantId !== undefined && s.resourceOwnerTenantId !== MICROSOFT ? "no" : "unknown";
  return anyOf([o365, groups.length ? "unknown" : "no"]);
}

function applications(p: ReplayPolicy, s: SignIn): Tri {
  const a = p.conditions?.applications;
  const actions = lc(a?.includeUserActions);
  if (actions.length) return s.userAction === undefined ? "unknown" : actions.includes(s.userAction) ? "yes" : "no";
  const inc = lc(a?.includeApplications);
  const contexts = lc(a?.includeAuthenticationContextClassReferences);
  let included: Tri = inc.includes("all") ? "yes" : inc.includes("none") && contexts.length === 0 ? "no" : appListed(inc, s);
  if (included !== "yes" && contexts.length) included = anyOf([included, s.authContexts === undefined ? "unknown" : s.authContexts.some((c) => contexts.includes(c)) ? "yes" : "no"]);
  return allOf([included, not(appListed(lc(a?.excludeApplications), s))]);
}

function inLoc(loc: NamedLocation, s: SignIn): Tri {
  if (loc.kind === "country") {
    if (loc.gps || s.country === undefined) return "unknown";
    if (s.country === "") return loc.includeUnknownCountries ? "yes" : "no";
    return loc.countries.has(s.country) ? "yes" : "no";
  }
  if (s.ipv4 >= 0) {
    for (let i = 0; i < loc.v4.length; i += 2) if (s.ipv4 >= loc.v4[i] && s.ipv4 <= loc.v4[i + 1]) return "yes";
    return "no";
  }
  if (s.ipv6 !== undefined) {
    for (let i = 0; i < loc.v6.length; i += 2) if (s.ipv6 >= loc.v6[i] && s.ipv6 <= loc.v6[i + 1]) return "yes";
    return "no";
  }
  return "unknown";
}

function locations(p: ReplayPolicy, s: SignIn, ctx: ReferenceContext): Tri {
  const l = p.conditions?.locations;
  const inc = lc(l?.includeLocations);
  const exc = lc(l?.excludeLocations);
  if (!l || (inc.length === 0 && exc.length === 0)) return "yes";
  const trusted = (): Tri => {
    if (!ctx.locations) return s.trustedNetwork === undefined ? "unknown" : s.trustedNetwork ? "yes" : "no";
    const r = anyOf(ctx.locations.filter((x) => x.isTrusted).map((x) => inLoc(x, s)));
    return r === "yes" || s.trustedNetwork === undefined ? r : s.trustedNetwork ? "yes" : r;
  };
  const one = (id: string): Tri => {
    if (id === "all") return "yes";
    if (id === "alltrusted") return trusted();
    const loc = ctx.locations?.find((x) => x.id === id);
    return loc ? inLoc(loc, s) : "unknown";
  };
  return allOf([inc.length ? anyOf(inc.map(one)) : "yes", not(exc.length ? anyOf(exc.map(one)) : "no")]);
}

function device(p: ReplayPolicy, s: SignIn): Tri {
  const f = p.conditions?.devices?.deviceFilter;
  if (!f?.rule) return "yes";
  const filter = DeviceFilter.parse(f.rule);
  const include = f.mode !== "exclude";
  if (s.device === undefined) return "unknown";
  if (s.device === null) return filter.matches(null) === include ? "yes" : "no";
  const inLog: Record<string, number> = { deviceId: 1, displayName: 2, trustType: 4, isCompliant: 8 };
  if (filter.comparisons.some((c) => !(inLog[c.property] & s.deviceProps))) return "unknown";
  return filter.matches(s.device) === include ? "yes" : "no";
}

/** The verdict name for one policy and sign-in. */
export function referenceVerdict(p: ReplayPolicy, s: SignIn, ctx: ReferenceContext = {}): string {
  const c = p.conditions ?? {};
  const risk = (levels: readonly string[] | undefined, level: string | undefined): Tri =>
    !levels || levels.length === 0 ? "yes" : level === undefined || level === "hidden" || level === "unknownFutureValue" ? "unknown" : levels.includes(level) ? "yes" : "no";
  const types = ((c.clientAppTypes ?? []) as string[]).map((t) => (t === "easSupported" ? "exchangeActiveSync" : t));
  const platforms = c.platforms;
  const inc = (platforms?.includePlatforms ?? []) as string[];
  const exc = (platforms?.excludePlatforms ?? []) as string[];
  const flows = split(c.authenticationFlows?.transferMethods);
  const devices = (c.devices ?? {}) as Record<string, unknown>;
  const unmodelled =
    !!c.applications?.applicationFilter ||
    !!c.insiderRiskLevels ||
    (c.servicePrincipalRiskLevels ?? []).length > 0 ||
    ["includeDevices", "excludeDevices", "includeDeviceStates", "excludeDeviceStates"].some((k) => Array.isArray(devices[k]) && (devices[k] as unknown[]).length > 0);
  const conditions: Tri[] = [
    users(p, s, ctx),
    applications(p, s),
    types.length === 0 || types.includes("all") ? "yes" : s.clientAppType === undefined ? "unknown" : types.includes(s.clientAppType) ? "yes" : "no",
    !platforms || (inc.includes("all") && exc.length === 0) ? "yes" : s.platform === undefined ? "unknown" : (inc.includes("all") || inc.includes(s.platform)) && !exc.includes(s.platform) ? "yes" : "no",
    locations(p, s, ctx),
    risk(c.signInRiskLevels as string[] | undefined, s.signInRisk),
    risk(c.userRiskLevels as string[] | undefined, s.userRisk),
    flows.length === 0 ? "yes" : s.transferMethod === undefined ? "unknown" : flows.includes(s.transferMethod) ? "yes" : "no",
    device(p, s),
    unmodelled ? "unknown" : "yes",
  ];
  const applies = allOf(conditions);
  if (applies === "no") return "notApplied";
  if (applies === "unknown") return "unknown";
  const g = p.grantControls;
  const builtIn = (g?.builtInControls ?? []) as string[];
  if (builtIn.includes("block")) return "block";
  const all = [...builtIn, ...(g?.authenticationStrength ? ["strength"] : []), ...(g?.termsOfUse ?? []), ...(g?.customAuthenticationFactors ?? [])];
  if (all.length === 0) return "allow";
  const judge = (control: string): Tri => {
    if (control !== "compliantDevice" && control !== "domainJoinedDevice") return "yes";
    if (s.device === undefined) return "unknown";
    if (s.device === null) return "no";
    if (control === "compliantDevice") return s.isCompliant === undefined ? "unknown" : s.isCompliant ? "yes" : "no";
    return s.trustType === undefined ? "unknown" : s.trustType === "ServerAD" ? "yes" : "no";
  };
  const deviceControls = all.filter((x) => x === "compliantDevice" || x === "domainJoinedDevice");
  if (deviceControls.length === 0) return "grant";
  const and = String(g?.operator ?? "OR").toUpperCase() === "AND";
  if (!and && deviceControls.length < all.length) return "grant";
  const r = and ? allOf(deviceControls.map(judge)) : anyOf(deviceControls.map(judge));
  return r === "no" ? "block" : r === "unknown" ? "unknown" : "grant";
}
