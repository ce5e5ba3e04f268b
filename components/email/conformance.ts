/**
 * Conformance of the DMARC parser against vectors (rows of record, validity, expected tag values,
 * rule and spec, from the RFCs or from peer implementations' test suites): each row is parsed under
 * the spec it names and compared on validity and on the tag values the source checks. Used by the conformance test and by the benchmark; the list of vectors we decide
 * differently on purpose lives here so the test, the benchmark and docs/design/dmarc-conformance.md agree.
 */
import { DmarcSpec, dmarcTagValues, parseDmarcRecord } from "./dmarc";

export interface ConformanceVector {
  record: string;
  valid: boolean;
  /** Tag values the source checks; null = the tag must not be in the parsed result. */
  expect: Record<string, string | number | null>;
  rule: string;
  spec: string;
}

export interface VectorOutcome {
  source: string;
  /** 1-based row number in the source file. */
  row: number;
  vector: ConformanceVector;
  passed: boolean;
  mismatches: string[];
}

/** Vectors where we deliberately disagree with the source, with the reason (also in docs/design/dmarc-conformance.md). */
export const DELIBERATE_DIFFERENCES: { source: string; row: number; record: string; reason: string }[] = [
  {
    source: "opendmarc",
    row: 5,
    record: "v=DMARC1; p=n;",
    reason: "OpenDMARC accepts any prefix of a policy keyword; both RFC grammars only allow the full words, and other receivers would drop p=n, so we report an error (with an 'abbreviations are not allowed' hint).",
  },
  {
    source: "mailauth",
    row: 7,
    record: "v=DMARC1; p=reject; pct=invalid",
    reason: "mailauth reads a non-numeric pct as 0 and accepts the record; RFC 7489 receivers drop the bad value for the default 100, so under RFC 7489 we report an error and keep pct=100 (under RFC 9989 pct is only a deprecation warning).",
  },
  {
    source: "checkdmarc",
    row: 32,
    record: "v=DMARC1; p=reject; fo=0:1",
    reason: "checkdmarc only warns; the RFC 9989 grammar makes 0 and 1 mutually exclusive, so under RFC 9989 we report an error (under RFC 7489 it is a redundancy warning).",
  },
];

/** Parse one vector under its spec and list how our result differs from the source's. */
export function checkVector(vector: ConformanceVector): string[] {
  const spec = vector.spec === "RFC7489" ? DmarcSpec.Rfc7489 : DmarcSpec.Rfc9989;
  const result = parseDmarcRecord(vector.record, { spec });
  const mismatches: string[] = [];
  if (result.valid !== vector.valid) {
    const errors = result.findings.filter((f) => f.severity === "error").map((f) => f.message);
    mismatches.push(`valid: expected ${vector.valid}, got ${result.valid}${errors.length ? ` (${errors.join("; ")})` : ""}`);
  }
  const values = dmarcTagValues(result);
  for (const [tag, expected] of Object.entries(vector.expect)) {
    const actual = values[tag];
    if (expected === null) {
      if (actual !== undefined) mismatches.push(`${tag}: expected absent, got ${JSON.stringify(actual)}`);
    } else if (actual !== expected) {
      mismatches.push(`${tag}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    }
  }
  return mismatches;
}

/** Run every vector of one source. */
export function runConformance(source: string, vectors: ConformanceVector[]): VectorOutcome[] {
  return vectors.map((vector, i) => {
    const mismatches = checkVector(vector);
    return { source, row: i + 1, vector, passed: mismatches.length === 0, mismatches };
  });
}
