/**
 * Replay figures:
 * - replay_signins_per_sec: sign-in x policy evaluations per CPU second, 1,000,000 sign-ins x 50
 *   policies (100,000 distinct generated sign-ins replayed in 10 batches, outcome combined per
 *   sign-in): the median batch, with the lowest and highest (`_spread`), and
 *   `replay_vs_hand_written`: the CPU time of 50 compiled copies of the corporate-device policy
 *   over the same sign-ins divided by that of 50 hand-written closures of it (same loop, batches
 *   alternating in the same process).
 * - replay_peak_rss_mb: peak RSS of `tenant-guardrails replay --json` over 1,000,000 sign-ins read
 *   from a gzip Graph export (streamed, never loaded whole), output to /dev/null.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { once } from "node:events";
import {
  compileReplayPolicies,
  evaluateSignIn,
  parseNamedLocations,
  signInFromRecord,
  type SignIn,
} from "../components/conditional-access/replay";
import { corporateDevicePolicy, LOCATION_IDS, randomPolicy, realisticPolicies } from "../test/helpers/replay-policies";
import { generateFacts, generateUsers, graphRecord } from "../test/helpers/signin-generator";
import { median, prng } from "./util";

const DISTINCT = 100_000;
/** Timed batches per figure (one pass over the distinct sign-ins each): 1,000,000 sign-ins in all. */
const BATCHES = 10;
const POLICIES = 50;

function locations() {
  return parseNamedLocations({
    value: [
      { "@odata.type": "#microsoft.graph.ipNamedLocation", id: LOCATION_IDS[0], displayName: "HQ", isTrusted: true, ipRanges: [{ cidrAddress: "203.0.113.0/24" }] },
      { "@odata.type": "#microsoft.graph.countryNamedLocation", id: LOCATION_IDS[1], displayName: "Allowed countries", countriesAndRegions: ["DE", "US", "FR"], includeUnknownCountriesAndRegions: false },
    ],
  });
}

/** The corporate-device policy written by hand: what the compiled form is measured against. */
function handWritten(excluded: ReadonlySet<string>): (s: SignIn) => number {
  const office = new Set(["00000002-0000-0ff1-ce00-000000000000", "00000003-0000-0ff1-ce00-000000000000", "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", "4765445b-32c6-49b0-83e6-1d93765276ca"]);
  return (s) => {
    if (s.isServicePrincipal) return 0;
    if (s.userId !== undefined && excluded.has(s.userId)) return 0;
    const target = s.resourceId ?? s.appId;
    if (target === undefined || !office.has(target)) return 0;
    const d = s.device;
    if (d === undefined) return 4;
    if (d === null) return 1;
    const t = d.trustType;
    return t === "AzureAD" || t === "ServerAD" ? 0 : 1;
  };
}

