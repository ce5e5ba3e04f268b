/**
 * The vocabulary of Entra Conditional Access "filter for devices" rules: properties, operators,
 * fixed values, the AST the parser produces, and the canonical printer.
 *
 * Pure data and functions: no Pulumi import. The facts, with their Microsoft sources, are in
 * docs/conditional-access.md ("Device filter language").
 */

/** Maximum length of a filter rule, in characters (same limit as dynamic group rules). */
export const MAX_RULE_LENGTH = 3072;

/** Deepest nesting of parentheses and `-not` the parser accepts (guards the recursion). */
export const MAX_NESTING_DEPTH = 100;

/** `device.trustType` values: how the device is registered in Entra ID. */
export const TrustType = {
  /** Microsoft Entra joined. */
  AzureAD: "AzureAD",
  /** Microsoft Entra hybrid joined (domain joined, synchronised with Entra Connect). */
  ServerAD: "ServerAD",
  /** Microsoft Entra registered (personal / bring-your-own device). */
  Workplace: "Workplace",
} as const;
export type TrustType = (typeof TrustType)[keyof typeof TrustType];

/** `device.deviceOwnership` values. */
export const DeviceOwnership = {
  Company: "Company",
  Personal: "Personal",
} as const;
export type DeviceOwnership = (typeof DeviceOwnership)[keyof typeof DeviceOwnership];

/** `device.profileType` values (`RegisteredDevice` is the default). */
export const ProfileType = {
  RegisteredDevice: "RegisteredDevice",
  SecureVM: "SecureVM",
  Printer: "Printer",
  Shared: "Shared",
  IoT: "IoT",
} as const;
export type ProfileType = (typeof ProfileType)[keyof typeof ProfileType];

/** Comparison operators, in their canonical spelling (leading hyphen, camelCase). */
export const FilterOperator = {
  Eq: "-eq",
  Ne: "-ne",
  StartsWith: "-startsWith",
  NotStartsWith: "-notStartsWith",
  EndsWith: "-endsWith",
  NotEndsWith: "-notEndsWith",
  Contains: "-contains",
  NotContains: "-notContains",
  In: "-in",
  NotIn: "-notIn",
} as const;
export type FilterOperator = (typeof FilterOperator)[keyof typeof FilterOperator];

/** Every comparison operator, in table order. */
export const FILTER_OPERATORS: readonly FilterOperator[] = Object.values(FilterOperator);

/**
 * Negative operators are true for a device without a value (an unregistered device, or an
 * attribute the device lacks); positive ones are false. Each negative operator is exactly the
 * negation of its positive counterpart.
 */
export const NEGATIVE_OPERATORS: readonly FilterOperator[] = ["-ne", "-notStartsWith", "-notEndsWith", "-notContains", "-notIn"];

/** Whether an operator is a negation (`-ne`, `-notIn`, `-notContains`, ...). */
export function isNegativeOperator(op: FilterOperator): boolean {
  return NEGATIVE_OPERATORS.includes(op);
}

/** The positive counterpart of a negative operator (`-ne` -> `-eq`); positive operators map to themselves. */
export function positiveOperator(op: FilterOperator): FilterOperator {
  switch (op) {
    case "-ne":
      return "-eq";
    case "-notStartsWith":
      return "-startsWith";
    case "-notEndsWith":
      return "-endsWith";
    case "-notContains":
      return "-contains";
    case "-notIn":
      return "-in";
    default:
      return op;
  }
}

const STRING_OPERATORS: readonly FilterOperator[] = FILTER_OPERATORS;
const EQUALITY_OPERATORS: readonly FilterOperator[] = ["-eq", "-ne"];
const ID_OPERATORS: readonly FilterOperator[] = ["-eq", "-ne", "-in", "-notIn"];
const COLLECTION_OPERATORS: readonly FilterOperator[] = ["-contains", "-notContains"];

/** How many extension attributes a device has (`extensionAttribute1` to `extensionAttribute15`). */
export const EXTENSION_ATTRIBUTE_COUNT = 15;

