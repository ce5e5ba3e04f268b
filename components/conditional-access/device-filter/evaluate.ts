/**
 * Offline evaluation of a device filter against Microsoft Graph device objects.
 *
 * Semantics (docs/design/device-filter-semantics.md):
 * - `null`/`undefined` is an unregistered device: every property is *none*. A registered device
 *   lacking an attribute (missing, null, or not a string) also has *none* for it.
 * - Positive operators with *none* are false; negative operators are their exact negation, so
 *   they are true with *none*.
 * - String comparison is case-insensitive (Graph reports `AzureAd`, rules say `AzureAD`).
 * - `physicalIds`/`systemLabels` are collections: `-contains` means some element equals the
 *   whole value. A plain string there is treated as a one-element collection.
 * - `isCompliant` accepts `true`/`false` and the strings "true"/"false" in any casing (CSV).
 *
 * The AST is compiled once into closures; evaluating allocates nothing for ASCII data.
 */
import { CompareNode, DeviceProperty, FilterNode, isNegativeOperator, positiveOperator } from "./ast";

/** The `onPremisesExtensionAttributes` object of a Graph device. */
export interface GraphDeviceExtensionAttributes {
  extensionAttribute1?: string | null;
  extensionAttribute2?: string | null;
  extensionAttribute3?: string | null;
  extensionAttribute4?: string | null;
  extensionAttribute5?: string | null;
  extensionAttribute6?: string | null;
  extensionAttribute7?: string | null;
  extensionAttribute8?: string | null;
  extensionAttribute9?: string | null;
  extensionAttribute10?: string | null;
  extensionAttribute11?: string | null;
  extensionAttribute12?: string | null;
  extensionAttribute13?: string | null;
  extensionAttribute14?: string | null;
  extensionAttribute15?: string | null;
}

/**
 * A Microsoft Graph `device` object (https://learn.microsoft.com/graph/api/resources/device),
 * restricted to what filters read. Extension attributes may be nested in `extensionAttributes`
 * (Graph) or flat (`extensionAttribute1` ...: CSV exports); the nested value wins when both are
 * set. A `@microsoft/microsoft-graph-types` `Device` is assignable to it; other fields are ignored.
 */
export interface GraphDevice extends GraphDeviceExtensionAttributes {
  deviceId?: string | null;
  displayName?: string | null;
  /** Graph reports `AzureAd`, `ServerAd`, `Workplace`; compared case-insensitively. */
  trustType?: string | null;
  /** `true`/`false`, or "true"/"false" from CSV. */
  isCompliant?: boolean | string | null;
  deviceOwnership?: string | null;
  operatingSystem?: string | null;
  operatingSystemVersion?: string | null;
  manufacturer?: string | null;
  model?: string | null;
  physicalIds?: readonly string[] | string | null;
  systemLabels?: readonly string[] | string | null;
  profileType?: string | null;
  mdmAppId?: string | null;
  enrollmentProfileName?: string | null;
  extensionAttributes?: GraphDeviceExtensionAttributes | null;
  /** Directory object id (not read by filters; named so inventories type-check). */
  id?: string | null;
  accountEnabled?: boolean | null;
}

/** Evaluates a rule for one device (`null` = unregistered). */
export type DevicePredicate = (device: GraphDevice | null | undefined) => boolean;

type Reader = (device: GraphDevice) => unknown;

