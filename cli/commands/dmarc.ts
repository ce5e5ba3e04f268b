/**
 * `dmarc check <record>`: parse and validate a DMARC record (RFC 9989, or RFC 7489 with --spec).
 * `dmarc whatif ...`: predict what Exchange Online does with a described message under a stack's
 * (or a settings file's) inbound DMARC settings.
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

/** The inbound settings a stack declares: the EmailAuthentication component's inputs. */
export async function stackInboundSettings(stack: string): Promise<InboundSettings> {
  const [{ runStack }, { EMAIL_AUTHENTICATION_TYPE }] = await Promise.all([import("../stack"), import("../../components/email/email-authentication")]);
  const { resources } = await runStack(stack);
  const component = resources.find((r) => r.type === EMAIL_AUTHENTICATION_TYPE);
  if (!component) throw new InputError(`stack "${stack}" declares no EmailAuthentication (config tenant-guardrails:email)`);
  const inputs = component.plainInputs as { inbound?: InboundSettings; domains?: { domain?: string }[] };
  const accepted = (inputs.domains ?? []).map((d) => d.domain).filter((d): d is string => typeof d === "string");
  return { ...(inputs.inbound ?? {}), acceptedDomains: accepted };
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
    const lines = [`DmarcVerdict: ${verdict.verdict.toUpperCase()} (${verdict.spoofType === "Internal" ? "intra-org" : "cross-org"})`, "", "Why:"];
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
}