/** The names of the extension attributes: `extensionAttribute1` to `extensionAttribute15`. */
export type ExtensionAttributeName =
  | "extensionAttribute1"
  | "extensionAttribute2"
  | "extensionAttribute3"
  | "extensionAttribute4"
  | "extensionAttribute5"
  | "extensionAttribute6"
  | "extensionAttribute7"
  | "extensionAttribute8"
  | "extensionAttribute9"
  | "extensionAttribute10"
  | "extensionAttribute11"
  | "extensionAttribute12"
  | "extensionAttribute13"
  | "extensionAttribute14"
  | "extensionAttribute15";

/** A device property a Conditional Access filter can test, in canonical camelCase. */
export type DeviceProperty =
  | "deviceId"
  | "displayName"
  | "deviceOwnership"
  | "enrollmentProfileName"
  | "isCompliant"
  | "manufacturer"
  | "mdmAppId"
  | "model"
  | "operatingSystem"
  | "operatingSystemVersion"
  | "physicalIds"
  | "profileType"
  | "systemLabels"
  | "trustType"
  | ExtensionAttributeName;

/** What a property accepts and how it behaves. */
export interface DevicePropertySpec {
  /** Canonical camelCase name, as written after `device.`. */
  readonly name: DeviceProperty;
  /** The operators Entra allows on this property, canonical spelling. */
  readonly operators: readonly FilterOperator[];
  /** For properties with a fixed set of values: those values in canonical casing; otherwise undefined. */
  readonly values: readonly string[] | undefined;
  /** True for `isCompliant`, whose value is `True` or `False`. */
  readonly boolean: boolean;
  /** True for string collections (`physicalIds`, `systemLabels`): `-contains` matches a whole element. */
  readonly collection: boolean;
  /** True when the device's user can change the value: never rely on such a property alone. */
  readonly userChangeable: boolean;
}

function spec(
  name: DeviceProperty,
  operators: readonly FilterOperator[],
  options: { values?: readonly string[]; boolean?: boolean; collection?: boolean; userChangeable?: boolean } = {},
): DevicePropertySpec {
  return Object.freeze({
    name,
    operators,
    values: options.values,
    boolean: options.boolean ?? false,
    collection: options.collection ?? false,
    userChangeable: options.userChangeable ?? false,
  });
}

function extensionAttributeSpecs(): Record<ExtensionAttributeName, DevicePropertySpec> {
  const out: Partial<Record<ExtensionAttributeName, DevicePropertySpec>> = {};
  for (let n = 1; n <= EXTENSION_ATTRIBUTE_COUNT; n++) {
    const name = `extensionAttribute${n}` as ExtensionAttributeName;
    out[name] = spec(name, STRING_OPERATORS);
  }
  return out as Record<ExtensionAttributeName, DevicePropertySpec>;
}

/** The property/operator table of the reference (section 1.1), keyed by canonical property name. */
export const DEVICE_FILTER_PROPERTIES: Readonly<Record<DeviceProperty, DevicePropertySpec>> = Object.freeze({
  deviceId: spec("deviceId", ID_OPERATORS),
  displayName: spec("displayName", STRING_OPERATORS, { userChangeable: true }),
  deviceOwnership: spec("deviceOwnership", EQUALITY_OPERATORS, { values: Object.values(DeviceOwnership) }),
  enrollmentProfileName: spec("enrollmentProfileName", STRING_OPERATORS),
  isCompliant: spec("isCompliant", EQUALITY_OPERATORS, { boolean: true }),
  manufacturer: spec("manufacturer", STRING_OPERATORS, { userChangeable: true }),
  mdmAppId: spec("mdmAppId", ID_OPERATORS),
  model: spec("model", STRING_OPERATORS, { userChangeable: true }),
  operatingSystem: spec("operatingSystem", STRING_OPERATORS),
  operatingSystemVersion: spec("operatingSystemVersion", STRING_OPERATORS),
  physicalIds: spec("physicalIds", COLLECTION_OPERATORS, { collection: true }),
  profileType: spec("profileType", EQUALITY_OPERATORS, { values: Object.values(ProfileType) }),
  systemLabels: spec("systemLabels", COLLECTION_OPERATORS, { collection: true }),
  trustType: spec("trustType", EQUALITY_OPERATORS, { values: Object.values(TrustType) }),
  ...extensionAttributeSpecs(),
});

