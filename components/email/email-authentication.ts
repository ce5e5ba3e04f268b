/**
 * EmailAuthentication: per domain, the DMARC, SPF and DKIM records in an Azure DNS zone, and
 * optionally Exchange Online's inbound DMARC handling (anti-phishing policy + spoof pairs) applied
 * by an idempotent ExchangeOnlineManagement script run through @pulumi/command.
 */
import * as pulumi from "@pulumi/pulumi";
import * as dns from "@pulumi/azure-native/dns";
import * as local from "@pulumi/command/local";
import { throwIfProblems } from "../errors";
import type { DkimCnameFormat } from "./dkim";
import type { AlignmentMode, DmarcPolicy } from "./dmarc";
import { EXCHANGE_ENV } from "./exchange-script";
import type { AuthenticationFailAction, DmarcQuarantineAction, DmarcRejectAction, SpoofType } from "./inbound";
import { normaliseEmailAuthentication, type EmailAuthenticationPlan, type EmailAuthenticationSpec } from "./plan";
import { EmailRecordKind, type PlannedRecord } from "./records";
import { isPlainValue } from "../inputs";
import { COMPONENT_TYPE_TOKENS } from "../common/type-tokens";
import { ownershipMetadata } from "../common/ownership";

/** The Pulumi type token of the {@link EmailAuthentication} component. */
export const EMAIL_AUTHENTICATION_TYPE = COMPONENT_TYPE_TOKENS.EmailAuthentication;

/** DMARC settings of one domain. */
export interface DmarcArgs {
  /** p: none (monitor), quarantine or reject. Default: the component's dmarcPolicy (the stack's rollout stage). */
  policy?: pulumi.Input<DmarcPolicy>;
  /** sp: policy for existing subdomains; default p. */
  subdomainPolicy?: pulumi.Input<DmarcPolicy>;
  /** np (RFC 9989): policy for non-existent subdomains; default sp. */
  nonExistentSubdomainPolicy?: pulumi.Input<DmarcPolicy>;
  /** adkim: relaxed (default) or strict DKIM alignment. */
  dkimAlignment?: pulumi.Input<AlignmentMode>;
  /** aspf: relaxed (default) or strict SPF alignment. */
  spfAlignment?: pulumi.Input<AlignmentMode>;
  /** rua: mailto: URIs for aggregate reports (at most two). */
  aggregateReportUris?: pulumi.Input<pulumi.Input<string>[]>;
  /** ruf: mailto: URIs for failure reports (Microsoft 365 never sends them; other receivers may). */
  failureReportUris?: pulumi.Input<pulumi.Input<string>[]>;
  /** fo: failure-report options (0, 1, d, s; not both 0 and 1). */
  failureReportOptions?: pulumi.Input<pulumi.Input<string>[]>;
  /** t=y (RFC 9989 test mode): receivers apply one level lower (reject → quarantine, quarantine → none). */
  testMode?: pulumi.Input<boolean>;
  /** Legacy RFC 7489 pct; emitted only when set (RFC 9989 receivers ignore it). */
  legacyPercentage?: pulumi.Input<number>;
}

/** Another sender's SPF record included by this domain. */
export interface SpfIncludeArgs {
  /** The domain whose SPF record is included, e.g. _spf.example.com. */
  domain: pulumi.Input<string>;
  /** DNS lookups the included record makes itself (recursively); counted against SPF's limit of 10. */
  nestedLookups?: pulumi.Input<number>;
}

/** SPF settings of one domain. */
export interface SpfArgs {
  /** Include Microsoft 365 (spf.protection.outlook.com); default true. */
  microsoft365?: pulumi.Input<boolean>;
  /** Other senders' SPF records to include. */
  includes?: pulumi.Input<pulumi.Input<SpfIncludeArgs>[]>;
  /** IPv4 addresses or ranges allowed to send. */
  ip4?: pulumi.Input<pulumi.Input<string>[]>;
  /** IPv6 addresses or ranges allowed to send. */
  ip6?: pulumi.Input<pulumi.Input<string>[]>;
  /** End with ~all instead of -all (Microsoft recommends -all). */
  softFail?: pulumi.Input<boolean>;
}

