/**
 * The Qualys license code is a secret end to end: what `plan` prints (resources and outputs, as
 * the offline engine records them from the engine's own registrations) never holds it in plain
 * text, while the resource still receives it.
 */
import { runUnderMocks, SECRET_MASK } from "../../cli/engine";
import { findProject, loadStackConfig } from "../../cli/stack";
import { planLines } from "../../cli/commands/plan";
import { declareDefender } from "../../stacks/defender";
import { VulnerabilityAssessment } from "../../components/defender";
import { spawnCli, tempProject } from "../helpers/cli";
import { checkStackConfig } from "../../stacks/config";

const SUB = "9d4f1a27-6c3b-4e5d-8f70-2a1b3c4d5e62";
const LICENSE = "QUALYS-LIC-5b8e1f0a9c7d";
const PUBLIC_KEY = "QUALYS-PUB-3e2d1c0b9a8f";

const defenderConfig = (qualysByol: Record<string, unknown> = { resourceGroupName: "rg-security", location: "westeurope" }) =>
  JSON.stringify({
    subscriptionId: SUB,
    provider: "qualysByol",
    qualysByol,
    machines: [`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1`],
  });

async function runDefender(config: Record<string, string>, secretKeys: string[], stack = "prod") {
  // Azure gives a system-assigned identity its principal id (the Security Admin role goes to it).
  const outputs = (type: string, name: string, inputs: Record<string, unknown>) =>
    type === "azure-native:authorization:PolicyAssignment" ? { identity: { ...(inputs.identity as object), principalId: `${name}-principal-id` } } : {};
  return runUnderMocks(() => ({ defender: declareDefender() }), { project: "tenant-guardrails", stack, config, secretKeys, outputs });
}

describe("the license code in what plan prints", () => {
  it("is registered as a secret on the component and on the solution, and is absent from inputs, outputs and plan lines", async () => {
    const { resources, outputs } = await runDefender(
      {
        "tenant-guardrails:defender": defenderConfig(),
        "tenant-guardrails:qualysLicenseCode": LICENSE,
        "tenant-guardrails:qualysPublicKey": PUBLIC_KEY,
      },
      ["tenant-guardrails:qualysLicenseCode", "tenant-guardrails:qualysPublicKey"],
    );
    const component = resources.find((r) => r.type === "tenant-guardrails:index:VulnerabilityAssessment")!;
    const solution = resources.find((r) => r.type === "pulumi-nodejs:dynamic/defender:QualysByolSolution")!;
    expect((component.inputs.qualysByol as Record<string, unknown>).licenseCode).toBe(SECRET_MASK);
    expect((component.inputs.qualysByol as Record<string, unknown>).publicKey).toBe(SECRET_MASK);
    expect(solution.inputs.licenseCode).toBe(SECRET_MASK);
    expect(solution.inputs.publicKey).toBe(SECRET_MASK);
    // The value does reach the resource (so the masking above is not vacuous).
    expect(solution.plainInputs.licenseCode).toBe(LICENSE);

    const printed = JSON.stringify({ inputs: resources.map((r) => r.inputs), outputs }) + planLines("prod", resources, outputs).join("\n");
    expect(printed).not.toContain(LICENSE);
    expect(printed).not.toContain(PUBLIC_KEY);
  });

  it("is made secret by the component even when the caller passes a plain string", async () => {
    const { resources } = await runUnderMocks(
      () => {
        new VulnerabilityAssessment("plain-va", {
          subscriptionId: SUB,
          provider: "qualysByol",
          qualysByol: { resourceGroupName: "rg", location: "westeurope", licenseCode: LICENSE, publicKey: PUBLIC_KEY },
        });
      },
      { project: "tenant-guardrails", stack: "prod" },
    );
    const printed = JSON.stringify(resources.map((r) => r.inputs));
    expect(printed).not.toContain(LICENSE);
    expect(printed).not.toContain(PUBLIC_KEY);
    const solution = resources.find((r) => r.type === "pulumi-nodejs:dynamic/defender:QualysByolSolution")!;
    expect([solution.inputs.licenseCode, solution.plainInputs.licenseCode]).toEqual([SECRET_MASK, LICENSE]);
  });

  it("is refused inside the config object, where Pulumi stores it in plain text, without echoing it", async () => {
    const error = await runDefender({ "tenant-guardrails:defender": defenderConfig({ resourceGroupName: "rg", location: "westeurope", licenseCode: LICENSE }) }, []).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      'VulnerabilityAssessment "defender-va" has an invalid input:\n' +
        '  - tenant-guardrails:defender.qualysByol.licenseCode = "(hidden)": a Qualys secret must not sit in the config object, where it is stored in plain text. Fix: remove it there and run: pulumi config set --secret qualysLicenseCode <value>',
    );
  });

  it.each([
    ["missing", {}],
    ["blank", { "tenant-guardrails:qualysLicenseCode": "  " }],
  ])("a %s license code is refused at preview, naming the config key to set", async (_label, license) => {
    const config = { "tenant-guardrails:defender": defenderConfig(), "tenant-guardrails:qualysPublicKey": PUBLIC_KEY, ...license };
    const error = await runDefender(config, Object.keys(config).slice(1)).catch((e: Error) => e);
    expect((error as Error).message).toContain("qualysByol.licenseCode = (not set): is required for a Qualys BYOL solution. Fix: set it from secret config: pulumi config set --secret qualysLicenseCode <code>");
  });
});

