/**
 * `whatif` at tenant scale, as a user runs it: 1,000,000 synthetic devices (Graph JSON, one
 * `{ "value": [...] }` page, about 600 MB) x 50 policies (a Graph export with the 50 bench rules as
 * device filters), `--json` to a file, in a child process of the built CLI. Figures:
 * - whatif_1m_peak_rss_mb: the child's peak resident set size (getrusage maxRSS, read by the child
 *   itself at exit through a --require hook), in MB. Target under 500.
 * - whatif_1m_seconds: wall time of the child, start to exit.
 * - whatif_1m_exit_code: 0 when the run succeeded and the document ends with the expected totals;
 *   otherwise the figures above describe a failed run and whatif_1m_error says why.
 *
 * The inventory is written once per bench run into a temporary folder and removed at the end.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { BENCH_RULES, generateDevices } from "./conditional-access";
import { repositoryRoot } from "./fixtures";

export const SCALE_DEVICES = 1_000_000;
const POLICIES = 50;

/** A Graph export of 50 policies: the bench rules as device filters, with varied states, grants and platforms. */
export function scalePolicies(): unknown {
  const value = BENCH_RULES.slice(0, POLICIES).map((rule, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    displayName: `WS${String(i + 1).padStart(3, "0")}: device gate ${i + 1}`,
    state: i % 5 === 4 ? "enabledForReportingButNotEnforced" : i % 11 === 10 ? "disabled" : "enabled",
    conditions: {
      applications: { includeApplications: ["All"] },
      users: { includeUsers: ["All"], excludeGroups: ["a881d286-2b5c-417b-8d7e-c48b516aef83"] },
      clientAppTypes: ["all"],
      ...(i % 7 === 3 ? { platforms: { includePlatforms: ["all"], excludePlatforms: ["iOS"] } } : {}),
      devices: { deviceFilter: { mode: i % 4 === 1 ? "exclude" : "include", rule } },
    },
    grantControls: i % 3 === 0 ? { operator: "OR", builtInControls: ["block"] } : { operator: i % 2 ? "AND" : "OR", builtInControls: ["mfa", "compliantDevice"] },
  }));
  return { "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies", value };
}

/** Write `count` synthetic devices as one Graph page, a batch of devices per write. */
export async function writeInventory(file: string, count: number): Promise<void> {
  const out = fs.createWriteStream(file);
  const write = (text: string) => (out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once("drain", () => resolve())));
  await write('{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#devices","value":[\n');
  let batch: string[] = [];
  let first = true;
  for (const device of generateDevices(count)) {
    batch.push(JSON.stringify(device));
    if (batch.length === 2000) {
      await write((first ? "" : ",\n") + batch.join(",\n"));
      first = false;
      batch = [];
    }
  }
  if (batch.length) await write((first ? "" : ",\n") + batch.join(",\n"));
  await write("\n]}\n");
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

export interface ChildRun {
  code: number;
  seconds: number;
  peakRssMb: number;
  stderr: string;
}

/** Run the built CLI with `args`, stdout to `outFile`, and report its peak RSS (read by the child at exit). */
export function runMeasured(args: string[], outFile: string, dir: string): Promise<ChildRun> {
  const hook = path.join(dir, "peak-rss.js");
  const rssFile = path.join(dir, "peak-rss.txt");
  fs.writeFileSync(hook, `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`);
  fs.rmSync(rssFile, { force: true });
  const out = fs.openSync(outFile, "w");
  const t0 = performance.now();
  const child = spawn(process.execPath, ["--require", hook, path.join(repositoryRoot(), "dist/cli/main.js"), ...args], { stdio: ["ignore", out, "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000); // the end says why a run failed
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      fs.closeSync(out);
      const seconds = (performance.now() - t0) / 1000;
      // maxRSS is in kilobytes; a child killed by a signal (out of memory) writes nothing.
      const kb = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, "utf8")) : NaN;
      resolve({ code: code ?? (signal ? 128 : -1), seconds, peakRssMb: Math.round(kb / 1024), stderr });
    });
  });
}

/** The last bytes of a file (the totals of a whatif document are at its end). */
function tail(file: string, bytes: number): string {
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.alloc(Math.min(bytes, size));
    fs.readSync(fd, buf, 0, buf.length, size - buf.length);
    return buf.toString("utf8");
  } finally {
    fs.closeSync(fd);
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tg-bench-whatif-"));
  try {
    const inventory = path.join(dir, "devices.json");
    const policies = path.join(dir, "policies.json");
    const output = path.join(dir, "whatif.json");
    fs.writeFileSync(policies, JSON.stringify(scalePolicies()));
    await writeInventory(inventory, SCALE_DEVICES);
    const r = await runMeasured(["whatif", "--devices", inventory, "--policies", policies, "--json", "--no-progress"], output, dir);
    const end = r.code === 0 ? tail(output, 4096) : "";
    const complete = r.code === 0 && new RegExp(`"devices": ${SCALE_DEVICES},`).test(end) && /\}\s*$/.test(end);
    const figures: Record<string, unknown> = {
      whatif_1m_peak_rss_mb: r.peakRssMb,
      whatif_1m_seconds: Math.round(r.seconds * 10) / 10,
      whatif_1m_exit_code: complete ? 0 : r.code || 1,
      whatif_1m_input_mb: Math.round(fs.statSync(inventory).size / 1024 / 1024),
      whatif_1m_output_mb: Math.round(fs.statSync(output).size / 1024 / 1024),
    };
    if (!complete) figures.whatif_1m_error = (r.stderr.trim().split("\n").filter(Boolean).slice(-3).join(" | ") || "the document does not end with the totals").slice(0, 300);
    return figures;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
