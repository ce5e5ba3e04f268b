import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli, spawnCli } from "../helpers/cli";

const PROD_BREAK_GLASS = "0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b02";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tg-coverage-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A Graph export (v1.0 shape) of a tenant whose block policy uses the De Morgan trap in exclude mode. */
function writeBrokenExport(): string {
  const file = path.join(tmp, "broken.json");
  const policy = (displayName: string, conditions: Record<string, unknown>) => ({
    displayName,
    state: "enabled",
    conditions: {
      applications: { includeApplications: ["Office365"] },
      users: { includeUsers: ["All"], excludeGroups: [PROD_BREAK_GLASS] },
      clientAppTypes: ["all"],
      ...conditions,
    },
    grantControls: { operator: "OR", builtInControls: ["block"] },
  });
  fs.writeFileSync(
    file,
    JSON.stringify({
      value: [
        policy("Block untrusted devices", { devices: { deviceFilter: { mode: "exclude", rule: 'device.trustType -ne "AzureAD" -or device.trustType -ne "ServerAD"' } } }),
        policy("Block other platforms", { platforms: { includePlatforms: ["all"], excludePlatforms: ["windows"] } }),
      ],
    }),
  );
  return file;
}

describe("tenant-guardrails coverage (a real process on the built CLI)", () => {
  it("prod: the decision table, and the CI assertions pass (exit 0)", () => {
    const r = spawnCli(["coverage", "--stack", "prod", "--assert", "not-trusted => block for any-user, app:Office365", "--assert", `group:${PROD_BREAK_GLASS} never block`]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // The break-glass group and accounts the policies exclude are classes of their own.
    expect(r.stdout).toContain("9 device classes (5 blocked, 0 granted with controls, 4 allowed; 4 with no policy");
    expect(r.stdout).toContain("  user: 5d2a7e3c-1f4b-4c8e-9a0d-3b6f2e1c7a10 | 8e4b1c9d-2a6f-4d3e-b7c8-1f0a9e2d6b21 | any other user\n");
    expect(r.stdout).toMatch(
      /C1 {2}allow {2}registered; member of group 0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b02; user: any other user\n\s+applying: none\n\s+witness: \{\}\n\s+sign-in: \{"user":\{"kind":"member","groups":\["0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b02"\],"roles":\[\]\}\}/,
    );
    expect(r.stdout).toMatch(/C5 {2}allow {2}registered; user: 5d2a7e3c-1f4b-4c8e-9a0d-3b6f2e1c7a10 \| 8e4b1c9d-2a6f-4d3e-b7c8-1f0a9e2d6b21\n\s+or registered; trustType: "AzureAD" \| "ServerAD"; platform: windows; not in group/);
    expect(r.stdout).toContain("PASS  not-trusted => block for any-user, app:Office365  (4 class(es) checked)");
    expect(r.stdout).toContain(`PASS  group:${PROD_BREAK_GLASS} never block  (2 class(es) checked)`);
  });

  it("without a user subject the excluded accounts count: not-trusted => block fails on prod, naming the break-glass sign-in", () => {
    const r = spawnCli(["coverage", "--stack", "prod", "--assert", "not-trusted => block"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAIL  not-trusted => block  (2 failing of 6 checked)");
    expect(r.stdout).toContain('witness: {"trustType":"Workplace"}\n          sign-in: {"user":{"id":"8e4b1c9d-2a6f-4d3e-b7c8-1f0a9e2d6b21","kind":"member","groups":[],"roles":[]}}');
  });

  it("--for narrows the sign-in: platform, client app and user kind (guests), with the same table", () => {
    const r = spawnCli(["coverage", "--stack", "prod", "--for", "platform=windows,clientApp=browser,user=guest", "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.scope).toBe("every policy's users and apps, only sign-ins with platform=windows, clientApp=browser, user=guest");
    expect(doc.counts).toEqual({ classes: 4, block: 2, grant: 0, allow: 2, unknown: 0, noPolicy: 2, blockIfReportOnlyEnforced: 2, unknownIfReportOnlyEnforced: 0 });
    for (const c of doc.classes) {
      expect(c.signIn.clientApp).toBe("browser");
      expect(c.signIn.user.kind).not.toBe("member");
      expect(c.description.join("; ")).toContain("platform: windows");
    }
    expect(doc.classes.map((c: { witness: unknown; outcome: string }) => [c.witness, c.outcome])).toEqual([
      [{ operatingSystem: "Windows" }, "allow"], // joined, or a break-glass account: no policy
      [{ trustType: "Workplace", operatingSystem: "Windows" }, "block"],
      [{ unregistered: true, operatingSystem: "Windows" }, "allow"], // a break-glass account
      [{ unregistered: true, operatingSystem: "Windows" }, "block"],
    ]);
  });

  it("exit 1 when an assertion fails, printing the witness device that breaks it", () => {
    const r = spawnCli(["coverage", "--stack", "dev", "--assert", "not-trusted => block for any-user"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAIL  not-trusted => block for any-user  (4 failing of 4 checked)");
    expect(r.stdout).toContain('witness: {"trustType":"Workplace","operatingSystem":"Windows"}');
    expect(r.stdout).toContain("witness: null");
  });

  it("--policies: finds the class that slips through a broken tenant export, in a stable JSON document", () => {
    const r = spawnCli(["coverage", "--policies", writeBrokenExport(), "--assert", "not-trusted => block for any-user", "--assert", "every class has-policy", "--json"]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(["ok", "scope", "policies", "attributes", "counts", "classes", "assertions", "source", "importErrors"]);
    expect(doc.ok).toBe(false);
    expect(doc.importErrors).toEqual([]);
    expect(doc.policies.map((p: { name: string; state: string }) => [p.name, p.state])).toEqual([
      ["Block untrusted devices", "enabled"],
      ["Block other platforms", "enabled"],
    ]);
    expect(doc.counts.classes).toBe(doc.classes.length);
    // The fields of before, then the witness sign-in (the policies exclude a group: users are a dimension).
    for (const c of doc.classes) expect(Object.keys(c)).toEqual(["id", "registered", "description", "witness", "applying", "outcome", "controls", "outcomeIfReportOnlyEnforced", "regions", "signIn"]);
    const [notTrusted, hasPolicy] = doc.assertions;
    expect(notTrusted.ok).toBe(false);
    expect(notTrusted.failures.map((f: { witness: unknown; outcome: string }) => [f.witness, f.outcome])).toEqual([
      [{ trustType: "Workplace", operatingSystem: "Windows" }, "allow"],
      [{ unregistered: true, operatingSystem: "Windows" }, "allow"],
    ]);
    expect(hasPolicy.ok).toBe(false);
  });

  it("--html writes a self-contained page with the class x policy matrix", () => {
    const file = path.join(tmp, "prod.html");
    const r = spawnCli(["coverage", "--stack", "prod", "--html", file, "--assert", "every class has-policy for any-user"]);
    expect(r.code).toBe(1);
    const html = fs.readFileSync(file, "utf8");
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|<link|src=|@import|https?:\/\//); // no external assets
    expect(html).toContain("block devices not AzureAD or ServerAD joined");
    // Row C2: joined Windows devices, no policy applies, outcome allow.
    const c2 = html.split("\n").find((l) => l.startsWith('<tr id="C2">'))!;
    expect(c2).toContain("trustType: &quot;AzureAD&quot; | &quot;ServerAD&quot;; platform: windows");
    expect(c2).not.toContain('class="applies"');
    expect(c2).toContain('<td class="allow">allow</td>');
    expect(c2).toContain('<small>sign-in</small> <code class="sign-in">{&quot;user&quot;:{&quot;kind&quot;:&quot;member&quot;,&quot;groups&quot;:[],&quot;roles&quot;:[]}}</code>');
    const c7 = html.split("\n").find((l) => l.startsWith('<tr id="C7">'))!;
    expect(c7.match(/<td class="applies">applies<\/td>/g)).toHaveLength(2);
    expect(c7).toContain('<td class="block">block</td>');
    expect(html).toContain('<td class="fail">FAIL (6 checked)</td>');
    expect(html).toContain('<a href="#C2">C2</a>');
  });

  it("--for analyses one sign-in: no policy covers the break-glass group, so no device is blocked for it", () => {
    const r = spawnCli(["coverage", "--stack", "prod", "--for", `group:${PROD_BREAK_GLASS}, app:Office365`, "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.scope).toBe(`group:${PROD_BREAK_GLASS}, app:Office365`);
    expect(doc.policies).toEqual([]);
    expect(doc.counts).toEqual({ classes: 2, block: 0, grant: 0, allow: 2, unknown: 0, noPolicy: 2, blockIfReportOnlyEnforced: 0, unknownIfReportOnlyEnforced: 0 });
    expect(doc.classes.map((c: { witness: unknown }) => c.witness)).toEqual([{}, null]);
  });

  it("--for another app: the Office 365 policies do not cover it, every device gets in", () => {
    const r = spawnCli(["coverage", "--stack", "prod", "--for", "app:00000003-0000-0000-c000-000000000000", "--assert", "not-trusted => block"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAIL  not-trusted => block");
  });

  it.each([
    [["coverage"], /either --stack <name> or --policies/],
    [["coverage", "--stack", "prod", "--policies", "x.json"], /either --stack <name> or --policies/],
    [["coverage", "--stack", "prod", "--assert", "not-trusted => blocked"], /--assert: "blocked" is not an outcome/],
    [["coverage", "--stack", "prod", "--assert", "trust:Hybrid => block"], /not a trust type/],
    [["coverage", "--stack", "prod", "--for", "team:x"], /--for: "team:x" is not a subject/],
    [["coverage", "--stack", "prod", "--for", "clientApp=imap"], /--for: "imap" is not a client app type: expected one of browser, mobileAppsAndDesktopClients, exchangeActiveSync, other/],
    [["coverage", "--stack", "prod", "--for", "device=kiosk"], /--for: "device" is not a sign-in dimension: expected one of platform, clientApp, user, member-of, holds-role, location/],
    [["coverage", "--policies", "/nonexistent/export.json"], /cannot read/],
  ])("exit 2 on a usage error: %j", async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe("tenant-guardrails coverage --policies with a policy that cannot be imported", () => {
  it("reports it, analyses the others, and exits 1", async () => {
    const file = path.join(tmp, "partly-invalid.json");
    const base = { state: "enabled", conditions: { applications: { includeApplications: ["All"] }, users: { includeUsers: ["All"], excludeGroups: [PROD_BREAK_GLASS] }, clientAppTypes: ["all"] }, grantControls: { operator: "OR", builtInControls: ["block"] } };
    fs.writeFileSync(
      file,
      JSON.stringify([
        { ...base, displayName: "bad rule", conditions: { ...base.conditions, devices: { deviceFilter: { mode: "include", rule: 'device.trustType -in ["Workplace"]' } } } },
        { ...base, displayName: "good rule", conditions: { ...base.conditions, devices: { deviceFilter: { mode: "include", rule: 'device.trustType -eq "Workplace"' } } } },
      ]),
    );
    const r = await runCli(["coverage", "--policies", file, "--json"]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.importErrors).toHaveLength(1);
    expect(doc.importErrors[0].policy).toBe("bad rule");
    expect(doc.policies.map((p: { name: string }) => p.name)).toEqual(["good rule"]);
    expect(doc.classes.find((c: { outcome: string }) => c.outcome === "block").witness).toEqual({ trustType: "Workplace" });
  });
});