/** DKIM CNAMEs of one domain for Microsoft 365. */
export interface DkimArgs {
  /** legacy (…onmicrosoft.com, domains added before May 2025) or current (…dkim.mail.microsoft). */
  format: pulumi.Input<DkimCnameFormat>;
  /** The tenant's initial domain prefix: contoso for contoso.onmicrosoft.com. */
  initialDomainPrefix: pulumi.Input<string>;
  /** Current format: the partition letter Microsoft assigned (see Get-DkimSigningConfig Selector1CNAME). */
  partition?: pulumi.Input<string>;
}

/** One mail domain and its records. */
export interface EmailDomainArgs {
  /** The mail domain, e.g. contoso.com. Used in child resource names when known at preview. */
  domain: pulumi.Input<string>;
  /** The Azure DNS zone that holds the domain (the domain or a parent); default the domain. */
  zoneName?: pulumi.Input<string>;
  /** DMARC settings; the policy defaults to the component's dmarcPolicy. */
  dmarc?: DmarcArgs;
  /** SPF settings; default: Microsoft 365 only, -all. */
  spf?: SpfArgs;
  /** DKIM CNAMEs; leave out to publish none. */
  dkim?: DkimArgs;
  /** The domain sends no mail: SPF -all, DMARC p=reject, no DKIM. */
  parked?: pulumi.Input<boolean>;
  /** Other TXT values at the domain's own name (e.g. MS=ms12345678): the SPF record set owns that name. */
  additionalApexTxt?: pulumi.Input<pulumi.Input<string>[]>;
  /** TTL in seconds for every record (default 3600). */
  ttl?: pulumi.Input<number>;
}

/** A spoofed-sender pair in the Tenant Allow/Block List. */
export interface SpoofPairArgs {
  /** Cross-org: the spoofed From domain (gmail.com); intra-org: the full From address; or *. */
  spoofedUser: pulumi.Input<string>;
  /** The source's PTR domain (tms.mx.com), its IPv4 /24 (192.0.2.10/24), a DKIM domain, or *. */
  sendingInfrastructure: pulumi.Input<string>;
  /** External (default, cross-org) or Internal (intra-org). */
  spoofType?: pulumi.Input<SpoofType>;
}

/** How Exchange Online is reached: app-only authentication with a certificate. */
export interface ExchangeConnectionArgs {
  /** Application (client) ID of an app with Exchange.ManageAsApp and an Exchange/Security admin role. */
  appId: pulumi.Input<string>;
  /** The tenant's initial domain, e.g. contoso.onmicrosoft.com. */
  organization: pulumi.Input<string>;
  /** Thumbprint of the certificate in the runner's store (Windows); or use certificatePath. */
  certificateThumbprint?: pulumi.Input<string>;
  /** Path of the .pfx certificate on the machine running pulumi up (Linux/macOS). */
  certificatePath?: pulumi.Input<string>;
  /** Password of the .pfx; kept secret and passed to the script through the environment. */
  certificatePassword?: pulumi.Input<string>;
}

/** Exchange Online's handling of inbound mail that fails DMARC. */
export interface InboundDmarcArgs {
  /** Anti-phishing policy to configure; default "Office365 AntiPhish Default". */
  antiPhishPolicy?: pulumi.Input<string>;
  /** EnableSpoofIntelligence (default true). */
  enableSpoofIntelligence?: pulumi.Input<boolean>;
  /** HonorDmarcPolicy: act on the sender's p=quarantine/p=reject (default true). */
  honorDmarcPolicy?: pulumi.Input<boolean>;
  /** AuthenticationFailAction for spoof (composite authentication) failures: MoveToJmf (default) or Quarantine. */
  authenticationFailAction?: pulumi.Input<AuthenticationFailAction>;
  /** DmarcQuarantineAction for p=quarantine failures: Quarantine (default) or MoveToJmf. */
  dmarcQuarantineAction?: pulumi.Input<DmarcQuarantineAction>;
  /** DmarcRejectAction for p=reject failures: Reject (default) or Quarantine. */
  dmarcRejectAction?: pulumi.Input<DmarcRejectAction>;
  /** Spoofed-sender pairs let through (each exact pair only). */
  allowedSpoofPairs?: pulumi.Input<pulumi.Input<SpoofPairArgs>[]>;
  /** Spoofed-sender pairs blocked (block beats allow). */
  blockedSpoofPairs?: pulumi.Input<pulumi.Input<SpoofPairArgs>[]>;
  /** Opt-in: allow pairs with * on one side. */
  allowWildcardSpoofPairs?: pulumi.Input<boolean>;
  /** Opt-in, destructive: remove spoof pairs in the tenant that are not declared here. */
  removeUndeclaredSpoofPairs?: pulumi.Input<boolean>;
  /** Connection to Exchange Online. */
  exchange: ExchangeConnectionArgs;
}