async function peakRss(): Promise<number | string> {
  const cli = path.join(__dirname, "..", "cli", "main.js");
  if (!fs.existsSync(cli)) return "skipped: build first";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tg-replay-bench-"));
  const file = path.join(dir, "signins.json.gz");
  try {
    // A Graph export of 1,000,000 sign-ins in pages of 1,000, gzip: written as a stream.
    const gz = zlib.createGzip({ level: 1 });
    const outFile = fs.createWriteStream(file);
    gz.pipe(outFile);
    const users = generateUsers(7);
    let page: string[] = [];
    const write = async (text: string) => {
      if (!gz.write(text)) await once(gz, "drain");
    };
    for (const f of generateFacts(1_000_000, { seed: 7, users })) {
      page.push(JSON.stringify(graphRecord(f, [{ displayName: "Office 365 from corporate Windows devices", result: f.trust === "" ? "reportOnlyFailure" : "reportOnlySuccess" }])));
      if (page.length === 1000) {
        await write(`{"@odata.context":"https://graph.microsoft.com/beta/$metadata#auditLogs/signIns","value":[${page.join(",")}]}\n`);
        page = [];
      }
    }
    gz.end();
    await once(outFile, "close");
    const script = `const m=require(${JSON.stringify(cli)});m.main(process.argv.slice(1)).then(c=>process.stdout.write("",()=>{process.stderr.write("MAXRSS "+process.resourceUsage().maxRSS+"\\n");process.exit(c)}))`;
    const r = spawnSync(process.execPath, ["-e", script, "replay", "--stack", "prod", "--signins", file, "--json", "--no-progress"], {
      cwd: path.join(__dirname, "..", ".."),
      stdio: ["ignore", fs.openSync("/dev/null", "w"), "pipe"],
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    const m = /MAXRSS (\d+)/.exec(r.stderr ?? "");
    if (!m) return `failed: ${(r.stderr ?? "").slice(0, 300)}`;
    return Math.round(Number(m[1]) / 1024);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU time (user + system, this process) of `fn`, in milliseconds: steadier than wall time on a shared machine. */
function cpuMs(fn: () => number): number {
  const t0 = process.cpuUsage();
  const sink = fn();
  const t = process.cpuUsage(t0);
  if (sink < 0) throw new Error("unreachable");
  return (t.user + t.system) / 1000;
}

/** Median and spread (lowest and highest) of per-batch figures, rounded to `digits` decimals. */
function summary(values: number[], digits = 0): { median: number; min: number; max: number } {
  const round = (v: number) => Number(v.toFixed(digits));
  return { median: round(median(values)), min: round(Math.min(...values)), max: round(Math.max(...values)) };
}

/**
 * The evaluation figures alone (no 1,000,000-record file). Both figures are measured as BATCHES
 * batches (each one pass over the 100,000 distinct sign-ins) in CPU time, after warm-up, and
 * reported as the median with its spread. The compiled and hand-written batches of the ratio
 * alternate, so machine load falls on both alike.
 */
export function evaluationFigures(): Record<string, unknown> {
  const users = generateUsers(3);
  const signIns: SignIn[] = [];
  let i = 0;
  for (const f of generateFacts(DISTINCT, { seed: 3, users })) signIns.push(signInFromRecord(graphRecord(f), i++));
  const r = prng(11);
  const userIds = users.map((u) => u.id);
  const policies = [...realisticPolicies(), ...Array.from({ length: POLICIES - realisticPolicies().length }, (_, k) => randomPolicy(r, k, userIds))];
  const ctx = { locations: locations() };
  const compiled = compileReplayPolicies(policies, ctx);
  const out = new Uint16Array(compiled.length);
  const replayBatch = (): number => {
    let sink = 0;
    for (let k = 0; k < signIns.length; k++) sink += evaluateSignIn(compiled, signIns[k], out);
    return sink;
  };
  for (let w = 0; w < 3; w++) replayBatch(); // warm-up: optimised code before timing
  const replayMs = Array.from({ length: BATCHES }, () => cpuMs(replayBatch));
  const rates = replayMs.map((ms) => (signIns.length * compiled.length) / (ms / 1000));

  // Compiled vs hand-written, same 50 copies of the corporate-device policy.
  const excluded = new Set(users.filter((u) => u.kind === "breakGlass").map((u) => u.id));
  const same = compileReplayPolicies(
    Array.from({ length: POLICIES }, (_, k) => ({ ...corporateDevicePolicy("enabled", `copy ${k}`), conditions: { ...corporateDevicePolicy().conditions, users: { includeUsers: ["All"], excludeUsers: [...excluded] }, applications: { includeApplications: ["00000002-0000-0ff1-ce00-000000000000", "00000003-0000-0ff1-ce00-000000000000", "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", "4765445b-32c6-49b0-83e6-1d93765276ca"] } } })),
  );
  const hand = Array.from({ length: POLICIES }, () => handWritten(excluded));
  // The same loop shape for both: each policy's predicate called per sign-in (the outcome combination is measured above).
  const handBatch = (): number => {
    let sink = 0;
    for (let k = 0; k < signIns.length; k++) {
      const s = signIns[k];
      for (let p = 0; p < hand.length; p++) sink += hand[p](s);
    }
    return sink;
  };
  const compiledBatch = (): number => {
    let sink = 0;
    for (let k = 0; k < signIns.length; k++) {
      const s = signIns[k];
      for (let p = 0; p < same.length; p++) sink += same[p].evaluate(s);
    }
    return sink;
  };
  for (let w = 0; w < 3; w++) {
    handBatch();
    compiledBatch();
  }
  const ratios: number[] = [];
  const handMs: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const h = cpuMs(handBatch);
    const c = cpuMs(compiledBatch);
    handMs.push(h);
    ratios.push(c / h);
  }
  const rate = summary(rates);
  const ratio = summary(ratios, 2);
  const loadavg = os.loadavg().map((l) => Number(l.toFixed(2)));
  return {
    replay_signins_per_sec: rate.median,
    replay_signins_per_sec_spread: [rate.min, rate.max],
    replay_signins_per_sec_note: `sign-in x policy evaluations per CPU second: median of ${BATCHES} batches of ${signIns.length} sign-ins x ${compiled.length} policies (${BATCHES * signIns.length} sign-ins in all), median batch ${Math.round(median(replayMs))} ms CPU; spread = lowest and highest batch; load average ${loadavg.join(" ")}`,
    replay_vs_hand_written: ratio.median,
    replay_vs_hand_written_spread: [ratio.min, ratio.max],
    replay_vs_hand_written_note: `CPU time of ${POLICIES} compiled copies of the corporate-device policy / ${POLICIES} hand-written closures of it over the same ${signIns.length} sign-ins, median of ${BATCHES} alternating batch pairs (hand-written batch median ${Math.round(median(handMs))} ms)`,
  };
}

export async function run(): Promise<Record<string, unknown>> {
  return { ...evaluationFigures(), replay_peak_rss_mb: await peakRss() };
}
