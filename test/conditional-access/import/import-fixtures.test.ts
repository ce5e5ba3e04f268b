/**
 * The repository's own Graph exports (test/fixtures/conditional-access, written for these tests in
 * the shapes Graph returns) import, and import -> toGraphPolicy gives back the same policy modulo
 * the documented normalisation (docs/conditional-access.md, "Adopting existing policies"); the policies written to be
 * refused (lockout-and-unresolved-ids.json) are refused by name, and only those.
 */
import * as fs from "node:fs";
import { importConditionalAccessPolicies } from "../../../components/conditional-access/import";
import { conditionalAccessFixtures, type FixtureFile } from "../../../bench/fixtures";
import { defineRoundTripTests, holdsNamedLocations, locksOut, readExportItems, type ExpectedRefusal } from "../../helpers/ca-fixtures";

const files = conditionalAccessFixtures("repository");
const byName = (name: string): FixtureFile => {
  const file = files.find((f) => f.name === name);
  if (!file) throw new Error(`no fixture ${name}`);
  return file;
};
const importFile = (name: string) => importConditionalAccessPolicies(fs.readFileSync(byName(name).path), { sourceName: name });

/** The fixture written to be refused: two lockout policies, two ids that are not ids, and two boundary cases that import. */
const REFUSED = "lockout-and-unresolved-ids.json";
/** Its id-check refusals (the lockout ones are found from the Graph JSON by locksOut). */
const UNRESOLVED_IDS: Record<string, ExpectedRefusal[]> = {
  [REFUSED]: [
    { policy: "Sales: require MFA", field: "conditions.users.includeGroups[1]", message: /^unresolved placeholder "Sales team"/ },
    { policy: "Admin portals: require MFA", field: "conditions.applications.includeApplications[1]", message: /^unresolved placeholder "00000000-0000-0000-0000-000000000000"/ },
  ],
};

describe("every repository fixture", () => {
  it("is found: v1.0 and beta list pages, request bodies, named locations, policies import-ca refuses", () => {
    expect(files.map((f) => f.name)).toEqual([
      "baseline-and-admins.json",
      "baseline-and-sales.json",
      "beta-policies-page.json",
      "graph-only-policies.json",
      "lockout-and-unresolved-ids.json",
      "named-locations.json",
      "request-bodies/require-app-protection-mobile.json",
      "request-bodies/require-mfa-sign-in-risk.json",
      "v1-policies-page.json",
    ]);
  });

  describe.each(files.filter((f) => !holdsNamedLocations(f)).map((f) => [f.name, f] as const))("%s", (_name, file) => {
    defineRoundTripTests(file, UNRESOLVED_IDS[file.name]);
  });

  it("named-locations.json is reported as not holding policies, item by item", () => {
    const result = importFile("named-locations.json");
    expect(result.policies).toEqual([]);
    expect(result.errors.map((e) => e.message)).toEqual([
      "item #1 is a microsoft.graph.ipNamedLocation, not a Conditional Access policy",
      "item #2 is a microsoft.graph.countryNamedLocation, not a Conditional Access policy",
      "item #3 is a microsoft.graph.countryNamedLocation, not a Conditional Access policy",
    ]);
  });
});

describe("policies import-ca refuses (lockout-and-unresolved-ids.json)", () => {
  const result = importFile(REFUSED);
  const LOCKOUT_FIX =
    "give your break-glass group or accounts with import-ca --emergency-access-group <objectId> or --emergency-access-user <objectId> (options.emergencyAccess from code; repeatable): " +
    "they are added to the exclusions of every policy this rule refuses. Or exclude them in the export (conditions.users.excludeUsers or excludeGroups; use --map when the export has a placeholder for them), " +
    'or import the policy with state "enabledForReportingButNotEnforced"';

  it("the lockout rule refuses an enabled all-users policy that excludes only guests and roles, naming the control and the fix", () => {
    expect(result.errors[0]).toEqual({
      source: REFUSED,
      index: 0,
      policy: "Require MFA for all users",
      field: "conditions.users.excludeGroups",
      position: undefined,
      rule: undefined,
      message:
        "an enabled policy that blocks all users or requires a control of them (mfa) must exclude at least one emergency-access (break-glass) account or group, or a mistake locks every administrator out; this one excludes none",
      fix: LOCKOUT_FIX,
    });
  });

  it("the lockout rule refuses an enabled policy that blocks all users and excludes nobody", () => {
    expect(result.errors[1]).toMatchObject({
      index: 1,
      policy: "Block access outside trusted locations",
      field: "conditions.users.excludeGroups",
      message: "an enabled policy that blocks all users must exclude at least one emergency-access (break-glass) account or group, or a mistake locks every administrator out; this one excludes none",
      fix: LOCKOUT_FIX,
    });
  });

  it("the id check refuses a group display name and the nil GUID where object ids belong, saying how to map them", () => {
    expect(result.errors.slice(2)).toEqual([
      expect.objectContaining({
        index: 4,
        policy: "Sales: require MFA",
        field: "conditions.users.includeGroups[1]",
        message: 'unresolved placeholder "Sales team": conditions.users.includeGroups takes group object ids (GUIDs)',
        fix: 'give its value in the placeholder map (import-ca --map <file.json> with {"Sales team": "<object id>"})',
      }),
      expect.objectContaining({
        index: 5,
        policy: "Admin portals: require MFA",
        field: "conditions.applications.includeApplications[1]",
        message:
          'unresolved placeholder "00000000-0000-0000-0000-000000000000" (the nil GUID is a template value, not an object id): conditions.applications.includeApplications takes application ids (GUIDs) or All, None, Office365, MicrosoftAdminPortals',
      }),
    ]);
  });

  it("imports the boundary cases: the same all-users policy report-only, and one that excludes a break-glass user", () => {
    expect(result.policies.map((p) => [p.displayName, p.resource.state, p.resource.conditions.users.excludedUsers ?? []])).toEqual([
      ["Require MFA for all users (report-only)", "enabledForReportingButNotEnforced", []],
      ["Require a compliant device for all users", "enabled", ["3c8e1f2a-9b7d-4e6c-a5f4-2d1e0c9b8a7f"]],
    ]);
  });

  it("is the only repository fixture with a policy the lockout rule refuses (the others round-trip whole)", () => {
    const locking = files.filter((f) => !holdsNamedLocations(f)).flatMap((f) => readExportItems(f).filter(locksOut).map((p) => `${f.name}: ${p.displayName as string}`));
    expect(locking).toEqual([`${REFUSED}: Require MFA for all users`, `${REFUSED}: Block access outside trusted locations`]);
  });
});

