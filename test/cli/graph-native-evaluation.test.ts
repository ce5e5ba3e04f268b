/**
 * whatif, coverage and replay read the Graph-native ConditionalAccessPolicy a stack declares (and
 * Graph-only policies of an export) next to the azuread ones; a condition they do not model gives
 * "not enough information" for the devices it could affect, never a silent allow.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT, spawnCli } from "../helpers/cli";
import { generateUsers, graphPages } from "../helpers/signin-generator";

const BREAK_GLASS = "0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b02";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tg-graph-native-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const devicesJson = path.join(REPO_ROOT, "examples/devices.json");

/**
 * A project whose program declares two Graph-native policies: one the evaluators model whole
 * (block devices that are not joined), one with insider risk (not modelled), and one azuread policy.
 */
function graphNativeProject(): string {
  const dir = path.join(tmp, "project");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: acme\nruntime: nodejs\nmain: index.js\n");
  fs.writeFileSync(path.join(dir, "Pulumi.acme.yaml"), "config: {}\n");
  const program = `
const azuread = require(${JSON.stringify(path.join(REPO_ROOT, "node_modules/@pulumi/azuread"))});
const { ConditionalAccessPolicy } = require(${JSON.stringify(path.join(REPO_ROOT, "dist/components/index.js"))});
const users = { includeUsers: ["All"] };
new ConditionalAccessPolicy("block-not-joined", {
  displayName: "Block devices that are not joined",
  state: "enabled",
  emergencyAccess: { userIds: ["${BREAK_GLASS}"] },
  conditions: {
    users,
    applications: { includeApplications: ["All"] },
    clientAppTypes: ["all"],
    devices: { deviceFilter: { mode: "exclude", rule: 'device.trustType -eq "AzureAD" -or device.trustType -eq "ServerAD"' } },
  },
  grantControls: { operator: "OR", builtInControls: ["block"] },
});
new ConditionalAccessPolicy("insider-risk", {
  displayName: "Block elevated insider risk",
  state: "enabled",
  emergencyAccess: { userIds: ["${BREAK_GLASS}"] },
  conditions: { users, applications: { includeApplications: ["All"] }, clientAppTypes: ["all"], insiderRiskLevels: "elevated" },
  grantControls: { operator: "OR", builtInControls: ["block"] },
});
new azuread.ConditionalAccessPolicy("mfa-macos", {
  displayName: "MFA on macOS",
  state: "enabledForReportingButNotEnforced",
  conditions: {
    users: { includedUsers: ["All"], excludedUsers: ["${BREAK_GLASS}"] },
    applications: { includedApplications: ["All"] },
    clientAppTypes: ["all"],
    platforms: { includedPlatforms: ["macOS"] },
  },
  grantControls: { operator: "OR", builtInControls: ["mfa"] },
});
`;
  fs.writeFileSync(path.join(dir, "index.js"), program);
  return dir;
}

let project: string;
beforeAll(() => {
  project = graphNativeProject();
});

describe("whatif --stack with a Graph-native policy", () => {
  it("evaluates the Graph-native policies: a modelled one decides, an unmodelled condition gives not enough information", () => {
    const r = spawnCli(["whatif", "--stack", "acme", "--devices", devicesJson, "--json"], { cwd: project });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect([...doc.policies].sort(byName)).toEqual([
      { name: "Block devices that are not joined", state: "enabled", devicesApplied: 5 },
      { name: "Block elevated insider risk", state: "enabled", devicesApplied: 8, notModelled: ["insiderRiskLevels"] },
      { name: "MFA on macOS", state: "enabledForReportingButNotEnforced", devicesApplied: 1 },
    ]);
    // Joined devices: the insider-risk block may or may not apply; everything else is blocked by the modelled policy.
    expect(doc.devices.map((d: { outcome: string }) => d.outcome)).toEqual(["unknown", "unknown", "block", "unknown", "block", "block", "block", "block"]);
    expect(doc.totals).toEqual({ devices: 8, block: 5, grant: 0, allow: 0, unknown: 3, blockIfReportOnlyEnforced: 5, unknownIfReportOnlyEnforced: 3, noPolicy: 0 });
  });

  it("says so in the text output and the HTML page", () => {
    const html = path.join(tmp, "whatif.html");
    const r = spawnCli(["whatif", "--stack", "acme", "--devices", devicesJson, "--html", html], { cwd: project });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Block elevated insider risk  [enabled]  applies to 8 device(s); not modelled: insiderRiskLevels");
    expect(r.stdout).toContain("#0 HQ-LAPTOP-001 (ServerAd, Windows): not enough information");
    expect(r.stdout).toContain("Totals: 8 devices: 5 blocked, 0 granted with controls, 0 allowed, 3 not enough information;");
    const page = fs.readFileSync(html, "utf8");
    expect(page).toContain("not enough information (a condition not modelled)");
    expect(page).toContain("block if insiderRiskLevels match (not enough information)");
  });
});

