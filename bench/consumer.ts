/**
 * The package from a user's project: `consumer_plan_ms` is `npx tenant-guardrails plan` of
 * examples/typescript-consumer installed from the packed tarball in a temporary folder (TypeScript
 * type-checked through ts-node, as Pulumi runs it), `consumer_plan_transpile_only_ms` the same with
 * PULUMI_NODEJS_TRANSPILE_ONLY=true. Fresh processes, interleaved; median of BENCH_PLAN_RUNS (5).
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { median } from "./util";

const ROOT = path.resolve(__dirname, "../..");

function timePlan(project: string, env: NodeJS.ProcessEnv): number {
  const cli = path.join(project, "node_modules/tenant-guardrails/dist/cli/main.js");
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, "plan", "--stack", "fabrikam-prod", "--policy-config", "policy/policy-config.json"], {
    cwd: project,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`consumer plan exited ${r.status}: ${r.stderr}`);
  return ms;
}

export async function run(): Promise<Record<string, unknown>> {
  const runs = Number(process.env.BENCH_PLAN_RUNS ?? 5);
  const made = execFileSync(process.execPath, [path.join(ROOT, "scripts/consumer-project.mjs")], { cwd: ROOT, encoding: "utf8" });
  const { work, project } = JSON.parse(made.trim().split("\n").pop() ?? "{}") as { work: string; project: string };
  try {
    const checked: number[] = [];
    const transpiled: number[] = [];
    timePlan(project, {}); // warm the file cache
    for (let i = 0; i < runs; i++) {
      checked.push(timePlan(project, {}));
      transpiled.push(timePlan(project, { PULUMI_NODEJS_TRANSPILE_ONLY: "true" }));
    }
    return { consumer_plan_ms: Math.round(median(checked)), consumer_plan_transpile_only_ms: Math.round(median(transpiled)) };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
