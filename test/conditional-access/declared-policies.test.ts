/**
 * The policies a stack declares, of both kinds, in the Graph shape; and how whatif's evaluator
 * reads a Graph policy: what it models, and "not enough information" for what it does not.
 */
import {
  InventoryTally,
  Outcome,
  declaredConditionalAccessPolicies,
  evaluateDevice,
  compilePolicy,
  evaluatedPolicyFromGraph,
  notModelledConditions,
  type InventoryDevice,
} from "../../components";
import { COMPONENT_TYPE_TOKENS, PLUGIN_RESOURCE_TYPE_TOKENS, PROVIDER_TYPE_TOKENS } from "../../components/common/type-tokens";

const BREAK_GLASS = "0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b02";

describe("declaredConditionalAccessPolicies", () => {
  it("returns azuread and Graph-native policies in the Graph shape, with kind, name, URN and the emergency-access ids", () => {
    const r = declaredConditionalAccessPolicies([
      { type: COMPONENT_TYPE_TOKENS.CorporateDeviceAccess, name: "corp", urn: "urn:corp", plainInputs: { emergencyAccess: { userIds: [BREAK_GLASS], groupIds: ["g1"] } } },
      {
        type: PROVIDER_TYPE_TOKENS.ConditionalAccessPolicy,
        name: "corp-untrusted",
        urn: "urn:a",
        plainInputs: {
          displayName: "Block untrusted",
          state: "enabled",
          conditions: { applications: { includedApplications: ["Office365"] }, users: { includedUsers: ["All"], excludedUsers: [BREAK_GLASS] }, clientAppTypes: ["all"] },
          grantControls: { operator: "OR", builtInControls: ["block"] },
        },
      },
      {
        type: PLUGIN_RESOURCE_TYPE_TOKENS.ConditionalAccessPolicy,
        name: "agents",
        urn: "urn:g",
        plainInputs: {
          displayName: "Block risky agents",
          policy: { displayName: "Block risky agents", state: "enabled", conditions: { agentIdRiskLevels: "high", users: { includeUsers: ["All"] } }, grantControls: { operator: "OR", builtInControls: ["block"] } },
          emergencyAccess: { userIds: [BREAK_GLASS, "u2"], groupIds: [] },
        },
      },
      { type: "azure-native:dns:RecordSet", name: "dns", plainInputs: {} },
    ]);
    expect(r.policies.map((p) => [p.kind, p.name, p.urn, p.graph.displayName])).toEqual([
      ["azuread", "corp-untrusted", "urn:a", "Block untrusted"],
      ["graph", "agents", "urn:g", "Block risky agents"],
    ]);
    expect((r.policies[0].graph.conditions as { users: unknown }).users).toEqual({ includeUsers: ["All"], excludeUsers: [BREAK_GLASS] });
    expect(r.emergencyAccess).toEqual({ userIds: [BREAK_GLASS, "u2"], groupIds: ["g1"] });
  });
});

