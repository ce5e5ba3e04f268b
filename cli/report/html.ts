/**
 * Building blocks of the HTML reports: escaping and a self-contained page (inline CSS, no script,
 * no external asset). Every text that comes from config or inventories goes through `esc`.
 */

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
`;

/** A complete, self-contained HTML document. `body` must already be escaped HTML. */
export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** A table from header labels and rows of already-escaped cell HTML. */
export function table(headers: string[], rows: string[][], options: { id?: string; numeric?: number[] } = {}): string {
  const num = new Set(options.numeric ?? []);
  const head = `<tr>${headers.map((h, i) => `<th${num.has(i) ? ' class="num"' : ""} scope="col">${esc(h)}</th>`).join("")}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${num.has(i) ? ' class="num"' : ""}>${c}</td>`).join("")}</tr>`).join("\n");
  return `<table${options.id ? ` id="${esc(options.id)}"` : ""}>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}
