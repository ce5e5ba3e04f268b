/**
 * `tenant-guardrails filter check <rule>`: validate a Conditional Access device filter rule.
 * Valid: prints the canonical rule (exit 0; warnings on stderr). Invalid: prints the error with a
 * caret under the faulty position (exit 1). `--json`: `{ ok, canonical, warnings }` or
 * `{ ok: false, error: { code, position, token, problem, expected, fix, message } }`.
 */
import type { Command } from "commander";
// The pure module only: this command needs no Pulumi.
import { DeviceFilter, DeviceFilterError, formatFilterError } from "../../components/conditional-access/device-filter";
import { EXIT_FINDING, UsageError, printJson } from "../output";

export interface FilterCheckOptions {
  json?: boolean;
}

/** Runs the check and returns the exit code (0 valid, 1 invalid); output goes to stdout/stderr. */
export function filterCheck(rule: string, opts: FilterCheckOptions): number {
  let filter: DeviceFilter;
  try {
    filter = DeviceFilter.parse(rule);
  } catch (err) {
    if (!(err instanceof DeviceFilterError)) throw err;
    if (opts.json) {
      printJson({
        ok: false,
        error: {
          code: err.code,
          position: err.position,
          token: err.token,
          problem: err.problem,
          expected: err.expected,
          fix: err.fix,
          message: err.message,
        },
      });
    } else {
      process.stderr.write(formatFilterError(err) + "\n");
    }
    return EXIT_FINDING;
  }
  if (opts.json) {
    printJson({ ok: true, canonical: filter.toString(), warnings: filter.warnings });
  } else {
    process.stdout.write(filter.toString() + "\n");
    for (const w of filter.warnings) process.stderr.write(`warning: ${w.message}\n`);
  }
  return 0;
}

export function register(program: Command): void {
  const filter = program.command("filter").description("work with Conditional Access device filter rules");
  filter
    .command("check")
    .description("validate a device filter rule and print its canonical form (or the error, with a caret under it)")
    .argument("<rule>", 'the rule, e.g. \'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"\'')
    .option("--json", "print a stable JSON document")
    // Rules may start with "-not": take an unknown "option" as the rule rather than failing.
    .allowUnknownOption()
    .action((rule: string, opts: FilterCheckOptions) => {
      if (rule.startsWith("--")) throw new UsageError(`unknown option '${rule}'`);
      const code = filterCheck(rule, opts);
      if (code !== 0) process.exitCode = code;
    });
}