describe("a Graph policy as whatif reads it", () => {
  const block = { operator: "OR", builtInControls: ["block"] };
  const users = { includeUsers: ["All"] };
  const apps = { includeApplications: ["All"] };
  const joined: InventoryDevice = { trustType: "AzureAd", operatingSystem: "Windows" };
  const personal: InventoryDevice = { trustType: "Workplace", operatingSystem: "iOS" };

  it("names the conditions it does not model; the assumed and evaluated ones are not named", () => {
    expect(
      notModelledConditions({
        conditions: {
          users,
          applications: { ...apps, applicationFilter: { mode: "include", rule: "x" }, includeAuthenticationContextClassReferences: ["c1"] },
          clientAppTypes: ["all"],
          locations: { includeLocations: ["All"] },
          signInRiskLevels: ["high"],
          platforms: { includePlatforms: ["all"] },
          devices: { deviceFilter: { mode: "include", rule: 'device.trustType -eq "Workplace"' } },
          insiderRiskLevels: "elevated",
          authenticationFlows: { transferMethods: "deviceCodeFlow" },
          networks: { includeNetworks: ["all"] },
          agentIdRiskLevels: "high",
          servicePrincipalRiskLevels: [],
          someConditionOfNextMonth: { on: true },
        },
      }),
    ).toEqual([
      "applications.applicationFilter",
      "applications.includeAuthenticationContextClassReferences",
      "insiderRiskLevels",
      "authenticationFlows",
      "networks",
      "agentIdRiskLevels",
      "someConditionOfNextMonth",
    ]);
  });

  it("a block with an unmodelled condition is not enough information, unless a modelled policy blocks anyway", () => {
    const risky = evaluatedPolicyFromGraph({ displayName: "risky", state: "enabled", conditions: { users, applications: apps, insiderRiskLevels: "elevated" }, grantControls: block });
    const notJoined = evaluatedPolicyFromGraph({
      displayName: "not joined",
      state: "enabled",
      conditions: { users, applications: apps, devices: { deviceFilter: { mode: "exclude", rule: 'device.trustType -eq "AzureAD"' } } },
      grantControls: block,
    });
    const compiled = [risky, notJoined].map(compilePolicy);
    expect(evaluateDevice(compiled, joined)).toMatchObject({ applying: ["risky"], outcome: Outcome.Unknown });
    expect(evaluateDevice(compiled, personal)).toMatchObject({ applying: ["risky", "not joined"], outcome: Outcome.Block });
    expect(evaluateDevice(compiled, null).outcome).toBe(Outcome.Block);
  });

  it("report-only with an unmodelled condition: allowed today, not enough information once enforced; session-only never decides", () => {
    const ro = evaluatedPolicyFromGraph({ displayName: "ro", state: "enabledForReportingButNotEnforced", conditions: { users, applications: apps, authenticationFlows: { transferMethods: "deviceCodeFlow" } }, grantControls: { operator: "OR", builtInControls: ["mfa"] } });
    const session = evaluatedPolicyFromGraph({ displayName: "session", state: "enabled", conditions: { users, applications: apps, networks: { includeNetworks: ["all"] } }, sessionControls: { signInFrequency: { isEnabled: true, value: 1, type: "hours" } } });
    const policies = [ro, session];
    const r = evaluateDevice(policies.map(compilePolicy), joined);
    expect(r).toEqual({ applying: ["ro", "session"], outcome: Outcome.Allow, controls: [], outcomeIfReportOnlyEnforced: Outcome.Unknown });
    // The streamed tally gives the same answers and counts them.
    const tally = new InventoryTally(policies);
    tally.add(joined);
    expect(tally.result()).toEqual(r);
    expect(tally.totals).toMatchObject({ devices: 1, allow: 1, unknown: 0, unknownIfReportOnlyEnforced: 1 });
    expect(tally.policies()).toEqual([
      { name: "ro", state: "enabledForReportingButNotEnforced", devicesApplied: 1, notModelled: ["authenticationFlows"] },
      { name: "session", state: "enabled", devicesApplied: 1, notModelled: ["networks"] },
    ]);
  });

  it("keeps the modelled dimensions: platforms, device filter, grant controls with authentication strength", () => {
    const p = evaluatedPolicyFromGraph({
      displayName: "mfa",
      state: "enabled",
      conditions: { users, applications: apps, platforms: { includePlatforms: ["iOS", "android"] } },
      grantControls: { operator: "AND", builtInControls: ["compliantDevice"], authenticationStrength: { id: "00000000-0000-0000-0000-000000000002" } },
    });
    expect(p.notModelled).toEqual([]);
    const compiled = [compilePolicy(p)];
    expect(evaluateDevice(compiled, personal)).toMatchObject({ outcome: Outcome.Grant, controls: ["compliantDevice AND authenticationStrength"] });
    expect(evaluateDevice(compiled, joined)).toMatchObject({ applying: [], outcome: Outcome.Allow });
  });
});
