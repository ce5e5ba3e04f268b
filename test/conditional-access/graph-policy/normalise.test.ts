/**
 * normaliseConditionalAccessPolicy: the preview-time safety of the Graph-native policy, and the
 * canonical form its diff compares.
 */
import * as pulumi from "@pulumi/pulumi";
import { normaliseConditionalAccessPolicy, type PlainGraphConditionalAccessPolicyArgs } from "../../../components/conditional-access/graph-policy/normalise";
import { canonicalPolicy, policyDifferences } from "../../../components/conditional-access/graph-policy/shape";
import { ConditionalAccessPolicy } from "../../../components";
import { GuardrailInputError } from "../../../components/errors";
import { PLUGIN_RESOURCE_TYPE_TOKENS } from "../../../components/common/type-tokens";

const BREAK_GLASS = "0b0b0b0b-0000-4000-8000-000000000001";

function base(over: Partial<PlainGraphConditionalAccessPolicyArgs> = {}): PlainGraphConditionalAccessPolicyArgs {
  return {
    displayName: "Block legacy authentication",
    conditions: { applications: { includeApplications: ["All"] }, users: { includeUsers: ["All"] }, clientAppTypes: ["exchangeActiveSync", "other"] },
    grantControls: { operator: "OR", builtInControls: ["block"] },
    ...over,
  };
}

