/**
 * Constants and plain shapes of the Defender for Cloud vulnerability-assessment choice. No Pulumi
 * import: the validation, decision summary and payload builders use these, and so do the tests.
 * Facts and their sources: docs/defender.md.
 */

/** How servers get vulnerability assessment in one environment. */
export const VulnerabilityAssessmentProvider = {
  /** Microsoft Defender Vulnerability Management (`MdeTvm`), included with Defender for Servers. */
  BuiltIn: "builtIn",
  /** A Qualys "bring your own license" security solution with the Azure VMs linked to it. */
  QualysByol: "qualysByol",
} as const;
export type VulnerabilityAssessmentProvider = (typeof VulnerabilityAssessmentProvider)[keyof typeof VulnerabilityAssessmentProvider];

/** Defender for Servers sub-plans. */
export const DefenderServersSubPlan = {
  /** Agent-based MDVM through Defender for Endpoint. */
  P1: "P1",
  /** P1 plus agentless scanning and premium MDVM features. */
  P2: "P2",
} as const;
export type DefenderServersSubPlan = (typeof DefenderServersSubPlan)[keyof typeof DefenderServersSubPlan];

/** What a machine in scope is, as far as vulnerability assessment is concerned. */
export const MachineKind = {
  AzureVm: "azureVm",
  Arc: "arc",
  Other: "other",
} as const;
export type MachineKind = (typeof MachineKind)[keyof typeof MachineKind];

export const COMPONENT = "VulnerabilityAssessment";

export const PRICING_API_VERSION = "2024-01-01";
/** The BYOL security-solution calls exist only in this preview api-version (reference §1.4). */
export const SOLUTION_API_VERSION = "2015-06-01-preview";
/** The public spec's list of security solutions (GET only). */
export const SOLUTION_LIST_API_VERSION = "2020-01-01";
export const QUALYS_TEMPLATE = "qualys.qualysAgent";
export const DEFAULT_SOLUTION_NAME = "qualys-byol";
export const DEFAULT_POLICY_ASSIGNMENT_NAME = "mdc-va-autoprovisioning";

/** "Configure machines to receive a vulnerability assessment provider" (pass vaType mdeTvm). */
export const VA_PROVIDER_POLICY_ID = "13ce0167-8ca6-4048-8e6b-f996402e3c1b";
/** "Setup subscriptions to transition to an alternative vulnerability assessment solution" (forces MdeTvm). */
export const VA_TRANSITION_POLICY_ID = "766e621d-ba95-4e43-a6f2-e945db3d7888";
/** Azure Landing Zones initiative that bundles both policies above. */
export const ALZ_MDFC_INITIATIVE_PREFIX = "deploy-mdfc-config";
/** Security Admin: the role the policy's managed identity needs for remediation. */
export const SECURITY_ADMIN_ROLE_ID = "fb1c8493-542b-48eb-b624-b4c8fea62acd";

export const VM_TYPE = "microsoft.compute/virtualmachines";
export const ARC_TYPE = "microsoft.hybridcompute/machines";

/** A machine in scope, as given in config: an ARM resource id, or another kind of machine. */
export interface PlainMachine {
  id?: string;
  /** ARM type ("Microsoft.Compute/virtualMachines", "Microsoft.HybridCompute/machines") or a label such as "aws", "gcp", "onPremises". */
  type?: string;
}

/** A policy (or initiative) assignment that already applies to the subscription. */
export interface PlainPolicyAssignment {
  name?: string;
  policyDefinitionId?: string;
  /** Assignment parameter values (e.g. effect, vaType, enableTvmCheck). */
  parameters?: Record<string, string>;
}

/** What is already true of the subscription, declared outside this component. */
export interface PlainSubscriptionState {
  /** The subscription's serverVulnerabilityAssessmentsSettings provider, e.g. "MdeTvm", when one is set. */
  selectedProvider?: string;
  policyAssignments?: PlainPolicyAssignment[];
}

/** Settings of the built-in scanner (Microsoft Defender Vulnerability Management) as plain values. */
export interface PlainBuiltInArgs {
  subPlan?: string;
  agentlessScanning?: boolean;
  assignPolicy?: boolean;
  policyAssignmentLocation?: string;
  keepPlanOnRemoval?: boolean;
}

/** BYOL settings; the secrets are represented by whether they are present, never by value. */
export interface PlainQualysByolArgs {
  resourceGroupName?: string;
  location?: string;
  solutionName?: string;
  licenseCodePresent?: boolean;
  publicKeyPresent?: boolean;
  autoUpdate?: boolean;
}

/** The inputs of {@link VulnerabilityAssessment} as plain values (what {@link normaliseVulnerabilityAssessment} checks). */
export interface PlainVulnerabilityAssessmentArgs {
  subscriptionId?: string;
  provider?: string;
  builtIn?: PlainBuiltInArgs;
  qualysByol?: PlainQualysByolArgs;
  machines?: PlainMachine[];
  subscriptionState?: PlainSubscriptionState;
  armEndpoint?: string;
  /** `azure-native:subscriptionId` from stack config, when the component uses the default provider. */
  providerSubscriptionId?: string;
}

/** A machine of the component's `machines`, with its kind (Azure VM, Arc-enabled server, or other) and subscription. */
export interface ClassifiedMachine {
  id: string;
  kind: MachineKind;
  /** Subscription of an ARM id, lower-case; "" otherwise. */
  subscriptionId: string;
  /** For machines outside Azure: "aws", "gcp", or "" (on-premises or unknown). */
  cloud: string;
}

/** The inputs checked, with every default filled in and each machine classified. */
export interface NormalisedVulnerabilityAssessment {
  subscriptionId: string;
  provider: VulnerabilityAssessmentProvider;
  builtIn?: {
    subPlan: DefenderServersSubPlan;
    agentlessScanning: boolean;
    assignPolicy: boolean;
    policyAssignmentLocation?: string;
    keepPlanOnRemoval: boolean;
  };
  qualysByol?: {
    resourceGroupName: string;
    location: string;
    solutionName: string;
    autoUpdate: boolean;
    /** Azure VMs to link, sorted and without duplicates. */
    linkedVmIds: string[];
  };
  machines: ClassifiedMachine[];
  armEndpoint: string;
}
