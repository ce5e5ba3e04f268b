/**
 * One inventory record (a JSON device object or a CSV row) to an inventory device, with type
 * checks and the warnings collected on the way; shared by the whole-file reader (inventory.ts)
 * and the streaming reader (inventory-stream.ts), so both read a record the same way.
 */
import type { GraphDevice, GraphDeviceExtensionAttributes } from "../device-filter";
import type { InventoryDevice } from "./evaluate";
import type { ExportEncoding } from "../import/decode";
import { booleanOf, foldName, isDotNetTypeName, lookupField, trustTypeOf, type DeviceField } from "./inventory-fields";

/** The shape an inventory was recognised as (reported, so a user can tell how it was read). */
export const InventoryFormat = {
  GraphJson: "graph-json",
  PowerShellJson: "get-mgdevice-json",
  EntraPortalCsv: "entra-portal-csv",
  PowerShellCsv: "powershell-csv",
  GraphCsv: "graph-csv",
} as const;
export type InventoryFormat = (typeof InventoryFormat)[keyof typeof InventoryFormat];

/** Something in an inventory file that was not understood or was lost, with where it is. */
export interface InventoryWarning {
  /** "unknown-column", "unknown-trust-type", "missing-trust-type", "lost-value", "incomplete-pages". */
  kind: string;
  message: string;
}

/** The devices read from an inventory file, its format, and warnings about values not understood. */
export interface InventoryReadResult {
  devices: InventoryDevice[];
  format: InventoryFormat;
  encoding: ExportEncoding | "text";
  warnings: InventoryWarning[];
  /** The column headers (CSV) or property names (JSON) seen, as written in the file. */
  columns: string[];
}

/** An inventory that cannot be read as devices; the message names the record, the value and the fix. */
export class InventoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InventoryError";
  }
}

export const EXPORT_HINT =
  'export it with the trust type: the Entra admin center (Devices > All devices > Download devices, column "joinType (trustType)"), ' +
  "Get-MgDevice -All | ConvertTo-Json -Depth 5 (property TrustType), or a CSV with a trustType column (AzureAD, ServerAD or Workplace)";

// ---------------------------------------------------------------------------------------------
// Collecting one device from named fields (CSV row or JSON object), with type checks.
// ---------------------------------------------------------------------------------------------

/** Where a record is, for messages: "device #3" (JSON) or "line 7" (CSV). */
type Where = string;

export class Collector {
  readonly warnings: InventoryWarning[] = [];
  readonly columns = new Set<string>();
  /** Some key starts with a capital letter (Get-MgDevice objects). */
  pascal = false;
  private readonly unknownColumns = new Map<string, Where>();
  private readonly unknownTrust = new Map<string, { count: number; where: Where }>();
  private readonly lost = new Map<string, { value: string; where: Where }>();
  /** The first registered devices without a trust type (a few, for the message), and how many. */
  readonly missingTrust: Where[] = [];
  missingTrustCount = 0;
  registered = 0;
  withTrust = 0;

  /** A column or key seen (kept once; a JSON file's keys repeat on every device). */
  column(name: string): void {
    if (!this.columns.has(name)) this.columns.add(name);
  }

  noTrustType(where: Where): void {
    if (this.missingTrust.length < 6) this.missingTrust.push(where);
    this.missingTrustCount++;
  }

  unknownColumn(name: string, where: Where): void {
    if (!this.unknownColumns.has(name)) this.unknownColumns.set(name, where);
  }

  unknownTrustType(value: string, where: Where): void {
    const seen = this.unknownTrust.get(value);
    if (seen) seen.count++;
    else this.unknownTrust.set(value, { count: 1, where });
  }

  lostValue(column: string, value: string, where: Where): void {
    if (!this.lost.has(column)) this.lost.set(column, { value, where });
  }

