import * as pulumi from "@pulumi/pulumi";
import { runUnderMocks, type RunResult } from "../../cli/engine";
import { EmailAuthentication, buildExchangeScript, type EmailAuthenticationArgs } from "../../components/email";

const RECORD_SET = "azure-native:dns:RecordSet";
const COMMAND = "command:local:Command";
const COMPONENT = "tenant-guardrails:index:EmailAuthentication";

const prodLike = (): EmailAuthenticationArgs => ({
  resourceGroupName: "rg-dns",
  dmarcPolicy: "reject",
  domains: [
    { domain: "contoso.com", dmarc: { aggregateReportUris: ["mailto:dmarc@contoso.com"] }, dkim: { format: "current", initialDomainPrefix: "contoso", partition: "n" } },
    { domain: "contoso.net", parked: true },
  ],
  inbound: {
    allowedSpoofPairs: [{ spoofedUser: "gmail.com", sendingInfrastructure: "tms.mx.com" }],
    exchange: {
      appId: "7c2e9a10-4b3d-4e5f-9a6b-1c2d3e4f5a62",
      organization: "contoso.onmicrosoft.com",
      certificatePath: "/etc/exo/app.pfx",
      certificatePassword: pulumi.secret("pfx-password-value"),
    },
  },
});

function run(args: () => EmailAuthenticationArgs): Promise<RunResult> {
  return runUnderMocks(
    () => {
      const auth = new EmailAuthentication("email", args());
      return { dmarcRecords: auth.dmarcRecords, script: auth.exchangeScript, records: auth.records, external: auth.externalReportAuthorizations };
    },
    { project: "tenant-guardrails", stack: "test" },
  );
}

describe("EmailAuthentication under mocks", () => {
  let result: RunResult;
  beforeAll(async () => {
    result = await run(prodLike);
  });

  it("declares one Azure DNS record set per record, named after the component and domain, parented to it", () => {
    const sets = result.resources.filter((r) => r.type === RECORD_SET);
    expect(sets.map((r) => r.name).sort()).toEqual([
      "email-contoso-com-dkim-selector1",
      "email-contoso-com-dkim-selector2",
      "email-contoso-com-dmarc",
      "email-contoso-com-spf",
      "email-contoso-net-dmarc",
      "email-contoso-net-spf",
    ]);
    const component = result.resources.find((r) => r.type === COMPONENT)!;
    for (const s of sets) expect(s.parent).toBe(component.urn);
  });

  it("sends Azure DNS the record values", () => {
    const byName = Object.fromEntries(result.resources.filter((r) => r.type === RECORD_SET).map((r) => [r.name, r.inputs]));
    expect(byName["email-contoso-com-dmarc"]).toMatchObject({
      resourceGroupName: "rg-dns",
      zoneName: "contoso.com",
      relativeRecordSetName: "_dmarc",
      recordType: "TXT",
      ttl: 3600,
      txtRecords: [{ value: ["v=DMARC1; p=reject; rua=mailto:dmarc@contoso.com"] }],
      metadata: { managedBy: "tenant-guardrails", purpose: "email-dmarc" },
    });
    expect(byName["email-contoso-com-spf"]).toMatchObject({ relativeRecordSetName: "@", txtRecords: [{ value: ["v=spf1 include:spf.protection.outlook.com -all"] }] });
    expect(byName["email-contoso-com-dkim-selector1"]).toMatchObject({
      relativeRecordSetName: "selector1._domainkey",
      recordType: "CNAME",
      cnameRecord: { cname: "selector1-contoso-com._domainkey.contoso.n-v1.dkim.mail.microsoft" },
    });
    expect(byName["email-contoso-com-dkim-selector1"].txtRecords).toBeUndefined();
    expect(byName["email-contoso-net-spf"]).toMatchObject({ txtRecords: [{ value: ["v=spf1 -all"] }] });
    expect(byName["email-contoso-net-dmarc"]).toMatchObject({ txtRecords: [{ value: ["v=DMARC1; p=reject"] }] });
  });

  it("runs the Exchange Online script with pwsh, connection details in the environment, the password secret", () => {
    const cmd = result.resources.find((r) => r.type === COMMAND)!;
    expect(cmd.name).toBe("email-exchange-inbound");
    expect(cmd.inputs.interpreter).toEqual(["pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-Command"]);
    const expected = buildExchangeScript({ allowedSpoofPairs: [{ spoofedUser: "gmail.com", sendingInfrastructure: "tms.mx.com" }] });
    expect(cmd.inputs.create).toBe(expected);
    expect(cmd.inputs.update).toBe(expected);
    expect(cmd.inputs.delete).toBeUndefined();
    expect(cmd.inputs.environment).toEqual({
      EXO_APP_ID: "7c2e9a10-4b3d-4e5f-9a6b-1c2d3e4f5a62",
      EXO_ORGANIZATION: "contoso.onmicrosoft.com",
      EXO_CERTIFICATE_PATH: "/etc/exo/app.pfx",
      EXO_CERTIFICATE_PASSWORD: "[secret]",
    });
    expect(String(cmd.inputs.create)).not.toContain("pfx-password-value");
  });

  it("never stores the password in the component's own inputs", () => {
    const component = result.resources.find((r) => r.type === COMPONENT)!;
    expect(JSON.stringify(component.inputs)).not.toContain("pfx-password-value");
    expect((component.inputs.inbound as { exchange: Record<string, unknown> }).exchange.certificatePassword).toBe("[secret]");
  });

  it("exports the records, the script for review, and the external report authorisations", () => {
    expect(result.outputs.dmarcRecords).toEqual({ "contoso.com": "v=DMARC1; p=reject; rua=mailto:dmarc@contoso.com", "contoso.net": "v=DMARC1; p=reject" });
    expect(result.outputs.script).toContain("Get-AntiPhishPolicy");
    expect(result.outputs.external).toEqual([]);
    expect(result.outputs.records).toContainEqual({ name: "_dmarc.contoso.com", type: "TXT", values: ["v=DMARC1; p=reject; rua=mailto:dmarc@contoso.com"] });
  });
});

