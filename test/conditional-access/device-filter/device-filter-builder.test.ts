/** The typed builder: output valid by construction, common cases spelled the safe way. */
import { DeviceFilter, DeviceFilterError, TrustType, deviceRule } from "../../../components/conditional-access";

describe("deviceRule builder", () => {
  it("trustType.notAnyOf expands to -ne ... -and -ne ... (trustType has no -notIn)", () => {
    const f = deviceRule.trustType.notAnyOf([TrustType.AzureAD, TrustType.ServerAD]).build();
    expect(f).toBeInstanceOf(DeviceFilter);
    expect(f.toString()).toBe('device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"');
    expect(f.matches(null)).toBe(true);
    expect(f.matches({ trustType: "ServerAd" })).toBe(false);
  });

  it("trustType.anyOf expands to -eq ... -or -eq ...; one value is a single comparison", () => {
    expect(deviceRule.trustType.anyOf(["AzureAD", "ServerAD", "Workplace"]).toString()).toBe(
      'device.trustType -eq "AzureAD" -or device.trustType -eq "ServerAD" -or device.trustType -eq "Workplace"',
    );
    expect(deviceRule.trustType.anyOf(["ServerAD"]).toString()).toBe('device.trustType -eq "ServerAD"');
  });

  it("anyOf / notAnyOf use -in / -notIn where the property has them", () => {
    expect(deviceRule.operatingSystem.anyOf(["iOS", "Android"]).toString()).toBe('device.operatingSystem -in ["iOS", "Android"]');
    expect(deviceRule.mdmAppId.notAnyOf(["a", "b"]).toString()).toBe('device.mdmAppId -notIn ["a", "b"]');
    expect(deviceRule.deviceOwnership.notAnyOf(["Personal"]).toString()).toBe('device.deviceOwnership -ne "Personal"');
  });

  it("builds the baseline rules of the reference", () => {
    expect(deviceRule.isCompliant.eq(true).and(deviceRule.deviceOwnership.eq("Company")).build().toString()).toBe(
      'device.isCompliant -eq True -and device.deviceOwnership -eq "Company"',
    );
    expect(deviceRule.or(deviceRule.trustType.eq("ServerAD"), deviceRule.isCompliant.eq(true)).build().toString()).toBe(
      'device.trustType -eq "ServerAD" -or device.isCompliant -eq True',
    );
    expect(deviceRule.extensionAttribute(1).ne("SAW").build().toString()).toBe('device.extensionAttribute1 -ne "SAW"');
  });

  it("offers every string operator on free-text properties", () => {
    const os = deviceRule.operatingSystem;
    const parts = [
      os.eq("Windows"),
      os.ne("iOS"),
      os.startsWith("Win"),
      os.notStartsWith("And"),
      os.endsWith("dows"),
      os.notEndsWith("OS"),
      os.contains("ndo"),
      os.notContains("mac"),
      os.in(["Windows"]),
      os.notIn(["iOS"]),
    ];
    expect(deviceRule.and(...parts).build().toString()).toBe(
      [
        '-eq "Windows"',
        '-ne "iOS"',
        '-startsWith "Win"',
        '-notStartsWith "And"',
        '-endsWith "dows"',
        '-notEndsWith "OS"',
        '-contains "ndo"',
        '-notContains "mac"',
        '-in ["Windows"]',
        '-notIn ["iOS"]',
      ]
        .map((s) => `device.operatingSystem ${s}`)
        .join(" -and "),
    );
  });

  it("collections and booleans", () => {
    expect(deviceRule.physicalIds.contains("[OrderId]:PO-1").or(deviceRule.systemLabels.notContains("AzureResource")).toString()).toBe(
      'device.physicalIds -contains "[OrderId]:PO-1" -or device.systemLabels -notContains "AzureResource"',
    );
    expect(deviceRule.isCompliant.ne(false).toString()).toBe("device.isCompliant -ne False");
  });

  it("adds parentheses where precedence needs them and flattens the rest", () => {
    const a = deviceRule.trustType.eq("AzureAD");
    const b = deviceRule.trustType.eq("ServerAD");
    const c = deviceRule.isCompliant.eq(true);
    expect(a.or(b).and(c).toString()).toBe('(device.trustType -eq "AzureAD" -or device.trustType -eq "ServerAD") -and device.isCompliant -eq True');
    expect(deviceRule.not(a.or(b)).toString()).toBe('-not (device.trustType -eq "AzureAD" -or device.trustType -eq "ServerAD")');
    const node = a.and(b).and(c).node;
    expect(node.kind === "and" ? node.operands.length : 0).toBe(3);
  });

  it("extensionAttribute(n) accepts 1..15 only", () => {
    expect(deviceRule.extensionAttribute(15).eq("x").toString()).toBe('device.extensionAttribute15 -eq "x"');
    for (const n of [0, 16, 1.5, -1, NaN]) {
      expect(() => deviceRule.extensionAttribute(n)).toThrow(RangeError);
    }
    expect(() => deviceRule.extensionAttribute(16)).toThrow("extensionAttribute(16): Entra has extensionAttribute1 to extensionAttribute15");
  });

  it("rejects bad values where they are written, with the parser's error", () => {
    expect(() => deviceRule.trustType.eq("Hybrid" as TrustType)).toThrow(DeviceFilterError);
    expect(() => deviceRule.trustType.eq("Hybrid" as TrustType)).toThrow('"Hybrid" is not a device.trustType value');
    expect(() => deviceRule.displayName.startsWith("  ")).toThrow("empty values");
    expect(() => deviceRule.operatingSystem.anyOf([])).toThrow(RangeError);
    expect(() => deviceRule.and()).toThrow(RangeError);
  });

  it("normalises values the same way the parser does", () => {
    expect(deviceRule.trustType.eq("azuread" as TrustType).toString()).toBe('device.trustType -eq "AzureAD"');
    expect(deviceRule.model.contains(' say "hi" ').toString()).toBe('device.model -contains "say `"hi`""');
  });

  it("offers only the operators Entra allows (checked by the compiler)", () => {
    // @ts-expect-error trustType has no -in
    expect(deviceRule.trustType.in).toBeUndefined();
    // @ts-expect-error physicalIds has no -eq
    expect(deviceRule.physicalIds.eq).toBeUndefined();
    // @ts-expect-error isCompliant takes a boolean
    expect(() => deviceRule.isCompliant.eq("yes")).toThrow(DeviceFilterError);
  });
});
