/**
 * Platforms of registered devices, as device-filter formulas over operatingSystem (mirrors
 * ../whatif/evaluate.ts platformOf).
 */
import type { CompareNode, FilterNode } from "../device-filter";

export function os(operator: "-eq" | "-startsWith", value: string): CompareNode {
  return { kind: "compare", property: "operatingSystem", operator, value };
}
export function anyOf(...nodes: FilterNode[]): FilterNode {
  return nodes.length === 1 ? nodes[0] : { kind: "or", operands: nodes };
}

export const WINDOWS_PHONE = anyOf(os("-startsWith", "WindowsPhone"), os("-eq", "Windows Phone"));

/** Which operatingSystem values `platformOf` maps to each platform, as device filter ASTs. */
export const PLATFORM_RULES: Readonly<Record<string, FilterNode>> = {
  windowsPhone: WINDOWS_PHONE,
  windows: { kind: "and", operands: [os("-startsWith", "Windows"), { kind: "not", operand: WINDOWS_PHONE }] },
  iOS: anyOf(os("-eq", "iOS"), os("-eq", "iPadOS")),
  android: os("-startsWith", "Android"),
  macOS: anyOf(os("-eq", "macOS"), os("-eq", "MacMDM"), os("-eq", "Mac OS X"), os("-eq", "OSX")),
  linux: anyOf(os("-startsWith", "Linux"), os("-eq", "Ubuntu"), os("-eq", "RedHat")),
};

export function canonicalPlatform(name: string): string | undefined {
  return Object.keys(PLATFORM_RULES).find((p) => p.toLowerCase() === name.toLowerCase());
}
