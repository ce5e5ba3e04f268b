import { normaliseVulnerabilityAssessment, classifyMachine } from "../../components/defender/validate";
import { decisionSummary } from "../../components/defender/decision";
import { pricingExtensions, parseLinkedVmIds } from "../../components/defender/payloads";
import { formatProblem } from "../../components/errors";
import type { PlainVulnerabilityAssessmentArgs } from "../../components/defender/model";

const SUB = "11111111-1111-1111-1111-111111111111";
const vm = (name: string, sub = SUB) => `/subscriptions/${sub}/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/${name}`;
const arc = (name: string) => `/subscriptions/${SUB}/resourceGroups/rg-onprem/providers/Microsoft.HybridCompute/machines/${name}`;

const byol = (over: Partial<PlainVulnerabilityAssessmentArgs> = {}): PlainVulnerabilityAssessmentArgs => ({
  subscriptionId: SUB,
  provider: "qualysByol",
  qualysByol: { resourceGroupName: "rg-security", location: "westeurope", licenseCodePresent: true, publicKeyPresent: true },
  machines: [{ id: vm("vm-1") }, { id: vm("vm-2") }],
  ...over,
});
const builtIn = (over: Partial<PlainVulnerabilityAssessmentArgs> = {}): PlainVulnerabilityAssessmentArgs => ({
  subscriptionId: SUB,
  provider: "builtIn",
  builtIn: { subPlan: "P2" },
  ...over,
});

/** The problems as a user reads them. */
const messages = (args: PlainVulnerabilityAssessmentArgs) => normaliseVulnerabilityAssessment(args).problems.map(formatProblem);

