/**
 * The shared fixtures (`../shared/fixtures` beside the repository), for benchmarks and tests alike.
 * Found by walking up from this file, so it works from the sources (jest) and from dist/ (bench).
 */
import * as fs from "node:fs";
import * as path from "node:path";

export function sharedFixturesDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "shared", "fixtures");
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error("the shared fixtures (../shared/fixtures beside the repository) were not found");
  }
}

/** Every Graph export in shared/fixtures/conditional-access/<source>/, as "<source>/<file>.json", sorted. */
export function conditionalAccessFixtureNames(): string[] {
  const root = path.join(sharedFixturesDir(), "conditional-access");
  return fs
    .readdirSync(root)
    .filter((d) => fs.statSync(path.join(root, d)).isDirectory())
    .flatMap((d) =>
      fs
        .readdirSync(path.join(root, d))
        .filter((f) => f.endsWith(".json"))
        .map((f) => `${d}/${f}`),
    )
    .sort();
}

/** The bytes of a Conditional Access fixture named as conditionalAccessFixtureNames() gives it. */
export function readConditionalAccessFixture(name: string): Buffer {
  return fs.readFileSync(path.join(sharedFixturesDir(), "conditional-access", name));
}
