/**
 * Graph-native Conditional Access figures, counted at a fake Graph on 127.0.0.1 (no Microsoft
 * endpoint) that stores policies as Graph does (ids reordered and upper-cased, defaults added,
 * `@odata` annotations, guest types as one comma string):
 * - graph_ca_http_calls_noop: requests made by a refresh and a diff (update only when diff reports
 *   changes, as the engine drives the provider) for 3 unchanged policies: one on v1.0 with a device
 *   filter and guests, one with authentication context and token protection, one on beta
 *   (continuous access evaluation). Target: one read per policy.
 * - graph_ca_http_writes_noop: the writes among them. Target: 0.
 * - graph_ca_http_calls_create: requests to create the 3 policies (name look-up, POST).
 */
import { graphPolicyProvider as provider, type GraphPolicyInputs, type GraphPolicyOutputs } from "../components/conditional-access/graph-policy/graph-provider";
import { normaliseConditionalAccessPolicy, type PlainGraphConditionalAccessPolicyArgs } from "../components/conditional-access/graph-policy/normalise";
import { startFakeCaGraph } from "../test/conditional-access/graph-policy/fake-graph-ca";

const BREAK_GLASS = "0b0b0b0b-0000-4000-8000-000000000001";

export const BENCH_POLICIES: PlainGraphConditionalAccessPolicyArgs[] = [
  {
    displayName: "bench - corporate devices, guests excluded",
    state: "enabled",
    conditions: {
      applications: { includeApplications: ["00000003-0000-0ff1-ce00-000000000000", "Office365"] },
      users: { includeUsers: ["All"], excludeGuestsOrExternalUsers: { guestOrExternalUserTypes: "internalGuest,b2bCollaborationGuest" as never, externalTenants: { membershipKind: "all" } } },
      clientAppTypes: ["browser", "mobileAppsAndDesktopClients"],
      devices: { deviceFilter: { mode: "include", rule: 'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"' } },
    },
    grantControls: { operator: "OR", builtInControls: ["block"] },
    emergencyAccess: { groupIds: [BREAK_GLASS] },
  },
  {
    displayName: "bench - authentication context with token protection",
    state: "enabled",
    conditions: { applications: { includeAuthenticationContextClassReferences: ["c1"] }, users: { includeUsers: ["All"] }, platforms: { includePlatforms: ["windows"] } },
    grantControls: { operator: "AND", builtInControls: ["mfa", "compliantDevice"] },
    sessionControls: { secureSignInSession: { isEnabled: true }, signInFrequency: { isEnabled: true, type: "hours", value: 4 } },
    emergencyAccess: { groupIds: [BREAK_GLASS] },
  },
  {
    displayName: "bench - strict location enforcement (beta)",
    conditions: { applications: { includeApplications: ["All"] }, users: { includeUsers: ["All"] } },
    sessionControls: { continuousAccessEvaluation: { mode: "strictLocation" } },
  },
];

export async function run(): Promise<Record<string, unknown>> {
  const g = await startFakeCaGraph();
  try {
    const inputs: GraphPolicyInputs[] = BENCH_POLICIES.map((a) => {
      const { value, problems } = normaliseConditionalAccessPolicy(a);
      if (!value) throw new Error(`bench policy refused: ${problems.map((p) => p.problem).join("; ")}`);
      return { graphEndpoint: g.url, displayName: value.displayName, policy: value.policy, apiVersion: value.apiVersion };
    });
    const states: { id: string; outs: GraphPolicyOutputs }[] = [];
    for (const i of inputs) {
      const created = await provider.create(i);
      states.push({ id: created.id, outs: created.outs as GraphPolicyOutputs });
    }
    const createCalls = g.requests.length;

    g.requests.length = 0;
    for (const [n, s] of states.entries()) {
      const olds = (await provider.read!(s.id, s.outs)).props as GraphPolicyOutputs;
      const diff = await provider.diff!(s.id, olds, inputs[n]);
      if (diff.changes) await provider.update!(s.id, olds, inputs[n]);
    }
    return {
      graph_ca_http_calls_noop: g.requests.length,
      graph_ca_http_writes_noop: g.requests.filter((r) => r.method !== "GET").length,
      graph_ca_http_calls_create: createCalls,
    };
  } finally {
    await g.close();
  }
}
