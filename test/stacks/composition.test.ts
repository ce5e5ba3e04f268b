/**
 * The composition: the whole stack config is checked at once (every problem of every system in one
 * error), and a new environment is only a new Pulumi.<stack>.yaml.
 */
import { REPO_ROOT, spawnCli, tempProject } from "../helpers/cli";
import { StackConfigError, checkStackConfig } from "../../stacks/config";
import { runUnderMocks } from "../../cli/engine";
import { declareConditionalAccess } from "../../stacks/conditional-access";
import { declareDefender } from "../../stacks/defender";
import { declareEmail } from "../../stacks/email";
import { declareIntune } from "../../stacks/intune";
import { scaledProject } from "../../bench/stack";


const json = (v: unknown) => JSON.stringify(v);
const STAGING_CA = json({ displayNamePrefix: "QA", state: "reportOnly", users: { includeGroupIds: ["3c1e5a7b-9d2f-4e6a-8b0c-1d3f5a7b9c2e"] } });

describe("checkStackConfig (pure)", () => {
  it("reports every problem of every system at once, each with its config key and component", () => {
    const { problems } = checkStackConfig({
      stack: "staging",
      values: {
        conditionalAccess: json({ state: "enabled", applications: ["Office365"] }),
        defender: json({ subscriptionId: "not-a-guid", provider: "qualysByol", qualysByol: { resourceGroupName: "rg", location: "westeurope", licenseCode: "ABC-123" } }),
        intune: json({ assignment: { includeGroupIds: ["Corporate devices"] } }),
        email: json({ resourceGroupName: "rg-dns", dmarcPolicy: "rejected", domains: [{ domain: "contoso.com" }] }),
        emailCertificatePasword: "secret-not-shown",
      },
    });
    const fields = problems.map((p) => p.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        "tenant-guardrails:conditionalAccess.emergencyAccess",
        "tenant-guardrails:defender.subscriptionId",
        "tenant-guardrails:defender.qualysByol.licenseCode",
        "tenant-guardrails:email.dmarcPolicy",
      ]),
    );
    expect(fields.some((f) => f.startsWith("tenant-guardrails:intune.assignment.includeGroupIds"))).toBe(true);
    expect(problems.find((p) => p.field === "tenant-guardrails:emailCertificatePasword")?.fix).toBe("did you mean tenant-guardrails:emailCertificatePassword? Rename the key");
    const components = new Set(problems.map((p) => p.component));
    expect([...components]).toEqual(
      expect.arrayContaining(['CorporateDeviceAccess "corporate-devices"', 'VulnerabilityAssessment "defender-va"', 'FipsDeviceConfiguration "windows-fips"', 'EmailAuthentication "email"', "stack"]),
    );
    // The inline license code is never echoed.
    expect(JSON.stringify(problems)).not.toContain("ABC-123");
    expect(JSON.stringify(problems)).not.toContain("secret-not-shown");
    const message = new StackConfigError("staging", problems).message;
    expect(message).toMatch(/^Stack "staging": the config in Pulumi.staging.yaml has \d+ problems \(nothing was declared\):/);
    expect(message.split("\n").filter((l) => l.startsWith("  - "))).toHaveLength(problems.length);
  });

  it("an empty stack, and a system given as text instead of a mapping, are problems", () => {
    expect(checkStackConfig({ stack: "qa", values: {} }).problems[0].problem).toBe("the stack declares none of the four systems");
    const { problems } = checkStackConfig({ stack: "qa", values: { intune: "yes" } });
    expect(problems).toEqual([expect.objectContaining({ field: "tenant-guardrails:intune", problem: "must be an object of the component's settings" })]);
  });

  it("the repository's dev and prod configs have no problem", () => {
    // Read the YAML as the CLI does and check it with the same function the program uses.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { loadStackConfig, findProject } = require("../../cli/stack") as typeof import("../../cli/stack");
    for (const stack of ["dev", "prod"]) {
      const { config, secretKeys } = loadStackConfig(findProject(REPO_ROOT), stack);
      const values = Object.fromEntries(Object.entries(config).flatMap(([k, v]) => (k.startsWith("tenant-guardrails:") ? [[k.slice("tenant-guardrails:".length), v]] : [])));
      const secret = secretKeys.map((k) => k.slice("tenant-guardrails:".length));
      expect(checkStackConfig({ stack, values, secretKeys: secret }).problems).toEqual([]);
    }
  });
});

