/**
 * Every Pulumi type token this package declares or matches, in one table. Components pass these to
 * `super()`, the policy pack and the CLI match resources by them; a token written as a literal
 * elsewhere drifts the day one of them is renamed.
 */

/** The package's component namespace: `tenant-guardrails:index:<Component>`. */
export const COMPONENT_TOKEN_PREFIX = "tenant-guardrails:index:";

/** Component resources (`pulumi.ComponentResource`). */
export const COMPONENT_TYPE_TOKENS = {
  CorporateDeviceAccess: "tenant-guardrails:index:CorporateDeviceAccess",
  VulnerabilityAssessment: "tenant-guardrails:index:VulnerabilityAssessment",
  FipsDeviceConfiguration: "tenant-guardrails:index:FipsDeviceConfiguration",
  EmailAuthentication: "tenant-guardrails:index:EmailAuthentication",
} as const;
export type ComponentName = keyof typeof COMPONENT_TYPE_TOKENS;

/** Prefix Pulumi gives every dynamic resource: `pulumi-nodejs:dynamic/<module>:<Type>`. */
export const DYNAMIC_TOKEN_PREFIX = "pulumi-nodejs:dynamic/";

/**
 * Dynamic resources: the module and type a resource passes to `pulumi.dynamic.Resource`, and the
 * token Pulumi records for it (built from the two, so they cannot disagree).
 */
export const DYNAMIC_RESOURCES = {
  IntuneDeviceConfiguration: { module: "intune", type: "DeviceConfiguration" },
  QualysByolSolution: { module: "defender", type: "QualysByolSolution" },
  PricingReset: { module: "defender", type: "PricingReset" },
} as const;
export type DynamicResourceName = keyof typeof DYNAMIC_RESOURCES;

/** The recorded token of a dynamic resource, e.g. `pulumi-nodejs:dynamic/intune:DeviceConfiguration`. */
export function dynamicTypeToken(name: DynamicResourceName): string {
  const { module, type } = DYNAMIC_RESOURCES[name];
  return `${DYNAMIC_TOKEN_PREFIX}${module}:${type}`;
}

export const DYNAMIC_TYPE_TOKENS: Record<DynamicResourceName, string> = {
  IntuneDeviceConfiguration: dynamicTypeToken("IntuneDeviceConfiguration"),
  QualysByolSolution: dynamicTypeToken("QualysByolSolution"),
  PricingReset: dynamicTypeToken("PricingReset"),
};

/**
 * Custom resources served by the package's own provider plugin (`pulumi-resource-tenant-guardrails`):
 * unlike dynamic resources, they can be adopted with `pulumi import` and read with `get`.
 */
export const PLUGIN_RESOURCE_TYPE_TOKENS = {
  ConditionalAccessPolicy: "tenant-guardrails:conditionalaccess:ConditionalAccessPolicy",
} as const;

/** Resources of other providers the policy pack matches. */
export const PROVIDER_TYPE_TOKENS = {
  ConditionalAccessPolicy: "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy",
  DnsRecordSet: "azure-native:dns:RecordSet",
  DefenderPricing: "azure-native:security:Pricing",
} as const;
