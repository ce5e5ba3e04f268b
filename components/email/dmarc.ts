/**
 * DMARC records: a lenient parser that reports every problem with the rule it comes from, and a
 * strict builder. Parsing follows RFC 9989 (which obsoletes RFC 7489) by default; `pct`, `rf` and
 * `ri`, which RFC 9989 made historic, are flagged as deprecated instead of failing the record.
 * Passing `spec: "RFC7489"` validates a record the way RFC 7489 receivers read it (those three tags
 * are checked and exposed, `p` is required, `!size` report limits are fine).
 *
 * Severity: an "error" means receivers will not do what the record says (the record is ignored, or
 * a known tag's value is dropped for its default); a "warning" means receivers ignore something
 * harmless or the record works but goes against RFC advice or best practice.
 */

import type { InputProblem } from "../errors";

/** The DMARC policies (`p=`): none, quarantine, reject. */
export const DmarcPolicy = { None: "none", Quarantine: "quarantine", Reject: "reject" } as const;
/** One of the {@link DmarcPolicy} values. */
export type DmarcPolicy = (typeof DmarcPolicy)[keyof typeof DmarcPolicy];

/** The DMARC specifications a record can be checked against. */
export const DmarcSpec = { Rfc9989: "RFC9989", Rfc7489: "RFC7489" } as const;
/** One of the {@link DmarcSpec} values. */
export type DmarcSpec = (typeof DmarcSpec)[keyof typeof DmarcSpec];

/** How serious a DMARC finding is. */
export const DmarcFindingSeverity = { Error: "error", Warning: "warning" } as const;
/** One of the {@link DmarcFindingSeverity} values. */
export type DmarcFindingSeverity = (typeof DmarcFindingSeverity)[keyof typeof DmarcFindingSeverity];

/** Where a rule comes from: one of the RFCs, or common practice (checkdmarc, Microsoft's guidance). */
export const DmarcRuleSource = { Rfc9989: "RFC9989", Rfc7489: "RFC7489", BestPractice: "best-practice" } as const;
export type DmarcRuleSource = (typeof DmarcRuleSource)[keyof typeof DmarcRuleSource];

/** A problem found in a DMARC record, with its severity, code and fix. */
export interface DmarcFinding {
  severity: DmarcFindingSeverity;
  /** Stable machine-readable code, e.g. "invalid-value", "deprecated-tag". */
  code: string;
  /** The tag concerned (lower case), when there is one. */
  tag?: string;
  message: string;
  source: DmarcRuleSource;
}

/** Effective values of a DMARC record after defaults, as a receiver would apply them. */
export interface DmarcRecord {
  /** Undefined when the record has no usable policy (receivers then apply no DMARC). */
  p?: DmarcPolicy;
  sp?: DmarcPolicy;
  np?: DmarcPolicy;
  adkim: "r" | "s";
  aspf: "r" | "s";
  fo: string[];
  /** Report URIs as published (size suffix included). */
  rua: string[];
  ruf: string[];
  psd: "y" | "n" | "u";
  t: "y" | "n";
  /** RFC 7489 only (undefined under RFC 9989, where these tags are historic). */
  pct?: number;
  rf?: string[];
  ri?: number;
}

/** A parsed DMARC record: its tags, and what is wrong with it. */
export interface DmarcParseResult {
  /** The text starts with a DMARC version tag (`v=DMARC1`); otherwise it is not a DMARC record. */
  isDmarc: boolean;
  /** No error-severity findings. */
  valid: boolean;
  spec: DmarcSpec;
  /** Present when `isDmarc`. */
  record?: DmarcRecord;
  /**
   * Tags as written (lower-case names, trimmed values), in the order of their first occurrence; a
   * tag written twice has the value of its LAST occurrence, as OpenDMARC, Mail::DMARC and mailauth read it.
   */
  tags: { name: string; value: string }[];
  findings: DmarcFinding[];
}

