/**
 * Commands that need no Pulumi start without loading the Pulumi SDK (it takes about a second to
 * load): the built CLI run in a fresh process, counting the modules it loaded.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/cli";

function modulesLoadedBy(args: string[]): { pulumi: number; code: number } {
  const script = `require(${JSON.stringify(path.join(REPO_ROOT, "dist/cli/main.js"))}).main(${JSON.stringify(args)}).then((code) => {
    const pulumi = Object.keys(require.cache).filter((k) => k.includes("node_modules/@pulumi/")).length;
    process.stderr.write("RESULT " + JSON.stringify({ pulumi, code }) + "\\n");
  });`;
  const r = spawnSync(process.execPath, ["-e", script], { cwd: REPO_ROOT, encoding: "utf8" });
  const line = r.stderr.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`no result: ${r.stderr}`);
  return JSON.parse(line.slice("RESULT ".length)) as { pulumi: number; code: number };
}

describe("commands that need no Pulumi do not load the SDK", () => {
  it.each([
    ["filter check", ["filter", "check", 'device.trustType -eq "AzureAD"']],
    ["dmarc check", ["dmarc", "check", "v=DMARC1; p=reject; rua=mailto:d@example.org"]],
    ["import-ca", ["import-ca", path.join(REPO_ROOT, "test/fixtures/conditional-access/v1-policies-page.json")]],
  ])("%s", (_name, args) => {
    const { pulumi, code } = modulesLoadedBy(args);
    expect(code).not.toBe(2); // it ran (a finding, exit 1, is fine here)
    expect(pulumi).toBe(0);
  });

  it("plan still loads it (the control: the count above is not zero by accident)", () => {
    expect(modulesLoadedBy(["plan", "--stack", "dev"]).pulumi).toBeGreaterThan(50);
  });
});
