import * as fs from "node:fs";
import type { Command } from "commander";
import {
  CoverageAssertionError,
  CoverageLimitError,
  DeviceFilterError,
  analyseCoverage,
  checkAssertions,
  coverageDocument,
  coverageHtml,
  coverageLines,
  parseCoverageAssertion,
  policyInScope,
  type CoverageAssertion,
  type CoverageScope,
  type PlainConditionalAccessPolicy,
} from "../../components";
import { EXIT_FINDING, InputError, UsageError, printJson, printLines } from "../output";
import { errorLines, importPolicyFiles } from "./import-ca";
import { stackPolicies } from "./whatif";

interface CoverageOptions {
  stack?: string;
  policies?: string[];
  map?: string;
  assert: string[];
  for?: string;
  json?: boolean;
  html?: string;
}

function parseAssertions(texts: string[]): CoverageAssertion[] {
  return texts.map((text) => {
    try {
      return parseCoverageAssertion(text);
    } catch (err) {
      if (err instanceof CoverageAssertionError) throw new UsageError(`--assert: ${err.message}`);
      throw err;
    }
  });
}

/** `--for <subjects>`: the scope the table is shown for, written as in an assertion's "for" clause. */
function parseScope(text: string | undefined): CoverageScope {
  if (text === undefined) return {};
  let parsed: CoverageAssertion;
  try {
    parsed = parseCoverageAssertion(`every class has-policy for ${text}`);
  } catch (err) {
    if (err instanceof CoverageAssertionError) throw new UsageError(`--for: ${err.message.replace(/ \(at character.*$/, "")}`);
    throw err;
  }
  if (parsed.scopes.length !== 1) throw new UsageError("--for: name at most one app");
  return parsed.scopes[0];
}

export function register(program: Command): void {
  program
    .command("coverage")
    .description("every kind of device the Conditional Access policies tell apart: applying policies, outcome, and a witness device")
    .option("--stack <name>", "analyse the policies this stack declares")
    .option("--policies <graph-export.json...>", "analyse the policies of Graph exports (what the tenant has today), as import-ca reads them")
    .option("--map <placeholders.json>", "with --policies: values for template placeholders, as import-ca --map")
    .option("--assert <expression>", "an assertion for CI, e.g. 'not-trusted => block for app:Office365' (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--for <subjects>", "analyse one sign-in: only the policies covering it, e.g. 'group:<id>, app:Office365' (assertions too)")
    .option("--json", "print a stable JSON document")
    .option("--html <file>", "also write the decision table as a self-contained HTML page")
    .action(async (opts: CoverageOptions) => {
      if (!opts.stack === !opts.policies) throw new UsageError("give either --stack <name> or --policies <graph-export.json>..., not both");
      const assertions = parseAssertions(opts.assert);
      const scope = parseScope(opts.for);

      let policies: PlainConditionalAccessPolicy[];
      let importErrors: ReturnType<typeof importPolicyFiles>["errors"] = [];
      if (opts.policies) {
        // Policies that fail to import are reported and left out; the exit code says so (1).
        const imported = importPolicyFiles(opts.policies, opts.map);
        policies = imported.policies.map((p) => p.resource);
        importErrors = imported.errors;
      } else {
        policies = await stackPolicies(opts.stack!);
      }

      let analysis;
      try {
        // --for narrows the whole run to the policies that cover that sign-in: fewer, exact classes.
        const inScope = policies.filter((p) => policyInScope(p, scope));
        analysis = analyseCoverage(inScope, { selectors: assertions.map((a) => a.selector) });
      } catch (err) {
        if (err instanceof CoverageLimitError || err instanceof DeviceFilterError) throw new InputError(err.message);
        throw err;
      }
      const doc = coverageDocument(analysis, checkAssertions(analysis, assertions), scope);
      const ok = doc.ok && importErrors.length === 0;
      const source = opts.stack ? { stack: opts.stack } : { policies: opts.policies };

      if (opts.html) {
        const title = `Conditional Access coverage: ${opts.stack ? `stack ${opts.stack}` : opts.policies!.join(", ")}`;
        try {
          fs.writeFileSync(opts.html, coverageHtml(doc, title));
        } catch (err) {
          throw new UsageError(`cannot write ${opts.html}: ${(err as Error).message}`);
        }
      }
      if (opts.json) printJson({ ...doc, ok, source, ...(opts.policies ? { importErrors } : {}) });
      else printLines(coverageLines(doc));
      for (const e of opts.json ? [] : importErrors) process.stderr.write(`${errorLines(e).join("\n")}\n  (left out of the analysis)\n`);
      if (!ok) process.exitCode = EXIT_FINDING;
    });
}
