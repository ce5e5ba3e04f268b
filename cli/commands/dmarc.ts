/**
 * `dmarc check <record>`: parse and validate a DMARC record (RFC 9989, or RFC 7489 with --spec).
 * `dmarc whatif ...`: predict what Exchange Online does with a described message under a stack's
 * (or a settings file's) inbound DMARC settings.
 * `dmarc report <files...>`: read aggregate reports; per domain, whether it may move to the next stage.
 */
import * as fs from "node:fs";
import type { Command } from "commander";
// The pure modules only: `dmarc check` must start without the Pulumi SDK (the stack is loaded lazily).
import { DmarcSpec, dmarcTagValues, joinTxtStrings, parseDmarcRecord, type DmarcPolicy } from "../../components/email/dmarc";
import {
  NOT_MODELLED,
  evaluateInboundDmarc,
  validateInboundMessage,
  validateInboundSettings,
  type DmarcOutcome,
  type InboundMessage,
  type InboundSettings,
} from "../../components/email/inbound";
import { DmarcReportError, readDmarcReportFile } from "../../components/email/dmarc-reports";
import {
  DMARC_STAGES,
  DmarcReportSummer,
  checkReadinessAssertion,
  dmarcReadiness,
  type DmarcDomainStats,
  type DmarcStage,
  type DomainReadiness,
  type FailingSource,
} from "../../components/email/dmarc-readiness";
import { DMARC_VERDICTS, predictDomainSources, predictionAssumptions, type DomainPrediction } from "../../components/email/dmarc-prediction";
import { EXIT_FINDING, InputError, UsageError, printJson, printLines } from "../output";

interface CheckOptions {
  spec?: string;
  parked?: boolean;
  json?: boolean;
}

function checkRecord(record: string, opts: CheckOptions): void {
  const spec = (opts.spec ?? "RFC9989").toUpperCase().replace(/\s+/g, "");
  if (spec !== DmarcSpec.Rfc9989 && spec !== DmarcSpec.Rfc7489) throw new UsageError(`--spec must be RFC9989 or RFC7489, not "${opts.spec}"`);
  record = joinTxtStrings(record);
  const result = parseDmarcRecord(record, { spec: spec as DmarcSpec, parked: opts.parked });
  const tags = dmarcTagValues(result);
  if (opts.json) {
    printJson({ ok: result.valid, record, spec, isDmarc: result.isDmarc, valid: result.valid, tags, findings: result.findings });
  } else {
    const lines = [result.valid ? `valid DMARC record (${spec})` : result.isDmarc ? `invalid DMARC record (${spec})` : `not a DMARC record (${spec})`];
    if (result.isDmarc) {
      lines.push("", "Effective values (defaults filled in):");
      for (const [k, v] of Object.entries(tags)) lines.push(`  ${k}=${v}`);
    }
    if (result.findings.length) {
      lines.push("", "Findings:");
      for (const f of result.findings) lines.push(`  ${f.severity}: ${f.message}${f.tag ? ` [${f.tag}]` : ""} (${f.source})`);
    }
    printLines(lines);
  }
  if (!result.valid) process.exitCode = EXIT_FINDING;
}

interface WhatifOptions {
  from: string;
  dmarc: string;
  policy?: string;
  record?: string;
  compauth?: string;
  ptr?: string;
  ip?: string;
  dkim?: string;
  stack?: string;
  settings?: string;
  expect?: string;
  json?: boolean;
}

/**
 * What a stack's EmailAuthentication declares: the inbound settings (its domains are the accepted
 * domains) and each domain's DMARC stage (parked domains publish reject). One run of the stack.
 */
export async function stackEmail(stack: string): Promise<{ inbound: InboundSettings; stages: Map<string, DmarcStage> }> {
  const [{ runStack }, { EMAIL_AUTHENTICATION_TYPE }] = await Promise.all([import("../stack"), import("../../components/email/email-authentication")]);
  const { resources } = await runStack(stack);
  const component = resources.find((r) => r.type === EMAIL_AUTHENTICATION_TYPE);
  if (!component) throw new InputError(`stack "${stack}" declares no EmailAuthentication (config tenant-guardrails:email)`);
  const inputs = component.plainInputs as { inbound?: InboundSettings; dmarcPolicy?: string; domains?: { domain?: string; parked?: boolean; dmarc?: { policy?: string } }[] };
  const stages = new Map<string, DmarcStage>();
  for (const d of inputs.domains ?? []) {
    if (typeof d.domain !== "string") continue;
    const p = d.parked ? "reject" : (d.dmarc?.policy ?? inputs.dmarcPolicy ?? "none");
    stages.set(d.domain.toLowerCase(), (DMARC_STAGES as readonly string[]).includes(p) ? (p as DmarcStage) : "none");
  }
  const accepted = (inputs.domains ?? []).map((d) => d.domain).filter((d): d is string => typeof d === "string");
  // The stack's inbound block also holds the Exchange connection (appId, certificate): keep only the settings.
  const { exchange: _exchange, ...inbound } = (inputs.inbound ?? {}) as InboundSettings & { exchange?: unknown };
  return { inbound: { ...inbound, acceptedDomains: accepted }, stages };
}

