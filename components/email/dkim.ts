/**
 * DKIM for Microsoft 365: the two selector CNAMEs a custom domain publishes so Exchange Online can
 * sign with keys it rotates itself. Two target formats exist and cannot be mixed for one selector:
 * - legacy (domains added before May 2025):
 *   selector1-contoso-com._domainkey.contoso.onmicrosoft.com
 * - current (domains added since May 2025):
 *   selector1-contoso-com._domainkey.contoso.n-v1.dkim.mail.microsoft, where the partition letter
 *   ("n") is assigned by Microsoft: read it from Get-DkimSigningConfig (Selector1CNAME).
 */
import type { EmailSpecProblem } from "./dmarc";
import { isDomainName } from "./spf";

/** The two formats of Exchange Online's DKIM CNAME targets. */
export const DkimCnameFormat = {
  /** <selector>-<domain-with-dashes>._domainkey.<initial-prefix>.onmicrosoft.com */
  Legacy: "legacy",
  /** <selector>-<domain-with-dashes>._domainkey.<initial-prefix>.<partition>-v1.dkim.mail.microsoft */
  Current: "current",
} as const;
/** One of the {@link DkimCnameFormat} values. */
export type DkimCnameFormat = (typeof DkimCnameFormat)[keyof typeof DkimCnameFormat];

/** DKIM settings of one domain: the CNAME format and the tenant's initial domain prefix. */
export interface DkimSpec {
  format: DkimCnameFormat;
  /** The tenant's initial domain prefix: "contoso" for contoso.onmicrosoft.com. */
  initialDomainPrefix: string;
  /** Current format only: the partition letter Microsoft assigned (Selector1CNAME shows it). */
  partition?: string;
}

/** One DKIM CNAME record to publish: its name and its target. */
export interface DkimCname {
  /** Record name relative to the domain: selector1._domainkey. */
  name: string;
  target: string;
}

/** The two DKIM selectors Exchange Online signs with. */
export const DKIM_SELECTORS = ["selector1", "selector2"] as const;

/** The problems of a domain's DKIM settings, each with its field and fix. */
export function validateDkimSpec(spec: DkimSpec): EmailSpecProblem[] {
  const problems: EmailSpecProblem[] = [];
  if (spec.format !== DkimCnameFormat.Legacy && spec.format !== DkimCnameFormat.Current) {
    problems.push({ field: "format", value: spec.format, problem: "unknown DKIM CNAME format", fix: "use legacy (…onmicrosoft.com) or current (…dkim.mail.microsoft); Get-DkimSigningConfig shows which your domain uses" });
  }
  if (typeof spec.initialDomainPrefix !== "string" || !/^[a-z0-9][a-z0-9-]{0,62}$/i.test(spec.initialDomainPrefix) || spec.initialDomainPrefix.includes(".")) {
    problems.push({ field: "initialDomainPrefix", value: spec.initialDomainPrefix, problem: "not an initial-domain prefix", fix: "write only the first label of <prefix>.onmicrosoft.com, e.g. contoso" });
  }
  if (spec.format === DkimCnameFormat.Current && !(typeof spec.partition === "string" && /^[a-z]$/i.test(spec.partition))) {
    problems.push({ field: "partition", value: spec.partition, problem: "the current format needs the partition letter Microsoft assigned", fix: "copy the letter before -v1 from Get-DkimSigningConfig -Identity <domain> | Format-List Selector1CNAME" });
  }
  if (spec.format === DkimCnameFormat.Legacy && spec.partition !== undefined) {
    problems.push({ field: "partition", value: spec.partition, problem: "the legacy format has no partition", fix: "remove partition, or use format current" });
  }
  return problems;
}

/** The two selector CNAMEs for `domain` (call validateDkimSpec first). */
export function dkimCnames(domain: string, spec: DkimSpec): DkimCname[] {
  if (!isDomainName(domain)) throw new Error(`not a domain name: ${domain}`);
  const dashed = domain.toLowerCase().replace(/\./g, "-");
  const prefix = spec.initialDomainPrefix.toLowerCase();
  const suffix = spec.format === DkimCnameFormat.Current ? `${prefix}.${(spec.partition ?? "").toLowerCase()}-v1.dkim.mail.microsoft` : `${prefix}.onmicrosoft.com`;
  return DKIM_SELECTORS.map((selector) => ({ name: `${selector}._domainkey`, target: `${selector}-${dashed}._domainkey.${suffix}` }));
}
