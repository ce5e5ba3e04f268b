/**
 * Deprecated arg names: an arg that changed name keeps its old name for one minor version. The pure
 * validator maps the old name to the new one and lists what it mapped as `deprecations`; the
 * component turns each into a `pulumi.log.warn` at preview. No Pulumi here.
 */
import type { InputProblem } from "../errors";

/** An old arg name the args used, and the name that replaces it (dotted paths inside the args). */
export interface Deprecation {
  /** The deprecated field as written, e.g. "users.includeGroups". */
  field: string;
  /** The field that replaces it, e.g. "users.includeGroupIds". */
  replacement: string;
}

/** The warning a component logs for a deprecated field. */
export function deprecationWarning(component: string, resourceName: string, d: Deprecation): string {
  return `${component} "${resourceName}": ${d.field} is deprecated and will be removed in the next minor version; rename it to ${d.replacement} (same value, same meaning)`;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The value of `newKey` in `holder`, or of its deprecated alias `oldKey` when only that is given.
 * Using the old name adds a deprecation; giving both with different values adds a problem naming
 * both fields (the same value twice is accepted, with the deprecation). `prefix` is the dotted path
 * of `holder` inside the args ("" at the top, "users." below). Returns the value and the field name
 * the user wrote, so later problems about the value name the field they can find.
 */
export function aliasedField<T>(
  holder: Record<string, unknown> | undefined,
  prefix: string,
  oldKey: string,
  newKey: string,
  problems: InputProblem[],
  deprecations: Deprecation[],
): { value: T | undefined; field: string } {
  const oldField = `${prefix}${oldKey}`;
  const newField = `${prefix}${newKey}`;
  const oldValue = holder?.[oldKey];
  const newValue = holder?.[newKey];
  if (oldValue === undefined) return { value: newValue as T | undefined, field: newField };
  deprecations.push({ field: oldField, replacement: newField });
  if (newValue === undefined) return { value: oldValue as T, field: oldField };
  if (!same(oldValue, newValue)) {
    problems.push({
      field: oldField,
      value: oldValue,
      problem: `given together with ${newField}, which replaces it, with a different value`,
      fix: `keep only ${newField}: remove the deprecated ${oldField}`,
    });
  }
  return { value: newValue as T, field: newField };
}
