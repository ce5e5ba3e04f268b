/**
 * The four per-system pages share one layout: the same first sections in the same order, and an
 * Args table that lists every input of the component (as schema.json, the package schema other
 * languages read, declares them).
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const SECTIONS = ["What it declares", "Args", "Refused at preview", "Permissions", "UNVERIFIED choices"];
const PAGES: Record<string, string> = {
  "docs/conditional-access.md": "tenant-guardrails:index:CorporateDeviceAccess",
  "docs/intune.md": "tenant-guardrails:index:FipsDeviceConfiguration",
  "docs/defender.md": "tenant-guardrails:index:VulnerabilityAssessment",
  "docs/email.md": "tenant-guardrails:index:EmailAuthentication",
};

const schema = JSON.parse(fs.readFileSync(path.join(ROOT, "schema.json"), "utf8")) as {
  resources: Record<string, { inputProperties: Record<string, unknown> }>;
};

/** The page's `## ` headings, in order (fenced code skipped). */
function headings(text: string): string[] {
  let fenced = false;
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    else if (!fenced && line.startsWith("## ")) out.push(line.slice(3).trim());
  }
  return out;
}

/** The names in backticks in the first cell of each row of the `## Args` section's tables. */
function argNames(text: string): Set<string> {
  const section = /^## Args\n([\s\S]*?)(?=^## )/m.exec(text);
  if (!section) return new Set();
  const names = new Set<string>();
  for (const line of section[1].split("\n")) {
    if (!line.startsWith("|") || /^\|\s*-/.test(line)) continue;
    const first = line.split("|")[1] ?? "";
    // `users.includeGroupIds` documents a field of the `users` input.
    for (const m of first.matchAll(/`([^`]+)`/g)) names.add(m[1]).add(m[1].split(".")[0]);
  }
  return names;
}

describe.each(Object.entries(PAGES))("%s", (page, token) => {
  const text = fs.readFileSync(path.join(ROOT, page), "utf8");

  it(`opens with the sections ${SECTIONS.join(", ")}, in that order`, () => {
    expect(headings(text).slice(0, SECTIONS.length)).toEqual(SECTIONS);
  });

  it("lists every input of the component in its Args table", () => {
    const inputs = Object.keys(schema.resources[token].inputProperties);
    expect(inputs.length).toBeGreaterThan(3);
    const listed = argNames(text);
    expect(inputs.filter((name) => !listed.has(name))).toEqual([]);
  });
});

it("the Args check notices a missing input", () => {
  const names = argNames("## Args\n\n| name | type |\n|---|---|\n| `a` (`b`: deprecated alias) | x |\n\n## Next\n");
  expect([...names]).toEqual(["a", "b"]);
  expect(argNames("## Args\n\n| name |\n|---|\n| `a` |\n\n## Next\n").has("b")).toBe(false);
});
