/**
 * Sign-in logs as streams of records, never loaded whole:
 *
 * - gzip (sniffed from the magic bytes), then UTF-8 (with or without BOM) or UTF-16 LE/BE (BOM, or
 *   sniffed from zero bytes);
 * - JSON: a Graph page `{ "value": [...] }` or several (concatenated, one per line, or in an array),
 *   an array of records, or one record per line (NDJSON); records are cut out of the text as they
 *   arrive and parsed one at a time;
 * - CSV: Log Analytics exports (columns as in the table, `TimeGenerated [UTC]`, dynamic columns as
 *   JSON text), the Entra admin center's download (display-name headers), or Graph field paths
 *   (`deviceDetail.trustType`); quoted fields may span lines; `,`, `;` or tab.
 */
import * as zlib from "node:zlib";
import { Readable } from "node:stream";
import { ReplayInputError } from "./locations";

type Rec = Record<string, unknown>;

export interface ReadInfo {
  compression: "gzip" | "none";
  encoding: "utf-8" | "utf-16le" | "utf-16be";
  format: "json" | "csv" | "empty";
  records: number;
}

/** Bytes (maybe gzip) to text chunks, decoding the encoding the BOM or zero bytes say. */
export async function* decodeText(chunks: AsyncIterable<Uint8Array>, info: ReadInfo): AsyncGenerator<string> {
  const it = chunks[Symbol.asyncIterator]();
  let first = await it.next();
  while (!first.done && first.value.length === 0) first = await it.next();
  if (first.done) return;
  const head = first.value;
  const rest: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => {
      let sentHead = false;
      return {
        next: async () => (sentHead ? it.next() : ((sentHead = true), { done: false, value: head })),
      };
    },
  };
  let source: AsyncIterable<Uint8Array> = rest;
  if (head[0] === 0x1f && head[1] === 0x8b) {
    info.compression = "gzip";
    source = Readable.from(rest, { objectMode: false }).pipe(zlib.createGunzip());
  }
  let decoder: InstanceType<typeof TextDecoder> | undefined;
  for await (const raw of source) {
    const chunk = raw instanceof Uint8Array ? raw : Buffer.from(raw as string);
    if (!decoder) {
      if (chunk[0] === 0xff && chunk[1] === 0xfe) info.encoding = "utf-16le";
      else if (chunk[0] === 0xfe && chunk[1] === 0xff) info.encoding = "utf-16be";
      else if (chunk.length > 1 && chunk[0] !== 0 && chunk[1] === 0) info.encoding = "utf-16le";
      else if (chunk.length > 1 && chunk[0] === 0 && chunk[1] !== 0) info.encoding = "utf-16be";
      decoder = new TextDecoder(info.encoding, { fatal: false });
    }
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const tail = decoder?.decode();
  if (tail) yield tail;
}

// Roles of the open containers in the JSON splitter.
const OTHER_OBJ = 0;
const OTHER_ARR = 1;
const CANDIDATE = 2;
const PAGE = 3;
const PAGE_VALUE = 4;
const ROOT_ARR = 5;

/**
 * Cuts records out of JSON text as it arrives. A record is an object at the top level, in a
 * top-level array, or in the `value` array of a page (itself at the top level or in an array).
 */
export class JsonRecordSplitter {
  private readonly roles: number[] = [];
  private inString = false;
  private escape = false;
  private expectKey = false;
  /** Where the current key string started in this chunk (-1: not a key; -2: it started in an earlier chunk, text in keyText). */
  private keyStart = -1;
  private keyText = "";
  private lastKeyIsValue = false;
  private capturing = false;
  private captured = "";
  private captureStart = 0;
  private offset = 0;

  constructor(private readonly emit: (text: string, offset: number) => void) {}

  /** The character offset of the next chunk (for error messages). */
  get position(): number {
    return this.offset;
  }

