/**
 * DMARC aggregate reports (rua): reading them as receivers send them, and summing them per domain,
 * source and day. RFC 7489 appendix C and RFC 9990 (namespace urn:ietf:params:xml:ns:dmarc-2.0,
 * with `np`, `testing` and `discovery_method` in policy_published) are both read; element names are
 * matched without their namespace prefix.
 *
 * Containers are recognised by their first bytes, not by the file name (reporters mislabel them):
 * gzip (one or several members), zip (every .xml / .xml.gz entry), MIME mail (every attachment that
 * is one of these), or XML. A file that cannot be read is refused with a DmarcReportError naming it;
 * the caller goes on with the other files.
 */
import * as zlib from "node:zlib";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { unzipSync } from "fflate";

/** A report file (or an entry inside it) that could not be read. */
export class DmarcReportError extends Error {
  constructor(
    /** The file as the user named it (with `!entry` for a zip entry or attachment). */
    readonly file: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`DMARC report ${file}: ${problem}. Fix: ${fix}`);
    this.name = "DmarcReportError";
  }
}

/** One SPF or DKIM result of a report record. */
export interface DmarcReportAuthResult {
  domain: string;
  result: string;
  /** DKIM only. */
  selector?: string;
}

/** One row of an aggregate report: a source IP, a message count, and the evaluation. */
export interface DmarcReportRecord {
  sourceIp: string;
  count: number;
  disposition: string;
  /** policy_evaluated: DKIM pass and aligned. */
  dkimAligned: boolean;
  /** policy_evaluated: SPF pass and aligned. */
  spfAligned: boolean;
  /** Override reasons (forwarded, mailing_list, local_policy, trusted_forwarder, sampled_out, other, ...). */
  overrides: string[];
  headerFrom: string;
  envelopeFrom?: string;
  dkim: DmarcReportAuthResult[];
  spf: DmarcReportAuthResult[];
}

/** One DMARC aggregate report as read from a file: who reported, the published policy, the records. */
export interface DmarcAggregateReport {
  /** The file (and entry) it came from. */
  file: string;
  /** "2.0" for an RFC 9990 report (namespace dmarc-2.0), else "1.0" (RFC 7489). */
  format: "1.0" | "2.0";
  orgName: string;
  reportId: string;
  /** Seconds since the epoch, UTC. */
  begin: number;
  end: number;
  policy: { domain: string; p?: string; sp?: string; np?: string; pct?: number; testing?: string; discoveryMethod?: string };
  records: DmarcReportRecord[];
}

const MAX_UNCOMPRESSED = 512 * 1024 * 1024;
const FEEDBACK_START = /<(?:[\w.-]+:)?feedback\b/;
const FEEDBACK_NS_2 = /<(?:[\w.-]+:)?feedback\b[^>]*\bxmlns(?::[\w.-]+)?\s*=\s*["']urn:ietf:params:xml:ns:dmarc-2\.0["']/;

// One parse per report: preserveOrder skips the library's object-building pass (node2json), and the
// tree is walked directly below. The parser does not check that tags nest (it pops whatever is open
// at a closing tag), so `tagsNest` does, on the markup only; the validator runs only to word the
// error of a file that is refused.
const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  preserveOrder: true,
  // No path string per element (nothing here reads it).
  jPath: false,
});

/** A node of the parser's preserveOrder tree: `{ tag: children }` or `{ "#text": value }`. */
type ONode = Record<string, unknown>;
/** The children of the first element named `name` among `nodes`. */
function first(nodes: ONode[] | undefined, name: string): ONode[] | undefined {
  if (!nodes) return undefined;
  for (const n of nodes) if (name in n) return n[name] as ONode[];
  return undefined;
}
/** The children of every element named `name` among `nodes`. */
function all(nodes: ONode[] | undefined, name: string): ONode[][] {
  const out: ONode[][] = [];
  if (nodes) for (const n of nodes) if (name in n) out.push(n[name] as ONode[]);
  return out;
}
/** The text directly inside an element (CDATA sections included). */
function text(nodes: ONode[] | undefined): string {
  if (!nodes) return "";
  let s = "";
  for (const n of nodes) if ("#text" in n) s += String(n["#text"]);
  return s;
}
const textAt = (nodes: ONode[] | undefined, name: string) => text(first(nodes, name));

/**
 * Whether the elements nest properly under one root: start and end tags only (comments, CDATA and
 * processing instructions skipped; no text, no tree). A false alarm (an attribute value holding
 * "/>", say) is settled by the validator.
 */
