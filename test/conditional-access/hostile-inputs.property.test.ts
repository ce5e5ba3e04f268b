/**
 * Hostile-input property tests (fast-check): random and structured hostile inputs (deep nesting,
 * nulls, wrong types, huge strings, unicode, placeholders) never make import-ca's reader, the
 * device filter parser or the coverage assertion parser throw anything but the project's own
 * errors; and whatever import-ca emits obeys the fail-closed rules (ids are GUIDs or keywords, no
 * enabled all-users policy without a break-glass exclusion).
 */
import fc from "fast-check";
import { DeviceFilter, DeviceFilterError } from "../../components/conditional-access";
import { CoverageAssertionError, parseCoverageAssertion } from "../../components/conditional-access/coverage/assert";
import { ExportDecodeError, readExport } from "../../components/conditional-access/import/decode";
import { INTERNAL_ERROR_PREFIX, importConditionalAccessFiles, importConditionalAccessPolicies, type ImportResult } from "../../components/conditional-access/import";

const SEED = 20261127;
const RUNS = { seed: SEED, numRuns: 300 };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BREAK_GLASS = "a881d286-2b5c-417b-8d7e-c48b516aef83";

// ------------------------------------------------------------------ hostile values

const placeholders = fc.constantFrom(
  "%TempAccessPassStrengthId%",
  "%SvcCountryLocationId%",
  "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
  "00000000-0000-0000-0000-000000000000",
  "ENTRAGROUP_Break glass_ENTRAGROUP",
  "${urn:resource:MSGraph:Groups/BreakGlass?$id}",
  "$AddCustomPrefix",
  "<group-id>",
  "$(touch pwned)",
  "' ; rm -rf / #",
);
const keywords = fc.constantFrom("All", "all", "None", "GuestsOrExternalUsers", "Office365", "MicrosoftAdminPortals", "AllTrusted", "ServicePrincipalsInMyTenant", "block", "mfa", "enabled", "include", "exclude");
const unicode = fc.string({ unit: "binary", maxLength: 20 });
/** Long strings that stress the placeholder patterns (runs of capitals, underscores, `${`, `<`, `%`). */
const huge = fc
  .tuple(fc.constantFrom("A", "ABC_", "${", "<a", "%a", "_", "$A", "ENTRAGROUP_x ", "\u{1F600}"), fc.integer({ min: 1_000, max: 60_000 }))
  .map(([unit, n]) => unit.repeat(Math.ceil(n / unit.length)));
const scalar = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.boolean() },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })) },
  { weight: 4, arbitrary: placeholders },
  { weight: 3, arbitrary: keywords },
  { weight: 3, arbitrary: fc.uuid() },
  { weight: 3, arbitrary: unicode },
  { weight: 1, arbitrary: huge },
);
/** Arrays nested `depth` deep, or `{ value: [...] }` pages nested `depth` deep, around `inner`. */
const deep = fc.tuple(fc.integer({ min: 1, max: 300 }), fc.boolean(), scalar).map(([depth, pages, inner]) => {
  let v: unknown = inner;
  for (let i = 0; i < depth; i++) v = pages ? { value: [v] } : [v];
  return v;
});
const { hostile } = fc.letrec<{ hostile: unknown }>((tie) => ({
  hostile: fc.oneof(
    { maxDepth: 3, depthIdentifier: "hostile" },
    { weight: 6, arbitrary: scalar },
    { weight: 2, arbitrary: fc.array(tie("hostile"), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.oneof(keywords, unicode, fc.constantFrom("__proto__", "constructor", "@odata.type", "$id")), tie("hostile"), { maxKeys: 4 }) },
    { weight: 1, arbitrary: deep },
  ),
}));

/** A Graph policy with any field replaced by a hostile value (or kept as a valid one). */
const maybe = <T>(valid: T) => fc.oneof({ weight: 2, arbitrary: fc.constant(valid) }, { weight: 1, arbitrary: hostile });
const idList = (valid: string[]) => fc.oneof(maybe(valid), fc.array(fc.oneof(placeholders, keywords, fc.uuid(), scalar), { maxLength: 3 }));
const policy = fc.record({
  id: maybe("0b7d2e14-61a3-4c0e-9e2f-3a4b5c6d7e8f"),
  displayName: fc.oneof(maybe("Policy"), placeholders, unicode),
  state: fc.oneof(maybe("enabled"), fc.constantFrom("enabled", "disabled", "enabledForReportingButNotEnforced")),
  conditions: fc.record({
    applications: fc.record({ includeApplications: idList(["All"]), excludeApplications: idList([]) }),
    users: fc.record({
      includeUsers: idList(["All"]),
      excludeUsers: idList([]),
      includeGroups: idList([]),
      excludeGroups: idList([BREAK_GLASS]),
      includeRoles: idList([]),
      excludeRoles: idList([]),
    }),
    clientAppTypes: maybe(["all"]),
    locations: maybe(null),
    platforms: maybe(null),
    devices: fc.oneof(
      maybe(null),
      fc.record({ deviceFilter: fc.record({ mode: maybe("include"), rule: fc.oneof(maybe('device.trustType -ne "AzureAD"'), fc.constantFrom('device.deviceId -eq "%DeviceId%"', "(".repeat(200))) }) }),
    ),
  }),
  grantControls: fc.oneof(
    maybe({ operator: "OR", builtInControls: ["block"] }),
    fc.record({ operator: maybe("OR"), builtInControls: maybe(["mfa"]), authenticationStrength: fc.record({ id: fc.oneof(placeholders, fc.uuid(), scalar) }), termsOfUse: idList([]) }),
  ),
  sessionControls: maybe(null),
});

