import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT, spawnCli, tempProject } from "../helpers/cli";

const CA = "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy";
const devicesJson = path.join(REPO_ROOT, "examples/devices.json");
const devicesCsv = path.join(REPO_ROOT, "examples/devices.csv");

describe("tenant-guardrails plan (a real process on the built CLI)", () => {
  it("plans the dev stack: report-only corporate-device policies with their key inputs", () => {
    const r = spawnCli(["plan", "--stack", "dev"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Offline plan of stack "dev"');
    expect(r.stdout).toContain(`+ ${CA}  corporate-devices-untrusted-devices`);
    expect(r.stdout).toContain('conditions.devices.filter.rule: device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"');
    expect(r.stdout).toContain("state: enabledForReportingButNotEnforced");
    // a generated script is a stack output: the human plan shows its first line and size only
    expect(r.stdout).toMatch(/"exchangeScript": "# tenant-guardrails: [^\n]*… \(\d+ lines\)"/);
    expect(r.stdout).not.toContain("Connect-ExchangeOnline");
  });

  it("prints a stable JSON document for prod: enabled, break-glass excluded", () => {
    const r = spawnCli(["plan", "--stack", "prod", "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.stack).toBe("prod");
    const policies = doc.resources.filter((x: { type: string }) => x.type === CA);
    expect(policies.map((p: { name: string }) => p.name).sort()).toEqual(["corporate-devices-other-platforms", "corporate-devices-untrusted-devices"]);
    for (const p of policies) {
      expect(p.inputs.state).toBe("enabled");
      expect(p.inputs.conditions.users.excludedGroups).toEqual(["0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b02"]);
      expect(p.inputs.conditions.users.excludedUsers).toHaveLength(2);
    }
    expect(doc.outputs.conditionalAccess.state).toBe("enabled");
  });

  it("runs a TypeScript program as Pulumi does, and says what to install when the project has no ts-node", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ts-program-"));
    try {
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: acme\nruntime: nodejs\nmain: index.ts\n");
      fs.writeFileSync(path.join(dir, "Pulumi.acme.yaml"), "config: {}\n");
      fs.writeFileSync(path.join(dir, "index.ts"), "export const hello: string = 'world';\n");
      const r = spawnCli(["plan", "--stack", "acme"], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("index.ts is TypeScript, which Pulumi runs with ts-node and typescript installed in the project. Fix: npm install --save-dev ts-node typescript");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 2 for an unknown stack and names the stacks there are", () => {
    const r = spawnCli(["plan", "--stack", "staging"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no stack "staging".*stacks: .*dev.*prod/);
  });

  it("exits 1 with the component's message when the stack config is invalid", () => {
    const dir = tempProject("broken", "config:\n  tenant-guardrails:conditionalAccess:\n    state: enabled\n");
    const r = spawnCli(["plan", "--stack", "broken"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('CorporateDeviceAccess "corporate-devices"');
    expect(r.stderr).toContain("emergency-access");
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("exits 1 with the component's message, and prints no partial plan, when an input fails late", () => {
    // A program whose subscription id arrives as an Output resolved after the program returned (as
    // from a StackReference): the component validates it inside an apply, after other resources
    // have registered. pulumi preview fails there; so must the offline plan, with nothing planned.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tg-late-"));
    try {
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: tenant-guardrails\nruntime: nodejs\nmain: index.js\n");
      fs.symlinkSync(path.join(REPO_ROOT, "dist"), path.join(dir, "dist"));
      fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
      fs.writeFileSync(
        path.join(dir, "index.js"),
        `const pulumi = require("@pulumi/pulumi");
const { VulnerabilityAssessment } = require("./dist/components");
const config = new pulumi.Config();
const subscriptionId = pulumi.output(new Promise((resolve) => setTimeout(() => resolve(config.require("subscriptionId")), 50)));
new VulnerabilityAssessment("va", { subscriptionId, provider: "builtIn", builtIn: { subPlan: "P1", assignPolicy: true, policyAssignmentLocation: "westeurope", keepPlanOnRemoval: true } });
`,
      );
      fs.writeFileSync(path.join(dir, "Pulumi.good.yaml"), 'config:\n  tenant-guardrails:subscriptionId: "3b7e2c91-5d4a-4f8e-a1c6-0e9d8b7a6f51"\n');
      fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), 'config:\n  tenant-guardrails:subscriptionId: "not-a-guid"\n');
      const good = spawnCli(["plan", "--stack", "good", "--json"], { cwd: dir });
      expect(good.code).toBe(0);
      expect(JSON.parse(good.stdout).resources.map((x: { name: string }) => x.name).sort()).toEqual(
        ["va", "va-servers-plan", "va-va-policy", "va-va-policy-security-admin", "va-va-setting"],
      );
      const message = /^VulnerabilityAssessment "va" has an invalid input:\n {2}- subscriptionId = "not-a-guid": is not a subscription id/;
      const human = spawnCli(["plan", "--stack", "bad"], { cwd: dir });
      expect(human.code).toBe(1);
      expect(human.stdout).toBe("");
      expect(human.stderr.replace(/^error: /, "")).toMatch(message);
      expect(human.stderr).not.toContain("error serializing property");
      const json = spawnCli(["plan", "--stack", "bad", "--json"], { cwd: dir });
      expect(json.code).toBe(1);
      expect(json.stderr).toBe("");
      const doc = JSON.parse(json.stdout);
      // Bad input found by a component inside an apply is invalid input, with the problems as details.
      expect(doc).toEqual({
        ok: false,
        error: {
          kind: "invalid-input",
          message: expect.stringMatching(message),
          details: { component: "VulnerabilityAssessment", resourceName: "va", problems: [expect.objectContaining({ field: "subscriptionId", value: "not-a-guid" })] },
        },
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 2 on usage errors", () => {
    expect(spawnCli(["plan"]).code).toBe(2);
    expect(spawnCli(["no-such-command"]).code).toBe(2);
  });
});

describe("tenant-guardrails whatif --stack", () => {
  it("evaluates the prod stack over a JSON inventory, with totals", () => {
    const r = spawnCli(["whatif", "--stack", "prod", "--devices", devicesJson, "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.devices.map((d: { outcome: string }) => d.outcome)).toEqual(["allow", "allow", "block", "block", "block", "block", "block", "block"]);
    expect(doc.totals).toMatchObject({ devices: 8, block: 6, allow: 2 });
    expect(doc.devices[5].label).toBe("#5 unregistered");
  });

  it("shows dev's report-only policies as not enforced, with what they would do", () => {
    const r = spawnCli(["whatif", "--stack", "dev", "--devices", devicesCsv]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("#2 Jane's iPhone (Workplace, iOS): allow  [report-only would: block]");
    expect(r.stdout).toMatch(/Totals: 5 devices: 0 blocked, 0 granted with controls, 5 allowed; 2 would be blocked/);
  });

  it("exits 2 when the inventory file cannot be read, 1 when it is not an inventory", () => {
    expect(spawnCli(["whatif", "--stack", "dev", "--devices", "/nonexistent.json"]).code).toBe(2);
    const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tg-inv-")), "bad.json");
    fs.writeFileSync(bad, '{"devices": 3}');
    const r = spawnCli(["whatif", "--stack", "dev", "--devices", bad, "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.message).toMatch(/must be an array/);
  });
});
