import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli, spawnCli } from "../helpers/cli";
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
