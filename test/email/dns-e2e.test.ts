/**
 * End to end with real peers: the records the prod stack declares are served by a real DNS server
 * (NSD) on 127.0.0.1, and an independent verifier (mailauth, from npm) checks an aligned and a
 * spoofed message through a resolver pointed at that server. Nothing leaves the machine.
 */
import { generateKeyPairSync } from "node:crypto";
import { authenticate, dkimSign } from "mailauth";
import { runUnderMocks, type DeclaredResource } from "../../cli/engine";
import { findProject, loadStackConfig } from "../../cli/stack";
import { evaluateInboundDmarc, splitTxt, type InboundSettings } from "../../components/email";
import { declareEmail } from "../../stacks/email";
import { REPO_ROOT } from "../helpers/cli";
import { findNsd, startNsd, type RunningNsd, type Zone } from "./nsd";

const NSD = findNsd();
if (!NSD && process.env.CI === "true") {
  throw new Error("nsd is not installed: .ci/system-packages must install the Debian package nsd for the DNS end-to-end test");
}
if (!NSD) {
  process.stderr.write("SKIPPED test/email/dns-e2e.test.ts: the nsd binary is missing (apt-get install nsd, or bash .ci/system-packages)\n");
}
const describeWithNsd = NSD ? describe : describe.skip;

/**
 * Stand-in for Microsoft's published SPF record at spf.protection.outlook.com (its ip4/ip6 ranges
 * as documented; served locally because the test never queries Microsoft's DNS).
 */
const MICROSOFT_SPF_STAND_IN = "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/15 ip4:52.102.0.0/16 ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 -all";
const EXCHANGE_ONLINE_IP = "40.107.22.5";
const SPOOFER_IP = "203.0.113.66";

