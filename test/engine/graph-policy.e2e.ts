/**
 * `npm run test:engine`: the Graph-native ConditionalAccessPolicy under the real Pulumi engine,
 * served by the package's own plugin (`dist/cli/provider-plugin.js` as
 * `pulumi-resource-tenant-guardrails`, found through the project's Pulumi.yaml `plugins` entry, as
 * the docs tell users) against the local fake Graph that keeps policies as Graph does.
 *
 * - `tenant-guardrails import-ca --import-file` of a tenant's export, then `pulumi import --file`:
 *   every policy is read by its id (GET on beta) and nothing is written; the program made of
 *   import-ca's snippets is then a no-op.
 * - The snippets' `import` option alone adopts the same policies on `pulumi up`, with no write.
 * - A new policy: created once, a no-op `up` writes nothing, drift made in "the portal" is found
 *   by refresh and restored with one PATCH, destroy deletes it.
 * - From YAML, the plugin's check refuses an enabled policy that blocks everyone at preview.
 *
 * Skipped with one line when the engine is not built; CI=true fails.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ownFixturesDir } from "../../bench/fixtures";
import { engineEnv, parseEngineEvents, parseJsonRun, pulumiRunner, REPO_ROOT, type RunResult } from "./harness";
import { requireEngine } from "./require-engine";
import { startFakeCaGraph, type FakeCaGraph } from "../conditional-access/graph-policy/fake-graph-ca";

const { bin, built } = requireEngine();

const TYPE = "tenant-guardrails:conditionalaccess:ConditionalAccessPolicy";
const FIXTURE = path.join(ownFixturesDir(), "conditional-access", "graph-only-policies.json");
const exported = (JSON.parse(fs.readFileSync(FIXTURE, "utf8")) as { value: Record<string, unknown>[] }).value;

interface ImportedGraphPolicy {
  id: string;
  kind: string;
  resourceName: string;
  typescript: string;
}

/** import-ca's output for the Graph-only policies of the fixture, and its pulumi import document. */
function importCa(root: string): { policies: ImportedGraphPolicy[]; document: string } {
  const graphOnly = path.join(root, "graph-only.json");
  fs.writeFileSync(graphOnly, JSON.stringify({ value: exported.filter((p) => p.displayName !== "Block legacy authentication") }));
  const document = path.join(root, "adopt.json");
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "dist", "cli", "main.js"), "import-ca", "--json", "--import-file", document, graphOnly], { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`import-ca exited with ${r.status}: ${r.stdout}\n${r.stderr}`);
  return { policies: (JSON.parse(r.stdout) as { policies: ImportedGraphPolicy[] }).policies, document };
}

/** A JavaScript program of snippets; the class adds the fake Graph's URL (stack config) to each policy. */
function programOf(snippets: string[]): string {
  return `"use strict";
const pulumi = require("@pulumi/pulumi");
const tg = require(${JSON.stringify(path.join(REPO_ROOT, "dist", "components"))});
const graphEndpoint = new pulumi.Config().require("graphEndpoint");
class ConditionalAccessPolicy extends tg.ConditionalAccessPolicy {
  constructor(name, args, opts) {
    super(name, { ...args, graphEndpoint }, opts);
  }
}
${snippets.join("\n")}
`;
}

