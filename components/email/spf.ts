/**
 * SPF for Microsoft 365 domains: builds `v=spf1 include:spf.protection.outlook.com ... -all` and
 * keeps the record within RFC 7208's limit of 10 DNS-querying terms (include, a, mx, ptr, exists,
 * redirect), counting the lookups that included records make when the caller declares them.
 */
import { isIP } from "node:net";
import type { EmailSpecProblem } from "./dmarc";

/** The SPF include of Exchange Online. */
export const MICROSOFT_365_SPF_INCLUDE = "spf.protection.outlook.com";
/** How many DNS lookups an SPF check may make (RFC 7208, section 4.6.4). */
export const SPF_LOOKUP_LIMIT = 10;

/** An `include:` of another sender's SPF record. */
export interface SpfInclude {
  domain: string;
  /** DNS lookups the included record makes itself, recursively (0 for records of ip4/ip6 only). */
  nestedLookups?: number;
}

/** SPF settings of one domain: Microsoft 365, other senders' includes, IP ranges, the all qualifier. */
export interface SpfSpec {
  /** Authorise Microsoft 365 (default true; false for domains that do not send through Exchange Online). */
  microsoft365?: boolean;
  includes?: SpfInclude[];
  /** IPv4 addresses or CIDR ranges. */
  ip4?: string[];
  /** IPv6 addresses or CIDR ranges. */
  ip6?: string[];
  /** `~all` instead of `-all` (Microsoft recommends -all). */
  softFail?: boolean;
  /** The domain sends no mail: publish `v=spf1 -all` and nothing else. */
  parked?: boolean;
}

const DOMAIN = /^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/** Whether a value is a syntactically valid domain name. */
export function isDomainName(value: unknown): value is string {
  return typeof value === "string" && DOMAIN.test(value);
}

/**
 * Lookups Microsoft's published record makes beyond the include itself: it lists only ip4/ip6
 * ranges today (UNVERIFIED over time; pass nestedLookups to override).
 */
const KNOWN_NESTED_LOOKUPS: Record<string, number> = { [MICROSOFT_365_SPF_INCLUDE]: 0 };

/** DNS-querying terms in an SPF record (mechanisms and redirect modifier), not nested ones. */
export function countSpfLookups(record: string): number {
  return record
    .split(/\s+/)
    .slice(1)
    .filter((term) => /^[+?~-]?(include:|a(:|\/|$)|mx(:|\/|$)|ptr(:|$)|exists:)/i.test(term) || /^redirect=/i.test(term)).length;
}

/** Total lookups the spec makes: its own terms plus declared nested lookups of its includes. */
export function spfLookupTotal(spec: SpfSpec): number {
  if (spec.parked) return 0;
  const includes = allIncludes(spec);
  return includes.reduce((sum, inc) => sum + 1 + (inc.nestedLookups ?? KNOWN_NESTED_LOOKUPS[inc.domain.toLowerCase()] ?? 0), 0);
}

function allIncludes(spec: SpfSpec): SpfInclude[] {
  const own = spec.includes ?? [];
  const withMicrosoft = spec.microsoft365 === false || own.some((i) => i.domain.toLowerCase() === MICROSOFT_365_SPF_INCLUDE) ? own : [{ domain: MICROSOFT_365_SPF_INCLUDE }, ...own];
  return withMicrosoft;
}

function isCidr(value: string, family: 4 | 6): boolean {
  const [address, prefix, ...rest] = value.split("/");
  if (rest.length > 0 || isIP(address) !== family) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** The problems of a domain's SPF settings, each with its field and fix. */
export function validateSpfSpec(spec: SpfSpec): EmailSpecProblem[] {
  const problems: EmailSpecProblem[] = [];
  (spec.includes ?? []).forEach((inc, i) => {
    if (!isDomainName(inc.domain)) {
      problems.push({ field: `includes[${i}].domain`, value: inc.domain, problem: "not a domain name", fix: "write the domain whose SPF record to include, e.g. _spf.example.com" });
    }
    if (inc.nestedLookups !== undefined && !(Number.isInteger(inc.nestedLookups) && inc.nestedLookups >= 0)) {
      problems.push({ field: `includes[${i}].nestedLookups`, value: inc.nestedLookups, problem: "not a count", fix: "use a whole number >= 0" });
    }
  });
  (spec.ip4 ?? []).forEach((ip, i) => {
    if (!isCidr(ip, 4)) problems.push({ field: `ip4[${i}]`, value: ip, problem: "not an IPv4 address or range", fix: "write a.b.c.d or a.b.c.d/nn (nn <= 32)" });
  });
  (spec.ip6 ?? []).forEach((ip, i) => {
    if (!isCidr(ip, 6)) problems.push({ field: `ip6[${i}]`, value: ip, problem: "not an IPv6 address or range", fix: "write an IPv6 address, optionally /nn (nn <= 128)" });
  });
  const domains = allIncludes(spec).map((i) => String(i.domain).toLowerCase());
  const duplicate = domains.find((d, i) => domains.indexOf(d) !== i);
  if (duplicate) problems.push({ field: "includes", value: duplicate, problem: "included twice (each include costs a DNS lookup)", fix: "list each include once" });
  if (spec.parked && ((spec.includes ?? []).length || (spec.ip4 ?? []).length || (spec.ip6 ?? []).length)) {
    problems.push({ field: "parked", value: true, problem: "a parked domain sends no mail, yet senders are listed", fix: "remove includes/ip4/ip6 or set parked to false" });
  }
  const total = spfLookupTotal(spec);
  if (problems.length === 0 && total > SPF_LOOKUP_LIMIT) {
    problems.push({
      field: "includes",
      value: domains,
      problem: `the record needs ${total} DNS lookups, over SPF's limit of ${SPF_LOOKUP_LIMIT} (receivers return permerror, so SPF fails for all mail)`,
      fix: "remove includes, replace includes by ip4/ip6 ranges, or move senders to a subdomain with its own SPF record",
    });
  }
  return problems;
}

/** Build the SPF record text (call validateSpfSpec first). */
export function buildSpfRecord(spec: SpfSpec): string {
  if (spec.parked) return "v=spf1 -all";
  const terms = ["v=spf1"];
  for (const ip of spec.ip4 ?? []) terms.push(`ip4:${ip}`);
  for (const ip of spec.ip6 ?? []) terms.push(`ip6:${ip}`);
  for (const inc of allIncludes(spec)) terms.push(`include:${inc.domain.toLowerCase()}`);
  terms.push(spec.softFail ? "~all" : "-all");
  return terms.join(" ");
}