export function tagsNest(xml: string): boolean {
  const open: string[] = [];
  let roots = 0;
  let i = xml.indexOf("<");
  while (i !== -1) {
    const c = xml.charCodeAt(i + 1);
    if (c === 0x21 /* ! */ || c === 0x3f /* ? */) {
      const close = xml.startsWith("<!--", i) ? "-->" : xml.startsWith("<![CDATA[", i) ? "]]>" : c === 0x3f ? "?>" : undefined;
      if (!close) return false; // a DOCTYPE or other declaration: refused before this check
      const e = xml.indexOf(close, i + 2);
      if (e < 0) return false;
      i = xml.indexOf("<", e + close.length);
      continue;
    }
    const end = xml.indexOf(">", i + 1);
    if (end < 0) return false;
    if (c === 0x2f /* / */) {
      if (open.pop() !== xml.slice(i + 2, end).trim()) return false;
    } else {
      let j = i + 1;
      for (let k = xml.charCodeAt(j); j < end && k !== 0x20 && k !== 0x09 && k !== 0x0a && k !== 0x0d && k !== 0x2f; k = xml.charCodeAt(++j));
      if (j === i + 1) return false;
      if (open.length === 0 && ++roots > 1) return false;
      if (xml.charCodeAt(end - 1) !== 0x2f) open.push(xml.slice(i + 1, j));
    }
    i = xml.indexOf("<", end + 1);
  }
  return open.length === 0 && roots === 1;
}

function notWellFormed(file: string, xml: string, parserMessage?: string): DmarcReportError {
  const valid = XMLValidator.validate(xml);
  const detail = valid !== true ? `line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}` : parserMessage ?? "the elements do not nest";
  return new DmarcReportError(file, `not well-formed XML (${detail})`, "ask the reporter for the report again, or remove the file");
}

/** Decode bytes as UTF-8 (BOM dropped); refuse anything else. */
function utf8(file: string, bytes: Uint8Array): string {
  let s: string;
  try {
    s = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new DmarcReportError(file, "not valid UTF-8", "re-export the report as UTF-8 XML (RFC 7489 and RFC 9990 reports are UTF-8)");
  }
  const decl = /^<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(s);
  if (decl && !/^(utf-?8|us-ascii)$/i.test(decl[1])) {
    throw new DmarcReportError(file, `declares encoding "${decl[1]}"`, "re-export the report as UTF-8 XML (RFC 7489 and RFC 9990 reports are UTF-8)");
  }
  return s;
}

/** Parse one aggregate report's XML text. */
export function parseAggregateReportXml(file: string, xml: string): DmarcAggregateReport {
  // Reports carry no DTD; refusing one keeps entity expansion (billion laughs) out entirely.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new DmarcReportError(file, "contains a DOCTYPE or ENTITY declaration, which aggregate reports never have", "remove the file (it is not a report as receivers send them)");
  let doc: ONode[];
  try {
    doc = parser.parse(xml) as ONode[];
  } catch (err) {
    throw notWellFormed(file, xml, (err as Error).message);
  }
  // A false alarm of the nesting check (markup it reads differently) is settled by the validator.
  if (!tagsNest(xml) && XMLValidator.validate(xml) !== true) throw notWellFormed(file, xml);
  const fb = first(doc, "feedback");
  if (!fb) throw new DmarcReportError(file, "has no <feedback> element: not a DMARC aggregate report", "pass only aggregate (rua) reports");
  const meta = first(fb, "report_metadata");
  const range = first(meta, "date_range");
  const pp = first(fb, "policy_published");
  const domain = textAt(pp, "domain").toLowerCase();
  const beginText = textAt(range, "begin");
  const begin = Number(beginText);
  const end = Number(textAt(range, "end"));
  const missing = [!domain && "policy_published/domain", !Number.isFinite(begin) || !beginText ? "report_metadata/date_range/begin" : ""].filter(Boolean);
  if (missing.length) throw new DmarcReportError(file, `lacks ${missing.join(" and ")}`, "the report is incomplete; ask the reporter (report_metadata/org_name) for it again");
  // removeNSPrefix drops xmlns attributes too: look for the RFC 9990 namespace on <feedback> itself.
  const start = xml.search(FEEDBACK_START);
  const rfc9990 = start >= 0 && FEEDBACK_NS_2.test(xml.slice(start, xml.indexOf(">", start) + 1));
  const records: DmarcReportRecord[] = [];
  for (const rec of all(fb, "record")) {
    const row = first(rec, "row");
    const pe = first(row, "policy_evaluated");
    const ids = first(rec, "identifiers");
    const auth = first(rec, "auth_results");
    const countText = textAt(row, "count");
    const count = Number(countText);
    const ip = textAt(row, "source_ip");
    if (!ip || !countText || !Number.isInteger(count) || count < 0) {
      throw new DmarcReportError(file, `a record has ${!ip ? "no source_ip" : `count "${countText}"`}`, "the report is malformed; ask the reporter for it again");
    }
    const overrides: string[] = [];
    for (const r of all(pe, "reason")) {
      const o = (first(r, "type") ? textAt(r, "type") : text(r)).toLowerCase();
      if (o) overrides.push(o);
    }
    records.push({
      sourceIp: ip,
      count,
      disposition: textAt(pe, "disposition").toLowerCase() || "none",
      dkimAligned: textAt(pe, "dkim").toLowerCase() === "pass",
      spfAligned: textAt(pe, "spf").toLowerCase() === "pass",
      overrides,
      headerFrom: textAt(ids, "header_from").toLowerCase() || domain,
      envelopeFrom: textAt(ids, "envelope_from").toLowerCase() || undefined,
      dkim: all(auth, "dkim").map((d) => ({ domain: textAt(d, "domain").toLowerCase(), result: textAt(d, "result").toLowerCase(), selector: textAt(d, "selector") || undefined })),
      spf: all(auth, "spf").map((x) => ({ domain: textAt(x, "domain").toLowerCase(), result: textAt(x, "result").toLowerCase() })),
    });
  }
  const pct = textAt(pp, "pct");
  return {
    file,
    format: rfc9990 ? "2.0" : "1.0",
    orgName: textAt(meta, "org_name") || "(unknown reporter)",
    reportId: textAt(meta, "report_id"),
    begin,
    end: Number.isFinite(end) ? end : begin,
    policy: {
      domain,
      p: textAt(pp, "p").toLowerCase() || undefined,
      sp: textAt(pp, "sp").toLowerCase() || undefined,
      np: textAt(pp, "np").toLowerCase() || undefined,
      pct: pct ? Number(pct) : undefined,
      testing: textAt(pp, "testing").toLowerCase() || undefined,
      discoveryMethod: textAt(pp, "discovery_method").toLowerCase() || undefined,
    },
    records,
  };
}