(built ? describe : describe.skip)("the Graph-native ConditionalAccessPolicy through the package's plugin", () => {
  let root: string;
  let g: FakeCaGraph;
  let imported: { policies: ImportedGraphPolicy[]; document: string };

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "tg-graph-policy-"));
    g = await startFakeCaGraph();
    imported = importCa(root);
  });
  afterAll(async () => {
    await g?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  /** The tenant as exported: every Graph-only policy exists. */
  function seedTenant(): void {
    g.store.clear();
    for (const p of exported) if (p.displayName !== "Block legacy authentication") g.store.set(p.id as string, JSON.parse(JSON.stringify(p)) as Record<string, unknown>);
    g.requests.length = 0;
  }
  const writes = () => g.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);

  /** A project: its program, the plugin in ./plugin-bin named in Pulumi.yaml, its own home and backend. */
  async function project(name: string, program: { js?: string; yaml?: string }, options: { pluginEntry?: boolean } = {}) {
    const dir = path.join(root, name);
    const pluginBin = path.join(dir, "plugin-bin");
    fs.mkdirSync(pluginBin, { recursive: true });
    fs.symlinkSync(path.join(REPO_ROOT, "dist", "cli", "provider-plugin.js"), path.join(pluginBin, "pulumi-resource-tenant-guardrails"));
    const plugins = options.pluginEntry === false ? "" : "plugins:\n  providers:\n    - name: tenant-guardrails\n      path: ./plugin-bin\n";
    if (program.js !== undefined) {
      fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\nmain: index.js\n${plugins}`);
      fs.writeFileSync(path.join(dir, "index.js"), program.js);
    } else {
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: yaml\n${plugins}${program.yaml}`);
    }
    const home = path.join(root, `${name}-home`);
    const backend = path.join(root, `${name}-backend`);
    fs.mkdirSync(home);
    fs.mkdirSync(backend);
    const env = engineEnv({ path: [bin], home, backend, passphrase: "tg-graph-policy", extra: { TENANT_GUARDRAILS_GRAPH_ENDPOINT: g.url } });
    const runner = pulumiRunner(bin, dir, env);
    await runner.pulumiOk(["stack", "init", "dev"]);
    await runner.pulumiOk(["config", "set", "graphEndpoint", g.url]);
    return runner;
  }

  const sameOnly = (r: RunResult) => {
    const { steps } = parseJsonRun(r);
    return steps.filter((s) => s.urn.includes(TYPE)).map((s) => s.op);
  };

  it("pulumi import --file adopts every policy import-ca declares as Graph-native by its id, reads each once on beta and writes nothing; the snippets are then a no-op", async () => {
    const graph = imported.policies.filter((p) => p.kind === "graph");
    expect(graph).toHaveLength(9);
    const doc = JSON.parse(fs.readFileSync(imported.document, "utf8")) as { resources: { type: string; name: string; id: string }[] };
    expect(doc.resources).toEqual(graph.map((p) => ({ type: TYPE, name: p.resourceName, id: p.id })));

    seedTenant();
    const snippets = graph.map((p) => p.typescript.replace(/, \{ import: "[^"]+" \}\);$/, ");"));
    const p = await project("adopt-file", { js: programOf(snippets) });
    await p.pulumiOk(["import", "--file", imported.document, "--yes", "--generate-code=false"], { timeoutMs: 240_000 });
    // The import's preview and the import itself each read every policy once: GETs on beta only.
    const reads = g.requests.map((r) => `${r.method} ${r.path}`);
    expect([...new Set(reads)].sort()).toEqual(graph.map((x) => `GET /beta/identity/conditionalAccess/policies/${x.id}`).sort());
    expect(reads).toHaveLength(2 * graph.length);

    g.requests.length = 0;
    const preview = await p.pulumiOk(["preview", "--json"], { timeoutMs: 240_000 });
    expect(sameOnly(preview)).toEqual(graph.map(() => "same"));
    await p.pulumiOk(["up", "--yes"], { timeoutMs: 240_000 });
    expect(writes()).toEqual([]);
  }, 600_000);

  it("the snippets' import option adopts the same policies on pulumi up with no write, and a second up is a no-op", async () => {
    const graph = imported.policies.filter((p) => p.kind === "graph");
    seedTenant();
    const p = await project("adopt-option", { js: programOf(graph.map((x) => x.typescript)) });
    const up = await p.pulumiOk(["up", "--yes", "--json"], { timeoutMs: 240_000 });
    expect(parseEngineEvents(up).changes).toEqual({ create: 1, import: graph.length });
    expect(writes()).toEqual([]);
    const again = await p.pulumiOk(["preview", "--json"], { timeoutMs: 240_000 });
    // The stack and the nine policies, all unchanged.
    expect(parseJsonRun(again).changeSummary).toEqual({ same: graph.length + 1 });
  }, 600_000);

  it("creates a new policy once, writes nothing on a no-op up, restores drift found by refresh with one PATCH, and destroy deletes it", async () => {
    g.store.clear();
    g.requests.length = 0;
    const program = programOf([
      `new ConditionalAccessPolicy("token-protection", { displayName: "Token protection for Windows sign-ins", conditions: { users: { includeUsers: ["All"] }, applications: { includeApplications: ["00000002-0000-0ff1-ce00-000000000000"] }, clientAppTypes: ["mobileAppsAndDesktopClients"], platforms: { includePlatforms: ["windows"] } }, sessionControls: { secureSignInSession: { isEnabled: true } } });`,
    ]);
    const p = await project("lifecycle", { js: program });
    await p.pulumiOk(["up", "--yes"], { timeoutMs: 240_000 });
    expect(writes()).toEqual(["POST /v1.0/identity/conditionalAccess/policies"]);
    const [id] = [...g.store.keys()];
    expect(g.store.get(id)).toMatchObject({ state: "enabledForReportingButNotEnforced", sessionControls: { secureSignInSession: { isEnabled: true } } });

    g.requests.length = 0;
    await p.pulumiOk(["up", "--yes"], { timeoutMs: 240_000 });
    expect(writes()).toEqual([]);

    // Drift: someone adds a platform in the portal.
    (g.store.get(id)!.conditions as { platforms: { includePlatforms: string[] } }).platforms.includePlatforms.push("macOS");
    await p.pulumiOk(["refresh", "--yes"], { timeoutMs: 240_000 });
    const preview = await p.pulumiOk(["preview", "--json"], { timeoutMs: 240_000 });
    expect(sameOnly(preview)).toEqual(["update"]);
    g.requests.length = 0;
    await p.pulumiOk(["up", "--yes"], { timeoutMs: 240_000 });
    expect(writes()).toEqual([`PATCH /v1.0/identity/conditionalAccess/policies/${id}`]);
    expect((g.store.get(id)!.conditions as { platforms: { includePlatforms: string[] } }).platforms.includePlatforms).toEqual(["windows"]);

    await p.pulumiOk(["destroy", "--yes"], { timeoutMs: 240_000 });
    expect(g.store.size).toBe(0);
  }, 600_000);

  it("from YAML, the plugin refuses at preview an enabled policy that blocks every user and excludes nobody, and sends nothing", async () => {
    g.requests.length = 0;
    const yaml = `resources:
  blockEveryone:
    type: ${TYPE}
    properties:
      displayName: Block everyone
      apiVersion: v1.0
      graphEndpoint: ${g.url}
      policy:
        displayName: Block everyone
        state: enabled
        conditions:
          users: { includeUsers: [All] }
          applications: { includeApplications: [All] }
        grantControls: { operator: OR, builtInControls: [block] }
`;
    const p = await project("yaml-refusal", { yaml });
    const r = await p.pulumi(["preview"], { timeoutMs: 240_000 });
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/Block everyone: an enabled policy that blocks all users must exclude at least one emergency-access \(break-glass\) account or group/);
    expect(g.requests).toEqual([]);
  }, 300_000);

  it("without the Pulumi.yaml plugins entry, the program says so and how to fix it before the engine fails, and nothing is sent", async () => {
    g.requests.length = 0;
    const p = await project("no-plugin-entry", { js: programOf([`new ConditionalAccessPolicy("mfa", { displayName: "Require MFA", conditions: { users: { includeUsers: ["All"] }, applications: { includeApplications: ["All"] } }, grantControls: { operator: "OR", builtInControls: ["mfa"] } });`]) }, { pluginEntry: false });
    const r = await p.pulumi(["preview"], { timeoutMs: 240_000 });
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('ConditionalAccessPolicy "mfa" is served by the package\'s plugin pulumi-resource-tenant-guardrails, which the Pulumi engine will not find');
    expect(r.stdout + r.stderr).toContain("Fix: add to Pulumi.yaml");
    expect(g.requests).toEqual([]);
  }, 300_000);

  it("ConditionalAccessPolicy.get reads an existing policy by id (one GET on beta per pass, no write) and exposes it as outputs", async () => {
    seedTenant();
    const target = imported.policies.find((x) => x.kind === "graph")!;
    const program = `"use strict";
const tg = require(${JSON.stringify(path.join(REPO_ROOT, "dist", "components"))});
const existing = tg.ConditionalAccessPolicy.get("existing", ${JSON.stringify(target.id)});
exports.displayName = existing.displayName;
exports.apiVersion = existing.apiVersion;
`;
    const p = await project("get", { js: program });
    await p.pulumiOk(["up", "--yes"], { timeoutMs: 240_000 });
    const outputs = JSON.parse((await p.pulumiOk(["stack", "output", "--json"])).stdout) as Record<string, string>;
    const stored = exported.find((x) => x.id === target.id)!;
    expect(outputs.displayName).toBe(stored.displayName);
    expect(["v1.0", "beta"]).toContain(outputs.apiVersion);
    // pulumi up previews, then updates: one read in each.
    expect(g.requests.map((r) => `${r.method} ${r.path}`)).toEqual([1, 2].map(() => `GET /beta/identity/conditionalAccess/policies/${target.id}`));
  }, 300_000);
});
