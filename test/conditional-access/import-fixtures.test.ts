/**
 * Every shared Conditional Access fixture imports, and import -> toGraphPolicy gives back the
 * same policy modulo the documented normalisation (README "Adopting existing policies").
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { importConditionalAccessPolicies, toGraphPolicy } from "../../components/conditional-access/import";
import { conditionalAccessFixtureNames, sharedFixturesDir } from "../../bench/fixtures";

const FIXTURES = path.join(sharedFixturesDir(), "conditional-access");

const fixtureFiles = conditionalAccessFixtureNames();

/** Files that are in the fixture folder but hold no policy (named locations). */
const NOT_POLICIES = new Set(["caOptics/namedLocations.json"]);

type Json = Record<string, unknown>;
const READ_ONLY = new Set(["id", "createdDateTime", "modifiedDateTime", "deletedDateTime", "templateId", "partialEnablementStrategy"]);

/**
 * The documented normalisation: annotations and read-only fields dropped; null, [] and {} are
 * "not configured"; empty clientAppTypes means every client app; disabled session blocks dropped;
 * an expanded authentication strength is its id.
 */
function normalised(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => normalised(v));
  if (value === null || typeof value !== "object") return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value as Json)) {
    if (k.startsWith("@") || k.includes("@odata.") || k.startsWith("#") || k.startsWith("$") || (key === "" && READ_ONLY.has(k))) continue;
    if (k === "authenticationStrength" && v && typeof v === "object") {
      out[k] = { id: (v as Json).id };
      continue;
    }
    if (v && typeof v === "object" && !Array.isArray(v) && (v as Json).isEnabled === false) continue;
    const n = normalised(v, k);
    if (n === null || n === undefined || (Array.isArray(n) && n.length === 0)) continue;
    if (typeof n === "object" && !Array.isArray(n) && Object.keys(n).length === 0) continue;
    out[k] = n;
  }
  if (key === "conditions" && !out.clientAppTypes) out.clientAppTypes = ["all"];
  return out;
}

function readFixture(file: string): Json[] {
  const json = JSON.parse(fs.readFileSync(path.join(FIXTURES, file), "utf8")) as unknown;
  return (Array.isArray(json) ? json : [json]) as Json[];
}

/**
 * The lockout rule, stated on the Graph JSON: enabled, all users, a grant control, and no user or
 * group excluded by object id. Several caOptics demo policies (MFA for all users on one API) are such.
 */
function locksOut(p: Json): boolean {
  const users = (p.conditions as Json).users as Json;
  const grant = p.grantControls as Json | null;
  const controls = grant && ((grant.builtInControls as string[] | undefined)?.length || grant.authenticationStrength || (grant.termsOfUse as string[] | undefined)?.length);
  const excludedIds = ((users.excludeUsers as string[] | undefined) ?? []).filter((u) => /^[0-9a-f-]{36}$/i.test(u));
  return p.state === "enabled" && ((users.includeUsers as string[] | undefined) ?? []).includes("All") && !!controls && excludedIds.length + ((users.excludeGroups as string[] | undefined) ?? []).length === 0;
}