describe("fixture details that need the importer's normalisation", () => {
  const beta = importFile("beta-policies-page.json");

  it("splits comma-string guest types in order and maps all-external-tenants to membershipKind all", () => {
    const partners = beta.policies.find((p) => p.displayName === "Partners")!;
    expect(partners.resource.conditions.users.includedGuestsOrExternalUsers).toEqual([
      {
        guestOrExternalUserTypes: ["internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember", "b2bDirectConnectUser", "otherExternalUser", "serviceProvider"],
        externalTenants: [{ membershipKind: "all" }],
      },
    ]);
    expect(partners.notes.map((n) => n.code)).toContain("guest-types-split");
  });

  it("keeps enumerated external tenants with their members", () => {
    const guests = importFile("v1-policies-page.json").policies.find((p) => p.displayName === "Guests: block rarely used APIs")!;
    expect(guests.resource.conditions.users.includedGuestsOrExternalUsers).toEqual([
      { guestOrExternalUserTypes: ["b2bCollaborationGuest"], externalTenants: [{ membershipKind: "enumerated", members: ["72f988bf-86f1-41af-91ab-2d7cd011db47"] }] },
    ]);
  });

  it("drops deviceStates: null, empty legacy device arrays and authenticationStrength@odata.context, keeping the device filter", () => {
    const marketing = beta.policies.find((p) => p.displayName === "Marketing: hybrid joined devices only")!;
    expect(marketing.resource.conditions.devices).toEqual({ filter: { mode: "exclude", rule: 'device.trustType -eq "ServerAD"' } });
    expect(JSON.stringify(marketing.resource)).not.toMatch(/DeviceStates|deviceStates|odata|includeDevices/);
    expect(marketing.resource.grantControls).toEqual({ operator: "OR", builtInControls: ["block"] });
  });

  it("keeps a policy that only excludes hybrid-joined devices as a raw resource and says why", () => {
    const marketing = beta.policies.find((p) => p.displayName === "Marketing: hybrid joined devices only")!;
    expect(marketing.kind).toBe("resource");
    expect(marketing.notes.find((n) => n.code === "not-component")?.message).toMatch(/emergency-access/);
  });

  it("fills the provider-required clientAppTypes of request bodies with ['all'] and says so", () => {
    const result = importFile("request-bodies/require-mfa-sign-in-risk.json");
    expect(result.policies[0].resource.conditions.clientAppTypes).toEqual(["all"]);
    expect(result.policies[0].notes.map((n) => n.code)).toEqual(expect.arrayContaining(["client-app-types-default", "no-id"]));
  });

  it("maps the v1.0 session controls to the provider's flat fields", () => {
    const office = importFile("v1-policies-page.json").policies.find((p) => p.displayName === "Office 365 outside trusted locations")!;
    expect(office.resource).toMatchObject({
      sessionControls: { persistentBrowserMode: "never", signInFrequency: 8, signInFrequencyPeriod: "hours", signInFrequencyAuthenticationType: "primaryAndSecondaryAuthentication", signInFrequencyInterval: "timeBased" },
      conditions: { locations: { includedLocations: ["All"], excludedLocations: ["AllTrusted", "9d3e7f1a-2b4c-4d6e-8f0a-1b3c5d7e9f20"] } },
    });
  });

  it("keeps a display name with a trailing space as it is, so the import shows no rename", () => {
    const sales = importFile("baseline-and-sales.json").policies[1];
    expect(sales.displayName).toBe("Sales ");
    expect(sales.resource.displayName).toBe("Sales ");
    expect(sales.resourceName).toBe("sales");
  });

  it("gives unique resource names when several policies share a display name", () => {
    const items = readExportItems(byName("baseline-and-sales.json"));
    const result = importConditionalAccessPolicies([...items, ...items]);
    expect(result.policies.map((p) => p.resourceName)).toEqual(["baseline", "sales", "baseline-2", "sales-2"]);
  });
});