// A third environment, written as a config file only: all four systems, staging's own choices.
const STAGING = `config:
  tenant-guardrails:conditionalAccess:
    displayNamePrefix: "STAGING Office 365 from corporate devices"
    state: enabled
    applications: [Office365]
    emergencyAccess:
      groupIds: ["0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b03"]
  tenant-guardrails:intune:
    displayNamePrefix: "STAGING tenant-guardrails"
    onRemove: disable
    assignment:
      includeGroupIds: ["7e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a63"]
    bitLocker: {}
  tenant-guardrails:email:
    resourceGroupName: rg-dns-staging
    dmarcPolicy: quarantine
    domains:
      - domain: staging.contoso.com
        dmarc:
          aggregateReportUris: ["mailto:dmarc-reports@contoso.com"]
  tenant-guardrails:defender:
    subscriptionId: "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
    provider: builtIn
    builtIn:
      subPlan: P2
    machines:
      - /subscriptions/5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d/resourceGroups/rg-app/providers/Microsoft.HybridCompute/machines/arc-01
`;

describe("a third stack is only a config file", () => {
  it("plans a generated Pulumi.staging.yaml: all four components, no mandatory finding", () => {
    const r = spawnCli(["plan", "--stack", "staging", "--json"], { cwd: tempProject("staging", STAGING) });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const components = doc.resources.filter((x: { custom: boolean }) => !x.custom).map((x: { type: string; name: string }) => `${x.type} ${x.name}`);
    expect(components.sort()).toEqual([
      "tenant-guardrails:index:CorporateDeviceAccess corporate-devices",
      "tenant-guardrails:index:EmailAuthentication email",
      "tenant-guardrails:index:FipsDeviceConfiguration windows-fips",
      "tenant-guardrails:index:VulnerabilityAssessment defender-va",
    ]);
    const ca = doc.resources.find((x: { name: string }) => x.name === "corporate-devices-untrusted-devices");
    expect(ca.inputs.state).toBe("enabled");
    expect(ca.urn).toMatch(/^urn:pulumi:staging::/);
    expect(doc.resources.find((x: { name: string }) => x.name === "windows-fips-bitlocker").inputs.displayName).toBe("STAGING tenant-guardrails - BitLocker (FIPS-compatible)");
    expect(doc.findings.filter((f: { enforcementLevel: string }) => f.enforcementLevel === "mandatory")).toEqual([]);
  });

  it("a broken staging config fails with one error that lists the problems of every system, and no stack trace", () => {
    const broken = STAGING.replace("state: enabled\n    applications: [Office365]\n    emergencyAccess:\n      groupIds: [\"0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b03\"]", "state: enabled\n    applications: [Office365]")
      .replace("dmarcPolicy: quarantine", "dmarcPolicy: strict")
      .replace("subPlan: P2", "subPlan: p2");
    const r = spawnCli(["plan", "--stack", "staging"], { cwd: tempProject("staging", broken) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Stack "staging": the config in Pulumi.staging.yaml has 4 problems (nothing was declared):'); // email reports the missing per-domain policy too
    expect(r.stderr).toContain('CorporateDeviceAccess "corporate-devices": tenant-guardrails:conditionalAccess.emergencyAccess');
    expect(r.stderr).toContain('EmailAuthentication "email": tenant-guardrails:email.dmarcPolicy = "strict"');
    expect(r.stderr).toContain('VulnerabilityAssessment "defender-va": tenant-guardrails:defender.builtIn.subPlan = "p2"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("a stack written with the deprecated CorporateDeviceAccess names (kept for one minor version)", () => {
  const STAFF = "3c1e5a7b-9d2f-4e6a-8b0c-1d3f5a7b9c2e";
  const NEW = STAGING.replace("    state: enabled\n", `    state: enabled\n    users: { includeGroupIds: ["${STAFF}"] }\n`);
  const OLD = NEW.replace("displayNamePrefix: \"STAGING Office", "displayName: \"STAGING Office").replace("includeGroupIds: [\"3c1e", "includeGroups: [\"3c1e");

  it("the config check accepts the old names, and refuses old and new with different values naming both", () => {
    const ca = (value: object) => checkStackConfig({ stack: "staging", values: { conditionalAccess: json({ state: "reportOnly", ...value }) } }).problems;
    expect(ca({ displayName: "Corp", users: { includeGroups: [STAFF], excludeGroups: [STAFF] } })).toEqual([]);
    expect(ca({ displayName: "Corp", displayNamePrefix: "Corp" })).toEqual([]);
    const problems = ca({ users: { includeGroupIds: [STAFF], includeGroups: ["0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b03"] } });
    expect(problems).toEqual([
      expect.objectContaining({
        component: 'CorporateDeviceAccess "corporate-devices"',
        field: "tenant-guardrails:conditionalAccess.users.includeGroups",
        problem: "given together with users.includeGroupIds, which replaces it, with a different value",
        fix: "keep only users.includeGroupIds: remove the deprecated users.includeGroups",
      }),
    ]);
  });

  it("still plans the same policies, and the plan warns naming each new name", () => {
    expect(OLD).not.toBe(NEW);
    const now = spawnCli(["plan", "--stack", "staging", "--json"], { cwd: tempProject("staging", NEW) });
    const old = spawnCli(["plan", "--stack", "staging", "--json"], { cwd: tempProject("staging", OLD) });
    expect([now.code, old.code]).toEqual([0, 0]);
    expect(now.stderr).toBe("");
    expect(old.stderr.trim().split("\n")).toEqual([
      'warning: [runtime] CorporateDeviceAccess "corporate-devices": displayName is deprecated and will be removed in the next minor version; rename it to displayNamePrefix (same value, same meaning)',
      'warning: [runtime] CorporateDeviceAccess "corporate-devices": users.includeGroups is deprecated and will be removed in the next minor version; rename it to users.includeGroupIds (same value, same meaning)',
    ]);
    const policies = (stdout: string) => JSON.parse(stdout).resources.filter((x: { custom: boolean }) => x.custom);
    expect(policies(old.stdout)).toEqual(policies(now.stdout));
    const ca = policies(old.stdout).find((x: { name: string }) => x.name === "corporate-devices-untrusted-devices");
    expect(ca.inputs.displayName).toBe("STAGING Office 365 from corporate devices: block devices not AzureAD or ServerAD joined");
    expect(ca.inputs.conditions.users.includedGroups).toEqual([STAFF]);
  });
});

describe("each system declares from the typed config readStackConfig() returns", () => {
  it("the declare functions take the checked config object instead of reading pulumi.Config again", async () => {
    const config = checkStackConfig({ stack: "qa", values: { conditionalAccess: STAGING_CA, intune: json({ onRemove: "disable", assignment: { includeGroupIds: ["7e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a63"] } }) } });
    expect(config.problems).toEqual([]);
    // No runtime config at all: what is declared can only come from the object passed down.
    const run = await runUnderMocks(
      () => ({ ca: declareConditionalAccess(config.config), intune: declareIntune(config.config), email: declareEmail(config.config), defender: declareDefender(config.config) }),
      { project: "tenant-guardrails", stack: "qa" },
    );
    expect(run.resources.filter((r) => !r.custom && r.type.startsWith("tenant-guardrails:")).map((r) => r.name).sort()).toEqual(["corporate-devices", "windows-fips"]);
    expect(run.resources.find((r) => r.name === "corporate-devices-untrusted-devices")?.inputs.displayName).toBe("QA: block devices not AzureAD or ServerAD joined");
    expect(Object.keys(run.outputs).filter((k) => run.outputs[k] !== undefined).sort()).toEqual(["ca", "intune"]);
  });
});

describe("a large stack (the benchmark's 10x prod)", () => {
  it("plans completely: the whole --json document reaches a pipe before the process exits, and it passes the pack", () => {
    const dir = scaledProject(10);
    const r = spawnCli(["plan", "--stack", "prod", "--json"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(200_000);
    const doc = JSON.parse(r.stdout);
    expect(doc.resources.length).toBeGreaterThanOrEqual(10 * 16);
    expect(doc.findings).toEqual([]);
  }, 60_000);
});
