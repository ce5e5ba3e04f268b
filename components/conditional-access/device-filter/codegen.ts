/**
 * Device filter rules compiled to one JavaScript function per rule, so that every property load
 * and comparison of a rule has its own inline caches: a loop over 50 rules stays as fast as 50
 * hand-written functions, where closures built from shared templates (compileFilter) share their
 * feedback between rules and go megamorphic.
 *
 * Safe by construction: the generated source is assembled only from fixed fragments of this
 * file, property names looked up in a fixed table, integer indices and the literals `true` and
 * `false`. Rule values (strings, lists) never enter the source: they are passed in an array of
 * constants and read into locals (`const c3 = k[3]`). A property name missing from the table is an error, so even
 * a hand-made AST cannot put text of its own into the source.
 *
 * Semantics are those of compileFilter (the reference, kept in evaluate.ts): positive comparisons
 * with *none* are false, negative ones their exact negation, comparisons case-insensitive. Where
 * the runtime forbids code generation (`--disallow-code-generation-from-strings`), the closures
 * of compileFilter are used instead.
 */
import { CompareNode, DeviceProperty, FilterNode, isNegativeOperator, positiveOperator } from "./ast";
import { DevicePredicate, compileFilter, containsIgnoreCase, endsWithIgnoreCase, equalsIgnoreCase, startsWithIgnoreCase } from "./evaluate";

function hasNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 128) return true;
  return false;
}

/** Some element of `list` (lower-cased rule values) equals `s`, ignoring case. */
function anyEquals(s: string, lowers: readonly string[], flags: readonly boolean[]): boolean {
  for (let i = 0; i < lowers.length; i++) if (equalsIgnoreCase(s, lowers[i], flags[i])) return true;
  return false;
}

/** Some string element of a collection equals `lower`, ignoring case. */
function someElementEquals(v: readonly unknown[], lower: string, nonAscii: boolean): boolean {
  for (let i = 0; i < v.length; i++) {
    const el = v[i];
    if (typeof el === "string" && equalsIgnoreCase(el, lower, nonAscii)) return true;
  }
  return false;
}

const HELPERS = { eq: equalsIgnoreCase, sw: startsWithIgnoreCase, ew: endsWithIgnoreCase, ct: containsIgnoreCase, anyEq: anyEquals, someEq: someElementEquals };

/** The JavaScript that reads each property from a registered device `d`: fixed text, never from input. */
const READ_CODE: Readonly<Record<DeviceProperty, string>> = (() => {
  const plain: DeviceProperty[] = [
    "deviceId",
    "displayName",
    "deviceOwnership",
    "enrollmentProfileName",
    "isCompliant",
    "manufacturer",
    "mdmAppId",
    "model",
    "operatingSystem",
    "operatingSystemVersion",
    "physicalIds",
    "profileType",
    "systemLabels",
    "trustType",
  ];
  const table: Record<string, string> = {};
  for (const p of plain) table[p] = `d.${p}`;
  for (let n = 1; n <= 15; n++) table[`extensionAttribute${n}`] = `(d.extensionAttributes?.extensionAttribute${n} ?? d.extensionAttribute${n})`;
  return Object.freeze(table) as Record<DeviceProperty, string>;
})();

const STRING_HELPER: Record<string, keyof typeof HELPERS> = { "-eq": "eq", "-startsWith": "sw", "-endsWith": "ew", "-contains": "ct" };

class Emitter {
  readonly constants: unknown[] = [];

  /**
   * `bind`, when given, names every constant and helper instead (a caller embedding the
   * expression in code of its own passes them in as parameters under those names).
   */
  constructor(private readonly bind?: (value: unknown) => string) {}

  constant(value: unknown): string {
    if (this.bind) return this.bind(value);
    this.constants.push(value);
    return `c${this.constants.length - 1}`;
  }

  /** The name of a helper function in the generated code. */
  h(name: keyof typeof HELPERS): string {
    return this.bind ? this.bind(HELPERS[name]) : name;
  }

  node(node: FilterNode): string {
    switch (node.kind) {
      case "compare":
        return this.compare(node);
      case "not":
        return `!${this.node(node.operand)}`;
      case "and":
        return `(${node.operands.map((o) => this.node(o)).join(" && ")})`;
      case "or":
        return `(${node.operands.map((o) => this.node(o)).join(" || ")})`;
      default:
        throw new Error(`internal: unknown filter node ${JSON.stringify((node as { kind?: unknown }).kind)}`);
    }
  }

