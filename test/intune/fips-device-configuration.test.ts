/**
 * The FipsDeviceConfiguration component under Pulumi's mock monitor: the children it declares and
 * their inputs, the ordering of BitLocker after FIPS, the GPO outputs, and each refusal at preview.
 */
import * as pulumi from "@pulumi/pulumi";
import { FipsDeviceConfiguration, validateFipsDeviceConfigurationArgs, type FipsDeviceConfigurationArgs } from "../../components/intune/fips-device-configuration";
import { GuardrailInputError } from "../../components/errors";
import type { BitLockerEncryptionMethod } from "../../components/intune/settings";
import type { DeviceConfigurationOutputs } from "../../components/intune/graph-provider";
import { promiseOf, runProgram, type DeclaredResource } from "../helpers/engine";
import { startFakeGraph } from "./fake-graph";

const PILOT = "11111111-1111-1111-1111-111111111111";
const CORP = "22222222-2222-2222-2222-222222222222";
const DYNAMIC = "pulumi-nodejs:dynamic/intune:DeviceConfiguration";

/** A value as stack config (YAML) passes it: not checked by TypeScript. */
const fromConfig = (value: string) => value as BitLockerEncryptionMethod;

type OmaInput = { kind: string; omaUri: string; value: string; displayName: string };

/** The removal choice is required with the FIPS profile; tests about other inputs give "leaveEnabled" unless they say. */
const withOnRemove = (args: FipsDeviceConfigurationArgs): FipsDeviceConfigurationArgs => ("onRemove" in args ? args : { ...args, onRemove: "leaveEnabled" });

async function declare(args: FipsDeviceConfigurationArgs, name = "fips") {
  let component: FipsDeviceConfiguration | undefined;
  const { resources } = await runProgram(() => {
    component = new FipsDeviceConfiguration(name, withOnRemove(args));
  });
  const byName = (n: string): DeclaredResource => {
    const found = resources.find((r) => r.name === n);
    if (!found) throw new Error(`no resource named ${n}; got ${resources.map((r) => r.name).join(", ")}`);
    return found;
  };
  return { component: component!, resources, byName };
}

function refusal(args: FipsDeviceConfigurationArgs): string {
  try {
    new FipsDeviceConfiguration("fips", withOnRemove(args));
  } catch (err) {
    expect(err).toBeInstanceOf(GuardrailInputError);
    return (err as Error).message;
  }
  throw new Error("expected a GuardrailInputError");
}