  finish(): InventoryWarning[] {
    const out: InventoryWarning[] = [];
    if (this.unknownColumns.size) {
      const names = [...this.unknownColumns.keys()].map((n) => JSON.stringify(n)).join(", ");
      out.push({ kind: "unknown-column", message: `unknown column(s) ${names} ignored: they are not Graph device properties the evaluation reads` });
    }
    for (const [value, { count, where }] of this.unknownTrust) {
      out.push({
        kind: "unknown-trust-type",
        message:
          `unknown trust type ${JSON.stringify(value)} on ${count} device(s) (first at ${where}): kept as it is, so a filter on AzureAD/ServerAD/Workplace does not match it; ` +
          'expected AzureAD, ServerAD, Workplace or "Microsoft Entra joined" / "Microsoft Entra hybrid joined" / "Microsoft Entra registered"',
      });
    }
    for (const [column, { value, where }] of this.lost) {
      out.push({
        kind: "lost-value",
        message:
          `column ${JSON.stringify(column)} holds the .NET type name ${JSON.stringify(value)} (first at ${where}), not values: Export-Csv cannot write lists or objects, ` +
          "so this attribute is treated as not set; if a policy filters on it, export JSON instead: Get-MgDevice -All | ConvertTo-Json -Depth 5",
      });
    }
    if (this.missingTrustCount && this.withTrust > 0) {
      const shown = this.missingTrust.slice(0, 5).join(", ") + (this.missingTrustCount > 5 ? ", ..." : "");
      out.push({
        kind: "missing-trust-type",
        message: `${this.missingTrustCount} registered device(s) have no trust type (${shown}): device filters see none for them, as for an unregistered device`,
      });
    }
    return [...this.warnings, ...out];
  }
}

export function wrongType(where: Where, column: string, value: unknown, expected: string): InventoryError {
  let shown: string;
  try {
    shown = JSON.stringify(value);
  } catch {
    shown = String(value);
  }
  if (shown !== undefined && shown.length > 120) shown = shown.slice(0, 117) + "...";
  const depth =
    typeof value === "string" && isDotNetTypeName(value)
      ? "; Windows PowerShell wrote a .NET type name because ConvertTo-Json ran out of depth: use ConvertTo-Json -Depth 5"
      : "";
  return new InventoryError(`${where}: ${column} is ${shown}: expected ${expected}${depth}`);
}

/** A string-valued property: string or null; anything else is an error. Empty means not set. */
function stringValue(raw: unknown, where: Where, column: string): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw !== "string") throw wrongType(where, column, raw, "a string or null");
  const v = raw.trim();
  return v === "" ? undefined : v;
}

function booleanValue(raw: unknown, where: Where, column: string): boolean | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw === "boolean") return raw;
  if (typeof raw === "string") {
    if (raw.trim() === "") return undefined;
    const b = booleanOf(raw);
    if (b !== undefined) return b;
  }
  throw wrongType(where, column, raw, "true, false or empty");
}

/** Split a CSV cell holding a list: a JSON array of strings, or values separated by ";" or ",". */
function listCell(raw: string): string[] {
  const v = raw.trim();
  if (v.startsWith("[") && v.endsWith("]")) {
    try {
      const parsed = JSON.parse(v) as unknown;
      if (Array.isArray(parsed) && parsed.every((x) => typeof x === "string")) return parsed as string[];
    } catch {
      // not JSON: physical ids themselves look like "[ZTDId]:..."
    }
  }
  return v.split(/[;,]/).map((x) => x.trim()).filter(Boolean);
}

function listValue(raw: unknown, where: Where, column: string, csv: boolean): string[] | string | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw === "string") return csv ? listCell(raw) : raw.trim() === "" ? undefined : raw;
  if (Array.isArray(raw)) {
    const bad = raw.find((x) => typeof x !== "string" && x !== null);
    if (bad !== undefined) throw wrongType(where, `${column}[${raw.indexOf(bad)}]`, bad, "a string");
    return raw.filter((x): x is string => typeof x === "string");
  }
  throw wrongType(where, column, raw, "a list of strings or null");
}

/** `@{extensionAttribute1=SAW; extensionAttribute2=}`: how Export-Csv writes a PSCustomObject. */
function psObjectCell(raw: string): Record<string, string> | undefined {
  const m = /^@\{(.*)\}$/s.exec(raw.trim());
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const part of m[1].split(/;\s*/)) {
    const eq = part.indexOf("=");
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

function extensionObject(raw: unknown, where: Where, column: string, c: Collector, csv: boolean): Record<string, string> | undefined {
  if (raw === null || raw === undefined) return undefined;
  let obj: unknown = raw;
  if (typeof raw === "string") {
    if (raw.trim() === "") return undefined;
    if (csv && isDotNetTypeName(raw)) {
      c.lostValue(column, raw.trim(), where);
      return undefined;
    }
    const ps = psObjectCell(raw);
    if (ps) obj = ps;
    else if (raw.trim().startsWith("{")) {
      try {
        obj = JSON.parse(raw) as unknown;
      } catch {
        throw wrongType(where, column, raw, "an object of extensionAttribute1..15 values");
      }
    }
  }
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw wrongType(where, column, raw, "an object of extensionAttribute1..15 values");
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(obj as Record<string, unknown>)) {
    const f = lookupField(key);
    if (f.kind === "ignored") continue;
    if (f.kind !== "extension") {
      c.unknownColumn(`${column}.${key}`, where);
      continue;
    }
    const v = stringValue(value, where, `${column}.${key}`);
    if (v !== undefined) out[f.field] = v;
  }
  return out;
}

