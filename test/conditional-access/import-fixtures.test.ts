/**
 * The repository's own Graph exports (test/fixtures/conditional-access, written for these tests in
 * the shapes Graph returns) import, and import -> toGraphPolicy gives back the same policy modulo
 * the documented normalisation (docs/conditional-access.md, "Adopting existing policies").
 */
import * as fs from "node:fs";
import { importConditionalAccessPolicies } from "../../components/conditional-access/import";
import { conditionalAccessFixtures, type FixtureFile } from "../../bench/fixtures";
import { defineRoundTripTests, holdsNamedLocations, readExportItems } from "../helpers/ca-fixtures";

const files = conditionalAccessFixtures("repository");
const byName = (name: string): FixtureFile => {
  const file = files.find((f) => f.name === name);
  if (!file) throw new Error(`no fixture ${name}`);
  return file;
};
const importFile = (name: string) => importConditionalAccessPolicies(fs.readFileSync(byName(name).path), { sourceName: name });

describe("every repository fixture", () => {
  it("is found: v1.0 and beta list pages, request bodies, named locations", () => {
    expect(files.map((f) => f.name)).toEqual([
      "baseline-and-admins.json",
      "baseline-and-sales.json",
      "beta-policies-page.json",
      "named-locations.json",
      "request-bodies/require-app-protection-mobile.json",
      "request-bodies/require-mfa-sign-in-risk.json",
      "v1-policies-page.json",
    ]);
  });

  describe.each(files.filter((f) => !holdsNamedLocations(f)).map((f) => [f.name, f] as const))("%s", (_name, file) => {
    defineRoundTripTests(file);
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