describe("refusals", () => {
  it("BYOL with Arc machines in scope names every Arc machine and points to builtIn", () => {
    expect(messages(byol({ machines: [{ id: vm("vm-1") }, { id: arc("onprem-1") }, { id: arc("onprem-2") }] }))).toEqual([
      `machines = ["onprem-1","onprem-2"]: Qualys BYOL covers Azure VMs only; 2 Azure Arc machines are in scope: ${arc("onprem-1")}, ${arc("onprem-2")}. Fix: use provider "builtIn" (MDVM covers Arc machines), or take these machines out of this environment's scope`,
    ]);
  });

  it("BYOL with machines outside Azure or in another subscription names them with why", () => {
    const other = "22222222-2222-2222-2222-222222222222";
    const [msg] = messages(byol({ machines: [{ id: "i-0abc", type: "aws" }, { id: vm("vm-x", other) }] }));
    expect(msg).toBe(
      `machines = ["i-0abc","vm-x"]: Qualys BYOL covers the Azure VMs of subscription ${SUB} only; 2 machines are not: i-0abc (not an Azure VM), ${vm("vm-x", other)} (Azure VM in subscription ${other}). ` +
        'Fix: use provider "builtIn" (MDVM covers other clouds through connectors), or take these machines out of this environment\'s scope',
    );
  });

  it("BYOL while the subscription selects MdeTvm", () => {
    expect(messages(byol({ subscriptionState: { selectedProvider: "MdeTvm" } }))[0]).toMatch(
      /^subscriptionState.selectedProvider = "MdeTvm": the subscription selects MdeTvm, which makes Defender for Cloud show MDVM findings instead of Qualys findings\. Fix: remove the subscription's AzureServersSetting/,
    );
  });

  it("BYOL while a policy forces MdeTvm: 13ce0167, 766e621d, or the ALZ initiative with a switch left on", () => {
    const problems = messages(
      byol({
        subscriptionState: {
          policyAssignments: [
            { name: "va-autoprov", policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/13ce0167-8ca6-4048-8e6b-f996402e3c1b", parameters: { vaType: "mdeTvm" } },
            { name: "tvm-transition", policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/766e621d-ba95-4e43-a6f2-e945db3d7888" },
            { name: "alz-mdfc", policyDefinitionId: "/providers/Microsoft.Management/managementGroups/alz/providers/Microsoft.Authorization/policySetDefinitions/Deploy-MDFC-Config_20240319", parameters: { enableAscForServersVulnerabilityAssessments: "Disabled" } },
            // Disabled everywhere: accepted.
            { name: "off", policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/766e621d-ba95-4e43-a6f2-e945db3d7888", parameters: { effect: "Disabled" } },
          ],
        },
      }),
    );
    expect(problems).toEqual([
      'subscriptionState.policyAssignments = "va-autoprov": policy 13ce0167 deploys a vulnerability-assessment provider to every machine, overriding the Qualys BYOL choice. Fix: set its parameter effect to "Disabled" or remove the assignment',
      'subscriptionState.policyAssignments = "tvm-transition": policy 766e621d forces the subscription to MdeTvm, overriding the Qualys BYOL choice. Fix: set its parameter effect to "Disabled" or remove the assignment',
      'subscriptionState.policyAssignments = "alz-mdfc": the Azure Landing Zones initiative deploys MdeTvm while enableTvmCheck is not "Disabled", overriding the Qualys BYOL choice. Fix: set enableAscForServersVulnerabilityAssessments and enableTvmCheck to "Disabled" on that assignment',
    ]);
  });

  it("BYOL without license code or public key", () => {
    const problems = messages(byol({ qualysByol: { resourceGroupName: "rg-security", location: "westeurope" } }));
    expect(problems).toEqual([
      "qualysByol.licenseCode = (not set): is required for a Qualys BYOL solution. Fix: set it from secret config: pulumi config set --secret qualysLicenseCode <code>",
      "qualysByol.publicKey = (not set): is required for a Qualys BYOL solution. Fix: set it from config: pulumi config set --secret qualysPublicKey <key> (Qualys gives it with the license)",
    ]);
  });

  it("unknown or miscased sub-plan, and agentless scanning on P1", () => {
    expect(messages(builtIn({ builtIn: { subPlan: "P3" } }))).toEqual([
      'builtIn.subPlan = "P3": is not a Defender for Servers sub-plan. Fix: use "P1" (agent-based MDVM) or "P2" (adds agentless scanning)',
    ]);
    expect(messages(builtIn({ builtIn: { subPlan: "p1" } }))[0]).toMatch(/Fix: write it as "P1"$/);
    expect(messages(builtIn({ builtIn: {} }))[0]).toMatch(/^builtIn.subPlan = \(not set\): is required with the built-in provider/);
    expect(messages(builtIn({ builtIn: { subPlan: "P1", agentlessScanning: true } }))).toEqual([
      'builtIn.agentlessScanning = true: agentless scanning is a Defender for Servers P2 feature. Fix: set subPlan to "P2" or remove agentlessScanning',
    ]);
  });

  it("unknown provider, the retired scanner, and settings for the other provider", () => {
    expect(messages(builtIn({ provider: "qualys" }))).toEqual([
      'provider = "qualys": is not a vulnerability-assessment provider. Fix: use "builtIn" (Microsoft Defender Vulnerability Management) or "qualysByol" (a Qualys license you already own); the integrated Qualys scanner was retired on 2024-05-01',
    ]);
    expect(messages(builtIn({ provider: "BuiltIn" }))[0]).toMatch(/Fix: write it as "builtIn"$/);
    expect(messages(builtIn({ qualysByol: { resourceGroupName: "rg" } }))[0]).toMatch(/^qualysByol = "\(set\)": is given while provider is "builtIn"/);
    expect(messages(byol({ builtIn: { subPlan: "P1" } }))[0]).toMatch(/^builtIn = "\(set\)": is given while provider is "qualysByol"/);
  });

  it("built-in with an existing 13ce0167 assignment on the retired vaType default", () => {
    expect(messages(builtIn({ subscriptionState: { policyAssignments: [{ name: "old-va", policyDefinitionId: "13ce0167-8ca6-4048-8e6b-f996402e3c1b" }] } }))).toEqual([
      'subscriptionState.policyAssignments = "old-va": assigns policy 13ce0167 with vaType "default", the integrated Qualys scanner retired on 2024-05-01. Fix: set that assignment\'s vaType to "mdeTvm" or its effect to "Disabled"',
    ]);
  });

  it("reports every problem at once, with field, value and fix", () => {
    const problems = messages({ subscriptionId: "prod", provider: "qualysByol", qualysByol: { resourceGroupName: "rg.", location: "West Europe" }, machines: [{ id: arc("a") }] });
    expect(problems.map((p) => p.split(" = ")[0])).toEqual(["subscriptionId", "qualysByol.resourceGroupName", "qualysByol.location", "qualysByol.licenseCode", "qualysByol.publicKey", "machines"]);
    expect(problems[2]).toContain('Fix: write it lower-case without spaces, e.g. "westeurope"');
  });

  it("policy assignment needs a region; the provider's subscription must match", () => {
    expect(messages(builtIn({ builtIn: { subPlan: "P1", assignPolicy: true } }))[0]).toMatch(/^builtIn.policyAssignmentLocation = \(not set\): is required when assignPolicy is true/);
    expect(messages(builtIn({ providerSubscriptionId: "22222222-2222-2222-2222-222222222222" }))[0]).toMatch(
      /^subscriptionId = "11111111-1111-1111-1111-111111111111": differs from azure-native:subscriptionId \(22222222-2222-2222-2222-222222222222\)/,
    );
  });

  it("machines that are neither ARM ids nor typed", () => {
    expect(messages(builtIn({ machines: [{ id: "server-01" }, { type: "mainframe" }, {}] }))).toEqual([
      'machines[0].id = "server-01": is not an ARM resource id. Fix: give /subscriptions/<id>/resourceGroups/<rg>/providers/<namespace>/<type>/<name>, or set type (e.g. "onPremises") for a machine outside Azure',
      'machines[1].type = "mainframe": is not a known machine type. Fix: use "Microsoft.Compute/virtualMachines", "Microsoft.HybridCompute/machines", "aws", "gcp" or "onPremises"',
      'machines[2] = {}: has neither an id nor a type. Fix: give the machine\'s ARM resource id, or a type such as "aws", "gcp" or "onPremises"',
    ]);
  });
});

describe("normalisation", () => {
  it("BYOL links the Azure VMs in scope, sorted, without case duplicates", () => {
    const { value } = normaliseVulnerabilityAssessment(byol({ machines: [{ id: vm("vm-b") }, { id: vm("vm-a") }, { id: vm("VM-B").replace("VM-B", "vm-b").toUpperCase() }] }));
    expect(value!.qualysByol).toEqual({ resourceGroupName: "rg-security", location: "westeurope", solutionName: "qualys-byol", autoUpdate: false, linkedVmIds: [vm("vm-a"), vm("vm-b")] });
  });

  it("built-in defaults: agentless scanning on with P2, off with P1", () => {
    expect(normaliseVulnerabilityAssessment(builtIn()).value!.builtIn).toMatchObject({ subPlan: "P2", agentlessScanning: true, assignPolicy: false, keepPlanOnRemoval: false });
    expect(normaliseVulnerabilityAssessment(builtIn({ builtIn: { subPlan: "P1" } })).value!.builtIn).toMatchObject({ subPlan: "P1", agentlessScanning: false });
  });

  it("classifies machines by ARM type, or by the declared type", () => {
    expect(classifyMachine({ id: vm("a").toLowerCase() }).kind).toBe("azureVm");
    expect(classifyMachine({ id: arc("b") }).kind).toBe("arc");
    expect(classifyMachine({ id: "gce-1", type: "gcp" }).kind).toBe("other");
  });
});

describe("decision summary", () => {
  it("counts what a BYOL choice would leave uncovered in a built-in environment", () => {
    const { value } = normaliseVulnerabilityAssessment(builtIn({ machines: [{ id: vm("vm-1") }, { id: arc("onprem-1") }, { id: "ec2-1", type: "aws" }] }));
    const d = decisionSummary(value!);
    expect(d).toMatchObject({
      provider: "builtIn",
      scanner: "Microsoft Defender Vulnerability Management (MdeTvm)",
      defenderPlan: "Defender for Servers P2 with agentless scanning",
      machinesInScope: 3,
      azureVms: 1,
      arcMachines: 1,
      otherMachines: 1,
      uncoveredMachines: 0,
      uncoveredIfQualysByol: 2,
      uncoveredIfQualysByolIds: [arc("onprem-1"), "ec2-1"],
    });
    expect(d.tradeOffs).toHaveLength(2);
  });

  it("built-in leaves uncovered the machines outside its subscription and on-premises machines without Arc", () => {
    const other = "22222222-2222-2222-2222-222222222222";
    const { value } = normaliseVulnerabilityAssessment(
      builtIn({ machines: [{ id: vm("vm-1") }, { id: vm("vm-9", other) }, { id: "srv-basement", type: "onPremises" }, { id: "gce-1", type: "gcp" }] }),
    );
    const d = decisionSummary(value!, "dev");
    expect(d).toMatchObject({ environment: "dev", uncoveredMachines: 2, uncoveredMachineIds: [vm("vm-9", other), "srv-basement"], uncoveredIfQualysByol: 3 });
  });

  it("describes a BYOL environment", () => {
    const d = decisionSummary(normaliseVulnerabilityAssessment(byol()).value!);
    expect(d).toMatchObject({ provider: "qualysByol", defenderPlan: "not required for vulnerability assessment", coverage: "Azure VMs of this subscription only", uncoveredMachines: 0, azureVms: 2 });
    expect(d.deployment).toBe("security solution qualys-byol in rg-security/westeurope with 2 linked VMs");
  });
});

describe("payloads", () => {
  it("P2 states both extensions; P1 sends none", () => {
    expect(pricingExtensions("P2", true)).toEqual([
      { name: "AgentlessVmScanning", isEnabled: "True" },
      { name: "MdeDesignatedSubscription", isEnabled: "False" },
    ]);
    expect(pricingExtensions("P2", false)![0]).toEqual({ name: "AgentlessVmScanning", isEnabled: "False" });
    expect(pricingExtensions("P1", false)).toBeUndefined();
  });

  it("reads linked VMs in either casing or as plain strings", () => {
    expect(parseLinkedVmIds({ properties: { protectedResources: [{ ResourceAzureId: "a" }, { resourceAzureId: "b" }, "c"] } })).toEqual(["a", "b", "c"]);
    expect(parseLinkedVmIds({ Properties: { ProtectedResources: [{ id: "d" }] } })).toEqual(["d"]);
    expect(parseLinkedVmIds(undefined)).toEqual([]);
  });
});
