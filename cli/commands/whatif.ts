import * as fs from "node:fs";
import { once } from "node:events";
import type { Command } from "commander";
import {
  evaluatedPolicyFromGraph,
  outcomeText,
  type DeclaredPolicies,
  type EvaluatedPolicy,
  InventoryError,
  InventoryTally,
  deviceLabel,
  readDeviceInventory,
  streamDeviceInventory,
  type InventoryDevice,
  type InventoryReadResult,
  type InventoryReport,
  type InventoryStreamResult,
} from "../../components";
import { EXIT_FINDING, InputError, UsageError, printJson, printLines } from "../output";
import { DETAIL_ROW_LIMIT } from "../../components/common/html";
import { errorLines, importPolicyFiles, importedPolicyGraph } from "./import-ca";
import * as path from "node:path";
import { progressFor, type Progress } from "../progress";
import { findProject, stackConditionalAccessPolicies } from "../stack";
import { DeviceKindCounts, deviceMatrix } from "../report/whatif-report";
import { shownPath, writeWhatifReport, type ReportSource } from "../report/write";

/** A stack's declared policies (both kinds) as whatif and coverage evaluate them. */
export function evaluatedStackPolicies(declared: DeclaredPolicies): EvaluatedPolicy[] {
  return declared.policies.map((p) => evaluatedPolicyFromGraph(p.graph));
}

/** Graph exports read for whatif and coverage: every imported policy of both kinds, and the import errors. */
export function evaluatedExportPolicies(files: string[], map: string | undefined): { policies: EvaluatedPolicy[]; errors: ReturnType<typeof importPolicyFiles>["errors"] } {
  const imported = importPolicyFiles(files, map);
  return { policies: imported.policies.map((p) => evaluatedPolicyFromGraph(importedPolicyGraph(p))), errors: imported.errors };
}

/** A policy line of the text output: state, devices, and the conditions not modelled. */
function policyLine(p: InventoryReport["policies"][number]): string {
  return `  ${p.name}  [${p.state}]  applies to ${p.devicesApplied} device(s)${p.notModelled ? `; not modelled: ${p.notModelled.join(", ")}` : ""}`;
}

/**
 * Read a device inventory file (any of the formats readDeviceInventory accepts). Warnings go to
 * stderr here; callers also put them in the JSON document.
 */
