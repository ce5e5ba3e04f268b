/**
 * The DNS records one domain publishes for email authentication, planned as plain data: names
 * relative to the Azure DNS zone, TXT values split into 255-character strings, and every problem
 * found on the way (so a component reports all of them at once).
 */
import { dkimCnames, validateDkimSpec, type DkimSpec } from "./dkim";
import { DmarcPolicy, buildDmarcRecord, parseDmarcRecord, validateDmarcSpec, type DmarcPolicySpec, type EmailSpecProblem } from "./dmarc";
import { buildSpfRecord, isDomainName, validateSpfSpec, type SpfSpec } from "./spf";

/** One domain's email authentication settings: zone, DMARC, SPF, DKIM, parked. */
export interface EmailDomainSpec {
  domain: string;
  /** The Azure DNS zone holding the records; default: the domain itself. */
  zoneName?: string;
  dmarc?: DmarcPolicySpec;
  spf?: SpfSpec;
  dkim?: DkimSpec;
  /** The domain sends no mail: SPF -all and DMARC p=reject/sp=reject, no DKIM. */
  parked?: boolean;
  /** Other TXT values at the domain's own name (e.g. MS=ms12345678), kept in the same record set as SPF. */
  additionalApexTxt?: string[];
  /** TTL of every record in seconds (default 3600; DKIM CNAMEs below 3600 are reported to cause temperror). */
  ttl?: number;
}

/** The kinds of DNS record a domain publishes: DMARC, SPF, and the two DKIM CNAMEs. */
export const EmailRecordKind = { Dmarc: "dmarc", Spf: "spf", DkimSelector1: "dkim-selector1", DkimSelector2: "dkim-selector2" } as const;
/** One of the {@link EmailRecordKind} values. */
export type EmailRecordKind = (typeof EmailRecordKind)[keyof typeof EmailRecordKind];

/** One DNS record to publish, with its name relative to the zone. */
export interface PlannedRecord {
  kind: EmailRecordKind;
  /** Fully qualified name, without the final dot. */
  fqdn: string;
  /** Name relative to the zone ("@" for the apex). */
  relativeName: string;
  type: "TXT" | "CNAME";
  ttl: number;
  /** TXT: one entry per TXT record, each split into strings of at most 255 characters. */
  txt?: string[][];
  cname?: string;
}

/** Every record one domain publishes, and the problems of its settings. */
export interface DomainPlan {
  domain: string;
  zoneName: string;
  dmarcRecord: string;
  spfRecord: string;
  records: PlannedRecord[];
  /** <domain>._report._dmarc.<destination> TXT "v=DMARC1;" names that report destinations of another organisation must publish. */
  externalReportAuthorizations: string[];
  problems: EmailSpecProblem[];
}

/** The default TTL of the records, in seconds. */
export const EMAIL_RECORD_TTL = 3600;
const TXT_STRING_MAX = 255;

/** Split a TXT value into character-strings of at most 255 characters (receivers join them). */
export function splitTxt(value: string): string[] {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += TXT_STRING_MAX) parts.push(value.slice(i, i + TXT_STRING_MAX));
  return parts.length ? parts : [""];
}

function prefixed(problems: EmailSpecProblem[], prefix: string): EmailSpecProblem[] {
  return problems.map((p) => ({ ...p, field: `${prefix}.${p.field}` }));
}

/**
 * Plan one domain's records. `defaultPolicy` is the stack's rollout stage for domains that do not
 * set dmarc.policy themselves.
 */
