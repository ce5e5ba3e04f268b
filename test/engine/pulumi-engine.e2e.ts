/**
 * `npm run test:engine`: the components under the real Pulumi engine (CLI + Node.js language host
 * built by `bash .ci/build-engine`), against the fake Graph and ARM on 127.0.0.1, with a local file
 * backend and passphrase secrets in a temporary directory. One stack goes through preview, up, a
 * no-op up, drift, export, a policy-pack preview and destroy; the tests run in that order.
 *
 * Without the engine the suite is skipped with one line saying where it looked; with CI=true a
 * missing engine fails it.
 */
import { createEngineWorkspace, GROUPS, parseEngineEvents, parseJsonRun, SECRETS, urnLabel, VM_ID, type EngineWorkspace } from "./harness";
import { requireEngine } from "./require-engine";
import { revealsSecret } from "../defender/secret-forms";
import { FIPS_OMA_URI } from "../../components/intune/settings";
import * as fs from "node:fs";
import * as path from "node:path";

const { bin, built } = requireEngine();

const FIPS = "pulumi-nodejs:dynamic/intune:DeviceConfiguration fips-fips";
const BITLOCKER = "pulumi-nodejs:dynamic/intune:DeviceConfiguration fips-bitlocker";
const SOLUTION = "pulumi-nodejs:dynamic/defender:QualysByolSolution va-qualys-solution";
const EXPECTED_RESOURCES = [
  "pulumi:pulumi:Stack tg-engine-e2e-e2e",
  "tenant-guardrails:index:FipsDeviceConfiguration fips",
  FIPS,
  BITLOCKER,
  "tenant-guardrails:index:VulnerabilityAssessment va",
  SOLUTION,
].sort();

