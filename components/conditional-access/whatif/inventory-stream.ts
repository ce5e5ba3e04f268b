/**
 * Device inventories read as a stream: the same files and the same answers as readDeviceInventory
 * (inventory.ts), one device at a time, so an inventory of millions of devices is never held in
 * memory. Bytes may be gzip-compressed; text is decoded by its byte order mark (UTF-8, UTF-16LE,
 * UTF-16BE; UTF-16LE without one when the second byte is NUL) incrementally.
 *
 * JSON: the outer structure (documents one after another, an array of devices or of pages, a
 * `{ "value": [...] }` page) is scanned here; each device is cut out whole and read by JSON.parse.
 * CSV: csv-parse's streaming parser. Every fault the whole-file reader refuses is refused here
 * too, naming the line, and a file that ends early is an error, never a shorter inventory.
 */
import { Readable } from "node:stream";
import { TextDecoder } from "node:util";
import { pipeline } from "node:stream/promises";
import * as zlib from "node:zlib";
import { parse as csvParser } from "csv-parse";
import type { InventoryDevice } from "./evaluate";
import { ExportEncoding } from "../import/decode";
import {
  CSV_EMPTY,
  Collector,
  EMPTY_FILE,
  INCOMPLETE_PAGES,
  InventoryError,
  InventoryFormat,
  NOT_A_JSON_INVENTORY,
  NUL_CHARACTERS,
  checkInventory,
  csvError,
  csvHeader,
  csvPrelude,
  csvRowDevice,
  isPage,
  jsonEntryDevice,
  looksLikeDevice,
  type InventoryWarning,
} from "./inventory-record";

/** What a streamed inventory was, once read to its end (the devices went to the callback). */
export interface InventoryStreamResult {
  count: number;
  format: InventoryFormat;
  encoding: ExportEncoding;
  /** "gzip" when the bytes were gzip-compressed. */
  compression?: "gzip";
  warnings: InventoryWarning[];
  columns: string[];
}

/** Largest single record (a device object, or a page saved inside a list) read whole, in characters. */
export const MAX_RECORD_CHARS = 32 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Bytes: gzip and text decoding
// ---------------------------------------------------------------------------------------------

async function* gunzipIfCompressed(chunks: AsyncIterable<Uint8Array>, seen: { gzip: boolean }): AsyncGenerator<Uint8Array> {
  const it = chunks[Symbol.asyncIterator]();
  let head: Uint8Array = new Uint8Array(0);
  while (head.length < 2) {
    const next = await it.next();
    if (next.done) break;
    head = head.length ? Buffer.concat([head, next.value]) : next.value;
  }
  const rest = async function* (): AsyncGenerator<Uint8Array> {
    if (head.length) yield head;
    for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
  };
  if (!(head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b)) {
    yield* rest();
    return;
  }
  seen.gzip = true;
  const gunzip = zlib.createGunzip();
  const source = Readable.from(rest(), { objectMode: false });
  source.on("error", (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Uint8Array;
  } catch (err) {
    if (err instanceof InventoryError) throw err;
    throw new InventoryError(`not a readable gzip file (${(err as Error).message}): it is damaged or truncated; compress it again, or pass it uncompressed`);
  }
}

const NOT_UTF = "the file is neither UTF-8 nor UTF-16 with a byte order mark; save it as UTF-8 and retry";

async function* decode(bytes: AsyncIterable<Uint8Array>, found: { encoding: ExportEncoding }): AsyncGenerator<string> {
  let decoder: InstanceType<typeof TextDecoder> | undefined;
  let pending: Uint8Array = new Uint8Array(0);
  let first = true;
  const text = (chunk: Uint8Array, end: boolean): string => {
    try {
      let out = decoder!.decode(chunk, { stream: !end });
      if (first && out.length) {
        if (out.charCodeAt(0) === 0xfeff) out = out.slice(1);
        first = false;
      }
      if (out.includes("\u0000")) throw new InventoryError(NUL_CHARACTERS);
      return out;
    } catch (err) {
      if (err instanceof InventoryError) throw err;
      throw new InventoryError(NOT_UTF);
    }
  };
  const start = (b: Uint8Array): Uint8Array => {
    if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
      found.encoding = ExportEncoding.Utf8Bom;
      decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
      return b.subarray(3);
    }
    if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) {
      found.encoding = ExportEncoding.Utf16LeBom;
      decoder = new TextDecoder("utf-16le", { ignoreBOM: true });
      return b.subarray(2);
    }
    if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
      found.encoding = ExportEncoding.Utf16BeBom;
      decoder = new TextDecoder("utf-16be", { ignoreBOM: true });
      return b.subarray(2);
    }
    if (b.length >= 2 && b[0] !== 0 && b[1] === 0) {
      found.encoding = ExportEncoding.Utf16LeNoBom;
      decoder = new TextDecoder("utf-16le", { ignoreBOM: true });
      return b;
    }
    found.encoding = ExportEncoding.Utf8;
    decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    return b;
  };
  for await (const chunk of bytes) {
    if (!decoder) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      if (pending.length < 3) continue;
      const t = text(start(pending), false);
      if (t) yield t;
      continue;
    }
    const t = text(chunk, false);
    if (t) yield t;
  }
  if (!decoder) {
    const t = text(start(pending), false);
    if (t) yield t;
  }
  const tail = text(new Uint8Array(0), true);
  if (tail) yield tail;
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

