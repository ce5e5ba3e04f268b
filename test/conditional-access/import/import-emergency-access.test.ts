/**
 * The break-glass ids of `options.emergencyAccess`: added to the exclusions of exactly the policies
 * the lockout rule refuses, in each output kind (azuread resource, CorporateDeviceAccess, Graph-native),
 * with a note; without them those policies stay refused; bad ids are refused before any policy.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  LOCKOUT_FIX,
  combinedImportFile,
  importConditionalAccessFiles,
  importConditionalAccessPolicies,
  normaliseEmergencyAccess,
  type ImportOptions,
} from "../../../components/conditional-access/import";
import { normaliseConditionalAccessPolicy } from "../../../components/conditional-access/graph-policy/normalise";
import { normaliseCorporateDeviceAccess, buildCorporateDevicePolicies } from "../../../components/conditional-access/component/corporate-device-policy";
import { GuardrailInputError } from "../../../components/errors";
import { ownFixturesDir } from "../../../bench/fixtures";
import { importedPolicyGraph } from "../../../cli/commands/import-ca";
import { corporateDevicesPolicy } from "../../helpers/ca-fixtures";

const FIXTURES = path.join(ownFixturesDir(), "conditional-access");
const LOCKOUT = fs.readFileSync(path.join(FIXTURES, "lockout-and-unresolved-ids.json"));
const GRAPH_ONLY = JSON.parse(fs.readFileSync(path.join(FIXTURES, "graph-only-policies.json"), "utf8")) as { value: Record<string, any>[] };

const GROUP = "b1f2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
const USER = "c2a3b4c5-d6e7-4f80-9a1b-2c3d4e5f6a7b";
const BREAK_GLASS: ImportOptions["emergencyAccess"] = { groupIds: [GROUP], userIds: [] };

/** Enabled, all users, block outside trusted join types, excluding nobody: the component's shape. */
const CORPORATE_NO_EXCLUSION = corporateDevicesPolicy([]);

/** graph-only-policies.json #1 (authentication context, enabled, all users) without its break-glass group. */
function graphPolicyWithoutExclusion(): Record<string, any> {
  const p = JSON.parse(JSON.stringify(GRAPH_ONLY.value[0])) as Record<string, any>;
  expect(p.displayName).toBe("Sensitive actions: require MFA (authentication context c1)");
  expect(p.state).toBe("enabled");
  p.conditions.users.excludeGroups = [];
  return p;
}

const notesOf = (p: { notes: { code: string; message: string }[] }) => p.notes.filter((n) => n.code === "emergency-access-added").map((n) => n.message);

describe("without emergencyAccess, the lockout rule refuses", () => {
  it("the enabled all-users policies that exclude nobody by id, its fix naming the import-ca flags", () => {
    const result = importConditionalAccessPolicies(LOCKOUT, "lockout.json");
    const lockout = result.errors.filter((e) => e.field === "conditions.users.excludeGroups");
    expect(lockout.map((e) => e.policy)).toEqual(["Require MFA for all users", "Block access outside trusted locations"]);
    for (const e of lockout) {
      expect(e.fix).toBe(LOCKOUT_FIX);
      expect(e.fix).toMatch(/--emergency-access-group <objectId> or --emergency-access-user <objectId>/);
    }
  });

  it("with empty lists too: no id, no exclusion added", () => {
    const result = importConditionalAccessPolicies(LOCKOUT, { sourceName: "lockout.json", emergencyAccess: { userIds: [], groupIds: [] } });
    expect(result.errors.filter((e) => e.field === "conditions.users.excludeGroups")).toHaveLength(2);
    expect(result.policies.every((p) => p.emergencyAccessAdded === undefined)).toBe(true);
  });

  it("a Graph-native policy that excludes nobody is refused (no Graph-native fallback for the lockout rule)", () => {
    const result = importConditionalAccessPolicies([graphPolicyWithoutExclusion()]);
    expect(result.policies).toEqual([]);
    // Refused with every problem, the gaps of azuread included.
    expect(result.errors).toContainEqual(expect.objectContaining({ field: "conditions.users.excludeGroups", fix: LOCKOUT_FIX }));
  });
});

