/**
 * `replay --html`: the headline, blocked sign-ins per day and per app as bar charts (inline SVG,
 * no script), the per-policy table, the agreement with Entra and the assertions. Pure: data in,
 * HTML string out.
 */
import type { Counts, OnlineResult, ReplaySummary } from "../../components/conditional-access/replay";
import { DETAIL_ROW_LIMIT, capRows, cappedNote, esc, page, table } from "../../components/common/html";
import type { ReportProvenance } from "../../components/common/html";
import { collectProvenance } from "./provenance";
import type { ReportSource } from "./write";
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../output";

export interface ReplayReportInput {
  title: string;
  summary: ReplaySummary;
  online?: OnlineResult;
  provenance?: ReportProvenance;
}

/** A horizontal bar chart of `blocked` per key (largest `limit` keys, or in key order for days). */
export function barChart(id: string, counts: Record<string, Counts>, limit: number, keyOrder: boolean): string {
  let entries = Object.entries(counts).filter(([, c]) => c.blocked > 0);
  if (!keyOrder) entries.sort((a, b) => b[1].blocked - a[1].blocked);
  entries = entries.slice(0, limit);
  if (entries.length === 0) return `<p class="na" id="${esc(id)}">No sign-in would have been blocked.</p>`;
  const max = Math.max(...entries.map(([, c]) => c.blocked));
  const rowH = 22;
  const labelW = 260;
  const barW = 420;
  const bars = entries
    .map(([k, c], i) => {
      const w = Math.max(1, Math.round((c.blocked / max) * barW));
      const y = i * rowH;
      return `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end" font-size="12">${esc(k.length > 40 ? `${k.slice(0, 39)}…` : k)}</text><rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 6}" fill="#b42318"><title>${esc(`${k}: ${c.blocked} blocked of ${c.signIns}`)}</title></rect><text x="${labelW + w + 6}" y="${y + 15}" font-size="12">${c.blocked}</text>`;
    })
    .join("");
  return `<svg id="${esc(id)}" role="img" xmlns="http://www.w3.org/2000/svg" width="${labelW + barW + 60}" height="${entries.length * rowH}">${bars}</svg>`;
}

export function renderReplayReport(input: ReplayReportInput): string {
  const s = input.summary;
  const t = s.totals;
  const e = esc;
  const policies = table(
    ["policy", "state", "grant", "applies", "blocks", "not enough information"],
    s.policies.map((p) => [e(p.name), e(p.state), e(p.controls || "-"), String(p.applies), String(p.block), `${p.unknown}${Object.keys(p.unknownBy).length ? ` (${e(Object.entries(p.unknownBy).map(([k, v]) => `${k} ${v}`).join(", "))})` : ""}`]),
    { id: "policies", numeric: [3, 4] },
  );
  const dis = capRows(s.agreement.disagreements, DETAIL_ROW_LIMIT);
  const agreement =
    s.agreement.compared === 0
      ? `<p class="na">No sign-in records a result for a declared policy.</p>`
      : `<p>${s.agreement.ratio === null ? "n/a" : `${(s.agreement.ratio * 100).toFixed(1)}%`} agreement: ${s.agreement.agree} agree, ${s.agreement.disagree} disagree, ${s.agreement.undecided} undecided here.</p>` +
        (dis.shown.length
          ? table(
              ["sign-in", "policy", "Entra", "replay", "decided by", "fields"],
              dis.shown.map((d) => [e(d.signIn), e(d.policy), e(d.entra), e(d.ours), e(d.decidedBy), `<code>${e(JSON.stringify(d.fields))}</code>`]),
              { id: "disagreements" },
            ) + (dis.omitted ? cappedNote(dis.shown.length, s.agreement.disagreements.length, "disagreements", "replay --json lists them all.") : "")
          : "");
  const online = input.online
    ? `<h2>Entra What If</h2><p>${input.online.calls} call(s); ${input.online.ratio === null ? "nothing compared" : `${(input.online.ratio * 100).toFixed(1)}% agreement`} (${input.online.agree} agree, ${input.online.disagree} disagree).</p>`
    : "";
  const assertions = s.assertions.length
    ? `<h2>Assertions</h2>${table(
        ["assertion", "result", "witnesses"],
        s.assertions.map((a) => [`<code>${e(a.assertion)}</code>`, `<span class="${a.ok ? "pass" : "fail"}">${a.ok ? "PASS" : "FAIL"}</span>${a.value !== undefined ? ` (value ${a.value})` : ""}`, a.witnesses.map((w) => `${e(w.signIn)}: ${e(w.outcome)} ${e(w.reason)}`).join("<br>")]),
        { id: "assertions" },
      )}`
    : "";
  const body = `<h1>${e(input.title)}</h1>
<p class="headline">${e(s.headline)}</p>
<div class="summary"><div><b>${t.signIns}</b>sign-ins</div><div><b>${t.blockWithReportOnly}</b>blocked (report-only enforced)</div><div><b>${t.block}</b>blocked today</div><div><b>${t.unknownWithReportOnly}</b>not enough information</div><div><b>${t.blockedUsers}</b>users blocked</div><div><b>${t.blockedBreakGlassOrServiceAccounts}</b>break-glass or service accounts blocked</div></div>
<h2>Blocked sign-ins per day</h2>
${barChart("per-day", s.byDay, 62, true)}
<h2>Blocked sign-ins per app</h2>
${barChart("per-app", s.byApp, 20, false)}
<h2>Policies</h2>
${policies}
<h2>Agreement with Entra</h2>
${agreement}
${online}
${assertions}`;
  return page(input.title, body, input.provenance);
}

export function writeReplayReport(file: string, input: Omit<ReplayReportInput, "provenance">, source: ReportSource): void {
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, renderReplayReport({ ...input, provenance: collectProvenance(source) }), "utf8");
  } catch (err) {
    throw new UsageError(`cannot write ${file}: ${(err as Error).message}`);
  }
}
