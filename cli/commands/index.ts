/** Every CLI command registers itself here: one line per command module. */
import type { Command } from "commander";

export function registerCommands(program: Command): void {
  void program;
}