describe("with emergencyAccess, the ids are added to exactly the refused policies", () => {
  const result = importConditionalAccessPolicies(LOCKOUT, { sourceName: "lockout.json", emergencyAccess: { groupIds: [GROUP], userIds: [USER] } });
  const byName = (name: string) => result.policies.find((p) => p.displayName === name)!;

  it("imports both lockout-refused policies as azuread resources, with the group and the user excluded and nothing else changed", () => {
    expect(result.errors.map((e) => e.policy)).toEqual(["Sales: require MFA", "Admin portals: require MFA"]); // unresolved ids: still refused
    const mfa = byName("Require MFA for all users");
    expect(mfa.kind).toBe("resource");
    expect(mfa.resource.conditions.users).toEqual({
      includedUsers: ["All"],
      excludedUsers: ["GuestsOrExternalUsers", USER],
      excludedGroups: [GROUP],
      excludedRoles: ["62e90394-69f5-4237-9190-012177145e10"],
    });
    expect(mfa.resource.state).toBe("enabled");
    expect(mfa.emergencyAccessAdded).toEqual({ groupIds: [GROUP], userIds: [USER] });
    const block = byName("Block access outside trusted locations");
    expect(block.resource.conditions.users).toMatchObject({ excludedUsers: [USER], excludedGroups: [GROUP] });
    expect(block.resource.grantControls).toEqual({ operator: "OR", builtInControls: ["block"] });
    expect(block.resource.state).toBe("enabled");
  });

  it("notes which ids were added and that the first pulumi up changes the tenant's policy; the snippet has the exclusion and no import option", () => {
    const mfa = byName("Require MFA for all users");
    expect(notesOf(mfa)).toEqual([
      expect.stringMatching(
        new RegExp(
          `added the emergency-access group ${GROUP} and user ${USER} to conditions\\.users\\.excludedGroups and conditions\\.users\\.excludedUsers; ` +
            "the tenant's policy does not exclude them yet: adopt it with the pulumi import command .*then the first pulumi up adds this exclusion to the tenant's policy, a change to the tenant made on purpose",
        ),
      ),
    ]);
    expect(mfa.typescript).toContain(`excludedGroups: ["${GROUP}"]`);
    // Pulumi refuses an import option whose inputs differ from the tenant's policy.
    expect(mfa.typescript).not.toContain("import:");
    expect(mfa.importCommand).toBe(
      "pulumi import 'azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy' 'require-mfa-for-all-users' '/identity/conditionalAccess/policies/5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a'",
    );
    expect(combinedImportFile(result.policies).resources.map((r) => r.name)).toContain("require-mfa-for-all-users");
  });

  it("leaves the report-only policy and the one already excluding a break-glass user unchanged (only refused policies get the ids)", () => {
    const without = importConditionalAccessPolicies(LOCKOUT, "lockout.json").policies;
    expect(without.map((p) => p.displayName)).toEqual(["Require MFA for all users (report-only)", "Require a compliant device for all users"]);
    const reportOnly = byName("Require MFA for all users (report-only)");
    const excluding = byName("Require a compliant device for all users");
    expect(reportOnly.resource).toEqual(without[0].resource);
    expect(excluding.resource).toEqual(without[1].resource);
    expect(excluding.resource.conditions.users.excludedUsers).toEqual(["3c8e1f2a-9b7d-4e6c-a5f4-2d1e0c9b8a7f"]);
    expect(reportOnly.resource.conditions.users.excludedGroups).toBeUndefined();
    expect(reportOnly.emergencyAccessAdded).toBeUndefined();
    expect(reportOnly.typescript).toContain("{ import:");
    expect(notesOf(reportOnly)).toEqual([]);
    expect(notesOf(excluding)).toEqual([]);
  });

  it("as a CorporateDeviceAccess component: the ids become its emergencyAccess, and the component declares the same policy plus the exclusion", () => {
    const r = importConditionalAccessPolicies([CORPORATE_NO_EXCLUSION], { emergencyAccess: BREAK_GLASS });
    expect(r.errors).toEqual([]);
    const p = r.policies[0];
    expect(p.kind).toBe("component");
    expect(p.component).toMatchObject({ state: "enabled", emergencyAccess: { groupIds: [GROUP] } });
    expect(p.typescript).toContain(`groupIds: ["${GROUP}"]`);
    const built = buildCorporateDevicePolicies(normaliseCorporateDeviceAccess(p.component!).value!)[0].args;
    expect(built.conditions.users.excludedGroups).toEqual([GROUP]);
    expect(built.state).toBe("enabled");
    expect(notesOf(p)).toEqual([expect.stringMatching(new RegExp(`added the emergency-access group ${GROUP} as the component's emergencyAccess; .*the first pulumi up adds this exclusion to the tenant's policy`))]);
    expect(p.importFile?.resources.map((x) => x.name)).toEqual(["block-non-corporate-devices", "block-non-corporate-devices-untrusted-devices"]);
  });

  it("as a Graph-native policy: the ids are its emergencyAccess arg, which the resource adds to the payload's exclusions; every other setting kept", () => {
    const original = graphPolicyWithoutExclusion();
    const r = importConditionalAccessPolicies([original], { emergencyAccess: { groupIds: [], userIds: [USER] } });
    expect(r.errors).toEqual([]);
    const p = r.policies[0];
    expect(p.kind).toBe("graph");
    expect(p.graph!.emergencyAccess).toEqual({ userIds: [USER] });
    expect(p.graph!.state).toBe("enabled");
    expect(p.graph!.conditions.applications).toEqual({ includeAuthenticationContextClassReferences: ["c1"] });
    expect(p.typescript).toContain("emergencyAccess: {");
    // It now differs from the tenant's policy: adopted with the import command, never the import option (Pulumi would refuse it).
    expect(p.importCommand).toBe(`pulumi import 'tenant-guardrails:conditionalaccess:ConditionalAccessPolicy' '${p.resourceName}' '${p.id}'`);
    expect(p.typescript).not.toContain("import:");
    const { value } = normaliseConditionalAccessPolicy(p.graph!);
    expect((value!.policy.conditions as any).users.excludeUsers).toEqual([USER]);
    expect(value!.state).toBe("enabled");
    expect(notesOf(p)).toEqual([
      expect.stringMatching(new RegExp(`added the emergency-access user ${USER} as the resource's emergencyAccess \\(which adds them to conditions\\.users\\.excludeUsers\\); .*adopt it with the pulumi import command.*first pulumi up adds this exclusion`)),
    ]);
    // What whatif, coverage and replay evaluate sees the exclusion.
    expect((importedPolicyGraph(p).conditions as any).users.excludeUsers).toEqual([USER]);
    expect(importedPolicyGraph(p).emergencyAccess).toBeUndefined();
  });

  it("a request body (no id): the note says pulumi up creates the policy with the exclusion", () => {
    const { id: _id, ...body } = CORPORATE_NO_EXCLUSION;
    const p = importConditionalAccessPolicies([body], { emergencyAccess: BREAK_GLASS }).policies[0];
    expect(notesOf(p)).toEqual([expect.stringMatching(/; pulumi up creates the policy with this exclusion$/)]);
  });

  it("across files (importConditionalAccessFiles) and counted per policy", () => {
    const r = importConditionalAccessFiles(
      [
        { name: "lockout.json", content: LOCKOUT },
        { name: "corporate.json", content: JSON.stringify(CORPORATE_NO_EXCLUSION) },
      ],
      { emergencyAccess: BREAK_GLASS },
    );
    expect(r.policies.filter((p) => p.emergencyAccessAdded).map((p) => p.displayName)).toEqual([
      "Require MFA for all users",
      "Block access outside trusted locations",
      "Block non-corporate devices",
    ]);
  });
});

