/**
 * Graph-shaped Conditional Access policies for replay tests and benchmarks: realistic ones (the
 * kinds tenants run) and random ones over every condition, deterministic per seed.
 */
import type { ReplayPolicy } from "../../components/conditional-access/replay";
import { pick } from "../../bench/util";
import { BREAK_GLASS_IDS, PARTNER_TENANT_ID } from "./signin-generator";

export const GROUP_IDS = ["0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b02", "1c2d3e4f-0000-4000-8000-000000000001", "2d3e4f50-0000-4000-8000-000000000002"];
export const ROLE_IDS = ["62e90394-69f5-4237-9190-012177145e10", "194ae4cb-b126-40b2-bd5b-6091b380977d"];
export const LOCATION_IDS = ["aa000000-0000-4000-8000-000000000001", "aa000000-0000-4000-8000-000000000002"];

/** The Graph namedLocations export the property tests read: LOCATION_IDS[0] a trusted IP range, [1] two countries and unknown ones. */
export const TEST_NAMED_LOCATIONS = {
  value: [
    { "@odata.type": "#microsoft.graph.ipNamedLocation", id: LOCATION_IDS[0], isTrusted: true, ipRanges: [{ cidrAddress: "203.0.113.0/25" }, { cidrAddress: "2001:db8:10::/64" }] },
    { "@odata.type": "#microsoft.graph.countryNamedLocation", id: LOCATION_IDS[1], countriesAndRegions: ["DE", "US"], includeUnknownCountriesAndRegions: true },
  ],
};
const APPS = ["All", "Office365", "MicrosoftAdminPortals", "00000002-0000-0ff1-ce00-000000000000", "797f4846-ba00-4fd7-ba43-dac1f8f63013", "9b2c4d6e-1111-4222-8333-444455556666"];
const RULES = [
  'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"',
  'device.trustType -eq "AzureAD" -or device.trustType -eq "ServerAD"',
  "device.isCompliant -eq True",
  'device.trustType -eq "Workplace"',
  'device.extensionAttribute1 -eq "SAW"',
  'device.displayName -startsWith "PC-1"',
];

/** The CorporateDeviceAccess block policy as Graph JSON: Office 365 from trusted Windows devices only. */
export function corporateDevicePolicy(state = "enabledForReportingButNotEnforced", name = "Office 365 from corporate Windows devices"): ReplayPolicy {
  return {
    displayName: name,
    state: state as ReplayPolicy["state"],
    conditions: {
      users: { includeUsers: ["All"], excludeUsers: [...BREAK_GLASS_IDS], excludeGroups: [GROUP_IDS[0]] },
      applications: { includeApplications: ["Office365"] },
      clientAppTypes: ["all"],
      devices: { deviceFilter: { mode: "include", rule: RULES[0] } },
    },
    grantControls: { operator: "OR", builtInControls: ["block"] },
  };
}

/** Realistic policies: legacy auth block, guest MFA, admin MFA, risky sign-in block, country block, device block... */
export function realisticPolicies(): ReplayPolicy[] {
  const ro = "enabledForReportingButNotEnforced" as ReplayPolicy["state"];
  return [
    corporateDevicePolicy(),
    { displayName: "Block legacy authentication", state: "enabled", conditions: { users: { includeUsers: ["All"], excludeUsers: [BREAK_GLASS_IDS[0]] }, applications: { includeApplications: ["All"] }, clientAppTypes: ["exchangeActiveSync", "other"] }, grantControls: { operator: "OR", builtInControls: ["block"] } },
    { displayName: "Guests require MFA", state: "enabled", conditions: { users: { includeGuestsOrExternalUsers: { guestOrExternalUserTypes: "internalGuest,b2bCollaborationGuest,b2bCollaborationMember" as never, externalTenants: { membershipKind: "all" } } }, applications: { includeApplications: ["All"] }, clientAppTypes: ["all"] }, grantControls: { operator: "OR", builtInControls: ["mfa"] } },
    { displayName: "Admins require compliant device and MFA", state: ro, conditions: { users: { includeRoles: [...ROLE_IDS], excludeUsers: [...BREAK_GLASS_IDS] }, applications: { includeApplications: ["All"] }, clientAppTypes: ["all"] }, grantControls: { operator: "AND", builtInControls: ["mfa", "compliantDevice"] } },
    { displayName: "Block high sign-in risk", state: ro, conditions: { users: { includeUsers: ["All"] }, applications: { includeApplications: ["All"] }, clientAppTypes: ["all"], signInRiskLevels: ["high"] }, grantControls: { operator: "OR", builtInControls: ["block"] } },
    { displayName: "Block outside allowed countries", state: ro, conditions: { users: { includeUsers: ["All"] }, applications: { includeApplications: ["All"] }, clientAppTypes: ["all"], locations: { includeLocations: ["All"], excludeLocations: [LOCATION_IDS[1], "AllTrusted"] } }, grantControls: { operator: "OR", builtInControls: ["block"] } },
    { displayName: "Block device code flow", state: ro, conditions: { users: { includeUsers: ["All"] }, applications: { includeApplications: ["All"] }, clientAppTypes: ["all"], authenticationFlows: { transferMethods: "deviceCodeFlow" as never } }, grantControls: { operator: "OR", builtInControls: ["block"] } },
    { displayName: "Azure management from compliant or hybrid devices", state: ro, conditions: { users: { includeUsers: ["All"], excludeGroups: [GROUP_IDS[0]] }, applications: { includeApplications: ["797f4846-ba00-4fd7-ba43-dac1f8f63013"] }, clientAppTypes: ["all"], platforms: { includePlatforms: ["all"], excludePlatforms: ["iOS", "android"] } }, grantControls: { operator: "OR", builtInControls: ["compliantDevice", "domainJoinedDevice"] } },
  ];
}

