/**
 * `dmarc report --html`: per domain, the readiness for the next DMARC stage, two charts drawn as
 * inline SVG (DMARC pass rate per day; volume per source, passing and failing), the failing sources
 * with their fix, and what the tenant's own Exchange Online would do with each source's mail.
 * Pure: data in, HTML string out. Every reporter name, IP and domain comes from report files
 * anyone can send, so all of it goes through `esc`.
 */
import type { DmarcDomainStats, DomainReadiness, FailingSource } from "../../components/email/dmarc-readiness";
import type { DomainPrediction, SourcePrediction } from "../../components/email/dmarc-prediction";
import { DETAIL_ROW_LIMIT, capRows, cappedNote, esc, page, table } from "../../components/common/html";
import type { ReportProvenance } from "../../components/common/html";

export interface DmarcReportInput {
  /** The stack, when the domains and stages come from one. */
  stack?: string;
  files: number;
  reports: number;
  records: number;
  errors: { file: string; problem: string; fix: string }[];
  options: { threshold: number; minDays: number; minMessages: number };
  readiness: DomainReadiness[];
  stats: DmarcDomainStats[];
  exchangeOnline: { settings: string; assumptions: string[]; domains: DomainPrediction[] };
  assertions: { assertion: string; holds: boolean; reason?: string }[];
  provenance?: ReportProvenance;
  /** Rows listed one by one at most per table (default DETAIL_ROW_LIMIT); charts and totals cover everything. */
  detailLimit?: number;
}

/** Sources drawn one by one in the volume chart; the rest are one "other sources" bar. */
export const CHART_SOURCES = 25;
/** Days drawn in the pass-rate chart (the latest ones). */
export const CHART_DAYS = 366;

const GREEN = "#1a7f37";
const RED = "#b42318";
const MUTED = "#59636e";
const LINE = "#d1d9e0";

const pct = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 100000) / 1000);
const fmt = (n: number) => n.toLocaleString("en-US");

/** Bars of the DMARC pass share per UTC day, with the threshold as a dashed line. */
export function passRateChart(days: Record<string, { messages: number; pass: number }>, threshold: number): string {
  const all = Object.keys(days).sort();
  const shown = all.slice(-CHART_DAYS);
  if (!shown.length) return `<p class="na">No reports for this domain.</p>`;
  const w = 760;
  const h = 200;
  const left = 40;
  const top = 10;
  const plotW = w - left - 10;
  const plotH = h - top - 30;
  const step = plotW / shown.length;
  const barW = Math.max(1, step - (step > 4 ? 1 : 0));
  const y = (p: number) => top + plotH - (p / 100) * plotH;
  const bars = shown
    .map((d, i) => {
      const v = days[d];
      const rate = pct(v.pass, v.messages);
      const x = left + i * step;
      return `<rect x="${x.toFixed(1)}" y="${y(rate).toFixed(1)}" width="${barW.toFixed(1)}" height="${(top + plotH - y(rate)).toFixed(1)}" fill="${rate >= threshold ? GREEN : RED}" data-day="${esc(d)}" data-pass-rate="${rate}" data-messages="${v.messages}"><title>${esc(d)}: ${rate} % pass (${fmt(v.pass)} of ${fmt(v.messages)})</title></rect>`;
    })
    .join("\n");
  const grid = [0, 50, 100]
    .map((p) => `<line x1="${left}" x2="${w - 10}" y1="${y(p)}" y2="${y(p)}" stroke="${LINE}"/><text x="${left - 4}" y="${y(p) + 4}" font-size="11" text-anchor="end" fill="${MUTED}">${p} %</text>`)
    .join("");
  const thr = `<line x1="${left}" x2="${w - 10}" y1="${y(threshold).toFixed(1)}" y2="${y(threshold).toFixed(1)}" stroke="${MUTED}" stroke-dasharray="4 3"><title>threshold ${threshold} %</title></line>`;
  const labels = `<text x="${left}" y="${h - 8}" font-size="11" fill="${MUTED}">${esc(shown[0])}</text><text x="${w - 10}" y="${h - 8}" font-size="11" text-anchor="end" fill="${MUTED}">${esc(shown[shown.length - 1])}</text>`;
  const note = all.length > shown.length ? `<p class="sub">The latest ${shown.length} of ${all.length} days are drawn.</p>` : "";
  return `<svg class="chart" data-chart="pass-rate-per-day" role="img" aria-label="DMARC pass rate per day" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" xmlns="http://www.w3.org/2000/svg">
${grid}
${bars}
${thr}
${labels}
</svg>${note}`;
}

