/**
 * From aggregate reports to a decision: per domain and per source (IP + reporter), how much mail,
 * how much of it passes aligned SPF, aligned DKIM and DMARC, what the receivers did with it and
 * which overrides they applied, per day; and whether the domain may move to the next DMARC stage
 * (none -> quarantine -> reject).
 *
 * A failing source "looks legitimate" when it authenticates unaligned (SPF or DKIM pass for another
 * domain), comes through a forwarder or mailing list, or sends steadily (on at least 3 days and at
 * least 1 % of the domain's mail); the rest looks like spoofing. Spoofing is left out of the pass
 * rate (moving on is what stops it); every other failure counts against it.
 */
import type { DmarcAggregateReport } from "./dmarc-reports";

/** The DMARC rollout stages in order: none, quarantine, reject. */
export const DMARC_STAGES = ["none", "quarantine", "reject"] as const;
/** One of the {@link DMARC_STAGES}. */
export type DmarcStage = (typeof DMARC_STAGES)[number];

/** Aggregate report figures of one sending source (IP and reporter) for one domain. */
export interface DmarcSourceStats {
  ip: string;
  reporter: string;
  messages: number;
  spfAligned: number;
  dkimAligned: number;
  dmarcPass: number;
  /** Failing DMARC but SPF pass for another domain / DKIM pass for another domain. */
  spfPassUnaligned: number;
  dkimPassUnaligned: number;
  dispositions: Record<string, number>;
  overrides: Record<string, number>;
  /** Per UTC day (YYYY-MM-DD): messages and DMARC passes. */
  days: Record<string, { messages: number; pass: number }>;
  /** Domains seen in passing unaligned results (envelope domain, DKIM d= with selector). */
  spfDomains: string[];
  dkimSignatures: string[];
  /** DKIM d= domains that verified on its failing mail (for spoof pairs naming a DKIM domain). */
  dkimDomains: string[];
}

/** Aggregate report figures of one domain, per day and per source. */
export interface DmarcDomainStats {
  domain: string;
  messages: number;
  dmarcPass: number;
  days: Record<string, { messages: number; pass: number }>;
  /** The p= the latest report saw published, and RFC 9990 testing=y if any report saw it. */
  publishedPolicy?: string;
  testing: boolean;
  reporters: string[];
  sources: DmarcSourceStats[];
}

const FORWARDING_OVERRIDES = new Set(["forwarded", "mailing_list", "trusted_forwarder", "arc"]);

const day = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString().slice(0, 10);

type DomainAcc = DmarcDomainStats & { latest: number; srcMap: Map<string, SourceAcc>; repSet: Set<string> };
type SourceAcc = DmarcSourceStats & { spfSet: Set<string>; dkimSet: Set<string> };

/**
 * Sums reports one at a time, so a caller can read a large set file by file and drop each report
 * once it is added: memory grows with the distinct domains, sources and days, not with the records.
 */
export class DmarcReportSummer {
  private readonly domains = new Map<string, DomainAcc>();
  reports = 0;
  records = 0;

  /** Adds one report's records to the sums; the report itself is not kept. */
  add(report: DmarcAggregateReport): void {
    this.reports++;
    this.records += report.records.length;
    const key = report.policy.domain;
    let d = this.domains.get(key);
    if (!d) {
      d = { domain: key, messages: 0, dmarcPass: 0, days: {}, testing: false, reporters: [], sources: [], latest: -Infinity, srcMap: new Map(), repSet: new Set() };
      this.domains.set(key, d);
    }
    if (report.begin >= d.latest) {
      d.latest = report.begin;
      d.publishedPolicy = report.policy.p;
    }
    if (report.policy.testing === "y") d.testing = true;
    d.repSet.add(report.orgName);
    const when = day(report.begin);
    const dayTotal = (d.days[when] ??= { messages: 0, pass: 0 });
    for (const r of report.records) {
      const sk = `${r.sourceIp}\u0000${report.orgName}`;
      let s = d.srcMap.get(sk);
      if (!s) {
        s = { ip: r.sourceIp, reporter: report.orgName, messages: 0, spfAligned: 0, dkimAligned: 0, dmarcPass: 0, spfPassUnaligned: 0, dkimPassUnaligned: 0, dispositions: {}, overrides: {}, days: {}, spfDomains: [], dkimSignatures: [], dkimDomains: [], spfSet: new Set(), dkimSet: new Set() };
        d.srcMap.set(sk, s);
      }
      const n = r.count;
      const pass = r.spfAligned || r.dkimAligned;
      s.messages += n;
      d.messages += n;
      if (r.spfAligned) s.spfAligned += n;
      if (r.dkimAligned) s.dkimAligned += n;
      if (pass) {
        s.dmarcPass += n;
        d.dmarcPass += n;
      } else {
        const spfOk = r.spf.find((x) => x.result === "pass");
        const dkimOk = r.dkim.find((x) => x.result === "pass");
        if (spfOk) {
          s.spfPassUnaligned += n;
          if (spfOk.domain) s.spfSet.add(spfOk.domain);
        }
        if (dkimOk) {
          s.dkimPassUnaligned += n;
          if (dkimOk.domain) {
            s.dkimSet.add(dkimOk.selector ? `d=${dkimOk.domain} s=${dkimOk.selector}` : `d=${dkimOk.domain}`);
            if (!s.dkimDomains.includes(dkimOk.domain)) s.dkimDomains.push(dkimOk.domain);
          }
        }
      }
      s.dispositions[r.disposition] = (s.dispositions[r.disposition] ?? 0) + n;
      for (const o of r.overrides) s.overrides[o] = (s.overrides[o] ?? 0) + n;
      const sd = (s.days[when] ??= { messages: 0, pass: 0 });
      sd.messages += n;
      dayTotal.messages += n;
      if (pass) {
        sd.pass += n;
        dayTotal.pass += n;
      }
    }
  }