const { privateKey: DKIM_PRIVATE_KEY, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const DKIM_PUBLIC_KEY = publicKey.export({ type: "spki", format: "der" }).toString("base64");

function zonesFrom(resources: DeclaredResource[]): Zone[] {
  const zones = new Map<string, Zone>();
  for (const r of resources.filter((x) => x.type === "azure-native:dns:RecordSet")) {
    const i = r.inputs as { zoneName: string; relativeRecordSetName: string; recordType: "TXT" | "CNAME"; ttl: number; txtRecords?: { value: string[] }[]; cnameRecord?: { cname: string } };
    const zone = zones.get(i.zoneName) ?? { name: i.zoneName, records: [] };
    zones.set(i.zoneName, zone);
    if (i.recordType === "TXT") for (const t of i.txtRecords ?? []) zone.records.push({ name: i.relativeRecordSetName, type: "TXT", ttl: i.ttl, data: t.value });
    else zone.records.push({ name: i.relativeRecordSetName, type: "CNAME", ttl: i.ttl, data: [i.cnameRecord!.cname] });
  }
  return [...zones.values()];
}

function message(from: string): string {
  return [`From: ${from}`, "To: someone@fabrikam.example", "Subject: quarterly report", "Message-ID: <e2e-1@contoso.com>", "Date: Mon, 23 Nov 2026 10:00:00 +0000", "", "Hello.", ""].join("\r\n");
}

describeWithNsd("DNS end to end: NSD serves the prod stack's zone, mailauth verifies", () => {
  let server: RunningNsd;
  let declared: DeclaredResource[];
  let inbound: InboundSettings;

  beforeAll(async () => {
    const project = findProject(REPO_ROOT);
    const { config } = loadStackConfig(project, "prod");
    const run = await runUnderMocks(() => declareEmail(), { project: project.name, stack: "prod", config });
    declared = run.resources;
    inbound = (run.resources.find((r) => r.type === "tenant-guardrails:index:EmailAuthentication")!.plainInputs as { inbound: InboundSettings }).inbound;
    const zones = zonesFrom(declared);
    zones.push({ name: "protection.outlook.com", records: [{ name: "spf", type: "TXT", ttl: 300, data: [MICROSOFT_SPF_STAND_IN] }] });
    // Stand-in for Microsoft's DKIM key at our legacy CNAME's target (Exchange Online publishes it there).
    zones.push({ name: "contoso.onmicrosoft.com", records: [{ name: "selector1-contoso-com._domainkey", type: "TXT", ttl: 300, data: splitTxt(`v=DKIM1; k=rsa; p=${DKIM_PUBLIC_KEY}`) }] });
    server = await startNsd(NSD!, zones);
  });

  afterAll(async () => {
    await server?.stop();
  });

  const resolve = (name: string, type: string) => server.resolver.resolve(name, type) as Promise<never>;
  /** Follows CNAMEs across zones the way a recursive resolver does (NSD, authoritative, does not). */
  const recursive = async (name: string, type: string): Promise<never> => {
    for (let hops = 0; hops < 5; hops++) {
      try {
        return (await server.resolver.resolve(name, type)) as never;
      } catch (err) {
        if ((err as { code?: string }).code !== "ENODATA" || type === "CNAME") throw err;
        const [target] = await server.resolver.resolveCname(name).catch(() => [] as string[]);
        if (!target) throw err;
        name = target;
      }
    }
    throw new Error(`CNAME chain too long at ${name}`);
  };

  it("serves exactly the DMARC and SPF records the stack declares", async () => {
    expect(declared.filter((r) => r.type === "azure-native:dns:RecordSet")).toHaveLength(7);
    // contoso.net reports to contoso.com: the component publishes the authorisation there.
    expect(await server.resolver.resolveTxt("contoso.net._report._dmarc.contoso.com")).toEqual([["v=DMARC1;"]]);
    expect((await server.resolver.resolveTxt("_dmarc.contoso.com")).map((s) => s.join(""))).toEqual(["v=DMARC1; p=reject; rua=mailto:dmarc-reports@contoso.com"]);
    expect((await server.resolver.resolveTxt("contoso.com")).map((s) => s.join("")).sort()).toEqual(["MS=ms12345678", "v=spf1 include:spf.protection.outlook.com -all"]);
    expect(await server.resolver.resolveCname("selector1._domainkey.contoso.com")).toEqual(["selector1-contoso-com._domainkey.contoso.onmicrosoft.com"]);
  });

  it("an aligned message sent through Exchange Online passes SPF and DMARC", async () => {
    const result = await authenticate(message("News <news@contoso.com>"), { ip: EXCHANGE_ONLINE_IP, helo: "mail.protection.outlook.com", sender: "bounce@contoso.com", mta: "mx.fabrikam.example", resolver: resolve, disableArc: true, disableBimi: true });
    expect(result.spf && result.spf.status.result).toBe("pass");
    const dmarc = result.dmarc as { status: { result: string }; policy: string; p: string };
    expect(dmarc.status.result).toBe("pass");
    expect(dmarc.p).toBe("reject");
  });

  it("a spoofed message from elsewhere fails SPF and DMARC with our p=reject, and Exchange Online rejects it", async () => {
    const result = await authenticate(message("CEO <ceo@contoso.com>"), { ip: SPOOFER_IP, helo: "mail.spoofer.example", sender: "ceo@contoso.com", mta: "mx.fabrikam.example", resolver: resolve, disableArc: true, disableBimi: true });
    expect(result.spf && result.spf.status.result).toBe("fail");
    const dmarc = result.dmarc as { status: { result: string }; policy: string };
    expect(dmarc.status.result).toBe("fail");
    expect(dmarc.policy).toBe("reject");
    // The receiving tenant is ours (prod settings): intra-org spoofing of an accepted domain.
    const verdict = evaluateInboundDmarc({ from: "ceo@contoso.com", dmarc: "fail", senderPolicy: dmarc.policy as "reject", sourceIp: SPOOFER_IP }, { ...inbound, acceptedDomains: ["contoso.com", "contoso.net"] });
    expect(verdict.verdict).toBe("reject");
  });

  it("a message signed with Exchange Online's selector1 key passes DKIM through our CNAME, and DMARC even when forwarded", async () => {
    const original = message("News <news@contoso.com>");
    const key = { signingDomain: "contoso.com", selector: "selector1", privateKey: DKIM_PRIVATE_KEY.export({ type: "pkcs8", format: "pem" }).toString() };
    // mailauth 4.x signs with the entries of signatureData.
    const signed = await dkimSign(original, { ...key, signatureData: [key] });
    expect(signed.signatures).toMatch(/^DKIM-Signature: .*d=contoso\.com/s);
    // Forwarded: it arrives from a mailing list's server, so SPF for contoso.com fails.
    const result = await authenticate(signed.signatures + original, { ip: "192.0.2.44", helo: "lists.example.org", sender: "news@contoso.com", mta: "mx.fabrikam.example", resolver: recursive, disableArc: true, disableBimi: true });
    expect(result.spf && result.spf.status.result).toBe("fail");
    expect(result.dkim.results[0].status.result).toBe("pass");
    expect((result.dmarc as { status: { result: string } }).status.result).toBe("pass");
  });

  it("the parked domain fails SPF and DMARC for any sender", async () => {
    const result = await authenticate(message("x@contoso.net"), { ip: EXCHANGE_ONLINE_IP, helo: "mail.protection.outlook.com", sender: "x@contoso.net", mta: "mx.fabrikam.example", resolver: resolve, disableArc: true, disableBimi: true });
    expect(result.spf && result.spf.status.result).toBe("fail");
    expect((result.dmarc as { status: { result: string }; policy: string }).policy).toBe("reject");
  });
});