(built ? describe : describe.skip)("tenant-guardrails under the real Pulumi engine", () => {
  let ws: EngineWorkspace;

  beforeAll(async () => {
    ws = await createEngineWorkspace(bin);
  }, 120_000);

  afterAll(async () => {
    await ws?.dispose();
  });

  const profiles = () => [...ws.graph.store.values()];
  const fipsProfile = () => profiles().find((p) => JSON.stringify(p.body.omaSettings).includes(FIPS_OMA_URI));
  const assignmentsOf = (p: { assignments: { target: Record<string, unknown> }[] }) =>
    p.assignments.map((a) => `${String(a.target["@odata.type"]).replace("#microsoft.graph.", "")} ${String(a.target.groupId)}`).sort();
  const declaredAssignments = [`exclusionGroupAssignmentTarget ${GROUPS.exclude}`, `groupAssignmentTarget ${GROUPS.include}`];

  it("pulumi preview shows every resource to create, and writes nothing", async () => {
    const r = await ws.pulumiOk(["preview", "--json"]);
    const { steps, changeSummary } = parseJsonRun(r);
    expect(steps.map((s) => `${s.op} ${urnLabel(s.urn)}`).sort()).toEqual(EXPECTED_RESOURCES.map((l) => `create ${l}`).sort());
    expect(changeSummary).toEqual({ create: 6 });
    expect(ws.writeCount()).toBe(0);
  });

  it("pulumi up creates the FIPS and BitLocker profiles with their assignments, and the BYOL solution", async () => {
    const events = parseEngineEvents(await ws.pulumiOk(["up", "--yes", "--json"]));
    expect(events.changes).toEqual({ create: 6 });
    expect(profiles().map((p) => p.body.displayName).sort()).toEqual(["tenant-guardrails - BitLocker (FIPS-compatible)", "tenant-guardrails - Windows FIPS mode"]);
    for (const p of profiles()) expect(assignmentsOf(p)).toEqual(declaredAssignments);
    expect((fipsProfile()!.body.omaSettings as { value: unknown }[]).map((s) => s.value)).toEqual([1]);
    expect([...ws.arm.solutions.values()].map((s) => s.linked)).toEqual([[VM_ID]]);
  });

  it("a second pulumi up reports no changes and sends no write to the services", async () => {
    const before = ws.writeCount();
    const events = parseEngineEvents(await ws.pulumiOk(["up", "--yes", "--json"]));
    expect(events.changes).toEqual({ same: 6 });
    expect(ws.writeCount() - before).toBe(0);
  });

  it("a setting changed in Intune is found by pulumi refresh and restored by pulumi up", async () => {
    const fips = fipsProfile()!;
    (fips.body.omaSettings as { value: unknown }[])[0].value = 0; // someone turned FIPS off in the portal

    const refreshed = parseEngineEvents(await ws.pulumiOk(["refresh", "--yes", "--json"]));
    expect(refreshed.changes).toEqual({ same: 5, update: 1 });
    expect(refreshed.ops.get(FIPS)).toBe("update");

    const preview = parseJsonRun(await ws.pulumiOk(["preview", "--json"]));
    expect(preview.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${urnLabel(s.urn)}`)).toEqual([`update ${FIPS}`]);

    const before = ws.graph.requests.length;
    const up = parseEngineEvents(await ws.pulumiOk(["up", "--yes", "--json"]));
    expect(up.changes).toEqual({ same: 5, update: 1 });
    expect(ws.graph.requests.slice(before).filter((q) => q.method !== "GET").map((q) => `${q.method} ${q.path}`)).toEqual([
      `PATCH /v1.0/deviceManagement/deviceConfigurations/${fips.id}`,
    ]);
    expect((ws.graph.store.get(fips.id)!.body.omaSettings as { value: unknown }[]).map((s) => s.value)).toEqual([1]);
  });

  it("pulumi stack export holds the BYOL license code and public key only encrypted", async () => {
    const exported = (await ws.pulumiOk(["stack", "export"])).stdout;
    const revealed = (await ws.pulumiOk(["stack", "export", "--show-secrets"])).stdout;
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect({ name, inStateWithShowSecrets: revealed.includes(secret) }).toEqual({ name, inStateWithShowSecrets: true });
      expect({ name, revealed: revealsSecret(exported, secret, secret.length, 2) }).toEqual({ name, revealed: false });
    }
  });

  describe("renaming both components", () => {
    const rename = async (config: Record<string, string | undefined>) => {
      for (const [key, value] of Object.entries(config)) {
        await ws.pulumiOk(value === undefined ? ["config", "rm", key] : ["config", "set", key, value]);
      }
    };
    afterAll(async () => {
      await rename({ fipsName: undefined, fipsAlias: undefined, vaName: undefined, vaAlias: undefined });
    });

    it("without an alias, the preview would delete and recreate every resource of both", async () => {
      await rename({ fipsName: "fips-renamed", vaName: "va-renamed" });
      const { steps } = parseJsonRun(await ws.pulumiOk(["preview", "--json"]));
      const ops = steps.map((s) => `${s.op} ${urnLabel(s.urn)}`);
      expect(ops).toEqual(expect.arrayContaining([`delete ${FIPS}`, `create ${FIPS.replace(" fips-", " fips-renamed-")}`, `delete ${SOLUTION}`]));
    });

    // The Intune profiles carry their owner's marker (project/stack/component name) in their
    // description: create looks it up to adopt a profile after an ambiguous POST. A rename moves the
    // marker with the name (one PATCH per profile), so that a new component under the old name
    // cannot adopt these profiles. Nothing is replaced, and the BYOL solution gets no write.
    const graphWrites = (from: number) => ws.graph.requests.slice(from).filter((q) => q.method !== "GET").map((q) => `${q.method} ${q.path}`).sort();
    const profilePatches = () => profiles().map((p) => `PATCH /v1.0/deviceManagement/deviceConfigurations/${p.id}`).sort();
    const markers = () => profiles().map((p) => /\[tenant-guardrails:([^\]]+)\]/.exec(String(p.body.description))?.[1]).sort();

    it("with an alias from the old name, preview and up replace nothing; only the profiles' ownership markers are rewritten", async () => {
      await rename({ fipsAlias: "fips", vaAlias: "va" });
      const { steps } = parseJsonRun(await ws.pulumiOk(["preview", "--json"]));
      expect(steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${urnLabel(s.urn)}`).sort()).toEqual([
        `update ${BITLOCKER.replace(" fips-", " fips-renamed-")}`,
        `update ${FIPS.replace(" fips-", " fips-renamed-")}`,
      ]);

      const graphBefore = ws.graph.requests.length;
      const armBefore = ws.arm.writes.length;
      const up = parseEngineEvents(await ws.pulumiOk(["up", "--yes", "--json"]));
      expect(up.changes).toEqual({ same: 4, update: 2 });
      expect(up.ops.get(SOLUTION.replace(" va-", " va-renamed-"))).toBe("same");
      expect(graphWrites(graphBefore)).toEqual(profilePatches());
      expect(ws.arm.writes.length - armBefore).toBe(0);
      expect(profiles()).toHaveLength(2);
      expect(ws.arm.solutions.size).toBe(1);
      expect(markers()).toEqual(["tg-engine-e2e/e2e/fips-renamed/bitlocker", "tg-engine-e2e/e2e/fips-renamed/fips"]);

      const again = ws.writeCount();
      expect(parseEngineEvents(await ws.pulumiOk(["up", "--yes", "--json"])).changes).toEqual({ same: 6 });
      expect(ws.writeCount() - again).toBe(0);
    });

    it("renamed back, with an alias from the new name, again replaces nothing", async () => {
      await rename({ fipsName: undefined, vaName: undefined, fipsAlias: "fips-renamed", vaAlias: "va-renamed" });
      const graphBefore = ws.graph.requests.length;
      const armBefore = ws.arm.writes.length;
      const up = parseEngineEvents(await ws.pulumiOk(["up", "--yes", "--json"]));
      expect(up.changes).toEqual({ same: 4, update: 2 });
      expect(up.ops.get(SOLUTION)).toBe("same");
      expect(graphWrites(graphBefore)).toEqual(profilePatches());
      expect(ws.arm.writes.length - armBefore).toBe(0);
      expect(markers()).toEqual(["tg-engine-e2e/e2e/fips/bitlocker", "tg-engine-e2e/e2e/fips/fips"]);
    });
  });

  describe("with the tenant-guardrails policy pack", () => {
    const violation = `BitLocker profile fips-bitlocker (tenant-guardrails - BitLocker (FIPS-compatible)) is assigned to group(s) ${GROUPS.bitLockerOnly} that no FIPS profile covers`;

    beforeAll(async () => {
      // The BitLocker profile goes to a group the FIPS profile does not cover.
      await ws.pulumiOk(["config", "set", "bitLockerGroupId", GROUPS.bitLockerOnly]);
    });
    afterAll(async () => {
      await ws.pulumiOk(["config", "rm", "bitLockerGroupId"]);
    });

    it("a mandatory violation fails the preview with the policy's message", async () => {
      const before = ws.writeCount();
      const r = await ws.pulumi(["preview", "--policy-pack", ws.packLauncher]);
      const output = `${r.stdout}\n${r.stderr}`;
      expect(output).toContain(violation);
      expect(output).toMatch(/\[mandatory\] \[severity: high\]\s+fips-assigned-wherever-bitlocker/);
      expect(r.code).not.toBe(0);
      expect(ws.writeCount() - before).toBe(0);
    });

    it("the same rule made advisory in the pack config is reported and the preview succeeds", async () => {
      const config = path.join(ws.root, "policy-config.json");
      fs.writeFileSync(config, JSON.stringify({ "fips-assigned-wherever-bitlocker": { enforcementLevel: "advisory" } }));
      const r = await ws.pulumi(["preview", "--policy-pack", ws.packLauncher, "--policy-pack-config", config]);
      const output = `${r.stdout}\n${r.stderr}`;
      expect(output).toContain(violation);
      expect(output).toMatch(/\[advisory\] \[severity: high\]\s+fips-assigned-wherever-bitlocker/);
      expect(r.code).toBe(0);
    });
  });

  it("pulumi destroy removes the profiles (onRemove leaveEnabled) and the BYOL solution", async () => {
    const events = parseEngineEvents(await ws.pulumiOk(["destroy", "--yes", "--json"]));
    expect(events.changes).toEqual({ delete: 6 });
    expect(ws.graph.store.size).toBe(0);
    expect(ws.arm.solutions.size).toBe(0);
  });
});
