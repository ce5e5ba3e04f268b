/**
 * The streaming inventory reader against the whole-file reader: the same devices, format,
 * encoding, warnings and columns for every shape of file, cut into chunks of any size; a
 * truncated or invalid file is an error naming the line, never a shorter inventory.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import fc from "fast-check";
import { InventoryError, readDeviceInventory, streamDeviceInventory, type InventoryDevice } from "../../../components/conditional-access";

const examples = path.resolve(__dirname, "../../../examples/inventories");

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function streamed(bytes: Uint8Array, size: number, format?: "json" | "csv") {
  const devices: InventoryDevice[] = [];
  const result = await streamDeviceInventory(chunked(bytes, size), (d, i) => {
    expect(i).toBe(devices.length);
    devices.push(d);
  }, { format });
  const { count, compression, ...rest } = result;
  expect(count).toBe(devices.length);
  return { devices, ...rest, compression };
}

async function agree(bytes: Uint8Array, format?: "json" | "csv", sizes = [1, 2, 3, 7, 64, 4096, 1 << 20]): Promise<void> {
  const whole = readDeviceInventory(bytes, { format });
  for (const size of sizes) {
    const s = await streamed(bytes, size, format);
    expect({ size, ...s, compression: undefined }).toEqual({ size, ...whole, compression: undefined });
  }
}

async function streamError(bytes: Uint8Array, size = 5): Promise<string> {
  try {
    await streamed(bytes, size);
  } catch (err) {
    expect(err).toBeInstanceOf(InventoryError);
    return (err as Error).message;
  }
  throw new Error("no error");
}

const utf8 = (text: string) => Buffer.from(text, "utf8");
const DEVICES = [
  { displayName: "A", trustType: "AzureAd", operatingSystem: "Windows", extensionAttributes: { extensionAttribute1: "SAW" } },
  null,
  { displayName: 'B "quoted" \\ [x] {y}', trustType: "Workplace", operatingSystem: "iOS", physicalIds: ["[ZTDId]:1"] },
  { DisplayName: "C", TrustType: "ServerAd", AdditionalProperties: { extensionAttributes: { extensionAttribute2: "Finance" } } },
];

describe("streamDeviceInventory reads what readDeviceInventory reads", () => {
  it.each(fs.readdirSync(examples))("the example %s, in chunks of any size", async (name) => {
    await agree(fs.readFileSync(path.join(examples, name)), name.endsWith(".csv") ? "csv" : undefined);
  });

  const shapes: [string, string][] = [
    ["an array", JSON.stringify(DEVICES)],
    ["a page", JSON.stringify({ "@odata.context": "x", value: DEVICES })],
    ["a page with nextLink after the list", JSON.stringify({ "@odata.context": "x", value: DEVICES, "@odata.nextLink": "https://graph/next" })],
    ["a page with nextLink before the list", JSON.stringify({ "@odata.nextLink": "https://graph/next", value: DEVICES })],
    ["an array of pages", JSON.stringify([{ "@odata.context": "x", value: DEVICES.slice(0, 2) }, { value: DEVICES.slice(2) }])],
    ["an array of pages, pretty-printed", JSON.stringify([{ value: DEVICES.slice(0, 2), Count: 2 }, { value: DEVICES.slice(2), Count: 2 }], null, 2)],
    ["pages appended to one file", `${JSON.stringify({ value: DEVICES.slice(0, 2) })}\n${JSON.stringify({ value: DEVICES.slice(2) })}\n`],
    ["documents separated by commas", `${JSON.stringify(DEVICES.slice(0, 1))},${JSON.stringify(DEVICES.slice(1))}`],
    ["one device object (ConvertTo-Json of a single device)", JSON.stringify(DEVICES[0], null, 4)],
    ["PowerShell 5.1 { value, Count }", JSON.stringify({ value: DEVICES, Count: 4 }, null, 4)],
    ["a page nested in a page's list", JSON.stringify({ value: [DEVICES[0], { value: DEVICES.slice(1) }] })],
    ["scalars in the list", JSON.stringify([null, DEVICES[0], null])],
  ];
  it.each(shapes)("JSON: %s", async (_name, text) => {
    await agree(utf8(text));
  });

  it("JSON as UTF-16LE and UTF-16BE with a byte order mark and UTF-16LE without one", async () => {
    const le = Buffer.from(JSON.stringify(DEVICES), "utf16le");
    await agree(Buffer.concat([Buffer.from([0xff, 0xfe]), le]));
    await agree(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()]));
    await agree(le);
    await agree(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(JSON.stringify(DEVICES))]));
  });

  it("CSV with a sep= line, semicolons, quoted cells over several lines", async () => {
    await agree(utf8('sep=;\ndisplayName;trustType;operatingSystem\n"multi\nline";AzureAd;Windows\nB;Workplace;"i""OS"\n\n'));
    await agree(utf8("displayName,trustType,registered,operatingSystem\nA,Microsoft Entra joined,,Windows\nB,,false,Android\n"));
  });

  it("gzip-compressed inventories (JSON and CSV) read the same, and say so", async () => {
    const json = utf8(JSON.stringify({ value: DEVICES }));
    const gz = zlib.gzipSync(json);
    for (const size of [1, 10, 1 << 20]) {
      const s = await streamed(gz, size);
      expect(s.compression).toBe("gzip");
      expect(s.devices).toEqual(readDeviceInventory(json).devices);
    }
    const csv = fs.readFileSync(path.join(examples, "powershell51-utf16.csv"));
    const s = await streamed(zlib.gzipSync(csv), 100);
    expect(s.devices).toEqual(readDeviceInventory(csv).devices);
    expect(s.encoding).toBe("utf-16le with BOM");
  });

  it("random inventories in random shapes and chunk sizes (property)", async () => {
    const text = fc.oneof(fc.constantFrom("AzureAd", "ServerAd", "Workplace", "Windows", "iOS", 'q"uote', "back\\slash", "{[,]}", "é", ""), fc.string({ maxLength: 8 }));
    const device = fc.option(
      fc.record({ displayName: text, trustType: fc.constantFrom("AzureAd", "ServerAd", "Workplace"), operatingSystem: text, isCompliant: fc.option(fc.boolean()), physicalIds: fc.array(text, { maxLength: 2 }) }, { requiredKeys: ["trustType"] }),
      { freq: 6 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(device, { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 40 }), fc.boolean(), async (devices, shape, size, pretty) => {
        const indent = pretty ? 2 : undefined;
        const half = Math.ceil(devices.length / 2);
        const doc =
          shape === 0
            ? JSON.stringify(devices, null, indent)
            : shape === 1
              ? JSON.stringify({ "@odata.context": "ctx", value: devices }, null, indent)
              : shape === 2
                ? JSON.stringify([{ value: devices.slice(0, half) }, { value: devices.slice(half) }], null, indent)
                : `${JSON.stringify({ value: devices.slice(0, half) }, null, indent)}\n${JSON.stringify({ value: devices.slice(half) }, null, indent)}`;
        const bytes = utf8(doc);
        const whole = readDeviceInventory(bytes);
        const s = await streamed(bytes, size);
        expect(s.devices).toEqual(whole.devices);
        expect(s.warnings).toEqual(whole.warnings);
      }),
      { numRuns: 300, seed: 20261125 },
    );
  });
});

describe("streamDeviceInventory fails closed", () => {
  it("a JSON file cut anywhere is an error, never fewer devices", async () => {
    const docs = [JSON.stringify(DEVICES, null, 2), JSON.stringify({ "@odata.context": "x", value: DEVICES }), JSON.stringify([{ value: DEVICES.slice(0, 2) }, { value: DEVICES.slice(2) }])];
    for (const doc of docs) {
      for (let cut = 1; cut < doc.length; cut++) {
        const message = await streamError(utf8(doc.slice(0, cut)), 7);
        expect([cut, message]).toEqual([cut, expect.stringMatching(/^not valid JSON \(|^a device inventory in JSON must be/)]);
      }
    }
  });

  it("names the line of a syntax error, and the device it follows", async () => {
    expect(await streamError(utf8('[\n{"displayName": "A", "trustType": "AzureAd"}\n{"displayName": "B"}]'))).toBe(
      'not valid JSON (line 3: expected "," or "]" after device #0, found "{")',
    );
    expect(await streamError(utf8('[{"trustType": "AzureAd"},\n]'))).toMatch(/^not valid JSON \(line 2: a "," before "\]"/);
    expect(await streamError(utf8('{"value": [\n{"trustType": "AzureAd"},\n{"trustType": Azure}\n]}'))).toMatch(/^not valid JSON \(line 3: device #1: Unexpected token/);
    expect(await streamError(utf8('[{"trustType": "AzureAd"}]'.slice(0, 20)))).toMatch(/^not valid JSON \(the file ends at line 1 inside a list, before the first device: the file is truncated/);
  });

  it("a truncated gzip file is an error", async () => {
    const gz = zlib.gzipSync(utf8(JSON.stringify({ value: DEVICES })));
    expect(await streamError(gz.subarray(0, gz.length - 6))).toMatch(/not a readable gzip file|not valid JSON/);
    expect(await streamError(gz.subarray(0, gz.length - 20))).toMatch(/not a readable gzip file|not valid JSON/);
  });

  it("refuses what the whole-file reader refuses, with the same message", async () => {
    const cases = [
      JSON.stringify([{ displayName: "A", trustType: "AzureAd" }, { displayName: "B", trustType: { value: "ServerAd" } }]),
      JSON.stringify([{ displayName: "A", operatingSystem: "Windows" }]),
      JSON.stringify({ devices: 3 }),
      JSON.stringify([]),
      JSON.stringify([DEVICES[0], 42]),
      "displayName,trustType,isCompliant\nA,AzureAd,true\nB,ServerAd,maybe\n",
      'displayName,trustType\nA,AzureAd\n"B,ServerAd\n',
      "displayName,trustType\nA,AzureAd,extra\n",
      "   \n",
      "displayName,trustType\n",
    ];
    for (const text of cases) {
      let expected = "";
      try {
        readDeviceInventory(utf8(text));
      } catch (err) {
        expected = (err as Error).message;
      }
      expect([text, await streamError(utf8(text), 3)]).toEqual([text, expected]);
    }
    expect(await streamError(Buffer.from([0x5b, 0xff, 0xfe, 0x5d, 0x5d]), 2)).toBe(
      "the file is neither UTF-8 nor UTF-16 with a byte order mark; save it as UTF-8 and retry",
    );
  });
});
