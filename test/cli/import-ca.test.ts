/**
 * `tenant-guardrails import-ca` and `whatif --policies`, in-process, on files written to a temp
 * directory (the repository's fixture exports are read in place).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ownFixturesDir } from "../../bench/fixtures";
import { runCli } from "../helpers/cli";
import { corporateDevicesPolicy } from "../helpers/ca-fixtures";

const FIXTURES = path.join(ownFixturesDir(), "conditional-access");
/** A beta list page of four policies; #2 excludes hybrid-joined devices with a device filter. */
const BETA_PAGE = path.join(FIXTURES, "beta-policies-page.json");
/** A v1.0 list page: "Baseline" and "Sales " (trailing space). */
const EXAMPLE = path.join(FIXTURES, "baseline-and-sales.json");

let dir: string;
const file = (name: string, content: string | Buffer) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
};

const CORPORATE = corporateDevicesPolicy();

/** Beta export of an old policy still on the legacy device condition (report-only, MFA unless compliant). */
const LEGACY = {
  "@odata.type": "#microsoft.graph.conditionalAccessPolicy",
  id: "6d2f1e4b-8c3e-4f9a-8b7d-2e3f4a5b6c7d",
  displayName: "MFA unless compliant",
  state: "enabledForReportingButNotEnforced",
  conditions: {
    applications: { includeApplications: ["All"] },
    users: { includeUsers: ["All"] },
    clientAppTypes: ["all"],
    deviceStates: null,
    devices: { includeDevices: ["All"], excludeDevices: ["Compliant"], deviceFilter: null },
  },
  grantControls: { operator: "OR", builtInControls: ["mfa"] },
};

const BAD_RULE = {
  ...CORPORATE,
  id: "7e3a2f5c-9d4f-4a0b-8c8e-3f4a5b6c7d8e",
  displayName: "Typo in rule",
  conditions: { ...CORPORATE.conditions, devices: { deviceFilter: { mode: "include", rule: 'device.trustType -ne "AzureAD" -and device.trustTyp -ne "ServerAD"' } } },
};

