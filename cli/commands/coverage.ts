import type { Command } from "commander";
import {
  CoverageAssertionError,
  CoverageLimitError,
  DeviceFilterError,
  analyseCoverage,
  checkAssertions,
  coverageDocument,
  coverageLines,
  parseCoverageAssertion,
  parseCoverageFor,
  policyInScope,
  type CoverageAssertion,
  type CoverageDocument,
  type CoverageFor,
  type EvaluatedPolicy,
} from "../../components";
import { EXIT_FINDING, InputError, UsageError, printJson, printLines } from "../output";
import { errorLines, type importPolicyFiles } from "./import-ca";
import { evaluatedExportPolicies, evaluatedStackPolicies, exportsSource, stackSource } from "./whatif";
import { stackConditionalAccessPolicies } from "../stack";
import { progressFor } from "../progress";
import { writeCoverageReport } from "../report/write";

interface CoverageOptions {
  stack?: string;
  policies?: string[];
  map?: string;
  assert: string[];
  for?: string;
  json?: boolean;
  html?: string;
  summary?: boolean;
  progress?: boolean;
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

/**
 * `--for <subjects>`: the scope the table is shown for, written as in an assertion's "for" clause,
 * and `key=value` items narrowing the sign-in (platform=, clientApp=, user=, member-of=, holds-role=, location=).
 */
function parseScope(text: string | undefined): CoverageFor {
  if (text === undefined) return { scopes: [{}], narrowing: [] };
  let parsed: CoverageFor;
  try {
    parsed = parseCoverageFor(text);
  } catch (err) {
    if (err instanceof CoverageAssertionError) throw new UsageError(`--for: ${err.message.replace(/ \(at character.*$/, "")}`);
    throw err;
  }
  if (parsed.scopes.length !== 1) throw new UsageError("--for: name at most one app");
  return parsed;
}

/** --summary: the text report without the per-class lines (counts, policies, attributes, assertions). */
export function coverageSummaryLines(doc: CoverageDocument): string[] {
  const lines = coverageLines({ ...doc, classes: [] }).filter((line) => line !== "Classes:");
  return lines.filter((line, i) => line !== "" || (i > 0 && lines[i - 1] !== "" && i < lines.length - 1));
}

export function register(program: Command): void {
  program
    .command("coverage")
    .description("every kind of device the Conditional Access policies tell apart: applying policies, outcome, and a witness device")
    .option("--stack <name>", "analyse the policies this stack declares")
    .option("--policies <graph-export.json...>", "analyse the policies of Graph exports (what the tenant has today), as import-ca reads them")
    .option("--map <placeholders.json>", "with --policies: values for template placeholders, as import-ca --map")
    .option("--assert <expression>", "an assertion for CI, e.g. 'not-trusted => block for app:Office365' (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--for <subjects>", "analyse one sign-in: only the policies covering it, e.g. 'group:<id>, app:Office365', and narrow the sign-in, e.g. 'platform=windows,clientApp=browser,user=guest' (assertions too)")
    .option("--json", "print a stable JSON document")
    .option("--html <file>", "also write the decision table as a self-contained HTML page")
    .option("--summary", "print the counts, policies and assertion results only, no line per class (with --json: no classes list)")
    .option("--progress", "print progress lines to stderr (default: only when stderr is a terminal)")
    .option("--no-progress", "never print progress lines")
    .action(async (opts: CoverageOptions) => {
      if (!opts.stack === !opts.policies) throw new UsageError("give either --stack <name> or --policies <graph-export.json>..., not both");
      const progress = progressFor(opts.progress);
      const assertions = parseAssertions(opts.assert);
      const narrowed = parseScope(opts.for);
      const scope = narrowed.scopes[0];

      let policies: EvaluatedPolicy[];
      let importErrors: ReturnType<typeof importPolicyFiles>["errors"] = [];
      if (opts.policies) {
        // Policies that fail to import are reported and left out; the exit code says so (1).
        const imported = evaluatedExportPolicies(opts.policies, opts.map);
        policies = imported.policies;
        importErrors = imported.errors;
      } else {
        progress.step(`running stack ${opts.stack}`);
        policies = evaluatedStackPolicies(await stackConditionalAccessPolicies(opts.stack!));
      }

      let analysis;
      try {
        // --for narrows the whole run to the policies that cover that sign-in: fewer, exact classes.
        const inScope = policies.filter((p) => policyInScope(p, scope));
        progress.step(`analysing ${inScope.length} polic${inScope.length === 1 ? "y" : "ies"}`);
        analysis = analyseCoverage(inScope, { selectors: assertions.map((a) => a.selector), within: narrowed.within });
      } catch (err) {
        if (err instanceof CoverageLimitError || err instanceof DeviceFilterError) throw new InputError(err.message);
        throw err;
      }
      progress.step(`${analysis.classes.length} device class(es); checking ${assertions.length} assertion(s)`);
      const doc = coverageDocument(analysis, checkAssertions(analysis, assertions), scope, narrowed.narrowing);
      const ok = doc.ok && importErrors.length === 0;
      const source = opts.stack ? { stack: opts.stack } : { policies: opts.policies };

      if (opts.html) {
        const title = `Conditional Access coverage: ${opts.stack ? `stack ${opts.stack}` : opts.policies!.join(", ")}`;
        progress.step(`writing ${opts.html}`);
        writeCoverageReport(opts.html, { title, doc }, opts.stack ? stackSource(opts.stack) : exportsSource(opts.policies!, opts.map));
      }
      if (opts.json) {
        const full = { ...doc, ok, source, ...(opts.policies ? { importErrors } : {}) };
        // --summary --json: the same document without the per-class list, marked "summary": true.
        const { classes: _omitted, ...rest } = full;
        printJson(opts.summary ? { summary: true, ...rest } : full);
      } else printLines(opts.summary ? coverageSummaryLines(doc) : coverageLines(doc));
      progress.step("done");
      for (const e of opts.json ? [] : importErrors) process.stderr.write(`${errorLines(e).join("\n")}\n  (left out of the analysis)\n`);
      if (!ok) process.exitCode = EXIT_FINDING;
    });
}
