/**
 * Resource names of imported policies: unique, stable, derived from the display name.
 */
import { excerpt } from "./decode";
import { type Json, Context } from "./fields";

export function baseName(sourceName: string | undefined): string | undefined {
  if (!sourceName) return undefined;
  const file = sourceName.split(/[\\/]/).pop() ?? sourceName;
  return file.replace(/\.json$/i, "");
}

/** A Pulumi resource name from a display name: lower-case words joined by "-". */
export function resourceNameFor(displayName: string): string {
  const slug = displayName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return slug || "ca-policy";
}

/** Per set of taken names: the next suffix to try for a base name (keeps naming linear). */
export const nextSuffix = new WeakMap<Set<string>, Map<string, number>>();

export function uniqueName(base: string, taken: Set<string>): string {
  let suffixes = nextSuffix.get(taken);
  if (!suffixes) nextSuffix.set(taken, (suffixes = new Map()));
  let name = base;
  let n = suffixes.get(base) ?? 2;
  if (taken.has(name)) {
    do name = `${base}-${n++}`;
    while (taken.has(name));
    suffixes.set(base, n);
  }
  taken.add(name);
  return name;
}

/** The display name, or one derived from `$friendlyName`/`$description` or the file name. */
export function policyName(ctx: Context, raw: Json, index: number, count: number, sourceName: string | undefined): string {
  if (typeof raw.displayName === "string" && raw.displayName.trim() !== "") {
    if (raw.displayName !== raw.displayName.trim()) {
      ctx.note("display-name-whitespace", `displayName ${excerpt(raw.displayName)} has leading or trailing spaces: kept, so the import shows no diff`);
    }
    return raw.displayName;
  }
  const file = baseName(sourceName);
  let derived: string;
  let from: string;
  if (typeof raw.$friendlyName === "string" && raw.$friendlyName.trim()) {
    derived = raw.$friendlyName.trim();
    from = "$friendlyName";
  } else if (file) {
    derived = count > 1 ? `${file} #${index + 1}` : file;
    from = "the file name";
  } else if (typeof raw.$description === "string" && raw.$description.trim()) {
    derived = raw.$description.trim().slice(0, 120);
    from = "$description";
  } else {
    derived = `Imported policy #${index + 1}`;
    from = "its position in the export";
  }
  ctx.note("derived-display-name", `the policy has no displayName: named "${derived}" from ${from}; the first pulumi up sets this name in the tenant`);
  return derived;
}
