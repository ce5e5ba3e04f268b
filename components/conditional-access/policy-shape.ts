/**
 * The plain (resolved) shape of `@pulumi/azuread` ConditionalAccessPolicyArgs, as the offline
 * engine records it and as the Graph importer produces it. Field names and enum casing are the
 * provider's (upstream terraform-provider-azuread v3 / pulumi-azuread v6).
 */

export const PolicyState = {
  Enabled: "enabled",
  Disabled: "disabled",
  ReportOnly: "enabledForReportingButNotEnforced",
} as const;
export type PolicyState = (typeof PolicyState)[keyof typeof PolicyState];

const POLICY_STATE_SPELLINGS: Record<string, PolicyState> = {
  enabled: PolicyState.Enabled,
  on: PolicyState.Enabled,
  disabled: PolicyState.Disabled,
  off: PolicyState.Disabled,
  reportonly: PolicyState.ReportOnly,
  enabledforreportingbutnotenforced: PolicyState.ReportOnly,
};

/** The policy state a user wrote (any case, spaces, `_` or `-`; `on`/`off`; Graph's own spelling), or undefined. */
export function parsePolicyState(raw: unknown): PolicyState | undefined {
  return POLICY_STATE_SPELLINGS[String(raw).trim().toLowerCase().replace(/[\s_-]/g, "")];
}

/** The device platforms a Conditional Access policy can name, in the azuread provider's casing. */
export const DevicePlatform = {
  All: "all",
  Android: "android",
  IOS: "iOS",
  Linux: "linux",
  MacOS: "macOS",
  Windows: "windows",
  WindowsPhone: "windowsPhone",
} as const;
/** One of the {@link DevicePlatform} values. */
export type DevicePlatform = (typeof DevicePlatform)[keyof typeof DevicePlatform];

/** A device filter condition: include or exclude the devices its rule matches. */
export interface PlainDeviceFilter {
  mode: "include" | "exclude";
  rule: string;
}

/** Guest or external user types, optionally limited to some tenants. */
export interface PlainGuestsOrExternalUsers {
  guestOrExternalUserTypes: string[];
  externalTenants?: { membershipKind: string; members?: string[] }[];
}

/** Whom a Conditional Access policy includes and excludes: users, groups, roles, guests. */
export interface PlainUsersCondition {
  includedUsers?: string[];
  excludedUsers?: string[];
  includedGroups?: string[];
  excludedGroups?: string[];
  includedRoles?: string[];
  excludedRoles?: string[];
  includedGuestsOrExternalUsers?: PlainGuestsOrExternalUsers[];
  excludedGuestsOrExternalUsers?: PlainGuestsOrExternalUsers[];
}

/** A Conditional Access policy as plain data, in the shape of the azuread provider's arguments. */
export interface PlainConditionalAccessPolicy {
  displayName: string;
  state: string;
  conditions: {
    applications: {
      includedApplications?: string[];
      excludedApplications?: string[];
      includedUserActions?: string[];
      filter?: { mode: string; rule: string };
    };
    clientAppTypes: string[];
    users: PlainUsersCondition;
    devices?: { filter: PlainDeviceFilter };
    platforms?: { includedPlatforms: string[]; excludedPlatforms?: string[] };
    locations?: { includedLocations: string[]; excludedLocations?: string[] };
    clientApplications?: { includedServicePrincipals?: string[]; excludedServicePrincipals?: string[] };
    signInRiskLevels?: string[];
    userRiskLevels?: string[];
    servicePrincipalRiskLevels?: string[];
    insiderRiskLevels?: string;
    authenticationFlowTransferMethods?: string[];
  };
  grantControls?: {
    operator: string;
    builtInControls?: string[];
    authenticationStrengthPolicyId?: string;
    customAuthenticationFactors?: string[];
    termsOfUses?: string[];
  };
  sessionControls?: Record<string, unknown>;
}
