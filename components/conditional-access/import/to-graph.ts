/**
 * azuread args -> Graph JSON (v1.0 shape, only what is set): the reverse of the import, for round trips.
 */
import type { PlainConditionalAccessPolicy, PlainGuestsOrExternalUsers } from "../policy-shape";
import { type Json, compact } from "./fields";
import { AUTHENTICATION_STRENGTH_PREFIX } from "./import";

export function guestsToGraph(list: PlainGuestsOrExternalUsers[] | undefined): Json | undefined {
  const g = list?.[0];
  if (!g) return undefined;
  const tenants = g.externalTenants?.[0];
  return compact({
    guestOrExternalUserTypes: g.guestOrExternalUserTypes.join(","),
    externalTenants: tenants
      ? compact({
          "@odata.type": tenants.membershipKind === "enumerated" ? "#microsoft.graph.conditionalAccessEnumeratedExternalTenants" : "#microsoft.graph.conditionalAccessAllExternalTenants",
          membershipKind: tenants.membershipKind,
          members: tenants.members,
        })
      : undefined,
  });
}

/** The Graph `conditionalAccessPolicy` body for azuread args: the inverse of the import. */
export function toGraphPolicy(plain: PlainConditionalAccessPolicy): Record<string, unknown> {
  const c = plain.conditions;
  const u = c.users;
  const s = plain.sessionControls as Record<string, unknown> | undefined;
  const g = plain.grantControls;
  return compact({
    displayName: plain.displayName,
    state: plain.state,
    conditions: compact({
      applications: compact({
        includeApplications: c.applications.includedApplications,
        excludeApplications: c.applications.excludedApplications,
        includeUserActions: c.applications.includedUserActions,
        applicationFilter: c.applications.filter,
      }),
      users: compact({
        includeUsers: u.includedUsers,
        excludeUsers: u.excludedUsers,
        includeGroups: u.includedGroups,
        excludeGroups: u.excludedGroups,
        includeRoles: u.includedRoles,
        excludeRoles: u.excludedRoles,
        includeGuestsOrExternalUsers: guestsToGraph(u.includedGuestsOrExternalUsers),
        excludeGuestsOrExternalUsers: guestsToGraph(u.excludedGuestsOrExternalUsers),
      }),
      clientAppTypes: c.clientAppTypes,
      platforms: c.platforms ? compact({ includePlatforms: c.platforms.includedPlatforms, excludePlatforms: c.platforms.excludedPlatforms }) : undefined,
      locations: c.locations ? compact({ includeLocations: c.locations.includedLocations, excludeLocations: c.locations.excludedLocations }) : undefined,
      devices: c.devices ? { deviceFilter: { mode: c.devices.filter.mode, rule: c.devices.filter.rule } } : undefined,
      clientApplications: c.clientApplications
        ? compact({ includeServicePrincipals: c.clientApplications.includedServicePrincipals, excludeServicePrincipals: c.clientApplications.excludedServicePrincipals })
        : undefined,
      signInRiskLevels: c.signInRiskLevels,
      userRiskLevels: c.userRiskLevels,
      servicePrincipalRiskLevels: c.servicePrincipalRiskLevels,
      insiderRiskLevels: c.insiderRiskLevels,
      authenticationFlows: c.authenticationFlowTransferMethods ? { transferMethods: c.authenticationFlowTransferMethods.join(",") } : undefined,
    }),
    grantControls: g
      ? compact({
          operator: g.operator,
          builtInControls: g.builtInControls,
          customAuthenticationFactors: g.customAuthenticationFactors,
          termsOfUse: g.termsOfUses,
          authenticationStrength: g.authenticationStrengthPolicyId ? { id: g.authenticationStrengthPolicyId.slice(AUTHENTICATION_STRENGTH_PREFIX.length) } : undefined,
        })
      : undefined,
    sessionControls: s
      ? compact({
          applicationEnforcedRestrictions: s.applicationEnforcedRestrictionsEnabled ? { isEnabled: true } : undefined,
          cloudAppSecurity: s.cloudAppSecurityPolicy ? { isEnabled: true, cloudAppSecurityType: s.cloudAppSecurityPolicy } : undefined,
          persistentBrowser: s.persistentBrowserMode ? { isEnabled: true, mode: s.persistentBrowserMode } : undefined,
          signInFrequency:
            s.signInFrequency !== undefined || s.signInFrequencyInterval !== undefined
              ? compact({
                  isEnabled: true,
                  value: s.signInFrequency,
                  type: s.signInFrequencyPeriod,
                  frequencyInterval: s.signInFrequencyInterval,
                  authenticationType: s.signInFrequencyAuthenticationType,
                })
              : undefined,
          disableResilienceDefaults: s.disableResilienceDefaults === true ? true : undefined,
        })
      : undefined,
  });
}
