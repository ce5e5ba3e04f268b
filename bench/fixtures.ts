/**
 * Fixtures for tests and benchmarks. The repository's own, written for it, live in
 * `test/fixtures/` and are always there. Third-party conformance fixtures (Graph exports from
 * public repositories, DMARC vectors from peer implementations) are read from a `shared/fixtures`
 * folder beside the repository when one is there; a plain clone has none, and the suites and
 * benchmarks that need them say so instead of failing.
 *
 * Paths are found from the repository root (the nearest folder above this file with the
 * package.json), so this works from the sources (jest) and from dist/bench (npm run bench).
 */
import * as fs from "node:fs";
import * as path from "node:path";

export function repositoryRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

/** The repository's own fixtures: test/fixtures. */
export function ownFixturesDir(): string {
  return path.join(repositoryRoot(), "test", "fixtures");
}

/** Where the shared conformance fixtures are looked for: shared/fixtures beside the repository. */
export function sharedFixturesPath(): string {
  return path.resolve(repositoryRoot(), "..", "shared", "fixtures");
}

/** The shared conformance fixtures folder, or undefined when there is none (a plain clone). */
export function sharedFixturesDir(): string | undefined {
  const dir = sharedFixturesPath();
  return fs.existsSync(dir) && fs.statSync(dir).isDirectory() ? dir : undefined;
}

/** "repository" or "repository+shared": which fixtures a benchmark figure was measured on. */
export function fixturesSource(): string {
  return sharedFixturesDir() ? "repository+shared" : "repository";
}

export type FixtureOrigin = "repository" | "shared";

export interface FixtureFile {
  /** Path relative to the fixture folder's conditional-access/ or dmarc/ folder, with "/". */
  name: string;
  /** Absolute path. */
  path: string;
  origin: FixtureOrigin;
}

function jsonFilesUnder(root: string, origin: FixtureOrigin): FixtureFile[] {
  if (!fs.existsSync(root)) return [];
  const out: FixtureFile[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".json")) out.push({ name: path.relative(root, full).split(path.sep).join("/"), path: full, origin });
    }
  };
  walk(root);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Graph exports of Conditional Access policies (and named locations), sorted by name. */
export function conditionalAccessFixtures(origin: FixtureOrigin): FixtureFile[] {
  const base = origin === "repository" ? ownFixturesDir() : sharedFixturesDir();
  return base ? jsonFilesUnder(path.join(base, "conditional-access"), origin) : [];
}

/** The repository's Conditional Access fixtures, then the shared ones when present. */
export function allConditionalAccessFixtures(): FixtureFile[] {
  return [...conditionalAccessFixtures("repository"), ...conditionalAccessFixtures("shared")];
}

/** The peer implementations whose DMARC vectors are in shared/fixtures/dmarc/<source>.json. */
export const SHARED_DMARC_SOURCES = ["opendmarc", "mailauth", "checkdmarc"] as const;

/** DMARC vector files: the repository's (source "repository"), then the shared peers' when present. */
export function dmarcVectorFiles(): { source: string; path: string; origin: FixtureOrigin }[] {
  const files: { source: string; path: string; origin: FixtureOrigin }[] = [{ source: "repository", path: path.join(ownFixturesDir(), "dmarc", "rfc-vectors.json"), origin: "repository" }];
  const shared = sharedFixturesDir();
  if (shared) for (const source of SHARED_DMARC_SOURCES) files.push({ source, path: path.join(shared, "dmarc", `${source}.json`), origin: "shared" });
  return files;
}

/** The text of a fixture, without a byte-order mark (some exports are saved with one). */
export function fixtureText(file: string): string {
  return fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
}
