/**
 * The policy pack applies its Conditional Access checks to the Graph-native ConditionalAccessPolicy
 * (a dynamic resource whose Graph payload is its `policy` input) as it does to the azuread resource.
 */
import {
  GRAPH_CA_POLICY_TYPE,
  caBlockAllWithoutExclusions,
  caEnabledExcludesEmergencyAccess,
  caPolicyView,
  corporateDevicePolicyEnforcedInProd,
} from "../../policies/policies";
import { normaliseConditionalAccessPolicy, type PlainGraphConditionalAccessPolicyArgs } from "../../components/conditional-access/graph-policy/normalise";
import { validateResource, validateStack, type ResourceSpec } from "./harness";

const BREAK_GLASS_GROUP = "0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b02";
const RULE = 'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"';

/** The inputs the Graph-native resource records, built by its own normaliser. */
function graphPolicy(args: Partial<PlainGraphConditionalAccessPolicyArgs>, name = "ctx-policy", stack = "prod"): ResourceSpec {
  const { value, problems } = normaliseConditionalAccessPolicy({
    displayName: "Authentication context c1",
    conditions: { applications: { includeApplications: ["All"] }, users: { includeUsers: ["All"] } },
    grantControls: { operator: "OR", builtInControls: ["block"] },
    ...args,
  } as PlainGraphConditionalAccessPolicyArgs);
  expect(problems).toEqual([]);
  return {
    type: GRAPH_CA_POLICY_TYPE,
    name,
    stack,
    props: { graphEndpoint: "https://graph.microsoft.com", displayName: value!.displayName, policy: value!.policy, apiVersion: value!.apiVersion, adoptExisting: false, emergencyAccess: value!.emergencyAccess },
  };
}

describe("the pack reads the Graph-native policy", () => {
  it("caPolicyView gives the same view for Graph names (includeUsers, deviceFilter) as for the provider's", () => {
    const spec = graphPolicy({ state: "enabled", emergencyAccess: { groupIds: [BREAK_GLASS_GROUP] }, conditions: { applications: { includeApplications: ["All"] }, users: { includeUsers: ["All"] }, devices: { deviceFilter: { mode: "include", rule: RULE } } } });
    expect(caPolicyView(spec.type, spec.props)).toEqual({
      kind: "graph",
      displayName: "Authentication context c1",
      state: "enabled",
      includedUsers: ["All"],
      excludedUsers: [],
      excludedGroups: [BREAK_GLASS_GROUP],
      excludedRoles: [],
      includedApplications: ["All"],
      builtInControls: ["block"],
      deviceRule: RULE,
    });
  });
});

describe("ca-enabled-policy-excludes-emergency-access on Graph-native policies", () => {
  it("passes an enabled policy whose break-glass group the policy config names", async () => {
    const spec = graphPolicy({ state: "enabled", emergencyAccess: { groupIds: [BREAK_GLASS_GROUP] } });
    expect(await validateStack(caEnabledExcludesEmergencyAccess, [spec], { emergencyAccessGroupIds: [BREAK_GLASS_GROUP] })).toEqual([]);
  });

  it("learns the break-glass group from the resource's emergencyAccess and reports an enabled policy that excludes another group", async () => {
    const declared = graphPolicy({ state: "enabled", emergencyAccess: { groupIds: [BREAK_GLASS_GROUP] } }, "declares-break-glass");
    const other = graphPolicy({ displayName: "Legacy auth", state: "enabled", conditions: { applications: { includeApplications: ["All"] }, users: { includeUsers: ["All"], excludeGroups: ["11111111-2222-4333-8444-555555555555"] } } }, "legacy-auth");
    const v = await validateStack(caEnabledExcludesEmergencyAccess, [declared, other], {});
    expect(v.map((x) => x.message)).toEqual([
      expect.stringMatching(/^Conditional Access policy "Legacy auth" \(legacy-auth\) is enabled but excludes none of the tenant's emergency-access .*0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b02 \(ConditionalAccessPolicy "declares-break-glass" emergencyAccess\.groupIds\).*Fix: exclude one of them from the policy \(ConditionalAccessPolicy emergencyAccess/),
    ]);
  });
});

describe("corporate-device-policy-enforced-in-prod on Graph-native policies", () => {
  it("reports a report-only Graph-native policy with a trustType device filter in prod, and passes it enabled", async () => {
    const devices = { applications: { includeApplications: ["All"] }, users: { includeUsers: ["All"] }, devices: { deviceFilter: { mode: "include", rule: RULE } } };
    const reportOnly = await validateResource(corporateDevicePolicyEnforcedInProd, graphPolicy({ conditions: devices }));
    expect(reportOnly.map((x) => x.message)).toEqual([expect.stringMatching(/^Conditional Access policy "Authentication context c1" \(ctx-policy\) is "enabledForReportingButNotEnforced" in production stack "prod"/)]);
    expect(await validateResource(corporateDevicePolicyEnforcedInProd, graphPolicy({ state: "enabled", emergencyAccess: { groupIds: [BREAK_GLASS_GROUP] }, conditions: devices }))).toEqual([]);
  });
});

describe("ca-block-all-without-exclusions on Graph-native policies", () => {
  it("reports a report-only policy that blocks all users on all applications with no exclusion, and passes one with a break-glass exclusion", async () => {
    expect((await validateResource(caBlockAllWithoutExclusions, graphPolicy({}))).map((x) => x.message)).toEqual([expect.stringMatching(/blocks all users on all applications and excludes nobody/)]);
    expect(await validateResource(caBlockAllWithoutExclusions, graphPolicy({ emergencyAccess: { groupIds: [BREAK_GLASS_GROUP] } }))).toEqual([]);
  });
});
