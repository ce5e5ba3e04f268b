/**
 * import-ca fails closed (issue "Fail closed: import and ids"): no enabled all-users policy without
 * a break-glass exclusion, no placeholder or other non-id emitted as an object id, and hostile
 * nesting reported per file as the project's own error without losing the other files.
 */
import {
  importConditionalAccessFiles,
  importConditionalAccessPolicies,
  shellQuote,
  type ImportResult,
} from "../../../components/conditional-access/import";
import { ExportDecodeError, readExport } from "../../../components/conditional-access/import/decode";

const BREAK_GLASS_GROUP = "a881d286-2b5c-417b-8d7e-c48b516aef83";

/** A minimal valid Graph policy; `conditions` merges into its conditions, `patch` into the policy. */
function policy(patch: Record<string, unknown> = {}, conditions: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "0b7d2e14-61a3-4c0e-9e2f-3a4b5c6d7e8f",
    displayName: "Test policy",
    state: "enabled",
    conditions: {
      applications: { includeApplications: ["All"] },
      users: { includeUsers: ["All"], excludeGroups: [BREAK_GLASS_GROUP] },
      clientAppTypes: ["all"],
      ...conditions,
    },
    grantControls: { operator: "OR", builtInControls: ["block"] },
    ...patch,
  };
}

const fields = (r: ImportResult) => r.errors.map((e) => e.field);

describe("lockout: an enabled policy acting on all users must exclude a break-glass account or group", () => {
  const templated = policy({ displayName: "Block all" }, { users: { includeUsers: ["All"], excludeGroups: ["ENTRAGROUP_Break glass_ENTRAGROUP"] } });

  it.each([
    ["an empty string", ""],
    ["a blank string", " "],
  ])("refuses the policy when the break-glass placeholder is mapped to %s, naming it", (_label, value) => {
    const r = importConditionalAccessPolicies(templated, { sourceName: "gallery.json", placeholderValues: { "ENTRAGROUP_Break glass_ENTRAGROUP": value } });
    expect(r.policies).toEqual([]);
    const lockout = r.errors.find((e) => /break-glass/.test(e.message));
    expect(lockout).toMatchObject({ source: "gallery.json", index: 0, policy: "Block all", field: "conditions.users.excludeGroups" });
    expect(lockout!.message).toMatch(/enabled policy that blocks all users .*locks every administrator out/);
    expect(lockout!.fix).toMatch(/break-glass/);
  });

  it("refuses an exported enabled all-users policy with no exclusion at all, whatever the control", () => {
    for (const grantControls of [{ operator: "OR", builtInControls: ["block"] }, { operator: "OR", builtInControls: ["mfa"] }, { operator: "OR", authenticationStrength: { id: "00000000-0000-0000-0000-000000000002" } }]) {
      const r = importConditionalAccessPolicies(policy({ grantControls }, { users: { includeUsers: ["All"] } }));
      expect(r.policies).toEqual([]);
      expect(r.errors).toEqual([expect.objectContaining({ policy: "Test policy", field: "conditions.users.excludeGroups", message: expect.stringMatching(/break-glass/) })]);
    }
  });

  it("does not count excluded guests or roles as a break-glass exclusion", () => {
    const r = importConditionalAccessPolicies(policy({}, { users: { includeUsers: ["All"], excludeUsers: ["GuestsOrExternalUsers"], excludeRoles: ["62e90394-69f5-4237-9190-012177145e10"] } }));
    expect(r.policies).toEqual([]);
    expect(fields(r)).toEqual(["conditions.users.excludeGroups"]);
  });

  it("accepts the same policy with an excluded user or group id, report-only, disabled, or scoped to a group", () => {
    const ok = [
      policy({}, { users: { includeUsers: ["All"], excludeUsers: ["3f1c2b4a-1111-4222-8333-944455556666"] } }),
      policy({}, { users: { includeUsers: ["All"], excludeGroups: [BREAK_GLASS_GROUP] } }),
      policy({ state: "enabledForReportingButNotEnforced" }, { users: { includeUsers: ["All"] } }),
      policy({ state: "disabled" }, { users: { includeUsers: ["All"] } }),
      policy({}, { users: { includeGroups: ["5d6e7f80-1111-4222-8333-944455556666"] } }),
    ];
    const r = importConditionalAccessPolicies(ok);
    expect(r.errors).toEqual([]);
    expect(r.policies).toHaveLength(ok.length);
  });
});

