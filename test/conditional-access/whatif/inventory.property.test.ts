/**
 * Hostile device inventories (fast-check): random bytes, random JSON (nesting, nulls, wrong types,
 * objects where strings belong) and random CSV never make the inventory reader throw anything but
 * its own InventoryError, and a file it accepts has a device with a trust type, or holds only
 * unregistered devices (null entries).
 */
import fc from "fast-check";
import { InventoryError, readDeviceInventory } from "../../../components/conditional-access/whatif/inventory";

const RUNS = { seed: 20261127, numRuns: 300 };
const FIELDS = ["trustType", "TrustType", "joinType (trustType)", "operatingSystem", "OperatingSystem", "displayName", "deviceId", "isCompliant", "extensionAttributes", "physicalIds", "systemLabels", "value", "@odata.nextLink", "AdditionalProperties"];

const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 10 }),
  fc.constantFrom("AzureAd", "ServerAd", "Workplace", "Microsoft Entra hybrid joined", "Windows", "iOS", "[ZTDId]:x", "System.String[]"),
);
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small" }, scalar, tie("array"), tie("object")),
  array: fc.array(tie("node"), { maxLength: 5 }),
  object: fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 8 })), tie("node"), { maxKeys: 6 }),
})).node;
const csv = fc
  .tuple(fc.array(fc.constantFrom(...FIELDS, "x", ""), { minLength: 1, maxLength: 6 }), fc.array(fc.array(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('"', '""', ",", ";", "\n", "AzureAd")), { maxLength: 6 }), { maxLength: 5 }))
  .map(([header, rows]) => [header.join(","), ...rows.map((r) => r.join(","))].join("\n"));

function readsOrRefuses(input: Uint8Array | string, format?: "json" | "csv"): void {
  try {
    const result = readDeviceInventory(input, format ? { format } : {});
    const registered = (result.devices as ({ trustType?: unknown; unregistered?: boolean } | null)[]).filter((d) => d !== null && d.unregistered !== true);
    expect(registered.length === 0 || registered.some((d) => typeof d?.trustType === "string" && d?.trustType !== "")).toBe(true);
  } catch (err) {
    if (!(err instanceof InventoryError)) throw err;
  }
}

describe("the device inventory reader on hostile input", () => {
  it("random JSON documents", () => fc.assert(fc.property(json, (doc) => readsOrRefuses(JSON.stringify(doc) ?? "null", "json")), RUNS));
  it("random CSV text", () => fc.assert(fc.property(csv, (text) => readsOrRefuses(text, "csv")), RUNS));
  it("random bytes, format detected", () => fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => readsOrRefuses(bytes)), RUNS));
  it("UTF-16 encodings of random JSON", () =>
    fc.assert(
      fc.property(json, fc.boolean(), (doc, bom) => {
        const text = JSON.stringify(doc) ?? "null";
        const body = Buffer.from(text, "utf16le");
        readsOrRefuses(bom ? Buffer.concat([Buffer.from([0xff, 0xfe]), body]) : body);
      }),
      RUNS,
    ));
});