  feed(chunk: string): void {
    const roles = this.roles;
    let i = 0;
    const n = chunk.length;
    if (this.capturing) this.captureStart = 0;
    while (i < n) {
      const c = chunk.charCodeAt(i);
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === 92) this.escape = true;
        else if (c === 34) {
          this.inString = false;
          if (this.keyStart !== -1) {
            // A key of the candidate object: is it "value"? (It may have begun in the previous chunk.)
            const key = this.keyStart === -2 ? this.keyText + chunk.slice(0, i) : chunk.slice(this.keyStart + 1, i);
            this.lastKeyIsValue = key === "value";
            this.keyStart = -1;
            this.keyText = "";
          }
        }
        i++;
        continue;
      }
      switch (c) {
        case 34: // "
          this.inString = true;
          this.keyStart = this.expectKey && roles[roles.length - 1] === CANDIDATE ? i : -1;
          if (this.keyStart < 0 && this.expectKey && roles[roles.length - 1] === CANDIDATE) this.lastKeyIsValue = false;
          break;
        case 123: {
          // {
          const parent = roles.length ? roles[roles.length - 1] : -1;
          if (parent === -1 || parent === ROOT_ARR || parent === PAGE_VALUE) {
            roles.push(CANDIDATE);
            this.capturing = true;
            this.captured = "";
            this.captureStart = i;
            this.lastKeyIsValue = false;
          } else roles.push(OTHER_OBJ);
          this.expectKey = true;
          break;
        }
        case 91: {
          // [
          const parent = roles.length ? roles[roles.length - 1] : -1;
          if (parent === -1) roles.push(ROOT_ARR);
          else if (parent === CANDIDATE && this.lastKeyIsValue) {
            // The candidate is a page: its records are in this array.
            roles[roles.length - 1] = PAGE;
            this.capturing = false;
            this.captured = "";
            roles.push(PAGE_VALUE);
          } else roles.push(OTHER_ARR);
          this.expectKey = false;
          break;
        }
        case 125: // }
        case 93: {
          // ]
          const role = roles.pop();
          if (role === CANDIDATE) {
            const text = this.captured + chunk.slice(this.captureStart, i + 1);
            this.capturing = false;
            this.captured = "";
            this.emit(text, this.offset + i);
          }
          this.expectKey = false;
          break;
        }
        case 44: // ,
          this.expectKey = roles.length > 0 && (roles[roles.length - 1] === OTHER_OBJ || roles[roles.length - 1] === CANDIDATE || roles[roles.length - 1] === PAGE);
          break;
        case 58: // :
          this.expectKey = false;
          break;
      }
      i++;
    }
    if (this.capturing) this.captured += chunk.slice(this.captureStart);
    if (this.inString && this.keyStart !== -1) {
      // A key cut by the chunk boundary: keep its start (keys worth comparing are short).
      this.keyText = (this.keyStart === -2 ? this.keyText : "") + chunk.slice(this.keyStart === -2 ? 0 : this.keyStart + 1).slice(0, 16);
      this.keyStart = -2;
    }
    this.offset += n;
  }

  /** Throws when the text ended inside a record. */
  end(): void {
    if (this.inString || this.roles.length > 0) throw new ReplayInputError(`the JSON ends inside ${this.inString ? "a string" : "an object or array"} (truncated file?)`);
  }
}

/** Entra admin center download headers (display names) to Graph field paths. */
const PORTAL_HEADERS: Readonly<Record<string, string>> = {
  "date (utc)": "createdDateTime",
  "request id": "id",
  "user id": "userId",
  username: "userPrincipalName",
  "user type": "userType",
  "cross tenant access type": "crossTenantAccessType",
  "authentication protocol": "authenticationProtocol",
  "original transfer method": "originalTransferMethod",
  application: "appDisplayName",
  "application id": "appId",
  resource: "resourceDisplayName",
  "resource id": "resourceId",
  "resource tenant id": "resourceTenantId",
  "home tenant id": "homeTenantId",
  "ip address": "ipAddress",
  "client app": "clientAppUsed",
  "device id": "deviceDetail.deviceId",
  "operating system": "deviceDetail.operatingSystem",
  compliant: "deviceDetail.isCompliant",
  "join type": "deviceDetail.trustType",
  "conditional access": "conditionalAccessStatus",
};

/** A CSV header to the key (or dotted path) a record is built with. */
function headerKey(h: string): string {
  const t = h.trim().replace(/\s*\[(UTC|Local Time)\]$/i, "");
  return PORTAL_HEADERS[t.toLowerCase()] ?? t;
}

function rowRecord(keys: string[], row: string[]): Rec {
  const r: Rec = {};
  for (let i = 0; i < keys.length && i < row.length; i++) {
    const key = keys[i];
    let v: string = row[i];
    // The admin center writes Yes/No for booleans.
    if (key === "deviceDetail.isCompliant") v = /^yes$/i.test(v) ? "true" : /^no$/i.test(v) ? "false" : v;
    if (!key.includes(".")) {
      r[key] = v;
      continue;
    }
    const path = key.split(".");
    let o = r;
    for (let j = 0; j < path.length - 1; j++) {
      const next = o[path[j]];
      o = (next && typeof next === "object" ? next : (o[path[j]] = {})) as Rec;
    }
    o[path[path.length - 1]] = v;
  }
  return r;
}

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3;