/** The inbound settings a stack declares: the EmailAuthentication component's inputs. */
export async function stackInboundSettings(stack: string): Promise<InboundSettings> {
  return (await stackEmail(stack)).inbound;
}

function readSettings(file: string): InboundSettings {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read settings ${file}: ${(err as Error).message}`);
  }
  let settings: InboundSettings;
  try {
    settings = JSON.parse(text) as InboundSettings;
  } catch (err) {
    throw new InputError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  const problems = validateInboundSettings(settings);
  if (problems.length) throw new InputError(`${file}: invalid inbound settings:\n${problems.map((p) => `  - ${p.field} = ${JSON.stringify(p.value)}: ${p.problem}. Fix: ${p.fix}`).join("\n")}`, problems);
  return settings;
}

async function whatif(opts: WhatifOptions): Promise<void> {
  if (!opts.stack === !opts.settings) throw new UsageError("give exactly one of --stack <name> or --settings <file.json>");
  const message: InboundMessage = {
    from: opts.from,
    dmarc: opts.dmarc.toLowerCase() as DmarcOutcome,
    senderPolicy: opts.policy?.toLowerCase() as DmarcPolicy | undefined,
    senderRecord: opts.record,
    compositeAuthentication: opts.compauth?.toLowerCase() as "pass" | "fail" | undefined,
    ptrHost: opts.ptr,
    sourceIp: opts.ip,
    dkimDomains: opts.dkim ? opts.dkim.split(",").map((d) => d.trim()).filter(Boolean) : undefined,
  };
  const problems = validateInboundMessage(message);
  if (problems.length) throw new InputError(`invalid message description:\n${problems.map((p) => `  - --${optionName(p.field)} ${JSON.stringify(p.value ?? "")}: ${p.problem}. Fix: ${p.fix}`).join("\n")}`, problems);
  const settings = opts.stack ? await stackInboundSettings(opts.stack) : readSettings(opts.settings!);
  const verdict = evaluateInboundDmarc(message, settings);
  const source = opts.stack ? { stack: opts.stack } : { settings: opts.settings };
  if (opts.json) {
    printJson({ ok: true, source, message, ...verdict, notModelled: NOT_MODELLED });
  } else {
    const lines = [
      `DmarcVerdict: ${verdict.verdict.toUpperCase()} (${verdict.spoofType === "Internal" ? "intra-org" : "cross-org"})`,
      `Composite authentication: compauth=${verdict.compauth.result} reason=${verdict.compauth.reason} (${verdict.compauth.meaning})`,
      "",
      "Why:",
    ];
    for (const r of verdict.reasons) lines.push(`  - ${r}`);
    lines.push("", "Not modelled:");
    for (const n of NOT_MODELLED) lines.push(`  - ${n}`);
    printLines(lines);
  }
  if (opts.expect !== undefined && opts.expect.toLowerCase() !== verdict.verdict) {
    process.stderr.write(`expected ${opts.expect.toLowerCase()}, predicted ${verdict.verdict}\n`);
    process.exitCode = EXIT_FINDING;
  }
}

function optionName(field: string): string {
  return ({ senderPolicy: "policy", senderRecord: "record", sourceIp: "ip", ptrHost: "ptr", dkimDomains: "dkim", compositeAuthentication: "compauth" } as Record<string, string>)[field] ?? field;
}

interface ReportOptions {
  stack?: string;
  threshold?: string;
  minDays?: string;
  minMessages?: string;
  assert?: string[];
  json?: boolean;
  summary?: boolean;
  settings?: string;
  html?: string;
}

function numberOption(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/%$/, ""));
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number from ${min} to ${max}, not "${value}"`);
  return n;
}

