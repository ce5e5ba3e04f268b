/**
 * Legacy device conditions (includeDevices/excludeDevices, includeDeviceStates/excludeDeviceStates,
 * conditions.deviceStates) become device filters with the SAME device targeting. The shared
 * fixtures hold none, so these policies are written here from the shapes documented in
 * reference/conditional-access.md (2.4, 4) and simeoncloud-Baseline/SOURCE.md.
 */
import { DeviceFilter, type GraphDevice } from "../../../components/conditional-access/device-filter";
import { evaluateInventory, type InventoryDevice } from "../../../components/conditional-access/whatif/evaluate";
import { importConditionalAccessPolicies } from "../../../components/conditional-access/import";
import { legacyDeviceStatesToFilter } from "../../../components/conditional-access/import/legacy";
import type { PlainDeviceFilter } from "../../../components/conditional-access/policy-shape";

type Device = GraphDevice | null;

/**
 * The legacy condition as Entra applied it: the policy targets a device in an included state and
 * in no excluded state. "All" is every device, unregistered ones too; "Compliant" a registered
 * device marked compliant; "DomainJoined" a hybrid-joined (ServerAd) device. An empty include with
 * exclusions is the portal's "All except".
 */
function legacyTargets(include: string[], exclude: string[], device: Device): boolean {
  const inState = (state: string): boolean => {
    if (state === "All") return true;
    if (device === null) return false;
    if (state === "Compliant") return device.isCompliant === true;
    if (state === "DomainJoined") return String(device.trustType ?? "").toLowerCase() === "serverad";
    throw new Error(`test evaluator does not know ${state}`);
  };
  const included = include.length === 0 ? true : include.some(inState);
  return included && !exclude.some(inState);
}

/** A device filter as Conditional Access applies it; no filter targets every device. */
function filterTargets(filter: PlainDeviceFilter | undefined, device: Device): boolean {
  if (!filter) return true;
  return DeviceFilter.parse(filter.rule).matches(device) === (filter.mode === "include");
}

/** Registered devices of each trust type (Graph casing), compliant or not or unknown, and unregistered. */
const DEVICES: { label: string; device: Device }[] = [
  { label: "unregistered", device: null },
  ...["AzureAd", "ServerAd", "Workplace", undefined].flatMap((trustType) =>
    [true, false, undefined].map((isCompliant) => ({
      label: `${trustType ?? "no trustType"}, compliant ${isCompliant}`,
      device: { deviceId: "00000000-0000-0000-0000-000000000001", trustType, isCompliant } as GraphDevice,
    })),
  ),
];

const subsets = <T>(values: T[]): T[][] => values.reduce<T[][]>((acc, v) => [...acc, ...acc.map((s) => [...s, v])], [[]]);
const COMBINATIONS = subsets(["All", "Compliant", "DomainJoined"]).flatMap((include) => subsets(["Compliant", "DomainJoined"]).map((exclude) => ({ include, exclude })));

describe("legacyDeviceStatesToFilter", () => {
  it.each(COMBINATIONS)("include $include, exclude $exclude: the filter targets exactly the devices the legacy condition did", ({ include, exclude }) => {
    const { conversion, problems } = legacyDeviceStatesToFilter(include, exclude);
    expect(problems).toEqual([]);
    for (const { label, device } of DEVICES) {
      const expected = legacyTargets(include, exclude, device);
      expect({ label, targeted: filterTargets(conversion!.filter, device) }).toEqual({ label, targeted: expected });
    }
  });

  it("gives the reference mapping for include All, exclude Compliant + DomainJoined", () => {
    expect(legacyDeviceStatesToFilter(["All"], ["Compliant", "DomainJoined"]).conversion?.filter).toEqual({
      mode: "exclude",
      rule: 'device.isCompliant -eq True -or device.trustType -eq "ServerAD"',
    });
  });

  it("needs no filter when every device is included and none excluded", () => {
    expect(legacyDeviceStatesToFilter(["All"], []).conversion?.filter).toBeUndefined();
  });

  it("accepts the states in any case", () => {
    expect(legacyDeviceStatesToFilter(["all"], ["compliant"]).conversion?.filter).toEqual({ mode: "exclude", rule: "device.isCompliant -eq True" });
  });

  it("refuses states it cannot express and says which", () => {
    const { conversion, problems } = legacyDeviceStatesToFilter(["All"], ["Hybrid"]);
    expect(conversion).toBeUndefined();
    expect(problems).toEqual([expect.objectContaining({ value: "Hybrid", problem: "unknown legacy device state in exclude" })]);
  });
});

