/**
 * Email benchmarks: DMARC records parsed per second over the fixture vectors, and the share of
 * vectors our parser agrees with, per source (deliberate differences count as not passed). The
 * vectors are the repository's own (source "repository"), plus the peer implementations' from the
 * shared fixtures when they are beside the repository; `fixtures_source` says which.
 */
import { performance } from "node:perf_hooks";
import { DmarcSpec, parseDmarcRecord } from "../components/email";
import { runConformance, type ConformanceVector } from "../components/email/conformance";
import { dmarcVectorFiles, fixtureText, fixturesSource } from "./fixtures";
import { median } from "./util";

export async function run(): Promise<Record<string, unknown>> {
  const vectors = dmarcVectorFiles().map((f) => [f.source, JSON.parse(fixtureText(f.path)) as ConformanceVector[]] as const);
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
    fixtures_source: fixturesSource(),
    dmarc_parse_per_sec: Math.round(median(rates)),
    dmarc_fixture_records: all.length,
    dmarc_conformance: conformance,
  };
}