/** Options of {@link parseDmarcRecord}: the RFC to check against. */
export interface DmarcParseOptions {
  /** The RFC to validate against; default RFC 9989. */
  spec?: DmarcSpec;
  /** The domain sends no mail (parked): warn unless p and sp are reject. */
  parked?: boolean;
}

const POLICIES: readonly string[] = Object.values(DmarcPolicy);
/** Trim RFC 5234 WSP (space and tab) only; a loop is several times faster than a regex here. */
function trimWsp(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && (s.charCodeAt(start) === 32 || s.charCodeAt(start) === 9)) start++;
  while (end > start && (s.charCodeAt(end - 1) === 32 || s.charCodeAt(end - 1) === 9)) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}
/** RFC 9989 dmarc-value: printable ASCII and space, except ';'. */
const VALUE_CHARS = /^[\x20-\x3a\x3c-\x7e]+$/;
const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const SIZE_SUFFIX = /!(\d+)([kmgt])?$/i;
/** An addr-spec good enough to receive reports: local@domain.tld, no spaces. */
const MAILTO_ADDRESS = /^mailto:[^@\s,;!]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(\?.*)?$/i;

const TAGS_9989 = ["v", "p", "sp", "np", "adkim", "aspf", "fo", "rua", "ruf", "psd", "t"];
const HISTORIC_TAGS = ["pct", "rf", "ri"];

/** Whether a tag name is defined by the given DMARC specification. */
export function isKnownDmarcTag(name: string, spec: DmarcSpec = DmarcSpec.Rfc9989): boolean {
  return TAGS_9989.includes(name) || (spec === DmarcSpec.Rfc7489 && HISTORIC_TAGS.includes(name));
}