/** Horizontal bars of messages per source (IP via reporter): passing in green, failing in red. */
export function volumeChart(sources: DmarcDomainStats["sources"]): string {
  if (!sources.length) return "";
  const top = sources.slice(0, CHART_SOURCES);
  const rest = sources.slice(CHART_SOURCES);
  const rows = top.map((s) => ({ label: `${s.ip} via ${s.reporter}`, messages: s.messages, pass: s.dmarcPass, other: false }));
  if (rest.length) rows.push({ label: `${fmt(rest.length)} other sources`, messages: rest.reduce((a, s) => a + s.messages, 0), pass: rest.reduce((a, s) => a + s.dmarcPass, 0), other: true });
  const max = Math.max(...rows.map((r) => r.messages), 1);
  const w = 760;
  const labelW = 300;
  const rowH = 18;
  const h = rows.length * rowH + 10;
  const plotW = w - labelW - 80;
  const bars = rows
    .map((r, i) => {
      const y = 5 + i * rowH;
      const passW = (r.pass / max) * plotW;
      const failW = ((r.messages - r.pass) / max) * plotW;
      return `<g data-source="${esc(r.label)}" data-messages="${r.messages}" data-pass="${r.pass}"><title>${esc(r.label)}: ${fmt(r.messages)} messages, ${fmt(r.pass)} pass DMARC</title>
<text x="${labelW - 6}" y="${y + 12}" font-size="11" text-anchor="end" fill="${r.other ? MUTED : "#1f2328"}">${esc(r.label.length > 48 ? `${r.label.slice(0, 47)}…` : r.label)}</text>
<rect x="${labelW}" y="${y + 2}" width="${passW.toFixed(1)}" height="${rowH - 5}" fill="${GREEN}"/><rect x="${(labelW + passW).toFixed(1)}" y="${y + 2}" width="${failW.toFixed(1)}" height="${rowH - 5}" fill="${RED}"/>
<text x="${(labelW + passW + failW + 4).toFixed(1)}" y="${y + 12}" font-size="11" fill="${MUTED}">${fmt(r.messages)}</text></g>`;
    })
    .join("\n");
  return `<svg class="chart" data-chart="volume-per-source" role="img" aria-label="Messages per source" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" xmlns="http://www.w3.org/2000/svg">
${bars}
</svg>`;
}

const VERDICT_CLASS: Record<string, string> = { deliver: "allow", junk: "grant", quarantine: "block", reject: "block" };
const verdictHtml = (v: string) => `<span class="cell ${VERDICT_CLASS[v] ?? "na"}">${esc(v)}</span>`;

function predictionRow(s: SourcePrediction): string[] {
  return [
    `<code>${esc(s.ip)}</code>`,
    esc(s.reporter),
    esc(s.kind),
    String(s.failing),
    `${verdictHtml(s.verdict)} <code>compauth=${esc(s.compauth.result)} reason=${esc(s.compauth.reason)}</code>${s.matchedPair ? ` <span class="badge">${esc(s.matchedPair.list)} pair ${esc(s.matchedPair.pair.spoofedUser)} via ${esc(s.matchedPair.pair.sendingInfrastructure)}</span>` : ""}`,
    s.atNextStage ? `${verdictHtml(s.atNextStage.verdict)} <code>compauth=${esc(s.atNextStage.compauth.result)} reason=${esc(s.atNextStage.compauth.reason)}</code>` : `<span class="na">no next stage</span>`,
  ];
}

/** Spoofing sources summed: messages per action now and at the next stage. */
function spoofingRow(sources: SourcePrediction[]): string[] {
  const sum = (pick: (s: SourcePrediction) => string | undefined) => {
    const m = new Map<string, number>();
    for (const s of sources) {
      const v = pick(s);
      if (v) m.set(v, (m.get(v) ?? 0) + s.failing);
    }
    return [...m].map(([v, n]) => `${verdictHtml(v)} ${fmt(n)}`).join(" ") || `<span class="na">no next stage</span>`;
  };
  return [
    `<span class="na">${fmt(sources.length)} sources</span>`,
    `<span class="na">various</span>`,
    "spoofing",
    String(sources.reduce((a, s) => a + s.failing, 0)),
    sum((s) => s.verdict),
    sum((s) => s.atNextStage?.verdict),
  ];
}

