/**
 * `tenant-guardrails replay`: the prod stack's declared policies against generated sign-in logs
 * (Graph pages and a Log Analytics CSV), as a user runs it: the headline, totals, assertions with
 * exit codes and witnesses, the streamed JSON document, agreement with what Entra recorded, the
 * HTML report, and the opt-in What If cross-check against a local fake Graph.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import type { AddressInfo } from "node:net";
import { runCli } from "../helpers/cli";
import { BREAK_GLASS_IDS, generateUsers, graphPages, logAnalyticsCsv, type GeneratedFacts } from "../helpers/signin-generator";

const DEVICE_POLICY = "Office 365 from corporate Windows devices: block devices not AzureAD or ServerAD joined";
const PLATFORM_POLICY = "Office 365 from corporate Windows devices: block platforms other than windows";
const O365 = new Set(["00000002-0000-0ff1-ce00-000000000000", "00000003-0000-0ff1-ce00-000000000000", "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", "4765445b-32c6-49b0-83e6-1d93765276ca"]);

/** What Entra "recorded": computed here from the generated facts, independently of the evaluator. */
function entra(f: GeneratedFacts): { displayName: string; result: string }[] {
  const inScope = O365.has(f.app.resourceId) && f.user.kind !== "breakGlass";
  const untrusted = !/joined/i.test(f.trust) || /registered/i.test(f.trust);
  const windows = f.os.toLowerCase().startsWith("windows");
  return [
    { displayName: DEVICE_POLICY, result: inScope && untrusted ? "failure" : "notApplied" },
    { displayName: PLATFORM_POLICY, result: inScope && !windows ? "failure" : "notApplied" },
  ];
}