/** Streaming CSV: fields may be quoted ("" escapes a quote) and span lines. */
export class CsvRecordSplitter {
  private field = "";
  private row: string[] = [];
  private state = FIELD_START;
  private keys: string[] | undefined;
  private delimiter = -1;
  private line = 1;
  private rowLine = 1;

  constructor(private readonly emit: (record: Rec, line: number) => void) {}

  feed(chunk: string): void {
    if (this.delimiter < 0) {
      const firstLine = chunk.split(/\r?\n/, 1)[0];
      const counts = [",", ";", "\t"].map((d) => firstLine.split(d).length);
      this.delimiter = [44, 59, 9][counts.indexOf(Math.max(...counts))];
    }
    const d = this.delimiter;
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      switch (this.state) {
        case FIELD_START:
          if (c === 34) {
            this.state = QUOTED;
            start = i + 1;
          } else if (c === d) this.pushField();
          else if (c === 10) this.endLine();
          else if (c !== 13) {
            this.state = UNQUOTED;
            start = i;
          }
          break;
        case UNQUOTED:
          if (c === d || c === 10) {
            this.field += chunk.slice(start, i);
            if (c === d) this.pushField();
            else this.endLine();
          }
          break;
        case QUOTED:
          if (c === 34) {
            this.field += chunk.slice(start, i);
            this.state = QUOTE_IN_QUOTED;
          } else if (c === 10) this.line++;
          break;
        case QUOTE_IN_QUOTED:
          if (c === 34) {
            this.field += '"';
            this.state = QUOTED;
            start = i + 1;
          } else if (c === d) this.pushField();
          else if (c === 10) this.endLine();
          else if (c !== 13) {
            // Text after a closing quote: kept, as spreadsheets do.
            this.state = UNQUOTED;
            start = i;
          }
          break;
      }
    }
    if (this.state === UNQUOTED || this.state === QUOTED) this.field += chunk.slice(start);
  }

  private pushField(): void {
    this.row.push(this.field.endsWith("\r") && this.state === UNQUOTED ? this.field.slice(0, -1) : this.field);
    this.field = "";
    this.state = FIELD_START;
  }

  private endLine(): void {
    this.pushField();
    this.line++;
    const row = this.row;
    this.row = [];
    const line = this.rowLine;
    this.rowLine = this.line;
    if (row.length === 1 && row[0].trim() === "") return;
    if (!this.keys) {
      this.keys = row.map(headerKey);
      return;
    }
    this.emit(rowRecord(this.keys, row), line);
  }

  end(): void {
    if (this.state === QUOTED) throw new ReplayInputError(`the CSV ends inside a quoted field (opened on line ${this.rowLine})`);
    if (this.state !== FIELD_START || this.row.length) this.endLine();
  }
}

/**
 * Records of a sign-in log, as they are read. `where` names the input in errors ("file x.json").
 * Throws ReplayInputError for a record that is not valid JSON, with its position.
 */
export async function* readSignInRecords(chunks: AsyncIterable<Uint8Array>, where: string, info?: ReadInfo): AsyncGenerator<Rec> {
  const i: ReadInfo = info ?? { compression: "none", encoding: "utf-8", format: "empty", records: 0 };
  let splitter: JsonRecordSplitter | CsvRecordSplitter | undefined;
  let queue: Rec[] = [];
  for await (const text of decodeText(chunks, i)) {
    let t = text;
    if (!splitter) {
      t = t.replace(/^\uFEFF/, "");
      const first = /\S/.exec(t);
      if (!first) continue;
      if (first[0] === "[" || first[0] === "{") {
        i.format = "json";
        splitter = new JsonRecordSplitter((json, offset) => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(json);
          } catch (err) {
            throw new ReplayInputError(`${where}: the record ending at character ${offset + 1} is not valid JSON (${(err as Error).message})`);
          }
          if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) queue.push(parsed as Rec);
        });
      } else {
        i.format = "csv";
        splitter = new CsvRecordSplitter((rec) => queue.push(rec));
      }
    }
    splitter.feed(t);
    if (queue.length) {
      const out = queue;
      queue = [];
      for (const r of out) {
        i.records++;
        yield r;
      }
    }
  }
  if (!splitter) return;
  try {
    splitter.end();
  } catch (err) {
    if (err instanceof ReplayInputError) throw new ReplayInputError(`${where}: ${err.message}`);
    throw err;
  }
  for (const r of queue) {
    i.records++;
    yield r;
  }
}
