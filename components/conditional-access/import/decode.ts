/**
 * Reading Graph exports of Conditional Access policies as they are found in the wild: byte order
 * marks, UTF-16, one policy or an array or `{ value: [...] }` pages. No Pulumi here.
 */

/** How the bytes of an export were decoded (reported so a user can tell why a file looked odd). */
export const ExportEncoding = {
  Utf8: "utf-8",
  Utf8Bom: "utf-8 with BOM",
  Utf16LeBom: "utf-16le with BOM",
  Utf16BeBom: "utf-16be with BOM",
  Utf16LeNoBom: "utf-16le without BOM",
  Text: "text",
  Parsed: "parsed JSON",
} as const;
export type ExportEncoding = (typeof ExportEncoding)[keyof typeof ExportEncoding];

/** Largest export read, in bytes (a tenant export of a few thousand policies is a few MB). */
export const MAX_EXPORT_BYTES = 64 * 1024 * 1024;

/** Deepest nesting of arrays and objects read (a Graph policy nests fewer than 10 levels). */
export const MAX_EXPORT_DEPTH = 64;

/**
 * A file that cannot be read as an export at all (bad encoding, JSON syntax, too large, nested
 * too deep, values that are not JSON). `path` is where in the document the fault is ("$" is the
 * whole document), `value` a short excerpt of the offending value.
 */
export class ExportDecodeError extends Error {
  constructor(
    message: string,
    readonly path?: string,
    readonly value?: string,
  ) {
    super(message);
    this.name = "ExportDecodeError";
  }
}

/**
 * A short, safe excerpt of any value for a message: never recursive, never longer than about
 * `max` characters, and total on every input (bigint, symbol, cycles).
 */
export function excerpt(value: unknown, max = 80, nested = false): string {
  const cut = (text: string) => (text.length > max ? `${text.slice(0, max - 3)}...` : text);
  if (typeof value === "string") return cut(JSON.stringify(value.length > max ? value.slice(0, max) : value));
  if (value === null || typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === undefined) return "undefined";
  if (typeof value === "bigint") return `${cut(String(value))}n`;
  if (typeof value === "symbol" || typeof value === "function") return typeof value;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (nested) return "[...]";
    return `[${value.length} item${value.length === 1 ? "" : "s"}: ${excerpt(value[0], 30, true)}${value.length > 1 ? ", ..." : ""}]`;
  }
  const keys = Object.keys(value as object);
  const kind = Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null ? "" : `${(value as object).constructor?.name ?? "object"} `;
  return cut(`${kind}{${keys.slice(0, 4).map((k) => JSON.stringify(k)).join(", ")}${keys.length > 4 ? ", ..." : ""}}`);
}

