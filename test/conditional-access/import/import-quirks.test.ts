/**
 * Graph export quirks found in the wild: encodings, wrappers, beta annotations, missing names,
 * placeholders, invalid rules, expanded objects, and the CorporateDeviceAccess shape.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { normaliseCorporateDeviceAccess, buildCorporateDevicePolicies } from "../../../components/conditional-access/component/corporate-device-policy";
import { decodeExportBytes } from "../../../components/conditional-access/import/decode";
import { importConditionalAccessFiles, importConditionalAccessPolicies, toGraphPolicy } from "../../../components/conditional-access/import";
import { ownFixturesDir } from "../../../bench/fixtures";

// The repository's own Graph exports (test/fixtures/conditional-access).
const FIXTURES = path.join(ownFixturesDir(), "conditional-access");
const fixtureText = (file: string) => fs.readFileSync(path.join(FIXTURES, file), "utf8");
/** A v1.0 list page ({ "@odata.context", value: [...] }) of six policies. */
const PAGE = "v1-policies-page.json";
const PAGE_NAMES = [
  "CA001: Require MFA for administrators",
  "CA002: Block legacy authentication",
  "Handle macOS",
  "CA004: Require MFA for guest access",
  "Office 365 outside trusted locations",
  "Guests: block rarely used APIs",
];

const utf16le = (text: string, bom = true) => Buffer.concat([Buffer.from(bom ? [0xff, 0xfe] : []), Buffer.from(text, "utf16le")]);
const utf16be = (text: string) => {
  const le = Buffer.from(text, "utf16le");
  const be = Buffer.alloc(le.length);
  for (let i = 0; i < le.length; i += 2) [be[i], be[i + 1]] = [le[i + 1], le[i]];
  return Buffer.concat([Buffer.from([0xfe, 0xff]), be]);
};

/** A minimal valid Graph policy; `patch` merges into it. */
function policy(patch: Record<string, unknown> = {}, conditions: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "0b7d2e14-61a3-4c0e-9e2f-3a4b5c6d7e8f",
    displayName: "Test policy",
    state: "enabled",
    conditions: {
      applications: { includeApplications: ["All"] },
      users: { includeUsers: ["All"], excludeGroups: ["a881d286-2b5c-417b-8d7e-c48b516aef83"] },
      clientAppTypes: ["all"],
      ...conditions,
    },
    grantControls: { operator: "OR", builtInControls: ["mfa"] },
    ...patch,
  };
}

describe("decoding", () => {
  const text = fixtureText(PAGE);

  it.each([
    ["UTF-8 without BOM", Buffer.from(text, "utf8"), "utf-8"],
    ["UTF-8 with BOM", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")]), "utf-8 with BOM"],
    ["UTF-16LE with BOM (j0eyv baseline style)", utf16le(text), "utf-16le with BOM"],
    ["UTF-16LE without BOM", utf16le(text, false), "utf-16le without BOM"],
    ["UTF-16BE with BOM", utf16be(text), "utf-16be with BOM"],
  ])("%s: imports the same policies as the original file", (_label, bytes, encoding) => {
    const result = importConditionalAccessPolicies(bytes, { sourceName: PAGE });
    expect(result.errors).toEqual([]);
    expect(result.files).toEqual([{ source: PAGE, encoding }]);
    expect(result.policies.map((p) => p.displayName)).toEqual(PAGE_NAMES);
    expect(result.policies.map((p) => p.resource)).toEqual(importConditionalAccessPolicies(text).policies.map((p) => p.resource));
  });

  it("refuses the same policies, by name, in every encoding (lockout rule and id check)", () => {
    const refusedText = fixtureText("lockout-and-unresolved-ids.json");
    const refusals = (bytes: Buffer) => importConditionalAccessPolicies(bytes, { sourceName: "refused.json" }).errors.map((e) => [e.policy, e.field]);
    const expected = [
      ["Require MFA for all users", "conditions.users.excludeGroups"],
      ["Block access outside trusted locations", "conditions.users.excludeGroups"],
      ["Sales: require MFA", "conditions.users.includeGroups[1]"],
      ["Admin portals: require MFA", "conditions.applications.includeApplications[1]"],
    ];
    expect(refusals(Buffer.from(refusedText, "utf8"))).toEqual(expected);
    expect(refusals(utf16le(refusedText))).toEqual(expected);
    expect(refusals(utf16le(refusedText, false))).toEqual(expected);
    expect(refusals(utf16be(refusedText))).toEqual(expected);
  });

  it("strips a BOM that a text reader left in a string", () => {
    expect(importConditionalAccessPolicies("\uFEFF" + text).policies).toHaveLength(6);
  });

  it("keeps non-ASCII text intact through UTF-16", () => {
    const named = JSON.stringify(policy({ displayName: "Zürich – Geräte blockieren 🔒" }));
    expect(importConditionalAccessPolicies(utf16le(named)).policies[0].displayName).toBe("Zürich – Geräte blockieren 🔒");
  });

  it("reports bytes that are neither UTF-8 nor UTF-16 as a file error, not a crash", () => {
    expect(() => decodeExportBytes(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]))).toThrow(/neither UTF-8 nor UTF-16/);
    const result = importConditionalAccessPolicies(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), { sourceName: "broken.json" });
    expect(result.policies).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ source: "broken.json", index: undefined, message: expect.stringMatching(/neither UTF-8 nor UTF-16/) })]);
  });

  it("reports invalid JSON with the parser's reason", () => {
    const result = importConditionalAccessPolicies('[{"displayName": "x",]', { sourceName: "bad.json" });
    expect(result.errors[0].message).toMatch(/^not valid JSON/);
  });
});

