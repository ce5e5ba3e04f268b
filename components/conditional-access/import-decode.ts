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

/** A file that cannot be read as JSON at all (bad encoding, JSON syntax). */
export class ExportDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExportDecodeError";
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

/** Bytes, text or already-parsed JSON to a JSON value. */
export function readExport(input: unknown): { json: unknown; encoding: ExportEncoding } {
  if (input instanceof Uint8Array) {
    const { text, encoding } = decodeExportBytes(input);
    return { json: parseExportText(text), encoding };
  }
  if (typeof input === "string") return { json: parseExportText(input), encoding: ExportEncoding.Text };
  return { json: input, encoding: ExportEncoding.Parsed };
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
