/**
 * `coverage --html`: the decision table (class x policy -> outcome) with assertion results, built
 * on the shared HTML module. Pure: data in, HTML string out.
 */
import type { CoverageDocument } from "../../components";
import { coverageClassRow, coveragePolicyHeader } from "../../components/conditional-access/coverage/report";
import { DETAIL_ROW_LIMIT, capRows, cappedNote, esc, page } from "./html";
import type { Provenance } from "./provenance";

export interface CoverageReportInput {
  title: string;
  doc: CoverageDocument;
  provenance?: Provenance;
  /** Classes listed at most (default DETAIL_ROW_LIMIT); the counts and assertions always cover them all. */
  detailLimit?: number;
}

export function renderCoverageReport(input: CoverageReportInput): string {
  const { doc, title } = input;
  const e = esc;
  const c = doc.counts;
  const classes = capRows(doc.classes, input.detailLimit ?? DETAIL_ROW_LIMIT);
  const shownIds = new Set(classes.shown.map((row) => row.id));
  const head = coveragePolicyHeader(doc);
  const rows = classes.shown.map((row) => coverageClassRow(doc, row)).join("\n");
  // A failing class links to its row only when the row is on the page.
  const classRef = (id: string) => (shownIds.has(id) ? `<a href="#${e(id)}">${e(id)}</a>` : e(id));
  const assertions = doc.assertions.length
    ? `<h2>Assertions</h2><table id="assertions"><tr><th>assertion</th><th>result</th><th>failing classes (witness)</th></tr>${doc.assertions
        .map(
          (a) =>
            `<tr><td><code>${e(a.assertion)}</code></td><td class="${a.ok ? "pass" : "fail"}">${a.ok ? "PASS" : "FAIL"} (${a.classesChecked} checked)</td><td>${a.failures
              .slice(0, DETAIL_ROW_LIMIT)
              .map((f) => `${classRef(f.classId)} ${e(f.scope)}: ${e(f.outcome)} <code>${e(JSON.stringify(f.witness))}</code>`)
              .join("<br>")}${a.failures.length > DETAIL_ROW_LIMIT ? `<br><span class="na">and ${a.failures.length - DETAIL_ROW_LIMIT} more (coverage --json)</span>` : ""}</td></tr>`,
        )
        .join("")}</table>`
    : "";
  const body = `<h1>${e(title)}</h1>
<p>${c.classes} device classes for ${e(doc.scope)}: ${c.block} blocked, ${c.grant} granted with controls, ${c.allow} allowed; ${c.noPolicy} with no policy; ${c.blockIfReportOnlyEnforced} blocked with report-only policies enforced.
Every device falls in exactly one class; every device of a class gets the same policies and outcome.</p>
${assertions}
<h2>Decision table</h2>
<table id="classes">
<tr><th>class</th><th>devices</th><th>witness</th>${head}<th>outcome</th><th>with report-only enforced</th></tr>
${rows}
</table>
${
  classes.omitted
    ? cappedNote(
        classes.shown.length,
        doc.classes.length,
        "device classes",
        "The counts and assertions above cover every class. For the full table run coverage --json, or narrow the run with --for '<subjects>' (one sign-in: only the policies covering it) or fewer --policies.",
      )
    : ""
}
`;
  return page(title, body, input.provenance);
}