describe("object ids: a GUID or a keyword the field allows; anything else is an unresolved placeholder", () => {
  it("reports the placeholders of the issue with their field path and emits nothing", () => {
    const r = importConditionalAccessPolicies(
      policy(
        { displayName: "TAP", grantControls: { operator: "OR", authenticationStrength: { id: "%TempAccessPassStrengthId%" } } },
        {
          users: { includeUsers: ["All"], excludeUsers: ["xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"], excludeGroups: [BREAK_GLASS_GROUP] },
          locations: { includeLocations: ["%SvcCountryLocationId%"] },
        },
      ),
      "tap.json",
    );
    expect(r.policies).toEqual([]);
    expect(r.errors.map((e) => [e.policy, e.field, e.message])).toEqual([
      ["TAP", "conditions.locations.includeLocations[0]", expect.stringContaining('unresolved placeholder "%SvcCountryLocationId%"')],
      ["TAP", "grantControls.authenticationStrength.id", expect.stringContaining('unresolved placeholder "%TempAccessPassStrengthId%"')],
      ["TAP", "conditions.users.excludeUsers[0]", expect.stringContaining('unresolved placeholder "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"')],
    ]);
    expect(r.errors[0].fix).toMatch(/--map/);
  });

  const ID = "3f1c2b4a-1111-4222-8333-944455556666";
  /** [field path, a policy with `value` at that path, keywords the field allows] */
  const FIELDS: [string, (v: string) => Record<string, unknown>, string[]][] = [
    ["conditions.users.includeUsers[0]", (v) => policy({}, { users: { includeUsers: [v], excludeGroups: [BREAK_GLASS_GROUP] } }), ["All", "None", "GuestsOrExternalUsers"]],
    ["conditions.users.excludeUsers[0]", (v) => policy({}, { users: { includeUsers: ["All"], excludeUsers: [v], excludeGroups: [BREAK_GLASS_GROUP] } }), ["GuestsOrExternalUsers"]],
    ["conditions.users.includeGroups[0]", (v) => policy({}, { users: { includeGroups: [v] } }), []],
    ["conditions.users.excludeGroups[1]", (v) => policy({}, { users: { includeUsers: ["All"], excludeGroups: [BREAK_GLASS_GROUP, v] } }), []],
    ["conditions.users.includeRoles[0]", (v) => policy({}, { users: { includeRoles: [v] } }), []],
    ["conditions.users.excludeRoles[0]", (v) => policy({}, { users: { includeUsers: ["All"], excludeGroups: [BREAK_GLASS_GROUP], excludeRoles: [v] } }), []],
    ["conditions.applications.includeApplications[0]", (v) => policy({}, { applications: { includeApplications: [v] } }), ["All", "None", "Office365", "MicrosoftAdminPortals"]],
    ["conditions.applications.excludeApplications[0]", (v) => policy({}, { applications: { includeApplications: ["All"], excludeApplications: [v] } }), ["Office365", "MicrosoftAdminPortals"]],
    ["conditions.locations.includeLocations[0]", (v) => policy({}, { locations: { includeLocations: [v] } }), ["All", "AllTrusted"]],
    ["conditions.locations.excludeLocations[0]", (v) => policy({}, { locations: { includeLocations: ["All"], excludeLocations: [v] } }), ["AllTrusted"]],
    [
      "conditions.clientApplications.includeServicePrincipals[0]",
      (v) => policy({}, { users: { includeUsers: ["None"] }, clientApplications: { includeServicePrincipals: [v] } }),
      ["ServicePrincipalsInMyTenant"],
    ],
    [
      "conditions.users.includeGuestsOrExternalUsers.externalTenants.members[0]",
      (v) => policy({}, { users: { includeGuestsOrExternalUsers: { guestOrExternalUserTypes: "b2bCollaborationGuest", externalTenants: { membershipKind: "enumerated", members: [v] } } } }),
      [],
    ],
    ["grantControls.authenticationStrength.id", (v) => policy({ grantControls: { operator: "OR", authenticationStrength: { id: v } } }), []],
    ["grantControls.termsOfUse[0]", (v) => policy({ grantControls: { operator: "OR", termsOfUse: [v] } }), []],
  ];

  describe.each(FIELDS)("%s", (field, make, keywords) => {
    it("accepts an object id (GUID)", () => {
      expect(importConditionalAccessPolicies(make(ID)).errors).toEqual([]);
    });

    const hostile = ["%SvcCountryLocationId%", "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", "00000000-0000-0000-0000-000000000000", "<group-id>", "Break glass", "$(id)", "1", "  "];
    // The nil GUID is a real named location (the legacy MFA trusted IPs), see below.
    it.each(field.includes("Locations") ? hostile.filter((h) => !h.startsWith("00000000")) : hostile)("refuses %j", (bad) => {
      const r = importConditionalAccessPolicies(make(bad));
      expect(r.policies).toEqual([]);
      expect(r.errors).toContainEqual(expect.objectContaining({ field, message: expect.stringContaining(JSON.stringify(bad)) }));
    });

    if (keywords.length) {
      it(`accepts its keywords ${keywords.join(", ")}`, () => {
        for (const k of keywords) expect([k, importConditionalAccessPolicies(make(k)).errors]).toEqual([k, []]);
      });
    }
  });

  it("takes the legacy MFA trusted IPs location (the nil GUID) in locations only", () => {
    const nil = "00000000-0000-0000-0000-000000000000";
    expect(importConditionalAccessPolicies(policy({}, { locations: { includeLocations: ["All"], excludeLocations: [nil] } })).errors).toEqual([]);
  });

  it("maps a whole-value placeholder through the placeholder map, and checks the mapped value", () => {
    const templated = policy({ grantControls: { operator: "OR", authenticationStrength: { id: "%TempAccessPassStrengthId%" } } });
    const mapped = importConditionalAccessPolicies(templated, { placeholderValues: { "%TempAccessPassStrengthId%": "00000000-0000-0000-0000-000000000004" } });
    expect(mapped.errors).toEqual([]);
    expect(mapped.policies[0].resource.grantControls?.authenticationStrengthPolicyId).toBe("/policies/authenticationStrengthPolicies/00000000-0000-0000-0000-000000000004");
    const wrong = importConditionalAccessPolicies(templated, { placeholderValues: { "%TempAccessPassStrengthId%": "Temporary Access Pass" } });
    expect(wrong.policies).toEqual([]);
    expect(fields(wrong)).toEqual(["grantControls.authenticationStrength.id"]);
  });

  it("refuses a placeholder mapped to an empty value, naming the token", () => {
    const r = importConditionalAccessPolicies(policy({}, { users: { includeUsers: ["All"], excludeGroups: [BREAK_GLASS_GROUP, "ENTRAGROUP_Admins_ENTRAGROUP"] } }), {
      placeholderValues: { ENTRAGROUP_Admins_ENTRAGROUP: "  " },
    });
    expect(r.policies).toEqual([]);
    expect(r.errors).toContainEqual(expect.objectContaining({ field: "conditions.users.excludeGroups[1]", message: expect.stringContaining(`placeholder "ENTRAGROUP_Admins_ENTRAGROUP" is mapped to an empty value`) }));
  });
});

