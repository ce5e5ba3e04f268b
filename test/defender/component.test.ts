import { spawnSync } from "node:child_process";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as defender from "../../components/defender";
import { FakeArm } from "./fake-arm";

const SUB = "11111111-1111-1111-1111-111111111111";
const vm = (name: string) => `/subscriptions/${SUB}/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/${name}`;
const arc = (name: string) => `/subscriptions/${SUB}/resourceGroups/rg-onprem/providers/Microsoft.HybridCompute/machines/${name}`;

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}
const registered: Registered[] = [];
interface RegisterRequest {
  getName(): string;
  getRetainondelete(): boolean | undefined;
  getDependenciesList(): string[];
  getAdditionalsecretoutputsList(): string[];
}
const options: { name: string; retainOnDelete: boolean; dependencies: string[]; additionalSecretOutputs: string[] }[] = [];
let mod: typeof defender;

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const extra: Record<string, unknown> = {};
        if (args.type === "azure-native:authorization:PolicyAssignment") extra.identity = { ...args.inputs.identity, principalId: "policy-identity-object-id" };
        if (args.type.startsWith("pulumi-nodejs:dynamic/defender:QualysByolSolution")) extra.solutionId = `${args.inputs.subscriptionId}/solution`;
        return { id: args.custom ? `${args.name}-id` : undefined, state: { ...args.inputs, ...extra } };
      },
      call(args) {
        throw new Error(`unexpected call ${args.token}`);
      },
    },
    "tenant-guardrails",
    "test",
    false,
  );
  mod = await import("../../components/defender");
  // The mock API does not show resource options: record them from the monitor's requests.
  const settings = await import("@pulumi/pulumi/runtime/settings");
  const monitor = settings.getMonitor() as unknown as { registerResource: (req: RegisterRequest, cb: unknown) => void };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    options.push({
      name: req.getName(),
      retainOnDelete: req.getRetainondelete() ?? false,
      dependencies: req.getDependenciesList(),
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    });
    original(req, cb);
  };
});

beforeEach(() => {
  registered.length = 0;
});

async function settle(): Promise<void> {
  const settings = await import("@pulumi/pulumi/runtime/settings");
  // waitForRPCs is internal to the SDK (exported, untyped): it resolves once every registration settled.
  await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

const promiseOf = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

/** Children of the component named `name`, by type, without the serialized provider code. */
function children(name: string): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const r of registered.filter((x) => x.name.startsWith(`${name}-`))) {
    const { __provider: _p, ...inputs } = r.inputs;
    out[`${r.type} ${r.name}`] = inputs;
  }
  return out;
}