/** "$.value[0].conditions": a path for people; long paths keep their start and end. */
function showPath(segments: (string | number)[]): string {
  const part = (s: string | number) => (typeof s === "number" ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s.length > 40 ? s.slice(0, 40) : s)}]`);
  const shown = segments.length > 16 ? [...segments.slice(0, 10).map(part), "...", ...segments.slice(-4).map(part)] : segments.map(part);
  return "$" + shown.join("");
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

interface Pending {
  value: unknown;
  depth: number;
  parent: Pending | undefined;
  key: string | number;
}

function pathOf(item: Pending): string {
  const segments: (string | number)[] = [];
  for (let at: Pending | undefined = item; at?.parent; at = at.parent) segments.push(at.key);
  return showPath(segments.reverse());
}

/**
 * Check that a value is a JSON document this importer can walk: nested at most MAX_EXPORT_DEPTH
 * levels (a cycle counts as too deep), and made only of null, booleans, finite numbers, strings,
 * arrays and plain objects. Iterative, so hostile input cannot exhaust the stack. `shared` says
 * the value may share nodes (a program's objects, not JSON.parse output).
 */
export function checkJsonShape(json: unknown, shared = true): void {
  const stack: Pending[] = [{ value: json, depth: 0, parent: undefined, key: "" }];
  const seen = shared ? new Map<object, number>() : undefined;
  while (stack.length > 0) {
    const item = stack.pop()!;
    const { value, depth } = item;
    if (value === null || typeof value === "string" || typeof value === "boolean") continue;
    if (typeof value === "number") {
      if (!Number.isFinite(value)) throw new ExportDecodeError(`${value} is not JSON (not a finite number)`, pathOf(item), String(value));
      continue;
    }
    if (typeof value !== "object" || (!Array.isArray(value) && !isPlainObject(value))) {
      throw new ExportDecodeError(`a ${typeof value === "object" ? excerpt(value).split(" ")[0] : typeof value} is not JSON`, pathOf(item), excerpt(value));
    }
    if (depth >= MAX_EXPORT_DEPTH) {
      throw new ExportDecodeError(
        `the JSON is nested more than ${MAX_EXPORT_DEPTH} levels deep (a Graph export nests fewer than 10): not a Conditional Access export`,
        pathOf(item),
        excerpt(value),
      );
    }
    if (seen) {
      // A node shared by two parents is walked again only when reached deeper than before.
      const before = seen.get(value);
      if (before !== undefined && before >= depth) continue;
      seen.set(value, depth);
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], depth: depth + 1, parent: item, key: i });
    } else {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) stack.push({ value: (value as Record<string, unknown>)[keys[i]], depth: depth + 1, parent: item, key: keys[i] });
    }
  }
}

/** Decode export bytes to text: sniff the BOM (UTF-8, UTF-16LE, UTF-16BE), strip it. */
export function decodeExportBytes(bytes: Uint8Array): { text: string; encoding: ExportEncoding } {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
    return { text: strictUtf8(b.subarray(3)), encoding: ExportEncoding.Utf8Bom };
  }
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) {
    return { text: new TextDecoder("utf-16le").decode(b.subarray(2)), encoding: ExportEncoding.Utf16LeBom };
  }
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
    return { text: new TextDecoder("utf-16be").decode(b.subarray(2)), encoding: ExportEncoding.Utf16BeBom };
  }
  // JSON starts with ASCII; a zero high byte right after it means UTF-16LE saved without a BOM.
  if (b.length >= 2 && b[0] !== 0 && b[1] === 0) {
    return { text: new TextDecoder("utf-16le").decode(b), encoding: ExportEncoding.Utf16LeNoBom };
  }
  return { text: strictUtf8(b), encoding: ExportEncoding.Utf8 };
}

function strictUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ExportDecodeError("the file is neither UTF-8 nor UTF-16 with a byte order mark; save it as UTF-8 and retry");
  }
}

/** Parse export text (a BOM left in by a text reader is stripped). */
export function parseExportText(text: string): unknown {
  const clean = text.replace(/^\uFEFF/, "");
  if (clean.trim() === "") throw new ExportDecodeError("the file is empty; export the policies with GET /identity/conditionalAccess/policies");
  try {
    return JSON.parse(clean);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new ExportDecodeError(`not valid JSON (${detail})`);
  }
}

/** The error for an export over MAX_EXPORT_BYTES (`size` in bytes, or characters for text). */
export function exportTooLarge(size: number, unit = "bytes"): ExportDecodeError {
  return new ExportDecodeError(
    `the export is ${size} ${unit} long; import-ca reads exports of at most ${MAX_EXPORT_BYTES / 1024 / 1024} MB (${MAX_EXPORT_BYTES} bytes): split it, e.g. one file per page of GET /identity/conditionalAccess/policies`,
  );
}

/**
 * Bytes, text or already-parsed JSON to a JSON value the importer can walk. Throws only
 * ExportDecodeError.
 */
export function readExport(input: unknown): { json: unknown; encoding: ExportEncoding } {
  let json: unknown;
  let encoding: ExportEncoding;
  if (input instanceof Uint8Array) {
    if (input.length > MAX_EXPORT_BYTES) throw exportTooLarge(input.length);
    let text: string;
    ({ text, encoding } = decodeExportBytes(input));
    json = parseExportText(text);
  } else if (typeof input === "string") {
    // A UTF-16 code unit is at least one byte of the file it came from.
    if (input.length > MAX_EXPORT_BYTES) throw exportTooLarge(input.length, "characters");
    json = parseExportText(input);
    encoding = ExportEncoding.Text;
  } else {
    json = input;
    encoding = ExportEncoding.Parsed;
  }
  checkJsonShape(json, encoding === ExportEncoding.Parsed);
  return { json, encoding };
}

/** One candidate policy object and its position in the export. */
export interface ExportItem {
  /** 0-based position of the item in the export (across pages). */
  index: number;
  value: unknown;
}

/**
 * The items of an export: an array of policies, a `{ value: [...] }` page (also an array of pages,
 * as paging scripts save them), or one policy object.
 */
export function exportItems(json: unknown): ExportItem[] {
  const values: unknown[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const element of node) {
        if (isPage(element)) visit(element);
        else values.push(element);
      }
    } else if (isPage(node)) {
      visit((node as { value: unknown[] }).value);
    } else {
      values.push(node);
    }
  };
  visit(json);
  return values.map((value, index) => ({ index, value }));
}

function isPage(node: unknown): boolean {
  if (node === null || typeof node !== "object" || Array.isArray(node)) return false;
  const obj = node as Record<string, unknown>;
  return Array.isArray(obj.value) && !("conditions" in obj);
}