/** Parse and validate one DMARC TXT record (several character-strings already joined). */
export function parseDmarcRecord(text: string, options: DmarcParseOptions = {}): DmarcParseResult {
  const spec = options.spec ?? DmarcSpec.Rfc9989;
  const findings: DmarcFinding[] = [];
  const tags: { name: string; value: string }[] = [];
  const error = (code: string, message: string, source: DmarcRuleSource, tag?: string) =>
    findings.push({ severity: DmarcFindingSeverity.Error, code, tag, message, source });
  const warn = (code: string, message: string, source: DmarcRuleSource, tag?: string) =>
    findings.push({ severity: DmarcFindingSeverity.Warning, code, tag, message, source });
  const done = (isDmarc: boolean, record?: DmarcRecord): DmarcParseResult => ({
    isDmarc,
    valid: isDmarc && !findings.some((f) => f.severity === DmarcFindingSeverity.Error),
    spec,
    record,
    tags,
    findings,
  });

  if (trimWsp(text) === "") {
    error("empty", "The record is empty; a DMARC record starts with v=DMARC1", spec);
    return done(false);
  }
  if (/^v=spf1\b/i.test(trimWsp(text))) {
    error("not-dmarc", "This is an SPF record (v=spf1), not a DMARC record; publish SPF at the domain itself and DMARC at _dmarc.<domain>", spec);
    return done(false);
  }
  if (/^[ \t]/.test(text)) {
    error("leading-whitespace", "The record starts with whitespace; it must start with v=DMARC1 or receivers do not recognise it", spec);
  }
  const fragments = trimWsp(text).split(";");
  const version = /^v[ \t]*=[ \t]*(.*)$/i.exec(trimWsp(fragments[0]));
  if (!version) {
    error("not-dmarc", "A DMARC record must start with the version tag v=DMARC1", spec);
    return done(false);
  }
  if (version[1] !== "DMARC1") {
    error(
      "bad-version",
      `The version is ${JSON.stringify(version[1])}; it must be exactly DMARC1 (upper case, case-sensitive), otherwise the whole record is ignored`,
      spec,
      "v",
    );
    return done(false);
  }
  tags.push({ name: "v", value: "DMARC1" });

  const seen = new Map<string, string>();
  for (let i = 1; i < fragments.length; i++) {
    const fragment = trimWsp(fragments[i]);
    if (fragment === "") {
      if (i < fragments.length - 1) warn("empty-fragment", "Empty tag between two ';' separators (ignored)", DmarcRuleSource.Rfc9989);
      continue;
    }
    const eq = fragment.indexOf("=");
    const name = trimWsp(eq < 0 ? fragment : fragment.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? "" : trimWsp(fragment.slice(eq + 1));
    const known = isKnownDmarcTag(name, spec);
    if (eq < 0 || value === "") {
      if (known) error("missing-value", `The tag ${name} has no value, so receivers use its default`, spec, name);
      else warn("ignored-fragment", `${JSON.stringify(fragment)} is not a tag=value pair; receivers ignore it`, spec);
      continue;
    }
    if (!/^[A-Za-z]+$/.test(name)) {
      warn("ignored-fragment", `${JSON.stringify(fragment)} has no valid tag name; receivers ignore it`, spec);
      continue;
    }
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      // Neither RFC says which occurrence counts. OpenDMARC, Mail::DMARC, mailauth and go-msgauth
      // keep the last one, so that is what a receiver most likely applies; the record is an error either way.
      error(
        "duplicate-tag",
        `The tag ${name} appears more than once (${name}=${earlier}, then ${name}=${value}); the RFCs do not say which counts, most receivers (OpenDMARC, Mail::DMARC, mailauth) use the last one, so ${name}=${value} is read. Keep a single ${name} tag`,
        spec,
        name,
      );
      seen.set(name, value);
      tags.find((t) => t.name === name)!.value = value;
    } else {
      seen.set(name, value);
      tags.push({ name, value });
    }
    if (!VALUE_CHARS.test(valueWithoutListWhitespace(name, value))) {
      (known ? error : warn)("bad-characters", `The value of ${name} contains characters outside printable ASCII`, DmarcRuleSource.Rfc9989, name);
    }
  }

  const record: DmarcRecord = { adkim: "r", aspf: "r", fo: ["0"], rua: [], ruf: [], psd: "u", t: "n" };
  if (spec === DmarcSpec.Rfc7489) Object.assign(record, { pct: 100, rf: ["afrf"], ri: 86400 });
  // Report URIs first: whether one is valid decides what an invalid policy tag does.
  for (const name of ["rua", "ruf"] as const) {
    const value = seen.get(name);
    if (value !== undefined) record[name] = parseReportUris(name, value, spec, error, warn);
  }
  const hasReportAddress = record.rua.some((u) => MAILTO_ADDRESS.test(stripSizeSuffix(u)));
  const keyword = (name: string, allowed: readonly string[]): string | undefined => {
    const raw = seen.get(name);
    if (raw === undefined) return undefined;
    const lower = raw.toLowerCase();
    if (allowed.includes(lower)) return lower;
    let hint = `it must be one of ${allowed.join(", ")}`;
    if (/[ \t]\S+=/.test(raw)) hint += " (a ';' seems to be missing before the next tag)";
    else if (allowed.some((a) => a.startsWith(lower))) hint += " (abbreviations are not allowed)";
    error("invalid-value", `${name}=${raw} is not valid: ${hint}; ${invalidValueEffect(name, hasReportAddress)}`, spec, name);
    return undefined;
  };

  for (const [name, value] of seen) {
    if (TAGS_9989.includes(name) || (HISTORIC_TAGS.includes(name) && spec === DmarcSpec.Rfc7489)) {
      if (name === "fo") record.fo = parseFailureOptions(value, spec, error, warn) ?? record.fo;
      else if (name === "pct") {
        if (/^\d{1,3}$/.test(value) && Number(value) <= 100) record.pct = Number(value);
        else error("invalid-value", `pct=${value} is not valid: it must be an integer from 0 to 100`, spec, name);
      } else if (name === "ri") {
        if (/^\d{1,10}$/.test(value) && Number(value) <= 0xffffffff) record.ri = Number(value);
        else error("invalid-value", `ri=${value} is not valid: it must be a number of seconds (32-bit unsigned)`, spec, name);
      } else if (name === "rf") {
        const formats = value.split(":").map((f) => trimWsp(f).toLowerCase());
        if (formats.every((f) => f === "afrf" || f === "iodef")) record.rf = formats;
        else error("invalid-value", `rf=${value} is not valid: the only registered failure-report format is afrf`, spec, name);
      }
    } else if (HISTORIC_TAGS.includes(name)) {
      warn("deprecated-tag", `${name} is an RFC 7489 tag that RFC 9989 made historic; receivers following RFC 9989 ignore it, remove it`, DmarcRuleSource.Rfc9989, name);
    } else if (name !== "v") {
      warn("unknown-tag", `Unknown tag ${name}; receivers ignore it`, spec, name);
    }
  }
  const p = keyword("p", POLICIES) as DmarcPolicy | undefined;
  const sp = keyword("sp", POLICIES) as DmarcPolicy | undefined;
  const np = keyword("np", POLICIES) as DmarcPolicy | undefined;
  record.adkim = (keyword("adkim", ["r", "s"]) as "r" | "s" | undefined) ?? "r";
  record.aspf = (keyword("aspf", ["r", "s"]) as "r" | "s" | undefined) ?? "r";
  record.psd = (keyword("psd", ["y", "n", "u"]) as "y" | "n" | "u" | undefined) ?? "u";
  record.t = (keyword("t", ["y", "n"]) as "y" | "n" | undefined) ?? "n";

  // Policy discovery (RFC 7489 section 6.6.3 step 6, RFC 9989 likewise): a record without a valid
  // p, or with an sp or np that is present but not valid, is read as if it were "v=DMARC1; p=none"
  // when rua holds at least one valid URI, and gives no DMARC processing at all otherwise. The
  // invalid tags' errors are already reported; a valid p does not survive a bad sp or np.
  const invalidPolicyTag = (["p", "sp", "np"] as const).some((t) => seen.has(t) && { p, sp, np }[t] === undefined);
  if (invalidPolicyTag) {
    if (hasReportAddress) record.p = record.sp = record.np = DmarcPolicy.None;
  } else if (p !== undefined) {
    record.p = p;
    record.sp = sp ?? p;
    record.np = np ?? record.sp;
  } else if (spec === DmarcSpec.Rfc7489) {
    // RFC 7489 requires p (section 6.3); receivers still fall back to p=none with a valid rua.
    if (hasReportAddress) {
      record.p = record.sp = record.np = DmarcPolicy.None;
      error("missing-p", "The p tag is required by RFC 7489 (section 6.3); with a valid rua receivers act as if the record were p=none (section 6.6.3)", DmarcRuleSource.Rfc7489, "p");
    } else {
      error("missing-p", "The p tag is required by RFC 7489 (section 6.3); without a valid rua receivers apply no DMARC policy at all", DmarcRuleSource.Rfc7489, "p");
    }
  } else if (hasReportAddress) {
    record.p = DmarcPolicy.None;
    record.sp = sp ?? record.p;
    record.np = np ?? record.sp;
    warn("missing-p", "No p tag: RFC 9989 receivers treat the record as p=none (RFC 7489 required p); write p explicitly", DmarcRuleSource.Rfc9989, "p");
  } else {
    error("missing-p", "No p tag and no valid rua: receivers apply no DMARC policy at all", DmarcRuleSource.Rfc9989, "p");
  }

  const order = tags.map((t) => t.name);
  if (seen.has("p") && order[1] !== "p") {
    warn("p-not-second", "p is not the first tag after v: RFC 9989 allows any order but RFC 7489's grammar puts p right after v", DmarcRuleSource.Rfc7489, "p");
  }
  if (record.rua.length === 0) {
    warn("no-rua", "No rua: no aggregate reports are requested, so you cannot see who sends mail as this domain", DmarcRuleSource.BestPractice, "rua");
  }
  if (seen.has("sp") && sp === DmarcPolicy.None && record.p !== DmarcPolicy.None) {
    warn("sp-none", "sp=none leaves subdomains unprotected while the domain itself is protected", DmarcRuleSource.BestPractice, "sp");
  }
  if (options.parked) {
    if (record.p !== DmarcPolicy.Reject) warn("parked-policy", "The domain is parked (sends no mail): p should be reject", DmarcRuleSource.BestPractice, "p");
    if (record.sp !== DmarcPolicy.Reject) warn("parked-policy", "The domain is parked (sends no mail): sp should be reject", DmarcRuleSource.BestPractice, "sp");
  }
  return done(true, record);
}