/** Simeon Baseline's policy before commit 05bdd44, as SOURCE.md describes it (no displayName, $description, CRLF). */
const SIMEON_LEGACY = [
  "{",
  '  "$description": "Blocks access from platforms other than iOS or Android unless the device is compliant or hybrid joined, or the location is trusted",',
  '  "conditions": {',
  '    "applications": { "includeApplications": ["All"], "excludeApplications": [], "includeUserActions": [] },',
  '    "clientAppTypes": ["all"],',
  '    "devices": { "deviceFilter": null, "includeDevices": ["All"], "excludeDevices": ["Compliant", "DomainJoined"] },',
  '    "locations": { "includeLocations": ["All"], "excludeLocations": ["AllTrusted"] },',
  '    "platforms": { "includePlatforms": ["all"], "excludePlatforms": ["android", "iOS"] },',
  '    "users": { "includeUsers": ["All"], "excludeGroups": ["${urn:resource:MSGraph:Groups/Break Glass?$id}"] }',
  "  },",
  '  "grantControls": { "builtInControls": ["block"], "operator": "OR" },',
  '  "state": "enabled"',
  "}",
].join("\r\n");
const SIMEON_FILE = "Baseline - Block Platforms Other than iOS or Android from Unmanaged Devices and Untrusted Locations.legacy.json";
const BREAK_GLASS = "9f0e2a47-3c1b-4d6e-8a55-2b7c1e0d4f31";