let dir: string;
let graphFile: string;
let csvFile: string;
let groupsFile: string;
const users = generateUsers(21, 40, 5);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tg-replay-"));
  graphFile = path.join(dir, "signins.json");
  csvFile = path.join(dir, "noninteractive.csv");
  groupsFile = path.join(dir, "groups.json");
  fs.writeFileSync(graphFile, graphPages(300, 100, { seed: 21, users, applied: entra }));
  fs.writeFileSync(csvFile, logAnalyticsCsv(200, "noninteractive", { seed: 22, users }));
  fs.writeFileSync(groupsFile, JSON.stringify({ value: [{ id: "0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b02", displayName: "Break glass", members: BREAK_GLASS_IDS.map((id) => ({ id })) }] }));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("tenant-guardrails replay --stack prod", () => {
  it("prints the headline with blocked sign-ins, users and break-glass accounts, and lines for blocked sign-ins", async () => {
    const r = await runCli(["replay", "--stack", "prod", "--signins", graphFile, csvFile, "--groups", groupsFile]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Enforcing stack prod would have blocked \d+ of 500 sign-in\(s\) of \d+ user\(s\), 0 of them break-glass or service accounts/);
    expect(r.stdout).toMatch(/#\d+ 2026-10-\d\dT[\d:]+Z user\d+@contoso.com -> .*: block\n\s+Office 365 from corporate Windows devices: block devices not AzureAD or ServerAD joined \[enabled\]: block/);
    expect(r.stdout).toContain("By day:");
    expect(r.stdout).toContain("By trust type:");
  });

  it("without --groups, the excluded break-glass group leaves every sign-in undecided, and says so", async () => {
    const r = await runCli(["replay", "--stack", "prod", "--signins", graphFile, "--summary"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/not enough information for \d+ \(users \d+\)/);
    expect(r.stdout).toMatch(/would have blocked 0 of 300 sign-in\(s\).*; \d+ sign-in\(s\) had not enough information to decide/);
  });

  it("agrees with what Entra recorded for the declared policies (matched by display name)", async () => {
    const r = await runCli(["replay", "--stack", "prod", "--signins", graphFile, "--groups", groupsFile, "--summary", "--json"]);
    const doc = JSON.parse(r.stdout);
    expect(doc.summary).toBe(true);
    expect(doc.signIns).toBeUndefined();
    expect(doc.agreement.signInsCompared).toBe(300);
    expect(doc.agreement.disagree).toBe(0);
    expect(doc.agreement.ratio).toBe(1);
    expect(doc.agreement.agree).toBeGreaterThan(400);
  });

  it("reports every disagreement with Entra with the fields that decided it", async () => {
    const file = path.join(dir, "disagree.json");
    const rec = JSON.parse(graphPages(1, 1, { seed: 21, users })).value[0];
    Object.assign(rec, {
      resourceId: "00000002-0000-0ff1-ce00-000000000000",
      userId: users[0].id,
      deviceDetail: { deviceId: "", operatingSystem: "Windows 10", trustType: "" },
      appliedConditionalAccessPolicies: [{ id: "x", displayName: DEVICE_POLICY, result: "reportOnlyNotApplied" }],
    });
    fs.writeFileSync(file, JSON.stringify({ value: [rec] }));
    const r = await runCli(["replay", "--stack", "prod", "--signins", file, "--groups", groupsFile]);
    expect(r.stdout).toContain("Agreement with Entra: 0.0% (0 agree, 1 disagree, 0 undecided here) over 1 sign-in(s)");
    expect(r.stdout).toContain(`${DEVICE_POLICY}: Entra reportOnlyNotApplied, replay block (decided by all conditions matched)`);
    expect(r.stdout).toMatch(/device=unregistered/);
  });

  it("--assert: exit 1 with the failing assertion and its witness sign-ins; passing ones say ok", async () => {
    const r = await runCli([
      "replay", "--stack", "prod", "--signins", graphFile, "--groups", groupsFile, "--summary",
      "--assert", "blocked-users <= 5",
      "--assert", `user:${BREAK_GLASS_IDS[0]} never block`,
      "--assert", "unregistered => block for app:Office365",
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL blocked-users <= 5 \(value \d+\)\n\s+#\d+ .* -> .*: block by Office 365 from corporate Windows devices/);
    expect(r.stdout).toMatch(new RegExp(`ok   user:${BREAK_GLASS_IDS[0]} never block \\(\\d+ sign-in\\(s\\) checked, 0 failing\\)`));
    // Unregistered devices are blocked from Office 365, except for the break-glass accounts the policies exclude.
    expect(r.stdout).toMatch(/FAIL unregistered => block for app:Office365 \([1-9]\d* sign-in\(s\) checked, \d+ failing\)\n(\s+#\d+ [\dT:-]+Z breakglass\d@contoso.onmicrosoft.com -> Office 365 Exchange Online: allow\n)+/);
  });

  it("an undecided sign-in fails 'never block': it cannot prove it", async () => {
    const r = await runCli(["replay", "--stack", "prod", "--signins", graphFile, "--summary", "--assert", "any-user never block"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL any-user never block .*\n\s+#\d+ .*: unknown by .*not enough information in users/);
  });

  it("--json streams one sign-in per line inside one JSON document", async () => {
    const r = await runCli(["replay", "--stack", "prod", "--signins", graphFile, csvFile, "--groups", groupsFile, "--json"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("{");
    expect(lines.filter((l) => l.startsWith('{"index":')).length).toBe(500);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.signIns).toHaveLength(500);
    expect(doc.totals.signIns).toBe(500);
    expect(doc.inputs.map((i: { format: string; records: number }) => [i.format, i.records])).toEqual([["json", 300], ["csv", 200]]);
    const blocked = doc.signIns.find((s: { outcomeWithReportOnly: string }) => s.outcomeWithReportOnly === "block");
    expect(blocked.policies.some((p: { verdict: string }) => p.verdict === "block")).toBe(true);
  });

  it("--html writes bar charts of blocked sign-ins per day and per app", async () => {
    const html = path.join(dir, "replay.html");
    const r = await runCli(["replay", "--stack", "prod", "--signins", graphFile, "--groups", groupsFile, "--summary", "--html", html]);
    expect(r.code).toBe(0);
    const page = fs.readFileSync(html, "utf8");
    expect(page).toMatch(/<svg id="per-day"[^>]*>.*<rect /s);
    expect(page).toMatch(/<svg id="per-app"[^>]*>.*Office 365 Exchange Online/s);
    expect(page).toContain("Sign-in log");
  });

  it("usage errors exit 2: a missing log, a malformed assertion", async () => {
    const missing = await runCli(["replay", "--stack", "prod", "--signins", path.join(dir, "nope.json")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read sign-in log");
    const bad = await runCli(["replay", "--stack", "prod", "--signins", graphFile, "--assert", "blocked-people <= 5"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"blocked-people" is not a count: expected one of blocked-users, blocked-signins, unknown-signins, blocked-break-glass');
  });

  it("a truncated log is an error (exit 1) naming the file, never a partial replay", async () => {
    const file = path.join(dir, "truncated.json");
    const text = fs.readFileSync(graphFile, "utf8");
    fs.writeFileSync(file, text.slice(0, text.length - 100));
    const r = await runCli(["replay", "--stack", "prod", "--signins", file, "--summary"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`sign-in log ${file}: the JSON ends inside`);
  });
});

describe("replay --json fails closed", () => {
  it("a log that breaks partway still leaves ONE JSON document on stdout, ending in an error member (exit 1)", async () => {
    const file = path.join(dir, "truncated-json.json");
    const text = fs.readFileSync(graphFile, "utf8");
    fs.writeFileSync(file, text.slice(0, text.length - 100));
    const r = await runCli(["replay", "--stack", "prod", "--signins", graphFile, file, "--groups", groupsFile, "--json"]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(["source", "signIns", "ok", "error"]);
    expect(doc.ok).toBe(false);
    expect(doc.error.kind).toBe("invalid-input");
    expect(doc.error.message).toContain(`sign-in log ${file}: the JSON ends inside`);
    // The sign-ins replayed before the failure are there, but no totals that would look complete.
    expect(doc.signIns.length).toBeGreaterThanOrEqual(300);
    expect(doc.totals).toBeUndefined();
  });
});

describe("replay --online against a local fake Graph", () => {
  let server: http.Server;
  let url: string;
  const bodies: unknown[] = [];
  let calls = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        calls++;
        if (calls === 1) {
          // Throttled once: the shared client waits and retries.
          res.writeHead(429, { "Retry-After": "0", "Content-Type": "application/json" });
          res.end(JSON.stringify({ error: { code: "TooManyRequests", message: "slow down" } }));
          return;
        }
        expect(req.url).toBe("/v1.0/identity/conditionalAccess/evaluate");
        expect(req.headers.authorization).toBe("Bearer loopback-test-token");
        const parsed = JSON.parse(body);
        bodies.push(parsed);
        const unregistered = !parsed.signInConditions.deviceInfo?.trustType;
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ value: [{ id: "p1", displayName: DEVICE_POLICY, policyApplies: unregistered, analysisReasons: unregistered ? "" : "devices" }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("sends at most --online-max distinct shapes, respects throttling, and reports agreement", async () => {
    const r = await runCli(["replay", "--stack", "prod", "--signins", graphFile, "--groups", groupsFile, "--summary", "--online", "--online-max", "3", "--graph-url", url]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(bodies).toHaveLength(3);
    expect(calls).toBe(4);
    expect(bodies[0]).toMatchObject({ signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn" }, signInContext: { "@odata.type": "#microsoft.graph.applicationContext" }, appliedPoliciesOnly: false });
    expect(r.stdout).toMatch(/Entra What If \(--online\): 3 call\(s\)/);
  });

  it("an answer it cannot read (403 without the permission) stops the run with exit 1, never 'agreement'", async () => {
    const denied = http.createServer((_req, res) => {
      res.writeHead(403, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ error: { code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation." } }));
    });
    await new Promise<void>((resolve) => denied.listen(0, "127.0.0.1", resolve));
    try {
      const r = await runCli(["replay", "--stack", "prod", "--signins", graphFile, "--groups", groupsFile, "--summary", "--online", "--graph-url", `http://127.0.0.1:${(denied.address() as AddressInfo).port}`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/--online: the What If check could not finish: .*403.*Insufficient privileges/);
      expect(r.stdout).not.toContain("Entra What If");
    } finally {
      await new Promise<void>((resolve) => denied.close(() => resolve()));
    }
  });
});
