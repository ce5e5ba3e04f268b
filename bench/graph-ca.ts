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
 * - import_ca_policies_per_sec: import-ca (in process) on a generated 1,000-policy `{ value }`
 *   export: the repository's fixture policies that import, each repeated with its own id and display
 *   name, so about a third are Graph-native (settings azuread cannot express) and the rest azuread;
 *   import_ca_bench_graph_native / _azuread / _refused count the kinds (refused must be 0).
 */
import { graphPolicyProvider as provider, type GraphPolicyInputs, type GraphPolicyOutputs } from "../components/conditional-access/graph-policy/graph-provider";
import { normaliseConditionalAccessPolicy, type PlainGraphConditionalAccessPolicyArgs } from "../components/conditional-access/graph-policy/normalise";
import { startFakeCaGraph } from "../test/conditional-access/graph-policy/fake-graph-ca";
import * as fs from "node:fs";
import { importConditionalAccessPolicies } from "../components/conditional-access/import";
import { conditionalAccessFixtures } from "./fixtures";
import { medianMs } from "./util";

const EXPORT_POLICIES = 1000;

type Json = Record<string, unknown>;

function exportItems(json: unknown): Json[] {
  if (Array.isArray(json)) return json.flatMap(exportItems);
  if (json && typeof json === "object" && Array.isArray((json as Json).value)) return exportItems((json as Json).value);
  return json && typeof json === "object" && "conditions" in json ? [json as Json] : [];
}

/** A 1,000-policy export: the repository's importable fixture policies, Graph-only ones weighted to about a third. */
function generatedExport(): unknown {
  const all = conditionalAccessFixtures("repository").flatMap((f) => exportItems(JSON.parse(fs.readFileSync(f.path, "utf8").replace(/^\uFEFF/, "")) as unknown));
  const importable = all.filter((p) => importConditionalAccessPolicies([p]).errors.length === 0);
  const graphOnly = importable.filter((p) => importConditionalAccessPolicies([p]).policies[0]?.kind === "graph");
  const others = importable.filter((p) => !graphOnly.includes(p));
  return {
    value: Array.from({ length: EXPORT_POLICIES }, (_, i) => {
      const base = i % 3 === 0 ? graphOnly[(i / 3) % graphOnly.length] : others[i % others.length];
      return { ...base, id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, displayName: `${String(base.displayName ?? "policy").trim()} #${i}` };
    }),
  };
}

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
    const figures = {
      graph_ca_http_calls_noop: g.requests.length,
      graph_ca_http_writes_noop: g.requests.filter((r) => r.method !== "GET").length,
      graph_ca_http_calls_create: createCalls,
    };
    const text = JSON.stringify(generatedExport());
    const once = importConditionalAccessPolicies(text);
    const ms = await medianMs(5, () => importConditionalAccessPolicies(text));
    return {
      ...figures,
      import_ca_policies_per_sec: Math.round(EXPORT_POLICIES / (ms / 1000)),
      import_ca_bench_graph_native: once.policies.filter((p) => p.kind === "graph").length,
      import_ca_bench_azuread: once.policies.filter((p) => p.kind !== "graph").length,
      import_ca_bench_refused: once.errors.length,
    };
  } finally {
    await g.close();
  }
}
