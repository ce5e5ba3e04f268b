import fc from "fast-check";
import {
  AlignmentMode,
  DmarcPolicy,
  DmarcSpec,
  buildDmarcRecord,
  dmarcTagValues,
  effectivePolicy,
  joinTxtStrings,
  parseDmarcRecord,
  validateDmarcSpec,
  type DmarcParseResult,
  type DmarcPolicySpec,
} from "../../components/email";

const codes = (r: DmarcParseResult, severity: "error" | "warning") => r.findings.filter((f) => f.severity === severity).map((f) => f.code);

describe("parseDmarcRecord (RFC 9989 by default)", () => {
  it("reads a full record with defaults filled in as receivers apply them", () => {
    const r = parseDmarcRecord("v=DMARC1; p=quarantine; rua=mailto:agg@contoso.com; adkim=s");
    expect(r.valid).toBe(true);
    expect(r.record).toMatchObject({ p: "quarantine", sp: "quarantine", np: "quarantine", adkim: "s", aspf: "r", psd: "u", t: "n", rua: ["mailto:agg@contoso.com"] });
    expect(r.record?.pct).toBeUndefined();
    expect(r.findings).toEqual([]);
  });

  it("flags pct, rf and ri as deprecated (RFC 9989 made them historic) without failing the record", () => {
    const r = parseDmarcRecord("v=DMARC1; p=reject; pct=50; rf=afrf; ri=3600; rua=mailto:a@contoso.com");
    expect(r.valid).toBe(true);
    const deprecated = r.findings.filter((f) => f.code === "deprecated-tag");
    expect(deprecated.map((f) => f.tag)).toEqual(["pct", "rf", "ri"]);
    expect(deprecated[0]).toMatchObject({ severity: "warning", source: "RFC9989" });
    expect(deprecated[0].message).toMatch(/RFC 7489 tag that RFC 9989 made historic/);
    expect(dmarcTagValues(r)).not.toHaveProperty("pct");
  });

  it("validates pct, rf and ri under RFC 7489", () => {
    const ok = parseDmarcRecord("v=DMARC1; p=reject; pct=50; ri=3600", { spec: DmarcSpec.Rfc7489 });
    expect(ok.valid).toBe(true);
    expect(ok.record).toMatchObject({ pct: 50, ri: 3600, rf: ["afrf"] });
    const bad = parseDmarcRecord("v=DMARC1; p=none; pct=500;", { spec: DmarcSpec.Rfc7489 });
    expect(bad.valid).toBe(false);
    expect(bad.findings[0].message).toBe("pct=500 is not valid: it must be an integer from 0 to 100");
    expect(bad.record?.pct).toBe(100);
  });

  it("treats a missing p as p=none when rua is valid (RFC 9989), and as an error under RFC 7489 or without rua", () => {
    const withRua = parseDmarcRecord("v=DMARC1; rua=mailto:a@contoso.com");
    expect(withRua.valid).toBe(true);
    expect(withRua.record?.p).toBe("none");
    expect(codes(withRua, "warning")).toContain("missing-p");
    expect(parseDmarcRecord("v=DMARC1; adkim=s").findings[0].message).toBe("No p tag and no valid rua: receivers apply no DMARC policy at all");
    expect(parseDmarcRecord("v=DMARC1; rua=mailto:a@contoso.com", { spec: DmarcSpec.Rfc7489 }).valid).toBe(false);
  });

  it("requires the exact, case-sensitive version DMARC1 and says why", () => {
    expect(parseDmarcRecord("V=DMARC1; p=reject").valid).toBe(true);
    const lower = parseDmarcRecord("v=dmarc1; p=reject");
    expect(lower.isDmarc).toBe(false);
    expect(lower.findings[0].message).toMatch(/must be exactly DMARC1 \(upper case, case-sensitive\)/);
    expect(parseDmarcRecord("v=DMARC1x; p=reject").isDmarc).toBe(false);
    expect(parseDmarcRecord("").findings[0].code).toBe("empty");
  });

  it("recognises an SPF record published at _dmarc", () => {
    const r = parseDmarcRecord("v=spf1 include:spf.protection.outlook.com -all");
    expect(r.valid).toBe(false);
    expect(r.findings[0].message).toMatch(/This is an SPF record/);
  });

  it("rejects leading whitespace", () => {
    expect(codes(parseDmarcRecord(" v=DMARC1; p=reject"), "error")).toEqual(["leading-whitespace"]);
  });

  it("points at a missing ';' (the bug in Microsoft's own docs example)", () => {
    const r = parseDmarcRecord("v=DMARC1; p=reject rua=mailto:d@contoso.com");
    expect(r.valid).toBe(false);
    expect(r.findings[0].message).toMatch(/a ';' seems to be missing before the next tag/);
  });

  it("rejects abbreviated keywords and duplicate tags", () => {
    expect(parseDmarcRecord("v=DMARC1; p=n;").findings[0].message).toMatch(/abbreviations are not allowed/);
    const dup = parseDmarcRecord("v=DMARC1; p=reject; p=none");
    expect(codes(dup, "error")).toEqual(["duplicate-tag"]);
  });

  it("accepts whitespace, tabs and mixed-case keywords", () => {
    const r = parseDmarcRecord("v = DMARC1\t;\tp\t=\tReJect\t; ADKIM = S;");
    expect(r.valid).toBe(true);
    expect(r.record).toMatchObject({ p: "reject", adkim: "s" });
  });

  it("checks report URIs: not a URI is an error, unknown schemes and '!size' only warn", () => {
    const bare = parseDmarcRecord("v=DMARC1; p=none; rua=reports@contoso.com");
    expect(bare.findings.find((f) => f.code === "invalid-uri")?.message).toMatch(/write mailto:reports@contoso.com/);
    const ftp = parseDmarcRecord("v=DMARC1; p=none; rua=ftp://abuse.com");
    expect(ftp.valid).toBe(true);
    expect(codes(ftp, "warning")).toContain("unsupported-scheme");
    const size = parseDmarcRecord("v=DMARC1; p=none; rua=mailto:a@contoso.com!10m");
    expect(codes(size, "warning")).toContain("obsolete-size");
    expect(codes(parseDmarcRecord("v=DMARC1; p=none; rua=mailto:a@contoso.com!10m", { spec: DmarcSpec.Rfc7489 }), "warning")).not.toContain("obsolete-size");
  });

  it("enforces RFC 9989's fo grammar (0 and 1 are mutually exclusive), RFC 7489 only warns", () => {
    expect(parseDmarcRecord("v=DMARC1; p=none; fo=0:1").valid).toBe(false);
    const legacy = parseDmarcRecord("v=DMARC1; p=none; fo=0:1", { spec: DmarcSpec.Rfc7489 });
    expect(legacy.valid).toBe(true);
    expect(codes(legacy, "warning")).toContain("redundant-fo");
    expect(parseDmarcRecord("v=DMARC1; p=none; fo=1:d:s").record?.fo).toEqual(["1", "d", "s"]);
  });

  it("ignores unknown tags and junk fragments with a warning, but not a known tag without a value", () => {
    const r = parseDmarcRecord("v=DMARC1; p=reject; xyz=foo; tagonly; rua=mailto:a@contoso.com");
    expect(r.valid).toBe(true);
    expect(codes(r, "warning")).toEqual(expect.arrayContaining(["unknown-tag", "ignored-fragment"]));
    expect(codes(parseDmarcRecord("v=DMARC1; p"), "error")).toEqual(["missing-value", "missing-p"]);
  });

  it("warns about best-practice problems: no rua, sp=none under a protecting p, parked domains", () => {
    expect(codes(parseDmarcRecord("v=DMARC1; p=reject"), "warning")).toEqual(["no-rua"]);
    expect(codes(parseDmarcRecord("v=DMARC1; p=reject; sp=none; rua=mailto:a@c.com"), "warning")).toEqual(["sp-none"]);
    expect(codes(parseDmarcRecord("v=DMARC1; p=none; rua=mailto:a@c.com", { parked: true }), "warning")).toEqual(["parked-policy", "parked-policy"]);
    expect(codes(parseDmarcRecord("v=DMARC1; sp=none; p=reject; rua=mailto:a@c.com"), "warning")).toContain("p-not-second");
  });

  it("applies test mode one level lower", () => {
    const rec = (text: string) => parseDmarcRecord(text).record!;
    expect(effectivePolicy(rec("v=DMARC1; p=reject; t=y"))).toBe("quarantine");
    expect(effectivePolicy(rec("v=DMARC1; p=quarantine; t=y"))).toBe("none");
    expect(effectivePolicy(rec("v=DMARC1; p=reject; sp=quarantine"), "subdomain")).toBe("quarantine");
    expect(effectivePolicy(rec("v=DMARC1; p=reject; sp=quarantine; np=none"), "nonexistent")).toBe("none");
  });
});