/** Every property name, in table order. */
export const DEVICE_PROPERTIES: readonly DeviceProperty[] = Object.keys(DEVICE_FILTER_PROPERTIES) as DeviceProperty[];

// ---------------------------------------------------------------------------------------------
// AST
// ---------------------------------------------------------------------------------------------

/**
 * A comparison value: `boolean` for `isCompliant`, a non-empty `string[]` for `-in`/`-notIn`,
 * otherwise a `string`. Strings are trimmed and non-empty; properties with fixed values carry the
 * canonical casing (`AzureAD`, `Company`, `SecureVM`).
 */
export type FilterValue = string | boolean | readonly string[];

/** `device.<property> <operator> <value>` */
export interface CompareNode {
  readonly kind: "compare";
  readonly property: DeviceProperty;
  readonly operator: FilterOperator;
  readonly value: FilterValue;
}

/** All operands true. At least two operands, none of them itself an "and" (nested ands are flattened). */
export interface AndNode {
  readonly kind: "and";
  readonly operands: readonly FilterNode[];
}

/** At least one operand true. At least two operands, none of them itself an "or" (flattened). */
export interface OrNode {
  readonly kind: "or";
  readonly operands: readonly FilterNode[];
}

/** `-not <operand>`: the operand is false. */
export interface NotNode {
  readonly kind: "not";
  readonly operand: FilterNode;
}

/** A parsed device filter rule. Parentheses leave no node: they only shape the tree. */
export type FilterNode = CompareNode | AndNode | OrNode | NotNode;

/**
 * Build an "and"/"or" node in normal form: nested nodes of the same kind are flattened and a
 * single operand is returned as is.
 */
export function joinNodes(kind: "and" | "or", operands: readonly FilterNode[]): FilterNode {
  const flat: FilterNode[] = [];
  for (const op of operands) {
    if (op.kind === kind) flat.push(...op.operands);
    else flat.push(op);
  }
  if (flat.length === 0) throw new RangeError(`an "${kind}" needs at least one operand`);
  if (flat.length === 1) return flat[0];
  return kind === "and" ? { kind: "and", operands: flat } : { kind: "or", operands: flat };
}

/** Every comparison in the tree, left to right. */
export function comparisonsOf(node: FilterNode): CompareNode[] {
  const out: CompareNode[] = [];
  const visit = (n: FilterNode): void => {
    if (n.kind === "compare") out.push(n);
    else if (n.kind === "not") visit(n.operand);
    else n.operands.forEach(visit);
  };
  visit(node);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Canonical printer
// ---------------------------------------------------------------------------------------------

/** Quote a string value: double quotes, `"` escaped with a backtick. */
export function quoteValue(value: string): string {
  return `"${value.replace(/"/g, '`"')}"`;
}

function printValue(value: FilterValue): string {
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") return quoteValue(value);
  return `[${value.map(quoteValue).join(", ")}]`;
}

/** Precedence, tightest first: comparison (and -not over it), -and, -or. */
function rank(node: FilterNode): number {
  switch (node.kind) {
    case "compare":
    case "not":
      return 0;
    case "and":
      return 1;
    case "or":
      return 2;
  }
}

function printOperand(node: FilterNode, maxRank: number): string {
  const text = printNode(node);
  return rank(node) > maxRank ? `(${text})` : text;
}

/**
 * The canonical text of a node: `device.<property> -<op> "<value>"`, logical operators `-and`,
 * `-or`, `-not`, parentheses only where precedence needs them.
 */
export function printNode(node: FilterNode): string {
  switch (node.kind) {
    case "compare":
      return `device.${node.property} ${node.operator} ${printValue(node.value)}`;
    case "not":
      return `-not ${printOperand(node.operand, 0)}`;
    case "and":
      return node.operands.map((o) => printOperand(o, 0)).join(" -and ");
    case "or":
      return node.operands.map((o) => printOperand(o, 1)).join(" -or ");
  }
}
