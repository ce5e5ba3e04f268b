/**
 * Property: coverage classes agree with replayed sign-ins that fall in them. Random policies over
 * users (ids, groups, roles, guest kinds and tenants, All/None), client app types, platforms,
 * locations (named, AllTrusted, All) and device filters; realistic sign-ins from the generator,
 * read by the replay's own record reader, with their group memberships and the named locations
 * as side files. For every sign-in the replay evaluator can decide, the class coverage puts it in
 * has the policies replay applies and replay's outcome (enforced, and with report-only enforced).
 */
import fc from "fast-check";
import { pick, prng } from "../../../bench/util";
import { analyseCoverage, type PlainConditionalAccessPolicy } from "../../../components";
import { OUTCOME_NAMES, Verdict, compileReplayPolicies, evaluateSignIn, parseDirectory, parseNamedLocations, replayPolicyFromAzuread, signInFromRecord } from "../../../components/conditional-access/replay";
import { classifySignIn } from "../../../components/conditional-access/coverage/signins";
import { GROUP_IDS, LOCATION_IDS, ROLE_IDS, TEST_NAMED_LOCATIONS } from "../../helpers/replay-policies";
import { PARTNER_TENANT_ID, TENANT_ID, generateFacts, generateUsers, graphRecord } from "../../helpers/signin-generator";

const users = generateUsers(7, 30, 6);
const facts = [...generateFacts(400, { seed: 7, users })];
const locations = parseNamedLocations(TEST_NAMED_LOCATIONS);
const directory = parseDirectory([
  {
    name: "groups",
    doc: {
      value: [
        { id: GROUP_IDS[0], members: users.slice(0, 10).map((u) => ({ id: u.id })) },
        { id: GROUP_IDS[1], members: users.slice(5, 20).map((u) => ({ id: u.id })) },
        { id: GROUP_IDS[2], members: users.slice(18, 36).map((u) => ({ id: u.id })) },
        { id: "r0", roleTemplateId: ROLE_IDS[0], members: [{ id: users[0].id }, { id: users[3].id }] },
        { id: "r1", roleTemplateId: ROLE_IDS[1], members: [{ id: users[1].id }] },
      ],
    },
  },
]);
const ctx = { locations, completeGroups: directory.completeGroups, completeRoles: directory.completeRoles };

const GUEST_KINDS = ["internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember", "b2bDirectConnectUser", "otherExternalUser", "serviceProvider"];
const CLIENT_APPS = ["browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported", "other"];
const PLATFORMS = ["android", "iOS", "windows", "windowsPhone", "macOS", "linux"];
const RULES = ['device.trustType -eq "AzureAD"', 'device.trustType -ne "ServerAD"', "device.isCompliant -eq True", 'device.displayName -startsWith "CORP-"', '(device.trustType -eq "AzureAD" -or device.trustType -eq "ServerAD") -and device.isCompliant -eq True'];

function some<T>(r: () => number, xs: readonly T[], p = 0.3): T[] {
  return xs.filter(() => r() < p);
}

function guests(r: () => number): PlainConditionalAccessPolicy["conditions"]["users"]["includedGuestsOrExternalUsers"] {
  if (r() < 0.6) return undefined;
  const kinds = some(r, GUEST_KINDS, 0.4);
  return [
    {
      guestOrExternalUserTypes: kinds.length ? kinds : [pick(r, GUEST_KINDS)],
      ...(r() < 0.5 ? { externalTenants: [r() < 0.5 ? { membershipKind: "all" } : { membershipKind: "enumerated", members: [PARTNER_TENANT_ID] }] } : {}),
    },
  ];
}