export function planDomainRecords(spec: EmailDomainSpec, defaultPolicy?: DmarcPolicy): DomainPlan {
  const problems: EmailSpecProblem[] = [];
  const domain = typeof spec.domain === "string" ? spec.domain.toLowerCase().replace(/\.$/, "") : "";
  const zoneName = (spec.zoneName ?? domain).toLowerCase().replace(/\.$/, "");
  if (!isDomainName(domain)) problems.push({ field: "domain", value: spec.domain, problem: "not a domain name", fix: "write the mail domain, e.g. contoso.com" });
  if (!isDomainName(zoneName) || !(domain === zoneName || domain.endsWith("." + zoneName))) {
    problems.push({ field: "zoneName", value: spec.zoneName, problem: `the zone must be ${domain || "the domain"} or a parent of it`, fix: "set zoneName to the Azure DNS zone that holds the domain" });
  }
  const ttl = spec.ttl ?? EMAIL_RECORD_TTL;
  if (!Number.isInteger(ttl) || ttl < 300 || ttl > 86400) {
    problems.push({ field: "ttl", value: spec.ttl, problem: "TTL out of range", fix: "use whole seconds from 300 to 86400 (3600 recommended; DKIM CNAMEs need >= 3600)" });
  }

  const parked = spec.parked === true;
  const dmarcSpec: DmarcPolicySpec = { ...(spec.dmarc ?? {}) };
  if (dmarcSpec.policy === undefined) dmarcSpec.policy = parked ? DmarcPolicy.Reject : defaultPolicy;
  if (parked) {
    if (dmarcSpec.policy !== DmarcPolicy.Reject || (dmarcSpec.subdomainPolicy ?? DmarcPolicy.Reject) !== DmarcPolicy.Reject) {
      problems.push({ field: "dmarc.policy", value: dmarcSpec.policy, problem: "a parked domain sends no mail, so its DMARC policy must be reject", fix: "remove dmarc.policy/subdomainPolicy (reject is used) or set parked to false" });
    }
    if (spec.dkim) problems.push({ field: "dkim", value: "(set)", problem: "a parked domain does not sign mail", fix: "remove dkim or set parked to false" });
  }
  problems.push(...prefixed(validateDmarcSpec(dmarcSpec), "dmarc"));
  const spfSpec: SpfSpec = { ...(spec.spf ?? {}), parked: parked || spec.spf?.parked };
  problems.push(...prefixed(validateSpfSpec(spfSpec), "spf"));
  if (spec.dkim) problems.push(...prefixed(validateDkimSpec(spec.dkim), "dkim"));
  (spec.additionalApexTxt ?? []).forEach((v, i) => {
    if (typeof v !== "string" || /^v=spf1\b/i.test(v)) {
      problems.push({ field: `additionalApexTxt[${i}]`, value: v, problem: "a second SPF record (or not text): two SPF records make SPF fail with permerror", fix: "declare SPF senders under spf, keep only non-SPF TXT values here" });
    }
  });

  const dmarcRecord = problems.length ? "" : buildDmarcRecord(dmarcSpec);
  const spfRecord = problems.length ? "" : buildSpfRecord(spfSpec);
  if (dmarcRecord) {
    // Belt and braces: what we emit must parse without errors under RFC 9989.
    for (const f of parseDmarcRecord(dmarcRecord).findings.filter((x) => x.severity === "error")) {
      problems.push({ field: "dmarc", value: dmarcRecord, problem: f.message, fix: "adjust the DMARC settings" });
    }
  }
  const sub = domain === zoneName ? "" : domain.slice(0, domain.length - zoneName.length - 1);
  const relative = (label: string) => (sub ? (label === "@" ? sub : `${label}.${sub}`) : label);
  const fqdn = (label: string) => (label === "@" ? domain : `${label}.${domain}`);

  const records: PlannedRecord[] = [];
  if (problems.length === 0) {
    records.push({ kind: EmailRecordKind.Dmarc, fqdn: fqdn("_dmarc"), relativeName: relative("_dmarc"), type: "TXT", ttl, txt: [splitTxt(dmarcRecord)] });
    records.push({
      kind: EmailRecordKind.Spf,
      fqdn: domain,
      relativeName: relative("@"),
      type: "TXT",
      ttl,
      txt: [splitTxt(spfRecord), ...(spec.additionalApexTxt ?? []).map(splitTxt)],
    });
    if (spec.dkim) {
      const [s1, s2] = dkimCnames(domain, spec.dkim);
      records.push({ kind: EmailRecordKind.DkimSelector1, fqdn: fqdn(s1.name), relativeName: relative(s1.name), type: "CNAME", ttl, cname: s1.target });
      records.push({ kind: EmailRecordKind.DkimSelector2, fqdn: fqdn(s2.name), relativeName: relative(s2.name), type: "CNAME", ttl, cname: s2.target });
    }
  }
  const destinations = [...(dmarcSpec.aggregateReportUris ?? []), ...(dmarcSpec.failureReportUris ?? [])]
    .map((uri) => String(uri).slice(String(uri).lastIndexOf("@") + 1).split("?")[0].toLowerCase())
    // Without the Public Suffix List, a destination counts as ours when it is the domain, a parent or a subdomain of it.
    .filter((d) => d && d !== domain && !d.endsWith("." + domain) && !domain.endsWith("." + d));
  const externalReportAuthorizations = [...new Set(destinations)].map((d) => `${domain}._report._dmarc.${d}`);
  return { domain, zoneName, dmarcRecord, spfRecord, records, externalReportAuthorizations, problems };
}
