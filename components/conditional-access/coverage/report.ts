/**
 * Coverage reports: the decision table (class -> applying policies -> outcome) as a stable JSON
 * document, as text, and as a self-contained HTML page. Pure functions: no Pulumi, no I/O.
 */
import type { CoverageAnalysis } from "./analysis";
import { classResult, type CoverageScope } from "./scope";
import { describeScope, type AssertionResult } from "./assert";
import { outcomeText, type InventoryDevice, type Outcome } from "../whatif/evaluate";
import type { CoverageSignIn } from "./dimensions";
import { DETAIL_ROW_LIMIT, capRows, cappedNote, esc, page, summaryCards, type ReportProvenance } from "../../common/html";

/** One device class of the decision table: what its devices look like, the policies that apply, the outcome. */
export interface CoverageRow {
  id: string;
  registered: boolean;
  description: string[];
  witness: InventoryDevice;
  applying: string[];
  outcome: Outcome;
  controls: string[];
  outcomeIfReportOnlyEnforced: Outcome;
  /** Further regions of the class, each with its witness (the first is the row's own). */
  regions: { description: string[]; witness: InventoryDevice; signIn?: CoverageSignIn }[];
  /**
   * The rest of the witness sign-in: user (named id or any other, kind, home tenant, groups,
   * roles), client app type, location (named locations it is in, trusted). Present only when the
   * policies tell sign-ins apart on one of them.
   */
  signIn?: CoverageSignIn;
}

/** The coverage decision table as a stable JSON document (what `coverage --json` prints). */
export interface CoverageDocument {
  ok: boolean;
  /** Whose sign-in the table shows. */
  scope: string;
  /** `notModelled`: conditions of the policy the evaluator does not model (only when there are any). */
  policies: { name: string; state: string; classesApplied: number; notModelled?: string[] }[];
  attributes: { name: string; regions: string[] }[];
  /** `unknown`: classes whose outcome depends on a condition the evaluator does not model (not enough information). */
  counts: { classes: number; block: number; grant: number; allow: number; unknown: number; noPolicy: number; blockIfReportOnlyEnforced: number; unknownIfReportOnlyEnforced: number };
  classes: CoverageRow[];
  assertions: AssertionResult[];
}

/**
 * The decision table for a scope (default: every policy's users and apps), with assertion results.
 * `narrowing`: how the analysis was narrowed (`--for platform=windows`), for the scope line.
 */
export function coverageDocument(analysis: CoverageAnalysis, assertions: AssertionResult[], scope: CoverageScope = {}, narrowing: string[] = []): CoverageDocument {
  const counts = { classes: analysis.classes.length, block: 0, grant: 0, allow: 0, unknown: 0, noPolicy: 0, blockIfReportOnlyEnforced: 0, unknownIfReportOnlyEnforced: 0 };
  const applied = new Map<string, number>();
  const classes = analysis.classes.map((cls) => {
    const r = classResult(analysis, cls, scope);
    counts[r.outcome]++;
    if (r.applying.length === 0) counts.noPolicy++;
    if (r.outcomeIfReportOnlyEnforced === "block") counts.blockIfReportOnlyEnforced++;
    if (r.outcomeIfReportOnlyEnforced === "unknown") counts.unknownIfReportOnlyEnforced++;
    for (const name of r.applying) applied.set(name, (applied.get(name) ?? 0) + 1);
    return {
      id: cls.id,
      registered: cls.registered,
      description: cls.description,
      witness: cls.witness,
      applying: r.applying,
      outcome: r.outcome,
      controls: r.controls,
      outcomeIfReportOnlyEnforced: r.outcomeIfReportOnlyEnforced,
      regions: cls.regions,
      ...(cls.signIn ? { signIn: cls.signIn } : {}),
    };
  });
  return {
    ok: assertions.every((a) => a.ok),
    scope: narrowing.length ? `${describeScope(scope)}, only sign-ins with ${narrowing.join(", ")}` : describeScope(scope),
    policies: analysis.policies.map((p) => ({ name: p.name, state: p.state, classesApplied: applied.get(p.name) ?? 0, ...(p.notModelled ? { notModelled: p.notModelled } : {}) })),
    attributes: analysis.attributes,
    counts,
    classes,
    assertions,
  };
}


