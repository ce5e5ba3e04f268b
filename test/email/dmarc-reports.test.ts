import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { zipSync } from "fflate";
import { tagsNest } from "../../components/email/dmarc-reports";
import { DmarcReportError, checkReadinessAssertion, dmarcReadiness, readDmarcReportFile, summarizeDmarcReports, type DmarcAggregateReport } from "../../components/email";
import { generateReports, typicalSources } from "../helpers/dmarc-report-generator";

const FIXTURES = path.join(__dirname, "../fixtures/dmarc-reports");
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));
const read = (name: string) => readDmarcReportFile(name, fixture(name));

async function readAll(files: { name: string; xml: string }[]): Promise<DmarcAggregateReport[]> {
  const out: DmarcAggregateReport[] = [];
  for (const f of files) out.push(...(await readDmarcReportFile(f.name, Buffer.from(f.xml))));
  return out;
}

describe("reading aggregate reports as reporters send them", () => {
  it("reads a report mailed as a gzip attachment (.eml)", async () => {
    const [r] = await read("google-report.eml");
    expect(r).toMatchObject({ orgName: "google.com", format: "1.0", policy: { domain: "contoso.com", p: "quarantine", pct: 100 } });
    expect(r.file).toBe("google-report.eml!google.com!contoso.com!1759276800!1759363199.xml.gz");
    expect(r.records.map((x) => [x.sourceIp, x.count, x.spfAligned, x.dkimAligned])).toEqual([
      ["40.107.22.57", 1200, true, true],
      ["198.2.180.12", 40, false, false],
      ["185.220.101.34", 3, false, false],
    ]);
  });

  it("reads a gzip of two members (odd gzip) and the override reason", async () => {
    const [r] = await read("enterprise.protection.outlook.com!contoso.com!1759363200!1759449600.xml.gz");
    expect(r.orgName).toBe("Enterprise Outlook");
    expect(r.records[1]).toMatchObject({ sourceIp: "52.100.9.14", overrides: ["forwarded"], envelopeFrom: "fabrikam.com" });
  });

  it("reads a zip", async () => {
    const [r] = await read("yahoo.com!contoso.com!1759449600!1759535999.zip");
    expect(r.file).toBe("yahoo.com!contoso.com!1759449600!1759535999.zip!yahoo.com!contoso.com!1759449600!1759535999.xml");
    expect(r.records).toHaveLength(2);
  });

  it("reads RFC 9990 (dmarc-2.0 namespace) with np, testing and discovery_method", async () => {
    const [r] = await read("fabrikam.com-rfc9990.xml");
    expect(r.format).toBe("2.0");
    expect(r.policy).toEqual({ domain: "fabrikam.com", p: "none", sp: "none", np: "reject", pct: undefined, testing: "y", discoveryMethod: "treewalk" });
  });

  it("refuses malformed XML and non-UTF-8 with an error naming the file", async () => {
    await expect(read("broken-unclosed.xml")).rejects.toThrow(
      new DmarcReportError("broken-unclosed.xml", "not well-formed XML (line 8, column 1: Expected closing tag 'row' (opened in line 7, col 11) instead of closing tag 'feedback'.)", "ask the reporter for the report again, or remove the file"),
    );
    await expect(read("not-utf8.xml")).rejects.toThrow("DMARC report not-utf8.xml: not valid UTF-8. Fix: re-export the report as UTF-8 XML");
    await expect(readDmarcReportFile("x.xml", Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><feedback/>'))).rejects.toThrow('DMARC report x.xml: declares encoding "ISO-8859-1"');
    await expect(readDmarcReportFile("r.xml", Buffer.from("<html><body>hi</body></html>"))).rejects.toThrow("DMARC report r.xml: has no <feedback> element");
    await expect(readDmarcReportFile("r.bin", Buffer.from([0, 1, 2, 3]))).rejects.toThrow("DMARC report r.bin: is neither XML, gzip, zip nor a mail");
    const bomb = '<?xml version="1.0"?><!DOCTYPE feedback [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><feedback>&b;</feedback>';
    await expect(readDmarcReportFile("bomb.xml", Buffer.from(bomb))).rejects.toThrow("DMARC report bomb.xml: contains a DOCTYPE or ENTITY declaration");
  });

  it("refuses a report cut short or with misnested elements (the one parse does not check nesting itself)", async () => {
    const xml = fixture("fabrikam.com-rfc9990.xml").toString("utf8");
    const cut = xml.slice(0, xml.lastIndexOf("</record>"));
    await expect(readDmarcReportFile("cut.xml", Buffer.from(cut))).rejects.toThrow("DMARC report cut.xml: not well-formed XML (line");
    const swapped = xml.replace("</row>", "</rowx>").replace("<row>", "<rowx>").replace("</identifiers>", "</row>").replace("</rowx>", "</identifiers>");
    await expect(readDmarcReportFile("swapped.xml", Buffer.from(swapped))).rejects.toThrow("DMARC report swapped.xml: not well-formed XML");
  });

  it.each([
    ['<?xml version="1.0"?><a><b x="1"/><c>t</c><!-- <d> --><![CDATA[</e>]]></a>', true],
    ['<x:feedback xmlns:x="u"><x:row></x:row ></x:feedback>', true],
    ["<a><b></a></b>", false],
    ["<a></a><a></a>", false],
    ["<a><b>", false],
    ["<a><!-- never closed </a>", false],
  ])("tagsNest(%s) is %s", (xml, expected) => {
    expect(tagsNest(xml as string)).toBe(expected);
  });

  it("names the zip entry that is broken", async () => {
    const zip = zipSync({ "good.xml": new Uint8Array(fixture("fabrikam.com-rfc9990.xml")), "bad.xml": new TextEncoder().encode("<feedback><x></feedback>") });
    await expect(readDmarcReportFile("batch.zip", zip)).rejects.toThrow("DMARC report batch.zip!bad.xml: not well-formed XML");
  });

  it("reads a .xml.gz that is really plain XML, and gzip inside zip", async () => {
    const xml = fixture("fabrikam.com-rfc9990.xml");
    expect(await readDmarcReportFile("mislabelled.xml.gz", xml)).toHaveLength(1);
    const zip = zipSync({ "r.xml.gz": new Uint8Array(zlib.gzipSync(xml)) });
    expect((await readDmarcReportFile("r.zip", zip))[0].policy.domain).toBe("fabrikam.com");
  });
});

describe("readiness for the next stage", () => {
  it("a domain whose own senders all pass, over 14 days, is ready for quarantine; spoofing does not hold it back", async () => {
    const reports = await readAll(generateReports({ domain: "contoso.com", days: 14, spoofersPerReport: 20 }));
    const [stats] = summarizeDmarcReports(reports);
    const r = dmarcReadiness(stats);
    expect(r).toMatchObject({ domain: "contoso.com", current: "none", currentFrom: "reports", next: "quarantine", ready: true, days: 14 });
    expect(r.rawPassRate).toBeLessThan(99.5);
    expect(r.passRate).toBeGreaterThanOrEqual(99.5);
    expect(r.spoofing.length).toBeGreaterThan(100);
    expect(r.legitimateFailing).toEqual([]);
    expect(checkReadinessAssertion(r, "quarantine")).toBeUndefined();
    expect(checkReadinessAssertion(r, "reject")).toBe("contoso.com is at none; the next stage is quarantine, not reject (stages move one at a time: none -> quarantine -> reject)");
  });

  it("names a failing provider that signs with its own DKIM domain, with the fix", async () => {
    const sources = [...typicalSources("contoso.com"), { ip: "198.2.180.12", volume: 60, spfAligned: false, dkimAligned: false, dkimDomain: "mcsv.net", dkimSelector: "k2", spfDomain: "mcsv.net", presence: 1 }];
    const reports = await readAll(generateReports({ domain: "contoso.com", days: 20, reporters: 1, sources, policy: "quarantine" }));
    const r = dmarcReadiness(summarizeDmarcReports(reports)[0]);
    expect(r.ready).toBe(false);
    expect(r.legitimateFailing).toEqual([
      expect.objectContaining({ ip: "198.2.180.12", kind: "legitimate", days: 20, fix: "sign with DKIM as d=contoso.com (today it signs d=mcsv.net s=k2): publish the provider's DKIM selector under contoso.com and turn on custom-domain signing" }),
    ]);
    expect(checkReadinessAssertion(r, "reject")).toMatch(/^contoso.com is not ready for reject: 9\d\.\d+ % of the mail not from spoofing sources passes DMARC; at least 99.5 % needed$/);
  });

  it("a steady source that authenticates nothing is legitimate (add it to SPF), not spoofing", async () => {
    const sources = [...typicalSources("contoso.com"), { ip: "203.0.113.80", volume: 30, spfAligned: false, dkimAligned: false, presence: 1 }];
    const r = dmarcReadiness(summarizeDmarcReports(await readAll(generateReports({ domain: "contoso.com", days: 5, reporters: 1, sources })))[0], { minDays: 5 });
    expect(r.legitimateFailing.map((f) => f.fix)).toEqual(["add ip4:203.0.113.80 (or the provider's include:) to the SPF record of contoso.com and sign its mail with DKIM as d=contoso.com"]);
  });

  it("too few days or messages is not ready, whatever the pass rate", async () => {
    const r = dmarcReadiness(summarizeDmarcReports(await readAll(generateReports({ domain: "contoso.com", days: 3 })))[0]);
    expect(r.ready).toBe(false);
    expect(r.reasons).toContain("reports cover 3 days; at least 14 needed");
    const few = dmarcReadiness(summarizeDmarcReports(await readAll(generateReports({ domain: "contoso.com", days: 14 })))[0], { minMessages: 10_000_000 });
    expect(few.reasons.find((x) => x.startsWith("reports count"))).toMatch(/^reports count \d+ messages; at least 10000000 needed$/);
  });

  it("a domain at reject has no next stage; an assertion for a stage already reached holds", async () => {
    const r = dmarcReadiness(summarizeDmarcReports(await readAll(generateReports({ domain: "contoso.com", days: 14, policy: "reject" })))[0]);
    expect(r).toMatchObject({ current: "reject", next: undefined, ready: false });
    expect(checkReadinessAssertion(r, "reject")).toBeUndefined();
  });
});