/** A random policy in the azuread shape (what coverage reads), over the ids the generated sign-ins carry. */
function randomPolicy(r: () => number, i: number): PlainConditionalAccessPolicy {
  const userIds = users.map((u) => u.id);
  const include = r();
  const includedUsers = include < 0.45 ? ["All"] : include < 0.5 ? ["None"] : [...some(r, userIds, 0.05), ...(r() < 0.15 ? ["GuestsOrExternalUsers"] : [])];
  const users_ = {
    includedUsers,
    ...(r() < 0.4 ? { excludedUsers: [...some(r, userIds, 0.05), ...(r() < 0.1 ? ["GuestsOrExternalUsers"] : [])] } : {}),
    ...(include >= 0.45 && r() < 0.6 ? { includedGroups: some(r, GROUP_IDS, 0.5) } : {}),
    ...(r() < 0.4 ? { excludedGroups: some(r, GROUP_IDS, 0.4) } : {}),
    ...(include >= 0.45 && r() < 0.3 ? { includedRoles: some(r, ROLE_IDS, 0.6) } : {}),
    ...(r() < 0.2 ? { excludedRoles: some(r, ROLE_IDS, 0.6) } : {}),
    ...(include >= 0.45 ? { includedGuestsOrExternalUsers: guests(r) } : {}),
    ...(r() < 0.3 ? { excludedGuestsOrExternalUsers: guests(r) } : {}),
  };
  const clientApps = some(r, CLIENT_APPS, 0.4);
  const locationsIn = some(r, ["All", "AllTrusted", ...LOCATION_IDS], 0.35);
  const state = pick(r, ["enabled", "enabled", "enabledForReportingButNotEnforced", "disabled"]);
  return {
    displayName: `P${i}`,
    state,
    conditions: {
      applications: { includedApplications: ["All"] },
      clientAppTypes: r() < 0.5 || clientApps.length === 0 ? ["all"] : clientApps,
      users: users_,
      ...(r() < 0.4 ? { platforms: { includedPlatforms: r() < 0.5 ? ["all"] : some(r, PLATFORMS, 0.5), excludedPlatforms: some(r, PLATFORMS, 0.25) } } : {}),
      ...(r() < 0.5 && locationsIn.length ? { locations: { includedLocations: locationsIn, excludedLocations: some(r, ["AllTrusted", ...LOCATION_IDS], 0.3) } } : {}),
      ...(r() < 0.4 ? { devices: { filter: { mode: r() < 0.5 ? "include" : "exclude", rule: pick(r, RULES) } } } : {}),
    },
    grantControls: r() < 0.2 ? undefined : { operator: "OR", builtInControls: [r() < 0.6 ? "block" : "mfa"] },
  };
}

test("coverage classes agree with the replay evaluator on the sign-ins that fall in them", () => {
  let compared = 0;
  let undecided = 0;
  let unplaced = 0;
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
      const r = prng(seed);
      const policies = Array.from({ length: 1 + Math.floor(r() * 6) }, (_, i) => randomPolicy(r, i));
      const analysis = analyseCoverage(policies);
      const compiled = compileReplayPolicies(policies.map(replayPolicyFromAzuread), ctx);
      const out = new Uint16Array(compiled.length);
      for (let k = 0; k < 40; k++) {
        const rec = graphRecord(facts[Math.floor(r() * facts.length)]);
        if (r() < 0.3) {
          // Every guest kind and home tenant.
          rec.userType = pick(r, ["guest", "member"]);
          rec.crossTenantAccessType = pick(r, ["none", "b2bCollaboration", "b2bDirectConnect", "serviceProvider", "passthrough"]);
          rec.homeTenantId = pick(r, [TENANT_ID, PARTNER_TENANT_ID, "99999999-9999-4999-8999-999999999999"]);
        }
        if (r() < 0.2) rec.clientAppUsed = pick(r, ["Browser", "Mobile Apps and Desktop clients", "Exchange ActiveSync", "IMAP4", "Other clients"]);
        if (r() < 0.1) rec.networkLocationDetails = [{ networkType: "trustedNamedLocation", networkNames: ["HQ"] }];
        const s = signInFromRecord(rec, k);
        if (s.userId) {
          s.groups = directory.groupsOf(s.userId);
          s.roles = directory.rolesOf(s.userId);
        }
        const code = evaluateSignIn(compiled, s, out);
        const verdicts = Array.from(out.subarray(0, compiled.length), (c) => c & 7);
        if (verdicts.includes(Verdict.Unknown)) {
          undecided++;
          continue;
        }
        const cls = classifySignIn(analysis, s, ctx);
        if (!cls) {
          // The log lacks a dimension the classes split on (e.g. no platform), though replay decided on another condition.
          unplaced++;
          continue;
        }
        const replayed = {
          applying: compiled.filter((_, i) => verdicts[i] !== Verdict.NotApplied).map((p) => p.displayName),
          outcome: OUTCOME_NAMES[code & 3],
          outcomeIfReportOnlyEnforced: OUTCOME_NAMES[(code >> 2) & 3],
        };
        const covered = { applying: cls.applying, outcome: cls.outcome, outcomeIfReportOnlyEnforced: cls.outcomeIfReportOnlyEnforced };
        if (JSON.stringify(replayed) !== JSON.stringify(covered)) {
          throw new Error(`policies ${JSON.stringify(policies)}\nsign-in ${JSON.stringify(rec)}\nclass ${cls.id} ${cls.description.join("; ")}: ${JSON.stringify(covered)}\nreplay: ${JSON.stringify(replayed)}`);
        }
        compared++;
      }
    }),
    { numRuns: 150 },
  );
  // Most generated sign-ins carry what both need: the comparison is not vacuous.
  expect(compared).toBeGreaterThan(3000);
  expect(undecided + unplaced).toBeLessThan(compared);
});