// One literal reader per property keeps every property load monomorphic and fast.
const READERS: Record<DeviceProperty, Reader> = {
  deviceId: (d) => d.deviceId,
  displayName: (d) => d.displayName,
  deviceOwnership: (d) => d.deviceOwnership,
  enrollmentProfileName: (d) => d.enrollmentProfileName,
  isCompliant: (d) => d.isCompliant,
  manufacturer: (d) => d.manufacturer,
  mdmAppId: (d) => d.mdmAppId,
  model: (d) => d.model,
  operatingSystem: (d) => d.operatingSystem,
  operatingSystemVersion: (d) => d.operatingSystemVersion,
  physicalIds: (d) => d.physicalIds,
  profileType: (d) => d.profileType,
  systemLabels: (d) => d.systemLabels,
  trustType: (d) => d.trustType,
  extensionAttribute1: (d) => d.extensionAttributes?.extensionAttribute1 ?? d.extensionAttribute1,
  extensionAttribute2: (d) => d.extensionAttributes?.extensionAttribute2 ?? d.extensionAttribute2,
  extensionAttribute3: (d) => d.extensionAttributes?.extensionAttribute3 ?? d.extensionAttribute3,
  extensionAttribute4: (d) => d.extensionAttributes?.extensionAttribute4 ?? d.extensionAttribute4,
  extensionAttribute5: (d) => d.extensionAttributes?.extensionAttribute5 ?? d.extensionAttribute5,
  extensionAttribute6: (d) => d.extensionAttributes?.extensionAttribute6 ?? d.extensionAttribute6,
  extensionAttribute7: (d) => d.extensionAttributes?.extensionAttribute7 ?? d.extensionAttribute7,
  extensionAttribute8: (d) => d.extensionAttributes?.extensionAttribute8 ?? d.extensionAttribute8,
  extensionAttribute9: (d) => d.extensionAttributes?.extensionAttribute9 ?? d.extensionAttribute9,
  extensionAttribute10: (d) => d.extensionAttributes?.extensionAttribute10 ?? d.extensionAttribute10,
  extensionAttribute11: (d) => d.extensionAttributes?.extensionAttribute11 ?? d.extensionAttribute11,
  extensionAttribute12: (d) => d.extensionAttributes?.extensionAttribute12 ?? d.extensionAttribute12,
  extensionAttribute13: (d) => d.extensionAttributes?.extensionAttribute13 ?? d.extensionAttribute13,
  extensionAttribute14: (d) => d.extensionAttributes?.extensionAttribute14 ?? d.extensionAttribute14,
  extensionAttribute15: (d) => d.extensionAttributes?.extensionAttribute15 ?? d.extensionAttribute15,
};

/** The value of `property` on `device`, as Graph returns it (undefined for an unregistered device). */
export function readDeviceProperty(device: GraphDevice | null | undefined, property: DeviceProperty): unknown {
  return device == null ? undefined : READERS[property](device);
}

// ---------------------------------------------------------------------------------------------
// Case-insensitive comparison without allocation. `lower` is the rule value, already lower-cased;
// `nonAscii` says whether it holds non-ASCII characters. ASCII data is folded character by
// character; anything else falls back to String#toLowerCase.
// ---------------------------------------------------------------------------------------------

function hasNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 128) return true;
  return false;
}

/** Compare `s[offset..offset+lower.length)` with `lower`: 1 equal, 0 different, -1 needs the slow path. */
function regionFold(s: string, offset: number, lower: string): number {
  const n = lower.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(offset + i);
    const e = lower.charCodeAt(i);
    if (c === e) continue;
    if (c >= 65 && c <= 90) {
      if (c + 32 === e) continue;
      return 0;
    }
    if (c >= 128) return -1;
    return 0;
  }
  return 1;
}

export function equalsIgnoreCase(s: string, lower: string, nonAscii: boolean): boolean {
  if (s.length !== lower.length) return nonAscii && s.toLowerCase() === lower;
  const r = regionFold(s, 0, lower);
  return r === 1 || (r === -1 && s.toLowerCase() === lower);
}

export function startsWithIgnoreCase(s: string, lower: string, nonAscii: boolean): boolean {
  if (s.length < lower.length) return nonAscii && s.toLowerCase().startsWith(lower);
  const r = regionFold(s, 0, lower);
  return r === 1 || (r === -1 && s.toLowerCase().startsWith(lower));
}

export function endsWithIgnoreCase(s: string, lower: string, nonAscii: boolean): boolean {
  if (s.length < lower.length) return nonAscii && s.toLowerCase().endsWith(lower);
  const r = regionFold(s, s.length - lower.length, lower);
  return r === 1 || (r === -1 && s.toLowerCase().endsWith(lower));
}

