/**
 * Rules compiled to code of their own (generateFilter) against the closure compiler kept as the
 * reference (compileFilter): the same answer on random rules over every property and random
 * devices, hostile values that cannot reach the generated source, and the fallback when the
 * runtime forbids code generation.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import fc from "fast-check";
import {
  DEVICE_FILTER_PROPERTIES,
  DEVICE_PROPERTIES,
  DeviceFilter,
  compileFilter,
  generateFilter,
  type CompareNode,
  type DeviceProperty,
  type FilterNode,
  type GraphDevice,
} from "../../../components/conditional-access";
import { generatedExpression, generatedSource } from "../../../components/conditional-access/device-filter/codegen";

const SEED = 20261124;

const text = fc.oneof(
  fc.constantFrom("Windows", "WINDOWS", "win", "iOS", "AzureAd", "ServerAD", "Workplace", "Company", "Printer", "SAW", "École", "ÉCOLE", "İstanbul", "K", "\u212A", "x", "1", "12", "true"),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }).map((s) => s.trim()).filter((s) => s.length > 0 && !s.endsWith("`")),
);

function compareArb(property: DeviceProperty): fc.Arbitrary<CompareNode> {
  const spec = DEVICE_FILTER_PROPERTIES[property];
  return fc.constantFrom(...spec.operators).chain((operator) => {
    let value: fc.Arbitrary<CompareNode["value"]>;
    if (spec.boolean) value = fc.boolean();
    else if (spec.values) value = fc.constantFrom(...spec.values);
    else if (operator === "-in" || operator === "-notIn") value = fc.array(text, { minLength: 1, maxLength: 4 });
    else value = text;
    return value.map((v): CompareNode => ({ kind: "compare", property, operator, value: v }));
  });
}

const { tree } = fc.letrec<{ tree: FilterNode }>((tie) => ({
  tree: fc.oneof(
    { maxDepth: 3, depthIdentifier: "tree" },
    { weight: 4, arbitrary: fc.constantFrom(...DEVICE_PROPERTIES).chain(compareArb) },
    { weight: 1, arbitrary: tie("tree").map((operand): FilterNode => ({ kind: "not", operand })) },
    { weight: 1, arbitrary: fc.array(tie("tree"), { minLength: 2, maxLength: 4 }).map((operands): FilterNode => ({ kind: "and", operands })) },
    { weight: 1, arbitrary: fc.array(tie("tree"), { minLength: 2, maxLength: 4 }).map((operands): FilterNode => ({ kind: "or", operands })) },
  ),
}));

/** Any value an inventory may hold: strings, numbers (CSV), booleans, lists, objects, null. */
const cell = fc.oneof(
  { weight: 5, arbitrary: text },
  { weight: 1, arbitrary: fc.integer({ min: -5, max: 15 }) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom("true", "False", "TRUE", "yes") },
  { weight: 1, arbitrary: fc.array(fc.oneof(text, fc.integer(), fc.constant(null)), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant({ nested: "x" }) },
);

const deviceArb: fc.Arbitrary<GraphDevice | null> = fc.option(
  fc
    .tuple(
      fc.dictionary(fc.constantFrom(...DEVICE_PROPERTIES), cell, { maxKeys: 8 }),
      fc.option(fc.dictionary(fc.constantFrom(...DEVICE_PROPERTIES.filter((p) => p.startsWith("extension"))), cell, { maxKeys: 4 })),
    )
    .map(([flat, nested]) => ({ ...flat, ...(nested === null ? {} : { extensionAttributes: nested }) }) as GraphDevice),
  { freq: 6 },
);

describe("rules compiled to code of their own", () => {
  it("agree with the closure compiler (the reference) on random rules over every property and random devices", () => {
    fc.assert(
      fc.property(tree, fc.array(deviceArb, { minLength: 1, maxLength: 10 }), (ast, devices) => {
        const generated = generateFilter(ast);
        const reference = compileFilter(ast);
        for (const d of devices) expect([d, generated(d)]).toEqual([d, reference(d)]);
        expect(generated(undefined)).toBe(reference(undefined));
      }),
      { numRuns: 3000, seed: SEED },
    );
  });

  it("agree after one process has evaluated many different rules (no shared state between rules)", () => {
    const rules = fc.sample(tree, { numRuns: 200, seed: SEED });
    const devices = fc.sample(deviceArb, { numRuns: 300, seed: SEED + 1 });
    const generated = rules.map(generateFilter);
    const reference = rules.map(compileFilter);
    for (const d of devices) for (let i = 0; i < rules.length; i++) expect(generated[i](d)).toBe(reference[i](d));
  });

  const HOSTILE = [
    '"); process.exit(7); ("',
    "`; process.exit(7); `",
    "${process.exit(7)}",
    "*/ process.exit(7); /*",
    "\\\"); throw new Error('pwned'); //",
    "'); globalThis.pwned = true; ('",
    "\u2028globalThis.pwned = true;\u2029",
    "c0; globalThis.pwned = true",
    "__proto__",
    "constructor",
  ];

  it("never put rule values into the generated source: hostile values are matched as data", () => {
    for (const value of HOSTILE) {
      const ast: FilterNode = {
        kind: "or",
        operands: [
          { kind: "compare", property: "displayName", operator: "-eq", value },
          { kind: "compare", property: "extensionAttribute3", operator: "-notIn", value: [value, "x"] },
          { kind: "compare", property: "physicalIds", operator: "-contains", value },
        ],
      };
      const { source } = generatedSource(ast);
      expect(source).not.toContain(value.trim());
      // The source is made of fixed fragments only: identifiers, operators, integers, and the
      // quoted type names of typeof tests.
      const withoutTypeNames = source.replace(/"(?:use strict|string|number|boolean)"/g, "");
      expect(withoutTypeNames).not.toMatch(/["'`\\]/);
      const f = generateFilter(ast);
      expect(f({ displayName: value, trustType: "AzureAd", extensionAttribute3: value })).toBe(true);
      expect(f({ displayName: `${value}!`, extensionAttribute3: value.toUpperCase() === value.toLowerCase() ? "x" : value.toUpperCase() })).toBe(false);
      expect(f({ displayName: "y", extensionAttribute3: "x", physicalIds: [value] })).toBe(true);
      expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
    }
  });

  it("the expression form for embedding (generatedExpression) names every rule value through the caller, never writes it", () => {
    for (const value of HOSTILE) {
      const ast: FilterNode = {
        kind: "or",
        operands: [
          { kind: "compare", property: "displayName", operator: "-eq", value },
          { kind: "compare", property: "extensionAttribute3", operator: "-notIn", value: [value, "x"] },
          { kind: "compare", property: "physicalIds", operator: "-contains", value },
        ],
      };
      const bound: unknown[] = [];
      const expression = generatedExpression(ast, (v) => `p${bound.push(v) - 1}`);
      expect(expression).not.toContain(value.trim());
      expect(expression.replace(/"(?:string|number|boolean)"/g, "")).not.toMatch(/["'`\\]/);
      // Embedded as a caller would, it answers as the rule's own function does.
      const f = new Function(...bound.map((_, i) => `p${i}`), `return function (d) { let t; return ${expression}; };`)(...bound) as (d: GraphDevice) => boolean;
      const reference = generateFilter(ast);
      for (const d of [{ displayName: value, trustType: "AzureAd", extensionAttribute3: value }, { displayName: `${value}!`, extensionAttribute3: "x" }, { displayName: "y", extensionAttribute3: "z", physicalIds: [value] }]) expect(f(d)).toBe(reference(d));
      expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
    }
  });

  it("refuses a hand-made AST whose property or operator is not in the table, instead of writing it into code", () => {
    const bad = [
      { kind: "compare", property: "trustType; globalThis.pwned = true", operator: "-eq", value: "x" },
      { kind: "compare", property: "constructor", operator: "-eq", value: "x" },
      { kind: "compare", property: "displayName", operator: "-eq); globalThis.pwned = true; (", value: "x" },
      { kind: "and; globalThis.pwned = true", operands: [] },
    ] as unknown as FilterNode[];
    for (const ast of bad) expect(() => generateFilter(ast)).toThrow(/internal/);
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
  });

  it("fall back to the closure compiler where code generation from strings is forbidden", () => {
    const script = `
      const { DeviceFilter } = require(${JSON.stringify(path.resolve(__dirname, "../../../dist/components"))});
      const f = DeviceFilter.parse('device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"');
      process.stdout.write(JSON.stringify([f.matches({ trustType: "AzureAd" }), f.matches({ trustType: "Workplace" }), f.matches(null)]));`;
    const r = spawnSync(process.execPath, ["--disallow-code-generation-from-strings", "-e", script], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("[false,true,true]");
  });

  it("DeviceFilter.matches uses them: the answer for the documented examples is unchanged", () => {
    const f = DeviceFilter.parse('device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"');
    expect([f.matches({ trustType: "AzureAd" }), f.matches({ trustType: "ServerAd" }), f.matches({ trustType: "Workplace" }), f.matches({}), f.matches(null)]).toEqual([false, false, true, true, true]);
    expect(f.predicateFunction()({ trustType: "workplace" })).toBe(true);
  });
});
