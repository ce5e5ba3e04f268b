/**
 * Truth values of rules for Graph devices: unregistered devices and missing attributes (*none*),
 * Graph casing, case-insensitive strings, collections, booleans from CSV, extension attributes.
 */
import type { Device } from "@microsoft/microsoft-graph-types";
import { DeviceFilter, type GraphDevice } from "../../../components/conditional-access";
import { conditionalAccessFixtures, fixtureText } from "../../../bench/fixtures";
import { deviceFilterRules } from "../../helpers/ca-fixtures";


const m = (rule: string, device: GraphDevice | null | undefined): boolean => DeviceFilter.parse(rule).matches(device);

/** One comparison per operator with a value the "registered" device below satisfies positively. */
const POSITIVE: [string, string][] = [
  ["-eq", 'device.operatingSystem -eq "Windows"'],
  ["-startsWith", 'device.operatingSystem -startsWith "Win"'],
  ["-endsWith", 'device.operatingSystem -endsWith "dows"'],
  ["-contains", 'device.operatingSystem -contains "ndo"'],
  ["-in", 'device.operatingSystem -in ["iOS", "Windows"]'],
  ["-contains (collection)", 'device.physicalIds -contains "[ZTDId]:z1"'],
  ["-eq (boolean)", "device.isCompliant -eq True"],
  ["-eq (trustType)", 'device.trustType -eq "ServerAD"'],
  ["-eq (extensionAttribute)", 'device.extensionAttribute1 -eq "SAW"'],
];
const NEGATIVE: [string, string][] = [
  ["-ne", 'device.operatingSystem -ne "iOS"'],
  ["-notStartsWith", 'device.operatingSystem -notStartsWith "And"'],
  ["-notEndsWith", 'device.operatingSystem -notEndsWith "OS"'],
  ["-notContains", 'device.operatingSystem -notContains "mac"'],
  ["-notIn", 'device.operatingSystem -notIn ["iOS", "Android"]'],
  ["-notContains (collection)", 'device.physicalIds -notContains "[ZTDId]:other"'],
  ["-ne (boolean)", "device.isCompliant -ne False"],
  ["-ne (trustType)", 'device.trustType -ne "AzureAD"'],
  ["-ne (extensionAttribute)", 'device.extensionAttribute1 -ne "Kiosk"'],
];

const REGISTERED: GraphDevice = {
  operatingSystem: "Windows",
  physicalIds: ["[ZTDId]:z1", "[OrderId]:PO-1"],
  isCompliant: true,
  trustType: "ServerAd",
  extensionAttributes: { extensionAttribute1: "SAW" },
};

describe("unregistered devices (reference section 2.1)", () => {
  it.each(POSITIVE)("positive %s: true for a matching registered device, false for an unregistered one", (_op, rule) => {
    expect(m(rule, REGISTERED)).toBe(true);
    expect(m(rule, null)).toBe(false);
    expect(m(rule, undefined)).toBe(false);
  });

  it.each(NEGATIVE)("negative %s: true for a registered device with another value, true for an unregistered one", (_op, rule) => {
    expect(m(rule, REGISTERED)).toBe(true);
    expect(m(rule, null)).toBe(true);
  });

  it.each([...POSITIVE, ...NEGATIVE])("%s: a registered device lacking the attribute behaves like an unregistered one", (_op, rule) => {
    for (const device of [{}, { operatingSystem: null, physicalIds: null, isCompliant: null, trustType: null, extensionAttributes: null }]) {
      expect(m(rule, device)).toBe(m(rule, null));
    }
  });

  it("-not flips the comparison's value, none included", () => {
    expect(m('-not device.trustType -eq "AzureAD"', null)).toBe(true);
    expect(m('-not device.trustType -ne "AzureAD"', null)).toBe(false);
  });
});

describe("the scenario's rules", () => {
  const include = 'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"';
  const exclude = 'device.trustType -eq "AzureAD" -or device.trustType -eq "ServerAD"';
  const devices: [string, GraphDevice | null, boolean][] = [
    // label, device, include-rule value (the block policy targets the device)
    ["Entra joined (Graph casing AzureAd)", { trustType: "AzureAd", operatingSystem: "Windows" }, false],
    ["hybrid joined (Graph casing ServerAd)", { trustType: "ServerAd", operatingSystem: "Windows" }, false],
    ["registered (Workplace)", { trustType: "Workplace", operatingSystem: "Windows" }, true],
    ["unregistered", null, true],
    ["registered without trustType", { operatingSystem: "iOS" }, true],
  ];

  it.each(devices)("include + negative operators: %s", (_label, device, targeted) => {
    expect(m(include, device)).toBe(targeted);
  });

  it.each(devices)("exclude + positive operators is its complement: %s", (_label, device, targeted) => {
    expect(m(exclude, device)).toBe(!targeted);
  });
});