// ------------------------------------------------------------------ invariants

const ID_FIELDS: [string, (r: ImportResult["policies"][number]["resource"]) => string[] | undefined, string[]][] = [
  ["includedUsers", (r) => r.conditions.users.includedUsers, ["All", "None", "GuestsOrExternalUsers"]],
  ["excludedUsers", (r) => r.conditions.users.excludedUsers, ["GuestsOrExternalUsers"]],
  ["includedGroups", (r) => r.conditions.users.includedGroups, []],
  ["excludedGroups", (r) => r.conditions.users.excludedGroups, []],
  ["includedRoles", (r) => r.conditions.users.includedRoles, []],
  ["excludedRoles", (r) => r.conditions.users.excludedRoles, []],
  ["includedApplications", (r) => r.conditions.applications.includedApplications, ["All", "None", "Office365", "MicrosoftAdminPortals"]],
  ["excludedApplications", (r) => r.conditions.applications.excludedApplications, ["Office365", "MicrosoftAdminPortals"]],
  ["includedLocations", (r) => r.conditions.locations?.includedLocations, ["All", "AllTrusted"]],
  ["excludedLocations", (r) => r.conditions.locations?.excludedLocations, ["AllTrusted"]],
  ["termsOfUses", (r) => r.grantControls?.termsOfUses, []],
  ["authenticationStrengthPolicyId", (r) => (r.grantControls?.authenticationStrengthPolicyId ? [r.grantControls.authenticationStrengthPolicyId.split("/").pop()!] : undefined), []],
];

/** The result is the project's own report: no importer fault, and nothing emitted that fails open. */
function failsClosed(result: ImportResult): void {
  for (const e of result.errors) {
    expect(typeof e.message).toBe("string");
    expect(e.message).not.toContain(INTERNAL_ERROR_PREFIX);
    expect(e.message.length).toBeLessThan(2_000);
  }
  for (const p of result.policies) {
    for (const [name, get, allowed] of ID_FIELDS) {
      for (const id of get(p.resource) ?? []) {
        if (!allowed.includes(id)) expect([name, id, GUID.test(id)]).toEqual([name, id, true]);
      }
    }
    const users = p.resource.conditions.users;
    const lockout =
      p.resource.state === "enabled" &&
      !!p.resource.grantControls &&
      (users.includedUsers ?? []).includes("All") &&
      (users.excludedUsers ?? []).filter((u) => GUID.test(u)).length + (users.excludedGroups ?? []).length === 0;
    expect([p.displayName, lockout]).toEqual([p.displayName, false]);
    if (p.importCommand) expect(p.importCommand).toMatch(/^pulumi import( '([^']|'\\'')*'| --file)+/);
  }
}

// ------------------------------------------------------------------ import-ca's reader

