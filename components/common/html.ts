/**
 * The one HTML module of the reports (the CLI's plan, whatif and coverage pages and the
 * components' `coverageHtml`): escaping, the stylesheet, the page frame with the provenance block a
 * security lead files as evidence, summary cards, tables and the cap on detail rows. Pages are
 * self-contained (inline CSS, no script, no external asset). Every text that comes from config or
 * inventories goes through `esc`. Pure: no I/O (collecting the provenance is the CLI's job).
 */

/** One input file of a report: what it is to the report, where it is, and its hash. */
export interface ReportProvenanceFile {
  /** What the file is to the report, e.g. "Stack config", "Policy pack config", "Device inventory". */
  role: string;
  path: string;
  /** SHA-256 of the file's bytes, hex; absent when the file could not be read (then `note` says why). */
  sha256?: string;
  note?: string;
}

/**
 * What an HTML report says about itself, so it can be filed as evidence: when it was generated,
 * by which tool and version, from which git commit, for which stack, from which input files.
 */
export interface ReportProvenance {
  /** ISO 8601, UTC. */
  generatedAt: string;
  tool: string;
  version: string;
  /** The git commit of the project the report was made from; absent when unknown. */
  commit?: string;
  stack?: string;
  files: ReportProvenanceFile[];
}

/** Escape text for HTML element content and double-quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** A value as short readable text (arrays comma-separated, objects as JSON). */
export function text(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((v) => typeof v !== "object" || v === null)) return value.join(", ");
  return JSON.stringify(value);
}

const CSS = `
:root { --ink:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#f6f8fa; --block:#b42318; --block-bg:#fde8e7;
  --grant:#9a6700; --grant-bg:#fff4d6; --allow:#1a7f37; --allow-bg:#dafbe1; --ro:#6e40c9; --ro-bg:#f1ebff; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 24px; max-width: 1400px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.sub { color: var(--muted); margin: 0 0 16px; }
table { border-collapse: collapse; margin: 8px 0 12px; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; word-break: break-word; }
.cell { font-weight: 600; border-radius: 4px; padding: 1px 6px; display: inline-block; white-space: nowrap; }
.block { color: var(--block); background: var(--block-bg); } .grant { color: var(--grant); background: var(--grant-bg); }
.allow { color: var(--allow); background: var(--allow-bg); } .ro { color: var(--ro); background: var(--ro-bg); }
.unknown { color: var(--ink); background: repeating-linear-gradient(135deg, var(--bg), var(--bg) 4px, var(--line) 4px, var(--line) 6px); }
.na { color: var(--muted); }
.badge { font-size: 12px; border: 1px solid var(--line); border-radius: 10px; padding: 0 7px; color: var(--muted); white-space: nowrap; }
.mandatory { color: var(--block); background: var(--block-bg); border-color: var(--block); }
.advisory { color: var(--grant); background: var(--grant-bg); border-color: var(--grant); }
.summary { display: flex; gap: 12px; flex-wrap: wrap; margin: 12px 0; }
.summary div { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; background: var(--bg); min-width: 130px; }
.summary b { display: block; font-size: 20px; }
.zero { color: var(--muted); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 6px 0 10px; }
dt { color: var(--muted); } dd { margin: 0; }
.legend span { margin-right: 10px; }
#matrix td:nth-child(-n+3) { white-space: nowrap; }
.headline { font-weight: 600; margin: 2px 0 4px; }
th.policy { writing-mode: vertical-rl; transform: rotate(180deg); max-height: 260px; font-weight: normal; }
td.applies { background: #e8eefc; text-align: center; }
td.block { color: var(--block); background: var(--block-bg); font-weight: 600; } td.grant { color: var(--grant); background: var(--grant-bg); font-weight: 600; }
td.allow { color: var(--allow); background: var(--allow-bg); font-weight: 600; } td.unknown { font-weight: 600; }
td.witness code { white-space: pre-wrap; font-size: 12px; }
.pass { color: var(--allow); font-weight: 600; } .fail { color: var(--block); font-weight: 600; }
ul { margin: 4px 0 0 18px; padding: 0; }
.capped { border: 1px solid var(--grant); background: var(--grant-bg); border-radius: 6px; padding: 8px 12px; }
#provenance { margin-top: 32px; color: var(--muted); }
`;