describe("built-in provider", () => {
  it("declares the P2 plan with agentless scanning, the MdeTvm setting, the plan reset, the policy and its Security Admin role", async () => {
    const c = new mod.VulnerabilityAssessment("dev-va", {
      subscriptionId: SUB,
      provider: mod.VulnerabilityAssessmentProvider.BuiltIn,
      builtIn: { subPlan: "P2", assignPolicy: true, policyAssignmentLocation: "westeurope" },
      machines: [{ id: vm("vm-1") }, { id: arc("onprem-1") }],
    });
    await promiseOf(c.decision);
    await settle();
    expect(children("dev-va")).toEqual({
      "azure-native:security:Pricing dev-va-servers-plan": {
        scopeId: `subscriptions/${SUB}`,
        pricingName: "VirtualMachines",
        pricingTier: "Standard",
        subPlan: "P2",
        extensions: [
          { name: "AgentlessVmScanning", isEnabled: "True" },
          { name: "MdeDesignatedSubscription", isEnabled: "False" },
        ],
      },
      "pulumi-nodejs:dynamic/defender:PricingReset dev-va-plan-reset": { armEndpoint: "https://management.azure.com", subscriptionId: SUB },
      "azure-native:security:AzureServersSetting dev-va-va-setting": { kind: "AzureServersSetting", settingKind: "azureServersSetting", selectedProvider: "MdeTvm" },
      "azure-native:authorization:PolicyAssignment dev-va-va-policy": {
        scope: `/subscriptions/${SUB}`,
        policyAssignmentName: "mdc-va-autoprovisioning",
        policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/13ce0167-8ca6-4048-8e6b-f996402e3c1b",
        displayName: "Configure machines to receive a vulnerability assessment provider (MDVM)",
        enforcementMode: "Default",
        parameters: { vaType: { value: "mdeTvm" } },
        identity: { type: "SystemAssigned" },
        location: "westeurope",
      },
      "azure-native:authorization:RoleAssignment dev-va-va-policy-security-admin": {
        scope: `/subscriptions/${SUB}`,
        roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/fb1c8493-542b-48eb-b624-b4c8fea62acd`,
        principalId: "policy-identity-object-id",
        principalType: "ServicePrincipal",
      },
    });
    expect(await promiseOf(c.decision)).toMatchObject({ environment: "test", provider: "builtIn", uncoveredMachines: 0, uncoveredIfQualysByol: 1, uncoveredIfQualysByolIds: [arc("onprem-1")] });
    expect(await promiseOf(c.solutionId)).toBeUndefined();
  });

  it("P1 without the policy: no extensions, no assignment; keepPlanOnRemoval drops the reset", async () => {
    new mod.VulnerabilityAssessment("p1-va", { subscriptionId: SUB, provider: "builtIn", builtIn: { subPlan: "P1", keepPlanOnRemoval: true } });
    await settle();
    const kids = children("p1-va");
    expect(Object.keys(kids).sort()).toEqual(["azure-native:security:AzureServersSetting p1-va-va-setting", "azure-native:security:Pricing p1-va-servers-plan"]);
    expect(kids["azure-native:security:Pricing p1-va-servers-plan"]).toEqual({ scopeId: `subscriptions/${SUB}`, pricingName: "VirtualMachines", pricingTier: "Standard", subPlan: "P1" });
  });

  it("accepts inputs that are Outputs (validated once they resolve)", async () => {
    const c = new mod.VulnerabilityAssessment("out-va", { subscriptionId: pulumi.output(SUB), provider: "builtIn", builtIn: { subPlan: pulumi.output("P2" as const), keepPlanOnRemoval: true } });
    expect(await promiseOf(c.decision)).toMatchObject({ provider: "builtIn", defenderPlan: "Defender for Servers P2 with agentless scanning" });
    await settle();
    expect(children("out-va")["azure-native:security:Pricing out-va-servers-plan"]).toMatchObject({ scopeId: `subscriptions/${SUB}`, subPlan: "P2" });
  });

    it("P2 with agentless scanning turned off says so explicitly", async () => {
    new mod.VulnerabilityAssessment("noscan-va", { subscriptionId: SUB, provider: "builtIn", builtIn: { subPlan: "P2", agentlessScanning: false } });
    await settle();
    expect(children("noscan-va")["azure-native:security:Pricing noscan-va-servers-plan"].extensions).toEqual([
      { name: "AgentlessVmScanning", isEnabled: "False" },
      { name: "MdeDesignatedSubscription", isEnabled: "False" },
    ]);
  });

  it("the Pricing is retained on delete (ARM refuses DELETE of a subscription pricing); the reset depends on it", async () => {
    new mod.VulnerabilityAssessment("retain-va", { subscriptionId: SUB, provider: "builtIn", builtIn: { subPlan: "P1" } });
    await settle();
    const pricing = options.find((o) => o.name === "retain-va-servers-plan")!;
    const reset = options.find((o) => o.name === "retain-va-plan-reset")!;
    expect(pricing.retainOnDelete).toBe(true);
    expect(reset.retainOnDelete).toBe(false);
    expect(reset.dependencies).toEqual([expect.stringMatching(/::retain-va-servers-plan$/)]);
  });
});

describe("the Security Admin role of the policy assignment's identity", () => {
  // The role goes to the principal id Azure gives the assignment's system-assigned identity. An
  // assignment that comes back without one (no identity, or an identity without a principal id)
  // must stop the run: an empty principal id is not a principal, and for an existing role
  // assignment a changed principalId means a replacement. The failure surfaces inside an apply,
  // which the engine turns into the program's failure; the SDK also rethrows it as an unhandled
  // rejection, and jest fails any test during which a rejection goes unhandled, so the built
  // library runs in a child process.
  const script = `
    const { runUnderMocks } = require("./dist/cli/engine");
    const { VulnerabilityAssessment } = require("./dist/components");
    const identity = JSON.parse(process.argv[1]);
    const program = () => {
      new VulnerabilityAssessment("va", {
        subscriptionId: "${SUB}",
        provider: "builtIn",
        builtIn: { subPlan: "P1", assignPolicy: true, policyAssignmentLocation: "westeurope", keepPlanOnRemoval: true },
      });
    };
    const outputs = (type) => (type === "azure-native:authorization:PolicyAssignment" ? { identity } : {});
    // The engine's own answer: a failure inside the apply fails the run itself (as under Pulumi's
    // language host), never a result without the role assignment followed by a late rejection.
    runUnderMocks(program, { project: "p", stack: "s", outputs }).then(
      (r) => {
        const role = r.resources.find((x) => x.type === "azure-native:authorization:RoleAssignment");
        console.log(JSON.stringify({ ok: true, principalId: role ? role.inputs.principalId : "(no role assignment)" }));
      },
      (e) => { process.exitCode = 1; console.log(JSON.stringify({ ok: false, message: e.message })); },
    );`;
  const run = (identity: unknown) => {
    const r = spawnSync(process.execPath, ["-e", script, JSON.stringify(identity)], { cwd: path.join(__dirname, "../.."), encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("");
    const result = JSON.parse(r.stdout) as { ok: boolean; principalId?: string; message?: string };
    expect(r.status).toBe(result.ok ? 0 : 1);
    return result;
  };

  it("at preview, before Azure has given the new assignment a principal id, is unknown, not empty and not an error", () => {
    const preview = `
      const pulumi = require("@pulumi/pulumi");
      const roles = [];
      pulumi.runtime.setMocks({
        newResource(args) {
          if (args.type === "azure-native:authorization:RoleAssignment") roles.push(args.inputs);
          // A create at preview: the outputs are the inputs, with no principal id in the identity.
          return { id: undefined, state: args.inputs };
        },
        call() { throw new Error("no calls"); },
      }, "p", "s", true);
      let failed = false;
      process.on("unhandledRejection", (e) => { failed = true; console.log(JSON.stringify({ ok: false, message: e.message })); });
      const { VulnerabilityAssessment } = require("./dist/components");
      new VulnerabilityAssessment("va", {
        subscriptionId: "${SUB}",
        provider: "builtIn",
        builtIn: { subPlan: "P1", assignPolicy: true, policyAssignmentLocation: "westeurope", keepPlanOnRemoval: true },
      });
      setTimeout(() => { if (!failed) console.log(JSON.stringify({ ok: true, roles: roles.length, principalId: roles[0] && pulumi.isUnknown(roles[0].principalId) ? "(unknown)" : roles[0] && roles[0].principalId })); }, 1500);`;
    const r = spawnSync(process.execPath, ["-e", preview], { cwd: path.join(__dirname, "../.."), encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, roles: 1, principalId: "(unknown)" });
  });

  it("is given to the identity's principal id", () => {
    expect(run({ type: "SystemAssigned", principalId: "9a8b7c6d-0000-4000-8000-000000000001" })).toEqual({ ok: true, principalId: "9a8b7c6d-0000-4000-8000-000000000001" });
  });

  it.each([
    ["an identity without a principal id", { type: "SystemAssigned" }],
    ["no identity", null],
    ["a blank principal id", { type: "SystemAssigned", principalId: "" }],
  ])("with %s, the run fails naming the assignment and the fix, and no role assignment with an empty principal is declared", (_what, identity) => {
    const r = run(identity);
    expect(r).toEqual({ ok: false, message: expect.stringContaining('VulnerabilityAssessment "va": the policy assignment va-va-policy has no managed identity principal id') });
    expect(r.message).toContain("Fix: ");
  });
});

describe("Qualys BYOL provider", () => {
  it("declares the solution with the VMs in scope linked, and nothing of the built-in provider", async () => {
    const c = new mod.VulnerabilityAssessment("prod-va", {
      subscriptionId: SUB,
      provider: mod.VulnerabilityAssessmentProvider.QualysByol,
      qualysByol: { resourceGroupName: "rg-security", location: "westeurope", licenseCode: pulumi.secret("LICENSE-abc-123"), publicKey: "PUBKEY-xyz", autoUpdate: true },
      machines: [{ id: vm("vm-2") }, { id: vm("vm-1") }],
      subscriptionState: { policyAssignments: [{ name: "alz", policyDefinitionId: "Deploy-MDFC-Config_20240319", parameters: { enableAscForServersVulnerabilityAssessments: "Disabled", enableTvmCheck: "Disabled" } }] },
    });
    await promiseOf(c.linkedVmIds);
    await settle();
    expect(children("prod-va")).toEqual({
      "pulumi-nodejs:dynamic/defender:QualysByolSolution prod-va-qualys-solution": {
        armEndpoint: "https://management.azure.com",
        subscriptionId: SUB,
        resourceGroupName: "rg-security",
        location: "westeurope",
        solutionName: "qualys-byol",
        // Both reach the engine marked secret (the SDK's secret signature), never as plain strings.
        licenseCode: { [SECRET_SIG_KEY]: SECRET_SIG, value: "LICENSE-abc-123" },
        publicKey: { [SECRET_SIG_KEY]: SECRET_SIG, value: "PUBKEY-xyz" },
        autoUpdate: true,
        linkedVmIds: [vm("vm-1"), vm("vm-2")],
      },
    });
    expect(await promiseOf(c.linkedVmIds)).toEqual([vm("vm-1"), vm("vm-2")]);
    // The outputs echo the inputs: the engine keeps them secret in state too.
    expect(options.find((o) => o.name === "prod-va-qualys-solution")!.additionalSecretOutputs.sort()).toEqual(["licenseCode", "publicKey"]);
    // The serialized provider code captures no secret.
    const code = String(registered.find((r) => r.name === "prod-va-qualys-solution")!.inputs.__provider);
    expect(code.length).toBeGreaterThan(1000);
    expect(code).not.toContain("LICENSE-abc-123");
    expect(await promiseOf(c.decision)).toMatchObject({ provider: "qualysByol", azureVms: 2, uncoveredMachines: 0 });
  });

  it("uses the ARM endpoint given (tests point it at 127.0.0.1)", async () => {
    new mod.VulnerabilityAssessment("local-va", {
      subscriptionId: SUB,
      provider: "qualysByol",
      armEndpoint: "http://127.0.0.1:9/",
      qualysByol: { resourceGroupName: "rg", location: "westeurope", licenseCode: "l-123456", publicKey: "k-123456" },
    });
    await settle();
    expect(children("local-va")["pulumi-nodejs:dynamic/defender:QualysByolSolution local-va-qualys-solution"].armEndpoint).toBe("http://127.0.0.1:9");
  });
});

describe("the serialized provider, loaded as the Pulumi dynamic-provider host loads it", () => {
  it("creates the solution and links the VMs at a fake ARM on 127.0.0.1", async () => {
    new mod.VulnerabilityAssessment("serial-va", {
      subscriptionId: SUB,
      provider: "qualysByol",
      qualysByol: { resourceGroupName: "rg-security", location: "westeurope", licenseCode: "l-123456", publicKey: "k-123456" },
      machines: [{ id: vm("vm-1") }],
    });
    await settle();
    const solution = registered.find((r) => r.name === "serial-va-qualys-solution")!;
    const code = String(solution.inputs.__provider);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const requireFromString = require("require-from-string") as (code: string) => { handler(): pulumi.dynamic.ResourceProvider };
    const provider = requireFromString(code).handler();
    const arm = new FakeArm();
    await arm.start();
    try {
      const { __provider: _p, ...inputs } = solution.inputs;
      const unwrap = (v: unknown) => (v && typeof v === "object" && SECRET_SIG_KEY in v ? (v as unknown as { value: unknown }).value : v);
      const plain = Object.fromEntries(Object.entries({ ...inputs, armEndpoint: arm.url }).map(([k, v]) => [k, unwrap(v)]));
      const created = await provider.create(plain);
      expect(created.id).toMatch(/\/securitySolutions\/qualys-byol$/);
      expect(arm.solutionsCreated).toHaveLength(1);
      expect(arm.linkEvents).toEqual([vm("vm-1")]);
    } finally {
      await arm.stop();
    }
  });
});

describe("refusals at preview", () => {
  const byol = (over: Partial<defender.VulnerabilityAssessmentArgs> = {}): defender.VulnerabilityAssessmentArgs => ({
    subscriptionId: SUB,
    provider: "qualysByol",
    qualysByol: { resourceGroupName: "rg-security", location: "westeurope", licenseCode: pulumi.secret("LICENSE-abc-123"), publicKey: "PUBKEY-xyz" },
    ...over,
  });

  it("throws one GuardrailInputError naming component, resource, Arc machines and the fix; declares no child", async () => {
    let error: unknown;
    try {
      new mod.VulnerabilityAssessment("bad-va", byol({ machines: [{ id: vm("vm-1") }, { id: arc("onprem-7") }] }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe("GuardrailInputError");
    expect((error as Error).message).toBe(
      'VulnerabilityAssessment "bad-va" has an invalid input:\n' +
        `  - machines = ["onprem-7"]: Qualys BYOL covers Azure VMs only; 1 Azure Arc machine is in scope: ${arc("onprem-7")}. Fix: use provider "builtIn" (MDVM covers Arc machines), or take these machines out of this environment's scope`,
    );
    await settle();
    expect(Object.keys(children("bad-va"))).toEqual([]);
  });

  it("refuses BYOL while the subscription selects MdeTvm", () => {
    expect(() => new mod.VulnerabilityAssessment("mdetvm-va", byol({ subscriptionState: { selectedProvider: "MdeTvm" } }))).toThrow(/subscriptionState.selectedProvider = "MdeTvm": the subscription selects MdeTvm/);
  });

  it("refuses BYOL without a license code, without showing any secret", () => {
    expect(() => new mod.VulnerabilityAssessment("nolicense-va", byol({ qualysByol: { resourceGroupName: "rg", location: "westeurope", publicKey: "PUBKEY-xyz" } }))).toThrow(
      /qualysByol.licenseCode = \(not set\): is required for a Qualys BYOL solution. Fix: set it from secret config: pulumi config set --secret qualysLicenseCode <code>/,
    );
  });

  it("refuses a blank license code passed as a plain string", () => {
    expect(() => new mod.VulnerabilityAssessment("blank-va", byol({ qualysByol: { resourceGroupName: "rg", location: "westeurope", licenseCode: " ", publicKey: "PUBKEY-xyz" } }))).toThrow(
      /qualysByol.licenseCode = \(not set\): is required/,
    );
  });

  it("refuses an unknown sub-plan", () => {
    expect(() => new mod.VulnerabilityAssessment("p3-va", { subscriptionId: SUB, provider: "builtIn", builtIn: { subPlan: "P3" as defender.DefenderServersSubPlan } })).toThrow(
      /builtIn.subPlan = "P3": is not a Defender for Servers sub-plan/,
    );
  });

  it("refuses a provider only known after another resource is created", () => {
    expect(() => new mod.VulnerabilityAssessment("late-va", { subscriptionId: SUB, provider: pulumi.output("builtIn" as const), builtIn: { subPlan: "P1" } })).toThrow(
      /provider = "\(an Output\)": must be a plain value: it decides which resources exist/,
    );
  });
});
