/**
 * The package's provider plugin (components/plugin/provider.ts), called as the engine calls it:
 * an import reads a policy by its id alone, check applies the package's rules to what any language
 * sends, and the schema serves the components and the custom resource. The Graph is the local fake
 * (127.0.0.1) that keeps policies as Graph does. The engine path itself is in test/engine.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { importConditionalAccessPolicies } from "../../components/conditional-access/import";
import { normaliseConditionalAccessPolicy } from "../../components/conditional-access/graph-policy/normalise";
import { GRAPH_ENDPOINT_VARIABLE, readForImport, type GraphPolicyInputs } from "../../components/conditional-access/graph-policy/graph-provider";
import { packageProvider, typeOfUrn } from "../../components/plugin/provider";
import { ownFixturesDir } from "../../bench/fixtures";
import { REPO_ROOT } from "../engine/harness";
import { startFakeCaGraph, type FakeCaGraph } from "../conditional-access/graph-policy/fake-graph-ca";

const TYPE = "tenant-guardrails:conditionalaccess:ConditionalAccessPolicy";
const urnOf = (name: string, parent = "") => `urn:pulumi:dev::tenant::${parent}${TYPE}::${name}`;
const FIXTURE = path.join(ownFixturesDir(), "conditional-access", "graph-only-policies.json");
const exported = (JSON.parse(fs.readFileSync(FIXTURE, "utf8")) as { value: Record<string, unknown>[] }).value;
const imported = importConditionalAccessPolicies(fs.readFileSync(FIXTURE), "graph-only-policies.json").policies.filter((p) => p.kind === "graph");

describe("the plugin's ConditionalAccessPolicy", () => {
  let g: FakeCaGraph;
  const previous = process.env[GRAPH_ENDPOINT_VARIABLE];
  const plugin = packageProvider();

  beforeAll(async () => {
    g = await startFakeCaGraph();
    process.env[GRAPH_ENDPOINT_VARIABLE] = g.url;
  });
  afterAll(async () => {
    if (previous === undefined) delete process.env[GRAPH_ENDPOINT_VARIABLE];
    else process.env[GRAPH_ENDPOINT_VARIABLE] = previous;
    await g.close();
  });
  beforeEach(() => {
    g.store.clear();
    g.requests.length = 0;
    g.faults.length = 0;
  });

  it("imports each policy azuread cannot express by its id alone: one GET on beta, inputs that pass check, and no change against import-ca's snippet", async () => {
    expect(imported).toHaveLength(9);
    for (const p of imported) g.store.set(p.id!, JSON.parse(JSON.stringify(exported[p.index])) as Record<string, unknown>);
    for (const p of imported) {
      const read = await plugin.read!(p.id!, urnOf(p.resourceName), {});
      expect(read.id).toBe(p.id);
      const inputs = read.inputs as GraphPolicyInputs;
      expect(inputs).toMatchObject({ graphEndpoint: g.url, displayName: p.displayName, apiVersion: p.apiVersion, adoptExisting: false });
      expect(await plugin.check!(urnOf(p.resourceName), {}, inputs)).toEqual({ inputs });
      // What the program declares: import-ca's args, normalised by the TypeScript class.
      const declared = normaliseConditionalAccessPolicy(p.graph!).value!;
      const news = { graphEndpoint: g.url, displayName: declared.displayName, policy: declared.policy, apiVersion: declared.apiVersion, adoptExisting: false };
      expect([p.displayName, (await plugin.diff!(p.id!, urnOf(p.resourceName), read.props, news)).changes]).toEqual([p.displayName, false]);
    }
    expect(g.requests.map((r) => `${r.method} ${r.path.split("?")[0]}`)).toEqual(imported.map((p) => `GET /beta/identity/conditionalAccess/policies/${p.id}`));
  });

  it("answers an id Graph does not have with an empty id (the engine reports the import as not found)", async () => {
    expect(await readForImport("00000000-0000-4000-8000-000000000000")).toEqual({ id: "", props: {} });
  });

  it.each(["html", "redirect", "truncated"] as const)("fails an import whose answer it cannot read (%s), never reporting the policy as absent", async (kind) => {
    const p = imported[0];
    g.store.set(p.id!, JSON.parse(JSON.stringify(exported[p.index])) as Record<string, unknown>);
    g.faults.push({ kind, method: "GET" });
    await expect(plugin.read!(p.id!, urnOf(p.resourceName), {})).rejects.toThrow(new RegExp(`GET http://127\\.0\\.0\\.1:\\d+/beta/identity/conditionalAccess/policies/${p.id} returned an unexpected response`));
  });

  it("check refuses, for any language, an enabled policy that blocks all users and excludes nobody, naming the policy and the fix", async () => {
    const policy = { displayName: "Block everyone", state: "enabled", conditions: { users: { includeUsers: ["All"] }, applications: { includeApplications: ["All"] } }, grantControls: { operator: "OR", builtInControls: ["block"] } };
    const r = await plugin.check!(urnOf("block"), {}, { graphEndpoint: "https://graph.microsoft.com", displayName: "Block everyone", policy, apiVersion: "v1.0" });
    expect(r.failures).toEqual([
      { property: "policy.conditions.users", reason: expect.stringMatching(/^Block everyone: an enabled policy that blocks all users must exclude at least one emergency-access \(break-glass\) account or group.*Fix: /) },
    ]);
  });

  it("refuses a resource type it does not serve", async () => {
    await expect(plugin.check!("urn:pulumi:dev::tenant::tenant-guardrails:conditionalaccess:Other::x", {}, {})).rejects.toThrow(/unknown resource type "tenant-guardrails:conditionalaccess:Other"/);
    expect(typeOfUrn(urnOf("child", "tenant-guardrails:index:CorporateDeviceAccess$"))).toBe(TYPE);
  });

  it("serves the components' schema.json with the custom resource added", async () => {
    const schema = JSON.parse(await plugin.getSchema!()) as { name: string; version: string; resources: Record<string, { isComponent?: boolean; requiredInputs: string[] }> };
    const components = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "schema.json"), "utf8")) as { resources: Record<string, unknown> };
    expect(schema.name).toBe("tenant-guardrails");
    expect(schema.version).toBe(plugin.version);
    for (const [type, resource] of Object.entries(components.resources)) expect(schema.resources[type]).toEqual(resource);
    expect(schema.resources[TYPE].isComponent).toBeUndefined();
    expect(schema.resources[TYPE].requiredInputs).toEqual(["displayName", "policy", "apiVersion", "graphEndpoint"]);
  });
});

describe("pulumi-resource-tenant-guardrails, the executable", () => {
  it("starts from the build and prints the port it serves on, as the engine expects", async () => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, "dist", "cli", "provider-plugin.js")], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`no port within 30 s; stdout: ${out}`)), 30_000);
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          if (out.includes("\n")) {
            clearTimeout(timer);
            resolve(out.split("\n")[0]);
          }
        });
        child.on("exit", (code) => reject(new Error(`exited with ${code} before printing a port`)));
      });
      expect(line).toMatch(/^\d{2,5}$/);
    } finally {
      child.kill();
    }
  }, 40_000);
});