function parseAssertion(text: string): { domain: string; stage: DmarcStage } {
  const m = /^\s*(\S+)\s+ready-for\s+(\S+)\s*$/i.exec(text);
  const stage = m?.[2].toLowerCase();
  if (!m || !(DMARC_STAGES as readonly string[]).includes(stage!) || stage === "none") {
    throw new UsageError(`--assert "${text}": write "<domain> ready-for <quarantine|reject>", e.g. "contoso.com ready-for reject"`);
  }
  return { domain: m[1].toLowerCase(), stage: stage as DmarcStage };
}

function emptyStats(domain: string): DmarcDomainStats {
  return { domain, messages: 0, dmarcPass: 0, days: {}, testing: false, reporters: [], sources: [] };
}

const counts = (m: Record<string, number>) => DMARC_VERDICTS.map((v) => `${v} ${m[v]}`).join(", ");

/** The tenant's own Exchange Online, per failing source: the partners one by one, spoofing summed. */
function predictionLines(p: DomainPrediction, summary: boolean | undefined): string[] {
  const next = p.nextPolicy ? ` -> at p=${p.nextPolicy}` : "";
  const lines = [`  Exchange Online of this tenant for mail from ${p.domain} (${p.spoofType === "Internal" ? "an accepted domain: intra-org" : "cross-org"}), at p=${p.policy}${next}:`];
  lines.push(`    messages: ${counts(p.messages)}${p.messagesAtNextStage ? ` -> ${counts(p.messagesAtNextStage)}` : ""}`);
  const partners = p.sources.filter((s) => s.kind !== "spoofing");
  for (const s of partners.slice(0, summary ? 5 : 50)) {
    const later = s.atNextStage ? ` -> ${s.atNextStage.verdict.toUpperCase()} (compauth=${s.atNextStage.compauth.result} reason=${s.atNextStage.compauth.reason})` : "";
    lines.push(`    ${s.ip} via ${s.reporter} (${s.kind}): ${s.failing} failing: ${s.verdict.toUpperCase()} (compauth=${s.compauth.result} reason=${s.compauth.reason})${later}${s.matchedPair ? ` [${s.matchedPair.list} pair ${s.matchedPair.pair.spoofedUser} via ${s.matchedPair.pair.sendingInfrastructure}]` : ""}`);
  }
  if (partners.length > (summary ? 5 : 50)) lines.push(`    ... ${partners.length - (summary ? 5 : 50)} more partner sources (--json lists them all)`);
  const spoof = p.sources.filter((s) => s.kind === "spoofing");
  if (spoof.length) {
    const m = { deliver: 0, junk: 0, quarantine: 0, reject: 0 };
    for (const s of spoof) m[s.verdict] += s.failing;
    lines.push(`    spoofing sources (${spoof.length}): ${counts(m)}`);
  }
  return lines;
}

function sourceLine(f: FailingSource): string {
  return `    ${f.ip} via ${f.reporter}: ${f.failing} of ${f.messages} failing on ${f.days} day${f.days === 1 ? "" : "s"} (${f.why})${f.fix ? `\n      fix: ${f.fix}` : ""}`;
}

