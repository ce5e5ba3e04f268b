/** Every CLI command registers itself here: one line per command module. */
import type { Command } from "commander";
import { register as registerPlan } from "./plan";
import { register as registerWhatif } from "./whatif";
import { register as registerFilter } from "./filter";
import { register as registerImportCa } from "./import-ca";
import { register as registerDmarc } from "./dmarc";
import { register as registerCoverage } from "./coverage";

export function registerCommands(program: Command): void {
  registerPlan(program);
  registerWhatif(program);
  registerFilter(program);
  registerImportCa(program);
  registerDmarc(program);
  registerCoverage(program);
}
