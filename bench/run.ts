/**
 * `npm run bench [-- --json]`: runs every benchmark and prints one JSON object of named figures
 * (with --json) or a table. Each benchmark module exports `run(): Promise<Record<string, unknown>>`;
 * add yours to BENCHES. Figures are medians over repeated runs in one process, so ratios are
 * measured under the same machine load.
 */
type Bench = { name: string; load: () => Promise<{ run: () => Promise<Record<string, unknown>> }> };

const BENCHES: Bench[] = [
  { name: "plan", load: () => import("./plan") },
  { name: "conditional-access", load: () => import("./conditional-access") },
  { name: "whatif-scale", load: () => import("./whatif-scale") },
  { name: "import-ca", load: () => import("./import-ca") },
  { name: "coverage", load: () => import("./coverage") },
  { name: "replay", load: () => import("./replay") },
  { name: "intune", load: () => import("./intune") },
  { name: "graph-ca", load: () => import("./graph-ca") },
  { name: "defender", load: () => import("./defender") },
  { name: "faults", load: () => import("./faults") },
  { name: "email", load: () => import("./email") },
  { name: "package", load: () => import("./package") },
  { name: "stack", load: () => import("./stack") },
  { name: "consumer", load: () => import("./consumer") },
  { name: "engine", load: () => import("./engine") },
];

async function main(): Promise<void> {
  const json = process.argv.includes("--json");
  const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
  const figures: Record<string, unknown> = {};
  for (const bench of BENCHES) {
    if (only && !only.split(",").includes(bench.name)) continue;
    const mod = await bench.load();
    Object.assign(figures, await mod.run());
    if (!json) process.stderr.write(`bench ${bench.name} done\n`);
  }
  if (json) process.stdout.write(JSON.stringify(figures, null, 2) + "\n");
  else for (const [k, v] of Object.entries(figures)) process.stdout.write(`${k.padEnd(32)} ${JSON.stringify(v)}\n`);
}

main().catch((err) => {
  process.stderr.write(String(err instanceof Error ? err.stack : err) + "\n");
  process.exit(1);
});
