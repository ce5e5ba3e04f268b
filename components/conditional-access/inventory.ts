/**
 * Device inventories for what-if: a JSON array of Graph device objects (or a Graph `{ value: [...] }`
 * page), or CSV with Graph field names as headers. A `null` entry (JSON), or a CSV row whose
 * `registered` column is false, is an unregistered device.
 */
import { parse as parseCsv } from "csv-parse/sync";
import type { InventoryDevice } from "./evaluate";

const COLLECTIONS = new Set(["physicalids", "systemlabels"]);

function csvCell(header: string, raw: string): unknown {
  const value = raw.trim();
  if (COLLECTIONS.has(header.toLowerCase())) {
    if (value.startsWith("[")) return JSON.parse(value) as unknown;
    return value ? value.split(";").map((v) => v.trim()).filter(Boolean) : [];
  }
  if (header.toLowerCase() === "iscompliant") return value.toLowerCase() === "true" ? true : value.toLowerCase() === "false" ? false : value;
  return value;
}

function fromCsv(text: string): InventoryDevice[] {
  const rows = parseCsv(text, { columns: true, skip_empty_lines: true, bom: true, trim: false, relax_column_count: false }) as Record<string, string>[];
  return rows.map((row) => {
    const registered = Object.entries(row).find(([k]) => k.toLowerCase() === "registered")?.[1];
    const device: Record<string, unknown> = {};
    const extensionAttributes: Record<string, string> = {};
    for (const [header, raw] of Object.entries(row)) {
      if (header.toLowerCase() === "registered" || raw.trim() === "") continue;
      const ext = /^(?:extensionAttributes\.)?(extensionAttribute\d+)$/i.exec(header);
      if (ext) extensionAttributes[ext[1].replace(/^extensionattribute/i, "extensionAttribute")] = raw.trim();
      else device[header] = csvCell(header, raw);
    }
    if (registered !== undefined && registered.trim().toLowerCase() === "false") {
      return { unregistered: true as const, operatingSystem: device.operatingSystem as string | undefined, displayName: device.displayName as string | undefined };
    }
    if (Object.keys(extensionAttributes).length) device.extensionAttributes = extensionAttributes;
    return device as InventoryDevice;
  });
}

/** Parse an inventory file's text; `format` defaults to JSON when the text starts with [ or {. */
export function parseInventory(text: string, format?: "json" | "csv"): InventoryDevice[] {
  const body = text.replace(/^\uFEFF/, "");
  const kind = format ?? (/^\s*[[{]/.test(body) ? "json" : "csv");
  if (kind === "csv") return fromCsv(body);
  const doc = JSON.parse(body) as unknown;
  const list = Array.isArray(doc) ? doc : (doc as { value?: unknown[] })?.value;
  if (!Array.isArray(list)) throw new Error("a device inventory in JSON must be an array of Graph device objects (or a { \"value\": [...] } page)");
  list.forEach((d, i) => {
    if (d !== null && (typeof d !== "object" || Array.isArray(d))) throw new Error(`device #${i} is ${JSON.stringify(d)}: expected a Graph device object or null (unregistered)`);
  });
  return list as InventoryDevice[];
}