describe("the stacks' own config", () => {
  it("prod: BYOL with the license from secure config, shown only as [secret]", async () => {
    const { config, secretKeys } = loadStackConfig(findProject(), "prod");
    expect(secretKeys).toEqual(expect.arrayContaining(["tenant-guardrails:qualysLicenseCode", "tenant-guardrails:qualysPublicKey"]));
    const { resources, outputs } = await runDefender(config, secretKeys);
    const solution = resources.find((r) => r.type === "pulumi-nodejs:dynamic/defender:QualysByolSolution")!;
    expect(solution.inputs).toMatchObject({ licenseCode: SECRET_MASK, publicKey: SECRET_MASK, subscriptionId: SUB, resourceGroupName: "rg-security-prod", location: "westeurope", autoUpdate: true });
    expect(solution.inputs.linkedVmIds).toHaveLength(3);
    expect((outputs.defender as { decision: { provider: string; uncoveredMachines: number } }).decision).toMatchObject({ provider: "qualysByol", uncoveredMachines: 0 });
    expect(resources.some((r) => r.type.startsWith("azure-native:security"))).toBe(false);
  });

  it("dev: built-in P1 with the onboarding policy; the decision counts what BYOL would miss", async () => {
    const { config, secretKeys } = loadStackConfig(findProject(), "dev");
    const { resources, outputs } = await runDefender(config, secretKeys, "dev");
    const types = resources.filter((r) => r.parent !== "" && r.type !== "tenant-guardrails:index:VulnerabilityAssessment").map((r) => r.type).sort();
    expect(types).toEqual([
      "azure-native:authorization:PolicyAssignment",
      "azure-native:authorization:RoleAssignment",
      "azure-native:security:AzureServersSetting",
      "azure-native:security:Pricing",
      "pulumi-nodejs:dynamic/defender:PricingReset",
    ]);
    expect(resources.find((r) => r.type === "azure-native:security:Pricing")!.inputs).toMatchObject({ pricingTier: "Standard", subPlan: "P1" });
    expect((outputs.defender as { decision: unknown }).decision).toMatchObject({ environment: "dev", provider: "builtIn", machinesInScope: 4, uncoveredMachines: 0, uncoveredIfQualysByol: 2 });
  });
});

describe("one choice per subscription in a stack", () => {
  it("refuses a BYOL component for a subscription a built-in component already covers", async () => {
    const error = await runUnderMocks(
      () => {
        new VulnerabilityAssessment("mdvm", { subscriptionId: SUB, provider: "builtIn", builtIn: { subPlan: "P1" } });
        new VulnerabilityAssessment("qualys", {
          subscriptionId: SUB.toUpperCase(),
          provider: "qualysByol",
          qualysByol: { resourceGroupName: "rg", location: "westeurope", licenseCode: LICENSE, publicKey: PUBLIC_KEY },
        });
      },
      { project: "tenant-guardrails", stack: "prod" },
    ).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      'VulnerabilityAssessment "qualys" has an invalid input:\n' +
        `  - subscriptionId = "${SUB}": VulnerabilityAssessment "mdvm" in this stack already chooses "builtIn" for this subscription; the "builtIn" choice selects MdeTvm, which overrides what Defender shows for the "qualysByol" one. Fix: declare one VulnerabilityAssessment per subscription: remove one of them`,
    );
  });

  it("accepts the same program run again (a new stack run) and different subscriptions", async () => {
    const program = () => {
      new VulnerabilityAssessment("a", { subscriptionId: SUB, provider: "builtIn", builtIn: { subPlan: "P1" } });
      new VulnerabilityAssessment("b", { subscriptionId: "3b7e2c91-5d4a-4f8e-a1c6-0e9d8b7a6f51", provider: "builtIn", builtIn: { subPlan: "P1" } });
    };
    await runUnderMocks(program, { project: "tenant-guardrails", stack: "dev" });
    const { resources } = await runUnderMocks(program, { project: "tenant-guardrails", stack: "dev" });
    expect(resources.filter((r) => r.type === "azure-native:security:Pricing")).toHaveLength(2);
  });
});

