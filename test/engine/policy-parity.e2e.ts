/**
 * `npm run test:engine`: the offline `tenant-guardrails plan --json` policy findings equal what the
 * real engine reports with the policy pack (`pulumi preview --policy-pack`), for the same program,
 * stack and pack config. The stack is the repository's stack program with the dev config, named
 * `production`, so that the production-only policies find something. Its azuread, azure-native and
 * command resources go to the PROVIDER DOUBLES (test/engine/doubles); the pack runs through the
 * executable launcher (the language host built here has no RunPlugin, see docs/engine-tests.md).
 *
 * Skipped with one line when the engine is not built (see pulumi-engine.e2e.ts); CI=true fails.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT, writePolicyPack } from "./harness";
import { requireEngine } from "./require-engine";
import { createStackWorkspace, type StackWorkspace } from "./doubles";

const { bin, built } = requireEngine();

const STACK = "production";

/** One finding, as both sides state it: policy, level, severity, the resource's name and the message. */
interface Finding {
  policy: string;
  enforcementLevel: string;
  severity: string;
  resource: string;
  message: string;
}

/** The findings in one order, each with its fields in one order. */
const sorted = (list: Finding[]) =>
  list
    .map((f) => ({ policy: f.policy, resource: f.resource, enforcementLevel: f.enforcementLevel, severity: f.severity, message: f.message }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/**
 * The violations of the `Policies:` section of `pulumi preview`'s output. Each is
 *   - [<level>] [severity: <severity>]  <policy>  (<type>: <name>)
 *     <the policy's description>
 *     <the message>
 */
function engineFindings(output: string): Finding[] {
  const lines = output.split("\n");
  const start = lines.findIndex((l) => l.trim() === "Policies:");
  if (start < 0) return [];
  const found: Finding[] = [];
  for (let i = start + 1; i < lines.length && lines[i].trim() !== ""; i++) {
    const head = /^\s+- \[(\w+)\] \[severity: (\w+)\]\s+(\S+)\s+\((?:[^:]+:[^:]+:[^:]+: )?([^)]*)\)\s*$/.exec(lines[i]);
    if (!head) continue;
    const message: string[] = [];
    for (let j = i + 2; j < lines.length && lines[j].trim() !== "" && !/^\s+- \[/.test(lines[j]) && !/^\s+\S+ tenant-guardrails@/.test(lines[j]); j++) message.push(lines[j].trim());
    found.push({ enforcementLevel: head[1], severity: head[2], policy: head[3], resource: head[4], message: message.join("\n") });
  }
  return found;
}

(built ? describe : describe.skip)("offline plan findings and the engine's policy pack output", () => {
  let ws: StackWorkspace;
  let launcher: string;
  let packConfig: string;

  beforeAll(async () => {
    ws = await createStackWorkspace(bin, STACK, "dev");
    launcher = writePolicyPack(path.join(ws.root, "policy-pack"));
    packConfig = path.join(REPO_ROOT, "policies", "policy-config.json");
  }, 120_000);

  afterAll(async () => {
    await ws?.dispose();
  });

  it("are the same findings, and both block", async () => {
    // Offline: the same project directory (program, stack file), the same pack config.
    const plan = spawnSync(process.execPath, [path.join(REPO_ROOT, "dist", "cli", "main.js"), "plan", "--stack", STACK, "--json", "--policy-config", packConfig], { cwd: ws.projectDir, encoding: "utf8", timeout: 120_000 });
    const doc = JSON.parse(plan.stdout) as { findings: { policy: string; enforcementLevel: string; severity: string; urn?: string; message: string }[] };
    const offline = doc.findings.map((f) => ({ policy: f.policy, enforcementLevel: f.enforcementLevel, severity: f.severity, resource: f.urn ? f.urn.split("::").pop()! : "", message: f.message }));

    const r = await ws.pulumi(["preview", "--policy-pack", launcher, "--policy-pack-config", packConfig]);
    const engine = engineFindings(r.stdout);

    expect(offline.length).toBeGreaterThan(0);
    expect(sorted(engine)).toEqual(sorted(offline));
    // A mandatory finding blocks both: plan exits 1, the preview fails.
    expect(offline.some((f) => f.enforcementLevel === "mandatory")).toBe(true);
    expect(plan.status).toBe(1);
    expect(r.code).not.toBe(0);
  }, 300_000);

  it("made advisory in the pack config, are still the same findings, and neither blocks", async () => {
    const config = JSON.parse(fs.readFileSync(packConfig, "utf8")) as Record<string, Record<string, unknown>>;
    const advisory = path.join(ws.root, "advisory.json");
    fs.writeFileSync(advisory, JSON.stringify(Object.fromEntries(Object.entries(config).map(([k, v]) => [k, { ...v, enforcementLevel: "advisory" }]))));
    const plan = spawnSync(process.execPath, [path.join(REPO_ROOT, "dist", "cli", "main.js"), "plan", "--stack", STACK, "--json", "--policy-config", advisory], { cwd: ws.projectDir, encoding: "utf8", timeout: 120_000 });
    const doc = JSON.parse(plan.stdout) as { findings: { policy: string; enforcementLevel: string; severity: string; urn?: string; message: string }[] };
    const offline = doc.findings.map((f) => ({ policy: f.policy, enforcementLevel: f.enforcementLevel, severity: f.severity, resource: f.urn ? f.urn.split("::").pop()! : "", message: f.message }));
    const r = await ws.pulumi(["preview", "--policy-pack", launcher, "--policy-pack-config", advisory]);
    expect(offline.length).toBeGreaterThan(0);
    expect(offline.every((f) => f.enforcementLevel === "advisory")).toBe(true);
    expect(sorted(engineFindings(r.stdout))).toEqual(sorted(offline));
    expect(plan.status).toBe(0);
    expect(r.code).toBe(0);
  }, 300_000);
});