/** What receivers do with an invalid value of a known tag. */
function invalidValueEffect(tag: string, hasReportAddress: boolean): string {
  if (tag !== "p" && tag !== "sp" && tag !== "np") return "receivers use the default instead";
  return hasReportAddress
    ? "receivers then read the whole record as p=none (a valid rua is present), whatever the other policy tags say"
    : "receivers then apply no DMARC policy at all (there is no valid rua either)";
}

/**
 * The value with the whitespace its grammar allows inside it removed: both RFCs allow WSP (space
 * and tab) around the ',' between report URIs and around the ':' of fo and rf lists.
 */
function valueWithoutListWhitespace(tag: string, value: string): string {
  if (tag === "rua" || tag === "ruf") return value.replace(/[ \t]*,[ \t]*/g, ",");
  if (tag === "fo" || tag === "rf") return value.replace(/[ \t]*:[ \t]*/g, ":");
  return value;
}

function stripSizeSuffix(uri: string): string {
  return uri.replace(SIZE_SUFFIX, "");
}

type Report = (code: string, message: string, source: DmarcRuleSource, tag?: string) => void;

function parseReportUris(tag: "rua" | "ruf", value: string, spec: DmarcSpec, error: Report, warn: Report): string[] {
  const uris = value.split(",").map(trimWsp).filter((u) => u !== "");
  const kept: string[] = [];
  for (const uri of uris) {
    const size = SIZE_SUFFIX.exec(uri);
    const bare = stripSizeSuffix(uri);
    if (!URI_SCHEME.test(bare)) {
      const hint = bare.includes("@") ? ` (write mailto:${bare})` : "";
      error("invalid-uri", `${tag} entry ${JSON.stringify(uri)} is not a URI${hint}; receivers drop it`, spec, tag);
      continue;
    }
    kept.push(uri);
    if (size && spec === DmarcSpec.Rfc9989) {
      warn("obsolete-size", `${tag} entry ${JSON.stringify(uri)} has a '!size' limit, which RFC 9989 made obsolete; reporters ignore it`, DmarcRuleSource.Rfc9989, tag);
    }
    if (!/^mailto:/i.test(bare)) {
      warn("unsupported-scheme", `${tag} entry ${JSON.stringify(uri)} is not a mailto: URI; receivers ignore schemes they do not support`, spec, tag);
    } else if (!MAILTO_ADDRESS.test(bare)) {
      warn("odd-mailto", `${tag} entry ${JSON.stringify(uri)} does not hold a plain mailbox address (mailto:local@domain)`, spec, tag);
    }
  }
  if (kept.length > 2) {
    warn("many-uris", `${tag} lists ${kept.length} URIs; receivers may send to the first two only`, DmarcRuleSource.BestPractice, tag);
  }
  return kept;
}

