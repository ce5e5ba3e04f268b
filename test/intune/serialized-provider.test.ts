/**
 * What Pulumi stores for a dynamic resource of this repository's build: a forwarder that names the
 * provider's entry point (relative to the project directory), not a copy of the provider's code.
 * Run in a child process on the built package, under the CLI's offline engine, as `pulumi up` in
 * this repository would run it.
 */
import { spawnSync } from "node:child_process";
import { REPO_ROOT } from "../helpers/cli";

const script = `
  const requireFromString = require("require-from-string");
  const { runUnderMocks } = require("./dist/cli/engine");
  const { FipsDeviceConfiguration } = require("./dist/components");
  const program = () => {
    new FipsDeviceConfiguration("fips", { onRemove: "leaveEnabled", assignment: { includeGroupIds: ["4a7c2e91-3b5d-4f60-8e1a-9c2b7d3e5f11"] } });
  };
  runUnderMocks(program, { project: "tenant-guardrails", stack: "dev", keepDynamicProvider: true }).then(async ({ resources }) => {
    const text = resources.map((r) => r.plainInputs.__provider).find((p) => typeof p === "string");
    const provider = requireFromString(text).handler();
    const checked = await provider.check({}, { displayName: "x", omaSettings: [], includeGroupIds: [], graphEndpoint: "https://graph.microsoft.com", marker: "m" });
    console.log(JSON.stringify({ bytes: text.length, text, methods: Object.keys(provider).sort(), checked: Object.keys(checked) }));
  });
`;

describe("the serialized Intune provider of this repository's build", () => {
  it("is a small forwarder to ./dist/components/providers/intune-device-configuration.js that loads and answers", () => {
    const r = spawnSync(process.execPath, ["-e", script], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as { bytes: number; text: string; methods: string[]; checked: string[] };
    expect(out.text).toContain('"./dist/components/providers/intune-device-configuration.js"');
    expect(out.bytes).toBeLessThan(3000);
    expect(out.methods).toEqual(expect.arrayContaining(["check", "create", "delete", "diff", "read", "update"]));
    // check() ran the real provider: it answered with inputs or failures, not a missing module.
    expect(out.checked.length).toBeGreaterThan(0);
  });
});
