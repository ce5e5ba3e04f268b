/**
 * `import-ca --emergency-access-group/--emergency-access-user`: exit codes, repeatable flags, the
 * summary line and the --json count, on the repository's lockout fixture (read in place).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ownFixturesDir } from "../../bench/fixtures";
import { runCli } from "../helpers/cli";

const FIXTURES = path.join(ownFixturesDir(), "conditional-access");
/** 6 policies: 2 refused by the lockout rule, 2 by unresolved ids, 2 imported. */
const LOCKOUT = path.join(FIXTURES, "lockout-and-unresolved-ids.json");
const GROUP_A = "b1f2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
const GROUP_B = "d4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70";
const USER = "c2a3b4c5-d6e7-4f80-9a1b-2c3d4e5f6a7b";

let dir: string;
let onlyLockout: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "import-ca-ea-"));
  // The fixture without its two unresolved-id policies: what the flags alone make import whole.
  const page = JSON.parse(fs.readFileSync(LOCKOUT, "utf8")) as { value: { displayName: string }[] };
  onlyLockout = path.join(dir, "lockout-only.json");
  fs.writeFileSync(onlyLockout, JSON.stringify({ value: page.value.filter((p) => !/^(Sales|Admin portals):/.test(p.displayName)) }));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("import-ca --emergency-access-group / --emergency-access-user", () => {
  it("without them: the lockout-refused policies fail (exit 1) and the fix names the flags", async () => {
    const r = await runCli(["import-ca", onlyLockout]);
    expect(r.code).toBe(1);
    expect(r.stdout.trimEnd().split("\n").pop()).toBe("2 policies imported (0 as CorporateDeviceAccess, 2 as azuread resources, 0 as Graph-native resources), 2 error(s)");
    expect(r.stderr).toContain('"Require MFA for all users": conditions.users.excludeGroups: an enabled policy that blocks all users or requires a control of them (mfa) must exclude');
    expect(r.stderr).toContain("  fix: give your break-glass group or accounts with import-ca --emergency-access-group <objectId> or --emergency-access-user <objectId>");
  });

  it("with a group: every policy imports (exit 0), the summary counts those that got the exclusion", async () => {
    const r = await runCli(["import-ca", "--emergency-access-group", GROUP_A, onlyLockout]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split("\n").pop()).toBe(
      "4 policies imported (0 as CorporateDeviceAccess, 4 as azuread resources, 0 as Graph-native resources; 2 with the emergency-access exclusion added), 0 error(s)",
    );
    expect(r.stdout).toContain(`added the emergency-access group ${GROUP_A} to conditions.users.excludedGroups; the tenant's policy does not exclude them yet`);
    expect(r.stdout).toContain(`excludedGroups: ["${GROUP_A}"]`);
  });

  it("the flags are repeatable and combine; --json counts the policies under emergencyAccessAdded and lists the ids per policy", async () => {
    const r = await runCli(["import-ca", "--json", "--emergency-access-group", GROUP_A, "--emergency-access-user", USER, "--emergency-access-group", GROUP_B, onlyLockout]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(["ok", "files", "policies", "errors", "emergencyAccessAdded"]);
    expect(doc.ok).toBe(true);
    expect(doc.emergencyAccessAdded).toBe(2);
    const added = doc.policies.filter((p: { emergencyAccessAdded: unknown }) => p.emergencyAccessAdded !== null);
    expect(added.map((p: { displayName: string }) => p.displayName)).toEqual(["Require MFA for all users", "Block access outside trusted locations"]);
    for (const p of added) {
      expect(p.emergencyAccessAdded).toEqual({ groupIds: [GROUP_A, GROUP_B], userIds: [USER] });
      expect(p.resource.conditions.users.excludedGroups).toEqual([GROUP_A, GROUP_B]);
      expect(p.resource.state).toBe("enabled");
      expect(p.notes.map((n: { code: string }) => n.code)).toContain("emergency-access-added");
    }
  });

  it("still exits 1 for the policies refused for another reason (an unresolved id is not the lockout rule)", async () => {
    const r = await runCli(["import-ca", "--emergency-access-user", USER, LOCKOUT]);
    expect(r.code).toBe(1);
    expect(r.stdout.trimEnd().split("\n").pop()).toBe(
      "4 policies imported (0 as CorporateDeviceAccess, 4 as azuread resources, 0 as Graph-native resources; 2 with the emergency-access exclusion added), 2 error(s)",
    );
  });

  it.each([
    ["--emergency-access-group", "Break glass", "not a group object id (GUID)", "object id of your break-glass group"],
    ["--emergency-access-user", "00000000-0000-0000-0000-000000000000", "the nil GUID is a template value, not a user object id", "object id of your break-glass account"],
  ])("exits 2 for %s %j, naming the flag, the value and the fix, before reading any file", async (flag, value, problem, fix) => {
    const r = await runCli(["import-ca", "--emergency-access-group", GROUP_A, flag, value, path.join(dir, "does-not-exist.json")]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`error: ${flag} ${JSON.stringify(value)}: ${problem}; fix: use the ${fix} from Entra ID`);
    expect(r.stderr).not.toContain("does-not-exist.json");
  });

  it("exits 2 when the flag has no value", async () => {
    const r = await runCli(["import-ca", onlyLockout, "--emergency-access-group"]);
    expect(r.code).toBe(2);
  });
});
