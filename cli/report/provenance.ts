/**
 * What an HTML report says about itself, so it can be filed as evidence: when it was generated,
 * by which version of the tool, from which git commit of the project (when git knows it), for which
 * stack, and the input files used with their SHA-256 (the stack config, the policy pack config, the
 * Graph exports, the device inventory).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ReportProvenance, ReportProvenanceFile } from "../../components/common/html";

export const TOOL_NAME = "tenant-guardrails";
/** How long `git rev-parse HEAD` may take before the commit is left out. */
export const GIT_TIMEOUT_MS = 2000;

/** This package's version, read from its package.json at run time ("unknown" if it cannot be found). */
export function packageVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const file = path.join(dir, "package.json");
    try {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === TOOL_NAME && typeof pkg.version === "string") return pkg.version;
    } catch {
      // no package.json here, or not ours: look further up
    }
    dir = path.dirname(dir);
  }
  return "unknown";
}

/** The commit checked out in `dir`, or undefined (no git, not a repository, or slower than the timeout). */
export function gitCommit(dir: string, timeoutMs = GIT_TIMEOUT_MS): string | undefined {
  try {
    const out = execFileSync("git", ["rev-parse", "HEAD"], { cwd: dir, timeout: timeoutMs, stdio: ["ignore", "pipe", "ignore"], encoding: "utf8" }).trim();
    return /^[0-9a-f]{40,64}$/.test(out) ? out : undefined;
  } catch {
    return undefined;
  }
}

/** A file's SHA-256 (hex), or a note when it cannot be read. */
export function describeFile(role: string, file: string): ReportProvenanceFile {
  try {
    return { role, path: file, sha256: createHash("sha256").update(fs.readFileSync(file)).digest("hex") };
  } catch {
    return { role, path: file, note: "not read (file missing): defaults used" };
  }
}

/** The provenance of a report written now: time, version, the git commit of `projectDir`, stack, input files hashed. */
export function collectProvenance(options: { stack?: string; files: { role: string; path: string }[]; projectDir?: string; now?: Date }): ReportProvenance {
  const commit = options.projectDir ? gitCommit(options.projectDir) : undefined;
  return {
    generatedAt: (options.now ?? new Date()).toISOString(),
    tool: TOOL_NAME,
    version: packageVersion(),
    ...(commit ? { commit } : {}),
    ...(options.stack ? { stack: options.stack } : {}),
    files: options.files.map((f) => describeFile(f.role, f.path)),
  };
}
