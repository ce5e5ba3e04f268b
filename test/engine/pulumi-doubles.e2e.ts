/**
 * `npm run test:engine`: the repository's dev stack program under the real Pulumi engine, with the
 * azuread, azure-native and command resources served by PROVIDER DOUBLES (test/engine/doubles):
 * plugins that speak the provider protocol, check inputs against the provider's schema (an
 * extract) and record what they receive. They prove the engine path (the program's resources
 * reach a provider with the inputs the offline plan shows, a second up changes nothing, a schema
 * violation comes back through the engine), not the providers' or Microsoft's behaviour.
 *
 * Skipped with one line when the engine is not built (see pulumi-engine.e2e.ts); CI=true fails.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { parseEngineEvents, parseJsonRun, REPO_ROOT, urnLabel } from "./harness";
import { requireEngine } from "./require-engine";
import { createStackWorkspace, stackProgramSource, type DoubleCall, type StackWorkspace } from "./doubles";

const { bin, built } = requireEngine();

const CA = "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy";
const DOUBLED = /^(azuread|azure-native|command):/;

interface PlannedResource {
  type: string;
  name: string;
  urn: string;
  custom: boolean;
  inputs: Record<string, unknown>;
}

/** The offline plan of the dev stack (`tenant-guardrails plan --stack dev --json`). */
function offlinePlan(): PlannedResource[] {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "dist", "cli", "main.js"), "plan", "--stack", "dev", "--json"], { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`tenant-guardrails plan --stack dev --json exited with ${r.status}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { resources: PlannedResource[] }).resources;
}

const byUrn = (calls: DoubleCall[]) => new Map(calls.map((c) => [c.urn, c]));

(built ? describe : describe.skip)("the dev stack under the real engine, with provider doubles", () => {
  let ws: StackWorkspace;
  let planned: PlannedResource[];

  beforeAll(async () => {
    planned = offlinePlan().filter((r) => r.custom && DOUBLED.test(r.type));
    ws = await createStackWorkspace(bin, "dev");
  }, 120_000);

  afterAll(async () => {
    await ws?.dispose();
  });

  it("pulumi preview checks every azuread, azure-native and command resource with the doubles and creates nothing", async () => {
    const { steps } = parseJsonRun(await ws.pulumiOk(["preview", "--json"]));
    const creates = steps.filter((s) => s.op === "create" && DOUBLED.test(urnLabel(s.urn)));
    expect(creates.map((s) => s.urn).sort()).toEqual(planned.map((r) => r.urn).sort());
    const calls = ws.calls();
    expect([...new Set(calls.filter((c) => c.method === "check").map((c) => c.urn))].sort()).toEqual(planned.map((r) => r.urn).sort());
    expect(calls.filter((c) => c.method !== "check")).toEqual([]);
    expect(calls.filter((c) => c.failures)).toEqual([]);
  });

  it("pulumi up hands the doubles the inputs of the offline plan: the report-only Conditional Access policies with the device filter", async () => {
    const events = parseEngineEvents(await ws.pulumiOk(["up", "--yes", "--json"]));
    expect(events.diagnostics.filter((d) => d.startsWith("error"))).toEqual([]);
    const created = byUrn(ws.calls().filter((c) => c.method === "create"));
    expect([...created.keys()].sort()).toEqual(planned.map((r) => r.urn).sort());
    // The role assignment's principal is the policy assignment's identity: a placeholder offline,
    // the id the double gave the policy assignment here.
    const policyAssignment = [...created.values()].find((c) => c.type === "azure-native:authorization:PolicyAssignment")!;
    const principal = (r: PlannedResource) => (r.type === "azure-native:authorization:RoleAssignment" ? { ...r.inputs, principalId: `double-principal-${policyAssignment.id}` } : r.inputs);
    for (const r of planned) expect({ urn: r.urn, inputs: created.get(r.urn)!.inputs }).toEqual({ urn: r.urn, inputs: principal(r) });

    const policies = planned.filter((r) => r.type === CA);
    expect(policies.map((r) => r.name).sort()).toEqual(["corporate-devices-other-platforms", "corporate-devices-untrusted-devices"]);
    const untrusted = created.get(policies.find((r) => r.name === "corporate-devices-untrusted-devices")!.urn)!.inputs as {
      state: string;
      conditions: { devices: { filter: { mode: string; rule: string } } };
    };
    expect(untrusted.state).toBe("enabledForReportingButNotEnforced");
    expect(untrusted.conditions.devices.filter).toEqual({ mode: "include", rule: 'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"' });
    for (const p of policies) expect((created.get(p.urn)!.inputs as { state: string }).state).toBe("enabledForReportingButNotEnforced");
  });

  it("a second pulumi up changes nothing: the doubles receive no create, update or delete", async () => {
    const before = ws.calls().length;
    const events = parseEngineEvents(await ws.pulumiOk(["up", "--yes", "--json"]));
    expect({ changes: events.changes, changed: [...events.ops].filter(([, op]) => op !== "same") }).toEqual({ changes: { same: events.changes.same }, changed: [] });
    expect(
      ws
        .calls()
        .slice(before)
        .filter((c) => !["check", "diff"].includes(c.method)),
    ).toEqual([]);
  });

  it("an input the azuread schema does not know is refused by the double's check, through the engine", async () => {
    ws.setProgram(`${stackProgramSource()}
const pulumi = require("@pulumi/pulumi");
// A misspelt input (the schema has grantControls), as a program bypassing the typed SDK sends it.
new pulumi.CustomResource(${JSON.stringify(CA)}, "injected-misspelt", {
  displayName: "injected",
  state: "enabledForReportingButNotEnforced",
  conditions: { applications: { includedApplications: ["Office365"] }, users: { includedUsers: ["All"] }, clientAppTypes: ["all"] },
  grantControl: { operator: "OR", builtInControls: ["block"] },
}, { version: "6.9.1" });
`);
    try {
      const r = await ws.pulumi(["preview"]);
      const output = `${r.stdout}\n${r.stderr}`;
      expect(output).toContain(`${CA} has no input property "grantControl" in the azuread 6.9.1 schema (provider double)`);
      expect(r.code).not.toBe(0);
      expect(ws.calls().filter((c) => c.failures).map((c) => `${c.provider} ${c.method} ${c.urn.split("::").pop()} ${c.failures!.map((f) => f.property).join(",")}`)).toEqual([
        "azuread check injected-misspelt grantControl",
      ]);
    } finally {
      ws.setProgram(stackProgramSource());
    }
  });
});
