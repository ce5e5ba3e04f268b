/**
 * The whole EmailAuthentication plan as plain data: every domain's records, the Exchange Online
 * script, and every problem (fields named as in the component args).
 */
import { DmarcPolicy, type EmailSpecProblem } from "./dmarc";
import type { Normalised } from "../common/normalised";
import { buildExchangeScript } from "./exchange-script";
import { validateInboundSettings, type InboundSettings } from "./inbound";
import { planDomainRecords, type DomainPlan, type EmailDomainSpec } from "./records";
import { GUID } from "../common/ids";

/** How the Exchange Online script connects: app id, organisation, certificate. */
export interface ExchangeConnectionSpec {
  /** Application (client) ID of the app registration with Exchange.ManageAsApp. */
  appId?: string;
  /** The tenant's initial domain, e.g. contoso.onmicrosoft.com. */
  organization?: string;
  /** Thumbprint of the certificate in the runner's certificate store (Windows runners). */
  certificateThumbprint?: string;
  /** Path of a .pfx file on the runner (Linux/macOS runners). */
  certificatePath?: string;
  /** Whether a password for the .pfx is supplied (the value itself never enters the plan). */
  hasCertificatePassword?: boolean;
}

export interface InboundSpec extends InboundSettings {
  antiPhishPolicy?: string;
  removeUndeclaredSpoofPairs?: boolean;
  exchange?: ExchangeConnectionSpec;
}

/** The component's inputs as plain values (what {@link normaliseEmailAuthentication} checks). */
export interface EmailAuthenticationSpec {
  domains: EmailDomainSpec[];
  /** The stack's rollout stage: the DMARC policy of domains that do not set their own. */
  dmarcPolicy?: DmarcPolicy;
  inbound?: InboundSpec;
}

/** A `<domain>._report._dmarc.<destination>` TXT "v=DMARC1;" record in a zone this component manages. */
export interface ReportAuthorization {
  /** The domain whose reports go to another organisation's domain. */
  sourceDomain: string;
  zoneName: string;
  relativeName: string;
  fqdn: string;
}

/** Every record, report authorisation and Exchange Online setting the component declares, as plain data. */
export interface EmailAuthenticationPlan {
  domains: DomainPlan[];
  /** Authorisations published by this component, for report destinations among its own domains. */
  reportAuthorizations: ReportAuthorization[];
  /** Authorisations someone else must publish (destinations outside the declared domains). */
  externalReportAuthorizations: string[];
  /** The Exchange Online script; undefined when inbound is not managed. */
  exchangeScript?: string;
  problems: EmailSpecProblem[];
}


function validateConnection(c: ExchangeConnectionSpec | undefined): EmailSpecProblem[] {
  const problems: EmailSpecProblem[] = [];
  if (!c) {
    return [{ field: "exchange", value: undefined, problem: "Exchange Online connection details are required to apply inbound settings", fix: "set exchange.appId, exchange.organization and a certificate (thumbprint or path)" }];
  }
  if (!(typeof c.appId === "string" && GUID.test(c.appId))) {
    problems.push({ field: "exchange.appId", value: c.appId, problem: "not an application (client) ID", fix: "copy the app registration's Application (client) ID (a GUID)" });
  }
  if (!(typeof c.organization === "string" && /^[a-z0-9][a-z0-9-]*\.onmicrosoft\.(com|us)$/i.test(c.organization))) {
    problems.push({ field: "exchange.organization", value: c.organization, problem: "app-only authentication needs the tenant's initial domain", fix: "write <tenant>.onmicrosoft.com" });
  }
  const hasThumbprint = c.certificateThumbprint !== undefined;
  const hasPath = c.certificatePath !== undefined;
  if (hasThumbprint === hasPath) {
    problems.push({ field: "exchange.certificateThumbprint", value: c.certificateThumbprint, problem: "exactly one of certificateThumbprint and certificatePath is needed", fix: "use certificateThumbprint on Windows runners, certificatePath (+ certificatePassword) elsewhere" });
  }
  if (hasThumbprint && !(typeof c.certificateThumbprint === "string" && /^[0-9a-f]{40}$/i.test(c.certificateThumbprint))) {
    problems.push({ field: "exchange.certificateThumbprint", value: c.certificateThumbprint, problem: "not a SHA-1 thumbprint", fix: "write the 40 hexadecimal characters without spaces" });
  }
  if (hasPath && !(typeof c.certificatePath === "string" && c.certificatePath.length > 0 && !/[\0\r\n]/.test(c.certificatePath))) {
    problems.push({ field: "exchange.certificatePath", value: c.certificatePath, problem: "not a file path", fix: "write the path of the .pfx file on the machine that runs pulumi up" });
  }
  if (c.hasCertificatePassword && !hasPath) {
    problems.push({ field: "exchange.certificatePassword", value: "[secret]", problem: "a password only applies to a certificate file", fix: "remove certificatePassword or use certificatePath" });
  }
  return problems;
}