/** A small inventory: one device of each trust type (Graph casing), a compliant registered one, unregistered ones. */
const DEVICES = [
  { displayName: "joined", trustType: "AzureAd", isCompliant: false, operatingSystem: "Windows" },
  { displayName: "hybrid", trustType: "ServerAd", isCompliant: false, operatingSystem: "Windows" },
  { displayName: "byod", trustType: "Workplace", isCompliant: false, operatingSystem: "Windows" },
  { displayName: "byod-compliant", trustType: "Workplace", isCompliant: true, operatingSystem: "iOS" },
  null,
];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "import-ca-"));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("import-ca", () => {
  it("prints, per policy, name, kind, notes, TypeScript and the pulumi import line; exit 0", async () => {
    const r = await runCli(["import-ca", BETA_PAGE]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(`== Marketing: hybrid joined devices only  (${BETA_PAGE} #2)`);
    expect(r.stdout).toContain("  kind: azuread.ConditionalAccessPolicy resource");
    expect(r.stdout).toContain('new azuread.ConditionalAccessPolicy("marketing-hybrid-joined-devices-only", {');
    expect(r.stdout).toContain(
      "import: pulumi import 'azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy' 'marketing-hybrid-joined-devices-only' '/identity/conditionalAccess/policies/2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f'",
    );
    expect(r.stdout).toContain("    - kept as a raw resource, not CorporateDeviceAccess:");
    expect(r.stdout.trimEnd().split("\n").pop()).toBe("4 policies imported (0 as CorporateDeviceAccess, 4 as azuread resources, 0 as Graph-native resources), 0 error(s)");
  });

  it("gives component args and the import file for a corporate-device policy", async () => {
    const r = await runCli(["import-ca", file("corporate.json", JSON.stringify(CORPORATE))]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("  kind: CorporateDeviceAccess component");
    expect(r.stdout).toContain('new CorporateDeviceAccess("block-non-corporate-devices", {');
    expect(r.stdout).toContain("import: pulumi import --file 'block-non-corporate-devices.import.json'");
    expect(r.stdout).toContain('"name": "block-non-corporate-devices-untrusted-devices"');
  });

  it("--json prints { ok, files, policies, errors, emergencyAccessAdded } with every key present", async () => {
    const r = await runCli(["import-ca", "--json", EXAMPLE, file("corporate.json", JSON.stringify(CORPORATE))]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(["ok", "files", "policies", "errors", "emergencyAccessAdded"]);
    expect(doc.emergencyAccessAdded).toBe(0);
    expect(doc.ok).toBe(true);
    expect(doc.errors).toEqual([]);
    expect(doc.files).toEqual([
      { source: EXAMPLE, encoding: "utf-8" },
      { source: path.join(dir, "corporate.json"), encoding: "utf-8" },
    ]);
    expect(doc.policies.map((p: { resourceName: string; kind: string }) => [p.resourceName, p.kind])).toEqual([
      ["baseline", "resource"],
      ["sales", "resource"],
      ["block-non-corporate-devices", "component"],
    ]);
    expect(doc.policies[0]).toMatchObject({ component: null, importFile: null, emergencyAccessAdded: null, id: "f0e1d2c3-b4a5-4968-8776-a5b4c3d2e1f0" });
    expect(doc.policies[2].component).toMatchObject({ trustedTrustTypes: ["AzureAD", "ServerAD"] });
  });

  it("exits 1 when a policy fails, still printing the others, with a caret under the rule fault", async () => {
    const r = await runCli(["import-ca", file("mixed.json", JSON.stringify([CORPORATE, BAD_RULE]))]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("== Block non-corporate devices");
    expect(r.stdout).toContain("1 policy imported (1 as CorporateDeviceAccess, 0 as azuread resources, 0 as Graph-native resources), 1 error(s)");
    const lines = r.stderr.split("\n");
    expect(lines[0].startsWith(`error: ${path.join(dir, "mixed.json")} #2 "Typo in rule": conditions.devices.deviceFilter.rule: invalid device filter rule at position 36`)).toBe(true);
    expect(lines[1]).toBe('    device.trustType -ne "AzureAD" -and device.trustTyp -ne "ServerAD"');
    expect(lines[2]).toBe("    " + " ".repeat(36) + "^");
    expect(lines[3]).toMatch(/^ {2}fix: .*device\.trustType/);
  });

  it("--json lists the failed policy under errors with position and exits 1", async () => {
    const r = await runCli(["import-ca", "--json", file("mixed.json", JSON.stringify([CORPORATE, BAD_RULE]))]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.policies).toHaveLength(1);
    expect(doc.errors).toEqual([expect.objectContaining({ index: 1, policy: "Typo in rule", field: "conditions.devices.deviceFilter.rule", position: 36 })]);
  });

  it("--import-file writes one pulumi import document for every policy with an id", async () => {
    const out = path.join(dir, "adopt.json");
    const r = await runCli(["import-ca", "--import-file", out, EXAMPLE, file("corporate.json", JSON.stringify(CORPORATE))]);
    expect(r.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(out, "utf8"))).toEqual({
      resources: [
        { type: "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy", name: "baseline", id: "/identity/conditionalAccess/policies/f0e1d2c3-b4a5-4968-8776-a5b4c3d2e1f0" },
        { type: "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy", name: "sales", id: "/identity/conditionalAccess/policies/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d" },
        { type: "tenant-guardrails:index:CorporateDeviceAccess", name: "block-non-corporate-devices", component: true },
        {
          type: "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy",
          name: "block-non-corporate-devices-untrusted-devices",
          id: "/identity/conditionalAccess/policies/5c1f0e3a-7b2d-4e8f-9a6c-1d2e3f4a5b6c",
          parent: "block-non-corporate-devices",
        },
      ],
    });
  });

  it("exits 2 when the import file cannot be written", async () => {
    const r = await runCli(["import-ca", "--import-file", path.join(dir, "missing-dir", "adopt.json"), EXAMPLE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write import file/);
  });

  it("reads UTF-16LE files with a BOM (as Windows PowerShell writes them)", async () => {
    const text = fs.readFileSync(EXAMPLE, "utf8");
    const p = file("utf16.json", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
    const r = await runCli(["import-ca", "--json", p]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.files[0].encoding).toBe("utf-16le with BOM");
    expect(doc.policies.map((x: { displayName: string }) => x.displayName)).toEqual(["Baseline", "Sales "]);
  });

  it("resolves placeholders from --map", async () => {
    const templated = { ...CORPORATE, conditions: { ...CORPORATE.conditions, users: { includeUsers: ["All"], excludeGroups: ["ENTRAGROUP_Break glass_ENTRAGROUP"] } } };
    const exportFile = file("templated.json", JSON.stringify(templated));
    const without = await runCli(["import-ca", exportFile]);
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('unresolved placeholder "ENTRAGROUP_Break glass_ENTRAGROUP"');
    const map = file("map.json", JSON.stringify({ "ENTRAGROUP_Break glass_ENTRAGROUP": "b1b2b3b4-0000-4000-8000-000000000001" }));
    const r = await runCli(["import-ca", "--json", "--map", map, exportFile]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).policies[0].component.emergencyAccess).toEqual({ groupIds: ["b1b2b3b4-0000-4000-8000-000000000001"] });
  });

  it.each([
    ["no file", [] as string[], /missing required argument/],
    ["an unreadable file", ["/nonexistent/export.json"], /cannot read Graph export \/nonexistent\/export.json/],
    ["an unreadable map", ["--map", "/nonexistent/map.json", EXAMPLE], /cannot read placeholder map/],
  ])("exits 2 on usage errors: %s", async (_label, args, message) => {
    const r = await runCli(["import-ca", ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe("");
  });
});

describe("whatif --policies", () => {
  it("evaluates the imported policies (legacy condition converted) on a device inventory", async () => {
    const exportFile = file("tenant.json", JSON.stringify({ "@odata.context": "https://graph.microsoft.com/beta/$metadata#policies", value: [CORPORATE, LEGACY] }));
    const devices = file("devices.json", JSON.stringify(DEVICES));
    const r = await runCli(["whatif", "--json", "--devices", devices, "--policies", exportFile]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.source).toEqual({ policies: [exportFile] });
    expect(doc.importErrors).toEqual([]);
    const byDevice = doc.devices.map((d: { outcome: string; applying: string[] }) => [d.outcome, d.applying]);
    expect(byDevice).toEqual([
      ["allow", ["MFA unless compliant"]], // joined, not compliant: only the report-only MFA policy
      ["allow", ["MFA unless compliant"]], // hybrid
      ["block", ["Block non-corporate devices", "MFA unless compliant"]], // registered personal device
      ["block", ["Block non-corporate devices"]], // compliant personal device: legacy exclusion applies, still not corporate
      ["block", ["Block non-corporate devices", "MFA unless compliant"]], // unregistered
    ]);
    expect(doc.totals).toMatchObject({ devices: 5, block: 3, allow: 2 });
  });

  it("prints the human report and exits 1 when a policy of the export cannot be imported, naming it", async () => {
    const exportFile = file("tenant-bad.json", JSON.stringify([CORPORATE, BAD_RULE]));
    const devices = file("devices.json", JSON.stringify(DEVICES));
    const r = await runCli(["whatif", "--devices", devices, "--policies", exportFile]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Block non-corporate devices");
    expect(r.stdout).not.toContain("Typo in rule");
    expect(r.stderr).toContain('"Typo in rule": conditions.devices.deviceFilter.rule: invalid device filter rule at position 36');
    expect(r.stderr).toContain("(left out of the evaluation)");
  });

  it("takes --map for placeholders in the exports", async () => {
    const templated = { ...CORPORATE, conditions: { ...CORPORATE.conditions, users: { includeUsers: ["All"], excludeGroups: ["${urn:resource:MSGraph:Groups/BreakGlass?$id}"] } } };
    const exportFile = file("templated-tenant.json", JSON.stringify([templated]));
    const map = file("tenant-map.json", JSON.stringify({ "${urn:resource:MSGraph:Groups/BreakGlass?$id}": "b1b2b3b4-0000-4000-8000-000000000001" }));
    const devices = file("devices.json", JSON.stringify(DEVICES));
    const r = await runCli(["whatif", "--json", "--devices", devices, "--policies", exportFile, "--map", map]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).totals).toMatchObject({ devices: 5, block: 3 });
  });

  it("--json lists the policies left out under importErrors", async () => {
    const exportFile = file("tenant-bad.json", JSON.stringify([CORPORATE, BAD_RULE]));
    const devices = file("devices.json", JSON.stringify(DEVICES));
    const r = await runCli(["whatif", "--json", "--devices", devices, "--policies", exportFile]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.importErrors).toEqual([expect.objectContaining({ source: exportFile, index: 1, policy: "Typo in rule", position: 36 })]);
    expect(doc.policies.map((p: { name: string }) => p.name)).toEqual(["Block non-corporate devices"]);
  });

  it.each([
    ["both --stack and --policies", ["--stack", "dev", "--policies", EXAMPLE]],
    ["neither", [] as string[]],
  ])("exits 2 with %s", async (_label, args) => {
    const devices = file("devices.json", JSON.stringify(DEVICES));
    const r = await runCli(["whatif", "--devices", devices, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("give either --stack <name> or --policies <graph-export.json>..., not both");
  });
});
