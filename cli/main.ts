#!/usr/bin/env node
/**
 * tenant-guardrails: offline tools for the guardrail components.
 * Exit codes: 0 success, 1 a finding or invalid input, 2 a usage error.
 */
import { Command, CommanderError } from "commander";
import { EXIT_FINDING, EXIT_USAGE, InputError, UsageError, printJson } from "./output";
import { registerCommands } from "./commands";

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name("tenant-guardrails")
    .description("Plan, check and explain tenant guardrails offline (no Pulumi CLI, no tenant needed).")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError(false);
  registerCommands(program);
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are "errors" with exit code 0 in commander
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n`);
      return EXIT_USAGE;
    }
    const json = argv.includes("--json");
    const message = err instanceof Error ? err.message : String(err);
    if (json) {
      printJson({ ok: false, error: { kind: err instanceof InputError ? "invalid-input" : "error", message, details: (err as InputError).details } });
    } else {
      process.stderr.write(`error: ${message}\n`);
    }
    return EXIT_FINDING;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    // Exit only once stdout is flushed: on a pipe, a large --json document is written asynchronously.
    (code) => process.stdout.write("", () => process.exit(code)),
    (err) => {
      process.stderr.write(`internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(EXIT_FINDING);
    },
  );
}
