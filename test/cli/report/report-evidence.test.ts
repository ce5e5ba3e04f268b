/**
 * What a security lead files as evidence: every HTML report says when, by which version, from
 * which commit, stack and config (with hashes) it was made; plan input keys carry human labels;
 * huge runs give a capped page with a note on how to narrow; whatif/coverage --summary and
 * --progress. Assertions parse the HTML text (no browser needed).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT, runCli } from "../../helpers/cli";
import { renderPlanReport } from "../../../cli/report/plan-report";
import { deviceMatrix, renderWhatifReport } from "../../../cli/report/whatif-report";
import { collectProvenance } from "../../../cli/report/provenance";
import { inputLabel } from "../../../cli/report/labels";
import { coverageHtml, evaluateInventory, type CoverageDocument, type PlainConditionalAccessPolicy } from "../../../components";
import type { DeclaredResource } from "../../../cli/engine";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tg-evidence-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");
function headCommit(): string | undefined {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

/** The "About this report" block as term -> definition text (tags stripped, entities decoded). */
function provenanceOf(html: string): Record<string, string> {
  const section = /<section id="provenance">([\s\S]*?)<\/section>/.exec(html);
  if (!section) throw new Error("no provenance section in the page");
  const out: Record<string, string> = {};
  for (const m of section[1].matchAll(/<dt>(.*?)<\/dt><dd>(.*?)<\/dd>/g)) {
    const plain = (s: string) => s.replace(/<[^>]+>/g, "").replace(/&amp;/g, "&").replace(/&#39;/g, "'").replace(/&quot;/g, '"');
    out[plain(m[1])] = plain(m[2]);
  }
  return out;
}

function expectCommonProvenance(p: Record<string, string>, before: number): void {
  expect(p.Generated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  expect(Date.parse(p.Generated)).toBeGreaterThanOrEqual(before - 1000);
  expect(Date.parse(p.Generated)).toBeLessThanOrEqual(Date.now());
  expect(p.Tool).toBe(`tenant-guardrails ${VERSION}`);
  const commit = headCommit();
  if (commit) expect(p["Git commit"]).toBe(commit);
  else expect(p["Git commit"]).toBeUndefined();
}

describe("every HTML report carries its provenance", () => {
  it("plan --html: time, version, commit, stack, the stack config and the policy pack config with their sha256", async () => {
    const file = path.join(tmp, "plan.html");
    const before = Date.now();
    const r = await runCli(["plan", "--stack", "prod", "--html", file]);
    expect(r.code).toBe(0);
    const p = provenanceOf(fs.readFileSync(file, "utf8"));
    expectCommonProvenance(p, before);
    expect(p.Stack).toBe("prod");
    expect(p["Stack config"]).toBe(`stacks/Pulumi.prod.yaml · sha256 ${sha256(path.join(REPO_ROOT, "stacks/Pulumi.prod.yaml"))}`);
    expect(p["Policy pack config"]).toBe(`policies/policy-config.json · sha256 ${sha256(path.join(REPO_ROOT, "policies/policy-config.json"))}`);
  });

  it("plan --html --policy-config <file>: the file given is the one named and hashed", async () => {
    const config = path.join(tmp, "strict.json");
    fs.writeFileSync(config, JSON.stringify({ all: "mandatory" }));
    const file = path.join(tmp, "plan-strict.html");
    await runCli(["plan", "--stack", "prod", "--policy-config", config, "--html", file]);
    const p = provenanceOf(fs.readFileSync(file, "utf8"));
    expect(p["Policy pack config"]).toBe(`${config} · sha256 ${sha256(config)}`);
  });

  it("whatif --html: the stack config and the device inventory, hashed", async () => {
    const file = path.join(tmp, "whatif.html");
    const before = Date.now();
    const r = await runCli(["whatif", "--stack", "prod", "--devices", path.join(REPO_ROOT, "examples/devices.json"), "--html", file]);
    expect(r.code).toBe(0);
    const p = provenanceOf(fs.readFileSync(file, "utf8"));
    expectCommonProvenance(p, before);
    expect(p.Stack).toBe("prod");
    expect(p["Stack config"]).toContain(sha256(path.join(REPO_ROOT, "stacks/Pulumi.prod.yaml")));
    expect(p["Device inventory"]).toBe(`examples/devices.json · sha256 ${sha256(path.join(REPO_ROOT, "examples/devices.json"))}`);
  });

  it("coverage --html --policies: each Graph export, hashed; no stack", async () => {
    const exportFile = path.join(REPO_ROOT, "test/fixtures/conditional-access/baseline-and-admins.json");
    const file = path.join(tmp, "coverage.html");
    const before = Date.now();
    const r = await runCli(["coverage", "--policies", exportFile, "--html", file]);
    expect([0, 1]).toContain(r.code);
    const html = fs.readFileSync(file, "utf8");
    const p = provenanceOf(html);
    expectCommonProvenance(p, before);
    expect(p.Stack).toBeUndefined();
    expect(p["Graph export"]).toBe(`test/fixtures/conditional-access/baseline-and-admins.json · sha256 ${sha256(exportFile)}`);
    // The one HTML module: the shared stylesheet and page frame (CSP), not a copy of its own.
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    expect(html).toContain(`<meta name="generator" content="tenant-guardrails ${VERSION}">`);
  });

  it("outside a git repository the commit is left out, and a missing config file is said to be missing", () => {
    const p = collectProvenance({ stack: "x", projectDir: tmp, files: [{ role: "Policy pack config", path: path.join(tmp, "none.json") }], now: new Date("2026-01-02T03:04:05Z") });
    expect(p.commit).toBeUndefined();
    expect(p.generatedAt).toBe("2026-01-02T03:04:05.000Z");
    const html = renderPlanReport({ stack: "x", resources: [], outputs: {}, findings: [], provenance: p });
    const shown = provenanceOf(html);
    expect(shown["Git commit"]).toBeUndefined();
    expect(shown["Policy pack config"]).toBe(`${path.join(tmp, "none.json")} · not read (file missing): defaults used`);
  });
});

describe("plan report: human labels for input keys", () => {
  const component = (inputs: Record<string, unknown>): DeclaredResource => ({
    urn: "urn:pulumi:dev::p::tenant-guardrails:index:EmailAuthentication::mail",
    type: "tenant-guardrails:index:EmailAuthentication",
    name: "mail",
    parent: "",
    custom: false,
    inputs,
    plainInputs: inputs,
  });

  it("known keys get a label (items numbered from 1), the raw key stays in the title; unknown keys are shown as is", () => {
    const html = renderPlanReport({
      stack: "dev",
      resources: [component({ dmarcPolicy: "reject", domains: [{ domain: "a.example" }, { domain: "b.example", dkim: { format: "cname" } }], someNewKnob: 3 })],
      outputs: {},
      findings: [],
    });
    expect(html).toContain(`<dt title="domains[1].dkim.format" data-key="domains[1].dkim.format">Domain 2: DKIM record format</dt>`);
    expect(html).toContain(`<dt title="domains[0].domain" data-key="domains[0].domain">Domain 1: name</dt>`);
    expect(html).toContain(`<dt title="dmarcPolicy" data-key="dmarcPolicy">DMARC policy (p=)</dt>`);
    expect(html).toContain(`<dt data-key="someNewKnob">someNewKnob</dt>`);
  });

  it("the label table answers for nested array keys and nothing else", () => {
    expect(inputLabel("inbound.allowedSpoofPairs[2].spoofedUser")).toBe("Inbound: allowed spoof pair 3: spoofed sender");
    expect(inputLabel("domains.dkim.format")).toBeUndefined();
  });
});

describe("huge runs: a summary page with the detail capped and a note on how to narrow", () => {
  const block: PlainConditionalAccessPolicy = {
    displayName: "block workplace",
    state: "enabled",
    conditions: {
      applications: { includedApplications: ["All"] },
      users: { includedUsers: ["All"] },
      clientAppTypes: ["all"],
      devices: { filter: { mode: "include", rule: 'device.trustType -eq "Workplace"' } },
    },
    grantControls: { builtInControls: ["block"], operator: "OR" },
  } as PlainConditionalAccessPolicy;

  it("whatif over 200,000 devices: 1,000 device rows, totals for all, a note naming --json and a smaller inventory", () => {
    const devices = Array.from({ length: 200_000 }, (_, i) => ({ displayName: `dev-${i}`, trustType: i % 2 ? "AzureAD" : "Workplace", operatingSystem: "Windows" }));
    const report = evaluateInventory([block], devices);
    const html = renderWhatifReport({ stack: "big", inventory: "all.json", matrix: deviceMatrix([block], devices), report });
    const deviceTable = /<table id="devices">([\s\S]*?)<\/table>/.exec(html)![1];
    expect(deviceTable.match(/<tr>/g)!.length - 1).toBe(1000); // minus the header row
    expect(html).toContain("<b>200000</b>devices in the inventory");
    expect(html).toContain('<p class="capped" data-capped="199000">Showing the first 1000 of 200000 devices; 199000 not shown');
    expect(html).toMatch(/whatif --json.*smaller inventory/);
    expect(html.length).toBeLessThan(1_000_000);
  });

  it("coverage over 18,000 classes: 1,000 class rows, counts for all, a note naming --for", () => {
    const row = (i: number) => ({
      id: `C${i + 1}`,
      registered: true,
      description: [`trustType: "T${i}"`],
      witness: { trustType: `T${i}` },
      applying: ["p"],
      outcome: "block" as const,
      controls: [],
      outcomeIfReportOnlyEnforced: "block" as const,
      regions: [{ description: [`trustType: "T${i}"`], witness: { trustType: `T${i}` } }],
    });
    const doc: CoverageDocument = {
      ok: true,
      scope: "every policy's users and apps",
      policies: [{ name: "p", state: "enabled", classesApplied: 18_000 }],
      attributes: [],
      counts: { classes: 18_000, block: 18_000, grant: 0, allow: 0, unknown: 0, noPolicy: 0, blockIfReportOnlyEnforced: 18_000, unknownIfReportOnlyEnforced: 0 },
      classes: Array.from({ length: 18_000 }, (_, i) => row(i)),
      assertions: [],
    };
    const html = coverageHtml(doc, "big");
    expect(html.match(/<tr id="C\d+">/g)).toHaveLength(1000);
    expect(html).toContain('<tr id="C1000">');
    expect(html).not.toContain('<tr id="C1001">');
    expect(html).toContain('<b id="classes-count">18000</b>device classes');
    expect(html).toContain("Showing the first 1000 of 18000 device classes; 17000 not shown");
    expect(html).toContain("--for &#39;&lt;subjects&gt;&#39;");
  });

  it("a run within the limit has no note", () => {
    const devices = [{ displayName: "one", trustType: "AzureAD", operatingSystem: "Windows" }];
    const html = renderWhatifReport({ stack: "s", inventory: "i", matrix: deviceMatrix([block], devices), report: evaluateInventory([block], devices) });
    expect(html).not.toContain('class="capped"');
  });
});

describe("--summary and --progress", () => {
  const devices = path.join(REPO_ROOT, "examples/devices.json");

  it("whatif --summary prints the policies and totals, no line per device", async () => {
    const full = await runCli(["whatif", "--stack", "prod", "--devices", devices]);
    const r = await runCli(["whatif", "--stack", "prod", "--devices", devices, "--summary"]);
    expect(r.code).toBe(0);
    expect(full.stdout).toContain("Devices:");
    expect(r.stdout).not.toContain("Devices:");
    expect(r.stdout).not.toContain("applying:");
    const totals = full.stdout.split("\n").find((l) => l.startsWith("Totals:"))!;
    expect(r.stdout.trim().split("\n").pop()).toBe(totals);
  });

  it("whatif --summary --json: every field but the devices list, marked summary", async () => {
    const full = JSON.parse((await runCli(["whatif", "--stack", "prod", "--devices", devices, "--json"])).stdout);
    const summary = JSON.parse((await runCli(["whatif", "--stack", "prod", "--devices", devices, "--json", "--summary"])).stdout);
    expect(full.summary).toBeUndefined();
    expect(summary.summary).toBe(true);
    expect(summary.devices).toBeUndefined();
    const { devices: _d, ...rest } = full;
    expect({ ...summary, summary: undefined }).toEqual({ ...rest, summary: undefined });
  });

  it("coverage --summary: counts, policies and assertions, no class lines; --json drops only classes", async () => {
    const r = await runCli(["coverage", "--stack", "prod", "--summary", "--assert", "every class has-policy"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Coverage of 2 policies/);
    expect(r.stdout).toContain("FAIL  every class has-policy");
    expect(r.stdout).not.toContain("Classes:");
    expect(r.stdout).not.toMatch(/^ {2}C1 /m);
    const full = JSON.parse((await runCli(["coverage", "--stack", "prod", "--json"])).stdout);
    const summary = JSON.parse((await runCli(["coverage", "--stack", "prod", "--json", "--summary"])).stdout);
    expect(summary.classes).toBeUndefined();
    const { classes: _c, ...rest } = full;
    expect({ ...summary, summary: undefined }).toEqual({ ...rest, summary: undefined });
  });

  it("no progress lines unless asked (stderr is no terminal here); --progress prints them on stderr only", async () => {
    const quiet = await runCli(["whatif", "--stack", "prod", "--devices", devices, "--json"]);
    expect(quiet.stderr).toBe("");
    const loud = await runCli(["whatif", "--stack", "prod", "--devices", devices, "--json", "--progress"]);
    expect(loud.stderr).toMatch(/^progress: reading device inventory .*devices\.json \(\d+\.\d s\)$/m);
    expect(loud.stderr).toMatch(/^progress: evaluated 8 device\(s\)/m);
    expect(JSON.parse(loud.stdout)).toEqual(JSON.parse(quiet.stdout));
    const cov = await runCli(["coverage", "--stack", "prod", "--progress", "--summary"]);
    // Six device classes, and the break-glass accounts prod excludes (users are a dimension): seven.
    expect(cov.stderr).toMatch(/^progress: 7 device class\(es\)/m);
  });
});