describe("strings are compared case-insensitively", () => {
  it.each([
    ['device.trustType -eq "AzureAD"', { trustType: "AZUREAD" }, true],
    ['device.operatingSystem -eq "windows"', { operatingSystem: "Windows" }, true],
    ['device.operatingSystem -eq "Windows"', { operatingSystem: "Windows10" }, false],
    ['device.displayName -startsWith "corp-"', { displayName: "CORP-1234" }, true],
    ['device.displayName -startsWith "corp-"', { displayName: "COR" }, false],
    ['device.displayName -endsWith "-LAB"', { displayName: "pc-lab" }, true],
    ['device.displayName -endsWith "-LAB"', { displayName: "lab" }, false],
    ['device.model -contains "surface"', { model: "Microsoft SURFACE Laptop" }, true],
    ['device.model -contains "surface"', { model: "Surfac" }, false],
    ['device.model -contains "a"', { model: "" }, false],
    ['device.operatingSystem -in ["IOS", "android"]', { operatingSystem: "Android" }, true],
    ['device.operatingSystem -notIn ["IOS", "android"]', { operatingSystem: "iOS" }, false],
    ['device.deviceId -eq "6C2E6D4A-1111-4A2B-9C3D-0123456789AB"', { deviceId: "6c2e6d4a-1111-4a2b-9c3d-0123456789ab" }, true],
  ] as [string, GraphDevice, boolean][])("%s for %j is %s", (rule, device, expected) => {
    expect(m(rule, device)).toBe(expected);
  });

  it.each([
    ['device.displayName -eq "école"', { displayName: "ÉCOLE" }, true],
    ['device.displayName -startsWith "straße"', { displayName: "STRASSE-1" }, false],
    ['device.displayName -contains "ünchen"', { displayName: "PC-MÜNCHEN-01" }, true],
    ['device.displayName -endsWith "ÅS"', { displayName: "pc-ås" }, true],
    ['device.displayName -eq "kelvin"', { displayName: "\u212Aelvin" }, true], // Kelvin sign lower-cases to k
    ['device.displayName -contains "pc"', { displayName: "Ärzte-PC" }, true],
  ] as [string, GraphDevice, boolean][])("non-ASCII: %s for %j is %s", (rule, device, expected) => {
    expect(m(rule, device)).toBe(expected);
  });

  it("reads numbers (CSV) as their text and ignores values of other types", () => {
    expect(m('device.operatingSystemVersion -eq "14"', { operatingSystemVersion: 14 as unknown as string })).toBe(true);
    expect(m('device.operatingSystem -eq "Windows"', { operatingSystem: ["Windows"] as unknown as string })).toBe(false);
    expect(m('device.operatingSystem -ne "Windows"', { operatingSystem: { name: "Windows" } as unknown as string })).toBe(true);
  });
});

describe("collections: physicalIds and systemLabels", () => {
  const device: GraphDevice = { physicalIds: ["[ZTDId]:abc", "[OrderId]:PO-1"], systemLabels: ["M365Managed"] };

  it("-contains matches a whole element, case-insensitively", () => {
    expect(m('device.physicalIds -contains "[ztdid]:ABC"', device)).toBe(true);
    expect(m('device.physicalIds -contains "[ZTDId]"', device)).toBe(false); // not a substring match
    expect(m('device.physicalIds -contains "abc"', device)).toBe(false);
    expect(m('device.systemLabels -contains "m365managed"', device)).toBe(true);
  });

  it("-notContains is true when no element equals the value, and for an empty collection", () => {
    expect(m('device.physicalIds -notContains "[ZTDId]:abc"', device)).toBe(false);
    expect(m('device.physicalIds -notContains "[ZTDId]"', device)).toBe(true);
    expect(m('device.systemLabels -notContains "M365Managed"', { systemLabels: [] })).toBe(true);
    expect(m('device.systemLabels -contains "M365Managed"', { systemLabels: [] })).toBe(false);
  });

  it("a plain string (a CSV cell) is a one-element collection", () => {
    expect(m('device.systemLabels -contains "M365Managed"', { systemLabels: "M365Managed" })).toBe(true);
    expect(m('device.systemLabels -contains "M365"', { systemLabels: "M365Managed" })).toBe(false);
  });
});

describe("isCompliant", () => {
  it.each([
    [true, true, false],
    [false, false, true],
    ["true", true, false],
    ["True", true, false],
    ["TRUE", true, false],
    ["false", false, true],
    ["False", false, true],
  ] as [boolean | string, boolean, boolean][])("%j: -eq True is %s, -eq False is %s", (value, eqTrue, eqFalse) => {
    expect(m("device.isCompliant -eq True", { isCompliant: value })).toBe(eqTrue);
    expect(m("device.isCompliant -eq False", { isCompliant: value })).toBe(eqFalse);
    expect(m("device.isCompliant -ne True", { isCompliant: value })).toBe(!eqTrue);
  });

  it.each([null, undefined, "", "yes", 1])("%j is none: -eq True and -eq False are false, -ne True is true", (value) => {
    const device = { isCompliant: value } as GraphDevice;
    expect(m("device.isCompliant -eq True", device)).toBe(false);
    expect(m("device.isCompliant -eq False", device)).toBe(false);
    expect(m("device.isCompliant -ne True", device)).toBe(true);
  });
});

