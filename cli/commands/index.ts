/** Every CLI command registers itself here: one line per command module. */
import type { Command } from "commander";
import { register as registerPlan } from "./plan";
import { register as registerWhatif } from "./whatif";

export function registerCommands(program: Command): void {
  registerPlan(program);
  registerWhatif(program);
}