describe("FipsDeviceConfiguration children", () => {
  it("declares the FIPS profile with the OMA-URI = 1, its marker and the assignment groups", async () => {
    const { resources, byName } = await declare({ assignment: { includeGroupIds: [PILOT] } });
    const component = byName("fips");
    expect(component.type).toBe("tenant-guardrails:index:FipsDeviceConfiguration");
    const fips = byName("fips-fips");
    expect(fips.type).toBe(DYNAMIC);
    expect(fips.parent).toBe(component.urn);
    expect(fips.plainInputs).toEqual(
      expect.objectContaining({
        graphEndpoint: "https://graph.microsoft.com",
        marker: "tenant-guardrails/dev/fips/fips",
        displayName: "tenant-guardrails - Windows FIPS mode",
        includeGroupIds: [PILOT],
        excludeGroupIds: [],
        foreignAssignments: "fail",
        omaSettings: [
          { kind: "integer", displayName: "AllowFipsAlgorithmPolicy", omaUri: "./Device/Vendor/MSFT/Policy/Config/Cryptography/AllowFipsAlgorithmPolicy", value: "1" },
        ],
      }),
    );
    expect(fips.plainInputs.description).toContain("[tenant-guardrails:tenant-guardrails/dev/fips/fips]");
    expect(resources.filter((r) => r.type === DYNAMIC)).toHaveLength(1);
  });

  it("declares the BitLocker profile after the FIPS profile (dependsOn), with FIPS-compatible defaults", async () => {
    const { byName } = await declare({ assignment: { includeGroupIds: [CORP], excludeGroupIds: [PILOT] }, bitLocker: {} });
    const fips = byName("fips-fips");
    const bitLocker = byName("fips-bitlocker");
    expect(bitLocker.type).toBe(DYNAMIC);
    expect(bitLocker.dependencies).toContain(fips.urn);
    expect(bitLocker.plainInputs.marker).toBe("tenant-guardrails/dev/fips/bitlocker");
    expect(bitLocker.plainInputs.includeGroupIds).toEqual([CORP]);
    expect(bitLocker.plainInputs.excludeGroupIds).toEqual([PILOT]);
    const oma = Object.fromEntries((bitLocker.plainInputs.omaSettings as OmaInput[]).map((s) => [s.omaUri.split("/").pop(), s.value]));
    expect(oma.EncryptionMethodByDriveType).toBe(
      '<enabled/><data id="EncryptionMethodWithXtsOsDropDown_Name" value="7"/><data id="EncryptionMethodWithXtsFdvDropDown_Name" value="7"/><data id="EncryptionMethodWithXtsRdvDropDown_Name" value="4"/>',
    );
    // recovery passwords required and escrowed before encryption; recovery keys allowed
    expect(oma.SystemDrivesRecoveryOptions).toBe(
      '<enabled/><data id="OSAllowDRA_Name" value="true"/><data id="OSRecoveryPasswordUsageDropDown_Name" value="1"/>' +
        '<data id="OSRecoveryKeyUsageDropDown_Name" value="2"/><data id="OSHideRecoveryPage_Name" value="false"/>' +
        '<data id="OSActiveDirectoryBackup_Name" value="true"/><data id="OSActiveDirectoryBackupDropDown_Name" value="1"/>' +
        '<data id="OSRequireActiveDirectoryBackup_Name" value="true"/>',
    );
    expect(oma.FixedDrivesRecoveryOptions).toContain('<data id="FDVRecoveryPasswordUsageDropDown_Name" value="1"/>');
    expect(oma.RequireDeviceEncryption).toBe("1");
    expect(oma.ConfigureRecoveryPasswordRotation).toBeUndefined();
  });

  it("builds the strict recovery-keys-only mode and per-drive encryption methods", async () => {
    const { byName } = await declare({
      assignment: { includeGroupIds: [CORP] },
      bitLocker: { recoveryMode: "recoveryKeysOnly", osDriveEncryptionMethod: "xtsAes128", removableDriveEncryptionMethod: "xtsAes256" },
    });
    const oma = Object.fromEntries((byName("fips-bitlocker").plainInputs.omaSettings as OmaInput[]).map((s) => [s.omaUri.split("/").pop(), s.value]));
    expect(oma.EncryptionMethodByDriveType).toContain('EncryptionMethodWithXtsOsDropDown_Name" value="6"');
    expect(oma.EncryptionMethodByDriveType).toContain('EncryptionMethodWithXtsRdvDropDown_Name" value="7"');
    expect(oma.SystemDrivesRecoveryOptions).toContain('<data id="OSRecoveryPasswordUsageDropDown_Name" value="0"/>');
    expect(oma.SystemDrivesRecoveryOptions).toContain('<data id="OSRecoveryKeyUsageDropDown_Name" value="1"/>');
    expect(oma.SystemDrivesRecoveryOptions).toContain('<data id="OSRequireActiveDirectoryBackup_Name" value="false"/>');
  });

  it("passes rotation, the foreign-assignment choice and the Graph endpoint to the profiles", async () => {
    const { byName } = await declare({
      assignment: { includeGroupIds: [CORP] },
      bitLocker: { recoveryPasswordRotation: "entraAndHybridJoined" },
      foreignAssignments: "keep",
      graphEndpoint: "https://graph.microsoft.us/",
      displayNamePrefix: "Contoso",
    });
    const bitLocker = byName("fips-bitlocker");
    expect(bitLocker.plainInputs.foreignAssignments).toBe("keep");
    expect(bitLocker.plainInputs.graphEndpoint).toBe("https://graph.microsoft.us");
    expect(bitLocker.plainInputs.displayName).toBe("Contoso - BitLocker (FIPS-compatible)");
    expect((bitLocker.plainInputs.omaSettings as OmaInput[]).find((s) => s.omaUri.endsWith("ConfigureRecoveryPasswordRotation"))?.value).toBe("2");
  });

  it("assigns BitLocker to its own groups when given (e.g. devices that already report FIPS on)", async () => {
    const FIPS_CONFIRMED = "44444444-4444-4444-4444-444444444444";
    const { byName } = await declare({ assignment: { includeGroupIds: [CORP] }, bitLocker: { assignment: { includeGroupIds: [FIPS_CONFIRMED] } } });
    expect(byName("fips-fips").plainInputs.includeGroupIds).toEqual([CORP]);
    expect(byName("fips-bitlocker").plainInputs.includeGroupIds).toEqual([FIPS_CONFIRMED]);
    expect(byName("fips-bitlocker").plainInputs.excludeGroupIds).toEqual([]);
  });

  it("outputs both registry values (GPO Enabled, MDM MDMEnabled) and that removing either does not turn FIPS off", async () => {
    const { component } = await declare({ assignment: { includeGroupIds: [PILOT] }, onRemove: "disable" });
    const gpo = await promiseOf(component.gpoEquivalent);
    expect(gpo.gpoRegistryValue).toBe("HKLM\\System\\CurrentControlSet\\Control\\Lsa\\FipsAlgorithmPolicy\\Enabled");
    expect(gpo.mdmRegistryValue).toBe("HKLM\\System\\CurrentControlSet\\Control\\Lsa\\FipsAlgorithmPolicy\\MDMEnabled");
    expect(gpo.removal).toMatch(/^Removing the GPO \(or setting it to Not Defined\) or removing the Intune profile does not turn FIPS off/);
    expect(await promiseOf(component.removal)).toBe(
      "on removal the profile is set to AllowFipsAlgorithmPolicy = 0 and kept in Intune, assigned, so devices turn FIPS off at their next check-in; delete it in Intune once they report it",
    );
  });

  it("refuses a FIPS profile without a removal choice, or with an unknown one", () => {
    expect(refusal({ assignment: { includeGroupIds: [CORP] }, onRemove: undefined })).toContain("  - onRemove = (not set): required with the FIPS profile");
    expect(refusal({ assignment: { includeGroupIds: [CORP] }, onRemove: "delete" as never })).toContain(
      '  - onRemove = "delete": unknown removal behaviour. Fix: use one of "leaveEnabled", "disable", "disableThenDelete"',
    );
  });

  it("outputs the GPO equivalent: the GptTmpl.inf line and the registry value", async () => {
    const { component } = await declare({ assignment: { includeGroupIds: [PILOT] } });
    expect(await promiseOf(component.gptTmplLine)).toBe("MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\FIPSAlgorithmPolicy\\Enabled=4,1");
    expect(await promiseOf(component.gpoEquivalent)).toEqual(
      expect.objectContaining({
        gptTmplSection: "[Registry Values]",
        registryKey: "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\FIPSAlgorithmPolicy",
        registryValueName: "Enabled",
        registryValueType: "REG_DWORD",
        registryValueData: 1,
      }),
    );
    expect(await promiseOf(component.fipsProfileId)).toBe("fips-fips-id");
    expect(await promiseOf(component.bitLockerProfileId)).toBeUndefined();
  });

  it("validates group ids that arrive as Outputs once they resolve, with the same error", async () => {
    const plan = validateFipsDeviceConfigurationArgs("fips", {
      onRemove: "disable",
      assignment: { includeGroupIds: pulumi.output(["Corporate devices"]) },
      bitLocker: { osDriveEncryptionMethod: pulumi.output(fromConfig("AES256")) },
    });
    // Output internals: the value promise carries the error; its sibling promises reject too and
    // are silenced here so jest does not report them as unhandled.
    const internals = plan as unknown as { promise(): Promise<unknown>; isKnown: Promise<boolean>; isSecret: Promise<boolean>; allResources?: () => Promise<unknown> };
    for (const p of [internals.isKnown, internals.isSecret, internals.allResources?.()]) p?.catch(() => undefined);
    const error = await internals.promise().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuardrailInputError);
    expect((error as Error).message).toMatch(
      /^FipsDeviceConfiguration "fips" has 2 invalid inputs:\n  - assignment.includeGroupIds\[0\] = "Corporate devices": not an Entra group object id[\s\S]*bitLocker.osDriveEncryptionMethod = "AES256": unknown encryption method/,
    );
  });
});