describe("extension attributes", () => {
  const rule = 'device.extensionAttribute15 -eq "SAW"';

  it("reads the Graph nesting (extensionAttributes.extensionAttributeN)", () => {
    expect(m(rule, { extensionAttributes: { extensionAttribute15: "saw" } })).toBe(true);
  });

  it("reads flat extensionAttributeN keys (CSV exports)", () => {
    expect(m(rule, { extensionAttribute15: "SAW" })).toBe(true);
    expect(m(rule, { extensionAttributes: { extensionAttribute15: null }, extensionAttribute15: "SAW" })).toBe(true);
  });

  it("prefers the nested value when both are set", () => {
    expect(m(rule, { extensionAttributes: { extensionAttribute15: "Kiosk" }, extensionAttribute15: "SAW" })).toBe(false);
  });

  it("treats an absent attribute as none", () => {
    expect(m(rule, { extensionAttributes: {} })).toBe(false);
    expect(m('device.extensionAttribute15 -ne "SAW"', { extensionAttributes: {} })).toBe(true);
  });
});

describe("logic", () => {
  it("evaluates -and / -or / -not with precedence, for any number of operands", () => {
    const d = { operatingSystem: "Windows", trustType: "Workplace", isCompliant: false };
    expect(m('device.operatingSystem -eq "Windows" -and device.trustType -eq "Workplace" -and device.isCompliant -eq False', d)).toBe(true);
    expect(m('device.operatingSystem -eq "Windows" -and device.trustType -eq "Workplace" -and device.isCompliant -eq True', d)).toBe(false);
    expect(
      m('device.model -eq "a" -or device.model -eq "b" -or device.model -eq "c" -or device.model -eq "d" -or device.trustType -eq "Workplace"', d),
    ).toBe(true);
    expect(m('device.model -eq "a" -or device.model -eq "b" -or device.model -eq "c" -or device.model -eq "d"', d)).toBe(false);
    expect(m('device.trustType -eq "AzureAD" -or device.trustType -eq "Workplace" -and device.isCompliant -eq True', d)).toBe(false);
    expect(m('(device.trustType -eq "AzureAD" -or device.trustType -eq "Workplace") -and -not device.isCompliant -eq True', d)).toBe(true);
  });
});

describe("Graph types", () => {
  it("accepts a @microsoft/microsoft-graph-types Device as is", () => {
    const device: Device = {
      id: "0b6c…",
      accountEnabled: true,
      trustType: "ServerAd",
      isCompliant: true,
      operatingSystem: "Windows",
      physicalIds: ["[ZTDId]:x"],
    };
    expect(DeviceFilter.parse('device.trustType -eq "ServerAD" -and device.physicalIds -contains "[ZTDId]:x"').matches(device)).toBe(true);
  });
});

describe("rules from Graph exports", () => {
  it("parses every device filter rule in the repository's Graph exports to itself", () => {
    const rules = conditionalAccessFixtures("repository").flatMap((f) => deviceFilterRules(JSON.parse(fixtureText(f.path)) as unknown));
    expect(rules).toEqual(['device.trustType -eq "ServerAD"', 'device.extensionAttribute1 -eq "PAW" -and device.isCompliant -eq True']);
    for (const rule of rules) expect(DeviceFilter.parse(rule).toString()).toBe(rule);
  });

  it.each([
    // rules quoted in the reference and fixtures README (Simeon, j0eyv, DCToolbox, M365DSC baselines)
    ['device.trustType -eq "ServerAD"', { trustType: "ServerAd" }, true],
    ['device.trustType -eq "ServerAD" -or device.isCompliant -eq True', { trustType: "Workplace", isCompliant: true }, true],
    ['device.trustType -eq "ServerAD" -or device.isCompliant -eq True', null, false],
    ['device.isCompliant -eq True -and device.deviceOwnership -eq "Company"', { isCompliant: true, deviceOwnership: "Company" }, true],
    ['device.isCompliant -eq True -and device.deviceOwnership -eq "Company"', { isCompliant: true, deviceOwnership: "Personal" }, false],
    ['device.deviceOwnership -eq "Company" -or device.isCompliant -eq True', { deviceOwnership: "company" }, true],
    ["device.isCompliant -eq True", { isCompliant: "True" }, true],
    ['device.trustType -eq "AzureAD" -or device.trustType -eq "ServerAD" -or device.trustType -eq "Workplace"', { trustType: "Workplace" }, true],
    ['device.extensionAttribute1 -ne "SAW"', null, true],
  ] as [string, GraphDevice | null, boolean][])("%s for %j is %s", (rule, device, expected) => {
    expect(m(rule, device)).toBe(expected);
  });
});
