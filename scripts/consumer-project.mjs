// Makes the consumer project users would have: `npm pack` of this repository, and a copy of
// examples/typescript-consumer in a neutral temporary folder with the tarball installed.
// Used by test/consumer/consumer.test.mjs and the bench; `node scripts/consumer-project.mjs`
// prints {"work","project"} as JSON (remove `work` when done).
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export function createConsumerProject() {
  const work = mkdtempSync(path.join(tmpdir(), "consumer-"));
  if (work.includes("tenant-guardrails")) throw new Error(`the consumer folder ${work} must not contain the package name`);
  // npm pack runs `prepare` (the build) and writes the tarball users would install.
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }),
  );
  const tarball = path.join(work, packed[0].filename);
  const project = path.join(work, "fabrikam");
  cpSync(path.join(repo, "examples", "typescript-consumer"), project, { recursive: true, filter: (src) => !/node_modules|package-lock\.json/.test(src) });
  const manifest = JSON.parse(readFileSync(path.join(project, "package.json"), "utf8"));
  manifest.dependencies["tenant-guardrails"] = `file:${tarball}`;
  writeFileSync(path.join(project, "package.json"), JSON.stringify(manifest, null, 2));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: project, stdio: ["ignore", "ignore", "inherit"], timeout: 600_000 });
  return { work, project };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(JSON.stringify(createConsumerProject()) + "\n");
