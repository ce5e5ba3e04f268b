/**
 * The decision summary: what an environment chose, what that costs and covers, and how many
 * machines in scope a Qualys BYOL choice would leave without vulnerability assessment.
 */
import { MachineKind, VulnerabilityAssessmentProvider, type NormalisedVulnerabilityAssessment } from "./model";
import { machinesBuiltInCannotCover, machinesByolCannotCover } from "./validate";

/** The vulnerability-assessment choice of one environment, as `plan` prints it. */
export interface VulnerabilityAssessmentDecision {
  /** The environment (stack) the choice belongs to. */
  environment: string;
  /** The provider chosen: "builtIn" or "qualysByol". */
  provider: string;
  /** The scanner that assesses the servers. */
  scanner: string;
  /** The Defender for Servers plan the choice needs. */
  defenderPlan: string;
  /** What the assessment costs. */
  cost: string;
  /** Which machines the choice can cover. */
  coverage: string;
  /** Where findings appear. */
  findings: string;
  /** What is deployed. */
  deployment: string;
  /** Machines in scope (from config). */
  machinesInScope: number;
  /** Azure VMs among them. */
  azureVms: number;
  /** Azure Arc machines among them. */
  arcMachines: number;
  /** Machines that are neither (other clouds, on-premises). */
  otherMachines: number;
  /** Machines the chosen provider leaves without assessment. */
  uncoveredMachines: number;
  /** Their ids. */
  uncoveredMachineIds: string[];
  /** Machines a Qualys BYOL choice would leave without assessment (Arc, non-Azure, other subscriptions). */
  uncoveredIfQualysByol: number;
  /** Their ids. */
  uncoveredIfQualysByolIds: string[];
  /** The trade-offs between the two providers. */
  tradeOffs: string[];
}

const TRADE_OFFS = [
  "builtIn: included with Defender for Servers (P1 or P2) at no extra cost; covers Azure VMs, Azure Arc machines and AWS/GCP machines through connectors; deployable by API or Azure Policy; richer findings in Defender for Cloud.",
  "qualysByol: for a company that already runs Qualys as its primary scanner; needs a Qualys license (code and public key) and no Defender plan; Azure VMs only (no Arc, on-premises or other clouds); results in Qualys and in Defender for Cloud, with less metadata; VMs are linked one by one, no Azure Policy auto-deployment.",
];

/** The scanner choice and its consequences per machine kind, as the component's `decision` output. */
export function decisionSummary(n: NormalisedVulnerabilityAssessment, environment = ""): VulnerabilityAssessmentDecision {
  const count = (kind: string) => n.machines.filter((m) => m.kind === kind).length;
  const byolGaps = machinesByolCannotCover(n.machines, n.subscriptionId);
  const builtIn = n.provider === VulnerabilityAssessmentProvider.BuiltIn;
  const uncovered = builtIn ? machinesBuiltInCannotCover(n.machines, n.subscriptionId).map((m) => m.id) : byolGaps.map((g) => g.machine.id);
  const plan = n.builtIn?.subPlan ?? "P2";
  return {
    environment,
    provider: n.provider,
    scanner: builtIn ? "Microsoft Defender Vulnerability Management (MdeTvm)" : "Qualys agent, bring your own license",
    defenderPlan: builtIn ? `Defender for Servers ${plan}${plan === "P2" ? (n.builtIn?.agentlessScanning ? " with agentless scanning" : " without agentless scanning") : ""}` : "not required for vulnerability assessment",
    cost: builtIn ? "included in the Defender for Servers plan" : "no Defender for Cloud charge for assessment; Qualys license paid to the vendor",
    coverage: builtIn ? "Azure VMs and Azure Arc machines of this subscription; AWS/GCP machines through Defender connectors" : "Azure VMs of this subscription only",
    findings: builtIn ? "MDVM findings in Defender for Cloud" : "Qualys findings in Qualys and in Defender for Cloud (less metadata)",
    deployment: builtIn
      ? `Pricing VirtualMachines Standard + AzureServersSetting MdeTvm${n.builtIn?.assignPolicy ? " + policy 13ce0167 (vaType mdeTvm) with a Security Admin identity" : ""}`
      : `security solution ${n.qualysByol?.solutionName} in ${n.qualysByol?.resourceGroupName}/${n.qualysByol?.location} with ${n.qualysByol?.linkedVmIds.length ?? 0} linked VMs`,
    machinesInScope: n.machines.length,
    azureVms: count(MachineKind.AzureVm),
    arcMachines: count(MachineKind.Arc),
    otherMachines: count(MachineKind.Other),
    // Validation refuses BYOL with gaps, so an accepted BYOL choice leaves nothing uncovered.
    uncoveredMachines: uncovered.length,
    uncoveredMachineIds: uncovered,
    uncoveredIfQualysByol: byolGaps.length,
    uncoveredIfQualysByolIds: byolGaps.map((g) => g.machine.id),
    tradeOffs: TRADE_OFFS,
  };
}