  /** The sums per domain (sorted), each domain's sources by volume. */
  result(): DmarcDomainStats[] {
    return [...this.domains.values()]
      .map(({ latest: _l, srcMap, repSet, ...d }) => ({
        ...d,
        reporters: [...repSet].sort(),
        sources: [...srcMap.values()]
          .map(({ spfSet, dkimSet, ...s }) => ({ ...s, spfDomains: [...spfSet].sort(), dkimSignatures: [...dkimSet].sort(), dkimDomains: [...s.dkimDomains].sort() }))
          .sort((a, b) => b.messages - a.messages || a.ip.localeCompare(b.ip)),
      }))
      .sort((a, b) => a.domain.localeCompare(b.domain));
  }
}

/** Sum the records of every report per domain (policy_published domain) and source. */
export function summarizeDmarcReports(reports: DmarcAggregateReport[]): DmarcDomainStats[] {
  const summer = new DmarcReportSummer();
  for (const r of reports) summer.add(r);
  return summer.result();
}

/** Thresholds for moving a domain to the next DMARC stage. */
export interface ReadinessOptions {
  /** Percentage of (non-spoofing) mail that must pass DMARC; default 99.5. */
  threshold?: number;
  /** Days with reports needed; default 14. */
  minDays?: number;
  /** Messages needed; default 1000. */
  minMessages?: number;
}

/** What a source failing DMARC looks like: a legitimate sender, a forwarder, or spoofing. */
export type FailingSourceKind = "legitimate" | "forwarder" | "spoofing";

/** A source failing DMARC, what it looks like, and how to fix it when it is legitimate. */
export interface FailingSource {
  ip: string;
  reporter: string;
  kind: FailingSourceKind;
  messages: number;
  failing: number;
  days: number;
  why: string;
  /** What to change so this source passes (legitimate sources only). */
  fix?: string;
}

/** Whether a domain may move to the next DMARC stage, and why (not). */
export interface DomainReadiness {
  domain: string;
  /** The stage now: declared by the stack, else the p= the latest report saw. */
  current?: DmarcStage;
  currentFrom: "stack" | "reports" | "unknown";
  /** The stage it would move to (undefined at reject). */
  next?: DmarcStage;
  ready: boolean;
  /** Why (not) ready, one line each. */
  reasons: string[];
  messages: number;
  days: number;
  /** DMARC pass share of the mail not from spoofing sources, in percent. */
  passRate: number;
  /** DMARC pass share of all mail, in percent. */
  rawPassRate: number;
  legitimateFailing: FailingSource[];
  forwarders: FailingSource[];
  spoofing: FailingSource[];
}

const pct = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 100000) / 1000);

function fixFor(domain: string, s: DmarcSourceStats): string {
  const ipMech = s.ip.includes(":") ? `ip6:${s.ip}` : `ip4:${s.ip}`;
  if (s.dkimPassUnaligned > 0 && s.dkimSignatures.length) {
    return `sign with DKIM as d=${domain} (today it signs ${s.dkimSignatures.join(", ")}): publish the provider's DKIM selector under ${domain} and turn on custom-domain signing`;
  }
  if (s.spfPassUnaligned > 0 && s.spfDomains.length) {
    return `its envelope sender is ${s.spfDomains.join(", ")}: use a bounce (MAIL FROM) domain under ${domain} and add ${ipMech} (or the provider's include:) to the SPF of that domain, or sign with DKIM as d=${domain}`;
  }
  return `add ${ipMech} (or the provider's include:) to the SPF record of ${domain} and sign its mail with DKIM as d=${domain}`;
}