export function containsIgnoreCase(s: string, lower: string, nonAscii: boolean): boolean {
  if (nonAscii) return s.toLowerCase().includes(lower);
  const last = s.length - lower.length;
  for (let i = 0; i <= last; i++) {
    const r = regionFold(s, i, lower);
    if (r === 1) return true;
    if (r === -1) return s.toLowerCase().includes(lower);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------------------------

type StringTest = (s: string) => boolean;

/** A string attribute's value, or undefined for *none*. Numbers from CSV count as their text. */
function asString(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  return undefined;
}

function stringTest(op: string, lower: string, nonAscii: boolean): StringTest {
  switch (op) {
    case "-eq":
      return (s) => equalsIgnoreCase(s, lower, nonAscii);
    case "-startsWith":
      return (s) => startsWithIgnoreCase(s, lower, nonAscii);
    case "-endsWith":
      return (s) => endsWithIgnoreCase(s, lower, nonAscii);
    case "-contains":
      return (s) => containsIgnoreCase(s, lower, nonAscii);
    default:
      throw new Error(`internal: no string test for ${op}`);
  }
}

/**
 * A comparison as one closure. Negative operators are the exact negation of their positive
 * counterpart (so *none* gives true); `negate` is folded into the closure (`result !== negate`)
 * rather than wrapped around it, which saves a call per evaluation.
 */
function compileCompare(node: CompareNode): DevicePredicate {
  const read = READERS[node.property];
  const op = positiveOperator(node.operator);
  const negate = isNegativeOperator(node.operator);
  const value = node.value;

  if (typeof value === "boolean") {
    // isCompliant: true/false, or "true"/"false" in any casing.
    const text = value ? "true" : "false";
    return (d) => {
      if (d == null) return negate;
      const v = read(d);
      if (typeof v === "boolean") return (v === value) !== negate;
      return (typeof v === "string" && equalsIgnoreCase(v, text, false)) !== negate;
    };
  }

  if (typeof value !== "string") {
    // -in: equal to one of the listed values.
    const lowers = value.map((x) => x.toLowerCase());
    const flags = lowers.map(hasNonAscii);
    const n = lowers.length;
    return (d) => {
      if (d == null) return negate;
      const s = asString(read(d));
      if (s === undefined) return negate;
      for (let i = 0; i < n; i++) if (equalsIgnoreCase(s, lowers[i], flags[i])) return !negate;
      return negate;
    };
  }

  const lower = value.toLowerCase();
  const nonAscii = hasNonAscii(lower);

  if (node.property === "physicalIds" || node.property === "systemLabels") {
    // Collections: -contains = some element equals the whole value.
    return (d) => {
      if (d == null) return negate;
      const v = read(d);
      if (typeof v === "string") return equalsIgnoreCase(v, lower, nonAscii) !== negate;
      if (!Array.isArray(v)) return negate;
      for (let i = 0; i < v.length; i++) {
        const el: unknown = v[i];
        if (typeof el === "string" && equalsIgnoreCase(el, lower, nonAscii)) return !negate;
      }
      return negate;
    };
  }

  // -eq/-ne and -startsWith (the commonest) get their own closures; the others share one through a test function.
  if (op === "-eq") {
    return (d) => {
      if (d == null) return negate;
      const v = read(d);
      const s = typeof v === "string" ? v : asString(v);
      return s === undefined ? negate : equalsIgnoreCase(s, lower, nonAscii) !== negate;
    };
  }
  if (op === "-startsWith") {
    return (d) => {
      if (d == null) return negate;
      const v = read(d);
      const s = typeof v === "string" ? v : asString(v);
      return s === undefined ? negate : startsWithIgnoreCase(s, lower, nonAscii) !== negate;
    };
  }
  const test = stringTest(op, lower, nonAscii);
  return (d) => {
    if (d == null) return negate;
    const s = asString(read(d));
    return s === undefined ? negate : test(s) !== negate;
  };
}

/** Compile a filter AST into a predicate over Graph devices. */
export function compileFilter(node: FilterNode): DevicePredicate {
  switch (node.kind) {
    case "compare":
      return compileCompare(node);
    case "not": {
      const inner = compileFilter(node.operand);
      return (d) => !inner(d);
    }
    case "and": {
      const parts = node.operands.map(compileFilter);
      if (parts.length === 2) {
        const [a, b] = parts;
        return (d) => a(d) && b(d);
      }
      if (parts.length === 3) {
        const [a, b, c] = parts;
        return (d) => a(d) && b(d) && c(d);
      }
      return (d) => {
        for (let i = 0; i < parts.length; i++) if (!parts[i](d)) return false;
        return true;
      };
    }
    case "or": {
      const parts = node.operands.map(compileFilter);
      if (parts.length === 2) {
        const [a, b] = parts;
        return (d) => a(d) || b(d);
      }
      if (parts.length === 3) {
        const [a, b, c] = parts;
        return (d) => a(d) || b(d) || c(d);
      }
      return (d) => {
        for (let i = 0; i < parts.length; i++) if (parts[i](d)) return true;
        return false;
      };
    }
  }
}