  /** `(t = <read>, <test of t>)` for a registered device `d`, negation folded in. */
  private compare(node: CompareNode): string {
    if (!Object.prototype.hasOwnProperty.call(READ_CODE, node.property)) throw new Error(`internal: no reader for device property ${JSON.stringify(node.property)}`);
    const read = READ_CODE[node.property];
    const negate = isNegativeOperator(node.operator);
    const op = positiveOperator(node.operator);
    const value = node.value;
    const yes = negate ? "false" : "true";
    const no = negate ? "true" : "false";
    const not = negate ? "!" : "";
    if (typeof value === "boolean") {
      const text = this.constant(value ? "true" : "false");
      return `((t = ${read}), typeof t === "boolean" ? t === ${value ? "true" : "false"} ? ${yes} : ${no} : ${not}(typeof t === "string" && ${this.h("eq")}(t, ${text}, false)))`;
    }
    if (Array.isArray(value)) {
      if (op !== "-in") throw new Error(`internal: a list value with ${JSON.stringify(node.operator)}`);
      const lowers = (value as readonly string[]).map((x) => x.toLowerCase());
      const k = this.constant(lowers);
      const f = this.constant(lowers.map(hasNonAscii));
      // Exact spellings first (a value equal to one as written is equal ignoring case): one set lookup for canonical data.
      const exact = this.constant(new Set(value as readonly string[]));
      return `((t = ${read}), typeof t === "string" ? ${not}(${exact}.has(t) || ${this.h("anyEq")}(t, ${k}, ${f})) : typeof t === "number" ? ${not}${this.h("anyEq")}(String(t), ${k}, ${f}) : ${no})`;
    }
    if (typeof value !== "string") throw new Error("internal: a filter value must be a string, a boolean or a list of strings");
    const lower = value.toLowerCase();
    const k = this.constant(lower);
    const nonAscii = hasNonAscii(lower) ? "true" : "false";
    if (node.property === "physicalIds" || node.property === "systemLabels") {
      return `((t = ${read}), typeof t === "string" ? ${not}${this.h("eq")}(t, ${k}, ${nonAscii}) : Array.isArray(t) ? ${not}${this.h("someEq")}(t, ${k}, ${nonAscii}) : ${no})`;
    }
    const helperName = STRING_HELPER[op];
    if (helperName === undefined) throw new Error(`internal: no string test for ${JSON.stringify(node.operator)}`);
    const helper = this.h(helperName);
    if (helperName === "eq") {
      // The value as written first: data spelt like the rule (canonical trust types, ...) is one string comparison.
      const exact = this.constant(value);
      return `((t = ${read}), typeof t === "string" ? ${not}(t === ${exact} || ${helper}(t, ${k}, ${nonAscii})) : typeof t === "number" ? ${not}${helper}(String(t), ${k}, ${nonAscii}) : ${no})`;
    }
    return `((t = ${read}), typeof t === "string" ? ${not}${helper}(t, ${k}, ${nonAscii}) : typeof t === "number" ? ${not}${helper}(String(t), ${k}, ${nonAscii}) : ${no})`;
  }
}

/** The generated source of a rule's predicate (exported for tests: it must hold no rule value). */
export function generatedSource(node: FilterNode): { source: string; constants: unknown[] } {
  const emitter = new Emitter();
  const body = emitter.node(node);
  // An unregistered device has *none* everywhere: the answer is fixed, so it is computed once.
  const unregistered = compileFilter(node)(null) ? "true" : "false";
  const hoisted = emitter.constants.map((_, i) => `  const c${i} = k[${i}];\n`).join("");
  const source = `"use strict";\nconst { eq, sw, ew, ct, anyEq, someEq } = h;\n${hoisted}return function deviceFilterRule(d) {\n  if (d == null) return ${unregistered};\n  let t;\n  return ${body};\n};`;
  return { source, constants: emitter.constants };
}

/**
 * A rule as one JavaScript expression over a registered device in the variable `d` (not null),
 * using a scratch variable `t`, for code that embeds the rule in a function of its own (the
 * replay's per-policy evaluators). Built by the same emitter as generatedSource: fixed fragments
 * only; every rule value and helper goes through `bind`, which returns the name the caller gives
 * it (a parameter of the caller's generated function).
 */
export function generatedExpression(node: FilterNode, bind: (value: unknown) => string): string {
  return new Emitter(bind).node(node);
}

let codegenAvailable: boolean | undefined;

/**
 * Compile a filter AST into its own function (see the file comment). Falls back to
 * compileFilter's closures when the runtime forbids generating code from strings.
 */
export function generateFilter(node: FilterNode): DevicePredicate {
  if (codegenAvailable === false) return compileFilter(node);
  const { source, constants } = generatedSource(node);
  let factory: (k: readonly unknown[], h: typeof HELPERS) => DevicePredicate;
  try {
    factory = new Function("k", "h", source) as typeof factory;
    codegenAvailable = true;
  } catch (err) {
    if (err instanceof EvalError) {
      codegenAvailable = false;
      return compileFilter(node);
    }
    throw err;
  }
  return factory(Object.freeze(constants), HELPERS);
}
