/**
 * Property: the compiled evaluator agrees with the straightforward reference implementation
 * (reference.ts) on random policies over every condition and on random sign-ins from the
 * generator, with fields dropped at random (what a real log lacks) and with and without the
 * --groups and --locations side files.
 */
import fc from "fast-check";
import { pick, prng } from "../../../bench/util";
import { VERDICT_NAMES, compileReplayPolicy, parseDirectory, parseNamedLocations, signInFromRecord, type ReplayPolicy } from "../../../components/conditional-access/replay";
import { GROUP_IDS, ROLE_IDS, TEST_NAMED_LOCATIONS, randomPolicy } from "../../helpers/replay-policies";
import { PARTNER_TENANT_ID, TENANT_ID, generateFacts, generateUsers, graphRecord } from "../../helpers/signin-generator";
import { referenceVerdict } from "./reference";

const users = generateUsers(5, 30, 5);
const facts = [...generateFacts(400, { seed: 5, users })];
const DROPPABLE = ["userId", "userType", "crossTenantAccessType", "homeTenantId", "resourceId", "resourceOwnerTenantId", "clientAppUsed", "deviceDetail", "ipAddress", "location", "riskLevelDuringSignIn", "originalTransferMethod", "authenticationProtocol"];
const locations = parseNamedLocations(TEST_NAMED_LOCATIONS);
const directory = parseDirectory([
  {
    name: "groups",
    doc: {
      value: [
        { id: GROUP_IDS[0], members: users.slice(0, 10).map((u) => ({ id: u.id })) },
        { id: GROUP_IDS[1], members: users.slice(5, 20).map((u) => ({ id: u.id })) },
        { id: "r", roleTemplateId: ROLE_IDS[0], members: [{ id: users[0].id }] },
      ],
    },
  },
]);

test("the evaluator agrees with the reference implementation on random policies and sign-ins", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.boolean(), fc.boolean(), (seed, withGroups, withLocations) => {
      const r = prng(seed);
      const policies: ReplayPolicy[] = Array.from({ length: 6 }, (_, i) => randomPolicy(r, i, users.map((u) => u.id)));
      const ctx = { locations: withLocations ? locations : undefined, completeGroups: withGroups ? directory.completeGroups : undefined, completeRoles: withGroups ? directory.completeRoles : undefined };
      const compiled = policies.map((p, i) => compileReplayPolicy(p, i, ctx));
      for (let k = 0; k < 40; k++) {
        const f = facts[Math.floor(r() * facts.length)];
        const rec = graphRecord(f);
        for (const key of DROPPABLE) if (r() < 0.08) delete rec[key];
        if (r() < 0.05) rec.signInEventTypes = ["servicePrincipal"];
        if (r() < 0.2) {
          // Every guest kind: internal guests, B2B collaboration and direct connect, service providers, unknown access types.
          rec.userType = pick(r, ["guest", "member", "Guest"]);
          rec.crossTenantAccessType = pick(r, ["none", "b2bCollaboration", "b2bDirectConnect", "serviceProvider", "passthrough", "microsoftSupport"]);
          rec.homeTenantId = pick(r, [TENANT_ID, PARTNER_TENANT_ID, "99999999-9999-4999-8999-999999999999"]);
        }
        if (r() < 0.05) rec.authenticationContextClassReferences = [{ id: pick(r, ["c1", "c2"]), detail: "required" }];
        if (r() < 0.05) rec.networkLocationDetails = [{ networkType: "trustedNamedLocation", networkNames: ["HQ"] }];
        const s = signInFromRecord(rec, k);
        if (withGroups && s.userId) {
          s.groups = directory.groupsOf(s.userId);
          s.roles = directory.rolesOf(s.userId);
        }
        for (let i = 0; i < policies.length; i++) {
          const ours = VERDICT_NAMES[compiled[i].evaluate(s) & 7];
          const theirs = referenceVerdict(policies[i], s, ctx);
          if (ours !== theirs) throw new Error(`policy ${JSON.stringify(policies[i])}\nsign-in ${JSON.stringify(rec)}\nevaluator ${ours}, reference ${theirs}`);
        }
      }
    }),
    { numRuns: 150 },
  );
});

