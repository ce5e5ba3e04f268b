/**
 * Figures under the real Pulumi engine (built by `bash .ci/build-engine`), for the program of
 * test/engine: FIPS + BitLocker Intune profiles and a Qualys BYOL solution against the fake Graph
 * and ARM on 127.0.0.1, local file backend, passphrase secrets.
 * - engine_preview_ms: median wall time of 3 `pulumi preview` runs of the program (nothing deployed).
 * - engine_up_ms: wall time of the first `pulumi up` (creates everything).
 * - engine_noop_up_ms: wall time of a second `pulumi up` with nothing changed.
 * - engine_noop_up_writes: writes (POST/PATCH/PUT/DELETE) the fakes receive during that second up. Target: 0.
 * - engine_preview_dev_ms: median wall time of 3 `pulumi preview` runs of the repository's dev stack
 *   program (dist/stacks/index.js, stacks/Pulumi.dev.yaml without the Intune object), with the
 *   azuread, azure-native and command resources served by the provider doubles of test/engine/doubles.
 * Without the engine binaries: { engine: "not built" }.
 */
import { createEngineWorkspace, engineBinDir, missingEngineFiles } from "../test/engine/harness";
import { createStackWorkspace } from "../test/engine/doubles";
import { median } from "./util";

export async function run(): Promise<Record<string, unknown>> {
  const bin = engineBinDir();
  if (missingEngineFiles(bin).length > 0) return { engine: "not built" };
  const ws = await createEngineWorkspace(bin);
  try {
    const previews: number[] = [];
    for (let i = 0; i < 3; i++) previews.push((await ws.pulumiOk(["preview"])).ms);
    const up = await ws.pulumiOk(["up", "--yes"]);
    const before = ws.writeCount();
    const noop = await ws.pulumiOk(["up", "--yes"]);
    const noopWrites = ws.writeCount() - before;
    await ws.pulumiOk(["destroy", "--yes"]);
    const devPreviews = await previewDevWithDoubles(bin);
    return {
      engine_preview_ms: median(previews),
      engine_up_ms: up.ms,
      engine_noop_up_ms: noop.ms,
      engine_noop_up_writes: noopWrites,
      engine_preview_dev_ms: median(devPreviews),
    };
  } finally {
    await ws.dispose();
  }
}

/** 3 previews of the dev stack with the provider doubles; their wall times. */
async function previewDevWithDoubles(bin: string): Promise<number[]> {
  const ws = await createStackWorkspace(bin, "dev");
  try {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) times.push((await ws.pulumiOk(["preview"])).ms);
    return times;
  } finally {
    await ws.dispose();
  }
}