function gunzip(file: string, bytes: Uint8Array): Uint8Array {
  try {
    // zlib reads every member of a multi-member gzip; trailing garbage after a member is tolerated.
    return zlib.gunzipSync(bytes, { maxOutputLength: MAX_UNCOMPRESSED, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  } catch (err) {
    throw new DmarcReportError(file, `not a readable gzip file (${(err as Error).message})`, "ask the reporter for the report again, or remove the file");
  }
}

const isGzip = (b: Uint8Array) => b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;
const isZip = (b: Uint8Array) => b.length > 3 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
function looksLikeXml(b: Uint8Array): boolean {
  let i = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0a || b[i] === 0x0d)) i++;
  return b[i] === 0x3c; // "<"
}

/** Reports inside one blob (xml, gzip, zip); MIME mail is handled by readDmarcReportFile. */
function decodeBlob(file: string, bytes: Uint8Array, depth = 0): DmarcAggregateReport[] {
  if (depth > 3) throw new DmarcReportError(file, "is nested more than 3 containers deep", "unpack the report by hand");
  if (isGzip(bytes)) return decodeBlob(file, gunzip(file, bytes), depth + 1);
  if (isZip(bytes)) {
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(bytes, { filter: (f) => !f.name.endsWith("/") && f.originalSize <= MAX_UNCOMPRESSED });
    } catch (err) {
      throw new DmarcReportError(file, `not a readable zip file (${(err as Error).message})`, "ask the reporter for the report again, or remove the file");
    }
    const names = Object.keys(entries);
    if (!names.length) throw new DmarcReportError(file, "is a zip file with no report in it", "remove the file");
    return names.flatMap((n) => decodeBlob(`${file}!${n}`, entries[n], depth + 1));
  }
  if (looksLikeXml(bytes)) return [parseAggregateReportXml(file, utf8(file, bytes))];
  throw new DmarcReportError(file, "is neither XML, gzip, zip nor a mail with a report attached", "pass .xml, .xml.gz, .zip or .eml aggregate reports");
}

function looksLikeMail(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 4096)).toString("latin1");
  return /^[A-Za-z0-9-]+:[^\r\n]*\r?\n/.test(head) && /(^|\n)(content-type|mime-version|from|subject|received|return-path):/i.test(head);
}

/**
 * Every aggregate report in one file: .xml, .xml.gz (also odd gzip: several members), .zip, or a
 * mail (.eml) with reports attached. Throws DmarcReportError when nothing in it can be read.
 */
export async function readDmarcReportFile(file: string, bytes: Uint8Array): Promise<DmarcAggregateReport[]> {
  if (isGzip(bytes) || isZip(bytes) || looksLikeXml(bytes) || !looksLikeMail(bytes)) return decodeBlob(file, bytes);
  const { default: PostalMime } = await import("postal-mime");
  let mail: Awaited<ReturnType<typeof PostalMime.parse>>;
  try {
    mail = await PostalMime.parse(bytes);
  } catch (err) {
    throw new DmarcReportError(file, `not a readable mail (${(err as Error).message})`, "save the report mail as .eml (RFC 5322) or extract its attachment");
  }
  const reports: DmarcAggregateReport[] = [];
  for (const a of mail.attachments) {
    const content = typeof a.content === "string" ? new TextEncoder().encode(a.content) : new Uint8Array(a.content as ArrayBuffer);
    if (!(isGzip(content) || isZip(content) || looksLikeXml(content))) continue;
    reports.push(...decodeBlob(`${file}!${a.filename ?? "attachment"}`, content));
  }
  if (!reports.length) throw new DmarcReportError(file, "is a mail without an aggregate report attached (.xml, .xml.gz or .zip)", "pass the report mail itself, not a forward without attachments");
  return reports;
}
