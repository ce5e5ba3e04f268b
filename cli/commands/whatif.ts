import * as fs from "node:fs";
import type { Command } from "commander";
import { PROVIDER_TYPE_TOKENS } from "../../components/common/type-tokens";
import { InventoryError, evaluateInventory, readDeviceInventory, type InventoryReadResult, type InventoryReport, type PlainConditionalAccessPolicy } from "../../components";
import { EXIT_FINDING, InputError, UsageError, printJson, printLines } from "../output";
import { errorLines, importPolicyFiles } from "./import-ca";
import * as path from "node:path";
import { progressFor, type Progress } from "../progress";
import { findProject, runStack } from "../stack";
import { deviceMatrix } from "../report/whatif-report";
import { shownPath, writeWhatifReport, type ReportSource } from "../report/write";

export const CA_POLICY_TYPE = PROVIDER_TYPE_TOKENS.ConditionalAccessPolicy;

/** The Conditional Access policies a stack declares, as the provider would receive them. */
export async function stackPolicies(stack: string): Promise<PlainConditionalAccessPolicy[]> {
  const { resources } = await runStack(stack);
  return resources.filter((r) => r.type === CA_POLICY_TYPE).map((r) => r.plainInputs as unknown as PlainConditionalAccessPolicy);
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
function inventoryJson(file: string, read: InventoryReadResult) {
  return { inventory: { file, format: read.format, encoding: read.encoding }, warnings: read.warnings };
}

/** The totals line of whatif (what --summary prints). */
export function whatifTotalsLine(report: InventoryReport): string {
  const t = report.totals;
  return `Totals: ${t.devices} devices: ${t.block} blocked, ${t.grant} granted with controls, ${t.allow} allowed; ${t.blockIfReportOnlyEnforced} would be blocked with report-only policies enforced; ${t.noPolicy} with no policy`;
}

/** --summary: the policies with their device counts and the totals, no per-device lines. */
export function whatifSummaryLines(report: InventoryReport): string[] {
  const lines = ["Policies:"];
  for (const p of report.policies) lines.push(`  ${p.name}  [${p.state}]  applies to ${p.devicesApplied} device(s)`);
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
  for (const p of report.policies) lines.push(`  ${p.name}  [${p.state}]  applies to ${p.devicesApplied} device(s)`);
  lines.push("", "Devices:");
  for (const d of report.devices) {
    const outcome = d.outcome === "grant" ? `grant (${d.controls.join("; ")})` : d.outcome;
    const extra = d.outcomeIfReportOnlyEnforced !== d.outcome ? `  [report-only would: ${d.outcomeIfReportOnlyEnforced}]` : "";
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

function evaluate(progress: Progress, policies: PlainConditionalAccessPolicy[], devices: InventoryReadResult["devices"]): InventoryReport {
  progress.step(`evaluating ${devices.length} device(s) against ${policies.length} polic${policies.length === 1 ? "y" : "ies"}`);
  const report = evaluateInventory(policies, devices);
  progress.step(`evaluated ${devices.length} device(s)`);
  return report;
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
      progress.step(`reading device inventory ${opts.devices}`);
      const read = readInventory(opts.devices);
      const devices = read.devices;
      const inventoryFile = { role: "Device inventory", path: shownPath(opts.devices) };
      if (opts.policies) {
        // Policies that fail to import are reported and left out; the exit code says so (1).
        const imported = importPolicyFiles(opts.policies, opts.map);
        const resources = imported.policies.map((p) => p.resource);
        const report = evaluate(progress, resources, devices);
        const ok = imported.errors.length === 0;
        if (opts.html) {
          progress.step(`writing ${opts.html}`);
          writeWhatifReport(
            opts.html,
            { stack: opts.policies.join(", "), inventory: opts.devices, matrix: deviceMatrix(resources, devices), report },
            exportsSource(opts.policies, opts.map, [inventoryFile]),
          );
        }
        if (opts.json) printJson(summarised({ ok, source: { policies: opts.policies }, importErrors: imported.errors, ...report, ...inventoryJson(opts.devices, read) }, opts.summary));
        else printLines(opts.summary ? whatifSummaryLines(report) : whatifLines(report));
        for (const e of opts.json ? [] : imported.errors) process.stderr.write(`${errorLines(e).join("\n")}\n  (left out of the evaluation)\n`);
        if (!ok) process.exitCode = EXIT_FINDING;
        return;
      }
      progress.step(`running stack ${opts.stack}`);
      const policies = await stackPolicies(opts.stack!);
      const report = evaluate(progress, policies, devices);
      if (opts.html) {
        progress.step(`writing ${opts.html}`);
        writeWhatifReport(opts.html, { stack: opts.stack!, inventory: opts.devices, matrix: deviceMatrix(policies, devices), report }, stackSource(opts.stack!, [inventoryFile]));
      }
      if (opts.json) printJson(summarised({ ok: true, source: { stack: opts.stack }, ...report, ...inventoryJson(opts.devices, read) }, opts.summary));
      else printLines(opts.summary ? whatifSummaryLines(report) : whatifLines(report));
      progress.step("done");
    });
}
