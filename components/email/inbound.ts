/**
 * Exchange Online's handling of inbound mail that fails DMARC: the anti-phishing policy settings,
 * the Tenant Allow/Block List spoofed-sender pairs, their validation, and a prediction of what
 * happens to a described message (Microsoft's "Spoof protection and sender DMARC policies" table).
 */
import { isIP } from "node:net";
import { DmarcPolicy, effectivePolicy, parseDmarcRecord, type EmailSpecProblem } from "./dmarc";
import { isDomainName } from "./spf";

/** What Exchange Online does with mail that fails composite authentication. */
export const AuthenticationFailAction = { MoveToJmf: "MoveToJmf", Quarantine: "Quarantine" } as const;
/** One of the {@link AuthenticationFailAction} values. */
export type AuthenticationFailAction = (typeof AuthenticationFailAction)[keyof typeof AuthenticationFailAction];
/** What Exchange Online does with mail failing DMARC when the sender publishes p=quarantine. */
export const DmarcQuarantineAction = { MoveToJmf: "MoveToJmf", Quarantine: "Quarantine" } as const;
/** One of the {@link DmarcQuarantineAction} values. */
export type DmarcQuarantineAction = (typeof DmarcQuarantineAction)[keyof typeof DmarcQuarantineAction];
/** What Exchange Online does with mail failing DMARC when the sender publishes p=reject. */
export const DmarcRejectAction = { Quarantine: "Quarantine", Reject: "Reject" } as const;
/** One of the {@link DmarcRejectAction} values. */
export type DmarcRejectAction = (typeof DmarcRejectAction)[keyof typeof DmarcRejectAction];
/** The anti-spam policy's action for phishing, which a blocked spoof pair triggers. */
export const PhishAction = { MoveToJmf: "MoveToJmf", Quarantine: "Quarantine" } as const;
export type PhishAction = (typeof PhishAction)[keyof typeof PhishAction];
/** Whether a spoofed sender pair is about an external or an internal (intra-organisation) domain. */
export const SpoofType = { External: "External", Internal: "Internal" } as const;
/** One of the {@link SpoofType} values. */
export type SpoofType = (typeof SpoofType)[keyof typeof SpoofType];

/** How many allowed spoofed sender pairs Exchange Online keeps at most. */
export const SPOOF_ENTRY_LIMIT = 1024;
/** The wildcard of a spoofed sender pair's fields. */
export const SPOOF_PAIR_WILDCARD = "*";

/** A spoofed-sender pair: a spoofed domain (or address, for intra-org) and the sending infrastructure. */
export interface SpoofPair {
  /** Cross-org: the From domain (gmail.com); intra-org: the full From address; or "*". */
  spoofedUser: string;
  /** The source's PTR domain (tms.mx.com), its IPv4 /24 (192.0.2.10/24), a verified DKIM domain, or "*". */
  sendingInfrastructure: string;
  /** Default External. */
  spoofType?: SpoofType;
}

/** The tenant's inbound DMARC settings: the anti-phishing policy and the spoof pairs. */
export interface InboundSettings {
  enableSpoofIntelligence?: boolean;
  honorDmarcPolicy?: boolean;
  authenticationFailAction?: AuthenticationFailAction;
  dmarcQuarantineAction?: DmarcQuarantineAction;
  dmarcRejectAction?: DmarcRejectAction;
  allowedSpoofPairs?: SpoofPair[];
  blockedSpoofPairs?: SpoofPair[];
  /** Opt-in: allow pairs with "*" (every infrastructure for a domain, or every domain from one infrastructure). */
  allowWildcardSpoofPairs?: boolean;
  /** The tenant's accepted domains: mail "from" them is intra-org spoofing. */
  acceptedDomains?: string[];
  /** The anti-spam policy's phishing action, applied to blocked pairs (default Quarantine). */
  phishAction?: PhishAction;
}

/** Microsoft's defaults (Default/Standard anti-phishing policy). */
export const INBOUND_DEFAULTS = {
  enableSpoofIntelligence: true,
  honorDmarcPolicy: true,
  authenticationFailAction: AuthenticationFailAction.MoveToJmf,
  dmarcQuarantineAction: DmarcQuarantineAction.Quarantine,
  dmarcRejectAction: DmarcRejectAction.Reject,
  phishAction: PhishAction.Quarantine,
} as const;