describe("coverage --stack with a Graph-native policy", () => {
  it("classes the Graph-native policies tell apart; an assertion cannot pass on not enough information", () => {
    const r = spawnCli(["coverage", "--stack", "acme", "--json", "--assert", "not-trusted => block for any-user", "--assert", "trusted => not block for any-user"], { cwd: project });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.policies.map((p: { name: string; notModelled?: string[] }) => [p.name, p.notModelled ?? []]).sort()).toEqual([
      ["Block devices that are not joined", []],
      ["Block elevated insider risk", ["insiderRiskLevels"]],
      ["MFA on macOS", []],
    ]);
    expect(doc.counts).toMatchObject({ classes: 8, block: 4, grant: 0, allow: 2, unknown: 2, unknownIfReportOnlyEnforced: 2 });
    // The break-glass account (excluded from every policy) is a user class of its own: allowed on any device.
    // For everyone else, joined devices: only the insider-risk block applies, and it may or may not.
    const joined = 'trustType: "AzureAD" | "ServerAD"';
    type Row = { description: string[]; outcome: string; signIn?: { user?: { id?: string } } };
    const expected = (c: Row) => (c.signIn?.user?.id === BREAK_GLASS ? "allow" : c.description[1] === joined ? "unknown" : "block");
    for (const c of doc.classes as Row[]) expect([c.description, c.outcome]).toEqual([c.description, expected(c)]);
    const [notTrusted, trustedNeverBlock] = doc.assertions;
    expect(notTrusted.ok).toBe(true);
    expect(trustedNeverBlock.ok).toBe(false);
    expect(trustedNeverBlock.failures.every((f: { outcome: string }) => f.outcome === "unknown")).toBe(true);
  });

  it("prints not enough information in the text table", () => {
    const r = spawnCli(["coverage", "--stack", "acme"], { cwd: project });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/not enough information; \d+ with no policy/);
    expect(r.stdout).toMatch(/C\d+ {2}not enough information {2}registered; trustType: "AzureAD" \| "ServerAD"/);
  });
});

/** A Graph export with a policy azuread cannot express (authentication flows) and one it can. */
function graphOnlyExport(): string {
  const file = path.join(tmp, "graph-only.json");
  const base = { applications: { includeApplications: ["All"] }, users: { includeUsers: ["All"], excludeUsers: [BREAK_GLASS] }, clientAppTypes: ["all"] };
  fs.writeFileSync(
    file,
    JSON.stringify({
      value: [
        { id: "11111111-1111-1111-1111-111111111111", displayName: "Block device code flow", state: "enabled", conditions: { ...base, authenticationFlows: { transferMethods: "deviceCodeFlow" } }, grantControls: { operator: "OR", builtInControls: ["block"] } },
        { id: "22222222-2222-2222-2222-222222222222", displayName: "Block Android", state: "enabled", conditions: { ...base, platforms: { includePlatforms: ["android"] } }, grantControls: { operator: "OR", builtInControls: ["block"] } },
      ],
    }),
  );
  return file;
}

describe("--policies exports with a Graph-only policy", () => {
  it("whatif evaluates it (not enough information where it could block) instead of leaving it out", () => {
    const r = spawnCli(["whatif", "--policies", graphOnlyExport(), "--devices", devicesJson, "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.importErrors).toEqual([]);
    expect(doc.policies.map((p: { name: string; notModelled?: string[] }) => [p.name, p.notModelled ?? []])).toEqual([
      ["Block device code flow", ["authenticationFlows"]],
      ["Block Android", []],
    ]);
    expect(doc.devices.map((d: { outcome: string }) => d.outcome)).toEqual(["unknown", "unknown", "unknown", "unknown", "unknown", "unknown", "unknown", "block"]);
    expect(doc.totals).toMatchObject({ unknown: 7, block: 1, allow: 0 });
  });

  it("coverage analyses it: no class is allowed silently", () => {
    const r = spawnCli(["coverage", "--policies", graphOnlyExport(), "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.importErrors).toEqual([]);
    expect(doc.policies.map((p: { name: string }) => p.name)).toEqual(["Block device code flow", "Block Android"]);
    // Allowed: only the break-glass account's classes (excluded from both policies by design).
    const allowed = doc.classes.filter((c: { outcome: string }) => c.outcome === "allow");
    expect(allowed.length).toBe(doc.counts.allow);
    for (const c of allowed) expect(c.signIn.user.id).toBe(BREAK_GLASS);
    expect(doc.counts.unknown).toBe(doc.counts.classes - doc.counts.block - doc.counts.allow);
    expect(doc.counts.block).toBeGreaterThan(0);
  });
});

describe("replay --stack with a Graph-native policy", () => {
  it("replays the sign-ins against the Graph-native policies too; the unmodelled condition is not enough information", () => {
    const signins = path.join(tmp, "signins.json");
    fs.writeFileSync(signins, graphPages(50, 25, { seed: 3, users: generateUsers(3, 10, 2) }));
    const r = spawnCli(["replay", "--stack", "acme", "--signins", signins, "--json", "--summary"], { cwd: project });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const policies = Object.fromEntries(doc.policies.map((p: { name: string; block: number; unknown: number; unmodelled: string[] }) => [p.name, p]));
    expect(Object.keys(policies).sort()).toEqual(["Block devices that are not joined", "Block elevated insider risk", "MFA on macOS"]);
    expect(policies["Block elevated insider risk"]).toMatchObject({ unknown: 50, unmodelled: ["insiderRiskLevels"] });
    expect(policies["Block devices that are not joined"].block).toBeGreaterThan(0);
    expect(doc.totals.block + doc.totals.unknown).toBe(50);
    expect(doc.totals.allow).toBe(0);
  });
});