function parseFailureOptions(value: string, spec: DmarcSpec, error: Report, warn: Report): string[] | undefined {
  const options = value.split(":").map((o) => trimWsp(o).toLowerCase());
  const bad = options.filter((o) => !["0", "1", "d", "s"].includes(o));
  if (bad.length > 0) {
    error("invalid-value", `fo=${value} is not valid: it is a ':'-separated list of 0, 1, d and s`, spec, "fo");
    return undefined;
  }
  const duplicates = options.filter((o, i) => options.indexOf(o) !== i);
  const both = options.includes("0") && options.includes("1");
  if (spec === DmarcSpec.Rfc9989 && (both || duplicates.length > 0)) {
    error(
      "invalid-value",
      `fo=${value} is not valid under RFC 9989: ${both ? "0 and 1 are mutually exclusive" : "each option may appear once"}`,
      DmarcRuleSource.Rfc9989,
      "fo",
    );
    return undefined;
  }
  if (both || duplicates.length > 0) warn("redundant-fo", `fo=${value} is redundant (1 already covers 0)`, DmarcRuleSource.Rfc7489, "fo");
  return options;
}

/**
 * Tag values of a parsed record in the form peers report them: keyword values lower case,
 * pct/ri numbers, lists joined as written (rua/ruf with ",", fo/rf with ":"). Includes defaults.
 */