export function readInventory(file: string): InventoryReadResult {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read device inventory ${file}: ${(err as Error).message}`);
  }
  let read: InventoryReadResult;
  try {
    read = readDeviceInventory(bytes, { format: file.toLowerCase().endsWith(".csv") ? "csv" : undefined });
  } catch (err) {
    if (err instanceof InventoryError) throw new InputError(`device inventory ${file}: ${err.message}`);
    throw err;
  }
  for (const w of read.warnings) process.stderr.write(`warning: device inventory ${file}: ${w.message}\n`);
  return read;
}

/** What the JSON document says about the inventory: how it was read, and the warnings. */
function inventoryJson(file: string, read: Pick<InventoryStreamResult, "format" | "encoding" | "compression" | "warnings">) {
  return { inventory: { file, format: read.format, encoding: read.encoding, ...(read.compression ? { compression: read.compression } : {}) }, warnings: read.warnings };
}

/**
 * A device inventory file that can be read as a stream more than once: a regular file is opened
 * again for each pass; anything else (a pipe, /dev/stdin) is read into memory once.
 */
interface InventorySource {
  file: string;
  open(): AsyncIterable<Uint8Array>;
  /** Size and modification time of a regular file, to notice a file changed between passes. */
  stamp(): string | undefined;
}

function inventorySource(file: string): InventorySource {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
    if (stat.isDirectory()) throw new Error("it is a directory");
    fs.accessSync(file, fs.constants.R_OK);
  } catch (err) {
    throw new UsageError(`cannot read device inventory ${file}: ${(err as Error).message}`);
  }
  if (!stat.isFile()) {
    let bytes: Uint8Array;
    try {
      bytes = fs.readFileSync(file);
    } catch (err) {
      throw new UsageError(`cannot read device inventory ${file}: ${(err as Error).message}`);
    }
    return { file, open: async function* () { yield bytes; }, stamp: () => undefined };
  }
  const stamp = () => {
    const s = fs.statSync(file);
    return `${s.size}:${s.mtimeMs}`;
  };
  return { file, open: () => fs.createReadStream(file, { highWaterMark: 1 << 20 }), stamp };
}

/** One pass over the inventory; InventoryError becomes the command's InputError naming the file. */
async function readPass(source: InventorySource, onDevice: (device: InventoryDevice, index: number) => void): Promise<InventoryStreamResult> {
  try {
    return await streamDeviceInventory(source.open(), onDevice, { format: source.file.toLowerCase().endsWith(".csv") ? "csv" : undefined });
  } catch (err) {
    if (err instanceof InventoryError) throw new InputError(`device inventory ${source.file}: ${err.message}`);
    if ((err as NodeJS.ErrnoException).code) throw new UsageError(`cannot read device inventory ${source.file}: ${(err as Error).message}`);
    throw err;
  }
}

/** stdout in pieces of about 64 KB (the reading side waits for "drain": see secondPass). */
class StreamedOutput {
  private pending: string[] = [];
  private size = 0;

  write(text: string): void {
    this.pending.push(text);
    this.size += text.length;
    if (this.size >= 1 << 16) this.flush();
  }

  flush(): void {
    if (!this.pending.length) return;
    const chunk = this.pending.join("");
    this.pending = [];
    this.size = 0;
    process.stdout.write(chunk);
  }
}

/** The bytes of a pass, read no faster than stdout takes the answer. */
async function* pacedByStdout(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    if (process.stdout.writableNeedDrain) await once(process.stdout, "drain");
    yield chunk;
  }
}

/** The JSON of one device as JSON.stringify(document, null, 2) writes it inside the devices list. */
function deviceJson(index: number, label: string, tally: InventoryTally, quotedNames: string[]): string {
  const list = (items: string[]) => (items.length ? `[\n${items.map((q) => `        ${q}`).join(",\n")}\n      ]` : "[]");
  const applying: string[] = [];
  for (let k = 0; k < tally.count; k++) applying.push(quotedNames[tally.applying[k]]);
  return (
    `    {\n      "index": ${index},\n      "label": ${JSON.stringify(label)},\n      "applying": ${list(applying)},\n` +
    `      "outcome": ${JSON.stringify(tally.outcome)},\n      "controls": ${list(tally.controls.map((c) => JSON.stringify(c)))},\n` +
    `      "outcomeIfReportOnlyEnforced": ${JSON.stringify(tally.outcomeIfReportOnlyEnforced)}\n    }`
  );
}

/** The two lines of a device in the text output. */
function deviceLines(label: string, tally: InventoryTally): string {
  const outcome = outcomeText(tally.outcome, tally.controls);
  const extra = tally.outcomeIfReportOnlyEnforced !== tally.outcome ? `  [report-only would: ${outcomeText(tally.outcomeIfReportOnlyEnforced)}]` : "";
  const names: string[] = [];
  for (let k = 0; k < tally.count; k++) names.push(tally.compiled[tally.applying[k]].name);
  return `  ${label}: ${outcome}${extra}\n      applying: ${names.length ? names.join(" | ") : "none"}\n`;
}

const DEVICES_SLOT = "@@devices@@";

/** The totals line of whatif (what --summary prints). */
export function whatifTotalsLine(report: InventoryReport): string {
  const t = report.totals;
  const unknown = t.unknown ? `, ${t.unknown} not enough information` : "";
  const unknownRo = t.unknownIfReportOnlyEnforced ? ` (${t.unknownIfReportOnlyEnforced} not enough information)` : "";
  return `Totals: ${t.devices} devices: ${t.block} blocked, ${t.grant} granted with controls, ${t.allow} allowed${unknown}; ${t.blockIfReportOnlyEnforced} would be blocked with report-only policies enforced${unknownRo}; ${t.noPolicy} with no policy`;
}

/** --summary: the policies with their device counts and the totals, no per-device lines. */
export function whatifSummaryLines(report: InventoryReport): string[] {
  const lines = ["Policies:"];
  for (const p of report.policies) lines.push(policyLine(p));
  return [...lines, "", whatifTotalsLine(report)];
}

/** The stack config file of a stack, for a report's provenance. */
export function stackSource(stack: string, extra: { role: string; path: string }[] = []): ReportSource {
  const project = findProject();
  return { stack, projectDir: project.root, files: [{ role: "Stack config", path: shownPath(path.join(project.stackConfigDir, `Pulumi.${stack}.yaml`)) }, ...extra] };
}

/** Graph exports (and the placeholder map) as a report's provenance. */
export function exportsSource(policies: string[], map: string | undefined, extra: { role: string; path: string }[] = []): ReportSource {
  return {
    projectDir: process.cwd(),
    files: [...policies.map((p) => ({ role: "Graph export", path: shownPath(p) })), ...(map ? [{ role: "Placeholder map", path: shownPath(map) }] : []), ...extra],
  };
}

export function whatifLines(report: InventoryReport): string[] {
  const lines = ["Policies:"];
  for (const p of report.policies) lines.push(policyLine(p));
  lines.push("", "Devices:");
  for (const d of report.devices) {
    const outcome = outcomeText(d.outcome, d.controls);
    const extra = d.outcomeIfReportOnlyEnforced !== d.outcome ? `  [report-only would: ${outcomeText(d.outcomeIfReportOnlyEnforced)}]` : "";
    lines.push(`  ${d.label}: ${outcome}${extra}`);
    lines.push(`      applying: ${d.applying.length ? d.applying.join(" | ") : "none"}`);
  }
  lines.push("", whatifTotalsLine(report));
  return lines;
}

interface WhatifOptions {
  devices: string;
  stack?: string;
  policies?: string[];
  map?: string;
  json?: boolean;
  html?: string;
  summary?: boolean;
  progress?: boolean;
}

/** What the first pass over an inventory found: totals, counts, and the first devices for the HTML page. */
interface FirstPass {
  read: InventoryStreamResult;
  report: InventoryReport;
  kinds: DeviceKindCounts;
  stamp: string | undefined;
}

async function firstPass(progress: Progress, source: InventorySource, policies: EvaluatedPolicy[], html: boolean): Promise<FirstPass> {
  // One pass reads and evaluates; the phase keeps the name it had when these were two steps.
  progress.step(`reading device inventory ${source.file}`);
  progress.step(`evaluating the devices against ${policies.length} polic${policies.length === 1 ? "y" : "ies"}`);
  const stamp = source.stamp();
  const tally = new InventoryTally(policies);
  const kinds = new DeviceKindCounts();
  const first: InventoryReport["devices"] = [];
  const read = await readPass(source, (device, index) => {
    tally.add(device);
    if (html) {
      kinds.add(device);
      if (first.length < DETAIL_ROW_LIMIT) first.push({ index, label: deviceLabel(device, index), ...tally.result() });
    }
    if (index % 100_000 === 99_999) progress.step(`evaluated ${index + 1} device(s)`);
  });
  for (const w of read.warnings) process.stderr.write(`warning: device inventory ${source.file}: ${w.message}\n`);
  progress.step(`evaluated ${read.count} device(s)`);
  return { read, report: { policies: tally.policies(), devices: first, totals: { ...tally.totals } }, kinds, stamp };
}

/** The second pass: each device evaluated again and written as it is read (JSON records or text lines). */
async function secondPass(source: InventorySource, policies: EvaluatedPolicy[], first: FirstPass, out: StreamedOutput, json: boolean): Promise<void> {
  if (source.stamp() !== first.stamp) throw new InputError(`device inventory ${source.file} changed while it was read; run whatif again`);
  const tally = new InventoryTally(policies);
  const quoted = tally.compiled.map((p) => JSON.stringify(p.name));
  const paced = { ...source, open: () => pacedByStdout(source.open()) };
  const read = await readPass(paced, (device, index) => {
    tally.evaluate(device);
    const label = deviceLabel(device, index);
    out.write(json ? (index ? ",\n" : "") + deviceJson(index, label, tally, quoted) : deviceLines(label, tally));
  });
  if (read.count !== first.read.count) throw new InputError(`device inventory ${source.file} changed while it was read; run whatif again`);
}

/** Write the whole answer: policies, devices (streamed from the second pass) and totals, as text or one JSON document. */
async function writeAnswer(
  source: InventorySource,
  policies: EvaluatedPolicy[],
  first: FirstPass,
  opts: WhatifOptions,
  head: Record<string, unknown>,
): Promise<void> {
  const { report, read } = first;
  if (opts.json) {
    const doc = { ...head, ...report, devices: DEVICES_SLOT, ...inventoryJson(source.file, read) };
    if (opts.summary) return printJson(summarised(doc, true));
    const text = JSON.stringify(doc, null, 2);
    const slot = `\n  "devices": ${JSON.stringify(DEVICES_SLOT)}`;
    const at = text.indexOf(slot);
    const out = new StreamedOutput();
    out.write(`${text.slice(0, at)}\n  "devices": [\n`);
    await secondPass(source, policies, first, out, true);
    out.write(`\n  ]${text.slice(at + slot.length)}\n`);
    return out.flush();
  }
  if (opts.summary) return printLines(whatifSummaryLines(report));
  const out = new StreamedOutput();
  const lines = ["Policies:"];
  for (const p of report.policies) lines.push(policyLine(p));
  out.write(`${lines.join("\n")}\n\nDevices:\n`);
  await secondPass(source, policies, first, out, false);
  out.write(`\n${whatifTotalsLine(report)}\n`);
  return out.flush();
}

/**
 * `--summary --json`: the same document without the per-device list (`devices`), marked
 * `"summary": true`; every other field is kept. Without --summary the document is unchanged.
 */
function summarised<T extends { devices: unknown }>(doc: T, summary: boolean | undefined): Omit<T, "devices"> | T {
  if (!summary) return doc;
  const { devices: _omitted, ...rest } = doc;
  return { summary: true, ...rest };
}

export function register(program: Command): void {
  program
    .command("whatif")
    .description("for every device of an inventory, which Conditional Access policies apply and the outcome")
    .requiredOption("--devices <file>", "device inventory: Graph JSON, Get-MgDevice | ConvertTo-Json, the Entra admin center's Download devices CSV, or CSV with Graph names; UTF-8 or UTF-16")
    .option("--stack <name>", "evaluate the policies this stack declares")
    .option("--policies <graph-export.json...>", "evaluate the policies of Graph exports (what the tenant has today), as import-ca reads them")
    .option("--map <placeholders.json>", "with --policies: values for template placeholders, as import-ca --map")
    .option("--json", "print a stable JSON document")
    .option("--html <file>", "also write a self-contained HTML page: device kinds x policies, with inventory counts")
    .option("--summary", "print the policies and totals only, no line per device (with --json: no devices list)")
    .option("--progress", "print progress lines to stderr (default: only when stderr is a terminal)")
    .option("--no-progress", "never print progress lines")
    .action(async (opts: WhatifOptions) => {
      if (!opts.stack === !opts.policies) throw new UsageError("give either --stack <name> or --policies <graph-export.json>..., not both");
      const progress = progressFor(opts.progress);
      const source = inventorySource(opts.devices);
      const inventoryFile = { role: "Device inventory", path: shownPath(opts.devices) };
      if (opts.policies) {
        // Policies that fail to import are reported and left out; the exit code says so (1).
        const imported = evaluatedExportPolicies(opts.policies, opts.map);
        const resources = imported.policies;
        const first = await firstPass(progress, source, resources, Boolean(opts.html));
        const ok = imported.errors.length === 0;
        if (opts.html) {
          progress.step(`writing ${opts.html}`);
          writeWhatifReport(
            opts.html,
            { stack: opts.policies.join(", "), inventory: opts.devices, matrix: deviceMatrix(resources, first.kinds), report: first.report, deviceCount: first.read.count },
            exportsSource(opts.policies, opts.map, [inventoryFile]),
          );
        }
        await writeAnswer(source, resources, first, opts, { ok, source: { policies: opts.policies }, importErrors: imported.errors });
        for (const e of opts.json ? [] : imported.errors) process.stderr.write(`${errorLines(e).join("\n")}\n  (left out of the evaluation)\n`);
        if (!ok) process.exitCode = EXIT_FINDING;
        return;
      }
      progress.step(`running stack ${opts.stack}`);
      const policies = evaluatedStackPolicies(await stackConditionalAccessPolicies(opts.stack!));
      const first = await firstPass(progress, source, policies, Boolean(opts.html));
      if (opts.html) {
        progress.step(`writing ${opts.html}`);
        writeWhatifReport(
          opts.html,
          { stack: opts.stack!, inventory: opts.devices, matrix: deviceMatrix(policies, first.kinds), report: first.report, deviceCount: first.read.count },
          stackSource(opts.stack!, [inventoryFile]),
        );
      }
      await writeAnswer(source, policies, first, opts, { ok: true, source: { stack: opts.stack } });
      progress.step("done");
    });
}
