/**
 * Cross-language package: what serving the schema costs. The source-based route (the Node.js host's
 * RunPlugin) analyses the TypeScript source on its first schema or construct request, so every
 * `pulumi preview`/`up` of a program in another language pays it once per run; the package's own
 * plugin (`pulumi-resource-tenant-guardrails`) reads schema.json and pays only its start.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { buildPackageSchema, findPackageRoot, renderSchema } from "../cli/package-schema";
import { median } from "./util";

/** Milliseconds from spawning the built plugin until it prints its port (what the engine waits for). */
function pluginStartMs(root: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(root, "dist", "cli", "provider-plugin.js")], { stdio: ["ignore", "pipe", "ignore"] });
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error("pulumi-resource-tenant-guardrails printed no port within 30 s"));
    }, 30_000);
    child.stdout.once("data", () => {
      clearTimeout(timer);
      resolve(performance.now() - started);
      child.kill();
    });
    child.once("error", reject);
  });
}

export async function run(): Promise<Record<string, unknown>> {
  const root = findPackageRoot(__dirname);
  const starts: number[] = [];
  for (let i = 0; i < 5; i++) starts.push(await pluginStartMs(root));
  const t0 = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const entry = require(root) as unknown;
  const t1 = performance.now();
  // One cold run: it is the figure a consumer sees, and each run takes tens of seconds.
  const schema = await buildPackageSchema(root, entry);
  const t2 = performance.now();
  return {
    plugin_start_ms: Math.round(median(starts)),
    package_entry_require_ms: Math.round(t1 - t0),
    package_schema_build_ms: Math.round(t2 - t1),
    package_schema_bytes: Buffer.byteLength(renderSchema(schema)),
    package_components: Object.keys(schema.resources).length,
    package_types: Object.keys(schema.types).length,
  };
}
