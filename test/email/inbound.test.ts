import { evaluateInboundDmarc, validateInboundMessage, validateInboundSettings, type InboundMessage, type InboundSettings, type SpoofPair } from "../../components/email";

const gmailViaTms: InboundMessage = { from: "alice@gmail.com", dmarc: "fail", senderPolicy: "reject", ptrHost: "out1.tms.mx.com", sourceIp: "198.51.100.7" };
const examplePair: SpoofPair = { spoofedUser: "gmail.com", sendingInfrastructure: "tms.mx.com" };

describe("evaluateInboundDmarc: Microsoft's table (spoof intelligence x honor DMARC policy)", () => {
  const fail = (senderPolicy: "none" | "quarantine" | "reject"): InboundMessage => ({ from: "ceo@fabrikam.com", dmarc: "fail", senderPolicy });
  const cases: [string, InboundSettings, "none" | "quarantine" | "reject", string][] = [
    ["defaults, p=reject → DmarcRejectAction Reject", {}, "reject", "reject"],
    ["defaults, p=quarantine → DmarcQuarantineAction Quarantine", {}, "quarantine", "quarantine"],
    ["defaults, p=none → no spoof action", {}, "none", "deliver"],
    ["DmarcRejectAction Quarantine", { dmarcRejectAction: "Quarantine" }, "reject", "quarantine"],
    ["DmarcQuarantineAction MoveToJmf", { dmarcQuarantineAction: "MoveToJmf" }, "quarantine", "junk"],
    ["honor on, spoof intelligence off, p=reject", { enableSpoofIntelligence: false }, "reject", "reject"],
    ["honor off, SI on: AuthenticationFailAction, p ignored", { honorDmarcPolicy: false }, "reject", "junk"],
    ["honor off, SI on, Quarantine action", { honorDmarcPolicy: false, authenticationFailAction: "Quarantine" }, "quarantine", "quarantine"],
    ["honor off, SI on, p=none still gets AuthenticationFailAction", { honorDmarcPolicy: false }, "none", "junk"],
    ["honor off, SI off: p=reject quarantined", { honorDmarcPolicy: false, enableSpoofIntelligence: false }, "reject", "quarantine"],
    ["honor off, SI off: p=quarantine quarantined", { honorDmarcPolicy: false, enableSpoofIntelligence: false }, "quarantine", "quarantine"],
    ["honor off, SI off: p=none no action", { honorDmarcPolicy: false, enableSpoofIntelligence: false }, "none", "deliver"],
  ];
  it.each(cases)("%s", (_label, tenant, policy, verdict) => {
    expect(evaluateInboundDmarc(fail(policy), tenant).verdict).toBe(verdict);
  });

  it("explains the decision with the setting and the table cell", () => {
    const v = evaluateInboundDmarc(fail("reject"), { dmarcRejectAction: "Quarantine" });
    expect(v.reasons).toEqual([
      "fabrikam.com is not an accepted domain: cross-org spoof checks apply",
      "DMARC fails and the sender publishes p=reject: DmarcRejectAction Quarantine (spoof intelligence on, honor DMARC policy on)",
    ]);
  });

  it("handles implicit failures (no DMARC record) through spoof intelligence only", () => {
    const none: InboundMessage = { from: "x@nodmarc.example", dmarc: "none" };
    expect(evaluateInboundDmarc(none, {}).verdict).toBe("junk");
    expect(evaluateInboundDmarc(none, { authenticationFailAction: "Quarantine" }).verdict).toBe("quarantine");
    expect(evaluateInboundDmarc(none, { enableSpoofIntelligence: false }).verdict).toBe("deliver");
    expect(evaluateInboundDmarc({ ...none, compositeAuthentication: "pass" }, {}).verdict).toBe("deliver");
  });

  it("delivers DMARC passes and applies the sender's test mode (t=y) from its record", () => {
    expect(evaluateInboundDmarc({ from: "a@fabrikam.com", dmarc: "pass" }, {}).verdict).toBe("deliver");
    const t = evaluateInboundDmarc({ from: "a@fabrikam.com", dmarc: "fail", senderRecord: "v=DMARC1; p=reject; t=y" }, {});
    expect(t.verdict).toBe("quarantine");
    expect(t.reasons).toContain("the sender's record is in test mode (t=y): p=reject applies as p=quarantine");
  });

  it("detects intra-org spoofing from accepted domains", () => {
    const v = evaluateInboundDmarc({ from: "ceo@contoso.com", dmarc: "fail", senderPolicy: "reject" }, { acceptedDomains: ["contoso.com"] });
    expect(v.spoofType).toBe("Internal");
    expect(v.verdict).toBe("reject");
  });
});