function failingRow(f: FailingSource): string[] {
  return [`<code>${esc(f.ip)}</code>`, esc(f.reporter), String(f.failing), String(f.messages), String(f.days), esc(f.why), f.fix ? esc(f.fix) : `<span class="na">—</span>`];
}

/** Messages and passes per day, without the sources the readiness check classes as spoofing. */
export function daysWithoutSpoofing(stats: DmarcDomainStats | undefined, r: DomainReadiness): Record<string, { messages: number; pass: number }> {
  if (!stats) return {};
  const spoofing = new Set(r.spoofing.map((f) => `${f.ip}\u0000${f.reporter}`));
  if (!spoofing.size) return stats.days;
  const days: Record<string, { messages: number; pass: number }> = {};
  for (const s of stats.sources) {
    if (spoofing.has(`${s.ip}\u0000${s.reporter}`)) continue;
    for (const [d, v] of Object.entries(s.days)) {
      const t = (days[d] ??= { messages: 0, pass: 0 });
      t.messages += v.messages;
      t.pass += v.pass;
    }
  }
  return days;
}

function domainSection(r: DomainReadiness, stats: DmarcDomainStats | undefined, p: DomainPrediction | undefined, input: DmarcReportInput, limit: number): string {
  const status = r.next ? `<span class="cell ${r.ready ? "allow" : "block"}">${r.ready ? "READY" : "NOT READY"} for ${esc(r.next)}</span>` : `<span class="cell ro">no next stage</span>`;
  const stage = r.current ? `${esc(r.current)} (${r.currentFrom === "stack" ? `stack ${esc(input.stack)}` : "from the reports"})` : "unknown";
  const parts = [
    `<section class="domain" data-domain="${esc(r.domain)}">`,
    `<h2>${esc(r.domain)}</h2>`,
    `<p class="headline">At ${stage} · ${status}</p>`,
    `<div class="summary"><div><b>${fmt(r.messages)}</b>messages</div><div><b>${r.days}</b>days</div><div><b>${r.passRate} %</b>pass without spoofing sources</div><div><b>${r.rawPassRate} %</b>pass of all mail</div></div>`,
    `<ul>${r.reasons.map((x) => `<li>${esc(x)}</li>`).join("")}</ul>`,
    `<h3>DMARC pass rate per day</h3>`,
    `<p class="sub">Of the mail not from spoofing sources, as the threshold counts it.</p>`,
    passRateChart(daysWithoutSpoofing(stats, r), input.options.threshold),
    `<h3>Volume per source</h3>`,
    `<p class="legend"><span><span class="cell allow">pass</span> DMARC pass (aligned SPF or DKIM)</span><span><span class="cell block">fail</span> DMARC fail</span></p>`,
    volumeChart(stats?.sources ?? []),
  ];
  const failing = [...r.legitimateFailing, ...r.forwarders];
  if (failing.length) {
    const capped = capRows(failing, limit);
    parts.push(`<h3>Failing sources that look legitimate, and forwarders</h3>`, table(["IP", "Reporter", "Failing", "Messages", "Days", "Why", "Fix"], capped.shown.map(failingRow), { numeric: [2, 3, 4] }));
    if (capped.omitted) parts.push(cappedNote(capped.shown.length, failing.length, "sources", "Run dmarc report --json for every source."));
  }
  if (r.spoofing.length) parts.push(`<p>${fmt(r.spoofing.length)} source(s) look like spoofing (${fmt(r.spoofing.reduce((a, f) => a + f.failing, 0))} messages); they are left out of the pass rate.</p>`);
  if (p) {
    const next = p.nextPolicy ? ` and once at <code>p=${esc(p.nextPolicy)}</code>` : "";
    parts.push(`<h3>Exchange Online of this tenant: mail from ${esc(p.domain)} that fails DMARC</h3>`);
    parts.push(`<p class="sub">${p.spoofType === "Internal" ? "An accepted domain of the tenant: intra-org spoofing checks." : "Not an accepted domain: cross-org spoofing checks."} At <code>p=${esc(p.policy)}</code>${next}. Mail that passes DMARC is delivered.</p>`);
    const verdicts = ["deliver", "junk", "quarantine", "reject"] as const;
    const totals = [["now", p.messages] as const, ...(p.messagesAtNextStage ? [["next", p.messagesAtNextStage] as const] : [])];
    parts.push(
      table(
        ["Stage", ...verdicts],
        totals.map(([when, m]) => [when === "now" ? `p=${esc(p.policy)}` : `p=${esc(p.nextPolicy)}`, ...verdicts.map((v) => String(m[v]))]),
        { id: `eop-totals-${r.domain}`, numeric: [1, 2, 3, 4] },
      ),
    );
    // Partners one by one; spoofing sources (thousands in a busy domain's year) as one row.
    const partners = p.sources.filter((s) => s.kind !== "spoofing");
    const spoofing = p.sources.filter((s) => s.kind === "spoofing");
    const capped = capRows(partners, limit);
    const rows = capped.shown.map(predictionRow);
    if (spoofing.length) rows.push(spoofingRow(spoofing));
    parts.push(table(["IP", "Reporter", "Kind", "Failing", `At p=${p.policy}`, p.nextPolicy ? `At p=${p.nextPolicy}` : "Next stage"], rows, { numeric: [3] }));
    if (capped.omitted) parts.push(cappedNote(capped.shown.length, partners.length, "partner sources", "The totals above count every source. Run dmarc report --json for all of them."));
  }
  parts.push(`</section>`);
  return parts.join("\n");
}