async function report(files: string[], opts: ReportOptions): Promise<void> {
  const options = {
    threshold: numberOption("threshold", opts.threshold, 99.5, 0, 100),
    minDays: numberOption("min-days", opts.minDays, 14, 0, 3660),
    minMessages: numberOption("min-messages", opts.minMessages, 1000, 0, Number.MAX_SAFE_INTEGER),
  };
  const assertions = (opts.assert ?? []).map(parseAssertion);
  // Each report is added to the sums and dropped: memory follows the sources, not the records.
  const summer = new DmarcReportSummer();
  const errors: { file: string; problem: string; fix: string; message: string }[] = [];
  for (const [i, file] of files.entries()) {
    let bytes: Uint8Array;
    try {
      bytes = fs.readFileSync(file);
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
    }
    try {
      for (const r of await readDmarcReportFile(file, bytes)) summer.add(r);
    } catch (err) {
      if (!(err instanceof DmarcReportError)) throw err;
      errors.push({ file: err.file, problem: err.problem, fix: err.fix, message: err.message });
      process.stderr.write(`error: ${err.message}\n`);
    }
    if (!opts.json && files.length >= 20 && (i + 1) % 100 === 0) process.stderr.write(`read ${i + 1}/${files.length} files\n`);
  }
  const stats = summer.result();
  const email = opts.stack ? await stackEmail(opts.stack) : undefined;
  const declared = email?.stages;
  const byDomain = new Map(stats.map((s) => [s.domain, s]));
  const domains = declared ? [...declared.keys()] : stats.map((s) => s.domain);
  const readiness: DomainReadiness[] = domains.map((d) => dmarcReadiness(byDomain.get(d) ?? emptyStats(d), options, declared?.get(d)));
  // Exchange Online per source: the stack's inbound settings, a settings file, or Microsoft's
  // defaults with the reported domains taken as the tenant's own (reports come for your domains).
  const settings: InboundSettings = opts.settings ? readSettings(opts.settings) : (email?.inbound ?? { acceptedDomains: stats.map((s) => s.domain) });
  const settingsSource = opts.settings
    ? `the file ${opts.settings}`
    : opts.stack
      ? `stack ${opts.stack} (its EmailAuthentication inbound settings; its declared domains are the accepted domains)`
      : "none given (no --stack or --settings): Microsoft's default anti-phishing policy, no spoof pairs, and the reported domains taken as the tenant's accepted domains";
  const exchangeOnline = {
    settings: settingsSource,
    assumptions: predictionAssumptions(settingsSource, opts.stack ? `the stage stack ${opts.stack} declares (p=<stage>); the next stage for the "at next stage" prediction` : "the p= of the latest report for the domain; the next stage for the \"at next stage\" prediction"),
    domains: readiness.map((r) => predictDomainSources(byDomain.get(r.domain) ?? emptyStats(r.domain), r, settings)),
  };
  const undeclared = declared ? stats.filter((s) => !declared.has(s.domain)).map((s) => s.domain) : [];
  const checks = assertions.map((a, i) => {
    const r = readiness.find((x) => x.domain === a.domain);
    const why = r ? checkReadinessAssertion(r, a.stage) : `${a.domain}: no reports for this domain${declared ? ` and not declared by stack "${opts.stack}"` : ""}`;
    return { assertion: opts.assert![i], holds: why === undefined, reason: why };
  });
  const failures = checks.filter((c) => !c.holds).map((c) => c.reason!);
  if (opts.json) {
    printJson({
      ok: errors.length === 0 && failures.length === 0,
      source: opts.stack ? { stack: opts.stack } : { files: files.length },
      options,
      reports: summer.reports,
      records: summer.records,
      errors,
      readiness,
      undeclaredDomains: undeclared,
      assertions: checks,
      domains: opts.summary ? undefined : stats,
      // --summary: the partners' predictions only (no spoofing sources).
      exchangeOnline: opts.summary ? { ...exchangeOnline, domains: exchangeOnline.domains.map((d) => ({ ...d, sources: d.sources.filter((s) => s.kind !== "spoofing") })) } : exchangeOnline,
    });
  } else {
    const lines = [`${summer.reports} report${summer.reports === 1 ? "" : "s"} read from ${files.length} file${files.length === 1 ? "" : "s"}${errors.length ? `, ${errors.length} refused` : ""}`];
    for (const r of readiness) {
      const stage = r.current ? `${r.current} (${r.currentFrom === "stack" ? `stack ${opts.stack}` : "from the reports"})` : "unknown";
      lines.push("", `${r.domain}: at ${stage}; ${r.next ? `${r.ready ? "READY" : "NOT READY"} for ${r.next}` : "no next stage"}`);
      lines.push(`  ${r.messages} messages over ${r.days} day${r.days === 1 ? "" : "s"}; DMARC pass ${r.passRate} % without spoofing sources, ${r.rawPassRate} % of all mail`);
      for (const why of r.reasons) lines.push(`  - ${why}`);
      if (r.legitimateFailing.length) lines.push("  Failing sources that look legitimate:", ...r.legitimateFailing.map(sourceLine));
      if (r.forwarders.length) lines.push("  Forwarders and mailing lists (fail DMARC after forwarding; not fixable by the sender):", ...r.forwarders.map(sourceLine));
      if (r.spoofing.length) lines.push(`  Sources that look like spoofing (${r.spoofing.length}):`, ...r.spoofing.slice(0, opts.summary ? 3 : 20).map(sourceLine));
      lines.push(...predictionLines(exchangeOnline.domains.find((d) => d.domain === r.domain)!, opts.summary));
    }
    lines.push("", "Exchange Online prediction: assumed (aggregate reports cannot say it) and not modelled:");
    for (const a of opts.summary ? exchangeOnline.assumptions.slice(0, 1) : exchangeOnline.assumptions) lines.push(`  - ${a}`);
    if (undeclared.length) lines.push("", `Reports for domains stack "${opts.stack}" does not declare: ${undeclared.join(", ")}`);
    printLines(lines);
  }
  if (opts.html) {
    if (!opts.json) process.stderr.write(`writing ${opts.html}\n`);
    const [{ writeDmarcReport, shownPath }, { stackSource }] = await Promise.all([import("../report/write"), import("./whatif")]);
    const extra = opts.settings ? [{ role: "Inbound settings", path: shownPath(opts.settings) }] : [];
    const source = opts.stack ? stackSource(opts.stack, extra) : { projectDir: process.cwd(), files: extra };
    writeDmarcReport(
      opts.html,
      { stack: opts.stack, files: files.length, reports: summer.reports, records: summer.records, errors, options, readiness, stats, exchangeOnline, assertions: checks },
      source,
      files,
    );
  }
  for (const f of failures) process.stderr.write(`assertion failed: ${f}\n`);
  if (errors.length || failures.length) process.exitCode = EXIT_FINDING;
}