/**
 * Build one inventory device from named values. `fields` are in file order; for Get-MgDevice
 * objects the AdditionalProperties bag comes after the typed properties and only fills gaps.
 */
export function buildDevice(fields: [string, unknown][], where: Where, c: Collector, csv: boolean): InventoryDevice {
  const device: Record<string, unknown> = {};
  const ext: Record<string, string> = {};
  let registeredFlag: boolean | undefined;
  let unregisteredFlag: boolean | undefined;
  for (const [name, raw] of fields) {
    const f = lookupField(name);
    if (f.kind === "ignored") continue;
    if (f.kind === "unknown") {
      c.unknownColumn(name, where);
      continue;
    }
    if (f.kind === "extension") {
      const v = stringValue(raw, where, name);
      if (v !== undefined && ext[f.field] === undefined) ext[f.field] = v;
      continue;
    }
    const field: DeviceField = f.field;
    if (device[field] !== undefined) continue; // first non-empty value wins (typed property before the bag)
    switch (field) {
      case "trustType": {
        const v = stringValue(raw, where, name);
        if (v === undefined) break;
        const mapped = trustTypeOf(v);
        if (mapped === undefined) c.unknownTrustType(v, where);
        device.trustType = mapped ?? v;
        break;
      }
      case "isCompliant":
      case "accountEnabled":
        device[field] = booleanValue(raw, where, name);
        break;
      case "registered":
        registeredFlag = booleanValue(raw, where, name);
        break;
      case "unregistered":
        unregisteredFlag = booleanValue(raw, where, name);
        break;
      case "physicalIds":
      case "systemLabels":
        if (csv && typeof raw === "string" && isDotNetTypeName(raw)) c.lostValue(name, raw.trim(), where);
        else device[field] = listValue(raw, where, name, csv);
        break;
      case "extensionAttributes": {
        const obj = extensionObject(raw, where, name, c, csv);
        for (const [k, v] of Object.entries(obj ?? {})) if (ext[k] === undefined) ext[k] = v;
        break;
      }
      default:
        device[field] = stringValue(raw, where, name);
    }
  }
  if (registeredFlag === false || unregisteredFlag === true) {
    const out: { unregistered: true; operatingSystem?: string; displayName?: string } = { unregistered: true };
    if (device.operatingSystem !== undefined) out.operatingSystem = device.operatingSystem as string;
    if (device.displayName !== undefined) out.displayName = device.displayName as string;
    return out;
  }
  // A fresh object with the set values only (deleting the unset ones would leave a slow dictionary-mode object).
  const out: Record<string, unknown> = {};
  for (const k in device) if (device[k] !== undefined) out[k] = device[k];
  if (Object.keys(ext).length) out.extensionAttributes = ext as GraphDeviceExtensionAttributes;
  c.registered++;
  if (out.trustType !== undefined) c.withTrust++;
  else c.noTrustType(where);
  return out as GraphDevice;
}


