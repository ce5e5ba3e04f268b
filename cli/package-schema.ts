/**
 * The cross-language package schema, built exactly as Pulumi's Node.js plugin host builds it when
 * `pulumi package add` runs this repository (PulumiPlugin.yaml): the host requires package.json
 * `main`, collects the exported ComponentResource classes, names the provider after package.json
 * `name`, and asks ComponentProvider for the schema its analyzer infers from the TypeScript source.
 *
 *   node dist/cli/package-schema.js           write schema.json (npm run schema)
 *   node dist/cli/package-schema.js --check   exit 1 when schema.json is not what the source gives
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";

export const SCHEMA_FILE = "schema.json";

/** Pulumi package schema, as far as this package uses it. */
export interface PackageSchema {
  name: string;
  version: string;
  description?: string;
  namespace?: string;
  resources: Record<string, SchemaResource>;
  types: Record<string, SchemaType>;
  [key: string]: unknown;
}

export interface SchemaProperty {
  type?: string;
  $ref?: string;
  items?: SchemaProperty;
  additionalProperties?: SchemaProperty;
  description?: string;
  plain?: boolean;
  secret?: boolean;
  [key: string]: unknown;
}

export interface SchemaResource {
  isComponent?: boolean;
  description?: string;
  inputProperties: Record<string, SchemaProperty>;
  requiredInputs: string[];
  properties: Record<string, SchemaProperty>;
  required: string[];
}

export interface SchemaType {
  type: string;
  enum?: { name: string; value: string | number; description?: string }[];
  properties?: Record<string, SchemaProperty>;
  required?: string[];
}

/**
 * Provider name and namespace as the host derives them (cmd/run-plugin): the npm scope becomes
 * the namespace, characters outside [-a-zA-Z0-9_] become "-", and the name must start with a letter.
 */
export function providerNameOf(packageName: string): { name: string; namespace?: string } {
  const match = /^(@.*?\/)?(.+)$/.exec(packageName);
  if (!match) throw new Error(`package.json name "${packageName}" is not a package name`);
  const name = match[2].replace(/[^-a-zA-Z0-9_]/g, "-");
  if (!/^[a-zA-Z]/.test(name)) throw new Error(`provider name "${name}" (from package.json name "${packageName}") must start with a letter`);
  return match[1] ? { name, namespace: match[1].slice(1, -1) } : { name };
}

/** The directory holding PulumiPlugin.yaml, searched upwards from `start`. */
export function findPackageRoot(start: string): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "PulumiPlugin.yaml"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no PulumiPlugin.yaml above ${start}`);
  }
}

/**
 * The schema the host serves for `root`, given the package's entry module exports (the host passes
 * `require(root)`, i.e. package.json main; tests pass the TypeScript source of the same API).
 */
export async function buildPackageSchema(root: string, entryExports: unknown): Promise<PackageSchema> {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { name: string };
  const components = getPulumiComponents(entryExports);
  if (components.length === 0) throw new Error(`the entry module of ${root} exports no ComponentResource class: the host would not serve a package`);
  const provider = new ComponentProvider({ ...providerNameOf(manifest.name), dirname: root, components });
  return JSON.parse(await provider.getSchema()) as PackageSchema;
}

/** Stable text of the schema (the reviewed artifact). */
export function renderSchema(schema: PackageSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

async function run(argv: string[]): Promise<number> {
  const root = findPackageRoot(__dirname);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const schema = await buildPackageSchema(root, require(root));
  const text = renderSchema(schema);
  const file = path.join(root, SCHEMA_FILE);
  const summary = `${Object.keys(schema.resources).length} components, ${Object.keys(schema.types).length} types`;
  if (argv.includes("--check")) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    if (current === text) {
      process.stdout.write(`${SCHEMA_FILE} is up to date (${summary})\n`);
      return 0;
    }
    process.stderr.write(`${SCHEMA_FILE} differs from the schema the components give: run \`npm run schema\` and review the diff\n`);
    return 1;
  }
  fs.writeFileSync(file, text);
  process.stdout.write(`wrote ${SCHEMA_FILE} (${summary})\n`);
  return 0;
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