/** The whole page. */
export function renderDmarcReport(input: DmarcReportInput): string {
  const limit = input.detailLimit ?? DETAIL_ROW_LIMIT;
  const byDomain = new Map(input.stats.map((s) => [s.domain, s]));
  const predictions = new Map(input.exchangeOnline.domains.map((d) => [d.domain, d]));
  const o = input.options;
  const errors = capRows(input.errors, limit);
  const body = [
    `<h1>DMARC aggregate reports${input.stack ? ` · stack ${esc(input.stack)}` : ""}</h1>`,
    `<p class="sub">${fmt(input.reports)} reports (${fmt(input.records)} records) read from ${fmt(input.files)} files${input.errors.length ? `, ${fmt(input.errors.length)} refused` : ""}. Ready means at least ${o.threshold} % of the mail not from spoofing sources passes DMARC, over at least ${o.minDays} days and ${fmt(o.minMessages)} messages.</p>`,
    input.assertions.length
      ? `<h2>Assertions</h2>\n${table(["Assertion", "Result"], input.assertions.map((a) => [esc(a.assertion), a.holds ? `<span class="pass">holds</span>` : `<span class="fail">fails</span>: ${esc(a.reason)}`]))}`
      : "",
    ...input.readiness.map((r) => domainSection(r, byDomain.get(r.domain), predictions.get(r.domain), input, limit)),
    input.errors.length ? `<h2>Refused files</h2>\n${table(["File", "Problem", "Fix"], errors.shown.map((e) => [`<code>${esc(e.file)}</code>`, esc(e.problem), esc(e.fix)]))}` : "",
    errors.omitted ? cappedNote(errors.shown.length, input.errors.length, "refused files", "Run dmarc report --json for every one.") : "",
    `<h2>Exchange Online prediction: what is assumed</h2>`,
    `<ul>${input.exchangeOnline.assumptions.map((a) => `<li>${esc(a)}</li>`).join("")}</ul>`,
    `<h2>Settings</h2>`,
    `<dl><dt>Threshold</dt><dd>${o.threshold} %</dd><dt>Minimum days</dt><dd>${o.minDays}</dd><dt>Minimum messages</dt><dd>${fmt(o.minMessages)}</dd><dt>Inbound settings</dt><dd>${esc(input.exchangeOnline.settings)}</dd></dl>`,
  ]
    .filter(Boolean)
    .join("\n");
  return page(`DMARC reports${input.stack ? ` ${input.stack}` : ""}`, body, input.provenance);
}