export function register(program: Command): void {
  const dmarc = program.command("dmarc").description("DMARC records and Exchange Online's handling of mail that fails DMARC");
  dmarc
    .command("check")
    .description("parse and validate a DMARC record; exit 1 when it has errors")
    .argument("<record>", 'the TXT record text, e.g. "v=DMARC1; p=reject; rua=mailto:d@contoso.com", or as dig prints it (quoted strings are joined)')
    .option("--spec <rfc>", "RFC9989 (default) or RFC7489")
    .option("--parked", "the domain sends no mail (warn unless p and sp are reject)")
    .option("--json", "print a stable JSON document")
    .action((record: string, opts: CheckOptions) => checkRecord(record, opts));
  dmarc
    .command("whatif")
    .description("predict what Exchange Online does with a described inbound message")
    .requiredOption("--from <address>", "the From address (or domain), e.g. alice@gmail.com")
    .requiredOption("--dmarc <result>", "the DMARC result: pass, fail, or none (no DMARC record)")
    .option("--policy <p>", "for --dmarc fail: the sender's policy (none, quarantine, reject)")
    .option("--record <txt>", "for --dmarc fail: the sender's DMARC record instead of --policy (t=y applies)")
    .option("--compauth <result>", "for --dmarc none: composite authentication pass or fail (default fail)")
    .option("--ptr <host>", "PTR host name of the connecting IP, e.g. out1.tms.mx.com")
    .option("--ip <address>", "the connecting IP address")
    .option("--dkim <domains>", "comma-separated domains of DKIM signatures that verified")
    .option("--stack <name>", "use the inbound settings this stack declares")
    .option("--settings <file>", "use inbound settings from a JSON file instead")
    .option("--expect <verdict>", "exit 1 unless the verdict is this (deliver, junk, quarantine, reject)")
    .option("--json", "print a stable JSON document")
    .action((opts: WhatifOptions) => whatif(opts));
  dmarc
    .command("report")
    .description("read DMARC aggregate reports (.xml, .xml.gz, .zip, .eml): per domain and source, pass rates, and readiness for the next p= stage")
    .argument("<files...>", "aggregate report files; unreadable ones are refused one by one and the rest are read")
    .option("--stack <name>", "the domains and their current stage come from this stack's EmailAuthentication")
    .option("--threshold <percent>", "DMARC pass share needed (of the mail not from spoofing sources)", "99.5")
    .option("--min-days <n>", "days with reports needed", "14")
    .option("--min-messages <n>", "messages needed", "1000")
    .option("--assert <check>", 'exit 1 unless it holds, e.g. "contoso.com ready-for reject" (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option("--settings <file>", "inbound settings (JSON, as for dmarc whatif) for the Exchange Online prediction, instead of the stack's")
    .option("--html <file>", "also write a self-contained HTML page: pass rate per day, volume per source, readiness and the Exchange Online prediction")
    .option("--summary", "fewer lines: the first spoofing sources only (--json: no per-source statistics, no spoofing sources in the prediction)")
    .option("--json", "print a stable JSON document")
    .action((files: string[], opts: ReportOptions) => report(files, opts));
}