describe("import-ca's reader on hostile input", () => {
  it("parsed values of any shape: a result, never a throw, fail-closed", () => {
    fc.assert(
      fc.property(hostile, (value) => failsClosed(importConditionalAccessPolicies(value, "hostile.json"))),
      RUNS,
    );
  });

  it("policies with hostile fields, as text, bytes (UTF-16) and parsed: fail-closed", () => {
    fc.assert(
      fc.property(fc.array(policy, { minLength: 1, maxLength: 3 }), fc.dictionary(placeholders, fc.oneof(fc.uuid(), fc.constant(""), fc.constant(" "), unicode)), (policies, map) => {
        const text = JSON.stringify({ value: policies });
        const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
        for (const input of [text, bytes, policies]) failsClosed(importConditionalAccessPolicies(input, { sourceName: "p.json", placeholderValues: map }));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("random bytes and broken JSON text: only ExportDecodeError from the decoder, a file error from the importer", () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.string({ unit: "binary", maxLength: 200 }).map((s) => Buffer.from(s, "utf8")),
      fc.tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom("[", '{"value":[', '{"a":')).map(([n, open]) => Buffer.from(open.repeat(n))),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        try {
          readExport(b);
        } catch (err) {
          expect(err).toBeInstanceOf(ExportDecodeError);
        }
        failsClosed(importConditionalAccessPolicies(b, "random.bin"));
      }),
      RUNS,
    );
  });

  it("one hostile file among several: the other files' policies are still imported", () => {
    const good = { name: "good.json", content: JSON.stringify([{ displayName: "Good", state: "disabled", conditions: { applications: { includeApplications: ["All"] }, users: { includeUsers: ["All"] } }, grantControls: { operator: "OR", builtInControls: ["block"] } }]) };
    fc.assert(
      fc.property(hostile, (value) => {
        const text = JSON.stringify(value) ?? "null";
        const result = importConditionalAccessFiles([{ name: "hostile.json", content: text }, good]);
        failsClosed(result);
        expect(result.policies.filter((p) => p.source === "good.json").map((p) => p.displayName)).toEqual(["Good"]);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
});

// ------------------------------------------------------------------ device filter parser

function onlyDeviceFilterError(rule: unknown): void {
  try {
    DeviceFilter.parse(rule as string);
  } catch (err) {
    expect(err).toBeInstanceOf(DeviceFilterError);
    const e = err as DeviceFilterError;
    expect(Number.isInteger(e.position)).toBe(true);
    expect(e.position).toBeGreaterThanOrEqual(0);
    if (typeof rule === "string") expect(e.position).toBeLessThanOrEqual(rule.length);
  }
}

describe("device filter parser on hostile input", () => {
  const property = fc.constantFrom("device.deviceId", "device.trustType", "device.displayName", "device.isCompliant", "device.physicalIds", "device.extensionAttribute1");
  const operator = fc.constantFrom("-eq", "-ne", "-in", "-notIn", "-contains", "-startsWith", "eq", "-match", "==");
  const value = fc.oneof(placeholders.map((p) => JSON.stringify(p)), unicode.map((u) => JSON.stringify(u)), fc.uuid().map((u) => `"${u}"`), fc.constantFrom("True", "null", "[]", '["a",]', '"`"', "'x'"));
  const comparison = fc.tuple(property, operator, value).map((parts) => parts.join(" "));
  const structured = fc.oneof(
    fc.array(comparison, { minLength: 1, maxLength: 4 }).chain((cs) => fc.constantFrom(" -and ", " -or ", " ").map((j) => cs.join(j))),
    fc.tuple(fc.integer({ min: 1, max: 2_000 }), fc.constantFrom("(", "-not ", "not ", "[", '"'), comparison).map(([n, open, c]) => open.repeat(n) + c),
    huge,
    fc.string({ unit: "binary", maxLength: 80 }),
  );

  it("structured and random rules: parse, or DeviceFilterError with a position inside the rule", () => {
    fc.assert(fc.property(structured, onlyDeviceFilterError), RUNS);
  });

  it("wrong types: DeviceFilterError", () => {
    fc.assert(fc.property(fc.oneof(fc.constant(null), fc.constant(undefined), fc.integer(), fc.object()), onlyDeviceFilterError), { seed: SEED, numRuns: 50 });
  });

  it("a deviceId that is not a GUID is refused at the value", () => {
    fc.assert(
      fc.property(fc.oneof(placeholders, unicode.filter((u) => !GUID.test(u.trim()))), (id) => {
        const quoted = `"${id.replace(/"/g, '`"')}"`;
        const rule = `device.deviceId -eq ${quoted}`;
        try {
          DeviceFilter.parse(rule);
        } catch (err) {
          expect(err).toBeInstanceOf(DeviceFilterError);
          return;
        }
        throw new Error(`accepted ${rule}`);
      }),
      RUNS,
    );
  });
});

// ------------------------------------------------------------------ coverage assertion parser

function onlyCoverageAssertionError(text: unknown): void {
  try {
    parseCoverageAssertion(text as string);
  } catch (err) {
    expect(err).toBeInstanceOf(CoverageAssertionError);
    expect((err as Error).message.length).toBeLessThan(2_000);
  }
}

describe("coverage assertion parser on hostile input", () => {
  const word = fc.constantFrom("every", "class", "never", "=>", "not", "not-trusted", "trusted", "and", "or", "for", ",", "with-report-only", "block", "grant", "allow", "app:Office365", "group:", "user:%UserId%", "platform:windows", "trust:ServerAD", "filter(", ")", "filter(device.trustType -eq \"AzureAD\")", "filter(device.deviceId -eq \"%X%\")");
  const structured = fc.oneof(
    fc.array(fc.oneof(word, placeholders, unicode), { maxLength: 12 }).map((ws) => ws.join(" ")),
    fc.tuple(fc.integer({ min: 1, max: 5_000 }), fc.constantFrom("not ", "not-", "filter(", "(", "app:x, "), fc.constantFrom("trusted => block", "=> block for app:y")).map(([n, unit, tail]) => unit.repeat(n) + tail),
    huge,
  );

  it("structured and random assertions: parse, or CoverageAssertionError with a short message", () => {
    fc.assert(fc.property(structured, onlyCoverageAssertionError), RUNS);
  });

  it("wrong types: CoverageAssertionError", () => {
    for (const v of [null, undefined, 5, {}, []]) onlyCoverageAssertionError(v);
  });
});