const enum A {
  First,
  AfterValue,
  AfterComma,
}
const enum O {
  KeyOrEnd,
  Key,
  Colon,
  Value,
  CommaOrEnd,
}

interface ArrayFrame {
  kind: "array";
  /** "list": a top-level array (of devices or of pages); "values": a page's value list. */
  role: "list" | "values";
  state: A;
}
interface ObjectFrame {
  kind: "object";
  /** Absolute character offset of the `{` (kept in the buffer while the object may be a device). */
  start: number;
  top: boolean;
  state: O;
  key: string;
  page: boolean;
  /** Property names seen (parsed once the object is known to be a page). */
  keys: string[];
  /** Before the object is known to be a page: where each property's name and value are in the text. */
  ranges: number[];
  nextLink: boolean;
}
type Frame = ArrayFrame | ObjectFrame;

function shownChar(ch: string): string {
  return JSON.stringify(ch);
}

/**
 * The outer structure of a JSON inventory, fed text piece by piece. Device entries are handed
 * over in file order with their index; pages are followed; everything else is refused as the
 * whole-file reader refuses it.
 */
export class JsonInventoryScanner {
  private buf = "";
  private i = 0;
  /** Characters dropped from the front of `buf`, and the newlines among them. */
  private base = 0;
  private linesBefore = 0;
  private readonly stack: Frame[] = [];
  private index = 0;
  private openNextLink = false;
  private sawDocument = false;

  constructor(private readonly entry: (value: unknown, index: number) => void) {}

  feed(text: string): void {
    const keep = this.keepFrom();
    if (keep > 0) {
      const dropped = this.buf.slice(0, keep);
      for (let at = dropped.indexOf("\n"); at !== -1; at = dropped.indexOf("\n", at + 1)) this.linesBefore++;
      this.buf = this.buf.slice(keep);
      this.base += keep;
      this.i -= keep;
    }
    this.buf += text;
    this.run(false);
    if (this.buf.length - this.keepFrom() > MAX_RECORD_CHARS) {
      throw new InventoryError(`a single record starting at line ${this.lineAt(this.base + this.keepFrom())} is longer than ${MAX_RECORD_CHARS} characters: not a device inventory`);
    }
  }

  /** The end of the text: anything left open is a truncated file. Returns whether the last page links to a next one. */
  end(): { nextLink: boolean; empty: boolean } {
    this.run(true);
    if (this.stack.length || this.i < this.buf.length) {
      const top = this.stack[this.stack.length - 1];
      const inside = !top ? "a value" : top.kind === "array" ? "a list" : "an object";
      throw new InventoryError(`not valid JSON (the file ends at line ${this.lineAt(this.base + this.buf.length)} inside ${inside}, ${this.after()}: the file is truncated; export it again)`);
    }
    return { nextLink: this.openNextLink, empty: !this.sawDocument };
  }

