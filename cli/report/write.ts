/** Writing the HTML reports (the renderers themselves are pure). */
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../output";
import { renderPlanReport, type PlanReportInput } from "./plan-report";
import { renderWhatifReport, type WhatifReportInput } from "./whatif-report";

function write(file: string, html: string): void {
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, html, "utf8");
  } catch (err) {
    throw new UsageError(`cannot write ${file}: ${(err as Error).message}`);
  }
}

export function writePlanReport(file: string, input: PlanReportInput): void {
  write(file, renderPlanReport(input));
}

export function writeWhatifReport(file: string, input: WhatifReportInput): void {
  write(file, renderWhatifReport(input));
}