export function dmarcTagValues(result: DmarcParseResult): Record<string, string | number> {
  const r = result.record;
  if (!r) return {};
  const values: Record<string, string | number> = { v: "DMARC1" };
  const set = (k: string, v: string | number | undefined) => {
    if (v !== undefined) values[k] = v;
  };
  set("p", r.p);
  set("sp", r.sp);
  set("np", r.np);
  values.adkim = r.adkim;
  values.aspf = r.aspf;
  values.fo = r.fo.join(":");
  if (r.rua.length) values.rua = r.rua.join(",");
  if (r.ruf.length) values.ruf = r.ruf.join(",");
  values.psd = r.psd;
  values.t = r.t;
  set("pct", r.pct);
  set("rf", r.rf?.join(":"));
  set("ri", r.ri);
  return values;
}

/**
 * The policy a receiver applies to a failing message from the record's own domain, after RFC 9989
 * test mode (`t=y` applies one level lower: reject → quarantine, quarantine → none).
 */
export function effectivePolicy(record: DmarcRecord, scope: "domain" | "subdomain" | "nonexistent" = "domain"): DmarcPolicy | undefined {
  const base = scope === "domain" ? record.p : scope === "subdomain" ? record.sp : record.np;
  if (base === undefined || record.t !== "y") return base;
  return base === DmarcPolicy.Reject ? DmarcPolicy.Quarantine : DmarcPolicy.None;
}

/** DMARC identifier alignment: relaxed (organisational domain) or strict (exact domain). */
export const AlignmentMode = { Relaxed: "relaxed", Strict: "strict" } as const;
/** One of the {@link AlignmentMode} values. */
export type AlignmentMode = (typeof AlignmentMode)[keyof typeof AlignmentMode];

/** What to publish: the builder's input (plain values). */
export interface DmarcPolicySpec {
  policy?: DmarcPolicy;
  subdomainPolicy?: DmarcPolicy;
  nonExistentSubdomainPolicy?: DmarcPolicy;
  dkimAlignment?: AlignmentMode;
  spfAlignment?: AlignmentMode;
  aggregateReportUris?: string[];
  failureReportUris?: string[];
  failureReportOptions?: string[];
  testMode?: boolean;
  /** Legacy RFC 7489 sampling; emitted only when set (RFC 9989 receivers ignore it). */
  legacyPercentage?: number;
}

/** @deprecated use InputProblem (the same shape, shared by every component). */
export type EmailSpecProblem = InputProblem;

