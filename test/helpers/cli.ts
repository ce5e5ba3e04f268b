/** Run the CLI in-process (fast) or as a real process (end to end), capturing output and exit code. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../cli/main";

export const REPO_ROOT = path.resolve(__dirname, "../..");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const out = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  });
  const err = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  const previousExitCode = process.exitCode;
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = previousExitCode;
  }
}

/** Spawn the built CLI (dist/cli/main.js): what a user runs. `npm test` builds first. */
export function spawnCli(args: string[], options: { cwd?: string; input?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "dist/cli/main.js"), ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    input: options.input,
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A throwaway project that runs this repository's build (dist/ linked, `main: dist/stacks/index.js`): a Pulumi.yaml, one stack
 * config, and any extra files (relative paths). What a team adding a stack writes, and nothing else.
 */
export function tempProject(stack: string, yaml: string, files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tg-project-"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: tenant-guardrails\nruntime: nodejs\nmain: dist/stacks/index.js\nstackConfigDir: stacks\n");
  fs.mkdirSync(path.join(dir, "stacks"));
  fs.symlinkSync(path.join(REPO_ROOT, "dist"), path.join(dir, "dist"));
  fs.writeFileSync(path.join(dir, `stacks/Pulumi.${stack}.yaml`), yaml);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}
