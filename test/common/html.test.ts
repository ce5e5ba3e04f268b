/**
 * The one HTML module (components/common/html.ts) and the page the components' coverageHtml
 * builds with it: what a reader of a report sees (escaped text, the cards, the provenance block).
 */
import { esc, page, summaryCards, type ReportProvenance } from "../../components/common/html";
import { analyseCoverage, checkAssertions, coverageDocument, coverageHtml, parseCoverageAssertion } from "../../components";
import { testPolicy } from "../helpers/policies";

const HOSTILE = `<img src=x onerror="alert(1)">&'`;

const provenance: ReportProvenance = {
  generatedAt: "2026-01-02T03:04:05.000Z",
  tool: "tenant-guardrails",
  version: "9.9.9",
  commit: "0123456789abcdef0123456789abcdef01234567",
  stack: "prod",
  files: [{ role: "Stack config", path: "stacks/Pulumi.prod.yaml", sha256: "ab".repeat(32) }],
};

describe("the HTML module", () => {
  it("escapes the five HTML-significant characters", () => {
    expect(esc(HOSTILE)).toBe("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;");
    expect(esc(undefined)).toBe("");
  });

  it("summary cards: the number, its label (escaped), zero muted only where asked", () => {
    const html = summaryCards([
      { value: 0, label: "blocked", muteZero: true, id: "b" },
      { value: 0, label: "allowed" },
      { value: 2, label: HOSTILE, muteZero: true },
    ]);
    expect(html).toBe(
      `<div class="summary">\n<div><b class="zero" id="b">0</b>blocked</div>\n<div><b>0</b>allowed</div>\n<div><b class="">2</b>${esc(HOSTILE)}</div>\n</div>`,
    );
  });

  it("a page with a provenance says when, by what, from which commit, stack and files; without one it has no such block", () => {
    const html = page("T", "<p>x</p>", provenance);
    expect(html).toContain(`<meta name="generator" content="tenant-guardrails 9.9.9">`);
    expect(html).toContain(`<meta name="generated-at" content="2026-01-02T03:04:05.000Z">`);
    expect(html).toContain("<dt>Git commit</dt><dd><code>0123456789abcdef0123456789abcdef01234567</code></dd>");
    expect(html).toContain(`<dt>Stack config</dt><dd><code>stacks/Pulumi.prod.yaml</code> · sha256 <code>${"ab".repeat(32)}</code></dd>`);
    expect(page("T", "<p>x</p>")).not.toContain('id="provenance"');
  });
});

describe("coverageHtml (the library's coverage page)", () => {
  const policies = [testPolicy(HOSTILE, { mode: "include", rule: 'device.trustType -eq "Workplace"' })];
  const assertion = parseCoverageAssertion("every class has-policy");
  const analysis = analyseCoverage(policies, { selectors: [assertion.selector] });
  const assertions = checkAssertions(analysis, [assertion]);
  const doc = coverageDocument(analysis, assertions);

  it("has summary cards with the document's counts and the failing assertions", () => {
    const html = coverageHtml(doc, "Coverage");
    expect(doc.counts.classes).toBeGreaterThan(1);
    expect(html).toContain(`<b id="classes-count">${doc.counts.classes}</b>device classes`);
    expect(html).toContain(`<b class="" id="block-count">${doc.counts.block}</b>blocked`);
    expect(html).toContain(`<b class="" id="no-policy-count">${doc.counts.noPolicy}</b>with no policy`);
    expect(html).toContain(`<b class="" id="failing-assertions-count">1</b>of 1 assertion(s) failing`);
  });

  it("is the shared page: CSP frame, escaped policy names, provenance only when given", () => {
    const html = coverageHtml(doc, "Coverage");
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    expect(html).not.toContain("<img");
    expect(html).toContain(esc(HOSTILE));
    expect(html).not.toContain('id="provenance"');
    expect(coverageHtml(doc, "Coverage", { provenance })).toContain(`<section id="provenance">`);
  });

  it("lists at most detailLimit classes and says how to narrow", () => {
    const html = coverageHtml(doc, "Coverage", { detailLimit: 1 });
    expect(html.match(/<tr id="C\d+">/g)).toHaveLength(1);
    expect(html).toContain(`Showing the first 1 of ${doc.counts.classes} device classes`);
  });
});
