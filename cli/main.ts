#!/usr/bin/env node
/**
 * tenant-guardrails: offline tools for the guardrail components.
 * Exit codes: 0 success, 1 a finding or invalid input, 2 a usage error.
 */
import * as nodeModule from "node:module";
import { Command, CommanderError } from "commander";
import { EXIT_FINDING, EXIT_USAGE, InputError, UsageError, printJson } from "./output";
import type { GuardrailInputError } from "../components/errors";

// Node 22.1+ keeps compiled code of the modules it loads between runs. The offline plan loads the
// Pulumi SDK, and its closure serialisation of dynamic providers loads the TypeScript compiler:
// caching them roughly halves the start-up of every later run. A no-op on Node 20.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name("tenant-guardrails")
    .description("Plan, check and explain tenant guardrails offline (no Pulumi CLI, no tenant needed).")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError(false);
  // Loaded here, after the compile cache is on: the commands pull in the SDKs.
  const { registerCommands } = await import("./commands");
  await registerCommands(program, argv);
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
      printJson({ ok: false, error: jsonError(err, message) });
    } else {
      process.stderr.write(`error: ${message}\n`);
    }
    return EXIT_FINDING;
  }
}

/**
 * The `error` member of a failed `--json` run. Bad input is "invalid-input", whether the CLI found it
 * (InputError) or a component of the program did (GuardrailInputError, also when it was thrown
 * inside an apply and reached the CLI from the program's module instance, hence the name check).
 */
export function jsonError(err: unknown, message: string): { kind: "invalid-input" | "error"; message: string; details?: unknown } {
  if (err instanceof InputError) return { kind: "invalid-input", message, details: err.details };
  const component = err as Partial<GuardrailInputError> | undefined;
  if (component?.name === "GuardrailInputError" && Array.isArray(component.problems)) {
    return { kind: "invalid-input", message, details: { component: component.component, resourceName: component.resourceName, problems: component.problems } };
  }
  return { kind: "error", message };
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
