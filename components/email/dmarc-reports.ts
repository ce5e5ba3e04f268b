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
const FEEDBACK_NS_2 = /<(?:[\w.-]+:)?feedback\b[^>]*\bxmlns(?::[\w.-]+)?\s*=\s*["']urn:ietf:params:xml:ns:dmarc-2\.0["']/;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => name === "record" || name === "dkim" || name === "spf" || name === "reason" || name === "error",
});

type Node = Record<string, unknown>;
// `dkim` and `spf` are arrays everywhere (isArray has no path here), also inside policy_evaluated.
const text = (v: unknown): string => (Array.isArray(v) ? text(v[0]) : typeof v === "string" ? v : typeof v === "number" ? String(v) : v && typeof v === "object" && "#text" in v ? String((v as Node)["#text"]) : "");
const obj = (v: unknown): Node => (v && typeof v === "object" && !Array.isArray(v) ? (v as Node) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

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
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new DmarcReportError(file, `not well-formed XML (line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg})`, "ask the reporter for the report again, or remove the file");
  }
  const doc = parser.parse(xml) as Node;
  const fb = obj(doc.feedback);
  if (!doc.feedback) throw new DmarcReportError(file, "has no <feedback> element: not a DMARC aggregate report", "pass only aggregate (rua) reports");
  const meta = obj(fb.report_metadata);
  const range = obj(meta.date_range);
  const pp = obj(fb.policy_published);
  const domain = text(pp.domain).toLowerCase();
  const begin = Number(text(range.begin));
  const end = Number(text(range.end));
  const missing = [!domain && "policy_published/domain", !Number.isFinite(begin) || !text(range.begin) ? "report_metadata/date_range/begin" : ""].filter(Boolean);
  if (missing.length) throw new DmarcReportError(file, `lacks ${missing.join(" and ")}`, "the report is incomplete; ask the reporter (report_metadata/org_name) for it again");
  // removeNSPrefix drops xmlns attributes too: look for the RFC 9990 namespace on <feedback> itself.
  const rfc9990 = FEEDBACK_NS_2.test(xml);
  const records: DmarcReportRecord[] = [];
  for (const r of arr(fb.record)) {
    const rec = obj(r);
    const row = obj(rec.row);
    const pe = obj(row.policy_evaluated);
    const ids = obj(rec.identifiers);
    const auth = obj(rec.auth_results);
    const count = Number(text(row.count));
    const ip = text(row.source_ip);
    if (!ip || !Number.isInteger(count) || count < 0) {
      throw new DmarcReportError(file, `a record has ${!ip ? "no source_ip" : `count "${text(row.count)}"`}`, "the report is malformed; ask the reporter for it again");
    }
    records.push({
      sourceIp: ip,
      count,
      disposition: text(pe.disposition).toLowerCase() || "none",
      dkimAligned: text(pe.dkim).toLowerCase() === "pass",
      spfAligned: text(pe.spf).toLowerCase() === "pass",
      overrides: arr(pe.reason).map((x) => text(obj(x).type).toLowerCase() || text(x).toLowerCase()).filter(Boolean),
      headerFrom: text(ids.header_from).toLowerCase() || domain,
      envelopeFrom: text(ids.envelope_from).toLowerCase() || undefined,
      dkim: arr(auth.dkim).map((d) => ({ domain: text(obj(d).domain).toLowerCase(), result: text(obj(d).result).toLowerCase(), selector: text(obj(d).selector) || undefined })),
      spf: arr(auth.spf).map((s) => ({ domain: text(obj(s).domain).toLowerCase(), result: text(obj(s).result).toLowerCase() })),
    });
  }
  const pct = text(pp.pct);
  return {
    file,
    format: rfc9990 ? "2.0" : "1.0",
    orgName: text(meta.org_name) || "(unknown reporter)",
    reportId: text(meta.report_id),
    begin,
    end: Number.isFinite(end) ? end : begin,
    policy: {
      domain,
      p: text(pp.p).toLowerCase() || undefined,
      sp: text(pp.sp).toLowerCase() || undefined,
      np: text(pp.np).toLowerCase() || undefined,
      pct: pct ? Number(pct) : undefined,
      testing: text(pp.testing).toLowerCase() || undefined,
      discoveryMethod: text(pp.discovery_method).toLowerCase() || undefined,
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
