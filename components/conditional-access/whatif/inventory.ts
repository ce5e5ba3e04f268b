/**
 * Device inventories for what-if, as people export them:
 *
 * - Graph JSON: an array of device objects, a `{ "value": [...] }` page, an array of pages, or
 *   several JSON documents one after the other (pages appended to one file); `null` is an
 *   unregistered device.
 * - Get-MgDevice (or Get-EntraDevice) `| ConvertTo-Json`: PascalCase keys (`TrustType`,
 *   `OperatingSystem`, `ExtensionAttributes`...) and an `AdditionalProperties` bag; a single device
 *   comes out as one object, not an array.
 * - CSV: the Entra admin center's "Download devices" file (`joinType (trustType)` with display
 *   values such as "Microsoft Entra hybrid joined"), Export-Csv / ConvertTo-Csv output (`#TYPE`
 *   line, PascalCase headers), or CSV with Graph field names; a `registered` column of `false`
 *   marks an unregistered device.
 *
 * Bytes are decoded by their byte order mark (UTF-8, UTF-16LE, UTF-16BE) or, without one, as
 * UTF-16LE when the second byte is NUL, else as UTF-8. Column and key names are matched
 * case-insensitively to Graph property names.
 *
 * An inventory where no registered device has a trust type is refused (every corporate device
 * would look untrusted); a wrong-typed value is an error naming the record and the value; unknown
 * columns and unknown trust-type values are warnings.
 */
import { parse as parseCsv } from "csv-parse/sync";
import type { InventoryDevice } from "./evaluate";
import { ExportDecodeError, decodeExportBytes, type ExportEncoding } from "../import/decode";
import {
  Collector,
  INCOMPLETE_PAGES,
  InventoryError,
  InventoryFormat,
  CSV_EMPTY,
  EMPTY_FILE,
  NOT_A_JSON_INVENTORY,
  NUL_CHARACTERS,
  checkInventory,
  csvError,
  csvHeader,
  csvPrelude,
  csvRowDevice,
  isPage,
  isPlainObject,
  jsonEntryDevice,
  looksLikeDevice,
  type InventoryReadResult,
} from "./inventory-record";

export { InventoryError, InventoryFormat, type InventoryReadResult, type InventoryWarning } from "./inventory-record";

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

/** Split text holding one or more JSON documents one after the other (pages appended to a file). */
function jsonDocuments(text: string): unknown[] {
  try {
    return [JSON.parse(text) as unknown];
  } catch {
    // several documents, or a syntax error: located below
  }
  const docs: unknown[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i])) i++;
    if (i >= n) break;
    const start = i;
    let depth = 0;
    let inString = false;
    for (; i < n; i++) {
      const ch = text[i];
      if (inString) {
        if (ch === "\\") i++;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === "[" || ch === "{") depth++;
      else if (ch === "]" || ch === "}") {
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      } else if (depth === 0 && /[\s,]/.test(ch)) break; // a bare scalar (null, a number) at top level
    }
    const chunk = text.slice(start, i);
    try {
      docs.push(JSON.parse(chunk) as unknown);
    } catch (err) {
      const line = text.slice(0, start).split("\n").length;
      throw new InventoryError(`not valid JSON (document starting at line ${line}: ${(err as Error).message})`);
    }
    while (i < n && /[\s,]/.test(text[i])) i++;
  }
  return docs;
}


function fromJson(text: string, c: Collector): { devices: InventoryDevice[]; pascal: boolean } {
  const docs = jsonDocuments(text);
  const entries: unknown[] = [];
  let openNextLink = false;
  const visit = (node: unknown, top: boolean): void => {
    if (Array.isArray(node)) {
      for (const el of node) {
        if (isPage(el)) visit(el, false);
        else entries.push(el);
      }
    } else if (isPage(node)) {
      openNextLink = typeof node["@odata.nextLink"] === "string";
      visit(node.value, false);
    } else if (top && isPlainObject(node) && looksLikeDevice(node)) {
      entries.push(node); // Windows PowerShell: a single device converts to one object, not an array
    } else {
      throw new InventoryError(NOT_A_JSON_INVENTORY);
    }
  };
  for (const doc of docs) visit(doc, true);
  if (openNextLink) c.warnings.push(INCOMPLETE_PAGES);
  const devices = entries.map((entry, i) => jsonEntryDevice(entry, i, c));
  return { devices, pascal: c.pascal };
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

function fromCsv(text: string, c: Collector): { devices: InventoryDevice[]; portal: boolean; powershell: boolean; pascal: boolean } {
  const { fromLine, delimiter, powershell } = csvPrelude(text);
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parseCsv(text, { info: true, from_line: fromLine, delimiter, skip_empty_lines: true, relax_column_count: false, trim: false }) as unknown as typeof rows;
  } catch (err) {
    throw csvError(err);
  }
  if (rows.length === 0) throw new InventoryError(CSV_EMPTY);
  const { header, portal, pascal } = csvHeader(rows[0].record, c);
  const devices = rows.slice(1).map(({ record, info }) => csvRowDevice(header, record, info.lines, c));
  return { devices, portal, powershell, pascal };
}

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

/**
 * Read a device inventory from the bytes (or text) of a file. `format` forces CSV or JSON; by
 * default text starting with `[` or `{` is JSON and anything else CSV. Throws InventoryError.
 */
export function readDeviceInventory(input: Uint8Array | string, options: { format?: "json" | "csv" } = {}): InventoryReadResult {
  let text: string;
  let encoding: ExportEncoding | "text";
  if (typeof input === "string") {
    text = input;
    encoding = "text";
  } else {
    try {
      ({ text, encoding } = decodeExportBytes(input));
    } catch (err) {
      if (err instanceof ExportDecodeError) throw new InventoryError(err.message);
      throw err;
    }
  }
  text = text.replace(/^\uFEFF/, "");
  if (text.includes("\u0000")) throw new InventoryError(NUL_CHARACTERS);
  if (text.trim() === "") throw new InventoryError(EMPTY_FILE);
  const kind = options.format ?? (/^\s*[[{]/.test(text) ? "json" : "csv");
  const c = new Collector();
  let devices: InventoryDevice[];
  let format: InventoryFormat;
  if (kind === "json") {
    const r = fromJson(text, c);
    devices = r.devices;
    format = r.pascal ? InventoryFormat.PowerShellJson : InventoryFormat.GraphJson;
  } else {
    const r = fromCsv(text, c);
    devices = r.devices;
    format = r.portal ? InventoryFormat.EntraPortalCsv : r.powershell || r.pascal ? InventoryFormat.PowerShellCsv : InventoryFormat.GraphCsv;
  }
  checkInventory(devices.length, c);
  return { devices, format, encoding, warnings: c.finish(), columns: [...c.columns] };
}

/** Parse an inventory file's text; `format` defaults to JSON when the text starts with [ or {. */
export function parseInventory(text: string, format?: "json" | "csv"): InventoryDevice[] {
  return readDeviceInventory(text, { format }).devices;
}