/** A random sign-in of the generator with fields dropped and guest kinds varied, as in the test above. */
function randomSignIn(r: () => number, k: number, withGroups: boolean) {
  const rec = graphRecord(facts[Math.floor(r() * facts.length)]);
  for (const key of DROPPABLE) if (r() < 0.08) delete rec[key];
  if (r() < 0.05) rec.signInEventTypes = ["servicePrincipal"];
  if (r() < 0.3) {
    rec.userType = pick(r, ["guest", "member"]);
    rec.crossTenantAccessType = pick(r, ["none", "b2bCollaboration", "b2bDirectConnect", "serviceProvider", "microsoftSupport"]);
    rec.homeTenantId = pick(r, [TENANT_ID, PARTNER_TENANT_ID]);
  }
  const s = signInFromRecord(rec, k);
  if (withGroups && s.userId) {
    s.groups = directory.groupsOf(s.userId);
    s.roles = directory.rolesOf(s.userId);
  }
  return { s, rec };
}

test("the users condition written into the evaluator agrees with the reference for every combination of include and exclude parts", () => {
  const ids = users.map((u) => u.id);
  const part = <T>(r: () => number, items: readonly T[]): T[] => [...new Set(Array.from({ length: 1 + Math.floor(r() * 2) }, () => pick(r, items)))];
  const guests = (r: () => number) => ({ guestOrExternalUserTypes: pick(r, ["internalGuest", "b2bCollaborationGuest,b2bDirectConnectUser", "serviceProvider"]), externalTenants: r() < 0.5 ? { membershipKind: "all" } : { membershipKind: "enumerated", members: [PARTNER_TENANT_ID] } });
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.boolean(), (seed, withGroups) => {
      const r = prng(seed);
      const policies: ReplayPolicy[] = Array.from({ length: 8 }, (_, i) => {
        const u: Record<string, unknown> = {};
        const inc = r();
        if (inc < 0.3) u.includeUsers = ["All"];
        else if (inc < 0.4) u.includeUsers = ["None"];
        else if (inc < 0.5) u.includeUsers = ["GuestsOrExternalUsers"];
        else {
          if (r() < 0.5) u.includeUsers = part(r, ids);
          if (r() < 0.4) u.includeGuestsOrExternalUsers = guests(r);
          if (r() < 0.4) u.includeGroups = part(r, GROUP_IDS);
          if (r() < 0.4) u.includeRoles = part(r, ROLE_IDS);
        }
        if (r() < 0.4) u.excludeUsers = r() < 0.2 ? ["GuestsOrExternalUsers"] : part(r, ids);
        if (r() < 0.3) u.excludeGuestsOrExternalUsers = guests(r);
        if (r() < 0.3) u.excludeGroups = part(r, GROUP_IDS);
        if (r() < 0.3) u.excludeRoles = part(r, ROLE_IDS);
        return { displayName: `users ${i}`, state: "enabled", conditions: { users: u, applications: { includeApplications: ["All"] } }, grantControls: { operator: "OR", builtInControls: ["block"] } } as ReplayPolicy;
      });
      const ctx = { completeGroups: withGroups ? directory.completeGroups : undefined, completeRoles: withGroups ? directory.completeRoles : undefined };
      const compiled = policies.map((p, i) => compileReplayPolicy(p, i, ctx));
      for (let k = 0; k < 40; k++) {
        const { s, rec } = randomSignIn(r, k, withGroups);
        for (let i = 0; i < policies.length; i++) {
          const ours = VERDICT_NAMES[compiled[i].evaluate(s) & 7];
          const theirs = referenceVerdict(policies[i], s, ctx);
          if (ours !== theirs) throw new Error(`users ${JSON.stringify(policies[i].conditions?.users)}\nsign-in ${JSON.stringify(rec)}\nevaluator ${ours}, reference ${theirs}`);
        }
      }
    }),
    { numRuns: 200 },
  );
});

test("fifty policies evaluated together over thousands of sign-ins (optimised code, as in a real replay) agree with the reference", () => {
  const r = prng(20261127);
  const policies: ReplayPolicy[] = Array.from({ length: 50 }, (_, i) => randomPolicy(r, i, users.map((u) => u.id)));
  const ctx = { locations, completeGroups: directory.completeGroups, completeRoles: directory.completeRoles };
  const compiled = policies.map((p, i) => compileReplayPolicy(p, i, ctx));
  const signIns = Array.from({ length: 4000 }, (_, k) => randomSignIn(r, k, true));
  // Several passes so the evaluators are optimised before the last one is checked.
  const codes = new Uint16Array(policies.length);
  for (let pass = 0; pass < 3; pass++) for (const { s } of signIns) for (let i = 0; i < compiled.length; i++) codes[i] = compiled[i].evaluate(s);
  let disagreements = 0;
  for (const { s } of signIns)
    for (let i = 0; i < compiled.length; i++) if (VERDICT_NAMES[compiled[i].evaluate(s) & 7] !== referenceVerdict(policies[i], s, ctx)) disagreements++;
  expect(disagreements).toBe(0);
});