describe("every shared fixture", () => {
  it("is found (the shared fixtures are mounted)", () => {
    expect(fixtureFiles.length).toBeGreaterThanOrEqual(19);
  });

  describe.each(fixtureFiles.filter((f) => !NOT_POLICIES.has(f)))("%s", (file) => {
    const original = readFixture(file);
    const result = importConditionalAccessPolicies(fs.readFileSync(path.join(FIXTURES, file)), { sourceName: file });
    const refused = original.flatMap((p, i) => (locksOut(p) ? [i] : []));

    it("imports every policy except those the lockout rule refuses, which it names", () => {
      expect(result.errors).toEqual(
        refused.map((i) => expect.objectContaining({ source: file, index: i, policy: original[i].displayName, field: "conditions.users.excludeGroups", message: expect.stringMatching(/break-glass/) })),
      );
      expect(result.policies.map((p) => p.displayName)).toEqual(original.filter((_, i) => !refused.includes(i)).map((p) => p.displayName));
    });

    it("exports back to the same Graph policy modulo the documented normalisation", () => {
      for (const policy of result.policies) {
        expect(normalised(toGraphPolicy(policy.resource))).toEqual(normalised(original[policy.index]));
      }
    });

    it("gives the pulumi import command, every argument single-quoted, when the export has ids", () => {
      for (const policy of result.policies) {
        const id = original[policy.index].id as string | undefined;
        if (id) {
          expect(policy.importCommand).toBe(`pulumi import 'azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy' '${policy.resourceName}' '/identity/conditionalAccess/policies/${id}'`);
        } else {
          expect(policy.importCommand).toBeUndefined();
          expect(policy.notes.map((n) => n.code)).toContain("no-id");
        }
      }
    });
  });

  it("the lockout rule refuses some fixture policies (the rule is exercised on real exports)", () => {
    const refused = fixtureFiles.filter((f) => !NOT_POLICIES.has(f)).flatMap((f) => readFixture(f).filter(locksOut));
    expect(refused.length).toBeGreaterThan(0);
  });

  it("namedLocations.json is reported as not holding policies, item by item", () => {
    const result = importConditionalAccessPolicies(fs.readFileSync(path.join(FIXTURES, "caOptics/namedLocations.json")), { sourceName: "namedLocations.json" });
    expect(result.policies).toEqual([]);
    expect(result.errors.map((e) => e.message)).toEqual([
      "item #1 is a microsoft.graph.ipNamedLocation, not a Conditional Access policy",
      "item #2 is a microsoft.graph.countryNamedLocation, not a Conditional Access policy",
      "item #3 is a microsoft.graph.countryNamedLocation, not a Conditional Access policy",
    ]);
  });
});

describe("fixture details that need the importer's normalisation", () => {
  const guests = importConditionalAccessPolicies(fs.readFileSync(path.join(FIXTURES, "caOptics/multipleGuestTypes.json")), { sourceName: "multipleGuestTypes.json" });

  it("splits comma-string guest types in order and maps all-external-tenants to membershipKind all", () => {
    const sda = guests.policies.find((p) => p.displayName === "SDa")!;
    expect(sda.resource.conditions.users.includedGuestsOrExternalUsers).toEqual([
      {
        guestOrExternalUserTypes: ["internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember", "b2bDirectConnectUser", "otherExternalUser", "serviceProvider"],
        externalTenants: [{ membershipKind: "all" }],
      },
    ]);
    expect(sda.notes.map((n) => n.code)).toContain("guest-types-split");
  });

  it("drops deviceStates: null, empty legacy device arrays and authenticationStrength@odata.context, keeping the device filter", () => {
    const marketing = guests.policies.find((p) => p.displayName === "handle marketing")!;
    expect(marketing.resource.conditions.devices).toEqual({ filter: { mode: "exclude", rule: 'device.trustType -eq "ServerAD"' } });
    expect(JSON.stringify(marketing.resource)).not.toMatch(/DeviceStates|deviceStates|odata|includeDevices/);
    expect(marketing.resource.grantControls).toEqual({ operator: "OR", builtInControls: ["block"] });
  });

  it("keeps a policy that only excludes hybrid-joined devices as a raw resource and says why", () => {
    const marketing = guests.policies.find((p) => p.displayName === "handle marketing")!;
    expect(marketing.kind).toBe("resource");
    expect(marketing.notes.find((n) => n.code === "not-component")?.message).toMatch(/emergency-access/);
  });

  it("fills the provider-required clientAppTypes of request-body templates with ['all'] and says so", () => {
    const file = "azure-ad-conditional-access-apis/template-require-mfa-risk.json";
    const result = importConditionalAccessPolicies(fs.readFileSync(path.join(FIXTURES, file)), { sourceName: file });
    expect(result.policies[0].resource.conditions.clientAppTypes).toEqual(["all"]);
    expect(result.policies[0].notes.map((n) => n.code)).toContain("client-app-types-default");
  });

  it("keeps a display name with a trailing space as it is, so the import shows no rename", () => {
    const result = importConditionalAccessPolicies(fs.readFileSync(path.join(FIXTURES, "caOptics/example1-2.json")), { sourceName: "example1-2.json" });
    const sales = result.policies[1];
    expect(sales.displayName).toBe("Sales ");
    expect(sales.resource.displayName).toBe("Sales ");
    expect(sales.resourceName).toBe("sales");
  });

  it("gives unique resource names when several policies share a display name", () => {
    const result = importConditionalAccessPolicies([...readFixture("caOptics/example1-2.json"), ...readFixture("caOptics/example1-2.json")]);
    expect(result.policies.map((p) => p.resourceName)).toEqual(["baseline", "sales", "baseline-2", "sales-2"]);
  });
});
