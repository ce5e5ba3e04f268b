/**
 * The sign-in dimensions of coverage: client app types, users (ids, groups, roles, guest kinds
 * and home tenants) and locations, the class limit over them, and `--for` narrowing.
 */
import { analyseCoverage, checkAssertions, parseCoverageAssertion, parseCoverageFor, CoverageLimitError, type PlainConditionalAccessPolicy } from "../../../components";
import { testPolicy } from "../../helpers/policies";

function policy(name: string, extra: Partial<PlainConditionalAccessPolicy["conditions"]>, state = "enabled"): PlainConditionalAccessPolicy {
  return testPolicy(name, undefined, extra, state);
}

const legacy = policy("block legacy authentication", { clientAppTypes: ["exchangeActiveSync", "other"] });

describe("client app types", () => {
  it("a policy on legacy clients splits the four client app types: two classes, with a witness sign-in each", () => {
    const a = analyseCoverage([legacy]);
    expect(a.attributes).toContainEqual({ name: "client app", regions: ["browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "other"] });
    // Every class is wholly registered or unregistered, as before: 2 x 2.
    expect(a.classes.map((c) => [c.outcome, c.description, c.signIn])).toEqual([
      ["allow", ["registered", "client app: browser | mobileAppsAndDesktopClients"], { clientApp: "browser" }],
      ["block", ["registered", "client app: exchangeActiveSync | other"], { clientApp: "exchangeActiveSync" }],
      ["allow", ["unregistered", "any platform", "client app: browser | mobileAppsAndDesktopClients"], { clientApp: "browser" }],
      ["block", ["unregistered", "any platform", "client app: exchangeActiveSync | other"], { clientApp: "exchangeActiveSync" }],
    ]);
  });

  it("a disabled policy's client app types split nothing (and do not break the analysis)", () => {
    const a = analyseCoverage([policy("block legacy (disabled)", { clientAppTypes: ["other"] }, "disabled"), testPolicy("block unregistered", { mode: "include", rule: 'device.trustType -ne "AzureAD"' })]);
    expect(a.attributes.map((x) => x.name)).toEqual(["trustType"]);
    expect(a.classes.every((c) => c.signIn === undefined)).toBe(true);
  });

  it("--for clientApp=browser narrows the analysis to browser sign-ins: the legacy policy never applies there", () => {
    const f = parseCoverageFor("clientApp=browser");
    const a = analyseCoverage([legacy], { within: f.within });
    expect(a.classes.map((c) => [c.registered, c.outcome, c.applying, c.signIn])).toEqual([
      [true, "allow", [], { clientApp: "browser" }],
      [false, "allow", [], { clientApp: "browser" }],
    ]);
    expect(f.narrowing).toEqual(["clientApp=browser"]);
  });
});

describe("users", () => {
  const TENANT = "7a2b3c4d-0000-4000-8000-00000000bbbb";
  const partnerGuests = policy("block partner guests", {
    users: { includedGuestsOrExternalUsers: [{ guestOrExternalUserTypes: ["b2bCollaborationGuest", "internalGuest"], externalTenants: [{ membershipKind: "enumerated", members: [TENANT] }] }] },
  });

  it("guest kinds with enumerated tenants: the home tenant decides for B2B guests, internal guests stay in", () => {
    const a = analyseCoverage([partnerGuests]);
    const blocked = a.classes.filter((c) => c.outcome === "block" && c.registered);
    expect(blocked.map((c) => c.regions.map((r) => [r.description, r.signIn]))).toEqual([
      [
        [["registered", "user kind: internalGuest"], { user: { kind: "internalGuest", groups: [], roles: [] } }],
        [["registered", "user kind: b2bCollaborationGuest", `home tenant: ${TENANT}`], { user: { kind: "b2bCollaborationGuest", homeTenant: TENANT, groups: [], roles: [] } }],
      ],
    ]);
    const assertion = parseCoverageAssertion("user:b2bCollaborationGuest => block");
    const [guests] = checkAssertions(analyseCoverage([partnerGuests], { selectors: [assertion.selector] }), [assertion]);
    // A B2B guest from another tenant is not blocked: the witness says which tenant.
    expect(guests.ok).toBe(false);
    expect(guests.failures.map((f) => f.signIn?.user)).toEqual([
      { kind: "b2bCollaborationGuest", groups: [], roles: [] },
      { kind: "b2bCollaborationGuest", groups: [], roles: [] },
    ]);
    expect(guests.failures.map((f) => f.description.slice(-2))).toEqual([
      ["user kind: b2bCollaborationGuest", "home tenant: any other tenant"],
      ["user kind: b2bCollaborationGuest", "home tenant: any other tenant"],
    ]);
  });

  it("roles and groups: include a role, exclude a group; a group subject is exactly that member", () => {
    const admins = policy("admins from anywhere but the SAW group", { users: { includedRoles: ["ROLE-1"], excludedGroups: ["saw"] } });
    const a = analyseCoverage([admins]);
    expect(a.attributes.map((x) => x.name).sort()).toEqual(["group saw", "role role-1"]);
    const blocked = a.classes.filter((c) => c.outcome === "block");
    expect(blocked.map((c) => [c.description, c.signIn])).toEqual([
      [["registered", "holds role role-1", "not in group saw"], { user: { kind: "member", groups: [], roles: ["role-1"] } }],
      [["unregistered", "any platform", "holds role role-1", "not in group saw"], { user: { kind: "member", groups: [], roles: ["role-1"] } }],
    ]);
    const assertions = ["role:ROLE-1 never allow", "holds-role:role-1 and member-of:saw => allow", "holds-role:role-1 => block"].map(parseCoverageAssertion);
    const [admin, saw, anyAdmin] = checkAssertions(analyseCoverage([admins], { selectors: assertions.map((x) => x.selector) }), assertions);
    // role:<id> is exactly that member (no group); holds-role: any member of the role, the SAW group too.
    expect([admin.ok, saw.ok, anyAdmin.ok]).toEqual([true, true, false]);
    expect(anyAdmin.failures.map((f) => f.signIn)).toEqual([
      { user: { kind: "member", groups: ["saw"], roles: ["role-1"] } },
      { user: { kind: "member", groups: ["saw"], roles: ["role-1"] } },
    ]);
  });
});

describe("locations", () => {
  it("All but trusted locations: a trusted class and an untrusted one; named locations by id", () => {
    const untrusted = policy("MFA off the trusted network", { locations: { includedLocations: ["All"], excludedLocations: ["AllTrusted"] } });
    const hq = policy("block outside HQ", { locations: { includedLocations: ["All"], excludedLocations: ["HQ-ID"] } });
    const a = analyseCoverage([untrusted, hq]);
    expect(a.attributes.map((x) => x.name).sort()).toEqual(["location hq-id", "trusted location"]);
    const assertions = ["location:HQ-ID and location:trusted => no-policy", "not location:hq-id => block", "location:untrusted => has-policy"].map(parseCoverageAssertion);
    const results = checkAssertions(analyseCoverage([untrusted, hq], { selectors: assertions.map((x) => x.selector) }), assertions);
    expect(results.map((r) => [r.ok, r.classesChecked])).toEqual([
      [true, 2],
      [true, 4],
      [true, 4],
    ]);
    const within = analyseCoverage([untrusted, hq], { within: parseCoverageFor("location=untrusted").within });
    expect(within.classes.every((c) => c.applying.includes("MFA off the trusted network"))).toBe(true);
  });
});

describe("the class limit over the new dimensions", () => {
  it("policies on unrelated groups multiply like unrelated attributes, and stop with the same message", () => {
    const byGroup = Array.from({ length: 8 }, (_, i) => policy(`P${i}`, { users: { includedGroups: [`g${i}`] } }));
    expect(() => analyseCoverage(byGroup, { maxClasses: 100 })).toThrow(CoverageLimitError);
    expect(() => analyseCoverage(byGroup, { maxClasses: 100 })).toThrow(/more than 100 kinds of device.*analyse fewer policies at a time/);
    // Four such policies: every combination of the four memberships, registered or not.
    expect(analyseCoverage(byGroup.slice(0, 4)).counts.classes).toBe(2 * 2 ** 4);
    // Narrowed to one user (--for group:g0), the memberships are fixed: one class per registration.
    const one = parseCoverageFor("group:g0");
    expect(analyseCoverage(byGroup, { within: one.within }).counts.classes).toBe(2);
  });
});
