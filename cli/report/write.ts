/** Writing the HTML reports (the renderers themselves are pure), each with its provenance. */
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../output";
import { coverageHtml, type CoverageDocument } from "../../components";
import { renderDmarcReport, type DmarcReportInput } from "./dmarc-report";
import { renderPlanReport, type PlanReportInput } from "./plan-report";
import { collectProvenance } from "./provenance";
import { renderWhatifReport, type WhatifReportInput } from "./whatif-report";

function write(file: string, html: string): void {
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, html, "utf8");
  } catch (err) {
    throw new UsageError(`cannot write ${file}: ${(err as Error).message}`);
  }
}

/** Where a report came from: the stack (if any), the input files (hashed), and the project directory (for its git commit). */
export interface ReportSource {
  stack?: string;
  files: { role: string; path: string }[];
  projectDir?: string;
}

export function writePlanReport(file: string, input: Omit<PlanReportInput, "provenance">, source: ReportSource): void {
  write(file, renderPlanReport({ ...input, provenance: collectProvenance(source) }));
}

export function writeWhatifReport(file: string, input: Omit<WhatifReportInput, "provenance">, source: ReportSource): void {
  write(file, renderWhatifReport({ ...input, provenance: collectProvenance(source) }));
}

export function writeCoverageReport(file: string, input: { title: string; doc: CoverageDocument }, source: ReportSource): void {
  write(file, coverageHtml(input.doc, input.title, { provenance: collectProvenance(source) }));
}

/** Report files listed (with their SHA-256) in a DMARC page's provenance; the rest are counted. */
export const PROVENANCE_REPORT_FILES = 20;

/**
 * `dmarc report --html`: `source.files` holds the stack config / settings file; the aggregate
 * report files are listed apart, the first PROVENANCE_REPORT_FILES hashed and the rest counted (a
 * year of reports is thousands of files).
 */
export function writeDmarcReport(file: string, input: Omit<DmarcReportInput, "provenance">, source: ReportSource, reportFiles: string[]): void {
  const shown = reportFiles.slice(0, PROVENANCE_REPORT_FILES);
  const provenance = collectProvenance({ ...source, files: [...source.files, ...shown.map((f) => ({ role: "Aggregate report", path: shownPath(f) }))] });
  if (reportFiles.length > shown.length) provenance.files.push({ role: "Aggregate reports", path: `${reportFiles.length - shown.length} more files`, note: "not hashed here" });
  write(file, renderDmarcReport({ ...input, provenance }));
}

/** A path as the user would type it: relative to the working directory when inside it. */
export function shownPath(file: string): string {
  const rel = path.relative(process.cwd(), path.resolve(file));
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : path.resolve(file);
}