/** The provenance block: when, by which version, from which commit, stack and input files (with hashes). */
export function provenanceHtml(p: ReportProvenance): string {
  const rows: [string, string][] = [
    ["Generated", `<code>${esc(p.generatedAt)}</code>`],
    ["Tool", `${esc(p.tool)} <code>${esc(p.version)}</code>`],
  ];
  if (p.commit) rows.push(["Git commit", `<code>${esc(p.commit)}</code>`]);
  if (p.stack) rows.push(["Stack", esc(p.stack)]);
  for (const f of p.files) {
    rows.push([f.role, `<code>${esc(f.path)}</code>${f.sha256 ? ` · sha256 <code>${esc(f.sha256)}</code>` : f.note ? ` · ${esc(f.note)}` : ""}`]);
  }
  return `<section id="provenance">
<h2>About this report</h2>
<dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join("")}</dl>
</section>`;
}

/**
 * A complete, self-contained HTML document. `body` must already be escaped HTML. With a
 * provenance, the page ends with the "About this report" block and carries the generation time
 * and version in `<meta>` tags too.
 */
export function page(title: string, body: string, provenance?: ReportProvenance): string {
  const meta = provenance
    ? `<meta name="generator" content="${esc(`${provenance.tool} ${provenance.version}`)}">
<meta name="generated-at" content="${esc(provenance.generatedAt)}">
`
    : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
${meta}<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
${provenance ? provenanceHtml(provenance) : ""}
</body>
</html>
`;
}

/** One summary card: a big number and what it counts. */
export interface SummaryCard {
  value: number;
  label: string;
  /** The `id` of the number, for tests and links. */
  id?: string;
  /** Show the number muted when it is zero (for counts where zero is good news or nothing to see). */
  muteZero?: boolean;
}

/** The row of summary cards at the top of a page. Labels are escaped here. */
export function summaryCards(cards: SummaryCard[]): string {
  const card = (c: SummaryCard) =>
    `<div><b${c.muteZero ? ` class="${c.value ? "" : "zero"}"` : ""}${c.id ? ` id="${esc(c.id)}"` : ""}>${c.value}</b>${esc(c.label)}</div>`;
  return `<div class="summary">\n${cards.map(card).join("\n")}\n</div>`;
}

/** A table from header labels and rows of already-escaped cell HTML. */
export function table(headers: string[], rows: string[][], options: { id?: string; numeric?: number[] } = {}): string {
  const num = new Set(options.numeric ?? []);
  const head = `<tr>${headers.map((h, i) => `<th${num.has(i) ? ' class="num"' : ""} scope="col">${esc(h)}</th>`).join("")}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${num.has(i) ? ' class="num"' : ""}>${c}</td>`).join("")}</tr>`).join("\n");
  return `<table${options.id ? ` id="${esc(options.id)}"` : ""}>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** Detail rows a page shows at most: beyond that the page is a summary and says how to narrow. */
export const DETAIL_ROW_LIMIT = 1000;

/** The first `limit` items, and how many were left out. */
export function capRows<T>(items: T[], limit = DETAIL_ROW_LIMIT): { shown: T[]; omitted: number } {
  return items.length > limit ? { shown: items.slice(0, limit), omitted: items.length - limit } : { shown: items, omitted: 0 };
}

/** The note under a capped table: how many rows are shown, and how to get the rest. `how` is escaped here. */
export function cappedNote(shown: number, total: number, what: string, how: string): string {
  return `<p class="capped" data-capped="${total - shown}">Showing the first ${shown} of ${total} ${esc(what)}; ${total - shown} not shown to keep this page small. ${esc(how)}</p>`;
}