function classify(domain: string, s: DmarcSourceStats, domainMessages: number): FailingSource | undefined {
  const failing = s.messages - s.dmarcPass;
  if (failing <= 0) return undefined;
  const days = Object.keys(s.days).length;
  const base = { ip: s.ip, reporter: s.reporter, messages: s.messages, failing, days };
  const forwarded = Object.entries(s.overrides).filter(([o]) => FORWARDING_OVERRIDES.has(o)).reduce((a, [, n]) => a + n, 0);
  if (forwarded * 2 >= failing) {
    return { ...base, kind: "forwarder", why: `the receiver reported ${Object.keys(s.overrides).filter((o) => FORWARDING_OVERRIDES.has(o)).join(", ")} for ${forwarded} of ${failing} failing messages` };
  }
  if (s.dkimPassUnaligned * 2 >= failing) return { ...base, kind: "legitimate", why: `DKIM passes for another domain (${s.dkimSignatures.join(", ") || "unknown"})`, fix: fixFor(domain, s) };
  if (s.spfPassUnaligned * 2 >= failing) return { ...base, kind: "legitimate", why: `SPF passes for another domain (${s.spfDomains.join(", ") || "unknown"})`, fix: fixFor(domain, s) };
  if (days >= 3 && s.messages * 100 >= domainMessages) {
    return { ...base, kind: "legitimate", why: `steady volume (${s.messages} messages on ${days} days) though nothing authenticates`, fix: fixFor(domain, s) };
  }
  return { ...base, kind: "spoofing", why: `neither SPF nor DKIM passes for any domain${days < 3 ? `, seen on ${days} day${days === 1 ? "" : "s"}` : ""}` };
}

const stageOf = (p: string | undefined): DmarcStage | undefined => (DMARC_STAGES as readonly string[]).includes(p ?? "") ? (p as DmarcStage) : undefined;

/** Whether a domain may move to its next stage, from its summed reports. */
export function dmarcReadiness(stats: DmarcDomainStats, options: ReadinessOptions = {}, declaredStage?: DmarcStage): DomainReadiness {
  const threshold = options.threshold ?? 99.5;
  const minDays = options.minDays ?? 14;
  const minMessages = options.minMessages ?? 1000;
  const current = declaredStage ?? stageOf(stats.publishedPolicy);
  const currentFrom = declaredStage ? "stack" : current ? "reports" : "unknown";
  const next = current === undefined ? undefined : DMARC_STAGES[DMARC_STAGES.indexOf(current) + 1];
  const failing = stats.sources.map((s) => classify(stats.domain, s, stats.messages)).filter((f): f is FailingSource => f !== undefined);
  const spoofing = failing.filter((f) => f.kind === "spoofing");
  const spoofed = spoofing.reduce((a, f) => a + f.failing, 0);
  const passRate = pct(stats.dmarcPass, stats.messages - spoofed);
  const days = Object.keys(stats.days).length;
  const reasons: string[] = [];
  let ready = true;
  if (current === undefined) {
    ready = false;
    reasons.push("the current stage is unknown (no p= in the reports and no --stack)");
  } else if (next === undefined) {
    ready = false;
    reasons.push("already at reject: there is no further stage");
  }
  if (days < minDays) {
    ready = false;
    reasons.push(`reports cover ${days} day${days === 1 ? "" : "s"}; at least ${minDays} needed`);
  }
  if (stats.messages < minMessages) {
    ready = false;
    reasons.push(`reports count ${stats.messages} messages; at least ${minMessages} needed`);
  }
  if (passRate < threshold) {
    ready = false;
    reasons.push(`${passRate} % of the mail not from spoofing sources passes DMARC; at least ${threshold} % needed`);
  } else {
    reasons.push(`${passRate} % of the mail not from spoofing sources passes DMARC (threshold ${threshold} %)`);
  }
  if (stats.testing) reasons.push("a report saw testing=y (RFC 9990): receivers applied a lower policy than published");
  return {
    domain: stats.domain,
    current,
    currentFrom,
    next,
    ready,
    reasons,
    messages: stats.messages,
    days,
    passRate,
    rawPassRate: pct(stats.dmarcPass, stats.messages),
    legitimateFailing: failing.filter((f) => f.kind === "legitimate").sort((a, b) => b.failing - a.failing),
    forwarders: failing.filter((f) => f.kind === "forwarder").sort((a, b) => b.failing - a.failing),
    spoofing: spoofing.sort((a, b) => b.failing - a.failing),
  };
}

/** `<domain> ready-for <stage>`: undefined when it holds, else the reason it does not. */
export function checkReadinessAssertion(readiness: DomainReadiness, target: DmarcStage): string | undefined {
  const { domain, current, next } = readiness;
  if (current !== undefined && DMARC_STAGES.indexOf(target) <= DMARC_STAGES.indexOf(current)) return undefined;
  if (next !== target) return `${domain} is at ${current ?? "an unknown stage"}; the next stage is ${next ?? "none"}, not ${target} (stages move one at a time: none -> quarantine -> reject)`;
  if (!readiness.ready) return `${domain} is not ready for ${target}: ${readiness.reasons.filter((r) => !r.includes("(threshold")).join("; ")}`;
  return undefined;
}