describe("importing policies with legacy device conditions", () => {
  it("converts Simeon's legacy includeDevices/excludeDevices to the filter Simeon itself moved to, with a note", () => {
    const result = importConditionalAccessPolicies(Buffer.from(SIMEON_LEGACY, "utf8"), {
      sourceName: SIMEON_FILE,
      placeholderValues: { "${urn:resource:MSGraph:Groups/Break Glass?$id}": BREAK_GLASS },
    });
    expect(result.errors).toEqual([]);
    const [policy] = result.policies;
    expect(policy.displayName).toBe("Baseline - Block Platforms Other than iOS or Android from Unmanaged Devices and Untrusted Locations.legacy");
    expect(policy.resource.conditions.devices).toEqual({ filter: { mode: "exclude", rule: 'device.isCompliant -eq True -or device.trustType -eq "ServerAD"' } });
    expect(policy.resource.conditions.users.excludedGroups).toEqual([BREAK_GLASS]);
    const codes = policy.notes.map((n) => n.code);
    expect(codes).toEqual(expect.arrayContaining(["legacy-device-condition", "derived-display-name", "placeholder"]));
    expect(JSON.stringify(policy.resource)).not.toMatch(/includeDevices|excludeDevices|DeviceStates/);
  });

  it("the converted Simeon policy has the same effect as the legacy one on every device (platform included), per the what-if evaluator", () => {
    const { policies } = importConditionalAccessPolicies(SIMEON_LEGACY, {
      sourceName: SIMEON_FILE,
      placeholderValues: { "${urn:resource:MSGraph:Groups/Break Glass?$id}": BREAK_GLASS },
    });
    const inventory: InventoryDevice[] = [null];
    for (const operatingSystem of ["Windows", "MacMDM", "iOS", "Android"]) {
      for (const d of DEVICES.filter((x) => x.device !== null)) inventory.push({ ...(d.device as GraphDevice), operatingSystem });
      inventory.push({ unregistered: true, operatingSystem });
    }
    const report = evaluateInventory([policies[0].resource], inventory);
    report.devices.forEach((result, i) => {
      const device = inventory[i];
      const unregistered = device === null || (device as { unregistered?: boolean }).unregistered === true;
      const os = device === null ? undefined : String((device as { operatingSystem?: string }).operatingSystem);
      // platforms: all except android/iOS; an unknown platform (null device) stays included
      const platformInScope = os === undefined || !["ios", "android"].includes(os.toLowerCase());
      const legacy = platformInScope && legacyTargets(["All"], ["Compliant", "DomainJoined"], unregistered ? null : (device as GraphDevice));
      expect({ device: result.label, blocked: result.outcome === "block" }).toEqual({ device: result.label, blocked: legacy });
    });
    // the test is not vacuous: some devices are blocked, some are not
    expect(report.totals.block).toBeGreaterThan(0);
    expect(report.totals.block).toBeLessThan(report.totals.devices);
  });

  it("converts beta includeDeviceStates/excludeDeviceStates and says Graph rejects them with error 1088", () => {
    const policy = {
      "@odata.type": "#microsoft.graph.conditionalAccessPolicy",
      id: "3d0c6a52-8f3e-4d1b-9a1c-5b8e2f7d6c40",
      displayName: "Require MFA off managed devices",
      state: "enabledForReportingButNotEnforced",
      conditions: {
        applications: { includeApplications: ["All"] },
        users: { includeUsers: ["All"] },
        clientAppTypes: ["all"],
        devices: { includeDeviceStates: ["All"], excludeDeviceStates: ["Compliant"], includeDevices: [], excludeDevices: [], deviceFilter: null },
      },
      grantControls: { operator: "OR", builtInControls: ["mfa"] },
    };
    const { policies, errors } = importConditionalAccessPolicies(policy);
    expect(errors).toEqual([]);
    expect(policies[0].resource.conditions.devices).toEqual({ filter: { mode: "exclude", rule: "device.isCompliant -eq True" } });
    const legacyNote = policies[0].notes.find((n) => n.code === "legacy-device-condition")!.message;
    expect(legacyNote).toMatch(/error 1088/);
    expect(legacyNote).toMatch(/includeDeviceStates/);
  });

  it("converts the older conditions.deviceStates { includeStates, excludeStates } block", () => {
    const policy = {
      displayName: "Block unless hybrid joined",
      state: "disabled",
      conditions: {
        applications: { includeApplications: ["Office365"] },
        users: { includeGroups: ["6c96716b-b32b-40b8-9009-49748bb6fcd5"] },
        clientAppTypes: ["all"],
        deviceStates: { includeStates: ["All"], excludeStates: ["DomainJoined"] },
      },
      grantControls: { operator: "OR", builtInControls: ["block"] },
    };
    const { policies, errors } = importConditionalAccessPolicies(policy);
    expect(errors).toEqual([]);
    expect(policies[0].resource.conditions.devices).toEqual({ filter: { mode: "exclude", rule: 'device.trustType -eq "ServerAD"' } });
    expect(policies[0].notes.find((n) => n.code === "legacy-device-condition")!.message).toMatch(/error 1088/);
  });

  it("drops includeDevices [All] with nothing excluded (every device), with a note and no filter", () => {
    const policy = {
      displayName: "All devices",
      state: "disabled",
      conditions: {
        applications: { includeApplications: ["All"] },
        users: { includeUsers: ["All"] },
        clientAppTypes: ["all"],
        devices: { includeDevices: ["All"], excludeDevices: [] },
      },
      grantControls: { operator: "OR", builtInControls: ["mfa"] },
    };
    const { policies } = importConditionalAccessPolicies(policy);
    expect(policies[0].resource.conditions.devices).toBeUndefined();
    expect(policies[0].notes.find((n) => n.code === "legacy-device-condition")!.message).toMatch(/no device filter is needed/);
  });

  it("refuses a policy that sets both a legacy condition and a device filter, naming both", () => {
    const policy = {
      displayName: "Both",
      state: "disabled",
      conditions: {
        applications: { includeApplications: ["All"] },
        users: { includeUsers: ["All"] },
        clientAppTypes: ["all"],
        devices: { includeDevices: ["All"], excludeDevices: ["Compliant"], deviceFilter: { mode: "exclude", rule: 'device.trustType -eq "AzureAD"' } },
      },
      grantControls: { operator: "OR", builtInControls: ["block"] },
    };
    const { policies, errors } = importConditionalAccessPolicies(policy);
    expect(policies).toEqual([]);
    expect(errors).toEqual([
      expect.objectContaining({
        policy: "Both",
        field: "conditions.devices",
        message: expect.stringMatching(/both a device filter and the legacy device condition \(conditions\.devices\.includeDevices, conditions\.devices\.excludeDevices\)/),
      }),
    ]);
  });
});
