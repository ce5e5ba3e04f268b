import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli, spawnCli } from "../helpers/cli";
import { dmarcReadiness, predictDomainSources, readDmarcReportFile, summarizeDmarcReports } from "../../components/email";
import { renderDmarcReport } from "../../cli/report/dmarc-report";
import { generateReports, typicalSources } from "../helpers/dmarc-report-generator";

const FIXTURES = path.join(__dirname, "../fixtures/dmarc-reports");
const all = fs.readdirSync(FIXTURES).map((f) => path.join(FIXTURES, f));
const good = all.filter((f) => !/broken|not-utf8/.test(f));

function writeReports(domain: string, opts: Parameters<typeof generateReports>[0]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dmarc-report-"));
  return generateReports({ ...opts, domain }).map((r) => {
    const file = path.join(dir, r.name);
    fs.writeFileSync(file, r.xml);
    return file;
  });
}

describe("tenant-guardrails dmarc report", () => {
  it("reads every readable file, names each refused one on stderr, and exits 1", async () => {
    const r = await runCli(["dmarc", "report", ...all, "--min-days", "2", "--min-messages", "100"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("4 reports read from 6 files, 2 refused");
    expect(r.stderr).toContain(`error: DMARC report ${path.join(FIXTURES, "broken-unclosed.xml")}: not well-formed XML (line 8, column 1`);
    expect(r.stderr).toContain(`error: DMARC report ${path.join(FIXTURES, "not-utf8.xml")}: not valid UTF-8. Fix: re-export the report as UTF-8 XML`);
    expect(r.stdout).toContain("contoso.com: at quarantine (from the reports); NOT READY for reject");
    expect(r.stdout).toContain("    198.2.180.12 via google.com: 40 of 40 failing on 1 day (DKIM passes for another domain (d=mcsv.net s=k2))\n      fix: sign with DKIM as d=contoso.com");
    expect(r.stdout).toContain("    52.100.9.14 via Enterprise Outlook: 6 of 6 failing on 1 day (the receiver reported forwarded");
    expect(r.stdout).toContain("  Sources that look like spoofing (1):\n    185.220.101.34 via google.com: 3 of 3 failing");
    expect(r.stdout).toContain("fabrikam.com: at none (from the reports); NOT READY for quarantine");
    expect(r.stdout).toContain("  - a report saw testing=y (RFC 9990)");
  });

  it("--assert exits 1 with the reason when the domain is not ready, 0 when it is", async () => {
    const no = await runCli(["dmarc", "report", ...good, "--min-days", "2", "--min-messages", "100", "--assert", "contoso.com ready-for reject"]);
    expect(no.code).toBe(1);
    expect(no.stderr).toBe("assertion failed: contoso.com is not ready for reject: 97.188 % of the mail not from spoofing sources passes DMARC; at least 99.5 % needed\n");
    const files = writeReports("contoso.com", { domain: "contoso.com", days: 15 });
    const yes = await runCli(["dmarc", "report", ...files, "--assert", "contoso.com ready-for quarantine", "--json", "--summary"]);
    expect(yes.code).toBe(0);
    const doc = JSON.parse(yes.stdout);
    expect(doc).toMatchObject({ ok: true, errors: [], assertions: [{ assertion: "contoso.com ready-for quarantine", holds: true }] });
    expect(doc.readiness[0]).toMatchObject({ domain: "contoso.com", current: "none", next: "quarantine", ready: true, days: 15 });
    const skip = await runCli(["dmarc", "report", ...files, "--assert", "contoso.com ready-for reject"]);
    expect(skip.code).toBe(1);
    expect(skip.stderr).toContain("contoso.com is at none; the next stage is quarantine, not reject");
    const threshold = await runCli(["dmarc", "report", ...files, "--threshold", "100", "--assert", "contoso.com ready-for quarantine"]);
    expect(threshold.code).toBe(1);
    expect(threshold.stderr).toMatch(/% of the mail not from spoofing sources passes DMARC; at least 100 % needed/);
  });

  it("refuses a malformed --assert or --threshold as a usage error (exit 2)", async () => {
    const r = await runCli(["dmarc", "report", ...good, "--assert", "contoso.com reject"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--assert "contoso.com reject": write "<domain> ready-for <quarantine|reject>"');
    const t = await runCli(["dmarc", "report", ...good, "--threshold", "120"]);
    expect(t.code).toBe(2);
    expect(t.stderr).toContain('--threshold must be a number from 0 to 100, not "120"');
  });

  it("--stack takes the declared domains and their stage from the stack (a real process)", () => {
    const sources = [...typicalSources("dev.contoso.com"), { ip: "203.0.113.80", volume: 30, spfAligned: false, dkimAligned: false, presence: 1 }];
    const files = [...writeReports("dev.contoso.com", { domain: "dev.contoso.com", days: 14, sources }), ...writeReports("other.example", { domain: "other.example", days: 1 })];
    const r = spawnCli(["dmarc", "report", ...files, "--stack", "dev", "--assert", "dev.contoso.com ready-for quarantine"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("dev.contoso.com: at none (stack dev); NOT READY for quarantine");
    expect(r.stdout).toContain("fix: add ip4:203.0.113.80 (or the provider's include:) to the SPF record of dev.contoso.com");
    expect(r.stdout).toContain('Reports for domains stack "dev" does not declare: other.example');
    expect(r.stderr).toContain("assertion failed: dev.contoso.com is not ready for quarantine");
  });
});

describe("dmarc report: what the tenant's own Exchange Online does with each source", () => {
  it("prints and returns the predicted action and compauth per source, now and at the next stage (defaults: the reported domains are the tenant's)", async () => {
    const text = await runCli(["dmarc", "report", ...good, "--min-days", "2", "--min-messages", "100"]);
    expect(text.stdout).toContain("  Exchange Online of this tenant for mail from contoso.com (an accepted domain: intra-org), at p=quarantine -> at p=reject:\n    messages: deliver 2800, junk 0, quarantine 84, reject 0 -> deliver 2800, junk 0, quarantine 0, reject 84");
    expect(text.stdout).toContain("    198.2.180.12 via google.com (legitimate): 40 failing: QUARANTINE (compauth=fail reason=010) -> REJECT (compauth=fail reason=010)");
    expect(text.stdout).toContain("    52.100.9.14 via Enterprise Outlook (forwarder): 6 failing: QUARANTINE (compauth=fail reason=010) -> REJECT");
    expect(text.stdout).toContain("  - not in the reports: the source's PTR host name (no DNS lookup is made)");
    const json = JSON.parse((await runCli(["dmarc", "report", ...good, "--json"])).stdout);
    // The existing contract is unchanged; the prediction is a new field.
    expect(Object.keys(json)).toEqual(["ok", "source", "options", "reports", "records", "errors", "readiness", "undeclaredDomains", "assertions", "domains", "exchangeOnline"]);
    const contoso = json.exchangeOnline.domains.find((d: { domain: string }) => d.domain === "contoso.com");
    expect(contoso).toMatchObject({ policy: "quarantine", nextPolicy: "reject", spoofType: "Internal", messages: { deliver: 2800, quarantine: 84 } });
    expect(contoso.sources[0]).toMatchObject({ ip: "198.2.180.12", reporter: "google.com", kind: "legitimate", failing: 40, verdict: "quarantine", compauth: { result: "fail", reason: "010" }, atNextStage: { policy: "reject", verdict: "reject" } });
    const fabrikam = json.exchangeOnline.domains.find((d: { domain: string }) => d.domain === "fabrikam.com");
    expect(fabrikam.sources[0]).toMatchObject({ ip: "203.0.113.25", verdict: "deliver", compauth: { reason: "6xx" }, atNextStage: { policy: "quarantine", verdict: "quarantine" } });
  });

  it("--settings: the tenant's spoof pairs and actions decide (an allowed /24 delivers, DmarcRejectAction Quarantine, cross-org codes)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dmarc-settings-"));
    const settings = path.join(dir, "inbound.json");
    fs.writeFileSync(settings, JSON.stringify({ dmarcRejectAction: "Quarantine", dmarcQuarantineAction: "MoveToJmf", allowedSpoofPairs: [{ spoofedUser: "contoso.com", sendingInfrastructure: "52.100.9.0/24" }] }));
    const r = await runCli(["dmarc", "report", ...good, "--settings", settings]);
    expect(r.stdout).toContain("contoso.com (cross-org), at p=quarantine -> at p=reject:");
    expect(r.stdout).toContain("    198.2.180.12 via google.com (legitimate): 40 failing: JUNK (compauth=fail reason=000) -> QUARANTINE (compauth=fail reason=000)");
    expect(r.stdout).toContain("    52.100.9.14 via Enterprise Outlook (forwarder): 6 failing: DELIVER (compauth=fail reason=000) -> DELIVER (compauth=fail reason=000) [allowed pair contoso.com via 52.100.9.0/24]");
    expect(r.stdout).toContain(`  - inbound settings (anti-phishing policy, spoof pairs, accepted domains): the file ${settings}`);
  });
});

describe("dmarc report --html", () => {
  it("writes the charts' data, the prediction and the provenance, and escapes a hostile reporter name", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dmarc-html-"));
    const hostile = path.join(dir, "hostile.xml");
    const xml = fs.readFileSync(path.join(FIXTURES, "fabrikam.com-rfc9990.xml"), "utf8").replace(/<org_name>[^<]*<\/org_name>/, "<org_name>&lt;img src=x onerror=alert(1)&gt;</org_name>");
    fs.writeFileSync(hostile, xml);
    const files = writeReports("contoso.com", { domain: "contoso.com", days: 3 });
    const html = path.join(dir, "report.html");
    const r = await runCli(["dmarc", "report", ...files, hostile, "--html", html]);
    expect(r.stderr).toContain(`writing ${html}`);
    const page = fs.readFileSync(html, "utf8");
    expect(page).not.toContain("<img src=x");
    expect(page).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(page).not.toMatch(/<script|src="http|href="http/);
    // Pass rate per day: one bar per day with its rate; volume per source: one bar per source.
    expect(page).toContain('data-chart="pass-rate-per-day"');
    expect(page).toMatch(/data-day="2026-10-01" data-pass-rate="\d+(\.\d+)?" data-messages="\d+"/);
    expect(page.match(/data-day="/g)).toHaveLength(3 + 1);
    expect(page).toContain('data-chart="volume-per-source"');
    expect(page).toMatch(/<g data-source="40\.107\.22\.57 via google\.com" data-messages="\d+" data-pass="\d+">/);
    expect(page).toContain("Exchange Online of this tenant: mail from contoso.com that fails DMARC");
    expect(page).toContain("About this report");
    expect(page).toContain("Aggregate report</dt>");
  });

  it("draws the daily pass rate without spoofing sources, as the threshold counts it", async () => {
    const passing = typicalSources("contoso.com").filter((x) => x.spfAligned || x.dkimAligned);
    const files = writeReports("contoso.com", { domain: "contoso.com", days: 2, sources: passing.map((x) => ({ ...x, presence: 1 })), spoofersPerReport: 30 });
    const html = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dmarc-html-")), "r.html");
    await runCli(["dmarc", "report", ...files, "--html", html]);
    const page = fs.readFileSync(html, "utf8");
    expect(page.match(/data-pass-rate="[^"]*"/g)).toEqual(['data-pass-rate="100"', 'data-pass-rate="100"']);
  });

  it("stays small for a large run: spoofing sources are one row, partner rows are capped", async () => {
    const sources = [...typicalSources("contoso.com"), { ip: "203.0.113.80", volume: 30, spfAligned: false, dkimAligned: false, spfDomain: "crm.example", presence: 1 }].map((x) => ({ ...x, presence: 1 }));
    const files = writeReports("contoso.com", { domain: "contoso.com", days: 2, reporters: 1, sources, spoofersPerReport: 700 });
    const html = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dmarc-html-")), "big.html");
    await runCli(["dmarc", "report", ...files, "--html", html]);
    const page = fs.readFileSync(html, "utf8");
    expect(page).toMatch(/<td><span class="na">1,\d{3} sources<\/span><\/td><td><span class="na">various<\/span><\/td><td>spoofing<\/td>/);
    expect(page).toContain("other sources</text>");
    expect(page.length).toBeLessThan(100_000);
    const stats = summarizeDmarcReports(await Promise.all(files.map(async (f) => (await readDmarcReportFile(f, fs.readFileSync(f)))[0])));
    const readiness = stats.map((d) => dmarcReadiness(d));
    const domains = stats.map((d, i) => predictDomainSources(d, readiness[i], {}));
    // Two partner sources fail in these reports (the mailing list, the CRM's unaligned SPF): a limit of 1 caps them.
    const capped = renderDmarcReport({ files: 2, reports: 2, records: 0, errors: [], options: { threshold: 99.5, minDays: 14, minMessages: 1000 }, readiness, stats, exchangeOnline: { settings: "defaults", assumptions: [], domains }, assertions: [], detailLimit: 1 });
    expect(capped).toContain("Showing the first 1 of 2 partner sources; 1 not shown");
  });
});
