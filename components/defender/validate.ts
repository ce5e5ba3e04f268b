/**
 * Validation and normalisation of the vulnerability-assessment choice: every input Defender would
 * reject, or that would silently undo the choice, is refused here, at preview.
 */
import type { InputProblem } from "../errors";
import {
  ALZ_MDFC_INITIATIVE_PREFIX,
  ARC_TYPE,
  DEFAULT_SOLUTION_NAME,
  DefenderServersSubPlan,
  MachineKind,
  VA_PROVIDER_POLICY_ID,
  VA_TRANSITION_POLICY_ID,
  VM_TYPE,
  VulnerabilityAssessmentProvider,
  type ClassifiedMachine,
  type NormalisedVulnerabilityAssessment,
  type PlainMachine,
  type PlainPolicyAssignment,
  type PlainVulnerabilityAssessmentArgs,
} from "./model";
import { GUID } from "../common/ids";

const ARM_ID = /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)$/i;
const RESOURCE_GROUP = /^[-\w.()]{1,90}$/;
const REGION = /^[a-z0-9]+$/;
const SOLUTION_NAME = /^[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$/;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

export const ARM_ENDPOINT_DEFAULT = "https://management.azure.com";

/** Labels accepted in a machine's `type` for machines that are not Azure resources. */
const NON_AZURE_LABELS = ["aws", "gcp", "onpremises", "other"];

/** Classify a machine from its ARM id or its declared type. */
export function classifyMachine(machine: PlainMachine): ClassifiedMachine {
  const id = (machine.id ?? "").trim();
  const match = ARM_ID.exec(id);
  const typeFromId = match ? `${match[3]}/${match[4]}`.toLowerCase() : "";
  const type = (machine.type ?? typeFromId).toLowerCase();
  const kind = type === VM_TYPE ? MachineKind.AzureVm : type === ARC_TYPE ? MachineKind.Arc : MachineKind.Other;
  const cloud = type === "aws" || type === "gcp" ? type : "";
  return { id: id || `(${machine.type ?? "machine without id"})`, kind, subscriptionId: match ? match[1].toLowerCase() : "", cloud };
}

/** Machines without duplicates (ARM ids compare case-insensitively), in the order given. */
export function classifyMachines(machines: PlainMachine[]): ClassifiedMachine[] {
  const seen = new Set<string>();
  const out: ClassifiedMachine[] = [];
  for (const m of machines) {
    const c = classifyMachine(m);
    const key = c.id.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c);
  }
  return out;
}

/** The machines a Qualys BYOL solution cannot cover in this subscription, with why. */
export function machinesByolCannotCover(machines: ClassifiedMachine[], subscriptionId: string): { machine: ClassifiedMachine; why: string }[] {
  const sub = subscriptionId.toLowerCase();
  return machines.flatMap((m) => {
    if (m.kind === MachineKind.Arc) return [{ machine: m, why: "Azure Arc machine" }];
    if (m.kind === MachineKind.Other) return [{ machine: m, why: "not an Azure VM" }];
    if (m.subscriptionId !== sub) return [{ machine: m, why: `Azure VM in subscription ${m.subscriptionId}` }];
    return [];
  });
}

function definitionGuid(assignment: PlainPolicyAssignment): string {
  return (assignment.policyDefinitionId ?? "").split("/").pop()!.toLowerCase();
}

function parameter(assignment: PlainPolicyAssignment, key: string): string | undefined {
  const entry = Object.entries(assignment.parameters ?? {}).find(([k]) => k.toLowerCase() === key.toLowerCase());
  return entry?.[1];
}

const disabled = (value: string | undefined) => (value ?? "").toLowerCase() === "disabled";

/**
 * The machines the built-in provider of this subscription cannot cover: Azure machines of other
 * subscriptions (the plan is per subscription) and machines outside Azure that are neither Arc-
 * enabled nor in AWS/GCP (which Defender covers through connectors).
 */
export function machinesBuiltInCannotCover(machines: ClassifiedMachine[], subscriptionId: string): ClassifiedMachine[] {
  const sub = subscriptionId.toLowerCase();
  return machines.filter((m) => (m.kind === MachineKind.Other ? m.cloud === "" : m.subscriptionId !== sub));
}

