/**
 * Group and directory-role membership, which no sign-in log carries, from Graph exports:
 *
 * - groups with their members: `GET /groups?$expand=members` or `Get-MgGroup -ExpandProperty members`
 *   (`transitiveMembers` is read too). The membership of every listed group is then known for
 *   every user; a group not listed stays unknown.
 * - directory roles with members (`GET /directoryRoles?$expand=members`): objects with a
 *   `roleTemplateId` are roles; policies name roles by template id.
 * - users with their memberships (`GET /users?$expand=transitiveMemberOf`): every membership of a
 *   listed user is then known (groups and roles).
 * - a plain map `{ "<userId>": ["<groupId>", ...] }`.
 */
import { ReplayInputError } from "./locations";

export interface Directory {
  /** Groups (lower-case ids) whose complete member list is known. */
  completeGroups: ReadonlySet<string>;
  /** Roles (template ids) whose complete member list is known. */
  completeRoles: ReadonlySet<string>;
  /** Users whose memberships are all known. */
  completeUsers: ReadonlySet<string>;
  groupsOf(userId: string): ReadonlySet<string>;
  rolesOf(userId: string): ReadonlySet<string>;
}

const EMPTY: ReadonlySet<string> = new Set();

function items(doc: unknown): unknown[] {
  if (Array.isArray(doc)) return doc.flatMap((d) => (d && typeof d === "object" && Array.isArray((d as { value?: unknown }).value) ? (d as { value: unknown[] }).value : [d]));
  if (doc && typeof doc === "object" && Array.isArray((doc as { value?: unknown }).value)) return (doc as { value: unknown[] }).value;
  return [];
}

function ids(list: unknown): { id: string; role?: string; group: boolean }[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((m): { id: string; role?: string; group: boolean }[] => {
    if (typeof m === "string") return [{ id: m.toLowerCase(), group: true }];
    if (!m || typeof m !== "object") return [];
    const o = m as Record<string, unknown>;
    if (typeof o.id !== "string") return [];
    const type = String(o["@odata.type"] ?? "");
    return [{ id: o.id.toLowerCase(), role: typeof o.roleTemplateId === "string" ? o.roleTemplateId.toLowerCase() : undefined, group: !type || type.endsWith(".group") }];
  });
}

/** Read one or more Graph exports of memberships into a directory. Throws ReplayInputError when nothing fits. */
export function parseDirectory(docs: { name: string; doc: unknown }[]): Directory {
  const groups = new Map<string, Set<string>>();
  const roles = new Map<string, Set<string>>();
  const completeGroups = new Set<string>();
  const completeRoles = new Set<string>();
  const completeUsers = new Set<string>();
  const add = (map: Map<string, Set<string>>, user: string, id: string) => {
    let set = map.get(user);
    if (!set) map.set(user, (set = new Set()));
    set.add(id);
  };
  for (const { name, doc } of docs) {
    const list = items(doc);
    if (list.length === 0 && doc && typeof doc === "object" && !Array.isArray(doc) && !("value" in doc)) {
      // { "<userId>": ["<groupId>", ...] }
      for (const [user, gs] of Object.entries(doc as Record<string, unknown>)) {
        if (!Array.isArray(gs)) throw new ReplayInputError(`${name}: "${user}" should map to a list of group ids`);
        const u = user.toLowerCase();
        completeUsers.add(u);
        for (const g of gs) add(groups, u, String(g).toLowerCase());
      }
      continue;
    }
    list.forEach((raw, i) => {
      if (!raw || typeof raw !== "object") throw new ReplayInputError(`${name}: entry [${i}] is not an object`);
      const o = raw as Record<string, unknown>;
      const members = o.members ?? o.transitiveMembers;
      const memberOf = o.transitiveMemberOf ?? o.memberOf;
      if (Array.isArray(memberOf) && typeof o.id === "string") {
        const u = o.id.toLowerCase();
        completeUsers.add(u);
        for (const m of ids(memberOf)) {
          if (m.role) add(roles, u, m.role);
          else if (m.group) add(groups, u, m.id);
        }
        return;
      }
      if (Array.isArray(members) && typeof o.id === "string") {
        const role = typeof o.roleTemplateId === "string" ? o.roleTemplateId.toLowerCase() : undefined;
        const target = role ?? o.id.toLowerCase();
        (role ? completeRoles : completeGroups).add(target);
        for (const m of ids(members)) add(role ? roles : groups, m.id, target);
        return;
      }
      throw new ReplayInputError(
        `${name}: entry [${i}] has neither "members" (a group or role with its members) nor "transitiveMemberOf" (a user with its groups); export with $expand=members or $expand=transitiveMemberOf`,
      );
    });
  }
  return {
    completeGroups,
    completeRoles,
    completeUsers,
    groupsOf: (u) => groups.get(u) ?? EMPTY,
    rolesOf: (u) => roles.get(u) ?? EMPTY,
  };
}
