/**
 * The whole stack with the policy pack, as a user runs it: `plan --stack prod` as a fresh process
 * (`plan_prod_ms`), and the same for a generated stack with 10x prod's resources in a temp project
 * (`plan_scale_ratio` = its time / prod's; target <= 12). Both are measured interleaved.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { median } from "./util";

// bench/ (tests, from source) or dist/bench/ (npm run bench)
const ROOT = fs.existsSync(path.resolve(__dirname, "../package.json")) ? path.resolve(__dirname, "..") : path.resolve(__dirname, "../..");
const CLI = path.join(ROOT, "dist/cli/main.js");

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");
const guid = (kind: number, i: number) => `${hex(kind, 8)}-${hex(i, 4)}-4${hex(i % 4096, 3)}-8${hex(kind % 4096, 3)}-${hex(i, 12)}`;

/**
 * A production config with `scale` times prod's lists: domains (each sending, with DKIM: four DNS
 * records), break-glass accounts, device groups, machines.
 */
export function scaledProdConfig(scale: number): string {
  const sub = "9d4f1a27-6c3b-4e5d-8f70-2a1b3c4d5e62";
  const groups = Array.from({ length: 3 * scale }, (_, i) => guid(0x6d3f8b20, i));
  const lines = [
    "config:",
    "  tenant-guardrails:conditionalAccess:",
    '    displayNamePrefix: "Office 365 from corporate Windows devices"',
    "    state: enabled",
    "    applications: [Office365]",
    "    allowedPlatforms: [windows]",
    "    emergencyAccess:",
    `      userIds: [${Array.from({ length: 2 * scale }, (_, i) => `"${guid(0x5d2a7e3c, i)}"`).join(", ")}]`,
    '      groupIds: ["0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b02"]',
    "  tenant-guardrails:intune:",
    "    onRemove: disable",
    "    assignment:",
    `      includeGroupIds: [${groups.map((g) => `"${g}"`).join(", ")}]`,
    "    bitLocker: { recoveryMode: recoveryPasswords }",
    "  tenant-guardrails:email:",
    "    resourceGroupName: rg-dns-prod",
    "    dmarcPolicy: reject",
    "    domains:",
    ...Array.from({ length: 4 * scale }, (_, i) => [
      `      - domain: brand${i}.contoso.com`,
      "        dmarc:",
      '          aggregateReportUris: ["mailto:dmarc-reports@contoso.com"]',
      "        dkim: { format: legacy, initialDomainPrefix: contoso }",
    ]).flat(),
    "  tenant-guardrails:qualysLicenseCode:",
    "    secure: v1:PLACEHOLDERnotarealciphertext0000:REPLACE",
    "  tenant-guardrails:qualysPublicKey:",
    "    secure: v1:PLACEHOLDERnotarealciphertext0001:REPLACE",
    "  tenant-guardrails:defender:",
    `    subscriptionId: "${sub}"`,
    "    provider: qualysByol",
    "    qualysByol: { resourceGroupName: rg-security-prod, location: westeurope, autoUpdate: true }",
    "    machines:",
    ...Array.from({ length: 3 * scale }, (_, i) => `      - /subscriptions/${sub}/resourceGroups/rg-app-prod/providers/Microsoft.Compute/virtualMachines/vm-${i}`),
    "",
  ];
  return lines.join("\n");
}

/** A temp project (dist linked, the repository's policy config) holding `Pulumi.prod.yaml`. */
export function scaledProject(scale: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tg-bench-stack-"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: tenant-guardrails\nruntime: nodejs\nmain: dist/stacks/index.js\nstackConfigDir: stacks\n");
  fs.mkdirSync(path.join(dir, "stacks"));
  fs.mkdirSync(path.join(dir, "policies"));
  fs.symlinkSync(path.join(ROOT, "dist"), path.join(dir, "dist"));
  fs.copyFileSync(path.join(ROOT, "policies/policy-config.json"), path.join(dir, "policies/policy-config.json"));
  fs.writeFileSync(path.join(dir, "stacks/Pulumi.prod.yaml"), scaledProdConfig(scale));
  return dir;
}

function planProcess(cwd: string): { ms: number; resources: number; findings: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, "plan", "--stack", "prod", "--json"], { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`plan in ${cwd} exited ${r.status}: ${r.stderr || r.stdout.slice(0, 2000)}`);
  const doc = JSON.parse(r.stdout) as { resources: unknown[]; findings: unknown[] };
  return { ms, resources: doc.resources.length, findings: doc.findings.length };
}

export async function run(): Promise<Record<string, unknown>> {
  const runs = Number(process.env.BENCH_STACK_RUNS ?? 5);
  const scaled = scaledProject(10);
  try {
    const first = planProcess(ROOT); // warm the file cache
    const big = planProcess(scaled);
    const prod: number[] = [];
    const scale: number[] = [];
    for (let i = 0; i < runs; i++) {
      prod.push(planProcess(ROOT).ms);
      scale.push(planProcess(scaled).ms);
    }
    const prodMs = median(prod);
    return {
      plan_prod_ms: Math.round(prodMs),
      plan_prod_resources: first.resources,
      plan_scale_resources: big.resources,
      plan_scale_ms: Math.round(median(scale)),
      plan_scale_ratio: Number((median(scale) / prodMs).toFixed(2)),
    };
  } finally {
    fs.rmSync(scaled, { recursive: true, force: true });
  }
}
