import fc from "fast-check";
import { buildExchangeScript, psQuote, type InboundSettings } from "../../components/email";

const SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b";

/**
 * Read one PowerShell single-quoted string literal at the start of `text` (PowerShell's rules: any
 * of the four single-quote characters opens/closes; two in a row stand for one). Returns the
 * decoded value and how many characters the literal spans.
 */
function readPsLiteral(text: string): { value: string; length: number } {
  if (!SINGLE_QUOTES.includes(text[0])) throw new Error("not a literal");
  let value = "";
  for (let i = 1; i < text.length; i++) {
    if (SINGLE_QUOTES.includes(text[i])) {
      if (i + 1 < text.length && SINGLE_QUOTES.includes(text[i + 1])) {
        value += text[i];
        i++;
        continue;
      }
      return { value, length: i + 1 };
    }
    value += text[i];
  }
  throw new Error("unterminated literal");
}

const settings: InboundSettings = {
  honorDmarcPolicy: true,
  dmarcRejectAction: "Reject",
  authenticationFailAction: "Quarantine",
  allowedSpoofPairs: [{ spoofedUser: "gmail.com", sendingInfrastructure: "tms.mx.com" }],
  blockedSpoofPairs: [{ spoofedUser: "fabrikam.com", sendingInfrastructure: "203.0.113.9/24", spoofType: "External" }],
};

describe("psQuote", () => {
  it("doubles every kind of single quote, so a value can never end its literal early", () => {
    expect(psQuote("it's")).toBe("'it''s'");
    expect(psQuote("a\u2019b")).toBe("'a\u2019\u2019b'");
    const hostile = "x'; Remove-Item -Recurse C:\\; '";
    const literal = readPsLiteral(psQuote(hostile) + "; Write-Output next");
    expect(literal.value).toBe(hostile);
    expect(literal.length).toBe(psQuote(hostile).length);
  });

  it("holds for any printable text (property)", () => {
    const chars = fc.constantFrom(..."ab$`(){};\"' \u2018\u2019\u201a\u201b@#".split(""));
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 40 }), (s) => {
        const quoted = psQuote(s);
        const literal = readPsLiteral(quoted + " trailing");
        expect(literal.value).toBe(s);
        expect(literal.length).toBe(quoted.length);
      }),
      { numRuns: 500 },
    );
  });

  it("refuses control characters (a newline could not be reviewed safely)", () => {
    expect(() => psQuote("a\nb")).toThrow(/control characters/);
  });
});

describe("buildExchangeScript", () => {
  const script = buildExchangeScript(settings);

  it("connects app-only with a certificate taken from the environment, so the text holds no secret", () => {
    expect(script).toContain("$connect = @{ AppId = $env:EXO_APP_ID; Organization = $env:EXO_ORGANIZATION; ShowBanner = $false }");
    expect(script).toContain("$connect.CertificateThumbprint = $env:EXO_CERTIFICATE_THUMBPRINT");
    expect(script).toContain("ConvertTo-SecureString -String $env:EXO_CERTIFICATE_PASSWORD -AsPlainText -Force");
    expect(script).toMatch(/\$ErrorActionPreference = 'Stop'/);
    expect(script).toMatch(/finally \{\n {2}Disconnect-ExchangeOnline -Confirm:\$false\n\}/);
  });

  it("reads the anti-phishing policy first and sets only the settings that differ", () => {
    const get = script.indexOf("Get-AntiPhishPolicy -Identity 'Office365 AntiPhish Default'");
    const set = script.indexOf("Set-AntiPhishPolicy -Identity $policy.Identity @changes");
    expect(get).toBeGreaterThan(0);
    expect(set).toBeGreaterThan(get);
    expect(script).toContain("if ([string]$policy.$name -ne [string]$desired[$name]) { $changes[$name] = $desired[$name] }");
    expect(script).toContain("if ($changes.Count -gt 0) {");
    expect(script).toContain("    HonorDmarcPolicy = $true\n");
    expect(script).toContain("    EnableSpoofIntelligence = $true\n");
    expect(script).toContain("    AuthenticationFailAction = 'Quarantine'\n");
    expect(script).toContain("    DmarcQuarantineAction = 'Quarantine'\n");
    expect(script).toContain("    DmarcRejectAction = 'Reject'\n");
  });

  it("adds only missing spoof pairs, fixes the action of existing ones, and checks the 1,024 limit first", () => {
    expect(script).toContain("  @{ SpoofedUser = 'gmail.com'; SendingInfrastructure = 'tms.mx.com'; SpoofType = 'External'; Action = 'Allow' },\n");
    expect(script).toContain("  @{ SpoofedUser = 'fabrikam.com'; SendingInfrastructure = '203.0.113.9/24'; SpoofType = 'External'; Action = 'Block' }\n");
    const list = script.indexOf("Get-TenantAllowBlockListSpoofItems -Identity Default");
    const limit = script.indexOf("-gt 1024) { throw");
    const add = script.indexOf("New-TenantAllowBlockListSpoofItems -Identity Default -Action $pair.Action");
    expect(list).toBeGreaterThan(0);
    expect(limit).toBeGreaterThan(list);
    expect(add).toBeGreaterThan(limit);
    expect(script).toContain("if ($null -eq $current) {");
    expect(script).toContain("Set-TenantAllowBlockListSpoofItems -Identity Default -Ids $current.Identity -Action $pair.Action");
    expect(script).not.toContain("Remove-TenantAllowBlockListSpoofItems");
  });

  it("removes undeclared pairs only when opted in", () => {
    const pruning = buildExchangeScript(settings, { removeUndeclaredSpoofPairs: true });
    expect(pruning).toContain("Remove-TenantAllowBlockListSpoofItems -Identity Default -Ids $item.Identity");
  });

  it("quotes a custom policy name and every pair value", () => {
    const s = buildExchangeScript({ allowedSpoofPairs: [{ spoofedUser: "o'brien.example", sendingInfrastructure: "tms.mx.com" }] }, { antiPhishPolicy: "Strict 'EU'" });
    expect(s).toContain("Get-AntiPhishPolicy -Identity 'Strict ''EU'''");
    expect(s).toContain("SpoofedUser = 'o''brien.example'");
  });

  it("is deterministic (no perpetual diff on the Command resource)", () => {
    expect(buildExchangeScript(settings)).toBe(script);
  });
});