describe("records where the parser disagreed with Mail::DMARC and OpenDMARC", () => {
  const errors = (r: DmarcParseResult) => r.findings.filter((f) => f.severity === "error");

  it("RFC 7489: no p but a valid rua is read as p=none (section 6.6.3 step 6), still an error", () => {
    const r = parseDmarcRecord("v=DMARC1; rua=mailto:d@example.org", { spec: DmarcSpec.Rfc7489 });
    expect(r.valid).toBe(false);
    expect(dmarcTagValues(r)).toMatchObject({ p: "none", sp: "none", np: "none" });
    expect(errors(r)).toEqual([
      expect.objectContaining({ code: "missing-p", tag: "p", message: "The p tag is required by RFC 7489 (section 6.3); with a valid rua receivers act as if the record were p=none (section 6.6.3)" }),
    ]);
    // Without a valid rua there is still no policy at all.
    expect(parseDmarcRecord("v=DMARC1; adkim=s", { spec: DmarcSpec.Rfc7489 }).record?.p).toBeUndefined();
  });

  it.each([DmarcSpec.Rfc9989, DmarcSpec.Rfc7489])("%s: an invalid sp makes the whole record p=none with a valid rua, not the default", (spec) => {
    const r = parseDmarcRecord("v=DMARC1; p=reject; sp=invalid; rua=mailto:d@example.org", { spec });
    expect(r.valid).toBe(false);
    expect(dmarcTagValues(r)).toMatchObject({ p: "none", sp: "none", np: "none" });
    expect(effectivePolicy(r.record!)).toBe("none");
    expect(errors(r).map((f) => f.message)).toEqual([
      "sp=invalid is not valid: it must be one of none, quarantine, reject; receivers then read the whole record as p=none (a valid rua is present), whatever the other policy tags say",
    ]);
  });

  it("an invalid np does the same; without a valid rua the record gives no DMARC policy at all", () => {
    const np = parseDmarcRecord("v=DMARC1; p=reject; np=rejectt; rua=mailto:d@example.org");
    expect(dmarcTagValues(np)).toMatchObject({ p: "none", sp: "none", np: "none" });
    const noRua = parseDmarcRecord("v=DMARC1; p=reject; sp=quarantin");
    expect(noRua.valid).toBe(false);
    expect([noRua.record?.p, noRua.record?.sp, noRua.record?.np]).toEqual([undefined, undefined, undefined]);
    expect(errors(noRua)[0].message).toMatch(/receivers then apply no DMARC policy at all \(there is no valid rua either\)$/);
    // An invalid p was already read as p=none with a valid rua; a valid sp does not survive it either.
    expect(dmarcTagValues(parseDmarcRecord("v=DMARC1; p=rejekt; sp=reject; rua=mailto:d@example.org"))).toMatchObject({ p: "none", sp: "none" });
  });

  it.each([
    ["a tab after the comma", "mailto:a@example.com,\tmailto:b@example.com"],
    ["spaces and tabs around the comma", "mailto:a@example.com \t,\t mailto:b@example.com"],
  ])("accepts whitespace around the ',' between report URIs (%s)", (_label, rua) => {
    for (const spec of [DmarcSpec.Rfc9989, DmarcSpec.Rfc7489]) {
      const r = parseDmarcRecord(`v=DMARC1; p=reject; rua=${rua}`, { spec });
      expect(errors(r)).toEqual([]);
      expect(r.record?.rua).toEqual(["mailto:a@example.com", "mailto:b@example.com"]);
    }
    expect(errors(parseDmarcRecord("v=DMARC1; p=reject; ruf=mailto:a@example.com,\tmailto:b@example.com; fo=d\t:\ts"))).toEqual([]);
    // A tab inside a URI is still outside the value grammar.
    expect(errors(parseDmarcRecord("v=DMARC1; p=reject; rua=mailto:a@exa\tmple.com")).map((f) => f.code)).toContain("bad-characters");
  });

  it("a duplicate tag is an error naming the tag, and the last occurrence counts (as OpenDMARC and Mail::DMARC read it)", () => {
    const r = parseDmarcRecord("v=DMARC1; p=none; p=reject; rua=mailto:d@example.org");
    expect(r.valid).toBe(false);
    expect(r.record?.p).toBe("reject");
    expect(r.tags).toEqual([
      { name: "v", value: "DMARC1" },
      { name: "p", value: "reject" },
      { name: "rua", value: "mailto:d@example.org" },
    ]);
    expect(errors(r)).toEqual([
      expect.objectContaining({
        code: "duplicate-tag",
        tag: "p",
        message:
          "The tag p appears more than once (p=none, then p=reject); the RFCs do not say which counts, most receivers (OpenDMARC, Mail::DMARC, mailauth) use the last one, so p=reject is read. Keep a single p tag",
      }),
    ]);
  });
});

