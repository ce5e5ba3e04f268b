/**
 * A typed builder for common device filter rules, valid by construction:
 *
 *   deviceRule.trustType.notAnyOf(["AzureAD", "ServerAD"]).build()
 *     -> device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"
 *   deviceRule.isCompliant.eq(true).and(deviceRule.deviceOwnership.eq("Company")).build()
 *
 * Each property offers only the operators Entra allows on it. `anyOf`/`notAnyOf` use `-in`/
 * `-notIn` where the property has them and otherwise expand to `-eq ... -or` / `-ne ... -and`
 * (never the always-true `-ne ... -or -ne ...`). Every comparison is checked by the parser when
 * it is created, so a bad value (empty, unknown enum value) throws DeviceFilterError right there.
 */
import {
  DeviceOwnership,
  DeviceProperty,
  EXTENSION_ATTRIBUTE_COUNT,
  FilterNode,
  FilterOperator,
  ProfileType,
  TrustType,
  joinNodes,
  printNode,
} from "./ast";
import { DeviceFilter } from "./device-filter";

/** An expression under construction. Immutable: every method returns a new expression. */
export class DeviceRuleExpr {
  constructor(
    /** The canonical AST of this expression. */
    readonly node: FilterNode,
  ) {}

  /** This expression `-and` the others. */
  and(...others: DeviceRuleExpr[]): DeviceRuleExpr {
    return new DeviceRuleExpr(joinNodes("and", [this.node, ...others.map((o) => o.node)]));
  }

  /** This expression `-or` the others. */
  or(...others: DeviceRuleExpr[]): DeviceRuleExpr {
    return new DeviceRuleExpr(joinNodes("or", [this.node, ...others.map((o) => o.node)]));
  }

  /** `-not` this expression. */
  not(): DeviceRuleExpr {
    return new DeviceRuleExpr({ kind: "not", operand: this.node });
  }

  /** The finished, validated filter. */
  build(): DeviceFilter {
    return DeviceFilter.fromAst(this.node);
  }

  /** The canonical rule text. */
  toString(): string {
    return printNode(this.node);
  }
}

/** A property with `-eq`/`-ne` only (fixed values, or `-in` where allowed). */
export interface EqualityPropertyBuilder<V extends string> {
  /** Equal to the value (`-eq`). */
  eq(value: V): DeviceRuleExpr;
  /** Not equal to the value (`-ne`). */
  ne(value: V): DeviceRuleExpr;
  /** Equal to one of the values (`-in` where allowed, else `-eq ... -or -eq ...`). */
  anyOf(values: readonly V[]): DeviceRuleExpr;
  /** Equal to none of the values (`-notIn` where allowed, else `-ne ... -and -ne ...`). True for devices without a value. */
  notAnyOf(values: readonly V[]): DeviceRuleExpr;
}

/** `deviceId`, `mdmAppId`: `-eq -ne -in -notIn`. */
export interface IdPropertyBuilder extends EqualityPropertyBuilder<string> {
  /** Equal to one of the values (`-in`). */
  in(values: readonly string[]): DeviceRuleExpr;
  /** Equal to none of the values (`-notIn`). */
  notIn(values: readonly string[]): DeviceRuleExpr;
}

/** Free-text properties: every string operator. */
export interface StringPropertyBuilder extends IdPropertyBuilder {
  /** Starts with the value (`-startsWith`). */
  startsWith(value: string): DeviceRuleExpr;
  /** Does not start with the value (`-notStartsWith`). */
  notStartsWith(value: string): DeviceRuleExpr;
  /** Ends with the value (`-endsWith`). */
  endsWith(value: string): DeviceRuleExpr;
  /** Does not end with the value (`-notEndsWith`). */
  notEndsWith(value: string): DeviceRuleExpr;
  /** Substring match (case-insensitive). */
  contains(value: string): DeviceRuleExpr;
  /** No substring match (`-notContains`). */
  notContains(value: string): DeviceRuleExpr;
}

/** `physicalIds`, `systemLabels`: `-contains` matches a whole element. */
export interface CollectionPropertyBuilder {
  /** One element is the value (`-contains`). */
  contains(value: string): DeviceRuleExpr;
  /** No element is the value (`-notContains`). */
  notContains(value: string): DeviceRuleExpr;
}

/** `isCompliant`. */
export interface BooleanPropertyBuilder {
  /** Equal to the value (`-eq True` / `-eq False`). */
  eq(value: boolean): DeviceRuleExpr;
  /** Not equal to the value (`-ne`). */
  ne(value: boolean): DeviceRuleExpr;
}