describe("spoofed-sender pairs", () => {
  it("lets the exact pair through, and only that pair", () => {
    const tenant: InboundSettings = { allowedSpoofPairs: [examplePair] };
    const allowed = evaluateInboundDmarc(gmailViaTms, tenant);
    expect(allowed.verdict).toBe("deliver");
    expect(allowed.matchedPair).toEqual({ list: "allowed", pair: examplePair });
    // the same domain from other infrastructure is still checked
    expect(evaluateInboundDmarc({ ...gmailViaTms, ptrHost: "mail.other.example" }, tenant).verdict).toBe("reject");
    // the same infrastructure for another domain is still checked
    expect(evaluateInboundDmarc({ ...gmailViaTms, from: "bob@fabrikam.com" }, tenant).verdict).toBe("reject");
  });

  it("block beats allow", () => {
    const v = evaluateInboundDmarc(gmailViaTms, { allowedSpoofPairs: [examplePair], blockedSpoofPairs: [{ spoofedUser: "gmail.com", sendingInfrastructure: "*" }] });
    expect(v.verdict).toBe("quarantine");
    expect(v.matchedPair?.list).toBe("blocked");
    expect(v.reasons[1]).toMatch(/block beats allow/);
  });

  it("matches wildcards, /24 infrastructure without PTR, and DKIM domains", () => {
    const noPtr = { ...gmailViaTms, ptrHost: undefined };
    expect(evaluateInboundDmarc(noPtr, { allowedSpoofPairs: [{ spoofedUser: "gmail.com", sendingInfrastructure: "198.51.100.200/24" }] }).verdict).toBe("deliver");
    expect(evaluateInboundDmarc(noPtr, { allowedSpoofPairs: [{ spoofedUser: "gmail.com", sendingInfrastructure: "198.51.101.1/24" }] }).verdict).toBe("reject");
    // a domain entry stops matching when PTR resolution fails
    expect(evaluateInboundDmarc(noPtr, { allowedSpoofPairs: [examplePair] }).verdict).toBe("reject");
    expect(evaluateInboundDmarc(gmailViaTms, { allowedSpoofPairs: [{ spoofedUser: "*", sendingInfrastructure: "tms.mx.com" }], allowWildcardSpoofPairs: true }).verdict).toBe("deliver");
    expect(evaluateInboundDmarc({ ...noPtr, dkimDomains: ["tms.mx.com"] }, { allowedSpoofPairs: [examplePair] }).verdict).toBe("deliver");
  });

  it("matches intra-org pairs on the full address and spoof type", () => {
    const msg: InboundMessage = { from: "ceo@contoso.com", dmarc: "fail", senderPolicy: "reject", ptrHost: "relay.partner.example" };
    const tenant: InboundSettings = { acceptedDomains: ["contoso.com"], allowedSpoofPairs: [{ spoofedUser: "ceo@contoso.com", sendingInfrastructure: "partner.example", spoofType: "Internal" }] };
    expect(evaluateInboundDmarc(msg, tenant).verdict).toBe("deliver");
    expect(evaluateInboundDmarc({ ...msg, from: "cfo@contoso.com" }, tenant).verdict).toBe("reject");
  });
});