/** Inputs of {@link EmailAuthentication}: the domains, their DMARC, SPF and DKIM, and inbound handling. */
export interface EmailAuthenticationArgs {
  /** Resource group of the Azure DNS zones. */
  resourceGroupName: pulumi.Input<string>;
  /** The stack's DMARC rollout stage (none → quarantine → reject) for domains without their own policy. */
  dmarcPolicy?: pulumi.Input<DmarcPolicy>;
  /** The mail domains. */
  domains: EmailDomainArgs[];
  /** Exchange Online inbound DMARC handling; leave out to manage DNS only. */
  inbound?: InboundDmarcArgs;
}

/** One published record, for review. */
export interface PublishedRecord {
  /** Fully qualified record name. */
  name: string;
  /** TXT or CNAME. */
  type: string;
  /** The value (TXT strings joined; each TXT record on its own entry). */
  values: string[];
}


function slug(domain: string): string {
  return domain.toLowerCase().replace(/[^a-z0-9]+/g, "-");
}

/**
 * DMARC, SPF and DKIM records of the tenant's own mail domains in Azure DNS, and optionally
 * Exchange Online's handling of inbound mail that fails DMARC (honor DMARC policy, spoofed
 * sender pairs), applied by an idempotent ExchangeOnlineManagement script.
 */
export class EmailAuthentication extends pulumi.ComponentResource {
  /** Every record published, per domain, for review. */
  public readonly records: pulumi.Output<PublishedRecord[]>;
  /** The DMARC record text of each domain, keyed by domain. */
  public readonly dmarcRecords: pulumi.Output<Record<string, string>>;
  /** TXT names ("v=DMARC1;") that report destinations outside the declared domains must publish to accept reports. */
  public readonly externalReportAuthorizations: pulumi.Output<string[]>;
  /** The Exchange Online PowerShell script (for review); undefined when inbound is not managed. */
  public readonly exchangeScript: pulumi.Output<string | undefined>;

