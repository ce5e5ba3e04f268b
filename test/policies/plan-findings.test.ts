/** `plan` runs the policy pack offline: findings under the resources, in --json, exit 1 on mandatory. */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnCli, tempProject } from "../helpers/cli";


// A production stack whose DMARC is still at quarantine for a domain that sends mail.
const QUARANTINE_PROD = `config:
  tenant-guardrails:email:
    resourceGroupName: rg-dns-prod
    dmarcPolicy: quarantine
    domains:
      - domain: contoso.com
        dmarc:
          aggregateReportUris: ["mailto:dmarc-reports@contoso.com"]
`;

describe("plan with the policy pack", () => {
  it("the repository's dev and prod stacks pass every mandatory policy", () => {
    for (const stack of ["dev", "prod"]) {
      const r = spawnCli(["plan", "--stack", stack, "--json"]);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.ok).toBe(true);
      expect(doc.findings.filter((f: { enforcementLevel: string }) => f.enforcementLevel === "mandatory")).toEqual([]);
    }
  });

  it("human output lists the findings under the resources and exits 1 on a mandatory one", () => {
    const r = spawnCli(["plan", "--stack", "prod"], { cwd: tempProject("prod", QUARANTINE_PROD) });
    expect(r.code).toBe(1);
    const resources = r.stdout.indexOf("+ azure-native:dns:RecordSet  email-contoso-com-dmarc");
    const findings = r.stdout.indexOf("Policy findings (policy pack tenant-guardrails, config (policy defaults)): 1 mandatory, 0 advisory");
    expect(resources).toBeGreaterThan(0);
    expect(findings).toBeGreaterThan(resources);
    expect(r.stdout).toContain("[mandatory] dmarc-reject-in-prod  email-contoso-com-dmarc");
    expect(r.stdout).toContain('DMARC record of contoso.com (email-contoso-com-dmarc) has p=quarantine in production stack "prod"');
  });

  it("--json: a findings array with policy, enforcement level, URN and message; ok false", () => {
    const r = spawnCli(["plan", "--stack", "prod", "--json"], { cwd: tempProject("prod", QUARANTINE_PROD) });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.findings).toEqual([
      {
        policy: "dmarc-reject-in-prod",
        enforcementLevel: "mandatory",
        severity: "high",
        urn: "urn:pulumi:prod::tenant-guardrails::tenant-guardrails:index:EmailAuthentication$azure-native:dns:RecordSet::email-contoso-com-dmarc",
        message: expect.stringContaining("has p=quarantine"),
      },
    ]);
  });

  it("the same stack named staging is not production: no finding", () => {
    const r = spawnCli(["plan", "--stack", "staging", "--json"], { cwd: tempProject("staging", QUARANTINE_PROD) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).findings).toEqual([]);
  });

  it("policies/policy-config.json of the project, or --policy-config, changes levels and settings", () => {
    const config = JSON.stringify({ "dmarc-reject-in-prod": { enforcementLevel: "advisory", productionStacks: ["prod"] } });
    const dir = tempProject("prod", QUARANTINE_PROD);
    fs.mkdirSync(path.join(dir, "policies"));
    fs.writeFileSync(path.join(dir, "policies/policy-config.json"), config);
    const advisory = spawnCli(["plan", "--stack", "prod", "--json"], { cwd: dir });
    expect(advisory.code).toBe(0);
    expect(JSON.parse(advisory.stdout).findings.map((f: { enforcementLevel: string }) => f.enforcementLevel)).toEqual(["advisory"]);
    const disabled = path.join(dir, "disabled.json");
    fs.writeFileSync(disabled, JSON.stringify({ "dmarc-reject-in-prod": "disabled" }));
    expect(JSON.parse(spawnCli(["plan", "--stack", "prod", "--json", "--policy-config", disabled], { cwd: dir }).stdout).findings).toEqual([]);
    expect(spawnCli(["plan", "--stack", "prod", "--policy-config", path.join(dir, "missing.json")], { cwd: dir }).code).toBe(2);
  });
});
