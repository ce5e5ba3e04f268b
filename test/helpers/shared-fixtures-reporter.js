/**
 * Jest reporter and global teardown in one module: the closing line of a run says plainly whether
 * the shared third-party conformance fixtures (shared/fixtures beside the repository) were there,
 * and how many of the suites on them (files named *.shared.test.ts) ran or were skipped. Silent
 * when the run had no such suite. The folder is looked for where bench/fixtures.ts looks:
 * <repository>/../shared/fixtures.
 *
 * The reporter composes the line when the run completes; Jest's own summary is printed after every
 * custom reporter, so the line is printed by the global teardown, which runs after the summary.
 */
const fs = require("node:fs");
const path = require("node:path");

class SharedFixturesReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const suites = results.testResults.filter((r) => r.testFilePath.endsWith(".shared.test.ts"));
    if (suites.length === 0) return;
    const where = path.resolve(this.rootDir, "..", "shared", "fixtures");
    const present = fs.existsSync(where) && fs.statSync(where).isDirectory();
    const skipped = suites.filter((r) => r.skipped || (r.numPassingTests === 0 && r.numFailingTests === 0 && r.numPendingTests > 0)).length;
    const plural = (n) => `${n} suite${n === 1 ? "" : "s"}`;
    const line = present
      ? `shared conformance fixtures: found at ${where}, ${plural(suites.length - skipped)} ran${skipped ? `, ${plural(skipped)} skipped` : ""}`
      : `shared conformance fixtures: not found at ${where}, ${plural(skipped)} skipped (the repository's own fixtures in test/fixtures ran)`;
    globalThis[LINE] = line;
  }
}

const LINE = Symbol.for("tenant-guardrails.sharedFixturesLine");

/** Global teardown: print the line the reporter composed (after Jest's summary). */
function printSharedFixturesLine() {
  const line = globalThis[LINE];
  if (line) process.stderr.write(`${line}\n`);
  delete globalThis[LINE];
}

module.exports = SharedFixturesReporter;
module.exports.printSharedFixturesLine = printSharedFixturesLine;
