/**
 * Conformance of the DMARC parser against the peer implementations' vectors
 * (shared/fixtures/dmarc/<source>.json beside the repository; skipped in a plain clone): every
 * vector agrees except the deliberate differences listed in docs/design/dmarc-conformance.md.
 */
import * as path from "node:path";
import { DELIBERATE_DIFFERENCES, runConformance, type ConformanceVector, type VectorOutcome } from "../../components/email/conformance";
import { SHARED_DMARC_SOURCES, fixtureText } from "../../bench/fixtures";
import { SHARED_FIXTURES, describeShared } from "../helpers/shared-fixtures";

const outcomes: Record<string, VectorOutcome[]> = {};

describeShared("DMARC conformance against the peer implementations' vectors", () => {
  beforeAll(() => {
    for (const source of SHARED_DMARC_SOURCES) {
      const vectors = JSON.parse(fixtureText(path.join(SHARED_FIXTURES!, "dmarc", `${source}.json`))) as ConformanceVector[];
      outcomes[source] = runConformance(source, vectors);
    }
  });

  afterAll(() => {
    // The pass rate per source, printed with the test run.
    const lines = SHARED_DMARC_SOURCES.map((s) => {
      const passed = outcomes[s].filter((o) => o.passed).length;
      return `  ${s.padEnd(11)} ${passed}/${outcomes[s].length} (${((100 * passed) / outcomes[s].length).toFixed(1)}%)`;
    });
    // console.log, not process.stdout: Jest prints it with this file's result, before the summary.
    console.log(`DMARC conformance per source:\n${lines.join("\n")}`);
  });

  describe.each(SHARED_DMARC_SOURCES)("%s vectors", (source) => {
    it("has vectors", () => {
      expect(outcomes[source].length).toBeGreaterThan(10);
    });

    it("passes every vector except the deliberate differences listed in docs/design/dmarc-conformance.md", () => {
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
});