  /** The first buffer index still needed: the start of an object that may be a device, or the scan position. */
  private keepFrom(): number {
    for (const f of this.stack) if (f.kind === "object" && !f.page) return f.start - this.base;
    return this.i;
  }

  private lineAt(abs: number): number {
    const upto = abs - this.base;
    let lines = this.linesBefore + 1;
    for (let at = this.buf.indexOf("\n"); at !== -1 && at < upto; at = this.buf.indexOf("\n", at + 1)) lines++;
    return lines;
  }

  private syntax(at: number, what: string): InventoryError {
    return new InventoryError(`not valid JSON (line ${this.lineAt(this.base + at)}: ${what})`);
  }

  private parse(from: number, to: number, what: string): unknown {
    try {
      return JSON.parse(this.buf.slice(from, to)) as unknown;
    } catch (err) {
      throw this.syntax(from, `${what}: ${(err as Error).message}`);
    }
  }

  private after(): string {
    return this.index ? `after device #${this.index - 1}` : "before the first device";
  }

  private emit(value: unknown): void {
    this.entry(value, this.index++);
  }

  /** An in-memory value found where devices are listed: a page is followed, anything else is an entry. */
  private listed(value: unknown): void {
    if (isPage(value)) {
      this.openNextLink = typeof value["@odata.nextLink"] === "string";
      for (const el of value.value) this.listed(el);
    } else this.emit(value);
  }

  /** End of the string starting at `at` (a quote), or -1 when it continues past the buffer. */
  private stringEnd(at: number): number {
    const buf = this.buf;
    let k = at + 1;
    for (;;) {
      const q = buf.indexOf('"', k);
      if (q === -1) return -1;
      let slashes = 0;
      for (let b = q - 1; buf.charCodeAt(b) === 92; b--) slashes++;
      if (slashes % 2 === 0) return q + 1;
      k = q + 1;
    }
  }

  /** End of the JSON value starting at `at`, or -1 when it continues past the buffer (and the text goes on). */
  private valueEnd(at: number, final: boolean): number {
    const buf = this.buf;
    const c = buf.charCodeAt(at);
    if (c === 34) return this.stringEnd(at);
    if (c === 123 || c === 91) {
      let depth = 0;
      const n = buf.length;
      for (let k = at; k < n; k++) {
        const ch = buf.charCodeAt(k);
        if (ch === 34) {
          const e = this.stringEnd(k);
          if (e === -1) return -1;
          k = e - 1;
        } else if (ch === 123 || ch === 91) depth++;
        else if (ch === 125 || ch === 93) {
          if (--depth === 0) return k + 1;
        }
      }
      return -1;
    }
    // A scalar: up to the next delimiter.
    let k = at;
    const n = buf.length;
    while (k < n) {
      const ch = buf.charCodeAt(k);
      if (ch === 44 || ch === 93 || ch === 125 || ch === 32 || ch === 10 || ch === 13 || ch === 9) break;
      k++;
    }
    return k === n && !final ? -1 : k;
  }