/** One comparison, checked by the parser now (so errors surface where the rule is written). */
function compare(property: DeviceProperty, operator: FilterOperator, value: string | boolean | readonly string[]): DeviceRuleExpr {
  const node: FilterNode = { kind: "compare", property, operator, value: Array.isArray(value) ? [...value] : value };
  return new DeviceRuleExpr(DeviceFilter.fromAst(node).ast);
}

function requireValues(property: DeviceProperty, values: readonly unknown[]): void {
  if (values.length === 0) throw new RangeError(`device.${property}: anyOf/notAnyOf/in/notIn need at least one value`);
}

function equality<V extends string>(property: DeviceProperty, hasIn: boolean): EqualityPropertyBuilder<V> {
  return {
    eq: (v) => compare(property, "-eq", v),
    ne: (v) => compare(property, "-ne", v),
    anyOf(values) {
      requireValues(property, values);
      if (values.length === 1) return compare(property, "-eq", values[0]);
      if (hasIn) return compare(property, "-in", values);
      return new DeviceRuleExpr(joinNodes("or", values.map((v) => compare(property, "-eq", v).node)));
    },
    notAnyOf(values) {
      requireValues(property, values);
      if (values.length === 1) return compare(property, "-ne", values[0]);
      if (hasIn) return compare(property, "-notIn", values);
      return new DeviceRuleExpr(joinNodes("and", values.map((v) => compare(property, "-ne", v).node)));
    },
  };
}

function id(property: DeviceProperty): IdPropertyBuilder {
  return {
    ...equality<string>(property, true),
    in(values) {
      requireValues(property, values);
      return compare(property, "-in", values);
    },
    notIn(values) {
      requireValues(property, values);
      return compare(property, "-notIn", values);
    },
  };
}

function text(property: DeviceProperty): StringPropertyBuilder {
  return {
    ...id(property),
    startsWith: (v) => compare(property, "-startsWith", v),
    notStartsWith: (v) => compare(property, "-notStartsWith", v),
    endsWith: (v) => compare(property, "-endsWith", v),
    notEndsWith: (v) => compare(property, "-notEndsWith", v),
    contains: (v) => compare(property, "-contains", v),
    notContains: (v) => compare(property, "-notContains", v),
  };
}

function collection(property: DeviceProperty): CollectionPropertyBuilder {
  return {
    contains: (v) => compare(property, "-contains", v),
    notContains: (v) => compare(property, "-notContains", v),
  };
}

function combine(kind: "and" | "or", exprs: DeviceRuleExpr[]): DeviceRuleExpr {
  if (exprs.length === 0) throw new RangeError(`deviceRule.${kind}() needs at least one expression`);
  return new DeviceRuleExpr(joinNodes(kind, exprs.map((e) => e.node)));
}

/** Entry point of the builder: one member per device property, plus and/or/not. */
export const deviceRule = {
  trustType: equality<TrustType>("trustType", false),
  deviceOwnership: equality<DeviceOwnership>("deviceOwnership", false),
  profileType: equality<ProfileType>("profileType", false),
  isCompliant: {
    eq: (v: boolean) => compare("isCompliant", "-eq", v),
    ne: (v: boolean) => compare("isCompliant", "-ne", v),
  } as BooleanPropertyBuilder,
  deviceId: id("deviceId"),
  mdmAppId: id("mdmAppId"),
  displayName: text("displayName"),
  enrollmentProfileName: text("enrollmentProfileName"),
  manufacturer: text("manufacturer"),
  model: text("model"),
  operatingSystem: text("operatingSystem"),
  operatingSystemVersion: text("operatingSystemVersion"),
  physicalIds: collection("physicalIds"),
  systemLabels: collection("systemLabels"),
  /** `device.extensionAttribute<n>`, n from 1 to 15 (RangeError otherwise). */
  extensionAttribute(n: number): StringPropertyBuilder {
    if (!Number.isInteger(n) || n < 1 || n > EXTENSION_ATTRIBUTE_COUNT) {
      throw new RangeError(`extensionAttribute(${n}): Entra has extensionAttribute1 to extensionAttribute${EXTENSION_ATTRIBUTE_COUNT}`);
    }
    return text(`extensionAttribute${n}` as DeviceProperty);
  },
  /** All of the expressions. */
  and: (...exprs: DeviceRuleExpr[]): DeviceRuleExpr => combine("and", exprs),
  /** Any of the expressions. */
  or: (...exprs: DeviceRuleExpr[]): DeviceRuleExpr => combine("or", exprs),
  /** The expression is false. */
  not: (expr: DeviceRuleExpr): DeviceRuleExpr => expr.not(),
} as const;