/** Policy assignments that would force MdeTvm (or deploy a scanner) into a BYOL subscription. */
export function assignmentsForcingBuiltIn(assignments: PlainPolicyAssignment[]): { assignment: PlainPolicyAssignment; why: string; fix: string }[] {
  return assignments.flatMap((a) => {
    const guid = definitionGuid(a);
    if (guid === VA_PROVIDER_POLICY_ID && !disabled(parameter(a, "effect"))) {
      return [{ assignment: a, why: "policy 13ce0167 deploys a vulnerability-assessment provider to every machine", fix: 'set its parameter effect to "Disabled" or remove the assignment' }];
    }
    if (guid === VA_TRANSITION_POLICY_ID && !disabled(parameter(a, "effect"))) {
      return [{ assignment: a, why: "policy 766e621d forces the subscription to MdeTvm", fix: 'set its parameter effect to "Disabled" or remove the assignment' }];
    }
    if (guid.startsWith(ALZ_MDFC_INITIATIVE_PREFIX)) {
      const open = ["enableAscForServersVulnerabilityAssessments", "enableTvmCheck"].filter((k) => !disabled(parameter(a, k)));
      if (open.length > 0) {
        return [{ assignment: a, why: `the Azure Landing Zones initiative deploys MdeTvm while ${open.join(" and ")} ${open.length > 1 ? "are" : "is"} not "Disabled"`, fix: 'set enableAscForServersVulnerabilityAssessments and enableTvmCheck to "Disabled" on that assignment' }];
      }
    }
    return [];
  });
}

/** Existing assignments of 13ce0167 that still target the retired integrated Qualys scanner. */
function assignmentsTargetingRetiredScanner(assignments: PlainPolicyAssignment[]): PlainPolicyAssignment[] {
  return assignments.filter(
    (a) => definitionGuid(a) === VA_PROVIDER_POLICY_ID && !disabled(parameter(a, "effect")) && (parameter(a, "vaType") ?? "default").toLowerCase() === "default",
  );
}

function isValidEndpoint(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === "https:" || (u.protocol === "http:" && LOOPBACK.test(u.hostname));
  } catch {
    return false;
  }
}

/**
 * Check the args and return the normalised choice, or every problem found. Secrets are never
 * looked at here: only whether they are present.
 */