describe("normaliseConditionalAccessPolicy", () => {
  it("is report-only by default, fills clientAppTypes, and uses v1.0", () => {
    const { value, problems } = normaliseConditionalAccessPolicy(base({ conditions: { applications: { includeApplications: ["All"] }, users: { includeUsers: ["All"] } } }));
    expect(problems).toEqual([]);
    expect(value!.state).toBe("enabledForReportingButNotEnforced");
    expect(value!.policy.state).toBe("enabledForReportingButNotEnforced");
    expect(value!.policy.conditions!.clientAppTypes).toEqual(["all"]);
    expect(value!.apiVersion).toBe("v1.0");
  });

  it("refuses to enable a block of all users without a break-glass exclusion, and accepts it with emergencyAccess", () => {
    const refused = normaliseConditionalAccessPolicy(base({ state: "enabled" }));
    expect(refused.value).toBeUndefined();
    expect(refused.problems).toEqual([
      expect.objectContaining({ field: "emergencyAccess", problem: expect.stringMatching(/an enabled policy that blocks all users must exclude at least one emergency-access \(break-glass\)/), fix: expect.stringMatching(/emergencyAccess\.userIds or emergencyAccess\.groupIds/) }),
    ]);
    const mfa = normaliseConditionalAccessPolicy(base({ state: "enabled", grantControls: { operator: "OR", builtInControls: ["mfa"] } }));
    expect(mfa.problems[0].problem).toMatch(/requires controls of all users \(mfa\)/);
    const ok = normaliseConditionalAccessPolicy(base({ state: "enabled", emergencyAccess: { groupIds: [BREAK_GLASS] } }));
    expect(ok.problems).toEqual([]);
    expect(ok.value!.policy.conditions!.users!.excludeGroups).toEqual([BREAK_GLASS]);
  });

  it("refuses the legacy device-state condition with a device filter, and gives the equivalent filter otherwise", () => {
    const both = normaliseConditionalAccessPolicy(
      base({ conditions: { ...base().conditions, devices: { includeDevices: ["All"], excludeDevices: ["Compliant"], deviceFilter: { mode: "exclude", rule: "device.isCompliant -eq True" } } as never } }),
    );
    expect(both.problems).toEqual([expect.objectContaining({ field: "conditions.devices.includeDevices", problem: expect.stringMatching(/cannot be combined with a device filter/) })]);
    const legacy = normaliseConditionalAccessPolicy(base({ conditions: { ...base().conditions, devices: { includeDeviceStates: ["All"], excludeDeviceStates: ["DomainJoined"] } as never } }));
    expect(legacy.problems[0].problem).toMatch(/error 1088/);
    expect(legacy.problems[0].fix).toMatch(/deviceFilter \{ mode: "(include|exclude)", rule: .*ServerAD/);
  });

  it("parses every device filter with the device-filter parser", () => {
    const { problems } = normaliseConditionalAccessPolicy(base({ conditions: { ...base().conditions, devices: { deviceFilter: { mode: "include", rule: 'device.trustType -in ["AzureAD"]' } } } }));
    expect(problems).toEqual([expect.objectContaining({ field: "conditions.devices.deviceFilter.rule", problem: expect.stringMatching(/invalid device filter rule at position \d+/) })]);
  });

  it("lists every problem at once, with field, value, problem and fix", () => {
    const { problems } = normaliseConditionalAccessPolicy({ displayName: "", state: "on-ish", conditions: { applications: {}, users: { includeUsers: ["someone"] } } } as PlainGraphConditionalAccessPolicyArgs);
    expect(problems.map((p) => p.field)).toEqual(["displayName", "state", "conditions.applications", "grantControls", "conditions.users.includeUsers[0]"]);
    for (const p of problems) expect(Object.keys(p).sort()).toEqual(["field", "fix", "problem", "value"]);
  });

  it("carries properties it does not know unchanged, and names them", () => {
    const { value } = normaliseConditionalAccessPolicy(base({ conditions: { ...base().conditions, futureCondition: { includeThings: ["x"] } }, futureTopLevel: true }));
    expect(value!.policy.conditions).toMatchObject({ futureCondition: { includeThings: ["x"] } });
    expect(value!.policy.futureTopLevel).toBe(true);
    expect(value!.unknownProperties).toEqual(["conditions.futureCondition", "futureTopLevel"]);
  });

  it("uses beta for beta-only grant controls, and refuses apiVersion v1.0 for them", () => {
    const beta = normaliseConditionalAccessPolicy(base({ grantControls: { operator: "OR", builtInControls: ["RiskRemediation"] } as never }));
    expect(beta.value!.apiVersion).toBe("beta");
    expect(beta.value!.betaProperties).toEqual(["grantControls.builtInControls: riskRemediation"]);
    expect(beta.value!.policy.grantControls!.builtInControls).toEqual(["riskRemediation"]);
    const forced = normaliseConditionalAccessPolicy(base({ apiVersion: "v1.0", grantControls: { operator: "OR", builtInControls: ["riskRemediation"] } as never }));
    expect(forced.problems[0]).toMatchObject({ field: "apiVersion", problem: expect.stringMatching(/exist only in Graph beta/) });
  });
});

describe("canonical form (what the diff compares)", () => {
  it("ignores ordering, casing, defaults, annotations and null vs absent; sees a real change", () => {
    const declared = canonicalPolicy({ displayName: "X", state: "enabled", conditions: { users: { includeGroups: ["AA-1", "bb-2"] }, clientAppTypes: ["browser", "all"] }, grantControls: { operator: "OR", builtInControls: ["mfa"] } });
    const stored = canonicalPolicy({
      "@odata.context": "x",
      id: "1",
      createdDateTime: "t",
      displayName: "X",
      state: "Enabled",
      conditions: { users: { includeGroups: ["BB-2", "aa-1"], excludeUsers: [] }, clientAppTypes: ["all", "browser"], platforms: null },
      grantControls: { operator: "AND", builtInControls: ["mfa"], termsOfUse: [], authenticationStrength: null },
      sessionControls: null,
    });
    expect(policyDifferences(declared, stored)).toEqual([]);
    const changed = canonicalPolicy({ displayName: "X", state: "enabled", conditions: { users: { includeGroups: ["aa-1"] }, clientAppTypes: ["browser", "all"] }, grantControls: { operator: "OR", builtInControls: ["mfa"] } });
    expect(policyDifferences(declared, changed)).toEqual(["conditions.users.includeGroups"]);
  });
});

describe("ConditionalAccessPolicy resource (mocked engine)", () => {
  const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
  beforeAll(() =>
    pulumi.runtime.setMocks(
      {
        newResource: (a) => {
          registered.push({ type: a.type, name: a.name, inputs: a.inputs });
          return { id: `${a.name}-id`, state: a.inputs };
        },
        call: () => ({}),
      },
      "project",
      "stack",
      true,
    ),
  );

  it("registers the plugin's custom resource with the normalised payload and the type token from the table", async () => {
    const p = new ConditionalAccessPolicy("legacy-auth", { ...base(), emergencyAccess: { userIds: [BREAK_GLASS] } } as never);
    await new Promise<void>((resolve) => p.urn.apply(() => resolve()));
    const r = registered.find((x) => x.name === "legacy-auth")!;
    expect(r.type).toBe(PLUGIN_RESOURCE_TYPE_TOKENS.ConditionalAccessPolicy);
    expect(r.type).toBe("tenant-guardrails:conditionalaccess:ConditionalAccessPolicy");
    // A custom resource of the package's plugin: no serialized provider in its inputs.
    expect(r.inputs).not.toHaveProperty("__provider");
    expect(r.inputs).toMatchObject({ displayName: "Block legacy authentication", apiVersion: "v1.0", adoptExisting: false, graphEndpoint: "https://graph.microsoft.com" });
    expect((r.inputs.policy as { state: string }).state).toBe("enabledForReportingButNotEnforced");
  });

  it.each([
    ["plain args", (a: Record<string, unknown>) => a],
    ["args that are outputs", (a: Record<string, unknown>) => ({ ...a, displayName: pulumi.output(a.displayName) })],
  ])("keeps the management args (graphEndpoint, adoptExisting, HTTP limits) out of the Graph payload, and carries an unknown Graph property, with %s", async (label, shape) => {
    const name = `managed-${label.replace(/ /g, "-")}`;
    const args = shape({ ...base(), graphEndpoint: "http://127.0.0.1:1", adoptExisting: true, httpTimeoutMs: 5000, httpDeadlineMs: 20000, futureProperty: { on: true } });
    const p = new ConditionalAccessPolicy(name, args as never);
    await new Promise<void>((resolve) => p.urn.apply(() => resolve()));
    const r = registered.find((x) => x.name === name)!;
    expect(r.inputs).toMatchObject({ graphEndpoint: "http://127.0.0.1:1", adoptExisting: true, httpTimeoutMs: 5000, httpDeadlineMs: 20000 });
    expect(Object.keys(r.inputs.policy as object).sort()).toEqual(["conditions", "displayName", "futureProperty", "grantControls", "state"]);
  });

  it("throws the GuardrailInputError at construction for bad plain args, before anything is registered", () => {
    const before = registered.length;
    expect(() => new ConditionalAccessPolicy("bad", { ...base(), state: "enabled" } as never)).toThrow(GuardrailInputError);
    expect(() => new ConditionalAccessPolicy("bad", { ...base(), state: "enabled" } as never)).toThrow(/ConditionalAccessPolicy "bad" has an invalid input:\n {2}- emergencyAccess = \(not set\): an enabled policy that blocks all users/);
    expect(registered.length).toBe(before);
  });
});