describe("FipsDeviceConfiguration refusals at preview", () => {
  it("refuses strict recovery-key mode with a setting that requires recovery passwords", () => {
    const message = refusal({
      assignment: { includeGroupIds: [CORP] },
      bitLocker: { recoveryMode: "recoveryKeysOnly", requireRecoveryInfoBackupBeforeEncryption: true, recoveryPasswordRotation: "entraJoined" },
    });
    expect(message).toMatch(/^FipsDeviceConfiguration "fips" has 2 invalid inputs/);
    expect(message).toContain(
      'bitLocker.requireRecoveryInfoBackupBeforeEncryption = true: recoveryMode "recoveryKeysOnly" disallows recovery passwords, but requiring directory backup before encryption makes Windows generate a recovery password. Fix: ',
    );
    expect(message).toContain('bitLocker.recoveryPasswordRotation = "entraJoined": recoveryMode "recoveryKeysOnly" disallows recovery passwords');
  });

  it("refuses a BitLocker profile without the FIPS profile", () => {
    const message = refusal({ assignment: { includeGroupIds: [CORP] }, fipsProfile: false, bitLocker: {} });
    expect(message).toMatch(/bitLocker = "set while fipsProfile = false": a BitLocker profile without the FIPS profile in the same component.*Fix: set fipsProfile: true/);
  });

  it("refuses a configuration with no assignment target, for the component or for BitLocker", () => {
    const message = refusal({ assignment: { includeGroupIds: [] } });
    expect(message).toMatch(/assignment.includeGroupIds = \[\]: no assignment target.*Fix: give the object id of at least one Entra device group/);
    const bitLocker = refusal({ assignment: { includeGroupIds: [CORP] }, bitLocker: { assignment: { includeGroupIds: [] } } });
    expect(bitLocker).toMatch(/bitLocker.assignment.includeGroupIds = \[\]: no assignment target/);
  });

  it("refuses a fipsProfile that is an Output: it decides which profiles exist", () => {
    const message = refusal({ assignment: { includeGroupIds: [CORP] }, fipsProfile: pulumi.output(false) });
    expect(message).toContain('fipsProfile = "(an Output)": it decides which profiles exist, so it must be known when the program runs. Fix: pass a plain true or false');
  });

  it("refuses an unknown encryption method, naming the drive and the accepted values", () => {
    const message = refusal({ assignment: { includeGroupIds: [CORP] }, bitLocker: { fixedDriveEncryptionMethod: fromConfig("XTS-AES-256") } });
    expect(message).toContain(
      'bitLocker.fixedDriveEncryptionMethod = "XTS-AES-256": unknown encryption method. Fix: use one of "aesCbc128", "aesCbc256", "xtsAes128", "xtsAes256" (case-sensitive)',
    );
  });
});

