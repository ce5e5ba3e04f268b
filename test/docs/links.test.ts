/**
 * The README and the docs/ pages hold together: every relative link points at a file that exists
 * (and, for `#anchor` links, at a heading of that file, slugged as GitHub does), and every
 * `tenant-guardrails <command>` and `npm run <script>` shown in code names a command the CLI has and
 * a script package.json has.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "../..");

function markdownFiles(): string[] {
  const out = ["README.md"];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith(".md")) out.push(rel);
    }
  };
  walk("docs");
  return out.sort();
}

interface Parsed {
  /** Lines outside fenced code blocks, with inline code spans blanked out. */
  prose: { line: number; text: string }[];
  /** Lines inside fenced code blocks, and the text of inline code spans. */
  code: { line: number; text: string }[];
  headings: string[];
}

function parse(text: string): Parsed {
  const prose: Parsed["prose"] = [];
  const code: Parsed["code"] = [];
  const headings: string[] = [];
  let fence: string | undefined;
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    const marker = /^\s*(```+|~~~+)/.exec(raw);
    if (marker) {
      if (fence === undefined) fence = marker[1];
      else if (marker[1].startsWith(fence)) fence = undefined;
      return;
    }
    if (fence !== undefined) return void code.push({ line, text: raw });
    for (const span of raw.matchAll(/(`+)([^`]+?)\1/g)) code.push({ line, text: span[2] });
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(raw);
    if (h) headings.push(h[1]);
    prose.push({ line, text: raw.replace(/(`+)[^`]+?\1/g, "") });
  });
  return { prose, code, headings };
}

/** GitHub's heading anchor: lowercase, punctuation except - and spaces removed, spaces to -; repeats get -1, -2, ... */
function slugs(headings: string[]): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const h of headings) {
    const text = h.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1");
    const base = text.toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, "").replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

const files = markdownFiles();
const parsed = new Map(files.map((f) => [f, parse(fs.readFileSync(path.join(ROOT, f), "utf8"))]));

/** Problems of every relative link of `file`, as "file:line: message". */
function brokenLinks(file: string): string[] {
  const problems: string[] = [];
  for (const { line, text } of parsed.get(file)!.prose) {
    for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const [pathPart, anchor] = target.split("#", 2) as [string, string | undefined];
      const resolved = pathPart === "" ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), pathPart));
      const where = `${file}:${line}: link ${target}`;
      if (resolved.startsWith("..")) {
        problems.push(`${where}: points outside the repository`);
        continue;
      }
      if (!fs.existsSync(path.join(ROOT, resolved))) {
        problems.push(`${where}: ${resolved} does not exist`);
        continue;
      }
      if (anchor === undefined) continue;
      if (!resolved.endsWith(".md")) {
        problems.push(`${where}: an anchor into a file that is not Markdown`);
        continue;
      }
      const target_ = parsed.get(resolved) ?? parse(fs.readFileSync(path.join(ROOT, resolved), "utf8"));
      if (!slugs(target_.headings).has(anchor)) problems.push(`${where}: ${resolved} has no heading with anchor #${anchor}`);
    }
  }
  return problems;
}

/** The CLI's top-level commands, as the command registry names them. */
function cliCommands(): Set<string> {
  const source = fs.readFileSync(path.join(ROOT, "cli/commands/index.ts"), "utf8");
  const block = /const COMMANDS\b[^\n]*\{\n([\s\S]*?)\n\};/.exec(source);
  if (!block) throw new Error("cli/commands/index.ts: no COMMANDS table found");
  const names = [...block[1].matchAll(/^\s*"?([a-z][a-z-]*)"?\s*:/gm)].map((m) => m[1]);
  if (names.length === 0) throw new Error("cli/commands/index.ts: COMMANDS is empty");
  return new Set(names);
}

function unknownCommands(file: string, commands: Set<string>, scripts: Set<string>): string[] {
  const problems: string[] = [];
  for (const { line, text } of parsed.get(file)!.code) {
    const stripped = text.replace(/^\s*\$\s+/, "").trimStart();
    const invoked = new Set([
      ...[...stripped.matchAll(/^(?:npx\s+(?:-\S+\s+)*)?tenant-guardrails\s+([a-z][\w-]*)/g)].map((m) => m[1]),
      ...[...stripped.matchAll(/(?<=\s|^)npx\s+(?:-\S+\s+)*tenant-guardrails\s+([a-z][\w-]*)/g)].map((m) => m[1]),
    ]);
    for (const name of invoked) {
      if (!commands.has(name)) problems.push(`${file}:${line}: tenant-guardrails ${name}: no such CLI command (known: ${[...commands].join(", ")})`);
    }
    for (const m of stripped.matchAll(/\bnpm\s+run\s+([\w:.-]+)/g)) {
      if (!scripts.has(m[1])) problems.push(`${file}:${line}: npm run ${m[1]}: no such script in package.json`);
    }
  }
  return problems;
}

describe("README and docs/", () => {
  it("finds the README and the docs pages", () => {
    expect(files).toEqual(expect.arrayContaining(["README.md", "docs/adapt-to-your-tenant.md", "docs/cli.md"]));
  });

  it.each(files)("%s: every relative link and anchor resolves", (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it.each(files)("%s: every command shown names a real CLI command or npm script", (file) => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(unknownCommands(file, cliCommands(), new Set(Object.keys(pkg.scripts)))).toEqual([]);
  });

  it("the README stays under 10 KB", () => {
    expect(fs.statSync(path.join(ROOT, "README.md")).size).toBeLessThan(10 * 1024);
  });

  it("slugs headings as GitHub does", () => {
    expect([...slugs(["Calls to Graph and ARM: answers, deadlines, proxy", "Newcomer's guide", "`coverage` — every kind", "Permissions", "Permissions"])]).toEqual([
      "calls-to-graph-and-arm-answers-deadlines-proxy",
      "newcomers-guide",
      "coverage--every-kind",
      "permissions",
      "permissions-1",
    ]);
  });
});
