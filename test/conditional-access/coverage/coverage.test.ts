import fc from "fast-check";
import {
  analyseCoverage,
  classifyDevice,
  compilePolicy,
  evaluateWitness,
  printNode,
  randomClassMember,
  DeviceFilter,
  PLATFORM_RULES,
  platformOf,
  type CompareNode,
  type FilterNode,
  type FilterOperator,
  type InventoryDevice,
  type DeviceClass,
  type CoverageAnalysis,
} from "../../../components";
import { prng } from "../../../bench/util";
import { testPolicy } from "../../helpers/policies";

const policy = testPolicy;


/** What the class promises, next to what the evaluator says for a device (signing in as the class's witness sign-in). */
function sameResult(analysis: CoverageAnalysis, cls: DeviceClass, device: InventoryDevice): void {
  const r = evaluateWitness(analysis.compiled, analysis.targets, device, cls.signIn);
  expect({ device, applying: r.applying, outcome: r.outcome, controls: r.controls, ro: r.outcomeIfReportOnlyEnforced }).toEqual({
    device,
    applying: cls.applying,
    outcome: cls.outcome,
    controls: cls.controls,
    ro: cls.outcomeIfReportOnlyEnforced,
  });
}

// ------------------------------------------------------------------------------------------
// Random policy sets over a vocabulary whose constants interact (prefix of an equality,
// substring of a suffix, platform names inside operatingSystem values, collection elements).
// ------------------------------------------------------------------------------------------
const STRING_OPS: FilterOperator[] = ["-eq", "-ne", "-startsWith", "-notStartsWith", "-endsWith", "-notEndsWith", "-contains", "-notContains"];
const compareArb: fc.Arbitrary<CompareNode> = fc.oneof(
  fc.record({ operator: fc.constantFrom<FilterOperator>("-eq", "-ne"), value: fc.constantFrom("AzureAD", "ServerAD", "Workplace") }).map((x) => ({ kind: "compare" as const, property: "trustType" as const, ...x })),
  fc.record({ operator: fc.constantFrom<FilterOperator>("-eq", "-ne"), value: fc.boolean() }).map((x) => ({ kind: "compare" as const, property: "isCompliant" as const, ...x })),
  fc.record({ operator: fc.constantFrom<FilterOperator>("-eq", "-ne"), value: fc.constantFrom("Company", "Personal") }).map((x) => ({ kind: "compare" as const, property: "deviceOwnership" as const, ...x })),
  fc.record({ operator: fc.constantFrom(...STRING_OPS), value: fc.constantFrom("CORP", "CORP-1", "-1", "ORP", "Kiosk") }).map((x) => ({ kind: "compare" as const, property: "displayName" as const, ...x })),
  fc.record({ operator: fc.constantFrom(...STRING_OPS), value: fc.constantFrom("Windows", "Win", "iOS", "Android", "dows") }).map((x) => ({ kind: "compare" as const, property: "operatingSystem" as const, ...x })),
  fc.record({ operator: fc.constantFrom<FilterOperator>("-in", "-notIn"), value: fc.uniqueArray(fc.constantFrom("SAW", "SAW-2", "Finance"), { minLength: 1, maxLength: 3 }) }).map((x) => ({ kind: "compare" as const, property: "extensionAttribute1" as const, ...x })),
  fc.record({ operator: fc.constantFrom(...STRING_OPS), value: fc.constantFrom("SAW", "SAW-2", "2") }).map((x) => ({ kind: "compare" as const, property: "extensionAttribute1" as const, ...x })),
  fc.record({ operator: fc.constantFrom<FilterOperator>("-contains", "-notContains"), value: fc.constantFrom("[ZTDId]:abc", "[OrderId]:Kiosk") }).map((x) => ({ kind: "compare" as const, property: "physicalIds" as const, ...x })),
);
const { rule: ruleArb } = fc.letrec<{ rule: FilterNode }>((tie) => ({
  rule: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    compareArb,
    fc.record({ kind: fc.constantFrom<"and" | "or">("and", "or"), operands: fc.array(tie("rule"), { minLength: 2, maxLength: 3 }) }) as fc.Arbitrary<FilterNode>,
    tie("rule").map((operand) => ({ kind: "not" as const, operand })),
  ),
}));
const platformsArb = fc.option(
  fc.record({
    includedPlatforms: fc.oneof(fc.constant<string[]>(["all"]), fc.uniqueArray(fc.constantFrom<string>("windows", "iOS", "android", "macOS", "linux", "windowsPhone"), { minLength: 1, maxLength: 3 })),
    excludedPlatforms: fc.uniqueArray(fc.constantFrom("windows", "iOS", "android", "macOS"), { maxLength: 2 }),
  }),
  { nil: undefined },
);
const policyArb = fc.record({
  rule: fc.option(ruleArb, { nil: undefined }),
  mode: fc.constantFrom<"include" | "exclude">("include", "exclude"),
  platforms: platformsArb,
  state: fc.constantFrom("enabled", "enabledForReportingButNotEnforced", "disabled"),
  controls: fc.constantFrom<string[]>(["block"], ["mfa"], ["compliantDevice", "mfa"]),
});
const policiesArb = fc.array(policyArb, { minLength: 1, maxLength: 5 }).map((ps) =>
  ps.map((p, i) =>
    policy(`P${i + 1}`, p.rule ? { mode: p.mode, rule: DeviceFilter.fromAst(p.rule).toString() } : undefined, p.platforms ? { platforms: p.platforms } : {}, p.state, p.controls),
  ),
);

