/**
 * Every CLI command, by name, with the module that registers it. Only the command being run is
 * loaded, so commands that need no Pulumi (`filter check`, `dmarc check`, `import-ca`) start
 * without loading the Pulumi SDK; help and unknown commands load them all.
 */
import type { Command } from "commander";

type CommandModule = { register(program: Command): void };

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  plan: () => import("./plan"),
  whatif: () => import("./whatif"),
  filter: () => import("./filter"),
  "import-ca": () => import("./import-ca"),
  dmarc: () => import("./dmarc"),
  coverage: () => import("./coverage"),
  replay: () => import("./replay"),
};

export async function registerCommands(program: Command, argv: string[]): Promise<void> {
  const name = argv.find((a) => !a.startsWith("-"));
  const chosen = name !== undefined && Object.hasOwn(COMMANDS, name) ? [name] : Object.keys(COMMANDS);
  for (const key of chosen) (await COMMANDS[key]()).register(program);
}
