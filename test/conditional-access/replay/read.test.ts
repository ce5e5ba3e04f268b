/**
 * Sign-in log readers: Graph pages, arrays, NDJSON, Log Analytics JSON and CSV (quoted JSON columns,
 * fields across lines), the admin center download, UTF-8/UTF-16 with BOM, gzip, and any chunking.
 */
import * as zlib from "node:zlib";
import fc from "fast-check";
import {
  ReplayInputError,
  clientAppTypeOf,
  guestKindOf,
  platformOfSignIn,
  readSignInRecords,
  signInFromRecord,
  trustTypeOf,
  type ReadInfo,
} from "../../../components/conditional-access/replay";
import { generateFacts, generateUsers, graphPages, graphRecord, logAnalyticsCsv, logAnalyticsRecord } from "../../helpers/signin-generator";

async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function read(input: string | Uint8Array, size = 1 << 16): Promise<{ records: Record<string, unknown>[]; info: ReadInfo }> {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  const info: ReadInfo = { compression: "none", encoding: "utf-8", format: "empty", records: 0 };
  const records: Record<string, unknown>[] = [];
  for await (const r of readSignInRecords(chunks(bytes, size), "test log", info)) records.push(r);
  return { records, info };
}

const users = generateUsers(9, 10, 3);
const facts = [...generateFacts(30, { seed: 9, users })];

describe("JSON shapes", () => {
  test("several Graph pages, one per line, with @odata keys before and after value", async () => {
    const text = graphPages(30, 7, { seed: 9, users });
    const { records, info } = await read(text);
    expect(records.map((r) => r.id)).toEqual(facts.map((f) => f.id));
    expect(info).toMatchObject({ format: "json", records: 30, encoding: "utf-8", compression: "none" });
  });

  test("an array of pages, a plain array, and one record per line give the same records", async () => {
    const recs = facts.map((f) => graphRecord(f));
    const pages = `[${JSON.stringify({ value: recs.slice(0, 10), "@odata.nextLink": "x" })},${JSON.stringify({ value: recs.slice(10) })}]`;
    for (const text of [pages, JSON.stringify(recs), recs.map((r) => JSON.stringify(r)).join("\n")]) {
      expect((await read(text)).records).toEqual(recs);
    }
  });

  test("a record with a key named value inside a nested object is still one record", async () => {
    const rec = { id: "a", status: { value: [1, 2] }, deviceDetail: { trustType: "" } };
    expect((await read(JSON.stringify([rec]))).records).toEqual([rec]);
  });

  test("any chunking of the bytes gives the same records", async () => {
    const text = graphPages(12, 5, { seed: 9, users }).replace(/"displayName"/g, '"displayName"'); // braces and quotes inside strings too
    const expected = (await read(text)).records;
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 97 }), async (size) => expect((await read(text, size)).records).toEqual(expected)), { numRuns: 30 });
  });

  test("a truncated file is an error naming the file, never a shorter replay", async () => {
    const text = graphPages(5, 5, { seed: 9, users });
    await expect(read(text.slice(0, text.length - 40))).rejects.toThrow(/test log: the JSON ends inside/);
  });

  test("a broken record says where it ends", async () => {
    await expect(read('[{"id": "a"}, {"id": b}]')).rejects.toThrow(ReplayInputError);
    await expect(read('[{"id": "a"}, {"id": b}]')).rejects.toThrow(/test log: the record ending at character 23 is not valid JSON/);
  });
});

