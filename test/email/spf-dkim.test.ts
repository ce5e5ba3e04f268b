import {
  DkimCnameFormat,
  buildSpfRecord,
  countSpfLookups,
  dkimCnames,
  planDomainRecords,
  spfLookupTotal,
  splitTxt,
  validateDkimSpec,
  validateSpfSpec,
} from "../../components/email";

describe("SPF for Microsoft 365", () => {
  it("publishes Microsoft's recommended record by default", () => {
    expect(buildSpfRecord({})).toBe("v=spf1 include:spf.protection.outlook.com -all");
    expect(buildSpfRecord({ softFail: true, ip4: ["192.0.2.0/24"], includes: [{ domain: "_spf.mailer.example" }] })).toBe(
      "v=spf1 ip4:192.0.2.0/24 include:spf.protection.outlook.com include:_spf.mailer.example ~all",
    );
    expect(buildSpfRecord({ parked: true })).toBe("v=spf1 -all");
  });

  it("counts DNS-querying terms", () => {
    expect(countSpfLookups("v=spf1 ip4:192.0.2.1 include:a.example a mx:b.example ptr exists:%{i}.c.example redirect=d.example -all")).toBe(6);
    expect(countSpfLookups(buildSpfRecord({}))).toBe(1);
  });

  it("refuses a record over the 10-lookup limit, counting declared nested lookups", () => {
    const includes = [
      { domain: "_spf.crm.example", nestedLookups: 3 },
      { domain: "_spf.mailer.example", nestedLookups: 4 },
      { domain: "_spf.helpdesk.example", nestedLookups: 1 },
    ];
    expect(spfLookupTotal({ includes })).toBe(1 + 4 + 5 + 2);
    const problems = validateSpfSpec({ includes });
    expect(problems).toHaveLength(1);
    expect(problems[0].problem).toBe("the record needs 12 DNS lookups, over SPF's limit of 10 (receivers return permerror, so SPF fails for all mail)");
    expect(validateSpfSpec({ includes: includes.slice(0, 2) })).toEqual([]);
  });

  it("validates addresses, domains and duplicates", () => {
    const problems = validateSpfSpec({ ip4: ["192.0.2.0/33", "10.0.0.1"], ip6: ["2001:db8::/129"], includes: [{ domain: "not a domain" }, { domain: "_spf.a.example" }, { domain: "_SPF.a.example" }] });
    expect(problems.map((p) => p.field)).toEqual(["includes[0].domain", "ip4[0]", "ip6[0]", "includes"]);
  });
});

describe("DKIM CNAMEs for both Microsoft 365 formats", () => {
  it("builds the legacy onmicrosoft.com targets", () => {
    expect(dkimCnames("contoso.com", { format: DkimCnameFormat.Legacy, initialDomainPrefix: "contoso" })).toEqual([
      { name: "selector1._domainkey", target: "selector1-contoso-com._domainkey.contoso.onmicrosoft.com" },
      { name: "selector2._domainkey", target: "selector2-contoso-com._domainkey.contoso.onmicrosoft.com" },
    ]);
  });

  it("builds the current dkim.mail.microsoft targets (Microsoft's documented example)", () => {
    const [s1, s2] = dkimCnames("cohovineyard.com", { format: DkimCnameFormat.Current, initialDomainPrefix: "cohovineyardandwinery", partition: "n" });
    expect(s1.target).toBe("selector1-cohovineyard-com._domainkey.cohovineyardandwinery.n-v1.dkim.mail.microsoft");
    expect(s2.target).toBe("selector2-cohovineyard-com._domainkey.cohovineyardandwinery.n-v1.dkim.mail.microsoft");
  });

  it("requires the partition letter for the current format and refuses it for the legacy one", () => {
    expect(validateDkimSpec({ format: DkimCnameFormat.Current, initialDomainPrefix: "contoso" })[0].fix).toMatch(/Get-DkimSigningConfig/);
    expect(validateDkimSpec({ format: DkimCnameFormat.Legacy, initialDomainPrefix: "contoso", partition: "n" })).toHaveLength(1);
    expect(validateDkimSpec({ format: DkimCnameFormat.Legacy, initialDomainPrefix: "contoso.onmicrosoft.com" })[0].field).toBe("initialDomainPrefix");
  });
});

describe("planDomainRecords", () => {
  it("plans DMARC, SPF and DKIM names relative to the zone, also for a subdomain", () => {
    const plan = planDomainRecords(
      { domain: "mail.contoso.com", zoneName: "contoso.com", dkim: { format: "legacy", initialDomainPrefix: "contoso" }, dmarc: { aggregateReportUris: ["mailto:d@contoso.com"] } },
      "quarantine",
    );
    expect(plan.problems).toEqual([]);
    expect(plan.records.map((r) => [r.kind, r.relativeName, r.type])).toEqual([
      ["dmarc", "_dmarc.mail", "TXT"],
      ["spf", "mail", "TXT"],
      ["dkim-selector1", "selector1._domainkey.mail", "CNAME"],
      ["dkim-selector2", "selector2._domainkey.mail", "CNAME"],
    ]);
    expect(plan.dmarcRecord).toBe("v=DMARC1; p=quarantine; rua=mailto:d@contoso.com");
    expect(plan.records[2].cname).toBe("selector1-mail-contoso-com._domainkey.contoso.onmicrosoft.com");
    expect(plan.externalReportAuthorizations).toEqual([]);
  });

  it("publishes parked domains as SPF -all and DMARC reject, and refuses a weaker policy", () => {
    const parked = planDomainRecords({ domain: "contoso.net", parked: true }, "none");
    expect(parked.spfRecord).toBe("v=spf1 -all");
    expect(parked.dmarcRecord).toBe("v=DMARC1; p=reject");
    expect(planDomainRecords({ domain: "contoso.net", parked: true, dmarc: { policy: "none" } }).problems[0].field).toBe("dmarc.policy");
  });

  it("keeps other apex TXT values in the SPF record set and refuses a second SPF record", () => {
    const plan = planDomainRecords({ domain: "contoso.com", additionalApexTxt: ["MS=ms12345678"] }, "none");
    expect(plan.records[1].txt).toEqual([["v=spf1 include:spf.protection.outlook.com -all"], ["MS=ms12345678"]]);
    expect(planDomainRecords({ domain: "contoso.com", additionalApexTxt: ["v=spf1 -all"] }, "none").problems[0].problem).toMatch(/permerror/);
  });

  it("lists the authorisation records that external report destinations must publish", () => {
    const plan = planDomainRecords({ domain: "contoso.net", dmarc: { policy: "reject", aggregateReportUris: ["mailto:d@contoso.com", "mailto:x@reports.contoso.net"] } });
    expect(plan.externalReportAuthorizations).toEqual(["contoso.net._report._dmarc.contoso.com"]);
  });

  it("needs a policy from the domain or the stack's rollout stage, and a zone that contains the domain", () => {
    const plan = planDomainRecords({ domain: "contoso.com", zoneName: "fabrikam.com" });
    expect(plan.problems.map((p) => p.field)).toEqual(["zoneName", "dmarc.policy"]);
  });

  it("splits long TXT values into 255-character strings", () => {
    const long = "v=spf1 " + "ip4:192.0.2.1 ".repeat(30) + "-all";
    const parts = splitTxt(long);
    expect(parts.map((p) => p.length)).toEqual([255, long.length - 255]);
    expect(parts.join("")).toBe(long);
  });
});
