/**
 * What the tenant's own Exchange Online does with the mail of each source in the aggregate reports:
 * mail "From" the reported domain, from that source's IP, arriving at a tenant with the given
 * anti-phishing settings and spoof pairs (`evaluateInboundDmarc`). So a team sees, before moving a
 * domain to quarantine or reject, which partners' mail its own tenant would junk, quarantine or
 * reject — at the domain's current stage and at the next one.
 *
 * The reports give the From domain, the source IP, whether SPF and DKIM passed aligned, and the
 * DKIM domains that verified; they do not give the source's PTR host name, ARC seals, or anything
 * the tenant itself holds. What is assumed for those is listed in `assumptions`.
 */
import { DmarcPolicy } from "./dmarc";
import type { DmarcDomainStats, DmarcStage, DomainReadiness, FailingSourceKind } from "./dmarc-readiness";
import {
  DmarcOutcome,
  DmarcVerdict,
  NOT_MODELLED,
  SpoofType,
  evaluateInboundDmarc,
  type CompositeAuthPrediction,
  type InboundSettings,
  type InboundVerdict,
} from "./inbound";

/** The actions Exchange Online can take on mail failing DMARC, mildest first. */
export const DMARC_VERDICTS = [DmarcVerdict.Deliver, DmarcVerdict.Junk, DmarcVerdict.Quarantine, DmarcVerdict.Reject] as const;

/** What Exchange Online does with a source's failing mail at one DMARC stage: the action and the compauth it stamps. */
export interface StagePrediction {
  policy: DmarcStage;
  verdict: InboundVerdict["verdict"];
  compauth: CompositeAuthPrediction;
}

/** The Exchange Online prediction for one reported source (IP via reporter), at the current and the next stage. */
export interface SourcePrediction {
  ip: string;
  reporter: string;
  /** How the readiness check classed the source's failing mail. */
  kind: FailingSourceKind;
  messages: number;
  /** Messages that fail DMARC: the ones the prediction is about (passing mail is delivered). */
  failing: number;
  /** At the domain's current stage. */
  verdict: InboundVerdict["verdict"];
  compauth: CompositeAuthPrediction;
  matchedPair?: InboundVerdict["matchedPair"];
  reasons: string[];
  /** Once the domain is at its next stage (absent at reject). */
  atNextStage?: StagePrediction;
}

/** The Exchange Online prediction for every failing source of one domain, with its totals per action. */
export interface DomainPrediction {
  domain: string;
  /** The p= the prediction uses (the current stage) and the next one. */
  policy: DmarcStage;
  nextPolicy?: DmarcStage;
  /** Internal: the domain is one of the tenant's accepted domains (intra-org spoofing). */
  spoofType: SpoofType;
  /** Messages per action at the current stage (DMARC-passing mail is delivered) and at the next stage. */
  messages: Record<DmarcVerdict, number>;
  messagesAtNextStage?: Record<DmarcVerdict, number>;
  /** Every source with mail failing DMARC, partners (legitimate, forwarders) first, then by failing volume. */
  sources: SourcePrediction[];
}

const zero = (): Record<DmarcVerdict, number> => ({ deliver: 0, junk: 0, quarantine: 0, reject: 0 });
const toPolicy = (stage: DmarcStage): DmarcPolicy => stage as DmarcPolicy;
const KIND_ORDER: Record<FailingSourceKind, number> = { legitimate: 0, forwarder: 1, spoofing: 2 };

/** The Exchange Online prediction for every failing source of one domain. */
export function predictDomainSources(stats: DmarcDomainStats, readiness: DomainReadiness, settings: InboundSettings): DomainPrediction {
  const policy: DmarcStage = readiness.current ?? "none";
  const next = readiness.next;
  const kinds = new Map<string, FailingSourceKind>();
  for (const f of [...readiness.legitimateFailing, ...readiness.forwarders, ...readiness.spoofing]) kinds.set(`${f.ip}\u0000${f.reporter}`, f.kind);
  const accepted = (settings.acceptedDomains ?? []).map((d) => d.toLowerCase());
  const messages = zero();
  const messagesAtNext = next ? zero() : undefined;
  const sources: SourcePrediction[] = [];
  for (const s of stats.sources) {
    messages.deliver += s.dmarcPass;
    if (messagesAtNext) messagesAtNext.deliver += s.dmarcPass;
    const failing = s.messages - s.dmarcPass;
    if (failing <= 0) continue;
    const message = { from: stats.domain, dmarc: DmarcOutcome.Fail, sourceIp: s.ip, ...(s.dkimDomains.length ? { dkimDomains: s.dkimDomains } : {}) };
    const now = evaluateInboundDmarc({ ...message, senderPolicy: toPolicy(policy) }, settings);
    messages[now.verdict] += failing;
    let atNextStage: StagePrediction | undefined;
    if (next && messagesAtNext) {
      const later = evaluateInboundDmarc({ ...message, senderPolicy: toPolicy(next) }, settings);
      messagesAtNext[later.verdict] += failing;
      atNextStage = { policy: next, verdict: later.verdict, compauth: later.compauth };
    }
    sources.push({
      ip: s.ip,
      reporter: s.reporter,
      kind: kinds.get(`${s.ip}\u0000${s.reporter}`) ?? "spoofing",
      messages: s.messages,
      failing,
      verdict: now.verdict,
      compauth: now.compauth,
      ...(now.matchedPair ? { matchedPair: now.matchedPair } : {}),
      reasons: now.reasons,
      ...(atNextStage ? { atNextStage } : {}),
    });
  }
  sources.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || b.failing - a.failing || a.ip.localeCompare(b.ip));
  return {
    domain: stats.domain,
    policy,
    ...(next ? { nextPolicy: next } : {}),
    spoofType: accepted.includes(stats.domain) ? SpoofType.Internal : SpoofType.External,
    messages,
    ...(messagesAtNext ? { messagesAtNextStage: messagesAtNext } : {}),
    sources,
  };
}

/** What the prediction assumes because aggregate reports cannot say it, and what it does not model. */
export function predictionAssumptions(settingsSource: string, policyFrom: string): string[] {
  return [
    `inbound settings (anti-phishing policy, spoof pairs, accepted domains): ${settingsSource}`,
    `the From domain's policy: ${policyFrom}; the From address is the reported domain itself, so p= applies (reports do not split mail from subdomains, for which sp= would)`,
    "known from the reports: the source IP, and the DKIM domains that verified on the failing mail (spoof pairs naming a DKIM domain or an IPv4 /24 are matched with them)",
    "not in the reports: the source's PTR host name (no DNS lookup is made), so spoof pairs naming a PTR domain do not match; a pair that would match by PTR changes the action to deliver (allow) or the phishing action (block)",
    "not in the reports: ARC seals and the tenant's trusted ARC sealers; forwarded mail is predicted without ARC (a trusted sealer gives compauth=pass reason=130 and delivers it)",
    "a source's failing mail is predicted as one kind of message (the reports give results per source and result, not per message); mail that passes DMARC is delivered",
    ...NOT_MODELLED.map((n) => `not modelled: ${n}`),
  ];
}
