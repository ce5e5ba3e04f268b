/**
 * whatif over the device exports people actually have: the Entra admin center's "Download
 * devices" CSV, Get-MgDevice | ConvertTo-Json, Windows PowerShell 5.1 CSV in UTF-16LE, Graph pages.
 * Against the prod stack (block devices that are not Entra joined or hybrid joined; block platforms
 * other than Windows): corporate Windows PCs are allowed, personal devices blocked.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT, runCli } from "../helpers/cli";

const examples = path.join(REPO_ROOT, "examples/inventories");
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tg-inventories-"));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: string | Uint8Array): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

interface WhatifDoc {
  ok: boolean;
  devices: { label: string; outcome: string }[];
  totals: Record<string, number>;
  warnings: { kind: string; message: string }[];
  inventory: { file: string; format: string; encoding: string };
}

async function whatif(devices: string): Promise<{ code: number; stderr: string; doc: WhatifDoc }> {
  const r = await runCli(["whatif", "--stack", "prod", "--devices", devices, "--json"]);
  return { code: r.code, stderr: r.stderr, doc: JSON.parse(r.stdout) as WhatifDoc };
}

function outcomes(doc: WhatifDoc): string[] {
  return doc.devices.map((d) => `${d.label}: ${d.outcome}`);
}

describe("whatif reads the device exports people have", () => {
  it("the Entra admin center's Download devices CSV: joinType (trustType) display values", async () => {
    const { code, stderr, doc } = await whatif(path.join(examples, "entra-portal-devices.csv"));
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(outcomes(doc)).toEqual([
      "#0 HQ-LAPTOP-014 (ServerAD, Windows): allow", // Microsoft Entra hybrid joined
      "#1 CLOUD-PC-17 (AzureAD, Windows): allow", // Microsoft Entra joined
      "#2 OLD-DESK-07 (ServerAD, Windows): allow", // Hybrid Azure AD joined
      "#3 Jane's iPhone (Workplace, IOS): block", // Microsoft Entra registered
      "#4 HOME-PC (Workplace, Windows): block", // a personal Windows PC
      "#5 Pixel of Sam (Workplace, Android): block", // Azure AD registered
      "#6 KIOSK-LOBBY-2 (AzureAD, Windows): allow", // Azure AD joined
    ]);
    expect(doc.totals).toMatchObject({ devices: 7, allow: 4, block: 3 });
    expect(doc.warnings).toEqual([]);
    expect(doc.inventory.format).toBe("entra-portal-csv");
  });

  it("Get-MgDevice | ConvertTo-Json (Windows PowerShell layout, PascalCase keys)", async () => {
    const { code, stderr, doc } = await whatif(path.join(examples, "get-mgdevice.json"));
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(outcomes(doc)).toEqual([
      "#0 HQ-LAPTOP-021 (ServerAd, Windows): allow",
      "#1 CLOUD-PC-22 (AzureAd, Windows): allow",
      "#2 LIAM-HOME-LAPTOP (Workplace, Windows): block",
      "#3 Mia's iPad (Workplace, iPadOS): block",
    ]);
    expect(doc.warnings).toEqual([]);
    expect(doc.inventory.format).toBe("get-mgdevice-json");
  });

  it("Windows PowerShell 5.1 Export-Csv -Encoding Unicode: UTF-16LE with BOM, #TYPE line, lists lost", async () => {
    const csv = path.join(examples, "powershell51-utf16.csv");
    expect([...fs.readFileSync(csv).subarray(0, 4)]).toEqual([0xff, 0xfe, 0x23, 0x00]); // the sample really is UTF-16LE
    const { code, stderr, doc } = await whatif(csv);
    expect(code).toBe(0);
    expect(outcomes(doc)).toEqual([
      "#0 HQ-DESK-104 (ServerAd, Windows): allow",
      "#1 ENG-LAPTOP-33 (AzureAd, Windows): allow",
      "#2 Søren Ørsted - Surface (Workplace, Windows): block",
      "#3 Zoë iPhone (Workplace, iOS): block",
    ]);
    expect(doc.inventory).toMatchObject({ format: "powershell-csv", encoding: "utf-16le with BOM" });
    // Export-Csv writes "System.String[]" for a list: said, not silently read as a physical id
    expect(doc.warnings.map((w) => w.kind)).toEqual(["lost-value"]);
    expect(stderr).toContain(`warning: device inventory ${csv}: column "PhysicalIds" holds the .NET type name "System.String[]"`);
    expect(stderr).toContain("ConvertTo-Json -Depth 5");
  });

  it("Graph JSON saved page by page (an array of pages)", async () => {
    const { code, stderr, doc } = await whatif(path.join(examples, "graph-devices.json"));
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(outcomes(doc)).toEqual([
      "#0 FIN-LAPTOP-08 (ServerAd, Windows): allow",
      "#1 DEV-WS-12 (AzureAd, Windows): allow",
      "#2 PRIYA-MACBOOK (Workplace, MacMDM): block",
      "#3 OMAR-HOME (Workplace, Windows): block",
      "#4 RECEPTION-PC (AzureAd, Windows): allow",
    ]);
    expect(doc.inventory.format).toBe("graph-json");
  });

  it("the same portal CSV as UTF-8 with BOM, UTF-16BE with BOM and UTF-16LE without BOM", async () => {
    const text = fs.readFileSync(path.join(examples, "entra-portal-devices.csv"), "utf8");
    const le = Buffer.from(text, "utf16le");
    const be = Buffer.from(le).swap16();
    const variants: [string, Buffer, string][] = [
      ["utf8-bom.csv", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")]), "utf-8 with BOM"],
      ["utf16be-bom.csv", Buffer.concat([Buffer.from([0xfe, 0xff]), be]), "utf-16be with BOM"],
      ["utf16le-nobom.csv", le, "utf-16le without BOM"],
    ];
    for (const [name, bytes, encoding] of variants) {
      const { code, doc } = await whatif(file(name, bytes));
      expect([name, code, doc.inventory.encoding]).toEqual([name, 0, encoding]);
      expect(doc.devices.map((d) => d.outcome)).toEqual(["allow", "allow", "allow", "block", "block", "block", "allow"]);
    }
  });

  it("human output shows the trust type read from the display value", async () => {
    const r = await runCli(["whatif", "--stack", "prod", "--devices", path.join(examples, "entra-portal-devices.csv")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("#0 HQ-LAPTOP-014 (ServerAD, Windows): allow");
    expect(r.stdout).toContain("#4 HOME-PC (Workplace, Windows): block");
  });
});

describe("whatif refuses or warns instead of misreading", () => {
  it("refuses a file where no device has a trust type: names the file, the columns seen and the fix", async () => {
    // An Intune "All devices" export: no join type at all.
    const intune = file("intune-devices.csv", "Device name,OS,OS version,Compliance,Ownership\nHQ-LAPTOP-001,Windows,10.0.22631,Compliant,Corporate\nHOME-PC,Windows,10.0.19045,Noncompliant,Personal\n");
    const r = await runCli(["whatif", "--stack", "prod", "--devices", intune]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`device inventory ${intune}: no device has a trust type`);
    expect(r.stderr).toContain('columns seen: "Device name", "OS", "OS version", "Compliance", "Ownership"');
    expect(r.stderr).toContain("Download devices");
    expect(r.stderr).toContain("Get-MgDevice -All | ConvertTo-Json -Depth 5");

    const json = await runCli(["whatif", "--stack", "prod", "--json", "--devices", file("no-trust.json", JSON.stringify([{ displayName: "A", operatingSystem: "Windows" }]))]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error.message).toMatch(/no device has a trust type.*columns seen: "displayName", "operatingSystem"/);
  });

  it("an object-valued trustType is an error naming the file, the device and the value (no TypeError)", async () => {
    const bad = file("object-trust.json", JSON.stringify([{ displayName: "A", trustType: "AzureAd" }, { displayName: "B", trustType: { value: "ServerAd" } }]));
    const r = await runCli(["whatif", "--stack", "prod", "--devices", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: device inventory ${bad}: device #1: trustType is {"value":"ServerAd"}: expected a string or null\n`);
  });

  it("a wrong-typed CSV cell names the line and the value", async () => {
    const bad = file("bad-compliant.csv", "displayName,trustType,isCompliant\nA,AzureAd,true\nB,ServerAd,maybe\n");
    const r = await runCli(["whatif", "--stack", "prod", "--devices", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: device inventory ${bad}: line 3: isCompliant is "maybe": expected true, false or empty\n`);
  });

  it("warns on unknown columns and unknown trust-type values, on stderr and in the JSON warnings", async () => {
    const odd = file("odd.csv", "displayName,trustType,operatingSystem,costCenter\nA,Microsoft Entra joined,Windows,4711\nB,Entra cloud joined,Windows,4712\n");
    const { code, stderr, doc } = await whatif(odd);
    expect(code).toBe(0);
    expect(doc.warnings.map((w) => w.kind)).toEqual(["unknown-column", "unknown-trust-type"]);
    expect(stderr).toContain(`warning: device inventory ${odd}: unknown column(s) "costCenter" ignored`);
    expect(stderr).toContain('unknown trust type "Entra cloud joined" on 1 device(s) (first at line 3)');
    // the unknown value is not trusted
    expect(outcomes(doc)).toEqual(["#0 A (AzureAD, Windows): allow", "#1 B (Entra cloud joined, Windows): block"]);
  });
});
