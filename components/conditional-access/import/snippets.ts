/**
 * Output snippets: the TypeScript literal of the args and the `pulumi import` command.
 */
import type { PlainCorporateDeviceAccessArgs } from "../component/corporate-device-policy";
import type { PlainConditionalAccessPolicy } from "../policy-shape";
import type { PlainGraphConditionalAccessPolicyArgs } from "../graph-policy/normalise";
import { IMPORT_ID_PREFIX } from "./import";

export const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** TypeScript object literal for args: unquoted keys, short lists of strings on one line. */
export function tsLiteral(value: unknown, indent = ""): string {
  if (Array.isArray(value)) {
    const flat = `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
    if (value.every((v) => typeof v !== "object" || v === null) && flat.length <= 100) return flat;
    const inner = indent + "  ";
    return `[\n${value.map((v) => inner + tsLiteral(v, inner)).join(",\n")},\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const inner = indent + "  ";
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return "{}";
    const body = entries.map(([k, v]) => `${inner}${IDENTIFIER.test(k) ? k : JSON.stringify(k)}: ${tsLiteral(v, inner)}`).join(",\n");
    return `{\n${body},\n${indent}}`;
  }
  return JSON.stringify(value);
}

/**
 * A value quoted for a POSIX shell (sh, bash, zsh): in single quotes, where nothing is special,
 * with each ' written as '\''. The printed `pulumi import` lines quote every argument this way.
 */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

export function importIdOf(id: string): string {
  return `${IMPORT_ID_PREFIX}${id}`;
}

export function resourceSnippet(name: string, args: PlainConditionalAccessPolicy, id: string | undefined): string {
  const opts = id ? `, { import: ${JSON.stringify(importIdOf(id))} }` : "";
  return `new azuread.ConditionalAccessPolicy(${JSON.stringify(name)}, ${tsLiteral(args)}${opts});`;
}

export function componentSnippet(name: string, args: PlainCorporateDeviceAccessArgs): string {
  return `new CorporateDeviceAccess(${JSON.stringify(name)}, ${tsLiteral(args)});`;
}

/**
 * The Graph-native resource. With an id, the `import` option: the first `pulumi up` adopts the
 * policy by its id (the package's plugin reads it), and fails if it differs from the args.
 */
export function graphSnippet(name: string, args: PlainGraphConditionalAccessPolicyArgs, id: string | undefined): string {
  const opts = id ? `, { import: ${JSON.stringify(id)} }` : "";
  return `new ConditionalAccessPolicy(${JSON.stringify(name)}, ${tsLiteral(args)}${opts});`;
}