/** The DMARC result of a message: pass, fail, or none (no policy published). */
export const DmarcOutcome = { Pass: "pass", Fail: "fail", None: "none" } as const;
/** One of the {@link DmarcOutcome} values. */
export type DmarcOutcome = (typeof DmarcOutcome)[keyof typeof DmarcOutcome];

/** A described inbound message. */
export interface InboundMessage {
  /** The RFC 5322 From address (or just its domain for cross-org mail). */
  from: string;
  /** The DMARC result: pass, fail, or none (the From domain publishes no DMARC record). */
  dmarc: DmarcOutcome;
  /** For dmarc=fail: the policy the From domain's record applies (p, or sp for a subdomain). */
  senderPolicy?: DmarcPolicy;
  /** For dmarc=fail: the From domain's DMARC record, instead of senderPolicy (t=y is applied). */
  senderRecord?: string;
  /** For dmarc=none: Microsoft's composite authentication (implicit) result; default fail (the stricter case). */
  compositeAuthentication?: "pass" | "fail";
  /** The PTR host name of the connecting IP, if it resolves. */
  ptrHost?: string;
  /** The connecting IPv4 address. */
  sourceIp?: string;
  /** Domains of DKIM signatures that verified. */
  dkimDomains?: string[];
}

/** What happens to an inbound message: delivered, junked, quarantined or rejected. */
export const DmarcVerdict = { Deliver: "deliver", Junk: "junk", Quarantine: "quarantine", Reject: "reject" } as const;
/** One of the {@link DmarcVerdict} values. */
export type DmarcVerdict = (typeof DmarcVerdict)[keyof typeof DmarcVerdict];

/**
 * The composite authentication result Exchange Online stamps (`compauth=<result> reason=<code>` in
 * Authentication-Results) and the family of its reason code. Microsoft documents the families, not
 * the last two digits of 1xx, 2xx, 6xx ... codes, so `reason` is the family as Microsoft writes it.
 */
export interface CompositeAuthPrediction {
  result: "pass" | "fail" | "softpass" | "none";
  /** "000" explicit fail, "001" implicit fail, "002" blocked spoof pair, "010" explicit fail of an accepted domain, "1xx" pass, "3xx" not checked, "6xx" implicit fail of an accepted domain. */
  reason: string;
  meaning: string;
}

/** What inbound handling does to a message, and why. */
export interface InboundVerdict {
  verdict: DmarcVerdict;
  spoofType: SpoofType;
  /**
   * The compauth Microsoft would stamp. An allowed spoof pair changes the action, not the
   * authentication: the compauth is then the one the pair overrides (UNVERIFIED: Microsoft does not
   * document the code of allowed spoofed mail).
   */
  compauth: CompositeAuthPrediction;
  /** The spoof pair that decided, if any. */
  matchedPair?: { list: "allowed" | "blocked"; pair: SpoofPair };
  /** Why, step by step, naming the settings used. */
  reasons: string[];
}

/** What the prediction does not model (printed by the CLI with every verdict). */
export const NOT_MODELLED = [
  "other filters that run before spoof (malware, high-confidence phish, phish, high-confidence spam)",
  "user Safe Senders, mail flow rules, and spoof intelligence insight allows",
  "a third-party gateway in front of Microsoft 365 without Enhanced Filtering for Connectors",
  "anti-phishing policies other than the one described (only the first matching policy applies)",
];

