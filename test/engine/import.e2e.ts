/**
 * `npm run test:engine`: the `pulumi import --file` documents that `tenant-guardrails import-ca
 * --import-file` writes, fed to the real Pulumi CLI with `--preview-only`. The azuread resources
 * are read by the azuread PROVIDER DOUBLE (test/engine/doubles), which answers an import's Read
 * from a file of what the tenant is said to hold (here: the policies import-ca converted, by their
 * import ids). That proves the document's shape (types, names, ids, the component and its child),
 * not what the real provider reads from Microsoft Graph.
 *
 * `--generate-code=false`: the doubles serve no package schema, which the CLI needs to write code.
 *
 * Skipped with one line when the engine is not built (see pulumi-engine.e2e.ts); CI=true fails.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ownFixturesDir } from "../../bench/fixtures";
import { parseJsonRun, REPO_ROOT } from "./harness";
import { requireEngine } from "./require-engine";
import { createProjectsWorkspace, type ProjectsWorkspace } from "./doubles";
import { corporateDevicesPolicy } from "../helpers/ca-fixtures";

const { bin, built } = requireEngine();

const FIXTURES = path.join(ownFixturesDir(), "conditional-access");
const POLICY = "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy";
const COMPONENT = "tenant-guardrails:index:CorporateDeviceAccess";

/** A tenant's policy that import-ca recognises as a CorporateDeviceAccess component. */
const CORPORATE = corporateDevicesPolicy();

interface ImportDocument {
  resources: { type: string; name: string; id?: string; parent?: string; component?: boolean }[];
}

/** `tenant-guardrails import-ca --json --import-file <out> <files...>`: the document and the converted policies. */
function importCa(out: string, files: string[]): { doc: ImportDocument; policies: { id?: string; resource: Record<string, unknown> }[] } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "dist", "cli", "main.js"), "import-ca", "--json", "--import-file", out, ...files], { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`import-ca exited with ${r.status}: ${r.stdout}\n${r.stderr}`);
  return { doc: JSON.parse(fs.readFileSync(out, "utf8")) as ImportDocument, policies: (JSON.parse(r.stdout) as { policies: { id?: string; resource: Record<string, unknown> }[] }).policies };
}

(built ? describe : describe.skip)("import-ca --import-file documents under pulumi import --preview-only", () => {
  let ws: ProjectsWorkspace;
  let doc: ImportDocument;
  let existing: string;

  beforeAll(() => {
    ws = createProjectsWorkspace(bin);
    const corporate = path.join(ws.root, "corporate.json");
    fs.writeFileSync(corporate, JSON.stringify(CORPORATE));
    const converted = importCa(path.join(ws.root, "adopt.json"), [path.join(FIXTURES, "baseline-and-sales.json"), path.join(FIXTURES, "v1-policies-page.json"), corporate]);
    doc = converted.doc;
    // The tenant, as the double reads it: each converted policy's azuread args, by import id.
    existing = path.join(ws.root, "tenant.json");
    fs.writeFileSync(existing, JSON.stringify(Object.fromEntries(converted.policies.filter((p) => p.id).map((p) => [`/identity/conditionalAccess/policies/${p.id}`, p.resource]))));
  });

  afterAll(() => {
    ws?.dispose();
  });

  const project = (name: string) => {
    const p = ws.project(name, `${name}.jsonl`, { TG_PROVIDER_DOUBLE_EXISTING: existing });
    delete p.env.PULUMI_SKIP_CONFIRMATIONS; // counts as --yes, which --preview-only refuses
    fs.writeFileSync(path.join(p.dir, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\nmain: index.js\n`);
    fs.writeFileSync(path.join(p.dir, "index.js"), "// empty: pulumi import does not run the program\n");
    return p;
  };

  it("plans an import of every policy and the component, reads each id once and writes nothing", async () => {
    expect(doc.resources.filter((r) => r.component)).toEqual([{ type: COMPONENT, name: "block-non-corporate-devices", component: true }]);
    const p = project("adopt");
    await p.pulumiOk(["stack", "init", "dev"]);
    const r = await p.pulumiOk(["import", "--file", path.join(ws.root, "adopt.json"), "--preview-only", "--generate-code=false", "--json"]);

    const imports = parseJsonRun(r).steps.filter((s) => s.op === "import");
    const planned = imports.map((s) => s.urn.split("::").slice(2).join("::")).sort();
    const wanted = doc.resources.map((d) => (d.parent ? `${COMPONENT}$${d.type}::${d.name}` : `${d.type}::${d.name}`)).sort();
    expect(planned).toEqual(wanted);
    expect(planned).toContain(`${COMPONENT}$${POLICY}::block-non-corporate-devices-untrusted-devices`);

    const calls = p.calls();
    const reads = calls.filter((c) => c.method === "read").map((c) => c.id).sort();
    expect(reads).toEqual(doc.resources.filter((d) => d.id).map((d) => d.id).sort());
    // The adopted inputs pass the azuread schema check; nothing is created, updated or deleted.
    expect(calls.filter((c) => c.method === "check" && c.failures?.length)).toEqual([]);
    expect(calls.filter((c) => !["read", "check"].includes(c.method))).toEqual([]);
  }, 240_000);

  it("fails, naming the id, when the tenant has no policy with an id of the document", async () => {
    const p = project("missing");
    await p.pulumiOk(["stack", "init", "dev"]);
    const missing = "/identity/conditionalAccess/policies/00000000-0000-4000-8000-000000000000";
    const file = path.join(ws.root, "missing.json");
    fs.writeFileSync(file, JSON.stringify({ resources: [{ type: POLICY, name: "gone", id: missing }] }));
    const r = await p.pulumi(["import", "--file", file, "--preview-only", "--generate-code=false"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(`with id ${missing} to import`);
  }, 240_000);
});
