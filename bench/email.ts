/**
 * Email benchmarks: DMARC records parsed per second over the peer fixture set, and the share of
 * fixture vectors our parser agrees with, per source (deliberate differences count as not passed).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { DmarcSpec, parseDmarcRecord } from "../components/email";
import { runConformance, type ConformanceVector } from "../components/email/conformance";
import { median } from "./util";

// Compiled to dist/bench/: the shared fixtures sit next to the repository root.
const FIXTURES = path.join(__dirname, "../../../shared/fixtures/dmarc");
const SOURCES = ["opendmarc", "mailauth", "checkdmarc"];

export async function run(): Promise<Record<string, unknown>> {
  const vectors = SOURCES.map((s) => [s, JSON.parse(fs.readFileSync(path.join(FIXTURES, `${s}.json`), "utf8")) as ConformanceVector[]] as const);
  const all = vectors.flatMap(([, v]) => v.map((x) => ({ record: x.record, spec: x.spec === "RFC7489" ? DmarcSpec.Rfc7489 : DmarcSpec.Rfc9989 })));

  // Records per second: 9 rounds of ~0.2 s each over the whole fixture set, median.
  const rates: number[] = [];
  for (let round = 0; round < 9; round++) {
    let parsed = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 200) {
      for (const v of all) parseDmarcRecord(v.record, { spec: v.spec });
      parsed += all.length;
    }
    rates.push(parsed / ((performance.now() - t0) / 1000));
  }

  const conformance: Record<string, number> = {};
  for (const [source, v] of vectors) {
    const outcomes = runConformance(source, v);
    conformance[source] = Number((outcomes.filter((o) => o.passed).length / outcomes.length).toFixed(4));
  }
  return {
    dmarc_parse_per_sec: Math.round(median(rates)),
    dmarc_fixture_records: all.length,
    dmarc_conformance: conformance,
  };
}
