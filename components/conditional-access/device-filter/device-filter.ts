/**
 * Device filters of Entra Conditional Access ("filter for devices"): parse, validate, print in
 * one canonical form, and evaluate offline against Graph device objects. Pure core: no Pulumi.
 *
 * Split by concern: ast.ts (vocabulary, AST, printer), parser.ts, errors.ts, evaluate.ts; the
 * typed builder is in builder.ts.
 */
import {
  CompareNode,
  DEVICE_FILTER_PROPERTIES,
  DeviceProperty,
  FilterNode,
  MAX_RULE_LENGTH,
  comparisonsOf,
  printNode,
} from "./ast";
import { DeviceFilterError, DeviceFilterErrorCode, DeviceFilterWarning } from "./errors";
import { generateFilter } from "./codegen";
import { DevicePredicate, GraphDevice } from "./evaluate";
import { parseRule } from "./parser";

export * from "./ast";
export * from "./errors";
export type { GraphDevice, GraphDeviceExtensionAttributes, DevicePredicate } from "./evaluate";
export { compileFilter, readDeviceProperty } from "./evaluate";
export { generateFilter } from "./codegen";

function deepFreeze(node: FilterNode): FilterNode {
  if (node.kind === "compare") {
    if (Array.isArray(node.value)) Object.freeze(node.value);
  } else if (node.kind === "not") {
    deepFreeze(node.operand);
  } else {
    node.operands.forEach(deepFreeze);
    Object.freeze(node.operands);
  }
  return Object.freeze(node);
}

/** Warnings about the rule as a whole (the parser adds per-token ones). */
function ruleWarnings(ast: FilterNode, comparisons: readonly CompareNode[]): DeviceFilterWarning[] {
  const out: DeviceFilterWarning[] = [];
  if (comparisons.every((c) => DEVICE_FILTER_PROPERTIES[c.property].userChangeable)) {
    out.push({
      position: 0,
      message:
        "the rule tests only properties the device's user can change (displayName, manufacturer, model): " +
        "combine them with -and and a system-defined property such as device.trustType",
    });
  }
  // The De Morgan trap (MicrosoftDocs/azure-docs#86415): `-ne A -or -ne B` on one property is always true.
  const visit = (n: FilterNode): void => {
    if (n.kind === "not") return visit(n.operand);
    if (n.kind === "compare") return;
    if (n.kind === "or") {
      const seen = new Map<DeviceProperty, string>();
      for (const o of n.operands) {
        if (o.kind === "compare" && o.operator === "-ne" && typeof o.value !== "object") {
          const v = String(o.value).toLowerCase();
          const prev = seen.get(o.property);
          if (prev !== undefined && prev !== v) {
            out.push({
              position: 0,
              message: `"device.${o.property} -ne ... -or device.${o.property} -ne ..." is always true: join negative comparisons with -and`,
            });
            break;
          }
          seen.set(o.property, v);
        }
      }
    }
    n.operands.forEach(visit);
  };
  visit(ast);
  return out;
}

/**
 * A validated device filter rule.
 *
 * - `DeviceFilter.parse(rule)` accepts the Entra grammar and throws DeviceFilterError otherwise.
 * - `toString()` is the canonical rule: what components emit and what `equals` compares.
 * - `matches(device)` evaluates the rule against a Graph device (`null` = unregistered device).
 */
export class DeviceFilter {
  /** The canonical AST (deeply frozen). */
  readonly ast: FilterNode;
  /** Every comparison in the rule, left to right. */
  readonly comparisons: readonly CompareNode[];
  /** Things accepted but worth telling the author (values trimmed, risky rules). */
  readonly warnings: readonly DeviceFilterWarning[];
  private readonly canonical: string;
  /** Compiled on the first evaluation (a rule only parsed and printed is never compiled). */
  private predicate: DevicePredicate | undefined;

  private constructor(ast: FilterNode, canonical: string, warnings: DeviceFilterWarning[]) {
    this.ast = deepFreeze(ast);
    this.canonical = canonical;
    this.comparisons = Object.freeze(comparisonsOf(ast));
    this.warnings = Object.freeze([...warnings, ...ruleWarnings(ast, this.comparisons)]);
  }

  /** Parse and validate a rule. Throws DeviceFilterError with the position of the first fault. */
  static parse(rule: string): DeviceFilter {
    const { ast, warnings } = parseRule(rule);
    const canonical = printNode(ast);
    if (canonical.length > MAX_RULE_LENGTH) {
      // Canonical form adds hyphens and spaces; what we would emit must fit too.
      throw new DeviceFilterError({
        code: DeviceFilterErrorCode.TooLong,
        rule,
        position: 0,
        token: rule.slice(0, 20),
        problem: `the canonical form of this rule is ${canonical.length} characters long; Entra accepts at most ${MAX_RULE_LENGTH}`,
        expected: `a rule whose canonical form has at most ${MAX_RULE_LENGTH} characters`,
        fix: "shorten the rule: use -in lists where the property allows them, or split it across policies",
      });
    }
    return new DeviceFilter(ast, canonical, warnings);
  }

  /**
   * A filter from an AST (e.g. built by hand or by the builder). The AST is printed and parsed
   * again, so anything the parser would reject throws DeviceFilterError here too.
   */
  static fromAst(node: FilterNode): DeviceFilter {
    return DeviceFilter.parse(printNode(node));
  }

  /** The canonical rule text. */
  toString(): string {
    return this.canonical;
  }

  /** JSON form: the canonical rule text. */
  toJSON(): string {
    return this.canonical;
  }

  /** Whether the rule is true for `device`; `null`/`undefined` is an unregistered device. */
  matches(device: GraphDevice | null | undefined): boolean {
    return (this.predicate ??= generateFilter(this.ast))(device);
  }

  /**
   * The rule as a plain function, compiled to code of its own (see generateFilter): what a loop
   * over many rules calls, without the method dispatch of `matches`.
   */
  predicateFunction(): DevicePredicate {
    return (this.predicate ??= generateFilter(this.ast));
  }

  /**
   * Structural equality of the canonical forms: same comparisons in the same order, values
   * equal exactly (free-text values keep their case; fixed values are already canonical).
   */
  equals(other: DeviceFilter): boolean {
    return other instanceof DeviceFilter && this.canonical === other.canonical;
  }
}