const lower = (s: string) => s.toLowerCase();
const domainOf = (from: string) => lower(from.includes("@") ? from.slice(from.lastIndexOf("@") + 1) : from);
const EMAIL = /^[^@\s]+@[^@\s]+$/;
const SLASH24 = /^(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\/24$/;

function pairKey(p: SpoofPair): string {
  return [lower(p.spoofedUser), lower(p.sendingInfrastructure), p.spoofType ?? SpoofType.External].join("|");
}

function showPair(p: SpoofPair): string {
  return `${p.spoofedUser} via ${p.sendingInfrastructure} (${p.spoofType ?? SpoofType.External})`;
}

function infrastructureCovers(block: string, allow: string): boolean {
  if (block === SPOOF_PAIR_WILDCARD) return true;
  const b = SLASH24.exec(block);
  const a = SLASH24.exec(allow);
  if (b && a) return b[1].split(".").slice(0, 3).join(".") === a[1].split(".").slice(0, 3).join(".");
  return lower(block) === lower(allow);
}

/** Validate the spoof pairs and settings; fields are relative to InboundSettings. */
export function validateInboundSettings(settings: InboundSettings): EmailSpecProblem[] {
  const problems: EmailSpecProblem[] = [];
  const checkEnum = (field: keyof InboundSettings, allowed: Record<string, string>) => {
    const v = settings[field];
    if (v !== undefined && !Object.values(allowed).includes(v as string)) {
      problems.push({ field, value: v, problem: "not a valid action", fix: `use one of ${Object.values(allowed).join(", ")} (exact casing)` });
    }
  };
  checkEnum("authenticationFailAction", AuthenticationFailAction);
  checkEnum("dmarcQuarantineAction", DmarcQuarantineAction);
  checkEnum("dmarcRejectAction", DmarcRejectAction);
  checkEnum("phishAction", PhishAction);
  for (const field of ["enableSpoofIntelligence", "honorDmarcPolicy", "allowWildcardSpoofPairs"] as const) {
    const v = settings[field];
    if (v !== undefined && typeof v !== "boolean") problems.push({ field, value: v, problem: "not a boolean", fix: "use true or false" });
  }
  (settings.acceptedDomains ?? []).forEach((d, i) => {
    if (!isDomainName(d)) problems.push({ field: `acceptedDomains[${i}]`, value: d, problem: "not a domain name", fix: "write a domain such as contoso.com" });
  });

  const lists = [
    ["allowedSpoofPairs", settings.allowedSpoofPairs ?? []],
    ["blockedSpoofPairs", settings.blockedSpoofPairs ?? []],
  ] as const;
  for (const [list, pairs] of lists) {
    const seen = new Set<string>();
    pairs.forEach((pair, i) => {
      const at = `${list}[${i}]`;
      const type = pair.spoofType ?? SpoofType.External;
      if (type !== SpoofType.External && type !== SpoofType.Internal) {
        problems.push({ field: `${at}.spoofType`, value: pair.spoofType, problem: "not a spoof type", fix: "use External (cross-org) or Internal (intra-org)" });
      }
      const user = pair.spoofedUser;
      if (user !== SPOOF_PAIR_WILDCARD) {
        if (type === SpoofType.Internal && !(typeof user === "string" && EMAIL.test(user) && isDomainName(domainOf(user)))) {
          problems.push({ field: `${at}.spoofedUser`, value: user, problem: "an intra-org (Internal) pair names the full From address", fix: "write user@yourdomain, or * " });
        } else if (type !== SpoofType.Internal && !isDomainName(user)) {
          problems.push({ field: `${at}.spoofedUser`, value: user, problem: "a cross-org (External) pair names the spoofed From domain", fix: "write a domain such as gmail.com (no address, no wildcard inside the name), or *" });
        }
      }
      const infra = pair.sendingInfrastructure;
      const slash = typeof infra === "string" ? SLASH24.exec(infra) : null;
      if (infra !== SPOOF_PAIR_WILDCARD && !isDomainName(infra) && !(slash && isIP(slash[1]) === 4)) {
        problems.push({
          field: `${at}.sendingInfrastructure`,
          value: infra,
          problem: "the sending infrastructure is a PTR domain, an IPv4 /24, a DKIM domain, or *",
          fix: "write the organizational domain of the source's PTR (tms.mx.com) or, without PTR, <source IP>/24 (192.0.2.10/24)",
        });
      }
      if (user === SPOOF_PAIR_WILDCARD && infra === SPOOF_PAIR_WILDCARD) {
        problems.push({ field: at, value: pair, problem: "both sides are *", fix: "use * for the spoofed user or for the infrastructure, never both" });
      } else if (list === "allowedSpoofPairs" && (user === SPOOF_PAIR_WILDCARD || infra === SPOOF_PAIR_WILDCARD) && !settings.allowWildcardSpoofPairs) {
        problems.push({
          field: at,
          value: pair,
          problem: "a wildcard allow lets a domain be spoofed from anywhere (or anything be spoofed from one infrastructure)",
          fix: "allow the exact pair, or opt in with allowWildcardSpoofPairs: true",
        });
      }
      const key = typeof user === "string" && typeof infra === "string" ? pairKey(pair) : "";
      if (key && seen.has(key)) problems.push({ field: at, value: pair, problem: "duplicate pair", fix: "list each pair once" });
      seen.add(key);
    });
  }
  const allowed = settings.allowedSpoofPairs ?? [];
  const blocked = settings.blockedSpoofPairs ?? [];
  allowed.forEach((allow, i) => {
    const block = blocked.find(
      (b) =>
        (b.spoofType ?? SpoofType.External) === (allow.spoofType ?? SpoofType.External) &&
        (b.spoofedUser === SPOOF_PAIR_WILDCARD || lower(String(b.spoofedUser)) === lower(String(allow.spoofedUser))) &&
        infrastructureCovers(String(b.sendingInfrastructure), String(allow.sendingInfrastructure)),
    );
    if (block) {
      problems.push({
        field: `allowedSpoofPairs[${i}]`,
        value: allow,
        problem: `conflicts with the blocked pair ${showPair(block)}; block beats allow, so this allow never takes effect`,
        fix: "remove the allow, or narrow/remove the block",
      });
    }
  });
  const total = allowed.length + blocked.length;
  if (total > SPOOF_ENTRY_LIMIT) {
    problems.push({
      field: "allowedSpoofPairs",
      value: total,
      problem: `${total} spoof entries exceed the Tenant Allow/Block List limit of ${SPOOF_ENTRY_LIMIT} (allow + block)`,
      fix: "remove pairs, or use /24 or wildcard infrastructure entries where that is acceptable",
    });
  }
  return problems;
}

/** Problems with a described message (for the CLI). */
export function validateInboundMessage(message: InboundMessage): EmailSpecProblem[] {
  const problems: EmailSpecProblem[] = [];
  if (!isDomainName(domainOf(message.from ?? ""))) problems.push({ field: "from", value: message.from, problem: "not an address or domain", fix: "write the From address, e.g. ceo@gmail.com" });
  if (!Object.values(DmarcOutcome).includes(message.dmarc)) problems.push({ field: "dmarc", value: message.dmarc, problem: "not a DMARC result", fix: "use pass, fail or none" });
  if (message.dmarc === DmarcOutcome.Fail && message.senderPolicy === undefined && message.senderRecord === undefined) {
    problems.push({ field: "senderPolicy", value: undefined, problem: "a DMARC failure needs the sender's policy", fix: "give the policy (none, quarantine, reject) or the sender's DMARC record" });
  }
  if (message.senderPolicy !== undefined && !Object.values(DmarcPolicy).includes(message.senderPolicy)) {
    problems.push({ field: "senderPolicy", value: message.senderPolicy, problem: "not a DMARC policy", fix: "use none, quarantine or reject" });
  }
  if (message.senderRecord !== undefined) {
    const parsed = parseDmarcRecord(message.senderRecord);
    if (!parsed.isDmarc || parsed.record?.p === undefined) {
      problems.push({ field: "senderRecord", value: message.senderRecord, problem: "not a DMARC record with a usable policy", fix: "paste the TXT record of _dmarc.<sender domain>" });
    }
  }
  if (message.sourceIp !== undefined && isIP(message.sourceIp) === 0) problems.push({ field: "sourceIp", value: message.sourceIp, problem: "not an IP address", fix: "write the connecting IP, e.g. 192.0.2.10" });
  if (message.ptrHost !== undefined && !isDomainName(message.ptrHost)) problems.push({ field: "ptrHost", value: message.ptrHost, problem: "not a host name", fix: "write the PTR name, e.g. mail.tms.mx.com" });
  return problems;
}

/** Does the pair match the message? Domain infrastructure matches the PTR host or a parent of it. */
export function spoofPairMatches(pair: SpoofPair, message: InboundMessage, spoofType: SpoofType): boolean {
  if ((pair.spoofType ?? SpoofType.External) !== spoofType) return false;
  const user = lower(pair.spoofedUser);
  const userMatches = user === SPOOF_PAIR_WILDCARD || (spoofType === SpoofType.Internal ? user === lower(message.from) : user === domainOf(message.from));
  if (!userMatches) return false;
  const infra = lower(pair.sendingInfrastructure);
  if (infra === SPOOF_PAIR_WILDCARD) return true;
  const slash = SLASH24.exec(infra);
  if (slash) {
    const ip = message.sourceIp ?? "";
    return isIP(ip) === 4 && ip.split(".").slice(0, 3).join(".") === slash[1].split(".").slice(0, 3).join(".");
  }
  const ptr = lower(message.ptrHost ?? "");
  if (ptr && (ptr === infra || ptr.endsWith("." + infra))) return true;
  return (message.dkimDomains ?? []).some((d) => lower(d) === infra);
}

function actionVerdict(action: string): DmarcVerdict {
  return action === "MoveToJmf" ? DmarcVerdict.Junk : action === "Reject" ? DmarcVerdict.Reject : DmarcVerdict.Quarantine;
}

/**
 * Predict what Exchange Online does with `message` under `tenant`'s settings: block pairs first
 * (block beats allow), then allow pairs, then Microsoft's table for explicit DMARC failures
 * (honor DMARC policy x spoof intelligence) and implicit (composite authentication) failures.
 */
export function evaluateInboundDmarc(message: InboundMessage, tenant: InboundSettings): InboundVerdict {
  const verdict = decide(message, tenant);
  const si = tenant.enableSpoofIntelligence ?? INBOUND_DEFAULTS.enableSpoofIntelligence;
  const compauth = verdict.matchedPair?.list === "blocked" ? COMPAUTH.blocked : compositeAuthOf(message, verdict.spoofType, si);
  return { verdict: verdict.verdict, spoofType: verdict.spoofType, compauth, ...(verdict.matchedPair ? { matchedPair: verdict.matchedPair } : {}), reasons: verdict.reasons };
}

const COMPAUTH = {
  pass: { result: "pass", reason: "1xx", meaning: "passed authentication" },
  explicit: { result: "fail", reason: "000", meaning: "explicit failure: DMARC fails with p=quarantine or p=reject" },
  explicitIntraOrg: { result: "fail", reason: "010", meaning: "explicit failure of one of the tenant's accepted domains: DMARC fails with p=quarantine or p=reject" },
  implicit: { result: "fail", reason: "001", meaning: "implicit failure: no DMARC record, or a weak policy (p=none)" },
  implicitIntraOrg: { result: "fail", reason: "6xx", meaning: "implicit failure of one of the tenant's accepted domains" },
  blocked: { result: "fail", reason: "002", meaning: "a blocked spoofed-sender pair (the admin prohibits this pair)" },
  notChecked: { result: "none", reason: "3xx", meaning: "not checked (no DMARC record and spoof intelligence off)" },
} satisfies Record<string, CompositeAuthPrediction>;

/** compauth from the DMARC result, the sender's effective policy and the spoof type (before any pair). */
function compositeAuthOf(message: InboundMessage, spoofType: SpoofType, spoofIntelligence: boolean): CompositeAuthPrediction {
  const intra = spoofType === SpoofType.Internal;
  if (message.dmarc === DmarcOutcome.Pass) return COMPAUTH.pass;
  if (message.dmarc === DmarcOutcome.None) {
    if (!spoofIntelligence) return COMPAUTH.notChecked;
    if ((message.compositeAuthentication ?? "fail") === "pass") return COMPAUTH.pass;
    return intra ? COMPAUTH.implicitIntraOrg : COMPAUTH.implicit;
  }
  const policy = senderPolicyOf(message, []);
  if (policy === DmarcPolicy.None) return intra ? COMPAUTH.implicitIntraOrg : COMPAUTH.implicit;
  return intra ? COMPAUTH.explicitIntraOrg : COMPAUTH.explicit;
}

function decide(message: InboundMessage, tenant: InboundSettings): Omit<InboundVerdict, "compauth"> {
  const s = { ...INBOUND_DEFAULTS, ...definedOnly(tenant) };
  const fromDomain = domainOf(message.from);
  const accepted = (tenant.acceptedDomains ?? []).map(lower);
  const spoofType = accepted.includes(fromDomain) ? SpoofType.Internal : SpoofType.External;
  const reasons: string[] = [`${fromDomain} is ${spoofType === SpoofType.Internal ? "one of the tenant's accepted domains: intra-org" : "not an accepted domain: cross-org"} spoof checks apply`];

  const blocked = (tenant.blockedSpoofPairs ?? []).find((p) => spoofPairMatches(p, message, spoofType));
  if (blocked) {
    reasons.push(`blocked spoof pair ${showPair(blocked)} matches (block beats allow): the message is marked phishing`);
    reasons.push(`the anti-spam policy's phishing action ${s.phishAction} applies`);
    return { verdict: actionVerdict(s.phishAction), spoofType, matchedPair: { list: "blocked", pair: blocked }, reasons };
  }
  const allowed = (tenant.allowedSpoofPairs ?? []).find((p) => spoofPairMatches(p, message, spoofType));
  if (allowed) {
    reasons.push(`allowed spoof pair ${showPair(allowed)} matches: spoof and DMARC checks are overridden`);
    return { verdict: DmarcVerdict.Deliver, spoofType, matchedPair: { list: "allowed", pair: allowed }, reasons };
  }
  if (message.dmarc === DmarcOutcome.Pass) {
    reasons.push("DMARC passes: not spoofed");
    return { verdict: DmarcVerdict.Deliver, spoofType, reasons };
  }
  const si = s.enableSpoofIntelligence;
  const honor = s.honorDmarcPolicy;
  const cell = `(spoof intelligence ${si ? "on" : "off"}, honor DMARC policy ${honor ? "on" : "off"})`;

  if (message.dmarc === DmarcOutcome.None) {
    const implicitFail = (message.compositeAuthentication ?? "fail") === "fail";
    if (!si) {
      reasons.push(`no DMARC record and spoof intelligence off: no implicit checks ${cell}`);
      return { verdict: DmarcVerdict.Deliver, spoofType, reasons };
    }
    if (!implicitFail) {
      reasons.push("no DMARC record, but composite authentication passes");
      return { verdict: DmarcVerdict.Deliver, spoofType, reasons };
    }
    reasons.push(`no DMARC record and composite authentication fails (implicit failure, compauth reason 001): AuthenticationFailAction ${s.authenticationFailAction} ${cell}`);
    return { verdict: actionVerdict(s.authenticationFailAction), spoofType, reasons };
  }

  const policy = senderPolicyOf(message, reasons);
  if (honor) {
    if (policy === DmarcPolicy.Reject) {
      reasons.push(`DMARC fails and the sender publishes p=reject: DmarcRejectAction ${s.dmarcRejectAction} ${cell}`);
      return { verdict: actionVerdict(s.dmarcRejectAction), spoofType, reasons };
    }
    if (policy === DmarcPolicy.Quarantine) {
      reasons.push(`DMARC fails and the sender publishes p=quarantine: DmarcQuarantineAction ${s.dmarcQuarantineAction} ${cell}`);
      return { verdict: actionVerdict(s.dmarcQuarantineAction), spoofType, reasons };
    }
    reasons.push(`DMARC fails but the sender publishes p=none: no Microsoft 365 spoof action ${cell}; other filters may still act`);
    return { verdict: DmarcVerdict.Deliver, spoofType, reasons };
  }
  if (si) {
    reasons.push(`DMARC fails; honor DMARC policy is off, so the sender's p=${policy} is ignored: AuthenticationFailAction ${s.authenticationFailAction} ${cell}`);
    return { verdict: actionVerdict(s.authenticationFailAction), spoofType, reasons };
  }
  if (policy === DmarcPolicy.None) {
    reasons.push(`DMARC fails with p=none: no action ${cell}`);
    return { verdict: DmarcVerdict.Deliver, spoofType, reasons };
  }
  reasons.push(`DMARC fails with p=${policy}: quarantined ${cell}`);
  return { verdict: DmarcVerdict.Quarantine, spoofType, reasons };
}

function senderPolicyOf(message: InboundMessage, reasons: string[]): DmarcPolicy {
  if (message.senderRecord !== undefined) {
    const parsed = parseDmarcRecord(message.senderRecord);
    const record = parsed.record;
    const policy = record ? effectivePolicy(record) : undefined;
    if (record?.t === "y") reasons.push(`the sender's record is in test mode (t=y): p=${record.p} applies as p=${policy}`);
    if (parsed.tags.some((t) => t.name === "pct")) reasons.push("the sender's pct tag is ignored (historic in RFC 9989); Microsoft may still sample with it (UNVERIFIED)");
    return policy ?? DmarcPolicy.None;
  }
  return message.senderPolicy ?? DmarcPolicy.None;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
