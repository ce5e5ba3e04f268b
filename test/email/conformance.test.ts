import * as fs from "node:fs";
import * as path from "node:path";
import { DELIBERATE_DIFFERENCES, runConformance, type ConformanceVector, type VectorOutcome } from "../../components/email/conformance";

const FIXTURES = path.join(__dirname, "../../../shared/fixtures/dmarc");
const SOURCES = ["opendmarc", "mailauth", "checkdmarc"];

const outcomes: Record<string, VectorOutcome[]> = {};
for (const source of SOURCES) {
  const vectors = JSON.parse(fs.readFileSync(path.join(FIXTURES, `${source}.json`), "utf8")) as ConformanceVector[];
  outcomes[source] = runConformance(source, vectors);
}

afterAll(() => {
  // The pass rate per source, printed with the test run.
  const lines = SOURCES.map((s) => {
    const passed = outcomes[s].filter((o) => o.passed).length;
    return `  ${s.padEnd(11)} ${passed}/${outcomes[s].length} (${((100 * passed) / outcomes[s].length).toFixed(1)}%)`;
  });
  process.stdout.write(`DMARC conformance per source:\n${lines.join("\n")}\n`);
});

describe.each(SOURCES)("DMARC conformance against %s vectors", (source) => {
  it("has vectors", () => {
    expect(outcomes[source].length).toBeGreaterThan(10);
  });

  it("passes every vector except the deliberate differences listed in the README", () => {
    const failing = outcomes[source].filter((o) => !o.passed).map((o) => ({ row: o.row, record: o.vector.record, mismatches: o.mismatches }));
    const deliberate = DELIBERATE_DIFFERENCES.filter((d) => d.source === source).map((d) => d.row);
    expect(failing.filter((f) => !deliberate.includes(f.row))).toEqual([]);
  });

  it("still differs on each listed vector (the list stays honest)", () => {
    for (const d of DELIBERATE_DIFFERENCES.filter((x) => x.source === source)) {
      const outcome = outcomes[source][d.row - 1];
      expect(outcome.vector.record).toBe(d.record);
      expect(outcome.passed).toBe(false);
    }
  });
});
