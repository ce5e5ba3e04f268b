/**
 * Placeholders in template exports (<groupId>, $GroupId, %GroupId%...): found, and resolved from the
 * --map file.
 */
import { excerpt } from "./decode";
import { isAnnotationKey, isObject, Context } from "./fields";

/** Unresolved template tokens seen in public baselines. */
// Each pattern runs in linear time on any string (no unbounded backtracking), so a huge or
// hostile value cannot stall the import.
export const PLACEHOLDER_PATTERNS: RegExp[] = [
  /\$\{[^{}]*\}/g, // Simeon: ${urn:resource:MSGraph:Groups/<name>?$id}
  /\b([A-Z]{3,})_[^"]{0,256}?_\1\b/g, // DCToolbox: ENTRAGROUP_<name>_ENTRAGROUP (Entra names are at most 256 characters)
  /\$[A-Z][A-Za-z0-9]+/g, // DCToolbox: $AddCustomPrefix
  /<[^<>"]+>/g, // <group-id> style documentation placeholders
  /%[A-Za-z][A-Za-z0-9_.-]*%/g, // %TempAccessPassStrengthId% style template variables
];

/** Every placeholder pattern needs one of these characters; most strings (ids) have none. */
export const PLACEHOLDER_MARK = /[$_<%]/;

/** Distinct placeholder tokens in `text`, in pattern order. */
export function findPlaceholders(text: string): string[] {
  if (!PLACEHOLDER_MARK.test(text)) return [];
  return [...new Set(PLACEHOLDER_PATTERNS.flatMap((re) => [...text.matchAll(re)].map((m) => m[0])))];
}

/** Unresolved placeholders reported per field; a hostile value can hold thousands. */
export const MAX_PLACEHOLDERS_REPORTED = 10;

export function mapped(map: Record<string, string>, token: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(map, token) && typeof map[token] === "string" ? map[token] : undefined;
}

/**
 * Replace mapped placeholders, report the rest; walks every string of the policy. A whole value
 * that is a key of the map is replaced too (e.g. a template GUID such as
 * "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"). A placeholder mapped to an empty value is a problem:
 * it would silently drop an exclusion.
 */
export function resolvePlaceholders(ctx: Context, value: unknown, path: string, map: Record<string, string>, hasEntries = Object.keys(map).length > 0): unknown {
  if (typeof value === "string") {
    const report = (message: string, fix: string) => {
      ctx.problem(path, message, fix);
      ctx.placeholderPaths.add(path);
    };
    const emptyFix = "map it to the object id or text it stands for, or remove it from the export";
    const whole = hasEntries ? mapped(map, value.trim()) : undefined;
    if (whole !== undefined && value.trim() !== "") {
      if (whole.trim() === "") report(`placeholder ${excerpt(value.trim())} is mapped to an empty value`, emptyFix);
      else ctx.note("placeholder", `${path}: placeholder ${excerpt(value.trim())} replaced by ${excerpt(whole)}`);
      return whole;
    }
    let out = value;
    let unresolved = 0;
    for (const token of findPlaceholders(value)) {
      const replacement = mapped(map, token);
      if (replacement !== undefined) {
        out = out.split(token).join(replacement);
        if (replacement.trim() === "") report(`placeholder ${excerpt(token)} is mapped to an empty value`, emptyFix);
        else ctx.note("placeholder", `${path}: placeholder ${excerpt(token)} replaced by ${excerpt(replacement)}`);
      } else if (++unresolved <= MAX_PLACEHOLDERS_REPORTED) {
        report(`unresolved placeholder ${excerpt(token)}`, `give its value in the placeholder map (import-ca --map <file.json> with {${excerpt(token)}: "<value>"})`);
      }
    }
    if (unresolved > MAX_PLACEHOLDERS_REPORTED) report(`${unresolved - MAX_PLACEHOLDERS_REPORTED} more unresolved placeholders`, "this does not look like a Graph export: check the file");
    return out;
  }
  // Containers are copied only when something inside them changed.
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((v, i) => {
      const r = resolvePlaceholders(ctx, v, `${path}[${i}]`, map, hasEntries);
      if (r !== v) (copy ??= value.slice())[i] = r;
    });
    return copy ?? value;
  }
  if (isObject(value)) {
    let changed: Map<string, unknown> | undefined;
    for (const [k, v] of Object.entries(value)) {
      if (isAnnotationKey(k)) continue;
      const r = resolvePlaceholders(ctx, v, path ? `${path}.${k}` : k, map, hasEntries);
      if (r !== v) (changed ??= new Map()).set(k, r);
    }
    // fromEntries defines keys (a "__proto__" key stays a plain key).
    return changed ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, changed.has(k) ? changed.get(k) : v])) : value;
  }
  return value;
}
