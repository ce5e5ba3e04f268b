import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { REPO_ROOT, spawnCli, tempProject } from "../../helpers/cli";
import { artifactPath, describeInBrowser, launch } from "./browser";
import { renderPlanReport } from "../../../cli/report/plan-report";
import { deviceMatrix, renderWhatifReport } from "../../../cli/report/whatif-report";
import { evaluateInventory, type PlainConditionalAccessPolicy } from "../../../components";
import type { DeclaredResource } from "../../../cli/engine";

const HOSTILE = `<img src=x onerror="document.title='pwned'">&"'`;


describe("HTML renderers (pure)", () => {
  it("escape config text: a display name with markup is text, never HTML", () => {
    const resource: DeclaredResource = {
      urn: "urn:pulumi:dev::tenant-guardrails::tenant-guardrails:index:CorporateDeviceAccess::corporate-devices",
      type: "tenant-guardrails:index:CorporateDeviceAccess",
      name: "corporate-devices",
      parent: "",
      custom: false,
      inputs: { displayName: HOSTILE, state: "reportOnly" },
      plainInputs: { displayName: HOSTILE, state: "reportOnly" },
    };
    const html = renderPlanReport({ stack: "dev", resources: [resource], outputs: { note: HOSTILE }, findings: [{ policy: "p", enforcementLevel: "advisory", urn: resource.urn, message: HOSTILE }] });
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;img src=x onerror=&quot;document.title=&#39;pwned&#39;&quot;&gt;&amp;&quot;&#39;");
    expect(html).not.toMatch(/<script|<link|src="http|href="http/i);
  });

  it("the whatif page never renders a policy name or device label as HTML", () => {
    const policy: PlainConditionalAccessPolicy = {
      displayName: HOSTILE,
      state: "enabled",
      conditions: { applications: { includedApplications: ["All"] }, users: { includedUsers: ["All"] }, clientAppTypes: ["all"] },
      grantControls: { builtInControls: ["block"], operator: "OR" },
    } as PlainConditionalAccessPolicy;
    const devices = [{ displayName: HOSTILE, trustType: "AzureAd", operatingSystem: "Windows" }];
    const html = renderWhatifReport({ stack: "x", inventory: HOSTILE, matrix: deviceMatrix([policy], devices), report: evaluateInventory([policy], devices) });
    expect(html).not.toContain("<img");
  });

  it("counts inventory devices per kind; unknown trust types are counted apart", () => {
    const m = deviceMatrix([], [null, null, { unregistered: true, operatingSystem: "Android" }, { trustType: "serverad", operatingSystem: "Windows" }, { operatingSystem: "Windows" }]);
    const count = (registered: boolean, trustType: string, platform: string) =>
      m.rows.find((r) => r.kind.registered === registered && r.kind.trustType === trustType && r.kind.platform === platform)!.devices;
    expect(count(false, "", "unknown")).toBe(2);
    expect(count(false, "", "android")).toBe(1);
    expect(count(true, "ServerAD", "windows")).toBe(1);
    expect(m.unclassified).toBe(1);
    expect(m.rows).toHaveLength(4 * 6);
  });
});