describe("normaliseEmergencyAccess and the import functions' check of the ids", () => {
  it("accepts GUIDs, trimmed, lower-cased and without repeats", () => {
    expect(normaliseEmergencyAccess({ groupIds: [` ${GROUP.toUpperCase()} `, GROUP], userIds: [USER] })).toEqual({ value: { groupIds: [GROUP], userIds: [USER] }, problems: [] });
    expect(normaliseEmergencyAccess(undefined)).toEqual({ value: { groupIds: [], userIds: [] }, problems: [] });
  });

  it("names every bad id with its field, value and fix (not a GUID, the nil GUID, not a string, not a list)", () => {
    const { value, problems } = normaliseEmergencyAccess({ groupIds: ["Break glass", "00000000-0000-0000-0000-000000000000"], userIds: [42] });
    expect(value).toBeUndefined();
    expect(problems).toEqual([
      { field: "emergencyAccess.groupIds[0]", value: "Break glass", problem: "not a group object id (GUID)", fix: expect.stringMatching(/object id of your break-glass group from Entra ID/) },
      { field: "emergencyAccess.groupIds[1]", value: "00000000-0000-0000-0000-000000000000", problem: "the nil GUID is a template value, not a group object id", fix: expect.any(String) },
      { field: "emergencyAccess.userIds[0]", value: 42, problem: "not a user object id (GUID)", fix: expect.stringMatching(/break-glass account/) },
    ]);
    expect(normaliseEmergencyAccess({ groupIds: GROUP }).problems).toEqual([expect.objectContaining({ field: "emergencyAccess.groupIds", problem: "expected a list of group object ids" })]);
  });

  it("the import functions throw a GuardrailInputError for a bad id, before importing anything", () => {
    const bad = { emergencyAccess: { groupIds: ["Break glass"], userIds: [] } };
    expect(() => importConditionalAccessPolicies(LOCKOUT, bad)).toThrow(GuardrailInputError);
    expect(() => importConditionalAccessFiles([{ name: "x.json", content: LOCKOUT }], bad)).toThrow(/emergencyAccess\.groupIds\[0\] = "Break glass": not a group object id \(GUID\)/);
  });
});