export function normaliseVulnerabilityAssessment(args: PlainVulnerabilityAssessmentArgs): {
  value?: NormalisedVulnerabilityAssessment;
  problems: InputProblem[];
} {
  const problems: InputProblem[] = [];
  const add = (field: string, value: unknown, problem: string, fix: string) => problems.push({ field, value, problem, fix });

  const subscriptionId = (args.subscriptionId ?? "").trim();
  if (!GUID.test(subscriptionId)) {
    add("subscriptionId", args.subscriptionId, "is not a subscription id (a GUID)", "give the id of the subscription whose servers are assessed, e.g. 00000000-0000-0000-0000-000000000000");
  }

  const providers = Object.values(VulnerabilityAssessmentProvider) as string[];
  let provider = args.provider as VulnerabilityAssessmentProvider | undefined;
  if (args.provider === undefined || !providers.includes(args.provider)) {
    const close = providers.find((p) => p.toLowerCase() === (args.provider ?? "").toLowerCase());
    add(
      "provider",
      args.provider,
      args.provider === undefined ? "is required" : "is not a vulnerability-assessment provider",
      close ? `write it as "${close}"` : `use "builtIn" (Microsoft Defender Vulnerability Management) or "qualysByol" (a Qualys license you already own); the integrated Qualys scanner was retired on 2024-05-01`,
    );
    provider = undefined;
  }

  const endpoint = (args.armEndpoint ?? ARM_ENDPOINT_DEFAULT).replace(/\/+$/, "");
  if (!isValidEndpoint(endpoint)) {
    add("armEndpoint", args.armEndpoint, "must be an https URL (plain http only for a 127.0.0.1 test server)", `omit it for ${ARM_ENDPOINT_DEFAULT}`);
  }

  const machines = classifyMachines(args.machines ?? []);
  for (const [i, m] of (args.machines ?? []).entries()) {
    const type = (m.type ?? "").toLowerCase();
    if (!m.id && !m.type) add(`machines[${i}]`, m, "has neither an id nor a type", "give the machine's ARM resource id, or a type such as \"aws\", \"gcp\" or \"onPremises\"");
    else if (m.type && type !== VM_TYPE && type !== ARC_TYPE && !NON_AZURE_LABELS.includes(type)) {
      add(`machines[${i}].type`, m.type, "is not a known machine type", 'use "Microsoft.Compute/virtualMachines", "Microsoft.HybridCompute/machines", "aws", "gcp" or "onPremises"');
    } else if (m.id && !m.type && !ARM_ID.test(m.id.trim())) {
      add(`machines[${i}].id`, m.id, "is not an ARM resource id", 'give /subscriptions/<id>/resourceGroups/<rg>/providers/<namespace>/<type>/<name>, or set type (e.g. "onPremises") for a machine outside Azure');
    }
  }

  const state = args.subscriptionState ?? {};
  if (state.selectedProvider !== undefined && state.selectedProvider !== "MdeTvm") {
    add("subscriptionState.selectedProvider", state.selectedProvider, "is not a provider the subscription setting can select", state.selectedProvider.toLowerCase() === "mdetvm" ? 'write it as "MdeTvm"' : 'use "MdeTvm" (the only value) or leave it unset');
  }
  const assignments = state.policyAssignments ?? [];

  const normalised: NormalisedVulnerabilityAssessment = { subscriptionId: subscriptionId.toLowerCase(), provider: provider ?? "builtIn", machines, armEndpoint: endpoint };

  if (provider === VulnerabilityAssessmentProvider.BuiltIn) {
    if (args.qualysByol !== undefined) add("qualysByol", "(set)", "is given while provider is \"builtIn\"", 'remove the qualysByol settings, or set provider to "qualysByol"');
    const b = args.builtIn ?? {};
    const plans = Object.values(DefenderServersSubPlan) as string[];
    let subPlan = b.subPlan as DefenderServersSubPlan | undefined;
    if (b.subPlan === undefined || !plans.includes(b.subPlan)) {
      const close = plans.find((p) => p.toLowerCase() === (b.subPlan ?? "").toLowerCase());
      add(
        "builtIn.subPlan",
        b.subPlan,
        b.subPlan === undefined ? "is required with the built-in provider (it decides what Defender for Servers costs)" : "is not a Defender for Servers sub-plan",
        close ? `write it as "${close}"` : 'use "P1" (agent-based MDVM) or "P2" (adds agentless scanning)',
      );
      subPlan = undefined;
    }
    if (subPlan === "P1" && b.agentlessScanning === true) {
      add("builtIn.agentlessScanning", true, "agentless scanning is a Defender for Servers P2 feature", 'set subPlan to "P2" or remove agentlessScanning');
    }
    const assignPolicy = b.assignPolicy ?? false;
    const location = b.policyAssignmentLocation?.trim();
    if (assignPolicy && !location) {
      add("builtIn.policyAssignmentLocation", b.policyAssignmentLocation, "is required when assignPolicy is true (the assignment's managed identity needs a region)", 'give an Azure region name, e.g. "westeurope"');
    } else if (location && !REGION.test(location)) {
      add("builtIn.policyAssignmentLocation", location, "is not an Azure region name", `write it lower-case without spaces, e.g. "${location.toLowerCase().replace(/\s+/g, "")}"`);
    }
    for (const a of assignmentsTargetingRetiredScanner(assignments)) {
      add("subscriptionState.policyAssignments", a.name ?? a.policyDefinitionId, "assigns policy 13ce0167 with vaType \"default\", the integrated Qualys scanner retired on 2024-05-01", 'set that assignment\'s vaType to "mdeTvm" or its effect to "Disabled"');
    }
    if (args.providerSubscriptionId && GUID.test(subscriptionId) && args.providerSubscriptionId.toLowerCase() !== subscriptionId.toLowerCase()) {
      add(
        "subscriptionId",
        subscriptionId,
        `differs from azure-native:subscriptionId (${args.providerSubscriptionId}); the AzureServersSetting resource lands in the provider's subscription`,
        "use the same subscription in both, or pass an azure-native provider for this subscription in the component's options",
      );
    }
    normalised.builtIn = {
      subPlan: subPlan ?? "P2",
      agentlessScanning: subPlan === "P2" ? b.agentlessScanning !== false : false,
      assignPolicy,
      policyAssignmentLocation: location || undefined,
      keepPlanOnRemoval: b.keepPlanOnRemoval ?? false,
    };
  }

  if (provider === VulnerabilityAssessmentProvider.QualysByol) {
    if (args.builtIn !== undefined) add("builtIn", "(set)", 'is given while provider is "qualysByol"', 'remove the builtIn settings, or set provider to "builtIn"');
    const q = args.qualysByol ?? {};
    if (args.qualysByol === undefined) add("qualysByol", undefined, 'is required when provider is "qualysByol"', "give resourceGroupName, location (the Defender home region), licenseCode and publicKey");
    const rg = (q.resourceGroupName ?? "").trim();
    if (!RESOURCE_GROUP.test(rg) || rg.endsWith(".")) {
      add("qualysByol.resourceGroupName", q.resourceGroupName, "is not a resource group name", "give an existing resource group (1-90 letters, digits, - _ . ( ), not ending in a dot) to hold the solution; deleting that group orphans the solution");
    }
    const location = (q.location ?? "").trim();
    if (!REGION.test(location)) {
      add(
        "qualysByol.location",
        q.location,
        location ? "is not an Azure region name" : "is required: the subscription's Defender for Cloud home region",
        location ? `write it lower-case without spaces, e.g. "${location.toLowerCase().replace(/\s+/g, "")}"` : "read homeRegionName from GET /subscriptions/<id>/providers/Microsoft.Security/locations and give it here",
      );
    }
    const solutionName = q.solutionName ?? DEFAULT_SOLUTION_NAME;
    if (!SOLUTION_NAME.test(solutionName)) add("qualysByol.solutionName", solutionName, "is not a valid solution name", "use letters, digits, - _ . (up to 63 characters), starting with a letter or digit");
    if (!q.licenseCodePresent) add("qualysByol.licenseCode", undefined, "is required for a Qualys BYOL solution", "set it from secret config: pulumi config set --secret qualysLicenseCode <code>");
    if (!q.publicKeyPresent) add("qualysByol.publicKey", undefined, "is required for a Qualys BYOL solution", "set it from config: pulumi config set --secret qualysPublicKey <key> (Qualys gives it with the license)");

    const uncovered = machinesByolCannotCover(machines, subscriptionId);
    const arc = uncovered.filter((u) => u.machine.kind === MachineKind.Arc);
    const other = uncovered.filter((u) => u.machine.kind !== MachineKind.Arc);
    if (arc.length > 0) {
      add(
        "machines",
        arc.map((u) => shortName(u.machine.id)),
        `Qualys BYOL covers Azure VMs only; ${arc.length} Azure Arc machine${arc.length > 1 ? "s are" : " is"} in scope: ${arc.map((u) => u.machine.id).join(", ")}`,
        'use provider "builtIn" (MDVM covers Arc machines), or take these machines out of this environment\'s scope',
      );
    }
    if (other.length > 0) {
      add(
        "machines",
        other.map((u) => shortName(u.machine.id)),
        `Qualys BYOL covers the Azure VMs of subscription ${subscriptionId} only; ${other.length} machine${other.length > 1 ? "s are" : " is"} not: ${other.map((u) => `${u.machine.id} (${u.why})`).join(", ")}`,
        'use provider "builtIn" (MDVM covers other clouds through connectors), or take these machines out of this environment\'s scope',
      );
    }
    if (state.selectedProvider === "MdeTvm") {
      add(
        "subscriptionState.selectedProvider",
        "MdeTvm",
        "the subscription selects MdeTvm, which makes Defender for Cloud show MDVM findings instead of Qualys findings",
        "remove the subscription's AzureServersSetting (Environment settings > Vulnerability assessment for machines, or DELETE .../serverVulnerabilityAssessmentsSettings/AzureServersSetting) and the stack that declares it",
      );
    }
    for (const f of assignmentsForcingBuiltIn(assignments)) {
      add("subscriptionState.policyAssignments", f.assignment.name ?? f.assignment.policyDefinitionId, `${f.why}, overriding the Qualys BYOL choice`, f.fix);
    }
    normalised.qualysByol = {
      resourceGroupName: rg,
      location,
      solutionName,
      autoUpdate: q.autoUpdate ?? false,
      linkedVmIds: sortIds(machines.filter((m) => m.kind === MachineKind.AzureVm).map((m) => m.id)),
    };
  }

  return problems.length > 0 ? { problems } : { value: normalised, problems };
}

/** The last segment of an ARM id (the machine name), or the id itself. */
function shortName(id: string): string {
  return id.split("/").filter(Boolean).pop() ?? id;
}

/** ARM ids sorted case-insensitively, without case-insensitive duplicates. */
export function sortIds(ids: string[]): string[] {
  const byKey = new Map<string, string>();
  for (const id of ids) if (!byKey.has(id.toLowerCase())) byKey.set(id.toLowerCase(), id);
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, id]) => id);
}
