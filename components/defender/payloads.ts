/**
 * ARM paths and bodies for Defender for Cloud: the Defender for Servers pricing, and the Qualys
 * BYOL security solution with its linked VMs (reference §1.1 and §1.4). Plain functions.
 */
import { DEFAULT_POLICY_ASSIGNMENT_NAME, QUALYS_TEMPLATE, SECURITY_ADMIN_ROLE_ID, VA_PROVIDER_POLICY_ID, type DefenderServersSubPlan } from "./model";

export interface PricingExtension {
  name: string;
  isEnabled: "True" | "False";
}

/**
 * Extensions of the VirtualMachines pricing. P2 states both extensions explicitly (agentless
 * scanning on unless turned off; MDE designated subscription off, as policy 5eb6d64a and ALZ do),
 * so the plan does not depend on service defaults. P1 sends none: neither extension is a P1
 * feature, and sending them to P1 is not documented.
 */
export function pricingExtensions(subPlan: DefenderServersSubPlan, agentlessScanning: boolean): PricingExtension[] | undefined {
  if (subPlan !== "P2") return undefined;
  return [
    { name: "AgentlessVmScanning", isEnabled: agentlessScanning ? "True" : "False" },
    { name: "MdeDesignatedSubscription", isEnabled: "False" },
  ];
}

export function subscriptionScope(subscriptionId: string): string {
  return `/subscriptions/${subscriptionId}`;
}

/** Path of the subscription's Defender for Servers pricing. */
export function pricingPath(subscriptionId: string): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Security/pricings/VirtualMachines`;
}

/** A subscription-level pricing cannot be deleted (400 InvalidUrlConfiguration): it is reset with this PUT. */
export function freePricingBody(): { properties: { pricingTier: "Free" } } {
  return { properties: { pricingTier: "Free" } };
}

export function policyDefinitionId(): string {
  return `/providers/Microsoft.Authorization/policyDefinitions/${VA_PROVIDER_POLICY_ID}`;
}

export function policyAssignmentName(): string {
  return DEFAULT_POLICY_ASSIGNMENT_NAME;
}

export function securityAdminRoleDefinitionId(subscriptionId: string): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${SECURITY_ADMIN_ROLE_ID}`;
}

export interface SolutionLocation {
  subscriptionId: string;
  resourceGroupName: string;
  location: string;
  solutionName: string;
}

/** The solution's ARM id: deterministic, so creating it twice is the same PUT. */
export function solutionPath(s: SolutionLocation): string {
  return `/subscriptions/${s.subscriptionId}/resourceGroups/${s.resourceGroupName}/providers/Microsoft.Security/locations/${s.location}/securitySolutions/${s.solutionName}`;
}

/** Defender for Cloud locations of the subscription; `properties.homeRegionName` is where the solution belongs. */
export function locationsPath(subscriptionId: string): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Security/locations`;
}

/** Every security solution of the subscription (public spec, GET only). */
export function solutionsListPath(subscriptionId: string): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Security/securitySolutions`;
}

export function protectedResourcesPath(s: SolutionLocation): string {
  return `${solutionPath(s)}/protectedResources`;
}

/** One linked VM; its ARM id is encoded as a single path segment. */
export function protectedResourcePath(s: SolutionLocation, vmId: string): string {
  return `${protectedResourcesPath(s)}/${encodeURIComponent(vmId)}`;
}

/** The solution body, as Microsoft's New-ASCVASolution.ps1 sends it: ProvisioningParameters is a JSON string. */
export function solutionBody(location: string, licenseCode: string, publicKey: string, autoUpdate: boolean) {
  return {
    Properties: {
      Location: location,
      Template: QUALYS_TEMPLATE,
      ProvisioningParameters: JSON.stringify({ licenseCode, publicKey, autoUpdate }),
    },
  };
}

export function linkBody(vmIds: string[]): { ResourceAzureId: string }[] {
  return vmIds.map((id) => ({ ResourceAzureId: id }));
}

/**
 * The linked VM ids in a solution read with includeProtectedResources=true. The response shape is
 * not in a public spec, so both casings and plain strings are accepted.
 */
export function parseLinkedVmIds(body: unknown): string[] {
  const props = (body as { properties?: Record<string, unknown>; Properties?: Record<string, unknown> } | undefined) ?? {};
  const p = props.properties ?? props.Properties ?? {};
  const list = (p.protectedResources ?? p.ProtectedResources ?? []) as unknown[];
  if (!Array.isArray(list)) return [];
  return list
    .map((item) => {
      if (typeof item === "string") return item;
      const o = (item ?? {}) as Record<string, unknown>;
      return (o.ResourceAzureId ?? o.resourceAzureId ?? o.id ?? "") as string;
    })
    .filter((id) => typeof id === "string" && id.length > 0);
}

/** Template and provisioning state of a solution response, whatever the casing. */
export function parseSolution(body: unknown): { template: string; provisioningState: string } {
  const b = (body ?? {}) as { properties?: Record<string, unknown>; Properties?: Record<string, unknown> };
  const p = b.properties ?? b.Properties ?? {};
  return { template: String(p.template ?? p.Template ?? ""), provisioningState: String(p.provisioningState ?? p.ProvisioningState ?? "") };
}

/**
 * A solution read with includeProtectedResources=true, read strictly: the linked-VM list must be
 * there (an array, any casing) and every entry must carry an id, and the provisioning state must be
 * a string. Returns a problem instead when the answer cannot be read: the caller must stop, since
 * "no VMs listed" would make it link them again.
 */
export function readSolutionStrict(body: unknown): { linked: string[]; provisioningState: string } | { problem: string } {
  const b = (body ?? {}) as { properties?: unknown; Properties?: unknown };
  const p = b.properties ?? b.Properties;
  if (typeof p !== "object" || p === null || Array.isArray(p)) return { problem: "the solution has no properties object" };
  const props = p as Record<string, unknown>;
  const state = props.provisioningState ?? props.ProvisioningState;
  if (typeof state !== "string") return { problem: "the solution has no provisioningState" };
  const list = props.protectedResources ?? props.ProtectedResources;
  if (!Array.isArray(list)) return { problem: "the solution lists no protectedResources array, so its linked VMs cannot be told" };
  const linked: string[] = [];
  for (const item of list) {
    const o = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
    const id = typeof item === "string" ? item : (o.ResourceAzureId ?? o.resourceAzureId ?? o.id);
    if (typeof id !== "string" || id === "") return { problem: `a protectedResources entry has no VM id (${JSON.stringify(item)?.slice(0, 80)})` };
    linked.push(id);
  }
  return { linked, provisioningState: state };
}