/** Validate a DMARC spec: every problem, with the field (relative to the spec) and the fix. */
export function validateDmarcSpec(spec: DmarcPolicySpec): EmailSpecProblem[] {
  const problems: EmailSpecProblem[] = [];
  const policyFields = ["policy", "subdomainPolicy", "nonExistentSubdomainPolicy"] as const;
  for (const field of policyFields) {
    const v = spec[field];
    if (v !== undefined && !POLICIES.includes(v)) {
      problems.push({ field, value: v, problem: "not a DMARC policy", fix: `use one of ${POLICIES.join(", ")} (lower case)` });
    }
  }
  if (spec.policy === undefined) {
    problems.push({ field: "policy", value: undefined, problem: "the DMARC policy is required", fix: "set policy to none, quarantine or reject (stage the rollout per stack)" });
  }
  for (const field of ["dkimAlignment", "spfAlignment"] as const) {
    const v = spec[field];
    if (v !== undefined && v !== AlignmentMode.Relaxed && v !== AlignmentMode.Strict) {
      problems.push({ field, value: v, problem: "not an alignment mode", fix: "use relaxed or strict" });
    }
  }
  for (const field of ["aggregateReportUris", "failureReportUris"] as const) {
    (spec[field] ?? []).forEach((uri, i) => {
      if (typeof uri !== "string" || !MAILTO_ADDRESS.test(uri) || /[;,!\s]/.test(uri.slice("mailto:".length))) {
        problems.push({
          field: `${field}[${i}]`,
          value: uri,
          problem: "not a mailto: URI with one mailbox address",
          fix: "write mailto:local@domain (no spaces, ';', ',' or '!size' suffix)",
        });
      }
    });
    if ((spec[field] ?? []).length > 2) {
      problems.push({ field, value: spec[field], problem: "more than two report URIs; receivers may use only the first two", fix: "keep at most two addresses" });
    }
  }
  const fo = spec.failureReportOptions ?? [];
  if (fo.some((o) => !["0", "1", "d", "s"].includes(o)) || new Set(fo).size !== fo.length || (fo.includes("0") && fo.includes("1"))) {
    problems.push({ field: "failureReportOptions", value: fo, problem: "invalid failure-report options", fix: "use each of 0, 1, d, s at most once, and not both 0 and 1 (RFC 9989)" });
  }
  if (fo.length > 0 && (spec.failureReportUris ?? []).length === 0) {
    problems.push({ field: "failureReportOptions", value: fo, problem: "failure-report options without failureReportUris have no effect", fix: "remove them or add failureReportUris" });
  }
  const pct = spec.legacyPercentage;
  if (pct !== undefined && !(Number.isInteger(pct) && pct >= 0 && pct <= 100)) {
    problems.push({ field: "legacyPercentage", value: pct, problem: "not an integer percentage", fix: "use an integer from 0 to 100, or leave it out (RFC 9989 made pct historic)" });
  }
  return problems;
}

/**
 * Build the record text, strictly: v first, then p, then the other tags in a fixed order, only
 * non-default values; pct only when legacyPercentage is set. Call validateDmarcSpec first.
 */
export function buildDmarcRecord(spec: DmarcPolicySpec): string {
  const parts = ["v=DMARC1", `p=${spec.policy ?? DmarcPolicy.None}`];
  if (spec.subdomainPolicy && spec.subdomainPolicy !== spec.policy) parts.push(`sp=${spec.subdomainPolicy}`);
  const inheritedNp = spec.subdomainPolicy ?? spec.policy;
  if (spec.nonExistentSubdomainPolicy && spec.nonExistentSubdomainPolicy !== inheritedNp) parts.push(`np=${spec.nonExistentSubdomainPolicy}`);
  if (spec.dkimAlignment === AlignmentMode.Strict) parts.push("adkim=s");
  if (spec.spfAlignment === AlignmentMode.Strict) parts.push("aspf=s");
  if (spec.legacyPercentage !== undefined) parts.push(`pct=${spec.legacyPercentage}`);
  if (spec.aggregateReportUris?.length) parts.push(`rua=${spec.aggregateReportUris.join(",")}`);
  if (spec.failureReportUris?.length) parts.push(`ruf=${spec.failureReportUris.join(",")}`);
  if (spec.failureReportOptions?.length && spec.failureReportOptions.join(":") !== "0") parts.push(`fo=${spec.failureReportOptions.join(":")}`);
  if (spec.testMode) parts.push("t=y");
  return parts.join("; ");
}

const QUOTED_STRINGS = /^\s*"(?:[^"\\]|\\.)*"(?:\s+"(?:[^"\\]|\\.)*")*\s*$/;

/**
 * Accept a TXT record as `dig` prints it ("v=DMARC1; p=re" "ject"): the quoted character-strings
 * are unescaped and joined with nothing in between, as receivers do. Other text is returned as is.
 */
export function joinTxtStrings(text: string): string {
  if (!QUOTED_STRINGS.test(text)) return text;
  return [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(\d{3}|.)/g, (_, e: string) => (e.length === 3 ? String.fromCharCode(Number(e)) : e))).join("");
}
