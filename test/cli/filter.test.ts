import { runCli, spawnCli } from "../helpers/cli";

const SCENARIO = 'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"';

describe("tenant-guardrails filter check (in-process)", () => {
  it("prints the canonical rule and exits 0 for a valid rule", async () => {
    const r = await runCli(["filter", "check", 'device.TrustType ne "azuread" and device.trustType NE "ServerAd"']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(SCENARIO + "\n");
    expect(r.stderr).toBe("");
  });

  it("prints the error with a caret under the faulty token and exits 1", async () => {
    const rule = 'device.trustType -in ["AzureAD", "ServerAD"]';
    const r = await runCli(["filter", "check", rule]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const lines = r.stderr.split("\n");
    expect(lines[0]).toContain("position 17");
    expect(lines[0]).toContain("only -eq/-ne");
    expect(lines[0]).toContain("combine values with -or");
    expect(lines[1]).toBe("  " + rule);
    expect(lines[2]).toBe("  " + " ".repeat(17) + "^~~");
  });

  it("--json gives { ok, canonical } for a valid rule", async () => {
    const r = await runCli(["filter", "check", "--json", "device.isCompliant -eq \"true\""]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, canonical: "device.isCompliant -eq True", warnings: [] });
  });

  it("--json gives the error's position, token, expected and fix for an invalid rule", async () => {
    const r = await runCli(["filter", "check", 'device.deviceTrustType -eq "ServerAD"', "--json"]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.error).toMatchObject({
      code: "dynamic-group-property",
      position: 0,
      token: "device.deviceTrustType",
      fix: "write device.trustType",
    });
    expect(doc.error.expected).toBe("a Conditional Access device property");
    expect(doc.error.message).toContain("dynamic-group spelling");
  });

  it("reports warnings on stderr while still exiting 0", async () => {
    const r = await runCli(["filter", "check", 'device.displayName -startsWith " CORP- "']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('device.displayName -startsWith "CORP-"\n');
    expect(r.stderr).toContain("warning: leading/trailing spaces removed");
    expect(r.stderr).toContain("warning: the rule tests only properties the device's user can change");
  });

  it("exits 2 when the rule argument is missing", async () => {
    const r = await runCli(["filter", "check"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required argument 'rule'");
  });
});

describe("tenant-guardrails filter check (a real process on the built CLI)", () => {
  it("valid rule: canonical form on stdout, exit 0", () => {
    const r = spawnCli(["filter", "check", 'device.trustType eq "serverad" -or device.isCompliant -eq True']);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('device.trustType -eq "ServerAD" -or device.isCompliant -eq True\n');
  });

  it("invalid rule: caret under the unclosed parenthesis, exit 1; missing argument: exit 2", () => {
    const r = spawnCli(["filter", "check", '(device.trustType -eq "AzureAD"']);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n").slice(1, 3)).toEqual(['  (device.trustType -eq "AzureAD"', "  ^"]);
    expect(spawnCli(["filter", "check"]).code).toBe(2);
  });
});

describe("tenant-guardrails filter check: rules that start with -not", () => {
  it("takes a leading -not as part of the rule, not as an option", async () => {
    const r = await runCli(["filter", "check", '-not (device.trustType -eq "AzureAD" -or device.trustType -eq "ServerAD")', "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).canonical).toBe('-not (device.trustType -eq "AzureAD" -or device.trustType -eq "ServerAD")');
  });

  it("still treats an unknown --option as a usage error (exit 2)", async () => {
    const r = await runCli(["filter", "check", "--jsn"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--jsn'");
  });
});