describe("hostile nesting and values: the project's own errors, per file", () => {
  const good = { name: "good.json", content: JSON.stringify([policy({ displayName: "Good" })]) };
  const deepArrays = { name: "deep.json", content: "[".repeat(6000) + "]".repeat(6000) };
  const deepPages = { name: "pages.json", content: '{"value":['.repeat(4000) + "1" + "]}".repeat(4000) };

  it("reports 6,000 nested arrays and 4,000 nested pages as file errors and keeps the other file's policy", () => {
    const r = importConditionalAccessFiles([deepArrays, good, deepPages]);
    expect(r.policies.map((p) => [p.source, p.displayName])).toEqual([["good.json", "Good"]]);
    expect(r.errors).toEqual([
      expect.objectContaining({ source: "deep.json", index: undefined, field: expect.stringMatching(/^\$\[0\]\[0\]/), message: expect.stringMatching(/nested more than 64 levels deep/) }),
      expect.objectContaining({ source: "pages.json", index: undefined, field: expect.stringMatching(/^\$\.value\[0\]\.value\[0\]/), message: expect.stringMatching(/nested more than 64 levels deep/) }),
    ]);
    expect(r.files).toEqual([
      { source: "deep.json", encoding: "unreadable" },
      { source: "good.json", encoding: "text" },
      { source: "pages.json", encoding: "unreadable" },
    ]);
  });

  it("throws ExportDecodeError (with the path) from the reader, never a RangeError", () => {
    expect(() => readExport(deepArrays.content)).toThrow(ExportDecodeError);
    try {
      readExport(deepPages.content);
    } catch (err) {
      expect(err).toBeInstanceOf(ExportDecodeError);
      expect((err as ExportDecodeError).path).toMatch(/^\$\.value\[0\]/);
    }
  });

  it("reports values that are not JSON (parsed input from a program) and cycles as file errors", () => {
    const cyclic: Record<string, unknown> = { ...policy() };
    cyclic.self = cyclic;
    for (const input of [cyclic, [policy({ extra: 10n })], [policy({ when: new Date(0) })], [policy({ f: () => 1 })], [policy({ n: Number.NaN })]]) {
      const r = importConditionalAccessPolicies(input, "program");
      expect(r.policies).toEqual([]);
      expect(r.errors).toEqual([expect.objectContaining({ source: "program", index: undefined, message: expect.stringMatching(/not JSON|nested more than/) })]);
    }
  });

  it("shows at most a short excerpt of a huge value in a message", () => {
    const huge = "A".repeat(2_000_000);
    const r = importConditionalAccessPolicies([policy({ grantControls: { operator: "OR", builtInControls: [huge] } })]);
    expect(r.errors.map((e) => e.field)).toEqual(["grantControls.builtInControls"]);
    expect(r.errors[0].message.length).toBeLessThan(400);
  });
});

describe("shellQuote", () => {
  it.each([
    ["plain", "'plain'"],
    ["", "''"],
    ["it's", `'it'\\''s'`],
    ["$(touch x); echo", "'$(touch x); echo'"],
  ])("quotes %j for a POSIX shell", (value, quoted) => {
    expect(shellQuote(value)).toBe(quoted);
  });
});