  constructor(name: string, args: EmailAuthenticationArgs, opts?: pulumi.ComponentResourceOptions) {
    const password = args.inbound?.exchange?.certificatePassword;
    const safeArgs = args.inbound && password !== undefined ? { ...args, inbound: { ...args.inbound, exchange: { ...args.inbound.exchange, certificatePassword: pulumi.secret(password) } } } : args;
    super(EMAIL_AUTHENTICATION_TYPE, name, safeArgs, opts);

    const specInput = {
      domains: args.domains,
      dmarcPolicy: args.dmarcPolicy,
      inbound: args.inbound && {
        ...args.inbound,
        exchange: { ...args.inbound.exchange, certificatePassword: undefined, hasCertificatePassword: password !== undefined },
      },
    };
    const check = (spec: EmailAuthenticationSpec): EmailAuthenticationPlan => {
      const { value, problems } = normaliseEmailAuthentication(spec);
      throwIfProblems("EmailAuthentication", name, problems);
      return value as EmailAuthenticationPlan;
    };
    // Known at construction (plain values): fail right now, before any child is declared.
    const knownPlan = isPlainValue(specInput) ? check(specInput as unknown as EmailAuthenticationSpec) : undefined;
    const plan: pulumi.Output<EmailAuthenticationPlan> = knownPlan
      ? pulumi.output(knownPlan)
      : pulumi.output(specInput).apply((spec) => check(spec as unknown as EmailAuthenticationSpec));

    args.domains.forEach((domainArgs, i) => {
      const key = typeof domainArgs.domain === "string" ? slug(domainArgs.domain) : `domain${i}`;
      const kinds: EmailRecordKind[] = [EmailRecordKind.Dmarc, EmailRecordKind.Spf];
      if (domainArgs.dkim !== undefined) kinds.push(EmailRecordKind.DkimSelector1, EmailRecordKind.DkimSelector2);
      for (const kind of kinds) {
        const record = plan.apply((p) => p.domains[i].records.find((r) => r.kind === kind) as PlannedRecord);
        new dns.RecordSet(
          `${name}-${key}-${kind}`,
          {
            resourceGroupName: args.resourceGroupName,
            zoneName: plan.apply((p) => p.domains[i].zoneName),
            relativeRecordSetName: record.apply((r) => r.relativeName),
            recordType: record.apply((r) => r.type),
            ttl: record.apply((r) => r.ttl),
            txtRecords: record.apply((r) => (r.txt ? r.txt.map((value) => ({ value })) : undefined)),
            cnameRecord: record.apply((r) => (r.cname ? { cname: r.cname } : undefined)),
            metadata: ownershipMetadata(`email-${kind}`),
          },
          { parent: this },
        );
      }
    });

    // Report authorisations for destinations among our own domains: only when the args are known
    // now (their number decides the children); otherwise they are listed as external.
    for (const auth of knownPlan?.reportAuthorizations ?? []) {
      new dns.RecordSet(
        `${name}-${slug(auth.sourceDomain)}-report-authorization`,
        {
          resourceGroupName: args.resourceGroupName,
          zoneName: auth.zoneName,
          relativeRecordSetName: auth.relativeName,
          recordType: "TXT",
          ttl: 3600,
          txtRecords: [{ value: ["v=DMARC1;"] }],
          metadata: ownershipMetadata("email-report-authorization"),
        },
        { parent: this },
      );
    }

    this.records = plan.apply((p) => [
      ...p.domains.flatMap((d) => d.records.map((r) => ({ name: r.fqdn, type: r.type, values: r.txt ? r.txt.map((s) => s.join("")) : [r.cname ?? ""] }))),
      ...(knownPlan ? p.reportAuthorizations : []).map((a) => ({ name: a.fqdn, type: "TXT", values: ["v=DMARC1;"] })),
    ]);
    this.dmarcRecords = plan.apply((p) => Object.fromEntries(p.domains.map((d) => [d.domain, d.dmarcRecord])));
    this.externalReportAuthorizations = plan.apply((p) =>
      knownPlan ? p.externalReportAuthorizations : [...p.externalReportAuthorizations, ...p.reportAuthorizations.map((a) => a.fqdn)],
    );
    this.exchangeScript = plan.apply((p) => p.exchangeScript);

    if (args.inbound) {
      const exchange = args.inbound.exchange;
      const environment: Record<string, pulumi.Input<string>> = {
        [EXCHANGE_ENV.appId]: exchange.appId,
        [EXCHANGE_ENV.organization]: exchange.organization,
      };
      if (exchange.certificateThumbprint !== undefined) environment[EXCHANGE_ENV.certificateThumbprint] = exchange.certificateThumbprint;
      if (exchange.certificatePath !== undefined) environment[EXCHANGE_ENV.certificatePath] = exchange.certificatePath;
      if (password !== undefined) environment[EXCHANGE_ENV.certificatePassword] = pulumi.secret(password);
      const script = plan.apply((p) => p.exchangeScript ?? "");
      new local.Command(
        `${name}-exchange-inbound`,
        {
          interpreter: ["pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-Command"],
          create: script,
          update: script,
          // Removing the component leaves the tenant's settings as they are (no destructive delete).
          environment,
        },
        { parent: this },
      );
    }

    this.registerOutputs({
      records: this.records,
      dmarcRecords: this.dmarcRecords,
      externalReportAuthorizations: this.externalReportAuthorizations,
      exchangeScript: this.exchangeScript,
    });
  }
}
