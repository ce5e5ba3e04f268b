/**
 * Loads this project's stacks for the offline commands: reads Pulumi.yaml and
 * `<stackConfigDir>/Pulumi.<stack>.yaml`, turns the config into what the Pulumi runtime expects,
 * and runs the compiled stack program under the offline engine.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { PROVIDER_TYPE_TOKENS } from "../components/common/type-tokens";
import { declaredConditionalAccessPolicies, type DeclaredPolicies } from "../components/conditional-access/declared-policies";
import { runUnderMocks, type RunResult } from "./engine";
import { UsageError, InputError } from "./output";

export interface ProjectInfo {
  root: string;
  name: string;
  stackConfigDir: string;
  /** The program Pulumi would run: `main` of Pulumi.yaml (a file or a directory), else the project directory. */
  program: string;
  /** Set for this package's own repository: its stacks run from the build (`dist/`) instead of through ts-node. */
  compiledProgram?: string;
}

/** The package this CLI belongs to: the nearest package.json above this module (from dist/cli or cli/). */
const OWN_ROOT = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
})();

/** Find Pulumi.yaml from `start` upwards; default: this package's own project. */
export function findProject(start = process.cwd()): ProjectInfo {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) break;
    const parent = path.dirname(dir);
    if (parent === dir) {
      dir = OWN_ROOT;
      break;
    }
    dir = parent;
  }
  const doc = parseYaml(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as { name?: string; main?: string; stackConfigDir?: string };
  const program = path.join(dir, doc.main ?? ".");
  const compiled = path.join(dir, "dist", (doc.main ?? "index.ts").replace(/\.ts$/, ".js"));
  return {
    root: dir,
    name: doc.name ?? path.basename(dir),
    stackConfigDir: path.join(dir, doc.stackConfigDir ?? "."),
    program,
    compiledProgram: dir === OWN_ROOT && program.endsWith(".ts") ? compiled : undefined,
  };
}

export interface StackConfig {
  config: Record<string, string>;
  secretKeys: string[];
}

const SECRET_PLACEHOLDER = "[secret]";

/** Replace `secure:` values (which cannot be decrypted offline) by a placeholder; report whether any was found. */
function withoutCiphertext(value: unknown): { value: unknown; secret: boolean } {
  if (Array.isArray(value)) {
    const items = value.map(withoutCiphertext);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (Object.keys(obj).length === 1 && typeof obj.secure === "string") return { value: SECRET_PLACEHOLDER, secret: true };
    let secret = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      const r = withoutCiphertext(v);
      out[k] = r.value;
      secret ||= r.secret;
    }
    return { value: out, secret };
  }
  return { value, secret: false };
}

/** Read `Pulumi.<stack>.yaml` into fully qualified config keys (objects as JSON, as Pulumi stores them). */
export function loadStackConfig(project: ProjectInfo, stack: string): StackConfig {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UsageError(`invalid stack name "${stack}"`);
  const file = path.join(project.stackConfigDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    const known = fs.existsSync(project.stackConfigDir)
      ? fs.readdirSync(project.stackConfigDir).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? [])
      : [];
    throw new UsageError(`no stack "${stack}": ${path.relative(process.cwd(), file) || file} does not exist (stacks: ${known.join(", ") || "none"})`);
  }
  let doc: { config?: Record<string, unknown> };
  try {
    doc = (parseYaml(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  } catch (err) {
    throw new InputError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [rawKey, rawValue] of Object.entries(doc.config ?? {})) {
    const key = rawKey.includes(":") ? rawKey : `${project.name}:${rawKey}`;
    const { value, secret } = withoutCiphertext(rawValue);
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
    if (secret) secretKeys.push(key);
  }
  return { config, secretKeys };
}

/** Computed outputs of mocked resources that the program reads back. */
function mockOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  if (type === PROVIDER_TYPE_TOKENS.ConditionalAccessPolicy) return { objectId: `${name}-object-id` };
  // A system-assigned identity gets its principal id from Azure; the role assignment reads it.
  if (type === "azure-native:authorization:PolicyAssignment" && (inputs.identity as { type?: string } | undefined)?.type === "SystemAssigned") {
    return { identity: { type: "SystemAssigned", principalId: `${name}-principal-id`, tenantId: "mock-tenant-id" } };
  }
  return {};
}

