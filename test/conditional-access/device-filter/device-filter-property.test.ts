/**
 * Property-based tests (fast-check):
 * - arbitrary valid ASTs print to a rule that parses back to the same filter, and the canonical
 *   form is a fixpoint;
 * - the compiled evaluator agrees with a naive reference evaluator on random devices;
 * - random strings, token soups and mutated valid rules either parse or throw DeviceFilterError
 *   whose position and token point into the rule, never another exception.
 */
import fc from "fast-check";
import {
  DEVICE_FILTER_PROPERTIES,
  DEVICE_PROPERTIES,
  DeviceFilter,
  DeviceFilterError,
  MAX_RULE_LENGTH,
  printNode,
  type CompareNode,
  type DeviceProperty,
  type FilterNode,
  type GraphDevice,
} from "../../../components/conditional-access";

const SEED = 20261123;

// ------------------------------------------------------------------ arbitraries

/** Characters that stress the lexer inside values: quotes, backticks, brackets, spaces, non-ASCII. */
const valueChar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(..."abcXYZ019-_.:[]()\",'` éÜß\u212AİK") },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) },
);

/** A value as the AST holds it: trimmed, non-empty, not ending with a backtick (which the grammar cannot express before the closing quote). */
const textValue = fc
  .array(valueChar, { minLength: 1, maxLength: 12 })
  .map((cs) => cs.join("").trim())
  .filter((v) => v.length > 0 && !v.endsWith("`"));

function compareArb(property: DeviceProperty): fc.Arbitrary<CompareNode> {
  const spec = DEVICE_FILTER_PROPERTIES[property];
  return fc.constantFrom(...spec.operators).chain((operator) => {
    let value: fc.Arbitrary<CompareNode["value"]>;
    // device.deviceId takes device ids (GUIDs) only.
    const text = property === "deviceId" ? fc.uuid() : textValue;
    if (spec.boolean) value = fc.boolean();
    else if (spec.values) value = fc.constantFrom(...spec.values);
    else if (operator === "-in" || operator === "-notIn") value = fc.array(text, { minLength: 1, maxLength: 3 });
    else value = text;
    return value.map((v): CompareNode => ({ kind: "compare", property, operator, value: v }));
  });
}

const anyCompare = fc.constantFrom(...DEVICE_PROPERTIES).chain(compareArb);

const { tree } = fc.letrec<{ tree: FilterNode }>((tie) => ({
  tree: fc.oneof(
    { maxDepth: 4, depthIdentifier: "tree" },
    { weight: 4, arbitrary: anyCompare },
    { weight: 1, arbitrary: tie("tree").map((operand): FilterNode => ({ kind: "not", operand })) },
    { weight: 1, arbitrary: fc.array(tie("tree"), { minLength: 2, maxLength: 3 }).map((operands): FilterNode => ({ kind: "and", operands })) },
    { weight: 1, arbitrary: fc.array(tie("tree"), { minLength: 2, maxLength: 3 }).map((operands): FilterNode => ({ kind: "or", operands })) },
  ),
}));

/** The normal form, written independently of the library: nested and/or of the same kind flattened. */
function normalise(node: FilterNode): FilterNode {
  if (node.kind === "compare") return node;
  if (node.kind === "not") return { kind: "not", operand: normalise(node.operand) };
  const operands: FilterNode[] = [];
  for (const o of node.operands.map(normalise)) {
    if (o.kind === node.kind) operands.push(...(o as typeof node).operands);
    else operands.push(o);
  }
  return { kind: node.kind, operands };
}

const fitting = tree.filter((t) => printNode(t).length <= MAX_RULE_LENGTH);

// ------------------------------------------------------------------ round trip

