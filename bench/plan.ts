/**
 * Process-level timings: loading the Pulumi SDKs alone vs the whole offline plan of the dev stack.
 * Both are measured as fresh `node` processes, interleaved, so machine load affects them alike.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { median } from "./util";

const ROOT = path.resolve(__dirname, "../..");

function timeProcess(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

export async function run(): Promise<Record<string, unknown>> {
  const runs = Number(process.env.BENCH_PLAN_RUNS ?? 7);
  const sdk: number[] = [];
  const plan: number[] = [];
  const loadSdk = ["-e", "require('@pulumi/pulumi'); require('@pulumi/azuread')"];
  const planDev = [path.join(ROOT, "dist/cli/main.js"), "plan", "--stack", "dev"];
  timeProcess(loadSdk); // warm the file cache
  timeProcess(planDev);
  for (let i = 0; i < runs; i++) {
    sdk.push(timeProcess(loadSdk));
    plan.push(timeProcess(planDev));
  }
  const sdkMs = median(sdk);
  const planMs = median(plan);
  return {
    sdk_load_ms: Math.round(sdkMs),
    plan_dev_ms: Math.round(planMs),
    plan_dev_over_sdk_load: Number((planMs / sdkMs).toFixed(2)),
  };
}