describe("a license code set without --secret (plain in Pulumi.<stack>.yaml)", () => {
  const stackYaml = (license: string, publicKey = "    secure: v1:PLACEHOLDERnotarealciphertext0001:REPLACEwithpulumiconfigsetsecret\n") =>
    "config:\n" +
    `  tenant-guardrails:qualysLicenseCode:${license}` +
    `  tenant-guardrails:qualysPublicKey:\n${publicKey}` +
    "  tenant-guardrails:defender:\n" +
    `    subscriptionId: "${SUB}"\n` +
    "    provider: qualysByol\n" +
    "    qualysByol: { resourceGroupName: rg-security, location: westeurope }\n" +
    `    machines: [/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1]\n`;

  it("is refused by plan: exit 1, naming the stack, the key and the fix, never the value", () => {
    const dir = tempProject("staging", stackYaml(` ${LICENSE}\n`));
    const r = spawnCli(["plan", "--stack", "staging"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: Stack "staging": the config in Pulumi.staging.yaml has 1 problem (nothing was declared):\n' +
        '  - VulnerabilityAssessment "defender-va": tenant-guardrails:qualysLicenseCode = "(hidden)": is stored in plain text in Pulumi.staging.yaml (set without --secret), where the Qualys license code stays readable by anyone who can read the stack file. ' +
        "Fix: run: pulumi config set --secret qualysLicenseCode <value> --stack staging (it replaces the plain value; if the file was committed, treat the old value as exposed)\n",
    );
    expect(r.stdout).toBe("");
    expect(r.stderr + r.stdout).not.toContain(LICENSE);
  });

  it("--json reports the same as invalid input", () => {
    const dir = tempProject("staging", stackYaml(` ${LICENSE}\n`, `    ${PUBLIC_KEY}\n`));
    const r = spawnCli(["plan", "--stack", "staging", "--json"], { cwd: dir });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { ok: boolean; error: { message: string } };
    expect(doc.ok).toBe(false);
    expect(doc.error.message).toContain('Stack "staging": the config in Pulumi.staging.yaml has 2 problems');
    expect(doc.error.message).toContain("tenant-guardrails:qualysLicenseCode = \"(hidden)\": is stored in plain text in Pulumi.staging.yaml");
    expect(doc.error.message).toContain("tenant-guardrails:qualysPublicKey = \"(hidden)\": is stored in plain text in Pulumi.staging.yaml");
    expect(doc.error.message).toContain("pulumi config set --secret qualysPublicKey <value> --stack staging");
    expect(r.stdout).not.toContain(LICENSE);
    expect(r.stdout).not.toContain(PUBLIC_KEY);
  });

  it("a secure: value is accepted and planned as [secret]", () => {
    const dir = tempProject("staging", stackYaml("\n    secure: v1:PLACEHOLDERnotarealciphertext0000:REPLACEwithpulumiconfigsetsecret\n"));
    const r = spawnCli(["plan", "--stack", "staging"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("+ pulumi-nodejs:dynamic/defender:QualysByolSolution  defender-va-qualys-solution");
    expect(r.stdout).toContain("licenseCode: [secret]");
  });

  it("is refused by the stack's Defender declaration on its own (the component path), under the mock engine", async () => {
    const config = { "tenant-guardrails:defender": defenderConfig(), "tenant-guardrails:qualysLicenseCode": LICENSE, "tenant-guardrails:qualysPublicKey": PUBLIC_KEY };
    const error = await runDefender(config, ["tenant-guardrails:qualysPublicKey"], "qa").catch((e: Error) => e);
    expect((error as Error).message).toBe(
      'VulnerabilityAssessment "defender-va" has an invalid input:\n' +
        '  - tenant-guardrails:qualysLicenseCode = "(hidden)": is stored in plain text in Pulumi.qa.yaml (set without --secret), where the Qualys license code stays readable by anyone who can read the stack file. ' +
        "Fix: run: pulumi config set --secret qualysLicenseCode <value> --stack qa (it replaces the plain value; if the file was committed, treat the old value as exposed)",
    );
  });
});

describe("checkStackConfig without knowing which keys are secret", () => {
  it("refuses a license code it cannot show to be a secret (fails closed)", () => {
    const { problems } = checkStackConfig({ stack: "qa", values: { defender: defenderConfig(), qualysLicenseCode: LICENSE, qualysPublicKey: PUBLIC_KEY }, secretKeys: undefined });
    expect(problems.map((p) => `${p.field}: ${p.problem}`)).toEqual([
      "tenant-guardrails:qualysLicenseCode: cannot be shown to be a secret (the Pulumi runtime did not say which config keys are secure), so it is treated as stored in plain text",
      "tenant-guardrails:qualysPublicKey: cannot be shown to be a secret (the Pulumi runtime did not say which config keys are secure), so it is treated as stored in plain text",
    ]);
    expect(checkStackConfig({ stack: "qa", values: { defender: defenderConfig(), qualysLicenseCode: LICENSE, qualysPublicKey: PUBLIC_KEY }, secretKeys: ["qualysLicenseCode", "qualysPublicKey"] }).problems).toEqual([]);
  });
});
