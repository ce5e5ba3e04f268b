/**
 * `replay --stack <name> --signins <files...>`: exported Entra sign-in logs replayed against the
 * Conditional Access policies a stack declares (every condition), streamed record by record.
 */
import * as fs from "node:fs";
import { once } from "node:events";
import type { Command } from "commander";
import { formatProblem } from "../../components/errors";
import {
  Replay,
  ReplayAssertions,
  ReplayInputError,
  normaliseReplayPolicy,
  parseDirectory,
  parseNamedLocations,
  parseReplayAssertion,
  readSignInRecords,
  replaySummary,
  replaySummaryLines,
  signInFromRecord,
  signInShapeKey,
  evaluateOnline,
  type Directory,
  type NamedLocation,
  type OnlineResult,
  type ReadInfo,
  type ReplayAssertion,
  type ReplayPolicy,
  type SignIn,
} from "../../components/conditional-access/replay";
import { CoverageAssertionError } from "../../components/conditional-access/coverage";
import { EXIT_FINDING, InputError, UsageError } from "../output";
import { progressFor } from "../progress";
import { stackConditionalAccessPolicies } from "../stack";
import { errorLines, importPolicyFiles, importedPolicyGraph } from "./import-ca";
import { writeReplayReport } from "../report/replay-report";
import { exportsSource, stackSource } from "./whatif";
import { shownPath } from "../report/write";

interface ReplayCliOptions {
  stack?: string;
  policies?: string[];
  map?: string;
  signins: string[];
  groups?: string[];
  locations?: string;
  breakGlass: string[];
  serviceAccounts: string[];
  assert: string[];
  json?: boolean;
  summary?: boolean;
  html?: string;
  progress?: boolean;
  online?: boolean;
  onlineMax: string;
  graphUrl: string;
}

/** Buffered stdout that waits when the pipe is full, so a million records never pile up in memory. */
class Out {
  private buf = "";
  async write(text: string): Promise<void> {
    this.buf += text;
    if (this.buf.length >= 1 << 16) await this.flush();
  }
  async flush(): Promise<void> {
    if (!this.buf) return;
    const text = this.buf;
    this.buf = "";
    if (!process.stdout.write(text)) await once(process.stdout, "drain");
  }
}

function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    const bytes = fs.readFileSync(file);
    text = bytes[0] === 0xff && bytes[1] === 0xfe ? new TextDecoder("utf-16le").decode(bytes) : new TextDecoder("utf-8").decode(bytes);
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (err) {
    throw new InputError(`${what} ${file}: not valid JSON (${(err as Error).message})`);
  }
}

function ids(values: string[]): string[] {
  return values.flatMap((v) => v.split(",")).map((v) => v.trim().toLowerCase()).filter((v) => v !== "");
}

function parseAssertions(texts: string[]): ReplayAssertion[] {
  return texts.map((text) => {
    try {
      return parseReplayAssertion(text);
    } catch (err) {
      if (err instanceof CoverageAssertionError) throw new UsageError(`--assert: ${err.message}`);
      throw err;
    }
  });
}

function line(s: SignIn, r: ReturnType<Replay["resultJson"]>): string {
  const deciding = r.policies
    .filter((p) => p.verdict === "block" || p.verdict === "unknown")
    .map((p) => `${p.policy} [${p.state}]: ${p.verdict === "unknown" ? `not enough information (${p.condition}${p.needs?.length ? `: ${p.needs.join(", ")}` : ""})` : "block"}`);
  const now = r.outcome !== r.outcomeWithReportOnly ? ` (today: ${r.outcome})` : "";
  return `  #${s.index} ${s.time || "(no time)"} ${r.user ?? "(unknown user)"} -> ${r.app ?? "(unknown app)"} [${r.platform ?? "?"}, ${r.clientAppType ?? "?"}, ${r.trustType ?? "?"}]: ${r.outcomeWithReportOnly}${now}${deciding.length ? `\n      ${deciding.join("\n      ")}` : ""}\n`;
}