/** The report as text lines for a terminal. */
export function coverageLines(doc: CoverageDocument): string[] {
  const c = doc.counts;
  const lines = [
    `Coverage of ${doc.policies.length} polic${doc.policies.length === 1 ? "y" : "ies"} for ${doc.scope}: ${c.classes} device classes ` +
      `(${c.block} blocked, ${c.grant} granted with controls, ${c.allow} allowed${c.unknown ? `, ${c.unknown} not enough information` : ""}; ${c.noPolicy} with no policy; ` +
      `${c.blockIfReportOnlyEnforced} blocked with report-only policies enforced${c.unknownIfReportOnlyEnforced ? `, ${c.unknownIfReportOnlyEnforced} not enough information` : ""})`,
    "",
    "Policies:",
  ];
  for (const p of doc.policies) lines.push(`  ${p.name}  [${p.state}]  applies to ${p.classesApplied} class(es)${p.notModelled ? `; not modelled: ${p.notModelled.join(", ")}` : ""}`);
  if (doc.attributes.length) {
    lines.push("", "What the rules tell apart:");
    for (const a of doc.attributes) lines.push(`  ${a.name}: ${a.regions.join(" | ")}`);
  }
  lines.push("", "Classes:");
  for (const row of doc.classes) {
    const extra = row.outcomeIfReportOnlyEnforced !== row.outcome ? `  [report-only would: ${outcomeText(row.outcomeIfReportOnlyEnforced)}]` : "";
    lines.push(`  ${row.id}  ${outcomeText(row.outcome, row.controls)}${extra}  ${row.description.join("; ")}`);
    for (const more of row.regions.slice(1)) lines.push(`        or ${more.description.join("; ")}`);
    lines.push(`        applying: ${row.applying.length ? row.applying.join(" | ") : "none"}`);
    lines.push(`        witness: ${JSON.stringify(row.witness)}`);
    if (row.signIn) lines.push(`        sign-in: ${JSON.stringify(row.signIn)}`);
  }
  if (doc.assertions.length) {
    lines.push("", "Assertions:");
    for (const a of doc.assertions) {
      if (a.ok) {
        lines.push(`  PASS  ${a.assertion}  (${a.classesChecked} class(es) checked)`);
        continue;
      }
      lines.push(`  FAIL  ${a.assertion}  (${a.failures.length} failing of ${a.classesChecked} checked)`);
      for (const f of a.failures) {
        lines.push(`        ${f.classId} for ${f.scope}: ${outcomeText(f.outcome, f.controls)}; applying: ${f.applying.length ? f.applying.join(" | ") : "none"}`);
        lines.push(`          ${f.description.join("; ")}`);
        lines.push(`          witness: ${JSON.stringify(f.witness)}`);
        if (f.signIn) lines.push(`          sign-in: ${JSON.stringify(f.signIn)}`);
      }
    }
  }
  return lines;
}

/** The decision table's policy columns (one `<th>` per policy). */
export function coveragePolicyHeader(doc: CoverageDocument): string {
  const e = esc;
  return doc.policies
    .map((p) => `<th class="policy" title="${e(p.state)}">${e(p.name)}<br><small>${e(p.state)}</small>${p.notModelled ? `<br><small class="na">not modelled: ${e(p.notModelled.join(", "))}</small>` : ""}</th>`)
    .join("");
}