describe("joinTxtStrings", () => {
  it("joins dig-style quoted strings and unescapes them; leaves plain text alone", () => {
    expect(joinTxtStrings('"v=DMARC1; p=re" "ject"')).toBe("v=DMARC1; p=reject");
    expect(joinTxtStrings('"a\\"b" "\\059c"')).toBe('a"b;c');
    expect(joinTxtStrings("v=DMARC1; p=reject")).toBe("v=DMARC1; p=reject");
    expect(joinTxtStrings('v=DMARC1; p="x"')).toBe('v=DMARC1; p="x"');
  });
});

describe("buildDmarcRecord / validateDmarcSpec", () => {
  it("emits v first, then p, only non-default tags, and no pct unless the legacy field is set", () => {
    expect(buildDmarcRecord({ policy: "reject", aggregateReportUris: ["mailto:a@contoso.com"] })).toBe("v=DMARC1; p=reject; rua=mailto:a@contoso.com");
    expect(
      buildDmarcRecord({
        policy: "quarantine",
        subdomainPolicy: "reject",
        nonExistentSubdomainPolicy: "reject",
        dkimAlignment: AlignmentMode.Strict,
        legacyPercentage: 25,
        failureReportUris: ["mailto:f@contoso.com"],
        failureReportOptions: ["1"],
        testMode: true,
      }),
    ).toBe("v=DMARC1; p=quarantine; sp=reject; adkim=s; pct=25; ruf=mailto:f@contoso.com; fo=1; t=y");
  });

  it("reports every problem of a spec with the field and the fix", () => {
    const problems = validateDmarcSpec({
      policy: "Reject" as DmarcPolicy,
      aggregateReportUris: ["dmarc@contoso.com", "mailto:a@contoso.com!10m"],
      failureReportOptions: ["0", "1"],
      legacyPercentage: 150,
    });
    expect(problems.map((p) => p.field)).toEqual(["policy", "aggregateReportUris[0]", "aggregateReportUris[1]", "failureReportOptions", "failureReportOptions", "legacyPercentage"]);
    expect(problems[0].fix).toBe("use one of none, quarantine, reject (lower case)");
  });

  it("round-trips: whatever a valid spec builds parses without errors to the same values", () => {
    const policy = fc.constantFrom<DmarcPolicy>("none", "quarantine", "reject");
    const mailbox = fc.constantFrom("mailto:a@contoso.com", "mailto:dmarc-reports@example.net", "mailto:x.y@sub.example.org");
    const spec = fc.record<DmarcPolicySpec>(
      {
        policy,
        subdomainPolicy: policy,
        nonExistentSubdomainPolicy: policy,
        dkimAlignment: fc.constantFrom(AlignmentMode.Relaxed, AlignmentMode.Strict),
        spfAlignment: fc.constantFrom(AlignmentMode.Relaxed, AlignmentMode.Strict),
        aggregateReportUris: fc.uniqueArray(mailbox, { maxLength: 2 }),
        testMode: fc.boolean(),
      },
      { requiredKeys: ["policy"] },
    );
    fc.assert(
      fc.property(spec, (s) => {
        expect(validateDmarcSpec(s)).toEqual([]);
        const parsed = parseDmarcRecord(buildDmarcRecord(s));
        expect(parsed.findings.filter((f) => f.severity === "error")).toEqual([]);
        const r = parsed.record!;
        expect(r.p).toBe(s.policy);
        expect(r.sp).toBe(s.subdomainPolicy ?? s.policy);
        expect(r.np).toBe(s.nonExistentSubdomainPolicy ?? s.subdomainPolicy ?? s.policy);
        expect(r.adkim).toBe(s.dkimAlignment === "strict" ? "s" : "r");
        expect(r.aspf).toBe(s.spfAlignment === "strict" ? "s" : "r");
        expect(r.rua).toEqual(s.aggregateReportUris ?? []);
        expect(r.t).toBe(s.testMode ? "y" : "n");
      }),
      { numRuns: 300 },
    );
  });
});