describe("encodings and compression", () => {
  const text = JSON.stringify({ value: facts.slice(0, 5).map((f) => ({ ...graphRecord(f), userDisplayName: "Zoë Łukasz 日本" })) });
  const expected = JSON.parse(text).value;

  test("UTF-8 with BOM", async () => {
    const { records, info } = await read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")]));
    expect(records).toEqual(expected);
    expect(info.encoding).toBe("utf-8");
  });

  test("UTF-16 LE with BOM (Windows PowerShell 5 Out-File), read in odd-sized chunks", async () => {
    const { records, info } = await read(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]), 333);
    expect(records).toEqual(expected);
    expect(info.encoding).toBe("utf-16le");
  });

  test("UTF-16 BE with BOM", async () => {
    const le = Buffer.from(text, "utf16le");
    const be = Buffer.alloc(le.length);
    for (let i = 0; i < le.length; i += 2) [be[i], be[i + 1]] = [le[i + 1], le[i]];
    const { records, info } = await read(Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
    expect(records).toEqual(expected);
    expect(info.encoding).toBe("utf-16be");
  });

  test("gzip of UTF-16", async () => {
    const { records, info } = await read(zlib.gzipSync(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")])), 100);
    expect(records).toEqual(expected);
    expect(info).toMatchObject({ compression: "gzip", encoding: "utf-16le" });
  });
});

describe("CSV", () => {
  test("a Log Analytics export of AADNonInteractiveUserSignInLogs: JSON columns quoted, TimeGenerated [UTC]", async () => {
    const csv = logAnalyticsCsv(20, "noninteractive", { seed: 9, users });
    expect(csv.split("\r\n")[0]).toContain("TimeGenerated [UTC]");
    const { records, info } = await read(csv, 50);
    expect(info.format).toBe("csv");
    const signIns = records.map((r, i) => signInFromRecord(r, i));
    const direct = [...generateFacts(20, { seed: 9, users })].map((f, i) => signInFromRecord(logAnalyticsRecord(f, "noninteractive"), i));
    expect(signIns).toEqual(direct);
    expect(signIns.every((s) => s.interactive === false)).toBe(true);
  });

  test("quoted fields with commas, doubled quotes and line breaks", async () => {
    const csv = 'Id,UserPrincipalName,DeviceDetail\r\n"a","x@contoso.com","{""trustType"":""Hybrid Azure AD joined"",""deviceId"":""d1"",\n""operatingSystem"":""Windows 10""}"\r\nb,y@contoso.com,\r\n';
    const { records } = await read(csv, 7);
    expect(records).toEqual([
      { Id: "a", UserPrincipalName: "x@contoso.com", DeviceDetail: '{"trustType":"Hybrid Azure AD joined","deviceId":"d1",\n"operatingSystem":"Windows 10"}' },
      { Id: "b", UserPrincipalName: "y@contoso.com", DeviceDetail: "" },
    ]);
    expect(signInFromRecord(records[0], 0).trustType).toBe("ServerAD");
  });

  test("the Entra admin center download: display-name headers, Yes/No", async () => {
    const csv = "Date (UTC),Request ID,User ID,Username,Application ID,Resource ID,IP address,Client app,Device ID,Operating System,Compliant,Join Type\n2026-10-02T10:00:00Z,r1,U1,ada@contoso.com,A1,00000002-0000-0ff1-ce00-000000000000,203.0.113.9,Exchange ActiveSync,,Android,No,\n";
    const { records } = await read(csv);
    const s = signInFromRecord(records[0], 0);
    expect(s).toMatchObject({ id: "r1", day: "2026-10-02", userId: "u1", clientAppType: "exchangeActiveSync", platform: "android", device: null, trustType: "" });
  });

  test("a CSV that ends inside a quoted field is an error", async () => {
    await expect(read('Id,DeviceDetail\na,"{""x"":1')).rejects.toThrow(/ends inside a quoted field/);
  });
});

describe("display strings to policy values", () => {
  test.each([
    ["Azure AD joined", "AzureAD"],
    ["Microsoft Entra joined", "AzureAD"],
    ["Hybrid Azure AD joined", "ServerAD"],
    ["Microsoft Entra hybrid joined", "ServerAD"],
    ["Azure AD registered", "Workplace"],
    ["Microsoft Entra registered", "Workplace"],
    ["AzureAd", "AzureAD"],
    ["", ""],
    ["Something new", undefined],
  ])("trustType %j -> %j", (logged, value) => expect(trustTypeOf(logged)).toBe(value));

  test.each([
    ["Browser", "browser"],
    ["Mobile Apps and Desktop clients", "mobileAppsAndDesktopClients"],
    ["Exchange ActiveSync", "exchangeActiveSync"],
    ["IMAP4", "other"],
    ["Authenticated SMTP", "other"],
    ["Other clients", "other"],
  ])("clientAppUsed %j -> %j", (used, type) => expect(clientAppTypeOf(used)).toBe(type));

  test.each([
    ["Windows 10", "windows"],
    ["Ios", "iOS"],
    ["MacOs", "macOS"],
    ["Android", "android"],
    ["Linux", "linux"],
    ["Windows Phone", "windowsPhone"],
    ["Chrome OS", "unsupported"],
    ["", undefined],
  ])("operatingSystem %j -> %j", (os, platform) => expect(platformOfSignIn(os)).toBe(platform));

  test("an unrecognised trust type leaves the device's trust type unknown, not unregistered", () => {
    const s = signInFromRecord({ deviceDetail: { deviceId: "d", trustType: "Something new" } }, 0);
    expect(s.device).not.toBeNull();
    expect(s.trustType).toBeUndefined();
  });

  test.each([
    ["2026-10-01T23:59:59.1234567Z", "2026-10-01"],
    ["2026-10-01T23:30:00-02:00", "2026-10-02"],
    ["2026-10-01 08:00:00", "2026-10-01"],
    ["10/1/2026, 11:05:38.123 PM", "2026-10-01"],
    ["not a date", ""],
  ])("day of %j is %j (UTC)", (time, day) => expect(signInFromRecord({ TimeGenerated: time }, 0).day).toBe(day));

  test("guest kinds", () => {
    expect(guestKindOf("member", "none", "t", "t")).toBe("member");
    expect(guestKindOf("guest", "none", "t", "t")).toBe("internalGuest");
    expect(guestKindOf("Guest", "b2bCollaboration", "p", "t")).toBe("b2bCollaborationGuest");
    expect(guestKindOf("member", "b2bCollaboration", "p", "t")).toBe("b2bCollaborationMember");
    expect(guestKindOf("member", "b2bDirectConnect", "p", "t")).toBe("b2bDirectConnectUser");
    expect(guestKindOf("guest", "microsoftSupport", "p", "t")).toBeUndefined();
    expect(guestKindOf(undefined, "none", "t", "t")).toBeUndefined();
  });
});