describe("EmailAuthentication validation at preview", () => {
  it("reports every problem at once, naming component, resource, field, value and fix, before declaring any record", async () => {
    const bad = (): EmailAuthenticationArgs => ({
      resourceGroupName: "rg",
      domains: [{ domain: "contoso.com", dmarc: { policy: "Reject" as never, aggregateReportUris: ["dmarc@contoso.com"] }, spf: { includes: Array.from({ length: 10 }, (_, i) => ({ domain: `_spf${i}.example` })) } }],
      inbound: {
        allowedSpoofPairs: [{ spoofedUser: "gmail.com", sendingInfrastructure: "tms.mx.com" }],
        blockedSpoofPairs: [{ spoofedUser: "gmail.com", sendingInfrastructure: "tms.mx.com" }],
        exchange: { appId: "not-a-guid", organization: "contoso.com", certificateThumbprint: "abc" },
      },
    });
    let error: Error | undefined;
    const r = await runUnderMocks(
      () => {
        try {
          new EmailAuthentication("email", bad());
        } catch (e) {
          error = e as Error;
        }
      },
      { project: "tenant-guardrails", stack: "test" },
    );
    expect(r.resources.filter((x) => x.type === RECORD_SET || x.type === COMMAND)).toEqual([]);
    expect(error?.name).toBe("GuardrailInputError");
    const message = error!.message;
    expect(message).toMatch(/^EmailAuthentication "email" has 7 invalid inputs:/);
    expect(message).toContain('domains[0].dmarc.policy = "Reject": not a DMARC policy. Fix: use one of none, quarantine, reject (lower case)');
    expect(message).toContain('domains[0].dmarc.aggregateReportUris[0] = "dmarc@contoso.com": not a mailto: URI with one mailbox address');
    expect(message).toContain("domains[0].spf.includes = ");
    expect(message).toContain("the record needs 11 DNS lookups, over SPF's limit of 10");
    expect(message).toContain("inbound.allowedSpoofPairs[0] = ");
    expect(message).toContain("block beats allow, so this allow never takes effect");
    expect(message).toContain('inbound.exchange.appId = "not-a-guid"');
    expect(message).toContain('inbound.exchange.organization = "contoso.com"');
    expect(message).toContain('inbound.exchange.certificateThumbprint = "abc": not a SHA-1 thumbprint');
  });

  it("refuses at preview what the parser reads as p=none: invalid sp/np, no policy, two URIs in one entry", async () => {
    let error: Error | undefined;
    const r = await runUnderMocks(
      () => {
        try {
          new EmailAuthentication("email", {
            resourceGroupName: "rg",
            domains: [
              { domain: "contoso.com", dmarc: { policy: "reject", subdomainPolicy: "invalid" as never, aggregateReportUris: ["mailto:d@contoso.com"] } },
              { domain: "contoso.org", dmarc: { policy: "reject", nonExistentSubdomainPolicy: "invalid" as never, aggregateReportUris: ["mailto:d@contoso.com"] } },
              { domain: "contoso.net", dmarc: { aggregateReportUris: ["mailto:d@contoso.com"] } },
              { domain: "contoso.info", dmarc: { policy: "none", aggregateReportUris: ["mailto:a@contoso.com,\tmailto:b@contoso.com"] } },
            ],
          });
        } catch (e) {
          error = e as Error;
        }
      },
      { project: "tenant-guardrails", stack: "test" },
    );
    expect(r.resources.filter((x) => x.type === RECORD_SET)).toEqual([]);
    expect(error?.name).toBe("GuardrailInputError");
    const message = error!.message;
    expect(message).toMatch(/^EmailAuthentication "email" has 4 invalid inputs:/);
    expect(message).toContain('domains[0].dmarc.subdomainPolicy = "invalid": not a DMARC policy. Fix: use one of none, quarantine, reject (lower case)');
    expect(message).toContain('domains[1].dmarc.nonExistentSubdomainPolicy = "invalid": not a DMARC policy. Fix: use one of none, quarantine, reject (lower case)');
    expect(message).toContain("domains[2].dmarc.policy = (not set): the DMARC policy is required. Fix: set policy to none, quarantine or reject");
    expect(message).toContain('domains[3].dmarc.aggregateReportUris[0] = "mailto:a@contoso.com,\\tmailto:b@contoso.com": not a mailto: URI with one mailbox address. Fix: write mailto:local@domain');
  });

  it("plans from values only known later (Outputs) inside apply, with the same planner", async () => {
    const r = await run(() => ({
      resourceGroupName: pulumi.output("rg-late"),
      domains: [{ domain: "contoso.com", dmarc: { policy: pulumi.output("quarantine" as const), aggregateReportUris: pulumi.output(["mailto:d@contoso.com"]) } }],
    }));
    const dmarc = r.resources.find((x) => x.name === "email-contoso-com-dmarc")!;
    expect(dmarc.inputs).toMatchObject({ resourceGroupName: "rg-late", relativeRecordSetName: "_dmarc", txtRecords: [{ value: ["v=DMARC1; p=quarantine; rua=mailto:d@contoso.com"] }] });
  });

  it("publishes report authorisations in its own zones and lists the ones others must publish", async () => {
    const r = await run(() => ({
      resourceGroupName: "rg",
      dmarcPolicy: "reject",
      domains: [
        { domain: "contoso.com", dmarc: { aggregateReportUris: ["mailto:d@contoso.com"] } },
        { domain: "contoso.net", parked: true, dmarc: { aggregateReportUris: ["mailto:d@contoso.com", "mailto:r@reports.example"] } },
      ],
    }));
    const auth = r.resources.find((x) => x.name === "email-contoso-net-report-authorization")!;
    expect(auth.inputs).toMatchObject({ zoneName: "contoso.com", relativeRecordSetName: "contoso.net._report._dmarc", recordType: "TXT", txtRecords: [{ value: ["v=DMARC1;"] }] });
    expect(r.outputs.external).toEqual(["contoso.net._report._dmarc.reports.example"]);
  });

  it("takes the rollout stage from the component for domains without their own policy", async () => {
    const r = await run(() => ({ resourceGroupName: "rg", dmarcPolicy: "none", domains: [{ domain: "dev.contoso.com", dmarc: { aggregateReportUris: ["mailto:d@contoso.com"] } }] }));
    expect(r.outputs.dmarcRecords).toEqual({ "dev.contoso.com": "v=DMARC1; p=none; rua=mailto:d@contoso.com" });
    expect(r.resources.some((x) => x.type === COMMAND)).toBe(false);
    expect(r.outputs.script).toBeUndefined();
  });
});