  private run(final: boolean): void {
    const buf = this.buf;
    for (;;) {
      let i = this.i;
      const n = buf.length;
      while (i < n) {
        const ch = buf.charCodeAt(i);
        if (ch === 32 || ch === 10 || ch === 13 || ch === 9) i++;
        else break;
      }
      this.i = i;
      if (i >= n) return;
      const ch = buf[i];
      const frame = this.stack[this.stack.length - 1];
      if (!frame) {
        // Between documents: pages appended to one file, separated by whitespace or commas.
        if (ch === ",") {
          this.i++;
          continue;
        }
        this.sawDocument = true;
        if (ch === "[") {
          this.stack.push({ kind: "array", role: "list", state: A.First });
          this.i++;
          continue;
        }
        if (ch === "{") {
          this.stack.push({ kind: "object", start: this.base + i, top: true, state: O.KeyOrEnd, key: "", page: false, keys: [], ranges: [], nextLink: false });
          this.i++;
          continue;
        }
        const end = this.valueEnd(i, final);
        if (end === -1) return;
        this.parse(i, end, "a top-level value");
        throw new InventoryError(NOT_A_JSON_INVENTORY);
      }
      if (frame.kind === "array") {
        if (ch === "]" && frame.state !== A.AfterComma) {
          this.stack.pop();
          this.i++;
          continue;
        }
        if (frame.state === A.AfterValue) {
          if (ch !== ",") throw this.syntax(i, `expected "," or "]" ${this.after()}, found ${shownChar(ch)}`);
          frame.state = A.AfterComma;
          this.i++;
          continue;
        }
        if (ch === "]") throw this.syntax(i, `a "," before "]" (${this.after()})`);
        if (ch === "{" && frame.role === "list") {
          // An array of pages (a paging script's output) or of devices: an object whose first
          // property is "value" or an annotation is read property by property, so a large page
          // is streamed too; a device is read whole.
          const peek = /^\{\s*"(?:value"|@|#|Count")/.exec(buf.slice(i, i + 64));
          if (peek === null && i + 64 > n && !final) return;
          if (peek) {
            frame.state = A.AfterValue;
            this.stack.push({ kind: "object", start: this.base + i, top: false, state: O.KeyOrEnd, key: "", page: false, keys: [], ranges: [], nextLink: false });
            this.i++;
            continue;
          }
        }
        const end = this.valueEnd(i, final);
        if (end === -1) return;
        frame.state = A.AfterValue;
        this.listed(this.parse(i, end, `device #${this.index}`));
        this.i = end;
        continue;
      }
      // An object at the top: a page (its value list is streamed) or one device (read whole).
      switch (frame.state) {
        case O.KeyOrEnd:
        case O.Key: {
          if (ch === "}" && frame.state === O.KeyOrEnd) {
            this.closeObject(frame, i);
            continue;
          }
          if (ch !== '"') throw this.syntax(i, `expected a property name, found ${shownChar(ch)}`);
          const end = this.stringEnd(i);
          if (end === -1) return;
          // Names are parsed only in pages; a device's are read by JSON.parse with the whole object.
          frame.key = frame.page ? (this.parse(i, end, "a property name") as string) : end === i + 7 && buf.startsWith('"value"', i) ? "value" : "";
          if (frame.page) frame.keys.push(frame.key);
          else frame.ranges.push(this.base + i, this.base + end);
          frame.state = O.Colon;
          this.i = end;
          continue;
        }
        case O.Colon:
          if (ch !== ":") throw this.syntax(i, `expected ":" after ${JSON.stringify(frame.key)}, found ${shownChar(ch)}`);
          frame.state = O.Value;
          this.i++;
          continue;
        case O.Value: {
          if (frame.key === "value" && ch === "[" && !frame.page) {
            // A page: the properties before the list are read now, the devices are streamed.
            frame.page = true;
            const r = frame.ranges;
            for (let k = 0; k < r.length; k += 4) {
              const name = this.parse(r[k] - this.base, r[k + 1] - this.base, "a property name") as string;
              frame.keys.push(name);
              if (k + 2 < r.length) {
                const v = this.parse(r[k + 2] - this.base, r[k + 3] - this.base, `the value of ${JSON.stringify(name)}`);
                if (name === "@odata.nextLink") frame.nextLink = typeof v === "string";
              }
            }
            frame.ranges = [];
            frame.state = O.CommaOrEnd;
            this.stack.push({ kind: "array", role: "values", state: A.First });
            this.i++;
            continue;
          }
          const end = this.valueEnd(i, final);
          if (end === -1) return;
          if (frame.page) {
            const v = this.parse(i, end, `the value of ${JSON.stringify(frame.key)}`);
            if (frame.key === "@odata.nextLink") frame.nextLink = typeof v === "string";
          } else frame.ranges.push(this.base + i, this.base + end);
          frame.state = O.CommaOrEnd;
          this.i = end;
          continue;
        }
        case O.CommaOrEnd:
          if (ch === ",") {
            frame.state = O.Key;
            this.i++;
            continue;
          }
          if (ch !== "}") throw this.syntax(i, `expected "," or "}" after ${JSON.stringify(frame.key)}, found ${shownChar(ch)}`);
          this.closeObject(frame, i);
          continue;
      }
    }
  }

  private closeObject(frame: ObjectFrame, at: number): void {
    this.stack.pop();
    this.i = at + 1;
    if (frame.page) {
      const other = frame.keys.filter((k) => !(k === "value" || k === "Count" || k.startsWith("@odata") || k.startsWith("#")));
      if (other.length) {
        throw new InventoryError(
          `an object at line ${this.lineAt(frame.start)} has a "value" list and the properties ${other.slice(0, 5).map((k) => JSON.stringify(k)).join(", ")}: neither a Graph page ({ "value": [...] } with @odata annotations) nor a device`,
        );
      }
      this.openNextLink = frame.nextLink;
      return;
    }
    // Not a page: the whole object is one device (Windows PowerShell writes a single device as an object).
    const value = this.parse(frame.start - this.base, at + 1, "an object");
    if (isPage(value) || !frame.top) this.listed(value);
    else if (looksLikeDevice(value as Record<string, unknown>)) this.emit(value);
    else throw new InventoryError(NOT_A_JSON_INVENTORY);
  }
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

/**
 * Read a device inventory from a stream of bytes, handing each device to `onDevice` in file
 * order. `format` forces CSV or JSON; by default text starting with `[` or `{` is JSON and
 * anything else CSV. Rejects with InventoryError for everything readDeviceInventory refuses;
 * devices already handed over before the fault must then be discarded by the caller.
 */
export async function streamDeviceInventory(
  bytes: AsyncIterable<Uint8Array>,
  onDevice: (device: InventoryDevice, index: number) => void,
  options: { format?: "json" | "csv" } = {},
): Promise<InventoryStreamResult> {
  const gz = { gzip: false };
  const found = { encoding: ExportEncoding.Utf8 as ExportEncoding };
  const texts = decode(gunzipIfCompressed(bytes, gz), found)[Symbol.asyncIterator]();
  // Enough text to see the first character and the CSV's first lines.
  let start = "";
  let done = false;
  while (!done && (start.trim() === "" || start.length < 4096)) {
    const next = await texts.next();
    if (next.done) done = true;
    else start += next.value;
  }
  if (start.trim() === "") throw new InventoryError(EMPTY_FILE);
  const rest = async function* (): AsyncGenerator<string> {
    yield start;
    if (done) return;
    for (let next = await texts.next(); !next.done; next = await texts.next()) yield next.value;
  };
  const kind = options.format ?? (/^\s*[[{]/.test(start) ? "json" : "csv");
  const c = new Collector();
  let count = 0;
  let format: InventoryFormat;
  if (kind === "json") {
    const scanner = new JsonInventoryScanner((entry, index) => {
      onDevice(jsonEntryDevice(entry, index, c), index);
      count++;
    });
    for await (const text of rest()) scanner.feed(text);
    const { nextLink } = scanner.end();
    if (nextLink) c.warnings.push(INCOMPLETE_PAGES);
    format = c.pascal ? InventoryFormat.PowerShellJson : InventoryFormat.GraphJson;
  } else {
    const { fromLine, delimiter, powershell } = csvPrelude(start);
    let header: ReturnType<typeof csvHeader> | undefined;
    const parser = csvParser({ info: true, from_line: fromLine, delimiter, skip_empty_lines: true, relax_column_count: false, trim: false });
    try {
      await pipeline(Readable.from(rest(), { objectMode: false }), parser, async (rows: AsyncIterable<{ record: string[]; info: { lines: number } }>) => {
        for await (const { record, info } of rows) {
          if (!header) header = csvHeader(record, c);
          else {
            onDevice(csvRowDevice(header.header, record, info.lines, c), count);
            count++;
          }
        }
      });
    } catch (err) {
      if (err instanceof InventoryError) throw err;
      throw csvError(err);
    }
    if (!header) throw new InventoryError(CSV_EMPTY);
    format = header.portal ? InventoryFormat.EntraPortalCsv : powershell || header.pascal ? InventoryFormat.PowerShellCsv : InventoryFormat.GraphCsv;
  }
  checkInventory(count, c);
  return { count, format, encoding: found.encoding, ...(gz.gzip ? { compression: "gzip" as const } : {}), warnings: c.finish(), columns: [...c.columns] };
}