function some<T>(r: () => number, items: readonly T[], max = 2): T[] {
  const n = Math.floor(r() * (max + 1));
  return [...new Set(Array.from({ length: n }, () => pick(r, items)))];
}

/** A random policy over every condition the evaluator models (and sometimes one it does not). */
export function randomPolicy(r: () => number, i: number, userIds: readonly string[]): ReplayPolicy {
  const users: Record<string, unknown> = {};
  const u = r();
  if (u < 0.5) users.includeUsers = ["All"];
  else if (u < 0.6) users.includeUsers = ["None"];
  else if (u < 0.7) users.includeUsers = ["GuestsOrExternalUsers"];
  else if (u < 0.8) users.includeUsers = some(r, userIds, 3);
  else if (u < 0.9) users.includeGroups = some(r, GROUP_IDS);
  else users.includeRoles = some(r, ROLE_IDS);
  if (r() < 0.3) users.excludeUsers = some(r, [...userIds.slice(0, 5), ...BREAK_GLASS_IDS]);
  if (r() < 0.2) users.excludeGroups = some(r, GROUP_IDS);
  if (r() < 0.15) users.includeGuestsOrExternalUsers = { guestOrExternalUserTypes: some(r, ["internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember", "b2bDirectConnectUser"], 3).join(",") || "b2bCollaborationGuest", externalTenants: r() < 0.5 ? { membershipKind: "all" } : { membershipKind: "enumerated", members: [PARTNER_TENANT_ID] } };
  if (r() < 0.1) users.excludeGuestsOrExternalUsers = { guestOrExternalUserTypes: "b2bCollaborationGuest", externalTenants: { membershipKind: "all" } };
  const conditions: Record<string, unknown> = {
    users,
    applications: r() < 0.08 ? { includeUserActions: ["urn:user:registersecurityinfo"] } : r() < 0.05 ? { includeAuthenticationContextClassReferences: ["c1"] } : { includeApplications: some(r, APPS, 2).length ? some(r, APPS, 2) : ["All"], ...(r() < 0.2 ? { excludeApplications: some(r, APPS.slice(2)) } : {}) },
    clientAppTypes: r() < 0.5 ? ["all"] : some(r, ["browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "other"], 3),
  };
  if ((conditions.applications as { includeApplications?: string[] }).includeApplications?.length === 0) (conditions.applications as { includeApplications: string[] }).includeApplications = ["All"];
  if (r() < 0.3) conditions.platforms = { includePlatforms: r() < 0.5 ? ["all"] : some(r, ["windows", "iOS", "android", "macOS", "linux"], 3), excludePlatforms: some(r, ["windows", "iOS", "android", "macOS"], 1) };
  if (r() < 0.25) conditions.locations = { includeLocations: r() < 0.5 ? ["All"] : some(r, [...LOCATION_IDS, "AllTrusted"], 2), excludeLocations: some(r, [...LOCATION_IDS, "AllTrusted"], 1) };
  if (r() < 0.15) conditions.signInRiskLevels = some(r, ["low", "medium", "high", "none"], 2);
  if (r() < 0.08) conditions.userRiskLevels = ["high"];
  if (r() < 0.1) conditions.authenticationFlows = { transferMethods: pick(r, ["deviceCodeFlow", "authenticationTransfer", "deviceCodeFlow,authenticationTransfer"]) };
  if (r() < 0.4) conditions.devices = { deviceFilter: { mode: r() < 0.7 ? "include" : "exclude", rule: pick(r, RULES) } };
  if (r() < 0.03) conditions.insiderRiskLevels = "elevated";
  const g = r();
  const grantControls =
    g < 0.45
      ? { operator: "OR", builtInControls: ["block"] }
      : g < 0.85
        ? { operator: r() < 0.5 ? "AND" : "OR", builtInControls: some(r, ["mfa", "compliantDevice", "domainJoinedDevice"], 2).length ? some(r, ["mfa", "compliantDevice", "domainJoinedDevice"], 2) : ["mfa"] }
        : g < 0.95
          ? { operator: "OR", authenticationStrength: { id: "00000000-0000-0000-0000-000000000002" } }
          : undefined;
  return {
    displayName: `random policy ${i}`,
    state: pick(r, ["enabled", "enabledForReportingButNotEnforced", "enabled"]) as ReplayPolicy["state"],
    conditions: conditions as ReplayPolicy["conditions"],
    ...(grantControls ? { grantControls: grantControls as ReplayPolicy["grantControls"] } : { sessionControls: { signInFrequency: { isEnabled: true, value: 1, type: "hours" } } as ReplayPolicy["sessionControls"] }),
  };
}