/**
 * Load the program's entry point as the Pulumi Node.js language host does: TypeScript through the
 * project's own ts-node and typescript (type-checked unless PULUMI_NODEJS_TRANSPILE_ONLY=true or the
 * tsconfig sets `noCheck`), with Pulumi's default compiler options under the project's tsconfig.json.
 */
function programLoader(project: ProjectInfo): () => unknown {
  if (project.compiledProgram) {
    const file = project.compiledProgram;
    if (!fs.existsSync(file)) throw new UsageError(`the compiled program ${file} is missing: run \`npm run build\` first`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program is chosen at run time; require() is Pulumi's loader too
    return () => require(file) as unknown;
  }
  const projectRequire = createRequire(path.join(project.root, "package.json"));
  let entry: string;
  try {
    entry = resolveEntry(project.program);
  } catch {
    throw new UsageError(`cannot find the program ${path.relative(process.cwd(), project.program) || project.program} that Pulumi.yaml \`main\` names`);
  }
  if (/\.[cm]?ts$/.test(entry)) registerTypeScript(project, projectRequire, entry);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
  return () => require(entry) as unknown;
}

/** The file `require(dir)` would load, with TypeScript entry points (index.ts) counted. */
function resolveEntry(program: string): string {
  if (fs.existsSync(program) && fs.statSync(program).isFile()) return program;
  for (const candidate of [`${program}.ts`, path.join(program, "index.ts")]) if (fs.existsSync(candidate)) return candidate;
  return require.resolve(program);
}

let registeredFor: string | undefined;

function registerTypeScript(project: ProjectInfo, projectRequire: NodeJS.Require, entry: string): void {
  if (registeredFor === project.root) return;
  let tsNode: { register(options: object): unknown };
  let typescriptPath: string;
  try {
    tsNode = projectRequire("ts-node") as typeof tsNode;
    typescriptPath = projectRequire.resolve("typescript");
  } catch {
    throw new UsageError(
      `${path.relative(process.cwd(), entry) || entry} is TypeScript, which Pulumi runs with ts-node and typescript installed in the project. ` +
        "Fix: npm install --save-dev ts-node typescript",
    );
  }
  const tsconfig = path.join(project.root, "tsconfig.json");
  const hasTsconfig = fs.existsSync(tsconfig);
  const ts = projectRequire("typescript") as { readConfigFile(file: string, read: (f: string) => string | undefined): { config?: { compilerOptions?: Record<string, unknown> } } };
  const fromTsconfig = hasTsconfig ? (ts.readConfigFile(tsconfig, (f) => fs.readFileSync(f, "utf8")).config?.compilerOptions ?? {}) : {};
  const transpileEnv = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
  tsNode.register({
    compiler: typescriptPath,
    transpileOnly: transpileEnv ? transpileEnv === "true" : fromTsconfig.noCheck === true,
    project: tsconfig,
    skipProject: !hasTsconfig,
    compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: true, ...fromTsconfig },
  });
  registeredFor = project.root;
}

/** Run a stack of this project offline and return what it declares. */
export async function runStack(stack: string, project = findProject()): Promise<RunResult> {
  const { config, secretKeys } = loadStackConfig(project, stack);
  const load = programLoader(project);
  // A fresh module registry for the program's own files, so two stacks can run in one process (tests).
  const programDir = path.dirname(project.compiledProgram ?? project.program);
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(programDir + path.sep) && !key.includes(`${path.sep}node_modules${path.sep}`)) delete require.cache[key];
  }
  // Like Pulumi, call the program when it exports a function (it then runs afresh on every plan).
  const program = () => {
    const exported = load();
    return typeof exported === "function" ? (exported as () => unknown)() : exported;
  };
  return runUnderMocks(program, {
    project: project.name,
    stack,
    config,
    secretKeys,
    outputs: mockOutputs,
  });
}

/**
 * The Conditional Access policies a stack declares, of both kinds (azuread resources, alone or
 * under CorporateDeviceAccess, and the Graph-native resource), each with its kind, resource name,
 * URN and Graph shape, and the stack's emergency-access ids: what whatif, coverage and replay read.
 */
export async function stackConditionalAccessPolicies(stack: string, project = findProject()): Promise<DeclaredPolicies> {
  const { resources } = await runStack(stack, project);
  return declaredConditionalAccessPolicies(resources);
}
