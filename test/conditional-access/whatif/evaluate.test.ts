import { compilePolicy, evaluateDevice, evaluateInventory, parseInventory, platformOf } from "../../../components";
import { testPolicy } from "../../helpers/policies";
import * as fs from "node:fs";
import * as path from "node:path";

const policy = testPolicy;

const joined = { trustType: "AzureAd", operatingSystem: "Windows" };
const hybrid = { trustType: "ServerAd", operatingSystem: "Windows" };
const registered = { trustType: "Workplace", operatingSystem: "Windows" };

describe("Microsoft's unregistered-device table, through whole policies", () => {
  // Positive operators: the filter is not applied to an unregistered device; negative: it is.
  const includeNegative = compilePolicy(policy("include-ne", { mode: "include", rule: 'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"' }));
  const excludePositive = compilePolicy(policy("exclude-eq", { mode: "exclude", rule: 'device.trustType -eq "AzureAD" -or device.trustType -eq "ServerAD"' }));
  const includePositive = compilePolicy(policy("include-eq", { mode: "include", rule: 'device.trustType -eq "Workplace"' }));

  it.each([
    ["Entra joined", joined, "allow"],
    ["hybrid joined", hybrid, "allow"],
    ["registered", registered, "block"],
    ["unregistered", null, "block"],
  ] as const)("include mode + negative operators: %s device → %s", (_label, device, expected) => {
    expect(evaluateDevice([includeNegative], device).outcome).toBe(expected);
  });

  it("exclude mode + positive operators: unregistered devices are not excluded, so they are blocked too", () => {
    expect(evaluateDevice([excludePositive], null).outcome).toBe("block");
    expect(evaluateDevice([excludePositive], hybrid).outcome).toBe("allow");
  });

  it("include mode + positive operators does not catch unregistered devices", () => {
    expect(evaluateDevice([includePositive], null).outcome).toBe("allow");
    expect(evaluateDevice([includePositive], registered).outcome).toBe("block");
  });
});

describe("evaluateDevice", () => {
  it("keeps report-only policies out of the enforced outcome but reports what they would do", () => {
    const p = compilePolicy(policy("ro", { mode: "include", rule: 'device.trustType -ne "ServerAD"' }, {}, "enabledForReportingButNotEnforced"));
    const r = evaluateDevice([p], null);
    expect(r).toEqual({ applying: ["ro"], outcome: "allow", controls: [], outcomeIfReportOnlyEnforced: "block" });
  });

  it("never applies disabled policies", () => {
    const p = compilePolicy(policy("off", undefined, {}, "disabled"));
    expect(evaluateDevice([p], registered).applying).toEqual([]);
  });

  it("combines grant controls and lets block win", () => {
    const mfa = compilePolicy(policy("mfa", undefined, {}, "enabled", ["mfa", "compliantDevice"]));
    const r = evaluateDevice([mfa], joined);
    expect(r.outcome).toBe("grant");
    expect(r.controls).toEqual(["mfa OR compliantDevice"]);
    const block = compilePolicy(policy("block", { mode: "include", rule: 'device.trustType -ne "AzureAD"' }));
    expect(evaluateDevice([mfa, block], registered).outcome).toBe("block");
  });

  it("evaluates platform conditions from the device's operatingSystem", () => {
    const otherPlatforms = compilePolicy(policy("platforms", undefined, { platforms: { includedPlatforms: ["all"], excludedPlatforms: ["windows"] } }));
    expect(evaluateDevice([otherPlatforms], { trustType: "AzureAd", operatingSystem: "MacMDM" }).outcome).toBe("block");
    expect(evaluateDevice([otherPlatforms], joined).outcome).toBe("allow");
    expect(evaluateDevice([otherPlatforms], { unregistered: true, operatingSystem: "Android" }).outcome).toBe("block");
    // unknown platform: an "all" include applies, an exclusion cannot match it
    expect(evaluateDevice([otherPlatforms], null).outcome).toBe("block");
    const onlyIos = compilePolicy(policy("ios", undefined, { platforms: { includedPlatforms: ["iOS"] } }));
    expect(evaluateDevice([onlyIos], null).applying).toEqual([]);
  });

  it("maps Graph operating systems to Conditional Access platforms", () => {
    expect([platformOf("Windows"), platformOf("iOS"), platformOf("iPadOS"), platformOf("Android"), platformOf("MacMDM"), platformOf("macOS"), platformOf("Linux"), platformOf("WindowsPhone"), platformOf("Tizen"), platformOf(undefined)]).toEqual([
      "windows", "iOS", "iOS", "android", "macOS", "macOS", "linux", "windowsPhone", undefined, undefined,
    ]);
  });
});

describe("inventories", () => {
  const examples = path.join(__dirname, "../../../examples");

  it("reads the JSON example with null and unregistered entries", () => {
    const devices = parseInventory(fs.readFileSync(path.join(examples, "devices.json"), "utf8"));
    expect(devices).toHaveLength(8);
    expect(devices[5]).toBeNull();
    expect(devices[6]).toEqual({ unregistered: true, operatingSystem: "Windows" });
  });

  it("reads CSV: quoted commas, booleans, flat extension attributes, registered=false rows", () => {
    const devices = parseInventory(fs.readFileSync(path.join(examples, "devices.csv"), "utf8"), "csv");
    expect(devices).toHaveLength(5);
    expect(devices[1]).toEqual({ displayName: "CLOUD-PC-17", trustType: "AzureAd", operatingSystem: "Windows", isCompliant: true, extensionAttributes: { extensionAttribute1: "SAW" } });
    expect(devices[3]).toMatchObject({ displayName: "Kiosk, lobby" });
    expect(devices[4]).toEqual({ unregistered: true, operatingSystem: "Windows", displayName: undefined });
  });

  it("rejects an inventory that is not a list of device objects", () => {
    expect(() => parseInventory('{"devices": []}')).toThrow(/must be an array/);
    expect(() => parseInventory('[1]')).toThrow(/device #0 is 1/);
  });

  it("totals outcomes for the scenario's policies over the example inventory", () => {
    const devices = parseInventory(fs.readFileSync(path.join(examples, "devices.json"), "utf8"));
    const report = evaluateInventory(
      [
        policy("trust", { mode: "include", rule: 'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"' }),
        policy("platforms", undefined, { platforms: { includedPlatforms: ["all"], excludedPlatforms: ["windows"] } }),
      ],
      devices,
    );
    expect(report.devices.map((d) => d.outcome)).toEqual(["allow", "allow", "block", "block", "block", "block", "block", "block"]);
    expect(report.totals).toEqual({ devices: 8, block: 6, grant: 0, allow: 2, unknown: 0, blockIfReportOnlyEnforced: 6, unknownIfReportOnlyEnforced: 0, noPolicy: 2 });
    expect(report.policies).toEqual([
      { name: "trust", state: "enabled", devicesApplied: 5 },
      { name: "platforms", state: "enabled", devicesApplied: 4 },
    ]);
  });
});