export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** A Graph page: `{ value: [...] }` with nothing but annotations (and PowerShell 5.1's Count) besides. */
export function isPage(v: unknown): v is { value: unknown[] } & Record<string, unknown> {
  if (!isPlainObject(v) || !Array.isArray(v.value)) return false;
  return Object.keys(v).every((k) => k === "value" || k === "Count" || k.startsWith("@odata") || k.startsWith("#"));
}

export function looksLikeDevice(v: Record<string, unknown>): boolean {
  return Object.keys(v).some((k) => {
    const f = lookupField(k);
    return f.kind === "field" || f.kind === "extension" || (f.kind === "ignored" && !k.startsWith("@") && !k.startsWith("#"));
  });
}

/** One entry of a JSON inventory (an element of the device list) as an inventory device. */
export function jsonEntryDevice(entry: unknown, index: number, c: Collector): InventoryDevice {
  const where = `device #${index}`;
  if (entry === null) return null;
  if (!isPlainObject(entry)) {
    let shown = JSON.stringify(entry);
    if (shown !== undefined && shown.length > 200) shown = `${shown.slice(0, 197)}...`;
    throw new InventoryError(`${where} is ${shown}: expected a Graph device object or null (unregistered)`);
  }
  const fields: [string, unknown][] = [];
  let bag: [string, unknown][] = [];
  for (const key in entry) {
    const value = entry[key];
    c.column(key);
    if (!c.pascal && /^[A-Z]/.test(key)) c.pascal = true;
    if (foldName(key) === "additionalproperties") {
      if (isPlainObject(value)) bag = Object.entries(value);
      else if (value !== null) throw wrongType(where, key, value, "an object (the Get-MgDevice AdditionalProperties bag)");
      continue;
    }
    fields.push([key, value]);
  }
  return buildDevice(bag.length ? [...fields, ...bag] : fields, where, c, false);
}

export const NUL_CHARACTERS =
  "the file holds NUL characters after decoding: it is UTF-16 or UTF-32 without a byte order mark that could not be recognised; save it as UTF-8 and retry";
export const EMPTY_FILE = "the file is empty: expected a JSON array of Graph device objects or a CSV with a header line";
export const CSV_EMPTY = "the CSV file is empty: expected a header line and one line per device";

/** The message for JSON that is neither a device list, a page nor one device. */
export const NOT_A_JSON_INVENTORY =
  'a device inventory in JSON must be an array of Graph device objects (or a { "value": [...] } page, or one device object as ConvertTo-Json writes a single device)';

/** The warning for a last page that links to a next one. */
export const INCOMPLETE_PAGES: InventoryWarning = {
  kind: "incomplete-pages",
  message: "the last Graph page has @odata.nextLink: the file holds only part of the devices; download every page (Get-MgDevice -All, or follow @odata.nextLink)",
};

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

/** The delimiter of the header line: the most frequent of , ; and tab outside quotes (Export-Csv -UseCulture). */
export function sniffDelimiter(line: string): string {
  const counts: Record<string, number> = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch]++;
  }
  const [best, count] = Object.entries(counts).sort((a, b) => b[1] - a[1])[0];
  return count > 0 ? best : ",";
}

/** What the first lines of a CSV say: the line the header is on, the delimiter, a PowerShell #TYPE line. */
export function csvPrelude(start: string): { fromLine: number; delimiter: string; powershell: boolean } {
  const lines = start.slice(0, 4096).split(/\r?\n/, 3); // only the first lines are looked at
  let fromLine = 1;
  let powershell = false;
  let delimiter: string | undefined;
  // Export-Csv / ConvertTo-Csv without -NoTypeInformation (Windows PowerShell 5.1): "#TYPE <class>"
  if (/^#TYPE\b/i.test(lines[0] ?? "")) {
    powershell = true;
    fromLine++;
  }
  // Excel's "sep=;" hint line
  const sep = /^"?sep=(.)"?\s*$/i.exec(lines[fromLine - 1] ?? "");
  if (sep) {
    delimiter = sep[1];
    fromLine++;
  }
  delimiter ??= sniffDelimiter(lines[fromLine - 1] ?? "");
  return { fromLine, delimiter, powershell };
}

/** A CSV header: recorded in the collector; says whether it is the portal's download and PascalCase. */
export function csvHeader(record: string[], c: Collector): { header: string[]; portal: boolean; pascal: boolean } {
  const header = record.map((h) => h.trim());
  header.forEach((h) => h && c.column(h));
  const folded = header.map(foldName);
  return { header, portal: folded.includes("jointypetrusttype") || folded.includes("jointype"), pascal: header.some((h) => /^[A-Z][a-z]/.test(h)) };
}

/** One CSV row as an inventory device; `lines` is csv-parse's line count at the end of the record. */
export function csvRowDevice(header: string[], record: string[], lines: number, c: Collector): InventoryDevice {
  let newlines = 0;
  for (const cell of record) if (cell.includes("\n")) newlines += cell.split("\n").length - 1;
  const fields: [string, unknown][] = new Array(header.length);
  for (let i = 0; i < header.length; i++) fields[i] = [header[i], record[i]];
  return buildDevice(fields, `line ${lines - newlines}`, c, true);
}

/** A csv-parse error as an InventoryError naming the line. */
export function csvError(err: unknown): InventoryError {
  const e = err as Error & { lines?: number };
  return new InventoryError(`not a CSV table${e.lines ? ` (line ${e.lines})` : ""}: ${e.message}`);
}

/** The checks on a whole inventory once read: devices there, and some registered device with a trust type. */
export function checkInventory(count: number, c: Collector): void {
  if (count === 0) throw new InventoryError("the inventory holds no devices");
  if (c.registered > 0 && c.withTrust === 0) {
    const columns = [...c.columns];
    const seen = columns.length ? columns.map((n) => JSON.stringify(n)).join(", ") : "none";
    throw new InventoryError(`no device has a trust type, so every registered device would be evaluated as untrusted (columns seen: ${seen}); ${EXPORT_HINT}`);
  }
}
