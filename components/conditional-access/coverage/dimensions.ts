/**
 * The sign-in dimensions of coverage beyond the device: the user (ids, groups, roles, guest or
 * external user kind and home tenant), the client app type, and the location. Each policy's
 * targets are read from its Graph shape (the same conversion and the same readings as the replay
 * evaluator, ../replay/evaluate.ts), so a coverage class and a replayed sign-in that falls in it
 * get the same policies.
 *
 * Every dimension is finite and exact: only the ids the policies (and selectors) name matter, so
 * a user is described by which named ids, groups and roles apply to them, their guest kind and
 * (for enumerated external tenants) whether their home tenant is one of the named ones; a location
 * by which named locations the sign-in is in and whether it is trusted; a client app by one of the
 * four Conditional Access client app types.
 *
 * Pure core: no Pulumi import.
 */
import { toGraphPolicy } from "../import/to-graph";
import type { PlainConditionalAccessPolicy } from "../policy-shape";

/** The Conditional Access client app types a sign-in can have (`easSupported` counts as `exchangeActiveSync`). */
export const CLIENT_APP_TYPES = ["browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "other"] as const;

/** How Entra classifies a user for the guest and external user condition; `member` is an internal member. */
export const USER_KINDS = ["member", "internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember", "b2bDirectConnectUser", "otherExternalUser", "serviceProvider"] as const;

/**
 * The non-device part of a coverage class's witness: a sign-in every policy treats like any other
 * sign-in of the class. Only the dimensions the policies distinguish are present.
 */
export interface CoverageSignIn {
  /** The client app type (one of {@link CLIENT_APP_TYPES}). */
  clientApp?: string;
  user?: {
    /** A user id a policy names; absent = any other user. */
    id?: string;
    /** One of {@link USER_KINDS}. */
    kind: string;
    /** The home tenant when it is one a policy names (enumerated external tenants); absent = any other. */
    homeTenant?: string;
    /** The named groups the user is a member of (others: not a member). */
    groups: string[];
    /** The named directory roles (template ids) the user holds. */
    roles: string[];
  };
  location?: {
    /** The named locations (ids) the sign-in comes from; every other named location: not in it. */
    in: string[];
    /** Whether the sign-in comes from a trusted location (present when a policy names `AllTrusted`). */
    trusted?: boolean;
  };
}

/** A guest or external user condition, read as the replay evaluator reads it. */
export interface GuestTarget {
  /** Legacy `GuestsOrExternalUsers` in includeUsers / excludeUsers: any kind but member. */
  any: boolean;
  kinds: string[];
  allTenants: boolean;
  tenants: string[];
}

/** One side (include or exclude) of a user condition. */
export interface UserSide {
  ids: string[];
  groups: string[];
  roles: string[];
  guests?: GuestTarget;
}

/** What a policy targets beyond the device, with ids lower-cased. `undefined` = no condition. */
export interface SignInTargets {
  users: { all: boolean; none: boolean; include: UserSide; exclude: UserSide };
  clientApps?: string[];
  locations?: { include: string[]; exclude: string[] };
}

function lowerList(values: unknown): string[] {
  return Array.isArray(values) ? values.filter((v): v is string => typeof v === "string").map((v) => v.toLowerCase()) : [];
}

function splitList(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(splitList);
  if (typeof value === "string") return value.split(",").map((v) => v.trim()).filter((v) => v !== "");
  return [];
}

function guestTarget(g: unknown): GuestTarget | undefined {
  if (!g || typeof g !== "object") return undefined;
  const o = g as Record<string, unknown>;
  const kinds = splitList(o.guestOrExternalUserTypes);
  if (kinds.length === 0) return undefined;
  const t = o.externalTenants as Record<string, unknown> | undefined;
  const allTenants = !t || t.membershipKind === "all" || String(t["@odata.type"] ?? "").endsWith("AllExternalTenants");
  return { any: false, kinds, allTenants, tenants: lowerList(t?.members) };
}

/** A policy's user, client app and location targets (from its Graph shape, as replay reads them). */
export function signInTargetsOf(policy: PlainConditionalAccessPolicy): SignInTargets {
  const graph = toGraphPolicy(policy) as { conditions?: Record<string, unknown> };
  const c = graph.conditions ?? {};
  const u = (c.users ?? {}) as Record<string, unknown>;
  const includeUsers = lowerList(u.includeUsers);
  const excludeUsers = lowerList(u.excludeUsers);
  const anyGuest: GuestTarget = { any: true, kinds: [], allTenants: true, tenants: [] };
  const keyword = (x: string) => x === "all" || x === "none" || x === "guestsorexternalusers";
  const users = {
    all: includeUsers.includes("all"),
    none: includeUsers.includes("none"),
    include: {
      ids: includeUsers.filter((x) => !keyword(x)),
      groups: lowerList(u.includeGroups),
      roles: lowerList(u.includeRoles),
      guests: guestTarget(u.includeGuestsOrExternalUsers) ?? (includeUsers.includes("guestsorexternalusers") ? anyGuest : undefined),
    },
    exclude: {
      ids: excludeUsers.filter((x) => x !== "guestsorexternalusers"),
      groups: lowerList(u.excludeGroups),
      roles: lowerList(u.excludeRoles),
      guests: guestTarget(u.excludeGuestsOrExternalUsers) ?? (excludeUsers.includes("guestsorexternalusers") ? anyGuest : undefined),
    },
  };
  const types = [...new Set(splitList(c.clientAppTypes).map((t) => (t === "easSupported" ? "exchangeActiveSync" : t)))];
  const clientApps = types.length === 0 || types.includes("all") ? undefined : types;
  const l = c.locations as Record<string, unknown> | undefined;
  const include = lowerList(l?.includeLocations);
  const exclude = lowerList(l?.excludeLocations);
  const locations = include.length || exclude.length ? { include, exclude } : undefined;
  return { users, ...(clientApps ? { clientApps } : {}), ...(locations ? { locations } : {}) };
}

function guestMatches(g: GuestTarget | undefined, user: NonNullable<CoverageSignIn["user"]>): boolean {
  if (!g || user.kind === "member") return false;
  if (g.any) return true;
  if (!g.kinds.includes(user.kind)) return false;
  if (g.allTenants || user.kind === "internalGuest") return true;
  return user.homeTenant !== undefined && g.tenants.includes(user.homeTenant);
}

function sideMatches(side: UserSide, user: NonNullable<CoverageSignIn["user"]>): boolean {
  return (
    (user.id !== undefined && side.ids.includes(user.id)) ||
    guestMatches(side.guests, user) ||
    side.groups.some((g) => user.groups.includes(g)) ||
    side.roles.some((r) => user.roles.includes(r))
  );
}

const ANY_OTHER_MEMBER: NonNullable<CoverageSignIn["user"]> = { kind: "member", groups: [], roles: [] };

/** Whether a policy's user condition includes the sign-in's user (`All` includes guests; any exclusion wins). */
export function usersApply(t: SignInTargets, signIn: CoverageSignIn): boolean {
  const user = signIn.user ?? ANY_OTHER_MEMBER;
  const u = t.users;
  const included = u.none ? false : u.all ? true : sideMatches(u.include, user);
  return included && !sideMatches(u.exclude, user);
}

/** Whether a policy's client app and location conditions include the sign-in. */
export function clientAppAndLocationApply(t: SignInTargets, signIn: CoverageSignIn): boolean {
  if (t.clientApps) {
    if (signIn.clientApp === undefined) throw new Error("internal: a coverage sign-in without a client app type for a policy that names client app types");
    if (!t.clientApps.includes(signIn.clientApp)) return false;
  }
  if (t.locations) {
    const where = signIn.location ?? { in: [] };
    const matches = (ids: string[]) => ids.some((id) => id === "all" || (id === "alltrusted" ? where.trusted === true : where.in.includes(id)));
    const included = t.locations.include.length === 0 || matches(t.locations.include);
    if (!included || matches(t.locations.exclude)) return false;
  }
  return true;
}