export function register(program: Command): void {
  program
    .command("replay")
    .description("replay exported Entra sign-in logs against the Conditional Access policies a stack declares, with every condition")
    .requiredOption("--signins <files...>", "sign-in logs: Graph /auditLogs/signIns JSON, Log Analytics SigninLogs or AADNonInteractiveUserSignInLogs (JSON or CSV), gzip, UTF-8 or UTF-16")
    .option("--stack <name>", "replay against the policies this stack declares")
    .option("--policies <graph-export.json...>", "replay against the policies of Graph exports instead, as import-ca reads them")
    .option("--map <placeholders.json>", "with --policies: values for template placeholders, as import-ca --map")
    .option("--groups <files...>", "group and role memberships exported from Graph (groups or directoryRoles with $expand=members, or users with $expand=transitiveMemberOf)")
    .option("--locations <file>", "named locations exported from Graph (GET /identity/conditionalAccess/namedLocations)")
    .option("--break-glass <ids>", "break-glass user or group ids (comma-separated; the stack's emergencyAccess is read too)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--service-accounts <ids>", "service account user ids or UPNs (comma-separated)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--assert <expression>", "an assertion for CI, e.g. 'blocked-users <= 5' or 'user:<id> never block' (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--json", "print a JSON document, one sign-in per line as they are replayed, then the summary")
    .option("--summary", "print the totals only, no line per sign-in (with --json: no signIns list)")
    .option("--html <file>", "also write an HTML report with blocked sign-ins per day and per app")
    .option("--online", "also send a sample of distinct sign-in shapes to Graph's What If endpoint (Policy.Read.ConditionalAccess) and report agreement")
    .option("--online-max <n>", "most What If calls with --online", "20")
    .option("--graph-url <url>", "Microsoft Graph root for --online", "https://graph.microsoft.com")
    .option("--progress", "print progress lines to stderr (default: only when stderr is a terminal)")
    .option("--no-progress", "never print progress lines")
    .action(async (opts: ReplayCliOptions) => {
      if (!opts.stack === !opts.policies) throw new UsageError("give either --stack <name> or --policies <graph-export.json>..., not both");
      const onlineMax = Number(opts.onlineMax);
      if (!Number.isInteger(onlineMax) || onlineMax < 0) throw new UsageError(`--online-max: "${opts.onlineMax}" is not a whole number of calls`);
      const assertions = parseAssertions(opts.assert);
      const progress = progressFor(opts.progress);
      for (const f of opts.signins) if (!fs.existsSync(f)) throw new UsageError(`cannot read sign-in log ${f}: no such file`);

      let directory: Directory | undefined;
      let locations: NamedLocation[] | undefined;
      try {
        if (opts.groups) directory = parseDirectory(opts.groups.map((f) => ({ name: f, doc: readJsonFile(f, "group export") })));
        if (opts.locations) locations = parseNamedLocations(readJsonFile(opts.locations, "named locations export"));
      } catch (err) {
        if (err instanceof ReplayInputError) throw new InputError(err.message);
        throw err;
      }

      let policies: ReplayPolicy[];
      let importErrors: ReturnType<typeof importPolicyFiles>["errors"] = [];
      const breakGlass = ids(opts.breakGlass);
      const breakGlassGroups: string[] = [];
      if (opts.policies) {
        const imported = importPolicyFiles(opts.policies, opts.map);
        policies = imported.policies.map((p) => importedPolicyGraph(p) as unknown as ReplayPolicy);
        importErrors = imported.errors;
      } else {
        progress.step(`running stack ${opts.stack}`);
        const declared = await stackConditionalAccessPolicies(opts.stack!);
        policies = declared.policies.map((p) => p.graph as unknown as ReplayPolicy);
        breakGlass.push(...declared.emergencyAccess.userIds.map((x) => x.toLowerCase()));
        breakGlassGroups.push(...declared.emergencyAccess.groupIds.map((x) => x.toLowerCase()));
      }
      const problems = policies.flatMap((p, i) => normaliseReplayPolicy(p, `policy[${i}] "${p.displayName ?? ""}"`).problems);
      if (problems.length) throw new InputError(`replay: ${problems.length} invalid polic${problems.length === 1 ? "y field" : "y fields"}:\n${problems.map((p) => `  - ${formatProblem(p)}`).join("\n")}`);

      const replay = new Replay(policies, {
        directory,
        locations,
        accounts: { breakGlassUserIds: breakGlass, breakGlassGroupIds: [...breakGlassGroups, ...breakGlass], serviceAccounts: ids(opts.serviceAccounts) },
      });
      const checks = new ReplayAssertions(assertions, replay);
      const what = opts.stack ? `stack ${opts.stack}` : opts.policies!.join(", ");
      const out = new Out();
      const shapes = new Map<string, { signIn: SignIn; codes: Uint16Array }>();
      const inputs: ({ file: string } & ReadInfo)[] = [];

      if (opts.json && !opts.summary) await out.write(`{\n"source": ${JSON.stringify(opts.stack ? { stack: opts.stack } : { policies: opts.policies })},\n"signIns": [`);
      else if (!opts.summary) await out.write(`Sign-ins blocked or undecided with report-only policies enforced:\n`);
      // From here on a --json document is open on stdout: a failure closes it with an error member (exit 1).
      let first = true;
      try {
        let index = 0;
        for (const file of opts.signins) {
          const info: ReadInfo = { compression: "none", encoding: "utf-8", format: "empty", records: 0 };
          inputs.push({ file, ...info });
          progress.step(`reading ${file}`);
          try {
            for await (const record of readSignInRecords(fs.createReadStream(file, { highWaterMark: 1 << 20 }), `sign-in log ${file}`, info)) {
              const s = signInFromRecord(record, index++);
              const outcome = replay.add(s);
              checks.check(s);
              if (opts.online && shapes.size < onlineMax * 5) {
                const key = signInShapeKey(s);
                if (!shapes.has(key)) shapes.set(key, { signIn: s, codes: Uint16Array.from({ length: replay.policies.length }, (_, i) => replay.code(i)) });
              }
              if (opts.json && !opts.summary) {
                await out.write(`${first ? "\n" : ",\n"}${JSON.stringify(replay.resultJson(s))}`);
                first = false;
              } else if (!opts.json && !opts.summary && outcome >> 2 >= 2) await out.write(line(s, replay.resultJson(s)));
              if (index % 100_000 === 0) progress.step(`replayed ${index} sign-in(s)`);
            }
          } catch (err) {
            if (err instanceof ReplayInputError) throw new InputError(err.message);
            throw err;
          }
          Object.assign(inputs[inputs.length - 1], info);
        }
        progress.step(`replayed ${index} sign-in(s)`);

        let online: OnlineResult | undefined;
        if (opts.online) {
          progress.step(`asking Entra What If for ${Math.min(onlineMax, shapes.size)} sign-in shape(s)`);
          const { AzureRestClient } = await import("../../components/azure-rest/client");
          const client = new AzureRestClient({ baseUrl: opts.graphUrl, scope: "https://graph.microsoft.com/.default" });
          try {
            online = await evaluateOnline(client, [...shapes.values()], replay.policies, onlineMax);
          } catch (err) {
            throw new InputError(`--online: the What If check could not finish: ${(err as Error).message}`);
          }
        }

        const results = checks.finish();
        const summary = replaySummary(replay, what, inputs, results);
        const ok = results.every((r) => r.ok) && importErrors.length === 0;
        if (opts.html) {
          progress.step(`writing ${opts.html}`);
          const files = opts.signins.map((f) => ({ role: "Sign-in log", path: shownPath(f) }));
          writeReplayReport(opts.html, { title: `Sign-in replay: ${what}`, summary, online }, opts.stack ? stackSource(opts.stack, files) : exportsSource(opts.policies!, opts.map, files));
        }
        if (opts.json) {
          const source = opts.stack ? { stack: opts.stack } : { policies: opts.policies };
          const doc = { ok, ...summary, ...(online ? { online } : {}), ...(opts.policies ? { importErrors } : {}) };
          // --summary: one document without the sign-ins; otherwise the sign-ins were streamed first.
          if (opts.summary) await out.write(`${JSON.stringify({ summary: true, source, ...doc }, null, 2)}\n`);
          else await out.write(`${first ? "" : "\n"}],\n${JSON.stringify(doc, null, 2).slice(2)}\n`);
        } else {
          const lines = replaySummaryLines(summary);
          if (online) {
            lines.splice(
              lines.length - 1,
              0,
              `Entra What If (--online): ${online.calls} call(s)${online.notSent ? ` (${online.notSent} more distinct shape(s) left unsent: --online-max)` : ""}, ${online.ratio === null ? "nothing compared" : `${(online.ratio * 100).toFixed(1)}% agreement`} (${online.agree} agree, ${online.disagree} disagree, ${online.undecided} undecided here)`,
              ...online.disagreements.map((d) => `  ${d.signIn}: ${d.policy}: Entra ${d.entraApplies ? "applies" : "does not apply"}, replay ${d.ours}${d.reasons ? ` (Entra: ${d.reasons})` : ""}`),
              ...online.errors.slice(0, 10).map((e) => `  ${e.signIn}: ${e.error}`),
              "",
            );
          }
          await out.write(`${opts.summary ? "" : "\n"}${lines.join("\n")}\n`);
        }
        await out.flush();
        for (const e of opts.json ? [] : importErrors) process.stderr.write(`${errorLines(e).join("\n")}\n  (left out of the replay)\n`);
        progress.step("done");
        if (!ok) process.exitCode = EXIT_FINDING;
      } catch (err) {
        if (!(opts.json && !opts.summary)) throw err;
        const kind = err instanceof InputError || err instanceof ReplayInputError ? "invalid-input" : "error";
        const error = { kind, message: err instanceof Error ? err.message : String(err) };
        await out.write(`${first ? "" : "\n"}],\n"ok": false,\n"error": ${JSON.stringify(error, null, 2)}\n}\n`);
        await out.flush();
        process.exitCode = EXIT_FINDING;
      }
    });
}
