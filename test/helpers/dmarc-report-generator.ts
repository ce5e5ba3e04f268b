/**
 * Realistic DMARC aggregate reports, deterministic per seed: several reporters (Google, Microsoft,
 * Yahoo, ...) sending one report a day per domain, with the domain's own senders (Exchange Online,
 * a marketing platform that signs with its own DKIM domain, a ticketing tool sending with its own
 * envelope), forwarders and mailing lists, and a spread of spoofing IPs seen once.
 */
import { prng, pick } from "../../bench/util";

export interface GeneratedSource {
  ip: string;
  /** Messages per report (before jitter). */
  volume: number;
  /** spfAligned / dkimAligned per message; spf/dkim domains when they pass unaligned. */
  spfAligned: boolean;
  dkimAligned: boolean;
  spfDomain?: string;
  dkimDomain?: string;
  dkimSelector?: string;
  override?: string;
  /** Share of days it appears on (1 = every day). */
  presence: number;
}

export interface GeneratorOptions {
  domain: string;
  days: number;
  /** Reporters per day. */
  reporters?: number;
  sources?: GeneratedSource[];
  /** Distinct spoofing IPs per report. */
  spoofersPerReport?: number;
  /** Spoofing IPs are drawn from this many addresses (default: any of about 262,000). */
  spooferPool?: number;
  /** p= published. */
  policy?: string;
  /** Write RFC 9990 (dmarc-2.0 namespace) instead of RFC 7489. */
  rfc9990?: boolean;
  seed?: number;
  /** First day, seconds since the epoch (default 2026-10-01T00:00:00Z). */
  start?: number;
}

export const REPORTERS = ["google.com", "Enterprise Outlook", "Yahoo", "Mail.Ru", "comcast.net", "web.de", "Orange"];

/** The domain's own legitimate senders: all pass except the ones the tests want failing. */
export function typicalSources(domain: string): GeneratedSource[] {
  return [
    { ip: "40.107.22.57", volume: 400, spfAligned: true, dkimAligned: true, presence: 1 },
    { ip: "40.107.23.12", volume: 300, spfAligned: true, dkimAligned: true, presence: 1 },
    { ip: "167.89.10.4", volume: 120, spfAligned: false, dkimAligned: true, spfDomain: "sendgrid.net", presence: 1 },
    { ip: "2a01:111:f400::7", volume: 50, spfAligned: true, dkimAligned: true, presence: 1 },
    { ip: "209.85.220.41", volume: 4, spfAligned: false, dkimAligned: true, override: "forwarded", presence: 0.5 },
    { ip: `198.51.100.${domain.length}`, volume: 2, spfAligned: false, dkimAligned: false, spfDomain: "lists.example.org", override: "mailing_list", presence: 0.3 },
  ];
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function recordXml(domain: string, s: GeneratedSource, count: number, policy: string): string {
  const pass = s.spfAligned || s.dkimAligned;
  const disposition = pass || s.override ? "none" : policy;
  const reason = s.override ? `<reason><type>${s.override}</type></reason>` : "";
  const dkim = s.dkimAligned
    ? `<dkim><domain>${domain}</domain><selector>selector1</selector><result>pass</result></dkim>`
    : s.dkimDomain
      ? `<dkim><domain>${s.dkimDomain}</domain><selector>${s.dkimSelector ?? "s1"}</selector><result>pass</result></dkim>`
      : "";
  const spf = s.spfAligned
    ? `<spf><domain>${domain}</domain><result>pass</result></spf>`
    : `<spf><domain>${s.spfDomain ?? domain}</domain><result>${s.spfDomain ? "pass" : "fail"}</result></spf>`;
  return (
    `<record><row><source_ip>${s.ip}</source_ip><count>${count}</count><policy_evaluated><disposition>${disposition}</disposition>` +
    `<dkim>${s.dkimAligned ? "pass" : "fail"}</dkim><spf>${s.spfAligned ? "pass" : "fail"}</spf>${reason}</policy_evaluated></row>` +
    `<identifiers><header_from>${domain}</header_from><envelope_from>${s.spfDomain ?? domain}</envelope_from></identifiers>` +
    `<auth_results>${dkim}${spf}</auth_results></record>`
  );
}

/** One report's XML. */
export function reportXml(o: { domain: string; reporter: string; reportId: string; begin: number; policy: string; rfc9990?: boolean; records: string[] }): string {
  const ns = o.rfc9990 ? ` xmlns="urn:ietf:params:xml:ns:dmarc-2.0"` : "";
  const pp = o.rfc9990
    ? `<policy_published><domain>${o.domain}</domain><p>${o.policy}</p><sp>${o.policy}</sp><np>reject</np><adkim>r</adkim><aspf>r</aspf><testing>n</testing><discovery_method>treewalk</discovery_method></policy_published>`
    : `<policy_published><domain>${o.domain}</domain><adkim>r</adkim><aspf>r</aspf><p>${o.policy}</p><sp>${o.policy}</sp><pct>100</pct></policy_published>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<feedback${ns}>${o.rfc9990 ? "<version>1.0</version>" : ""}<report_metadata><org_name>${esc(o.reporter)}</org_name>` +
    `<email>noreply-dmarc@${o.reporter.replace(/\s+/g, "").toLowerCase()}</email><report_id>${o.reportId}</report_id>` +
    `<date_range><begin>${o.begin}</begin><end>${o.begin + 86399}</end></date_range></report_metadata>${pp}\n${o.records.join("\n")}\n</feedback>\n`
  );
}

/** Reports for one domain: `days` days times `reporters` reporters. */
export function generateReports(o: GeneratorOptions): { name: string; xml: string; records: number }[] {
  const rand = prng(o.seed ?? 7);
  const start = o.start ?? Date.UTC(2026, 9, 1) / 1000;
  const sources = o.sources ?? typicalSources(o.domain);
  const policy = o.policy ?? "none";
  const out: { name: string; xml: string; records: number }[] = [];
  for (let d = 0; d < o.days; d++) {
    const begin = start + d * 86400;
    for (const reporter of REPORTERS.slice(0, o.reporters ?? 3)) {
      const records: string[] = [];
      for (const s of sources) {
        if (rand() >= s.presence) continue;
        const count = Math.max(1, Math.round(s.volume * (0.7 + rand() * 0.6)));
        records.push(recordXml(o.domain, s, count, policy));
      }
      for (let k = 0; k < (o.spoofersPerReport ?? 2); k++) {
        const k = o.spooferPool ? Math.floor(rand() * o.spooferPool) : 0;
        const ip = o.spooferPool ? `185.${220 + (k >> 16)}.${(k >> 8) & 255}.${k & 255}` : `${pick(rand, ["185.220", "45.95", "103.77", "91.219"])}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}`;
        records.push(recordXml(o.domain, { ip, volume: 1, spfAligned: false, dkimAligned: false, presence: 1 }, 1 + Math.floor(rand() * 3), policy));
      }
      const reportId = `${o.seed ?? 7}-${d}-${reporter.length}-${Math.floor(rand() * 1e9)}`;
      out.push({ name: `${reporter.replace(/\W+/g, "_")}!${o.domain}!${begin}!${begin + 86399}.xml`, xml: reportXml({ domain: o.domain, reporter, reportId, begin, policy, rfc9990: o.rfc9990, records }), records: records.length });
    }
  }
  return out;
}
