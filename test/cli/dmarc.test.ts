import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli, spawnCli } from "../helpers/cli";

describe("tenant-guardrails dmarc check", () => {
  it("prints the effective values of a valid record and exits 0", async () => {
    const r = await runCli(["dmarc", "check", "v=DMARC1; p=reject; rua=mailto:d@contoso.com"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("valid DMARC record (RFC9989)");
    expect(r.stdout).toContain("  np=reject\n");
    expect(r.stdout).not.toContain("Findings:");
  });

  it("exits 1 and explains an invalid record", async () => {
    const r = await runCli(["dmarc", "check", "v=DMARC1; p=reject rua=mailto:d@contoso.com"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("invalid DMARC record (RFC9989)");
    expect(r.stdout).toContain("error: p=reject rua=mailto:d@contoso.com is not valid: it must be one of none, quarantine, reject (a ';' seems to be missing before the next tag)");
  });

  it("flags RFC 7489-only tags as deprecated but keeps the record valid; --spec RFC7489 validates them", async () => {
    const r = await runCli(["dmarc", "check", "v=DMARC1; p=none; pct=500; rua=mailto:d@contoso.com", "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ ok: true, spec: "RFC9989", valid: true, tags: { p: "none" } });
    expect(doc.findings).toEqual([expect.objectContaining({ severity: "warning", code: "deprecated-tag", tag: "pct", source: "RFC9989" })]);
    const legacy = await runCli(["dmarc", "check", "v=DMARC1; p=none; pct=500; rua=mailto:d@contoso.com", "--spec", "rfc7489", "--json"]);
    expect(legacy.code).toBe(1);
    expect(JSON.parse(legacy.stdout).findings[0].message).toBe("pct=500 is not valid: it must be an integer from 0 to 100");
  });

  it("joins a record pasted as dig prints it (several quoted strings)", async () => {
    const r = await runCli(["dmarc", "check", '"v=DMARC1; p=re" "ject; rua=mailto:d@contoso.com"', "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ record: "v=DMARC1; p=reject; rua=mailto:d@contoso.com", tags: { p: "reject" } });
  });

  it("says when the text is not a DMARC record at all", async () => {
    const r = await runCli(["dmarc", "check", "v=spf1 -all"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^not a DMARC record/);
  });

  it("exits 1 on a duplicate tag, naming it and the occurrence it reads", async () => {
    const r = await runCli(["dmarc", "check", "v=DMARC1; p=none; p=reject; rua=mailto:d@example.org"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("invalid DMARC record (RFC9989)");
    expect(r.stdout).toContain("  p=reject\n");
    expect(r.stdout).toContain("error: The tag p appears more than once (p=none, then p=reject);");
    expect(r.stdout).toContain("Keep a single p tag [p] (RFC9989)");
  });

  it("reads an RFC 7489 record without p but with rua as p=none", async () => {
    const r = await runCli(["dmarc", "check", "--spec", "RFC7489", "--json", "v=DMARC1; rua=mailto:d@example.org"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).tags).toMatchObject({ p: "none", sp: "none", np: "none" });
  });

  it("exits 2 on usage errors", async () => {
    expect((await runCli(["dmarc", "check"])).code).toBe(2);
    const bad = await runCli(["dmarc", "check", "v=DMARC1; p=none", "--spec", "RFC1234"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--spec must be RFC9989 or RFC7489");
  });
});

describe("tenant-guardrails dmarc whatif --settings", () => {
  let dir: string;
  let settingsFile: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tg-dmarc-"));
    settingsFile = path.join(dir, "inbound.json");
    fs.writeFileSync(settingsFile, JSON.stringify({ dmarcRejectAction: "Quarantine", blockedSpoofPairs: [{ spoofedUser: "fabrikam.com", sendingInfrastructure: "203.0.113.1/24" }] }));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("predicts the verdict with the reasons", async () => {
    const r = await runCli(["dmarc", "whatif", "--from", "ceo@fabrikam.com", "--dmarc", "fail", "--policy", "reject", "--settings", settingsFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("DmarcVerdict: QUARANTINE (cross-org)\nComposite authentication: compauth=fail reason=000 (explicit failure: DMARC fails with p=quarantine or p=reject)");
    expect(r.stdout).toContain("DmarcRejectAction Quarantine");
  });

  it("applies a blocked pair matched by /24, in JSON", async () => {
    const r = await runCli(["dmarc", "whatif", "--from", "ceo@fabrikam.com", "--dmarc", "pass", "--ip", "203.0.113.77", "--settings", settingsFile, "--json"]);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ ok: true, verdict: "quarantine", matchedPair: { list: "blocked" }, source: { settings: settingsFile } });
    expect(doc.notModelled.length).toBeGreaterThan(0);
  });

  it("exits 1 when --expect does not hold, or the message description is invalid", async () => {
    const r = await runCli(["dmarc", "whatif", "--from", "ceo@fabrikam.com", "--dmarc", "fail", "--policy", "reject", "--settings", settingsFile, "--expect", "reject"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("expected reject, predicted quarantine");
    const missing = await runCli(["dmarc", "whatif", "--from", "ceo@fabrikam.com", "--dmarc", "fail", "--settings", settingsFile]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("--policy \"\": a DMARC failure needs the sender's policy");
  });

  it("does not predict REJECT for a sender record whose invalid sp or np makes it p=none", async () => {
    const defaults = path.join(dir, "defaults.json");
    fs.writeFileSync(defaults, "{}"); // Microsoft's defaults: DmarcRejectAction Reject
    const valid = await runCli(["dmarc", "whatif", "--from", "ceo@fabrikam.com", "--dmarc", "fail", "--record", "v=DMARC1; p=reject; rua=mailto:d@fabrikam.com", "--settings", defaults]);
    expect(valid.stdout).toContain("DmarcVerdict: REJECT (cross-org)");
    for (const record of ["v=DMARC1; p=reject; sp=invalid; rua=mailto:d@fabrikam.com", "v=DMARC1; p=reject; np=invalid; rua=mailto:d@fabrikam.com"]) {
      const r = await runCli(["dmarc", "whatif", "--from", "ceo@fabrikam.com", "--dmarc", "fail", "--record", record, "--settings", defaults]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("DmarcVerdict: DELIVER (cross-org)");
      expect(r.stdout).toContain("DMARC fails but the sender publishes p=none");
    }
  });

  it("exits 1 on invalid settings and 2 without a source", async () => {
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, JSON.stringify({ allowedSpoofPairs: [{ spoofedUser: "gmail.com", sendingInfrastructure: "*" }] }));
    const r = await runCli(["dmarc", "whatif", "--from", "a@gmail.com", "--dmarc", "pass", "--settings", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("allowWildcardSpoofPairs");
    expect((await runCli(["dmarc", "whatif", "--from", "a@gmail.com", "--dmarc", "pass"])).code).toBe(2);
  });
});

describe("tenant-guardrails dmarc whatif --stack (a real process on the built CLI)", () => {
  it("prod lets the example pair through and nothing broader", () => {
    const allowed = spawnCli(["dmarc", "whatif", "--stack", "prod", "--from", "alice@gmail.com", "--dmarc", "fail", "--policy", "reject", "--ptr", "out1.tms.mx.com", "--expect", "deliver"]);
    expect(allowed.stderr).toBe("");
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain("allowed spoof pair gmail.com via tms.mx.com (External) matches");
    const otherInfra = spawnCli(["dmarc", "whatif", "--stack", "prod", "--from", "alice@gmail.com", "--dmarc", "fail", "--policy", "reject", "--ptr", "mail.elsewhere.example", "--json"]);
    expect(JSON.parse(otherInfra.stdout)).toMatchObject({ verdict: "reject", source: { stack: "prod" } });
    const otherDomain = spawnCli(["dmarc", "whatif", "--stack", "prod", "--from", "bob@fabrikam.com", "--dmarc", "fail", "--policy", "reject", "--ptr", "out1.tms.mx.com", "--json"]);
    expect(JSON.parse(otherDomain.stdout).verdict).toBe("reject");
  });

  it("treats the stack's own domains as intra-org", () => {
    const r = spawnCli(["dmarc", "whatif", "--stack", "prod", "--from", "ceo@contoso.com", "--dmarc", "none", "--json"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ spoofType: "Internal", verdict: "quarantine" });
  });
});