/** One class of the decision table: regions, witness, the policies that apply, the outcomes. */
export function coverageClassRow(doc: CoverageDocument, row: CoverageRow): string {
  const e = esc;
  const applying = new Set(row.applying);
  const cells = doc.policies.map((p) => (applying.has(p.name) ? `<td class="applies">applies</td>` : "<td></td>")).join("");
  const desc = `<ul>${row.regions.map((r) => `<li>${e(r.description.join("; "))}</li>`).join("")}</ul>`;
  return (
    `<tr id="${e(row.id)}"><th>${e(row.id)}</th><td>${desc}</td><td class="witness"><code>${e(JSON.stringify(row.witness))}</code>${row.signIn ? `<br><small>sign-in</small> <code class="sign-in">${e(JSON.stringify(row.signIn))}</code>` : ""}</td>${cells}` +
    `<td class="${e(row.outcome)}">${e(outcomeText(row.outcome, row.controls))}</td><td class="${e(row.outcomeIfReportOnlyEnforced)}">${e(outcomeText(row.outcomeIfReportOnlyEnforced))}</td></tr>`
  );
}

/** Options of {@link coverageHtml}. */
export interface CoverageHtmlOptions {
  /** When, by which version, from which commit and inputs the page was made: shown in an "About this report" block. */
  provenance?: ReportProvenance;
  /** Classes listed at most (default 1,000); the counts and assertions always cover them all. */
  detailLimit?: number;
}

/**
 * The decision table as a self-contained HTML page (inline CSS, no script, no external asset):
 * summary cards with the counts, the assertion results, and the class x policy matrix, capped at `detailLimit` rows
 * with a note on how to narrow the run.
 */
export function coverageHtml(doc: CoverageDocument, title: string, options: CoverageHtmlOptions = {}): string {
  const e = esc;
  const c = doc.counts;
  const classes = capRows(doc.classes, options.detailLimit ?? DETAIL_ROW_LIMIT);
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
              .map((f) => `${classRef(f.classId)} ${e(f.scope)}: ${e(outcomeText(f.outcome))} <code>${e(JSON.stringify(f.witness))}</code>${f.signIn ? ` <code class="sign-in">${e(JSON.stringify(f.signIn))}</code>` : ""}`)
              .join("<br>")}${a.failures.length > DETAIL_ROW_LIMIT ? `<br><span class="na">and ${a.failures.length - DETAIL_ROW_LIMIT} more (coverage --json)</span>` : ""}</td></tr>`,
        )
        .join("")}</table>`
    : "";
  const failing = doc.assertions.filter((a) => !a.ok).length;
  const summary = summaryCards([
    { value: c.classes, label: "device classes", id: "classes-count" },
    { value: c.block, label: "blocked", id: "block-count", muteZero: true },
    { value: c.grant, label: "granted with controls", id: "grant-count", muteZero: true },
    { value: c.allow, label: "allowed", id: "allow-count" },
    { value: c.unknown, label: "not enough information (a condition not modelled)", id: "unknown-count", muteZero: true },
    { value: c.noPolicy, label: "with no policy", id: "no-policy-count", muteZero: true },
    { value: c.blockIfReportOnlyEnforced, label: "blocked once report-only policies are enforced", id: "block-if-enforced-count", muteZero: true },
    ...(doc.assertions.length ? [{ value: failing, label: `of ${doc.assertions.length} assertion(s) failing`, id: "failing-assertions-count", muteZero: true }] : []),
  ]);
  const body = `<h1>${e(title)}</h1>
<p class="sub">${doc.policies.length} polic${doc.policies.length === 1 ? "y" : "ies"} for ${e(doc.scope)}. Every device falls in exactly one class; every device of a class gets the same policies and outcome${doc.classes.some((r) => r.signIn) ? " (with the user, client app and location of the class: the witness sign-in shows one)" : ""}.</p>
${summary}
${assertions}
<h2>Decision table</h2>
<table id="classes">
<tr><th>class</th><th>devices${doc.classes.some((r) => r.signIn) ? " and sign-ins" : ""}</th><th>witness</th>${head}<th>outcome</th><th>with report-only enforced</th></tr>
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
  return page(title, body, options.provenance);
}
