/**
 * Loads this project's stacks for the offline commands: reads Pulumi.yaml and
 * `<stackConfigDir>/Pulumi.<stack>.yaml`, turns the config into what the Pulumi runtime expects,
 * and runs the compiled stack program under the offline engine.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { runUnderMocks, type RunResult } from "./engine";
import { UsageError, InputError } from "./output";

export interface ProjectInfo {
  root: string;
  name: string;
  stackConfigDir: string;
  /** The compiled JavaScript of the program `main` names. */
  programJs: string;
}

/** Find Pulumi.yaml from `start` upwards; default: this package's own project. */
export function findProject(start = process.cwd()): ProjectInfo {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) break;
    const parent = path.dirname(dir);
    if (parent === dir) {
      dir = path.resolve(__dirname, "..", "..");
      break;
    }
    dir = parent;
  }
  const doc = parseYaml(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as { name?: string; main?: string; stackConfigDir?: string };
  const main = doc.main ?? "index.ts";
  const compiled = path.join(dir, "dist", main.replace(/\.ts$/, ".js"));
  const programJs = main.endsWith(".ts") ? compiled : path.join(dir, main);
  return { root: dir, name: doc.name ?? path.basename(dir), stackConfigDir: path.join(dir, doc.stackConfigDir ?? "."), programJs };
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
  if (type === "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy") return { objectId: `${name}-object-id` };
  // A system-assigned identity gets its principal id from Azure; the role assignment reads it.
  if (type === "azure-native:authorization:PolicyAssignment" && (inputs.identity as { type?: string } | undefined)?.type === "SystemAssigned") {
    return { identity: { type: "SystemAssigned", principalId: `${name}-principal-id`, tenantId: "mock-tenant-id" } };
  }
  return {};
}

/** Run a stack of this project offline and return what it declares. */
export async function runStack(stack: string, project = findProject()): Promise<RunResult> {
  const { config, secretKeys } = loadStackConfig(project, stack);
  if (!fs.existsSync(project.programJs)) {
    throw new UsageError(`the compiled program ${project.programJs} is missing: run \`npm run build\` first`);
  }
  // A fresh module registry for the program, so two stacks can run in one process (tests).
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(path.dirname(project.programJs) + path.sep)) delete require.cache[key];
  }
  // The program is plain compiled CommonJS chosen at run time: require() is the loader Pulumi uses
  // too. Like Pulumi, call it when it exports a function (it then runs afresh on every plan).
  const program = () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = require(project.programJs) as unknown;
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