describeInBrowser("HTML reports in headless Chromium", () => {
  let browser: Browser;
  let page: Page;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "tg-report-"));

  beforeAll(async () => {
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** Text of the matrix cell for a device kind and a column header (prefix match). */
  async function matrixCell(registration: string, trust: string, platform: string, column: string): Promise<string> {
    const headers = await page.locator("#matrix thead th").allTextContents();
    const index = headers.findIndex((h) => h.startsWith(column));
    for (const row of await page.locator("#matrix tbody tr").all()) {
      const cells = await row.locator("td").allTextContents();
      if (cells[0] === registration && cells[1].includes(trust) && cells[2] === platform) return index < 0 ? "(no such column)" : cells[index];
    }
    return "(no such row)";
  }

  it("whatif --html (prod): device kinds x policies with outcomes and inventory counts", async () => {
    const file = path.join(out, "whatif-prod.html");
    const r = spawnCli(["whatif", "--stack", "prod", "--devices", path.join(REPO_ROOT, "examples/devices.json"), "--html", file]);
    expect(r.code).toBe(0);
    await page.goto(`file://${file}`);
    expect(await page.title()).toBe("What-if prod");
    const untrusted = "Office 365 from corporate Windows devices: block devices not";
    const platforms = "Office 365 from corporate Windows devices: block platforms";
    // Hybrid-joined Windows: neither policy applies, allowed; the inventory has one.
    expect(await matrixCell("registered", "ServerAD", "windows", untrusted)).toBe("not applied");
    expect(await matrixCell("registered", "ServerAD", "windows", "Outcome")).toBe("allow");
    expect(await matrixCell("registered", "ServerAD", "windows", "Devices")).toBe("1");
    // A registered (Workplace) iPhone: both policies block it.
    expect(await matrixCell("registered", "Workplace", "iOS", untrusted)).toBe("block");
    expect(await matrixCell("registered", "Workplace", "iOS", platforms)).toBe("block");
    expect(await matrixCell("registered", "Workplace", "iOS", "Devices")).toBe("1");
    // Entra-joined Mac: trusted join, wrong platform.
    expect(await matrixCell("registered", "AzureAD", "macOS", untrusted)).toBe("not applied");
    expect(await matrixCell("registered", "AzureAD", "macOS", "Outcome")).toBe("block");
    // Unregistered devices: the include filter with -ne selects them.
    expect(await matrixCell("unregistered", "none", "unknown", untrusted)).toBe("block");
    expect(await matrixCell("unregistered", "none", "unknown", "Devices")).toBe("1");
    expect(await page.locator("#devices tbody tr").count()).toBe(8);
    const shot = artifactPath("whatif-prod.png");
    await page.screenshot({ path: shot, fullPage: true });
    expect(fs.statSync(shot).size).toBeGreaterThan(10_000);
    console.log(`screenshot: ${shot}`);
  }, 60_000);

  it("whatif --html (dev): report-only policies are shown as not enforced", async () => {
    const file = path.join(out, "whatif-dev.html");
    expect(spawnCli(["whatif", "--stack", "dev", "--devices", path.join(REPO_ROOT, "examples/devices.csv"), "--html", file]).code).toBe(0);
    await page.goto(`file://${file}`);
    expect(await matrixCell("registered", "Workplace", "iOS", "DEV Office 365 from corporate Windows devices: block devices not")).toBe("report-only: block");
    expect(await matrixCell("registered", "Workplace", "iOS", "Outcome")).toBe("allow report-only would: block");
  }, 60_000);

  it("coverage --html (prod): summary cards with the counts of coverage --json, then assertions and the decision table", async () => {
    const file = path.join(out, "coverage-prod.html");
    const assertion = "every class has-policy";
    const r = spawnCli(["coverage", "--stack", "prod", "--assert", assertion, "--html", file]);
    const json = JSON.parse(spawnCli(["coverage", "--stack", "prod", "--assert", assertion, "--json"]).stdout) as {
      counts: Record<string, number>;
      assertions: { ok: boolean }[];
      classes: unknown[];
    };
    expect(r.code).toBe(json.assertions.every((a) => a.ok) ? 0 : 1);
    await page.goto(`file://${file}`);
    const card = async (id: string) => Number(await page.locator(`#${id}`).textContent());
    expect(await card("classes-count")).toBe(json.counts.classes);
    expect(await card("block-count")).toBe(json.counts.block);
    expect(await card("allow-count")).toBe(json.counts.allow);
    expect(await card("no-policy-count")).toBe(json.counts.noPolicy);
    expect(await card("failing-assertions-count")).toBe(json.assertions.filter((a) => !a.ok).length);
    expect(await page.locator(".summary div").first().textContent()).toBe(`${json.counts.classes}device classes`);
    expect(await page.locator("#classes tr[id]").count()).toBe(json.classes.length);
    expect(await page.locator("#provenance dt").first().textContent()).toBe("Generated");
    const shot = artifactPath("coverage-prod.png");
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);
  }, 60_000);

  it("plan --html (prod): components, choices per system, resources, no findings", async () => {
    const file = path.join(out, "plan-prod.html");
    const r = spawnCli(["plan", "--stack", "prod", "--html", file]);
    expect(r.code).toBe(0);
    await page.goto(`file://${file}`);
    expect(await page.locator("h1").textContent()).toBe("Plan of stack prod");
    expect(await page.locator("#mandatory-count").textContent()).toBe("0");
    const headlines = await page.locator(".headline").allTextContents();
    expect(headlines).toEqual(
      expect.arrayContaining([
        "Enforced: Office365 only from ServerAD or AzureAD devices on windows",
        "Qualys BYOL for 3 machine(s)",
        "FIPS mode then FIPS-compatible BitLocker for 1 device group(s)",
        "DMARC p=reject for 2 domain(s), 1 parked; inbound DMARC handling in Exchange Online",
      ]),
    );
    const ca = page.locator('section[data-component="CorporateDeviceAccess"]');
    expect(await ca.locator("dt", { hasText: /^Policy state$/ }).locator("xpath=following-sibling::dd[1]").textContent()).toBe("enabled");
    const defender = page.locator('section[data-component="VulnerabilityAssessment"]');
    expect(await defender.locator('dt[data-key="provider"]').locator("xpath=following-sibling::dd[1]").textContent()).toBe("qualysByol");
    // The Qualys license stays masked in the page.
    expect(await defender.locator('dt[data-key="qualysByol.licenseCode"]').locator("xpath=following-sibling::dd[1]").textContent()).toBe("[secret]");
    expect(await page.locator("#resources tbody tr", { hasText: "windows-fips-bitlocker" }).count()).toBe(1);
    const shot = artifactPath("plan-prod.png");
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);
  }, 60_000);

  it("plan --html with mandatory findings: listed first, exit 1, and config text escaped", async () => {
    const dir = tempProject(
      "prod",
      [
        "config:",
        "  tenant-guardrails:conditionalAccess:",
        `    displayNamePrefix: '${HOSTILE.replace(/'/g, "''")}'`,
        "    state: reportOnly",
        "    applications: [Office365]",
        "    emergencyAccess:",
        '      groupIds: ["0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b02"]',
        "",
      ].join("\n"),
    );
    const file = path.join(out, "plan-findings.html");
    const r = spawnCli(["plan", "--stack", "prod", "--html", file], { cwd: dir });
    expect(r.stderr).not.toContain("internal error");
    expect(r.code).toBe(1);
    await page.goto(`file://${file}`);
    expect(await page.title()).toBe("Plan prod");
    expect(await page.locator("img").count()).toBe(0);
    const row = page.locator("#findings tbody tr").first();
    expect(await row.locator("td").nth(0).textContent()).toBe("mandatory");
    expect(await row.locator("td").nth(1).textContent()).toBe("corporate-device-policy-enforced-in-prod");
    expect(await row.locator("td").nth(2).textContent()).toBe("corporate-devices-untrusted-devices");
    expect(await row.locator("td").nth(3).textContent()).toContain(HOSTILE);
    const shot = artifactPath("plan-findings.png");
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);
  }, 60_000);
});