/**
 * Validate the spec and plan the records: every problem found (fields relative to the component's
 * args), and the plan as `value` when there are none.
 */
export function normaliseEmailAuthentication(spec: EmailAuthenticationSpec): Normalised<EmailAuthenticationPlan> {
  const plan = buildPlan(spec);
  return plan.problems.length > 0 ? { problems: plan.problems } : { value: plan, problems: plan.problems };
}

/**
 * @deprecated use normaliseEmailAuthentication, which returns the plan as `value` and the problems
 * beside it. Kept for one minor version: the plan, always, with its `problems`.
 */
export function planEmailAuthentication(spec: EmailAuthenticationSpec): EmailAuthenticationPlan {
  return buildPlan(spec);
}

function buildPlan(spec: EmailAuthenticationSpec): EmailAuthenticationPlan {
  const problems: EmailSpecProblem[] = [];
  const prefixed = (list: EmailSpecProblem[], prefix: string) => list.map((p) => ({ ...p, field: `${prefix}.${p.field}` }));
  const policies: readonly string[] = Object.values(DmarcPolicy);
  if (spec.dmarcPolicy !== undefined && !policies.includes(spec.dmarcPolicy)) {
    problems.push({ field: "dmarcPolicy", value: spec.dmarcPolicy, problem: "not a DMARC policy (rollout stage)", fix: "use none, then quarantine, then reject" });
  }
  if (!Array.isArray(spec.domains) || spec.domains.length === 0) {
    problems.push({ field: "domains", value: spec.domains, problem: "no domain declared", fix: "list at least one domain" });
  }
  const domains = (spec.domains ?? []).map((d, i) => {
    const plan = planDomainRecords(d, policies.includes(spec.dmarcPolicy ?? "") ? spec.dmarcPolicy : undefined);
    problems.push(...prefixed(plan.problems, `domains[${i}]`));
    return plan;
  });
  const names = domains.map((d) => d.domain);
  names.forEach((n, i) => {
    if (n && names.indexOf(n) !== i) problems.push({ field: `domains[${i}].domain`, value: n, problem: "declared twice", fix: "declare each domain once" });
  });
  // A destination that is one of our own domains gets its authorisation record from us.
  const reportAuthorizations: ReportAuthorization[] = [];
  const externalReportAuthorizations: string[] = [];
  for (const d of domains) {
    for (const fqdn of d.externalReportAuthorizations) {
      const destination = fqdn.slice(fqdn.indexOf("._report._dmarc.") + "._report._dmarc.".length);
      const owner = domains.find((o) => o.domain === destination);
      if (owner && owner.problems.length === 0) {
        reportAuthorizations.push({ sourceDomain: d.domain, zoneName: owner.zoneName, fqdn, relativeName: fqdn.slice(0, fqdn.length - owner.zoneName.length - 1) });
      } else if (!externalReportAuthorizations.includes(fqdn)) {
        externalReportAuthorizations.push(fqdn);
      }
    }
  }
  let exchangeScript: string | undefined;
  if (spec.inbound) {
    const inboundProblems = [...validateInboundSettings(spec.inbound), ...validateConnection(spec.inbound.exchange)];
    const policyName = spec.inbound.antiPhishPolicy;
    if (policyName !== undefined && !(typeof policyName === "string" && /^[^\0-\x1f]{1,64}$/.test(policyName))) {
      inboundProblems.push({ field: "antiPhishPolicy", value: policyName, problem: "not a policy name", fix: "write the anti-phishing policy's name (up to 64 printable characters)" });
    }
    problems.push(...prefixed(inboundProblems, "inbound"));
    if (inboundProblems.length === 0) {
      exchangeScript = buildExchangeScript(spec.inbound, { antiPhishPolicy: policyName, removeUndeclaredSpoofPairs: spec.inbound.removeUndeclaredSpoofPairs });
    }
  }
  return { domains, reportAuthorizations, externalReportAuthorizations, exchangeScript, problems };
}
