/**
 * import-ca declares the policies azuread cannot express as the Graph-native ConditionalAccessPolicy
 * (and only those), says why per policy, carries every setting, and the result applies to a fake
 * Graph with no difference on read-back.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { combinedImportFile, importConditionalAccessFiles, importConditionalAccessPolicies } from "../../../components/conditional-access/import";
import { normaliseConditionalAccessPolicy } from "../../../components/conditional-access/graph-policy/normalise";
import { graphPolicyProvider as provider, type GraphPolicyOutputs } from "../../../components/conditional-access/graph-policy/graph-provider";
import { ownFixturesDir } from "../../../bench/fixtures";
import { runCli } from "../../helpers/cli";
import { startFakeCaGraph, type FakeCaGraph } from "../graph-policy/fake-graph-ca";

const FIXTURE = path.join(ownFixturesDir(), "conditional-access", "graph-only-policies.json");
const result = importConditionalAccessPolicies(fs.readFileSync(FIXTURE), "graph-only-policies.json");

describe("graph-only-policies.json", () => {
  it("imports every policy: the one azuread can express as azuread, the nine it cannot as Graph-native, none refused", () => {
    expect(result.errors).toEqual([]);
    expect(result.policies.map((p) => [p.displayName, p.kind, p.apiVersion])).toEqual([
      ["Sensitive actions: require MFA (authentication context c1)", "graph", "v1.0"],
      ["Workload identities: block high service principal risk", "graph", "v1.0"],
      ["Token protection for Exchange and SharePoint on Windows", "graph", "v1.0"],
      ["Strictly enforce location policies (continuous access evaluation)", "graph", "beta"],
      ["High user risk: require risk remediation", "graph", "beta"],
      ["Project Baker apps: require MFA (application filter)", "graph", "v1.0"],
      ["Agents: block high agent risk", "graph", "beta"],
      ["Block access from outside the compliant network (Global Secure Access)", "graph", "beta"],
      ["Moderate or elevated insider risk: block", "graph", "v1.0"],
      ["Block legacy authentication", "resource", undefined],
    ]);
  });

  it("says per policy what azuread cannot express", () => {
    const why = Object.fromEntries(result.policies.filter((p) => p.kind === "graph").map((p) => [p.displayName, p.notes.find((n) => n.code === "graph-native")!.message]));
    expect(why["Workload identities: block high service principal risk"]).toMatch(/cannot express conditions\.users: declared as the Graph-native ConditionalAccessPolicy on Graph v1\.0/);
    expect(why["Token protection for Exchange and SharePoint on Windows"]).toMatch(/cannot express sessionControls\.secureSignInSession/);
    expect(why["High user risk: require risk remediation"]).toMatch(/cannot express grantControls\.builtInControls: .*beta because of grantControls\.builtInControls: riskRemediation/);
    expect(why["Project Baker apps: require MFA (application filter)"]).toMatch(/conditions\.applications\.applicationFilter/);
    expect(why["Block access from outside the compliant network (Global Secure Access)"]).toMatch(/cannot express conditions\.networks/);
  });

  it("never drops a setting: the Graph-native payload is the exported policy minus annotations, read-only fields and empty values", () => {
    const raw = (JSON.parse(fs.readFileSync(FIXTURE, "utf8")) as { value: Record<string, unknown>[] }).value;
    const leaves = (v: unknown, at = ""): string[] =>
      Array.isArray(v)
        ? v.length === 0
          ? []
          : [`${at}=${JSON.stringify([...v].sort())}`]
        : v && typeof v === "object"
          ? Object.entries(v).flatMap(([k, x]) => (k.includes("@") || ["id", "templateId", "createdDateTime", "modifiedDateTime"].includes(k) ? [] : leaves(x, at ? `${at}.${k}` : k)))
          : v === null || v === undefined
            ? []
            : [`${at}=${JSON.stringify(v)}`];
    for (const p of result.policies.filter((x) => x.kind === "graph")) {
      const payload = normaliseConditionalAccessPolicy(p.graph!).value!.policy;
      const sent = new Set(leaves(payload));
      for (const leaf of leaves(raw[p.index])) expect([p.displayName, sent.has(leaf) ? "kept" : leaf]).toEqual([p.displayName, "kept"]);
    }
  });

  it("the pulumi import document adopts every policy, Graph-native ones by their bare Graph id under the plugin's type", () => {
    const graph = result.policies.filter((x) => x.kind === "graph");
    expect(combinedImportFile(result.policies).resources).toEqual([
      { type: "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy", name: "block-legacy-authentication", id: "/identity/conditionalAccess/policies/6a1f0c3e-2b4d-4e5f-8a9b-0c1d2e3f4a60" },
      ...graph.map((p) => ({ type: "tenant-guardrails:conditionalaccess:ConditionalAccessPolicy", name: p.resourceName, id: p.id })),
    ].sort((a, b) => result.policies.findIndex((p) => p.resourceName === a.name) - result.policies.findIndex((p) => p.resourceName === b.name)));
    for (const p of graph) {
      expect(p.importCommand).toBe(`pulumi import 'tenant-guardrails:conditionalaccess:ConditionalAccessPolicy' '${p.resourceName}' '${p.id}'`);
      expect(p.typescript).toMatch(new RegExp(`^new ConditionalAccessPolicy\\(".*", \\{[\\s\\S]*\\}, \\{ import: "${p.id}" \\}\\);$`));
      expect(p.typescript).not.toContain("adoptExisting");
    }
  });
});

describe("Graph-native policies need unique display names", () => {
  it("refuses a Graph-native policy whose display name another imported policy has, naming the other", () => {
    const raw = (JSON.parse(fs.readFileSync(FIXTURE, "utf8")) as { value: Record<string, unknown>[] }).value;
    const twin = { ...raw[9], id: "6a1f0c3e-2b4d-4e5f-8a9b-0c1d2e3f4a99", displayName: raw[2].displayName };
    const r = importConditionalAccessFiles([
      { name: "a.json", content: JSON.stringify([raw[2]]) },
      { name: "b.json", content: JSON.stringify([twin]) },
    ]);
    expect(r.policies.map((p) => [p.source, p.kind])).toEqual([["b.json", "resource"]]);
    expect(r.errors).toEqual([
      expect.objectContaining({ source: "a.json", field: "displayName", message: "the Graph-native resource finds its policy by display name, and b.json #1 has the same name", fix: expect.stringMatching(/rename one/) }),
    ]);
  });
});

describe("imported Graph-native policies applied to a fake Graph", () => {
  let g: FakeCaGraph;
  beforeAll(async () => {
    g = await startFakeCaGraph();
  });
  afterAll(() => g.close());

  it("each one adopts the existing policy with no write, and refresh then shows no difference", async () => {
    const raw = (JSON.parse(fs.readFileSync(FIXTURE, "utf8")) as { value: Record<string, unknown>[] }).value;
    const graphPolicies = result.policies.filter((p) => p.kind === "graph");
    // The tenant as exported: the policies exist already.
    for (const p of graphPolicies) g.store.set(p.id!, JSON.parse(JSON.stringify(raw[p.index])) as Record<string, unknown>);
    g.requests.length = 0;
    for (const p of graphPolicies) {
      const { value } = normaliseConditionalAccessPolicy(p.graph!);
      const inputs = { graphEndpoint: g.url, displayName: value!.displayName, policy: value!.policy, apiVersion: value!.apiVersion, adoptExisting: true, httpTimeoutMs: 500, httpRetryDelayMs: 5 };
      const created = await provider.create(inputs);
      expect(created.id).toBe(p.id);
      const read = await provider.read!(created.id, created.outs as GraphPolicyOutputs);
      expect([p.displayName, (await provider.diff!(created.id, read.props as GraphPolicyOutputs, inputs)).changes]).toEqual([p.displayName, false]);
    }
    expect(g.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(g.store.size).toBe(graphPolicies.length);
  });
});

describe("tenant-guardrails import-ca on the fixture", () => {
  it("prints each kind and the totals, and writes an import document with every policy of the file", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "import-ca-graph-"));
    try {
      const doc = path.join(dir, "import.json");
      const r = await runCli(["import-ca", FIXTURE, "--import-file", doc]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("kind: Graph-native ConditionalAccessPolicy resource (Graph beta)");
      expect(r.stdout).toContain("import: pulumi import 'tenant-guardrails:conditionalaccess:ConditionalAccessPolicy' ");
      expect(r.stdout.trimEnd().split("\n").pop()).toBe("10 policies imported (0 as CorporateDeviceAccess, 1 as azuread resources, 9 as Graph-native resources), 0 error(s)");
      expect((JSON.parse(fs.readFileSync(doc, "utf8")) as { resources: unknown[] }).resources).toHaveLength(10);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("whatif --policies evaluates the Graph-native policies too, naming the conditions it does not model", async () => {
    const devices = path.join(ownFixturesDir(), "..", "..", "examples", "devices.json");
    const r = await runCli(["whatif", "--policies", FIXTURE, "--devices", devices, "--json", "--summary"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { ok: boolean; importErrors: unknown[]; policies: { name: string; notModelled?: string[] }[]; totals: Record<string, number> };
    expect(doc.ok).toBe(true);
    expect(doc.importErrors).toEqual([]);
    expect(doc.policies).toHaveLength(10);
    expect(doc.policies.find((p) => p.name === "Agents: block high agent risk")?.notModelled).toEqual(["agentIdRiskLevels", "clientApplications"]);
    expect(doc.policies.find((p) => p.name === "Block legacy authentication")?.notModelled).toBeUndefined();
    // The enabled legacy-authentication block (client app types are assumed, as for azuread policies) blocks every device.
    expect(doc.totals).toMatchObject({ devices: 8, block: 8, unknown: 0 });
  });
});