describe("the serialized dynamic provider", () => {
  it("captures no credentials and still works once deserialized as the Pulumi host does", async () => {
    process.env.AZURE_CLIENT_SECRET = "do-not-capture-this-secret";
    const g = await startFakeGraph();
    try {
      const { byName } = await declare({ assignment: { includeGroupIds: [PILOT] } });
      const serialized = byName("fips-fips").plainInputs.__provider as string;
      expect(typeof serialized).toBe("string");
      expect(serialized).not.toContain("do-not-capture-this-secret");

      // The Pulumi dynamic-provider host loads the text with require-from-string.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const requireFromString = require("require-from-string") as (code: string) => { handler: () => typeof import("../../components/intune/graph-provider").deviceConfigurationProvider };
      const hosted = requireFromString(serialized).handler();
      const inputs = { ...(byName("fips-fips").plainInputs as unknown as DeviceConfigurationOutputs), graphEndpoint: g.url, httpTimeoutMs: 2000, httpRetryDelayMs: 5 };
      const created = await hosted.create(inputs);
      expect(g.store.get(created.id)?.assignments.map((a) => a.target.groupId)).toEqual([PILOT]);
      const read = await hosted.read!(created.id, created.outs as DeviceConfigurationOutputs);
      expect((await hosted.diff!(created.id, read.props as DeviceConfigurationOutputs, inputs)).changes).toBe(false);
    } finally {
      delete process.env.AZURE_CLIENT_SECRET;
      await g.close();
    }
  });
});
