/**
 * Cross-language package: what the plugin host pays to serve the schema. The host analyses the
 * TypeScript source on its first schema or construct request, so every `pulumi preview`/`up` of
 * a program in another language pays this once per run.
 */
import { performance } from "node:perf_hooks";
import { buildPackageSchema, findPackageRoot, renderSchema } from "../cli/package-schema";

export async function run(): Promise<Record<string, unknown>> {
  const root = findPackageRoot(__dirname);
  const t0 = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const entry = require(root) as unknown;
  const t1 = performance.now();
  // One cold run: it is the figure a consumer sees, and each run takes tens of seconds.
  const schema = await buildPackageSchema(root, entry);
  const t2 = performance.now();
  return {
    package_entry_require_ms: Math.round(t1 - t0),
    package_schema_build_ms: Math.round(t2 - t1),
    package_schema_bytes: Buffer.byteLength(renderSchema(schema)),
    package_components: Object.keys(schema.resources).length,
    package_types: Object.keys(schema.types).length,
  };
}
