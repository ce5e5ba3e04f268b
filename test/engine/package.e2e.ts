/**
 * `npm run test:engine`: this repository as a component package under the real Pulumi CLI, served
 * by its own plugin, `pulumi-resource-tenant-guardrails` (`dist/cli/provider-plugin.js`: construct
 * of the components, the Graph-native policy, and the schema read from schema.json). The azuread and
 * azure-native children are served by the PROVIDER DOUBLES (test/engine/doubles), which prove the
 * engine path, not Microsoft's behaviour.
 *
 * Skipped with one line when the engine is not built (see pulumi-engine.e2e.ts); CI=true fails.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { REPO_ROOT } from "./harness";
import { requireEngine } from "./require-engine";
import { expectSameAsTypeScriptTwin } from "./twin-assertions";
import { createProjectsWorkspace, writeTypeScriptTwin, type ComponentDeclarations, type ProjectsWorkspace } from "./doubles";
import { pluginSchema } from "../../components/plugin/provider";

const { bin, built } = requireEngine();

const YAML_EXAMPLE = path.join(REPO_ROOT, "examples", "yaml-consumer", "Pulumi.yaml");

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * What the CLI does to a package schema when it reads and writes it again (`pulumi package
 * get-schema`): the analyzer's `optional` marker is not a field of Pulumi's package schema and is
 * dropped, as are empty `required`, `requiredInputs` and `dependencies` lists; an empty `config`
 * object is added. Required-ness stays in `required`/`requiredInputs` (checked below).
 */
function asCliWritesIt(schema: Json): Json {
  const walk = (v: Json, key: string): Json | undefined => {
    if (Array.isArray(v)) return ["required", "requiredInputs", "dependencies"].includes(key) && v.length === 0 ? undefined : v.map((x) => walk(x, "") as Json);
    if (v !== null && typeof v === "object") {
      const out: { [k: string]: Json } = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === "optional") continue;
        const w = walk(x, k);
        if (w !== undefined) out[k] = w;
      }
      return out;
    }
    return v;
  };
  const out = walk(schema, "") as { [k: string]: Json };
  if (out.config === undefined) out.config = {};
  return out;
}

interface SchemaObject {
  properties?: Record<string, { optional?: boolean }>;
  inputProperties?: Record<string, { optional?: boolean }>;
  required?: string[];
  requiredInputs?: string[];
}

/** Properties that schema.json marks not optional but that its `required` list leaves out (or the reverse). */
function requiredMismatches(schema: { resources: Record<string, SchemaObject>; types: Record<string, SchemaObject> }): string[] {
  const out: string[] = [];
  const check = (where: string, props: Record<string, { optional?: boolean }> | undefined, required: string[] | undefined) => {
    const marked = Object.entries(props ?? {})
      .filter(([, p]) => p.optional !== true)
      .map(([k]) => k)
      .sort();
    const listed = [...(required ?? [])].sort();
    if (JSON.stringify(marked) !== JSON.stringify(listed)) out.push(`${where}: not optional ${JSON.stringify(marked)}, required ${JSON.stringify(listed)}`);
  };
  for (const [token, r] of Object.entries(schema.resources)) {
    check(`${token} inputs`, r.inputProperties, r.requiredInputs);
  }
  for (const [token, t] of Object.entries(schema.types)) if (t.properties) check(token, t.properties, t.required);
  return out;
}

(built ? describe : describe.skip)("the component package under the real engine", () => {
  let ws: ProjectsWorkspace;

  beforeAll(() => {
    ws = createProjectsWorkspace(bin);
  });

  afterAll(() => {
    ws?.dispose();
  });

  it("pulumi package get-schema serves the checked-in schema.json with the Graph-native policy added (as the CLI writes a schema)", async () => {
    const p = ws.project("schema", "schema-doubles.jsonl");
    const checkedIn = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "schema.json"), "utf8")) as Json;
    // The CLI drops `optional`: the same facts must be in the required lists it keeps.
    expect(requiredMismatches(checkedIn as never)).toEqual([]);
    const r = await p.pulumiOk(["package", "get-schema", ws.launcher]);
    const served = JSON.parse(r.stdout) as { resources: Record<string, Json> };
    expect(Object.keys(served.resources).sort()).toEqual([...Object.keys((checkedIn as { resources: object }).resources), "tenant-guardrails:conditionalaccess:ConditionalAccessPolicy"].sort());
    expect(served).toEqual(asCliWritesIt(pluginSchema(REPO_ROOT) as unknown as Json));
  }, 180_000);

  it("a YAML program (examples/yaml-consumer) previews the same children, with the same inputs, as a TypeScript program", async () => {
    const yamlSource = fs.readFileSync(YAML_EXAMPLE, "utf8");
    const program = parseYaml(yamlSource) as { resources: ComponentDeclarations };

    const yamlProject = ws.project("yaml", "yaml-doubles.jsonl");
    fs.writeFileSync(path.join(yamlProject.dir, "Pulumi.yaml"), yamlSource);
    await yamlProject.pulumiOk(["stack", "init", "dev"]);
    const yamlRun = await yamlProject.pulumiOk(["preview", "--json"]);

    // The TypeScript twin: the same components, names and properties, from the built package.
    const tsProject = ws.project("typescript", "ts-doubles.jsonl");
    await writeTypeScriptTwin(tsProject, program.resources, "examples/yaml-consumer");
    const tsRun = await tsProject.pulumiOk(["preview", "--json"]);

    expectSameAsTypeScriptTwin({ run: yamlRun, calls: yamlProject.calls() }, { run: tsRun, calls: tsProject.calls() });
  }, 400_000);
});
