/**
 * The dev and prod stacks' Intune config (stacks/Pulumi.<stack>.yaml) through declareIntune():
 * dev assigns FIPS to a pilot group only; prod assigns FIPS then BitLocker to the corporate group.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { declareIntune } from "../../stacks/intune";
import { runProgram } from "../helpers/engine";
import { spawnCli, tempProject } from "../helpers/cli";

const DYNAMIC = "pulumi-nodejs:dynamic/intune:DeviceConfiguration";

async function planStack(stack: string) {
  const file = path.join(__dirname, `../../stacks/Pulumi.${stack}.yaml`);
  const config = (parse(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> }).config;
  const { resources } = await runProgram(() => declareIntune(), "tenant-guardrails", stack, { "tenant-guardrails:intune": JSON.stringify(config["tenant-guardrails:intune"]) });
  return resources.filter((r) => r.type === DYNAMIC);
}

describe("stacks", () => {
  afterEach(() => pulumi.runtime.setAllConfig({}));

  it("dev: the FIPS profile on the pilot group only, no BitLocker", async () => {
    const profiles = await planStack("dev");
    expect(profiles.map((p) => p.name)).toEqual(["windows-fips-fips"]);
    expect(profiles[0].plainInputs.includeGroupIds).toEqual(["4a7c2e91-3b5d-4f60-8e1a-9c2b7d3e5f11"]);
    expect(profiles[0].plainInputs.marker).toBe("tenant-guardrails/dev/windows-fips/fips");
  });

  it("prod: FIPS and then BitLocker on the corporate device group", async () => {
    const profiles = await planStack("prod");
    const fips = profiles.find((p) => p.name === "windows-fips-fips")!;
    const bitLocker = profiles.find((p) => p.name === "windows-fips-bitlocker")!;
    for (const p of [fips, bitLocker]) expect(p.plainInputs.includeGroupIds).toEqual(["6d3f8b20-7c1e-4a95-b2d4-5e8f1a0c3b22"]);
    expect(bitLocker.dependencies).toContain(fips.urn);
  });

  it("declares nothing when the stack has no intune config", async () => {
    pulumi.runtime.setAllConfig({});
    const { resources } = await runProgram(() => declareIntune(), "tenant-guardrails", "other");
    expect(resources.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
  });
});

describe("the removal choice in the offline plan", () => {
  const stack = (intune: string) =>
    "config:\n  tenant-guardrails:intune:\n    assignment:\n      includeGroupIds: [\"4a7c2e91-3b5d-4f60-8e1a-9c2b7d3e5f11\"]\n" + intune;

  it("plan shows onRemove on the component and the FIPS profile, and what removal does in the outputs", () => {
    const r = spawnCli(["plan", "--stack", "qa"], { cwd: tempProject("qa", stack("    onRemove: disableThenDelete\n")) });
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    const component = lines.indexOf("+ tenant-guardrails:index:FipsDeviceConfiguration  windows-fips");
    const profile = lines.indexOf("  + pulumi-nodejs:dynamic/intune:DeviceConfiguration  windows-fips-fips");
    expect(lines.slice(component, profile)).toContain("      onRemove: disableThenDelete");
    expect(lines.slice(profile)).toContain("        onRemove: disableThenDelete");
    expect(r.stdout).toContain('"removal": "on removal the profile is set to AllowFipsAlgorithmPolicy = 0, then deleted; devices that do not check in between stay in FIPS mode"');
  });

  it("plan refuses a FIPS profile without a removal choice: exit 1, naming the field and the choices", () => {
    const r = spawnCli(["plan", "--stack", "qa"], { cwd: tempProject("qa", stack("")) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'FipsDeviceConfiguration "windows-fips": tenant-guardrails:intune.onRemove = (not set): required with the FIPS profile: Windows keeps FIPS mode on after the profile that set it is removed',
    );
    expect(r.stderr).toContain('Fix: set onRemove: "disable" (removal assigns AllowFipsAlgorithmPolicy = 0 and keeps that profile, assigned, until you delete it in Intune)');
  });

  it("the repository's stacks choose disable", async () => {
    for (const name of ["dev", "prod"]) {
      const fips = (await planStack(name)).find((p) => p.name === "windows-fips-fips")!;
      expect(fips.plainInputs.onRemove).toBe("disable");
    }
  });
});