describe("round trip of arbitrary valid ASTs", () => {
  it("parse(print(ast)) gives back the same AST, equal filters, and a canonical fixpoint", () => {
    fc.assert(
      fc.property(fitting, (ast) => {
        const expected = normalise(ast);
        const f = DeviceFilter.fromAst(ast);
        expect(f.ast).toEqual(expected);
        const text = f.toString();
        const again = DeviceFilter.parse(text);
        expect(again.equals(f)).toBe(true);
        expect(again.ast).toEqual(expected);
        expect(again.toString()).toBe(text);
      }),
      { numRuns: 3000, seed: SEED },
    );
  });

  it("non-canonical spellings of the same rule parse to an equal filter", () => {
    // Re-spell a canonical rule: operators without hyphen or in other case, property names in upper case.
    const respell = (text: string, variant: number): string =>
      text.replace(/(^|[\s(])-(eq|ne|startsWith|notStartsWith|endsWith|notEndsWith|contains|notContains|in|notIn|and|or|not)(?=[\s(])/g, (_m, pre: string, op: string) =>
        variant === 0 ? `${pre}${op}` : variant === 1 ? `${pre}-${op.toUpperCase()}` : `${pre}${op.toLowerCase()}`,
      ).replace(/device\.([A-Za-z0-9]+)/g, (_m, p: string) => (variant === 2 ? `DEVICE.${p.toUpperCase()}` : `device.${p}`));
    fc.assert(
      fc.property(fitting, fc.integer({ min: 0, max: 2 }), (ast, variant) => {
        const f = DeviceFilter.fromAst(ast);
        const variantText = respell(f.toString(), variant);
        fc.pre(variantText.length <= MAX_RULE_LENGTH && printNode(f.ast).length <= MAX_RULE_LENGTH);
        expect(DeviceFilter.parse(variantText).equals(f)).toBe(true);
      }),
      { numRuns: 1500, seed: SEED },
    );
  });
});

// ------------------------------------------------------------------ evaluation vs a naive reference

const sampleText = fc.constantFrom("Windows", "WINDOWS", "iOS", "AzureAd", "ServerAd", "Workplace", "Company", "Printer", "SAW", "École", "ÉCOLE", "x", "");

const deviceArb: fc.Arbitrary<GraphDevice | null> = fc.option(
  fc.record(
    {
      trustType: fc.option(fc.oneof(sampleText, textValue)),
      isCompliant: fc.option(fc.oneof(fc.boolean(), fc.constantFrom("true", "False", "TRUE", "yes"))),
      deviceOwnership: fc.option(fc.oneof(sampleText, textValue)),
      operatingSystem: fc.option(fc.oneof(sampleText, textValue)),
      displayName: fc.option(fc.oneof(sampleText, textValue)),
      profileType: fc.option(sampleText),
      physicalIds: fc.option(fc.array(fc.oneof(sampleText, textValue), { maxLength: 3 })),
      systemLabels: fc.option(fc.array(fc.oneof(sampleText, textValue), { maxLength: 3 })),
      extensionAttributes: fc.option(fc.record({ extensionAttribute1: fc.option(fc.oneof(sampleText, textValue)) }, { requiredKeys: [] })),
      extensionAttribute1: fc.option(fc.oneof(sampleText, textValue)),
    },
    { requiredKeys: [] },
  ),
  { freq: 5 },
) as fc.Arbitrary<GraphDevice | null>;

/** Straightforward semantics (DESIGN.md): none for missing values, toLowerCase comparisons. */
function reference(node: FilterNode, d: GraphDevice | null): boolean {
  switch (node.kind) {
    case "not":
      return !reference(node.operand, d);
    case "and":
      return node.operands.every((o) => reference(o, d));
    case "or":
      return node.operands.some((o) => reference(o, d));
    case "compare": {
      const negative = ["-ne", "-notStartsWith", "-notEndsWith", "-notContains", "-notIn"].includes(node.operator);
      const raw: unknown =
        d === null
          ? undefined
          : node.property.startsWith("extensionAttribute")
            ? ((d.extensionAttributes as Record<string, unknown> | null | undefined)?.[node.property] ?? (d as Record<string, unknown>)[node.property])
            : (d as Record<string, unknown>)[node.property];
      let positive: boolean;
      if (typeof node.value === "boolean") {
        const b = typeof raw === "boolean" ? raw : typeof raw === "string" && ["true", "false"].includes(raw.toLowerCase()) ? raw.toLowerCase() === "true" : undefined;
        positive = b !== undefined && b === node.value;
      } else if (DEVICE_FILTER_PROPERTIES[node.property].collection) {
        const items = Array.isArray(raw) ? raw : typeof raw === "string" ? [raw] : [];
        const v = (node.value as string).toLowerCase();
        positive = items.some((x) => typeof x === "string" && x.toLowerCase() === v);
      } else if (typeof raw !== "string") {
        positive = false;
      } else {
        const s = raw.toLowerCase();
        const op = negative ? { "-ne": "-eq", "-notStartsWith": "-startsWith", "-notEndsWith": "-endsWith", "-notContains": "-contains", "-notIn": "-in" }[node.operator as string] : node.operator;
        if (op === "-in") positive = (node.value as string[]).some((v) => v.toLowerCase() === s);
        else {
          const v = (node.value as string).toLowerCase();
          positive = op === "-eq" ? s === v : op === "-startsWith" ? s.startsWith(v) : op === "-endsWith" ? s.endsWith(v) : s.includes(v);
        }
      }
      return negative ? !positive : positive;
    }
  }
}

describe("compiled evaluation", () => {
  const evalProps: DeviceProperty[] = ["trustType", "isCompliant", "deviceOwnership", "operatingSystem", "displayName", "profileType", "physicalIds", "systemLabels", "extensionAttribute1"];
  const { evalTree } = fc.letrec<{ evalTree: FilterNode }>((tie) => ({
    evalTree: fc.oneof(
      { maxDepth: 3, depthIdentifier: "evalTree" },
      { weight: 4, arbitrary: fc.constantFrom(...evalProps).chain(compareArb) },
      { weight: 1, arbitrary: tie("evalTree").map((operand): FilterNode => ({ kind: "not", operand })) },
      { weight: 1, arbitrary: fc.array(tie("evalTree"), { minLength: 2, maxLength: 4 }).map((operands): FilterNode => ({ kind: "and", operands })) },
      { weight: 1, arbitrary: fc.array(tie("evalTree"), { minLength: 2, maxLength: 4 }).map((operands): FilterNode => ({ kind: "or", operands })) },
    ),
  }));

  it("agrees with a naive reference evaluator on random devices (including unregistered ones)", () => {
    fc.assert(
      fc.property(evalTree, fc.array(deviceArb, { minLength: 1, maxLength: 8 }), (ast, devices) => {
        const f = DeviceFilter.fromAst(ast);
        for (const d of devices) expect(f.matches(d)).toBe(reference(f.ast, d));
      }),
      { numRuns: 3000, seed: SEED },
    );
  });

  it("comparisons whose value the device holds in another case still match", () => {
    fc.assert(
      fc.property(textValue, fc.constantFrom<"-eq" | "-startsWith" | "-endsWith" | "-contains">("-eq", "-startsWith", "-endsWith", "-contains"), (value, op) => {
        const f = DeviceFilter.fromAst({ kind: "compare", property: "displayName", operator: op, value });
        fc.pre(value.toUpperCase().toLowerCase() === value.toLowerCase()); // skip characters whose case mapping is not reversible
        expect(f.matches({ displayName: value.toUpperCase() })).toBe(true);
        expect(f.matches({ displayName: value.toLowerCase() })).toBe(true);
      }),
      { numRuns: 2000, seed: SEED },
    );
  });
});

// ------------------------------------------------------------------ no-crash fuzzing

/**
 * parse either returns a filter whose canonical form is a fixpoint, or throws a well-formed
 * DeviceFilterError (position inside the rule, token found there). Plain checks rather than
 * expect(): this runs tens of thousands of times.
 */
function parseOrExplain(rule: string): boolean {
  let f: DeviceFilter;
  try {
    f = DeviceFilter.parse(rule);
  } catch (err) {
    if (!(err instanceof DeviceFilterError)) throw err;
    return (
      err.rule === rule &&
      err.position >= 0 &&
      err.position <= rule.length &&
      rule.startsWith(err.token, err.position) &&
      err.expected !== "" &&
      err.fix !== ""
    );
  }
  const text = f.toString();
  return DeviceFilter.parse(text).toString() === text;
}

const TOKENS = [
  "device.trustType", "device.TRUSTTYPE", "device.model", "device.isCompliant", "device.physicalIds", "device.systemLabels",
  "device.extensionAttribute3", "device.extensionAttribute16", "device.deviceTrustType", "device.", "device", "trustType", "device.operatingSystem",
  "-eq", "eq", "-NE", "-in", "-notIn", "-contains", "-notContains", "-startsWith", "-match", "-any", "-and", "and", "-or", "OR", "-not", "not",
  "(", ")", "[", "]", ",", '"AzureAD"', '"serverad"', '"x"', '"Company"', '" spaced "', '""', "'x'", "True", "false", '"True"', "null",
  '"a`"b"', '"unterminated', "`", '"', "==", "&&", "!", "-", "--", "42", "\u00e9", "\u{1F600}",
];

describe("no-crash fuzzing of the parser", () => {
  it("random strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 80 }), parseOrExplain), { numRuns: 15000, seed: SEED });
  });

  it("random strings over the rule alphabet", () => {
    const alphabet = fc.constantFrom(..."device.trustTypeisCompliant -eqninotdrAZD\"'`()[],  \t\nTrueFalse");
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 80 }).map((cs) => cs.join("")), parseOrExplain), { numRuns: 15000, seed: SEED });
  });

  it("token soups", () => {
    const soup = fc
      .array(fc.tuple(fc.constantFrom(...TOKENS), fc.constantFrom(" ", "", "  ", "\t", "\n")), { maxLength: 14 })
      .map((parts) => parts.map(([t, sep]) => t + sep).join(""));
    fc.assert(fc.property(soup, parseOrExplain), { numRuns: 10000, seed: SEED });
  });

  it("valid rules with tokens replaced, inserted, deleted or swapped (reaches deep parser states)", () => {
    const edit = fc.tuple(fc.constantFrom("replace", "insert", "delete", "swap"), fc.nat(), fc.nat(), fc.constantFrom(...TOKENS));
    const mutated = fitting
      .map((ast) => printNode(normalise(ast)).split(" "))
      .chain((words) => fc.tuple(fc.constant(words), fc.array(edit, { minLength: 1, maxLength: 3 })))
      .map(([words, edits]) => {
        const w = [...words];
        for (const [how, a, b, tok] of edits) {
          const i = a % (w.length + 1);
          if (how === "insert") w.splice(i, 0, tok);
          else if (w.length === 0) continue;
          else if (how === "replace") w[i % w.length] = tok;
          else if (how === "delete") w.splice(i % w.length, 1);
          else [w[i % w.length], w[b % w.length]] = [w[b % w.length], w[i % w.length]];
        }
        return w.join(" ");
      });
    fc.assert(fc.property(mutated, parseOrExplain), { numRuns: 10000, seed: SEED });
  });

  it("valid rules with one character inserted, deleted or replaced", () => {
    const mutated = fitting
      .map((ast) => printNode(normalise(ast)))
      .chain((rule) =>
        fc.tuple(fc.constant(rule), fc.nat(rule.length), fc.constantFrom("insert", "delete", "replace"), fc.constantFrom(..."\"'`()[], -aZ\t")),
      )
      .map(([rule, i, how, ch]) =>
        how === "insert" ? rule.slice(0, i) + ch + rule.slice(i) : how === "delete" ? rule.slice(0, i) + rule.slice(i + 1) : rule.slice(0, i) + ch + rule.slice(i + 1),
      );
    fc.assert(fc.property(mutated, parseOrExplain), { numRuns: 5000, seed: SEED });
  });

  it("very long and very deep inputs", () => {
    for (const rule of [
      "(".repeat(3000),
      "-not ".repeat(600) + 'device.model -eq "x"',
      'device.model -eq "x" -and '.repeat(200),
      "[".repeat(3072),
      '"'.repeat(3072),
      "x".repeat(5000),
    ]) {
      expect(parseOrExplain(rule)).toBe(true);
    }
  });

  it("the checker itself notices a malformed error", () => {
    // Guard against a vacuous property: a rule that fails must be reported as a DeviceFilterError.
    expect(() => DeviceFilter.parse("device.model -eq")).toThrow(DeviceFilterError);
    expect(parseOrExplain("device.model -eq")).toBe(true);
  });
});
