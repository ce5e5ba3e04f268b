/**
 * The repository's own DMARC vectors (test/fixtures/dmarc/rfc-vectors.json), written from the text
 * of RFC 7489 and RFC 9989 in the row format of the peer vectors: validity, and the values a
 * receiver applies (defaults included). Every row must agree; there are no deliberate differences.
 */
import * as path from "node:path";
import { runConformance, type ConformanceVector } from "../../components/email/conformance";
import { fixtureText, ownFixturesDir } from "../../bench/fixtures";

const vectors = JSON.parse(fixtureText(path.join(ownFixturesDir(), "dmarc", "rfc-vectors.json"))) as ConformanceVector[];
const outcomes = runConformance("repository", vectors);

describe("DMARC vectors written from the RFCs", () => {
  it("cover both specs, valid and invalid records", () => {
    expect(vectors.length).toBeGreaterThanOrEqual(40);
    for (const spec of ["RFC7489", "RFC9989"]) {
      expect(vectors.filter((v) => v.spec === spec && v.valid).length).toBeGreaterThanOrEqual(4);
      expect(vectors.filter((v) => v.spec === spec && !v.valid).length).toBeGreaterThanOrEqual(4);
    }
  });

  it("all agree with the parser", () => {
    const failing = outcomes.filter((o) => !o.passed).map((o) => ({ row: o.row, record: o.vector.record, rule: o.vector.rule, mismatches: o.mismatches }));
    expect(failing).toEqual([]);
  });
});