describe("export shapes", () => {
  const policies = (JSON.parse(fixtureText(PAGE)) as { value: unknown[] }).value;

  it("reads a { value: [...] } page with @odata.context and nextLink", () => {
    const page = { "@odata.context": "https://graph.microsoft.com/beta/$metadata#identity/conditionalAccess/policies", "@odata.nextLink": "https://graph.microsoft.com/beta/x?$skiptoken=1", value: policies };
    expect(importConditionalAccessPolicies(JSON.stringify(page)).policies.map((p) => p.displayName)).toEqual(PAGE_NAMES);
  });

  it("reads the list output saved as a bare array", () => {
    expect(importConditionalAccessPolicies(JSON.stringify(policies)).policies.map((p) => p.displayName)).toEqual(PAGE_NAMES);
  });

  it("reads an array of pages as paging scripts save them", () => {
    const pages = [{ value: policies.slice(0, 2) }, { value: policies.slice(2) }];
    const result = importConditionalAccessPolicies(pages);
    expect(result.policies.map((p) => p.displayName)).toEqual(PAGE_NAMES);
    expect(result.policies.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("reads one policy object", () => {
    expect(importConditionalAccessPolicies(JSON.stringify(policies[1])).policies.map((p) => p.displayName)).toEqual(["CA002: Block legacy authentication"]);
  });

  it("drops beta annotations and actions (@odata.type, x@odata.context, #microsoft.graph.restore) and read-only fields", () => {
    const beta = policy({
      "@odata.type": "#microsoft.graph.conditionalAccessPolicy",
      "#microsoft.graph.restore": { title: "microsoft.graph.restore", target: "https://graph.microsoft.com/beta/x/restore" },
      templateId: null,
      partialEnablementStrategy: null,
      createdDateTime: "2023-01-01T00:00:00Z",
      modifiedDateTime: "2023-01-02T00:00:00Z",
      deletedDateTime: null,
      grantControls: { operator: "OR", builtInControls: ["mfa"], "authenticationStrength@odata.context": "https://graph.microsoft.com/beta/$metadata#x", authenticationStrength: null },
    });
    const [imported] = importConditionalAccessPolicies(beta).policies;
    expect(imported.resource).toEqual({
      displayName: "Test policy",
      state: "enabled",
      conditions: {
        applications: { includedApplications: ["All"] },
        users: { includedUsers: ["All"], excludedGroups: ["a881d286-2b5c-417b-8d7e-c48b516aef83"] },
        clientAppTypes: ["all"],
      },
      grantControls: { operator: "OR", builtInControls: ["mfa"] },
    });
    expect(imported.notes).toEqual([]);
  });
});

describe("policies without displayName", () => {
  const unnamed = () => {
    const p = policy();
    delete p.displayName;
    delete p.id;
    return p;
  };

  it("takes $friendlyName when present, with a note", () => {
    const [p] = importConditionalAccessPolicies({ ...unnamed(), $friendlyName: "Require MFA" }, { sourceName: "x.json" }).policies;
    expect(p.displayName).toBe("Require MFA");
    expect(p.notes.find((n) => n.code === "derived-display-name")?.message).toMatch(/named "Require MFA" from \$friendlyName/);
  });

  it("takes the file name for a single-policy file, and file name + position in an array", () => {
    expect(importConditionalAccessPolicies(unnamed(), { sourceName: "dir/Baseline - Require MFA for Admins.json" }).policies[0].displayName).toBe("Baseline - Require MFA for Admins");
    expect(importConditionalAccessPolicies(unnamed(), "Baseline - Block Legacy Apps.json").policies[0]).toMatchObject({ displayName: "Baseline - Block Legacy Apps", source: "Baseline - Block Legacy Apps.json" });
    const two = importConditionalAccessPolicies([unnamed(), unnamed()], { sourceName: "exports/all.json" }).policies;
    expect(two.map((p) => [p.displayName, p.resourceName])).toEqual([
      ["all #1", "all-1"],
      ["all #2", "all-2"],
    ]);
  });

  it("falls back to $description, then to the position, without a file name", () => {
    expect(importConditionalAccessPolicies({ ...unnamed(), $description: "Blocks legacy apps" }).policies[0].displayName).toBe("Blocks legacy apps");
    expect(importConditionalAccessPolicies(unnamed()).policies[0].displayName).toBe("Imported policy #1");
  });
});

describe("placeholders", () => {
  const templated = policy({ displayName: "$AddCustomPrefix - Block legacy auth" }, { users: { includeUsers: ["All"], excludeGroups: ["ENTRAGROUP_Excluded from Conditional Access_ENTRAGROUP", "${urn:resource:MSGraph:Groups/BreakGlass?$id}"] } });

  it("reports every unresolved token with its field and how to map it", () => {
    const { policies, errors } = importConditionalAccessPolicies(templated, { sourceName: "gallery.json" });
    expect(policies).toEqual([]);
    expect(errors.map((e) => [e.field, e.message])).toEqual([
      ["displayName", 'unresolved placeholder "$AddCustomPrefix"'],
      ["conditions.users.excludeGroups[0]", 'unresolved placeholder "ENTRAGROUP_Excluded from Conditional Access_ENTRAGROUP"'],
      ["conditions.users.excludeGroups[1]", 'unresolved placeholder "${urn:resource:MSGraph:Groups/BreakGlass?$id}"'],
      // Without its placeholders the policy excludes nobody: the lockout rule says so too.
      ["conditions.users.excludeGroups", expect.stringMatching(/^an enabled policy that blocks all users or requires a control of them \(mfa\) must exclude .*break-glass/)],
    ]);
    expect(errors[0].fix).toMatch(/--map/);
  });

  it("replaces mapped tokens and notes each replacement", () => {
    const { policies, errors } = importConditionalAccessPolicies(templated, {
      placeholderValues: {
        $AddCustomPrefix: "CONTOSO",
        "ENTRAGROUP_Excluded from Conditional Access_ENTRAGROUP": "11111111-1111-1111-1111-111111111111",
        "${urn:resource:MSGraph:Groups/BreakGlass?$id}": "22222222-2222-2222-2222-222222222222",
      },
    });
    expect(errors).toEqual([]);
    expect(policies[0].displayName).toBe("CONTOSO - Block legacy auth");
    expect(policies[0].resource.conditions.users.excludedGroups).toEqual(["11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"]);
    expect(policies[0].notes.filter((n) => n.code === "placeholder")).toHaveLength(3);
  });
});

describe("device filter rules", () => {
  it("reports an invalid rule with the policy name and position, and imports the other policies", () => {
    const bad = policy({ displayName: "Bad rule" }, { devices: { deviceFilter: { mode: "include", rule: 'device.trustType -in ["AzureAD"]' } } });
    const good = policy({ displayName: "Good rule", id: "1b7d2e14-61a3-4c0e-9e2f-3a4b5c6d7e8f" }, { devices: { deviceFilter: { mode: "exclude", rule: 'device.trustType -eq "AzureAD"' } } });
    const result = importConditionalAccessPolicies([bad, good], { sourceName: "mixed.json" });
    expect(result.policies.map((p) => p.displayName)).toEqual(["Good rule"]);
    expect(result.errors).toEqual([
      {
        source: "mixed.json",
        index: 0,
        policy: "Bad rule",
        field: "conditions.devices.deviceFilter.rule",
        position: 17,
        rule: 'device.trustType -in ["AzureAD"]',
        message: expect.stringMatching(/^invalid device filter rule at position 17 \("-in"\): -in is not allowed on device.trustType/),
        fix: expect.stringContaining('device.trustType -eq "AzureAD" -or device.trustType -eq "ServerAD"'),
      },
    ]);
  });

  it("keeps a valid rule as exported (no diff after import) and notes its canonical form", () => {
    const p = policy({}, { devices: { deviceFilter: { mode: "exclude", rule: 'device.trustType eq "ServerAd" -or device.isCompliant -eq "True"' } } });
    const [imported] = importConditionalAccessPolicies(p).policies;
    expect(imported.resource.conditions.devices?.filter.rule).toBe('device.trustType eq "ServerAd" -or device.isCompliant -eq "True"');
    expect(imported.notes.find((n) => n.code === "rule-kept")?.message).toMatch(/canonical form is device.trustType -eq "ServerAD" -or device.isCompliant -eq True/);
  });
});

describe("provider shape", () => {
  it("reduces an expanded authenticationStrength to its id path and exports it back as { id }", () => {
    const p = policy({
      grantControls: {
        operator: "and",
        builtInControls: [],
        authenticationStrength: { id: "00000000-0000-0000-0000-000000000002", displayName: "Multifactor authentication", allowedCombinations: ["password,sms"], policyType: "builtIn" },
      },
    });
    const [imported] = importConditionalAccessPolicies(p).policies;
    expect(imported.resource.grantControls).toEqual({ operator: "AND", authenticationStrengthPolicyId: "/policies/authenticationStrengthPolicies/00000000-0000-0000-0000-000000000002" });
    expect(imported.notes.map((n) => n.message)).toEqual(
      expect.arrayContaining([
        'expanded authenticationStrength "Multifactor authentication" reduced to its id path /policies/authenticationStrengthPolicies/00000000-0000-0000-0000-000000000002',
      ]),
    );
    expect((toGraphPolicy(imported.resource).grantControls as Record<string, unknown>).authenticationStrength).toEqual({ id: "00000000-0000-0000-0000-000000000002" });
  });

  it("writes enums in the provider's casing: all for platforms and client apps, All for users, apps and locations", () => {
    const p = policy(
      { state: "EnabledForReportingButNotEnforced", grantControls: { operator: "or", builtInControls: ["MFA"] } },
      {
        applications: { includeApplications: ["all"], excludeApplications: ["office365"] },
        users: { includeUsers: ["all"], excludeUsers: ["guestsOrExternalUsers"] },
        clientAppTypes: ["All"],
        platforms: { includePlatforms: ["All"], excludePlatforms: ["IOS", "MacOS"] },
        locations: { includeLocations: ["all"], excludeLocations: ["allTrusted"] },
      },
    );
    const [imported] = importConditionalAccessPolicies(p).policies;
    expect(imported.resource).toEqual({
      displayName: "Test policy",
      state: "enabledForReportingButNotEnforced",
      conditions: {
        applications: { includedApplications: ["All"], excludedApplications: ["Office365"] },
        users: { includedUsers: ["All"], excludedUsers: ["GuestsOrExternalUsers"] },
        clientAppTypes: ["all"],
        platforms: { includedPlatforms: ["all"], excludedPlatforms: ["iOS", "macOS"] },
        locations: { includedLocations: ["All"], excludedLocations: ["AllTrusted"] },
      },
      grantControls: { operator: "OR", builtInControls: ["mfa"] },
    });
    expect(imported.notes.every((n) => n.code === "casing")).toBe(true);
  });

  it("maps session controls to the provider's flat fields, dropping disabled blocks, and back", () => {
    const p = policy({
      grantControls: null,
      sessionControls: {
        applicationEnforcedRestrictions: null,
        cloudAppSecurity: { isEnabled: false, cloudAppSecurityType: "monitorOnly" },
        persistentBrowser: { isEnabled: true, mode: "never" },
        signInFrequency: { isEnabled: true, value: 12, type: "hours", authenticationType: "primaryAndSecondaryAuthentication", frequencyInterval: "timeBased" },
        disableResilienceDefaults: false,
      },
    });
    const [imported] = importConditionalAccessPolicies(p).policies;
    expect(imported.resource.grantControls).toBeUndefined();
    expect(imported.resource.sessionControls).toEqual({
      persistentBrowserMode: "never",
      signInFrequency: 12,
      signInFrequencyPeriod: "hours",
      signInFrequencyInterval: "timeBased",
      signInFrequencyAuthenticationType: "primaryAndSecondaryAuthentication",
    });
    expect(toGraphPolicy(imported.resource).sessionControls).toEqual({
      persistentBrowser: { isEnabled: true, mode: "never" },
      signInFrequency: { isEnabled: true, value: 12, type: "hours", frequencyInterval: "timeBased", authenticationType: "primaryAndSecondaryAuthentication" },
    });
  });

  it("imports settings the azuread resource cannot express as a Graph-native policy, carrying every one (never dropping them)", () => {
    const conditions = {
      times: { includedRanges: ["Monday"] },
      insiderRiskLevels: "minor,moderate",
      applications: {
        includeApplications: ["All"],
        includeAuthenticationContextClassReferences: ["c1"],
        applicationFilter: { mode: "include", rule: 'CustomSecurityAttribute.Dept_Name -eq "Sales"' },
      },
    };
    const p = policy({ sessionControls: { continuousAccessEvaluation: { mode: "strictEnforcement" } } }, conditions);
    const { policies, errors } = importConditionalAccessPolicies(p);
    expect(errors).toEqual([]);
    expect(policies).toHaveLength(1);
    const [graph] = policies;
    expect(graph.kind).toBe("graph");
    expect(graph.apiVersion).toBe("beta");
    expect(graph.graph!.conditions).toMatchObject(conditions);
    expect(graph.graph!.sessionControls).toEqual({ continuousAccessEvaluation: { mode: "strictEnforcement" } });
    const note = graph.notes.find((n) => n.code === "graph-native")!.message;
    for (const field of ["conditions.applications.applicationFilter", "conditions.applications.includeAuthenticationContextClassReferences", "conditions.insiderRiskLevels", "conditions.times", "sessionControls.continuousAccessEvaluation"]) {
      expect(note).toContain(field);
    }
    expect(note).toMatch(/on Graph beta \(beta because of sessionControls\.continuousAccessEvaluation, conditions\.times\)/);
    expect(graph.typescript).toMatch(/^new ConditionalAccessPolicy\(/);
  });

  it("refuses a policy with a setting azuread cannot express and another problem, naming both (no Graph-native fallback for bad input)", () => {
    const p = policy({ sessionControls: { continuousAccessEvaluation: { mode: "strictEnforcement" } } }, { users: { includeUsers: ["All"], excludeGroups: ["Break glass"] } });
    const { policies, errors } = importConditionalAccessPolicies(p);
    expect(policies).toEqual([]);
    // the unresolved break-glass group, the lockout rule it leads to, and the gap
    expect(errors.map((e) => e.field).sort()).toEqual(["conditions.users.excludeGroups", "conditions.users.excludeGroups[0]", "sessionControls.continuousAccessEvaluation"]);
    expect(errors.find((e) => e.field === "sessionControls.continuousAccessEvaluation")!.message).toMatch(/cannot express it, so importing would drop it/);
  });

  it("reports unknown enum values with the accepted ones", () => {
    const { errors } = importConditionalAccessPolicies(policy({ state: "on" }, { platforms: { includePlatforms: ["unknownFutureValue"] } }));
    expect(errors.map((e) => [e.field, e.message])).toEqual([
      ["state", '"on" is not a value the azuread provider accepts'],
      ["conditions.platforms.includePlatforms", '"unknownFutureValue" is not a value the azuread provider accepts'],
      ["conditions.platforms.includePlatforms", "no platform is included (the provider requires includePlatforms)"],
    ]);
    expect(errors[0].fix).toBe("use one of enabled, disabled, enabledForReportingButNotEnforced");
  });
});

describe("CorporateDeviceAccess shape", () => {
  const BREAK_GLASS_GROUP = "a881d286-2b5c-417b-8d7e-c48b516aef83";
  const corporate = (rule: string, mode: "include" | "exclude", patch: Record<string, unknown> = {}, conditions: Record<string, unknown> = {}) =>
    policy({ displayName: "Corporate devices only", grantControls: { operator: "OR", builtInControls: ["block"] }, ...patch }, { devices: { deviceFilter: { mode, rule } }, ...conditions });

  it.each([
    ["include mode with negative operators", 'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"', "include"],
    ["exclude mode with positive operators", 'device.trustType -eq "AzureAD" -or device.trustType -eq "ServerAD"', "exclude"],
  ] as const)("recognises %s and gives component args that declare the same targeting", (_label, rule, mode) => {
    const [imported] = importConditionalAccessPolicies(corporate(rule, mode)).policies;
    expect(imported.kind).toBe("component");
    expect(imported.component).toEqual({
      displayNamePrefix: "Corporate devices only",
      state: "enabled",
      trustedTrustTypes: ["AzureAD", "ServerAD"],
      emergencyAccess: { groupIds: [BREAK_GLASS_GROUP] },
    });
    expect(imported.typescript).toMatch(/^new CorporateDeviceAccess\("corporate-devices-only", \{/);
    expect(imported.importCommand).toBe("pulumi import --file 'corporate-devices-only.import.json'");
    expect(imported.importFile).toEqual({
      resources: [
        { type: "tenant-guardrails:index:CorporateDeviceAccess", name: "corporate-devices-only", component: true },
        {
          type: "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy",
          name: "corporate-devices-only-untrusted-devices",
          id: "/identity/conditionalAccess/policies/0b7d2e14-61a3-4c0e-9e2f-3a4b5c6d7e8f",
          parent: "corporate-devices-only",
        },
      ],
    });
    // the component, given these args, declares a policy with the same users, apps and grant
    const { value } = normaliseCorporateDeviceAccess(imported.component!);
    const built = buildCorporateDevicePolicies(value!)[0].args;
    expect(built.conditions.users).toEqual(imported.resource.conditions.users);
    expect(built.grantControls).toEqual(imported.resource.grantControls);
    expect(imported.notes.map((n) => n.code)).toEqual(expect.arrayContaining(["component", "emergency-access"]));
  });

  it("maps report-only, MFA, app and client-app choices", () => {
    const [imported] = importConditionalAccessPolicies(
      corporate('device.trustType -ne "AzureAD"', "include", { state: "enabledForReportingButNotEnforced", grantControls: { operator: "OR", builtInControls: ["mfa"] } }, {
        applications: { includeApplications: ["Office365"] },
        clientAppTypes: ["browser", "mobileAppsAndDesktopClients"],
      }),
    ).policies;
    expect(imported.component).toEqual({
      displayNamePrefix: "Corporate devices only",
      state: "reportOnly",
      trustedTrustTypes: ["AzureAD"],
      applications: ["Office365"],
      emergencyAccess: { groupIds: [BREAK_GLASS_GROUP] },
      clientAppTypes: ["browser", "mobileAppsAndDesktopClients"],
      otherDevicesAction: "mfa",
    });
  });

  const rawCases: [string, string, "include" | "exclude", RegExp, Record<string, unknown>][] = [
    ["a rule that lets unregistered devices through", 'device.trustType -ne "Workplace"', "exclude", /does not act on unregistered devices/, {}],
    ["a platform condition combined with the filter", 'device.trustType -ne "AzureAD"', "include", /platforms/, { platforms: { includePlatforms: ["all"], excludePlatforms: ["iOS"] } }],
    ["a location condition", 'device.trustType -ne "AzureAD"', "include", /locations/, { locations: { includeLocations: ["All"], excludeLocations: ["AllTrusted"] } }],
  ];
  it.each(rawCases)("keeps %s as a raw resource and says why", (_label, rule, mode, why, conditions) => {
    const [imported] = importConditionalAccessPolicies(corporate(rule, mode, {}, conditions)).policies;
    expect(imported.kind).toBe("resource");
    expect(imported.component).toBeUndefined();
    expect(imported.importCommand).toMatch(/^pulumi import 'azuread:index\/conditionalAccessPolicy:ConditionalAccessPolicy' 'corporate-devices-only' '\/identity\/conditionalAccess\/policies\//);
    expect(imported.notes.find((n) => n.code === "not-component")?.message).toMatch(why);
  });

  it("adopts the two policies a CorporateDeviceAccess with allowedPlatforms declares as one component (component -> Graph -> import -> same component, new arg names)", () => {
    const original = {
      displayNamePrefix: "Corporate",
      state: "enabled",
      applications: ["Office365"],
      users: { includeGroupIds: ["3c1e5a7b-9d2f-4e6a-8b0c-1d3f5a7b9c2e"] },
      allowedPlatforms: ["windows"],
      emergencyAccess: { groupIds: [BREAK_GLASS_GROUP] },
    };
    const { value } = normaliseCorporateDeviceAccess(original);
    const declared = buildCorporateDevicePolicies(value!);
    expect(declared.map((d) => d.key)).toEqual(["untrusted-devices", "other-platforms"]);
    const ids = ["11111111-2222-4333-8444-555555555555", "66666666-7777-4888-9999-aaaaaaaaaaaa"];
    // as Graph would list them: platforms policy first, with ids
    const exported = { value: [{ id: ids[1], ...toGraphPolicy(declared[1].args) }, { id: ids[0], ...toGraphPolicy(declared[0].args) }] };
    const { policies, errors } = importConditionalAccessPolicies(exported);
    expect(errors).toEqual([]);
    const [platformPolicy, devicePolicy] = policies;
    expect(devicePolicy.kind).toBe("component");
    expect(devicePolicy.component).toEqual({ ...original, trustedTrustTypes: ["AzureAD", "ServerAD"] });
    // rebuilding from the imported args gives the same two policies, names included: nothing to update
    const rebuilt = buildCorporateDevicePolicies(normaliseCorporateDeviceAccess(devicePolicy.component!).value!);
    expect(rebuilt).toEqual(declared);
    expect(devicePolicy.notes.find((n) => n.code === "component")?.message).not.toMatch(/writes its own/);
    expect(devicePolicy.importFile?.resources.map((r) => [r.name, r.id ?? null, r.parent ?? null])).toEqual([
      [devicePolicy.resourceName, null, null],
      [`${devicePolicy.resourceName}-untrusted-devices`, `/identity/conditionalAccess/policies/${ids[0]}`, devicePolicy.resourceName],
      [`${devicePolicy.resourceName}-other-platforms`, `/identity/conditionalAccess/policies/${ids[1]}`, devicePolicy.resourceName],
    ]);
    expect(platformPolicy).toMatchObject({ kind: "component", component: undefined, partOf: devicePolicy.resourceName, importCommand: devicePolicy.importCommand });
    expect(platformPolicy.typescript).toBe(`// declared by new CorporateDeviceAccess("${devicePolicy.resourceName}") as its child "${devicePolicy.resourceName}-other-platforms"`);
  });

  it("leaves a platform policy for other users as a raw resource", () => {
    const device = corporate('device.trustType -ne "AzureAD"', "include");
    const platforms = policy(
      { id: "2b7d2e14-61a3-4c0e-9e2f-3a4b5c6d7e8f", displayName: "Windows only", grantControls: { operator: "OR", builtInControls: ["block"] } },
      { users: { includeGroups: ["6c96716b-b32b-40b8-9009-49748bb6fcd5"], excludeGroups: [BREAK_GLASS_GROUP] }, platforms: { includePlatforms: ["all"], excludePlatforms: ["windows"] } },
    );
    const { policies } = importConditionalAccessPolicies([device, platforms]);
    expect(policies.map((p) => [p.kind, p.partOf ?? null])).toEqual([
      ["component", null],
      ["resource", null],
    ]);
    expect(policies[0].component?.allowedPlatforms).toBeUndefined();
  });

  it("does not call a filter on other properties a corporate-device policy", () => {
    const [imported] = importConditionalAccessPolicies(corporate("device.isCompliant -eq True", "exclude")).policies;
    expect(imported.kind).toBe("resource");
    expect(imported.notes.map((n) => n.code)).not.toContain("not-component");
  });
});

describe("a rich beta export (j0eyv-style: UTF-16LE + BOM, @odata keys, expanded objects)", () => {
  const rich = {
    "@odata.context": "https://graph.microsoft.com/beta/$metadata#identity/conditionalAccess/policies/$entity",
    "@odata.type": "#microsoft.graph.conditionalAccessPolicy",
    id: "c2a1b3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    templateId: null,
    displayName: "CA206 - Session - Sign-in frequency for unmanaged devices",
    state: "enabledForReportingButNotEnforced",
    conditions: {
      userRiskLevels: [],
      signInRiskLevels: ["high", "medium"],
      clientAppTypes: ["browser", "mobileAppsAndDesktopClients"],
      servicePrincipalRiskLevels: [],
      insiderRiskLevels: null,
      times: null,
      deviceStates: null,
      platforms: { includePlatforms: ["all"], excludePlatforms: [] },
      locations: { includeLocations: ["All"], excludeLocations: ["AllTrusted"] },
      clientApplications: null,
      authenticationFlows: { transferMethods: "deviceCodeFlow,authenticationTransfer" },
      applications: { includeApplications: ["All"], excludeApplications: [], includeUserActions: [], includeAuthenticationContextClassReferences: [], applicationFilter: null },
      users: {
        includeUsers: [],
        excludeUsers: [],
        includeGroups: ["6c96716b-b32b-40b8-9009-49748bb6fcd5"],
        excludeGroups: ["f753047e-de31-4c74-a6fb-c38589047723"],
        includeRoles: [],
        excludeRoles: ["62e90394-69f5-4237-9190-012177145e10"],
        includeGuestsOrExternalUsers: null,
        excludeGuestsOrExternalUsers: {
          guestOrExternalUserTypes: "internalGuest,b2bCollaborationGuest",
          externalTenants: { "@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants", membershipKind: "enumerated", members: ["72f988bf-86f1-41af-91ab-2d7cd011db47"] },
        },
      },
      devices: { includeDevices: [], excludeDevices: [], includeDeviceStates: [], excludeDeviceStates: [], deviceFilter: { mode: "exclude", rule: 'device.deviceOwnership -eq "Company" -or device.isCompliant -eq True' } },
    },
    grantControls: null,
    sessionControls: {
      disableResilienceDefaults: null,
      applicationEnforcedRestrictions: null,
      cloudAppSecurity: null,
      continuousAccessEvaluation: null,
      secureSignInSession: null,
      persistentBrowser: { mode: "never", isEnabled: true },
      signInFrequency: { value: 1, type: "hours", authenticationType: "primaryAndSecondaryAuthentication", frequencyInterval: "timeBased", isEnabled: true },
    },
  };

  it("imports to the exact provider args", () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(rich, null, 4).replace(/\n/g, "\r\n"), "utf16le")]);
    const { policies, errors, files } = importConditionalAccessPolicies(bytes, { sourceName: "CA206.json" });
    expect(errors).toEqual([]);
    expect(files[0].encoding).toBe("utf-16le with BOM");
    expect(policies[0].resource).toEqual({
      displayName: "CA206 - Session - Sign-in frequency for unmanaged devices",
      state: "enabledForReportingButNotEnforced",
      conditions: {
        applications: { includedApplications: ["All"] },
        clientAppTypes: ["browser", "mobileAppsAndDesktopClients"],
        users: {
          includedGroups: ["6c96716b-b32b-40b8-9009-49748bb6fcd5"],
          excludedGroups: ["f753047e-de31-4c74-a6fb-c38589047723"],
          excludedRoles: ["62e90394-69f5-4237-9190-012177145e10"],
          excludedGuestsOrExternalUsers: [
            { guestOrExternalUserTypes: ["internalGuest", "b2bCollaborationGuest"], externalTenants: [{ membershipKind: "enumerated", members: ["72f988bf-86f1-41af-91ab-2d7cd011db47"] }] },
          ],
        },
        devices: { filter: { mode: "exclude", rule: 'device.deviceOwnership -eq "Company" -or device.isCompliant -eq True' } },
        platforms: { includedPlatforms: ["all"] },
        locations: { includedLocations: ["All"], excludedLocations: ["AllTrusted"] },
        signInRiskLevels: ["high", "medium"],
        authenticationFlowTransferMethods: ["deviceCodeFlow", "authenticationTransfer"],
      },
      sessionControls: {
        persistentBrowserMode: "never",
        signInFrequency: 1,
        signInFrequencyPeriod: "hours",
        signInFrequencyInterval: "timeBased",
        signInFrequencyAuthenticationType: "primaryAndSecondaryAuthentication",
      },
    });
  });

  it("import is idempotent through toGraphPolicy (import -> export -> import gives the same args)", () => {
    const first = importConditionalAccessPolicies(rich).policies[0].resource;
    const again = importConditionalAccessPolicies(toGraphPolicy(first)).policies[0].resource;
    expect(again).toEqual(first);
  });
});

describe("TypeScript snippets", () => {
  /** Run a snippet with stand-ins for the constructors and capture what it passes. */
  function runSnippet(snippet: string): { name: string; args: unknown; opts: unknown } {
    let captured: { name: string; args: unknown; opts: unknown } | undefined;
    const capture = class {
      constructor(name: string, args: unknown, opts?: unknown) {
        captured = { name, args, opts };
      }
    };
    new Function("azuread", "CorporateDeviceAccess", snippet)({ ConditionalAccessPolicy: capture }, capture);
    return captured!;
  }

  it("declare exactly the imported azuread args, with the import option when the export has an id", () => {
    for (const p of importConditionalAccessPolicies(fixtureText(PAGE)).policies) {
      expect(runSnippet(p.typescript)).toEqual({ name: p.resourceName, args: p.resource, opts: { import: `/identity/conditionalAccess/policies/${p.id}` } });
    }
  });

  it("declare exactly the component args for a corporate-device policy", () => {
    const corporate = policy({ grantControls: { operator: "OR", builtInControls: ["block"] } }, { devices: { deviceFilter: { mode: "include", rule: 'device.trustType -ne "AzureAD"' } } });
    const [p] = importConditionalAccessPolicies(corporate).policies;
    expect(p.kind).toBe("component");
    expect(runSnippet(p.typescript)).toEqual({ name: p.resourceName, args: p.component, opts: undefined });
  });
});

describe("several files", () => {
  it("keeps resource names unique across files and reports each file's errors under its name", () => {
    const result = importConditionalAccessFiles([
      { name: "a.json", content: fixtureText("baseline-and-sales.json") },
      { name: "b.json", content: fixtureText("baseline-and-admins.json") },
      { name: "c.json", content: "not json" },
    ]);
    expect(result.policies.map((p) => `${p.source}:${p.resourceName}`)).toEqual(["a.json:baseline", "a.json:sales", "b.json:baseline-2", "b.json:handle-admins"]);
    expect(result.errors.map((e) => e.source)).toEqual(["c.json"]);
  });
});