/** A device drawn without looking at the classes: fragments of the vocabulary, random case, missing attributes. */
function arbitraryDevice(random: () => number): InventoryDevice {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const flip = (s: string) => [...s].map((c) => (random() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join("");
  const text = (parts: string[]) => flip(Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(parts)).join(""));
  const roll = random();
  if (roll < 0.1) return null;
  if (roll < 0.2) return { unregistered: true, operatingSystem: pick(["Windows", "iOS", "Android", "Linux", "Plan9", "WindowsPhone"]) };
  const d: Record<string, unknown> = {};
  const maybe = (key: string, value: () => unknown) => {
    if (random() < 0.7) d[key] = value();
  };
  maybe("trustType", () => flip(pick(["AzureAd", "ServerAd", "Workplace", "Other"])));
  maybe("isCompliant", () => pick([true, false, "True", "false", "maybe"]));
  maybe("deviceOwnership", () => pick(["Company", "personal", "unknown"]));
  maybe("displayName", () => text(["CORP", "-1", "ORP", "Kiosk", "x", "C"]));
  maybe("operatingSystem", () => text(["Windows", "Win", "iOS", "Android", "dows", "Phone", " "]));
  maybe("extensionAttribute1", () => text(["SAW", "-2", "Finance", "2", "S"]));
  maybe("physicalIds", () => [pick(["[ZTDId]:abc", "[ZTDId]:ABC", "[OrderId]:Kiosk", "[USER-GID]:1"])]);
  return d as InventoryDevice;
}

describe("coverage classes are exact with respect to evaluateDevice", () => {
  it("random members of every class, and arbitrary devices, get their class's policies and outcome (property)", () => {
    fc.assert(
      fc.property(policiesArb, fc.integer(), (policies, seed) => {
        const analysis = analyseCoverage(policies);
        const random = prng(seed);
        for (const cls of analysis.classes) {
          sameResult(analysis, cls, cls.witness);
          for (const region of cls.regions) sameResult(analysis, cls, region.witness);
          for (let i = 0; i < 12; i++) {
            const member = randomClassMember(analysis, cls, random);
            sameResult(analysis, cls, member);
            expect(classifyDevice(analysis, member, cls.signIn).id).toBe(cls.id);
          }
        }
        for (let i = 0; i < 60; i++) {
          const device = arbitraryDevice(random);
          sameResult(analysis, classifyDevice(analysis, device), device);
        }
      }),
      { numRuns: 80 },
    );
  });

  it("classes are distinct: no two classes have the same applying policies and selections", () => {
    fc.assert(
      fc.property(policiesArb, (policies) => {
        const analysis = analyseCoverage(policies);
        const keys = analysis.classes.map((c) => `${c.registered}|${c.applying.join(",")}`);
        expect(new Set(keys).size).toBe(keys.length);
      }),
      { numRuns: 60 },
    );
  });

  it("the platform rules it splits operatingSystem on are exactly whatif/evaluate.ts platformOf", () => {
    const filters = Object.fromEntries(Object.entries(PLATFORM_RULES).map(([p, node]) => [p, DeviceFilter.fromAst(node)]));
    const pieces = ["Windows", "Phone", " ", "windowsphone", "iOS", "iPadOS", "Android", "macOS", "MacMDM", "Mac OS X", "OSX", "Linux", "Ubuntu", "RedHat", "x", "10"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 3 }), fc.array(fc.boolean(), { maxLength: 30 }), (parts, upper) => {
        const os = [...parts.join("")].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join("");
        const matched = Object.keys(filters).filter((p) => filters[p].matches({ operatingSystem: os }));
        expect(matched).toEqual(platformOf(os) === undefined ? [] : [platformOf(os)]);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("the classes people read", () => {
  const corporate = [
    policy("block untrusted", { mode: "include", rule: 'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"' }),
    policy("block other platforms", undefined, { platforms: { includedPlatforms: ["all"], excludedPlatforms: ["windows"] } }),
  ];

  it("the corporate scenario has six classes: only joined Windows devices get in, unregistered ones are blocked on every platform", () => {
    const a = analyseCoverage(corporate);
    expect(a.counts).toEqual({ classes: 6, block: 5, grant: 0, allow: 1, unknown: 0, noPolicy: 1, blockIfReportOnlyEnforced: 5, unknownIfReportOnlyEnforced: 0 });
    const allowed = a.classes.filter((c) => c.outcome === "allow");
    expect(allowed).toHaveLength(1);
    expect(allowed[0].description).toEqual(["registered", 'trustType: "AzureAD" | "ServerAD"', 'platform: windows']);
    expect(allowed[0].witness).toEqual({ trustType: "AzureAD", operatingSystem: "Windows" });
    const unregistered = a.classes.filter((c) => !c.registered);
    expect(unregistered.map((c) => [c.witness, c.outcome])).toEqual([
      [null, "block"],
      [{ unregistered: true, operatingSystem: "Windows" }, "block"],
    ]);
  });

  it("every device falls in exactly one class: the classes' regions do not overlap (random devices land in one cell)", () => {
    const a = analyseCoverage(corporate);
    const random = prng(7);
    for (let i = 0; i < 500; i++) {
      const device = arbitraryDevice(random);
      // classifyDevice checks every class's regions and throws unless exactly one holds the device.
      expect(() => classifyDevice(a, device)).not.toThrow();
    }
  });

  it("report-only policies: the outcome stays allow, what they would do is reported", () => {
    const a = analyseCoverage(corporate.map((p) => ({ ...p, state: "enabledForReportingButNotEnforced" })));
    expect(a.counts.allow).toBe(6);
    expect(a.counts.blockIfReportOnlyEnforced).toBe(5);
  });

  it("disabled policies are not split on and never apply", () => {
    const a = analyseCoverage([{ ...corporate[0], state: "disabled" }]);
    expect(a.counts).toMatchObject({ classes: 2, allow: 2, noPolicy: 2 });
  });

  it("a grant policy: the outcome names its controls", () => {
    const a = analyseCoverage([policy("mfa off-network", { mode: "include", rule: 'device.isCompliant -ne True' }, {}, "enabled", ["mfa"])]);
    const compliant = a.classes.find((c) => c.registered && (c.witness as { isCompliant?: boolean }).isCompliant === true)!;
    const other = a.classes.find((c) => c.registered && c !== compliant)!;
    expect([compliant.outcome, other.outcome, other.controls]).toEqual(["allow", "grant", ["mfa"]]);
  });

  it("many constants on one attribute stay one attribute: 50 -in values are 51 regions, not 2^50 classes", () => {
    const values = Array.from({ length: 50 }, (_, i) => `DEPT-${i}`);
    const p = policy("block unknown departments", { mode: "include", rule: `device.extensionAttribute1 -notIn [${values.map((v) => `"${v}"`).join(", ")}]` });
    const a = analyseCoverage([p]);
    expect(a.attributes.find((x) => x.name === "extensionAttribute1")!.regions).toHaveLength(51);
    expect(a.counts.classes).toBe(3); // registered in a department, registered elsewhere, unregistered
    const inDept = a.classes.find((c) => c.outcome === "allow")!;
    expect(inDept.regions).toHaveLength(1);
    expect(inDept.witness).toEqual({ extensionAttributes: { extensionAttribute1: "DEPT-0" } });
  });

  it("an invalid rule is refused with the parser's error", () => {
    expect(() => analyseCoverage([policy("bad", { mode: "include", rule: 'device.trustType -in ["AzureAD"]' })])).toThrow(/trustType/);
  });

  it("compiled policies are the evaluator's own", () => {
    const a = analyseCoverage(corporate);
    expect(a.compiled.map((c) => c.name)).toEqual(corporate.map((p) => compilePolicy(p).name));
    expect(printNode(DeviceFilter.parse(corporate[0].conditions.devices!.filter.rule).ast)).toContain("-ne");
  });
});

describe("at the benchmark's scale", () => {
  it("the 50 generated policies use 200 distinct constants, and random members of each of their classes get the class outcome", async () => {
    const { benchPolicies, distinctConstants } = await import("../../../bench/coverage");
    const policies = benchPolicies();
    expect([policies.length, distinctConstants(policies)]).toEqual([50, 200]);
    const analysis = analyseCoverage(policies);
    const random = prng(50200);
    for (const cls of analysis.classes) {
      for (let i = 0; i < 3; i++) {
        const member = randomClassMember(analysis, cls, random);
        sameResult(analysis, cls, member);
        expect(classifyDevice(analysis, member, cls.signIn).id).toBe(cls.id);
      }
    }
  });
});

describe("limits", () => {
  const independent = (n: number) =>
    Array.from({ length: n }, (_, i) => policy(`P${i + 1}`, { mode: "include", rule: `device.extensionAttribute${i + 1} -eq "x"` }));

  it("policies testing unrelated attributes multiply: n independent tests make 2^n + 1 classes", () => {
    expect(analyseCoverage(independent(6)).counts.classes).toBe(2 ** 6 + 1);
  });

  it("stops with a message past the class limit instead of running for minutes", () => {
    expect(() => analyseCoverage(independent(8), { maxClasses: 100 })).toThrow(/more than 100 kinds of device.*analyse fewer policies at a time/);
  });
});
