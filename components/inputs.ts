import * as pulumi from "@pulumi/pulumi";

/**
 * True when a component's args hold no Output or Promise anywhere, so they can be validated right
 * now, while the program runs, before anything is registered.
 */
export function isPlainValue(value: unknown): boolean {
  if (pulumi.Output.isInstance(value) || value instanceof Promise) return false;
  if (Array.isArray(value)) return value.every(isPlainValue);
  if (value && typeof value === "object") return Object.values(value).every(isPlainValue);
  return true;
}