describe("validateInboundSettings", () => {
  it("accepts the prod example pair", () => {
    expect(validateInboundSettings({ allowedSpoofPairs: [examplePair] })).toEqual([]);
  });

  it("reports pair format problems with field and fix", () => {
    const problems = validateInboundSettings({
      allowedSpoofPairs: [
        { spoofedUser: "alice@gmail.com", sendingInfrastructure: "tms.mx.com" },
        { spoofedUser: "gmail.com", sendingInfrastructure: "198.51.100.0/16" },
        { spoofedUser: "contoso.com", sendingInfrastructure: "tms.mx.com", spoofType: "Internal" },
      ],
    });
    expect(problems.map((p) => p.field)).toEqual(["allowedSpoofPairs[0].spoofedUser", "allowedSpoofPairs[1].sendingInfrastructure", "allowedSpoofPairs[2].spoofedUser"]);
    expect(problems[1].fix).toMatch(/<source IP>\/24/);
    const both = validateInboundSettings({ blockedSpoofPairs: [{ spoofedUser: "*", sendingInfrastructure: "*" }] });
    expect(both.map((p) => [p.field, p.problem])).toEqual([["blockedSpoofPairs[0]", "both sides are *"]]);
  });

  it("refuses wildcard allows unless opted in", () => {
    const pairs = [{ spoofedUser: "gmail.com", sendingInfrastructure: "*" }];
    expect(validateInboundSettings({ allowedSpoofPairs: pairs })[0].fix).toBe("allow the exact pair, or opt in with allowWildcardSpoofPairs: true");
    expect(validateInboundSettings({ allowedSpoofPairs: pairs, allowWildcardSpoofPairs: true })).toEqual([]);
  });

  it("refuses an allow that a block overrides (the same pair, or a wildcard block covering it)", () => {
    const same = validateInboundSettings({ allowedSpoofPairs: [examplePair], blockedSpoofPairs: [{ spoofedUser: "GMAIL.com", sendingInfrastructure: "tms.mx.com" }] });
    expect(same).toHaveLength(1);
    expect(same[0].problem).toMatch(/conflicts with the blocked pair GMAIL.com via tms.mx.com \(External\); block beats allow/);
    expect(validateInboundSettings({ allowedSpoofPairs: [examplePair], blockedSpoofPairs: [{ spoofedUser: "*", sendingInfrastructure: "tms.mx.com" }] })).toHaveLength(1);
    // different spoof type: no conflict
    expect(validateInboundSettings({ allowedSpoofPairs: [examplePair], blockedSpoofPairs: [{ ...examplePair, spoofedUser: "a@gmail.com", spoofType: "Internal" }] })).toEqual([]);
  });

  it("enforces the 1,024-entry limit across allow and block", () => {
    const pairs = (n: number, infra: string) => Array.from({ length: n }, (_, i) => ({ spoofedUser: `d${i}.example`, sendingInfrastructure: infra }));
    expect(validateInboundSettings({ allowedSpoofPairs: pairs(512, "a.example"), blockedSpoofPairs: pairs(512, "b.example") })).toEqual([]);
    const over = validateInboundSettings({ allowedSpoofPairs: pairs(512, "a.example"), blockedSpoofPairs: pairs(513, "b.example") });
    expect(over.map((p) => p.problem)).toEqual(["1025 spoof entries exceed the Tenant Allow/Block List limit of 1024 (allow + block)"]);
  });

  it("reports duplicates and wrongly cased actions", () => {
    const problems = validateInboundSettings({ allowedSpoofPairs: [examplePair, { ...examplePair, spoofedUser: "Gmail.com" }], dmarcRejectAction: "reject" as never });
    expect(problems.map((p) => [p.field, p.problem])).toEqual([
      ["dmarcRejectAction", "not a valid action"],
      ["allowedSpoofPairs[1]", "duplicate pair"],
    ]);
  });
});

describe("validateInboundMessage", () => {
  it("needs the sender's policy for a DMARC failure", () => {
    expect(validateInboundMessage({ from: "a@gmail.com", dmarc: "fail" })[0].field).toBe("senderPolicy");
    expect(validateInboundMessage(gmailViaTms)).toEqual([]);
    expect(validateInboundMessage({ from: "a@gmail.com", dmarc: "fail", senderRecord: "v=spf1 -all" })[0].field).toBe("senderRecord");
  });
});

describe("evaluateInboundDmarc: the compauth Microsoft would stamp", () => {
  const at = (from: string, dmarc: "pass" | "fail" | "none", senderPolicy?: "none" | "quarantine" | "reject") => ({ from, dmarc, senderPolicy }) as InboundMessage;
  const tenant: InboundSettings = { acceptedDomains: ["contoso.com"], blockedSpoofPairs: [{ spoofedUser: "fabrikam.com", sendingInfrastructure: "203.0.113.0/24" }] };
  it.each([
    ["DMARC pass", at("a@fabrikam.com", "pass"), "pass", "1xx"],
    ["explicit fail, cross-org (p=reject)", at("a@fabrikam.com", "fail", "reject"), "fail", "000"],
    ["explicit fail of an accepted domain (p=quarantine)", at("a@contoso.com", "fail", "quarantine"), "fail", "010"],
    ["weak policy (p=none), cross-org: implicit", at("a@fabrikam.com", "fail", "none"), "fail", "001"],
    ["weak policy (p=none) of an accepted domain", at("a@contoso.com", "fail", "none"), "fail", "6xx"],
    ["no DMARC record", at("a@northwind.example", "none"), "fail", "001"],
    ["a blocked pair", { ...at("a@fabrikam.com", "fail", "reject"), sourceIp: "203.0.113.9" }, "fail", "002"],
  ])("%s", (_label, message, result, reason) => {
    expect(evaluateInboundDmarc(message, tenant).compauth).toMatchObject({ result, reason });
  });
  it("an allowed pair changes the action, not the authentication", () => {
    const v = evaluateInboundDmarc(gmailViaTms, { allowedSpoofPairs: [examplePair] });
    expect(v).toMatchObject({ verdict: "deliver", matchedPair: { list: "allowed" }, compauth: { result: "fail", reason: "000" } });
  });
});
