/**
 * whatif reads the inventory as a stream and writes the answer as it goes: the document is the
 * one the in-memory evaluation gives, byte for byte (JSON and text), gzip inventories are read,
 * and a file cut short is an error with nothing on stdout.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { evaluateInventory, readDeviceInventory, type PlainConditionalAccessPolicy } from "../../components";
import { runCli } from "../helpers/cli";
import { scalePolicies } from "../../bench/whatif-scale";
import { syntheticDevices } from "../../bench/conditional-access";
import { importConditionalAccessFiles } from "../../components/conditional-access";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tg-whatif-stream-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

const policyExport = () => file("policies.json", JSON.stringify(scalePolicies()));
const inventory = JSON.stringify({ "@odata.context": "x", value: syntheticDevices(3000, 7) });

function expected(devicesFile: string, policiesFile: string) {
  const policies = importConditionalAccessFiles([{ name: policiesFile, content: fs.readFileSync(policiesFile) }]).policies.map((p) => p.resource as PlainConditionalAccessPolicy);
  const read = readDeviceInventory(fs.readFileSync(devicesFile));
  return { report: evaluateInventory(policies, read.devices), read };
}

describe("whatif streams the inventory and the answer", () => {
  it("--json is byte for byte the document of the in-memory evaluation (50 policies, 3,000 devices)", async () => {
    const policies = policyExport();
    const devices = file("devices.json", inventory);
    const r = await runCli(["whatif", "--json", "--devices", devices, "--policies", policies]);
    expect(r.code).toBe(0);
    const { report, read } = expected(devices, policies);
    const doc = { ok: true, source: { policies: [policies] }, importErrors: [], ...report, inventory: { file: devices, format: read.format, encoding: read.encoding }, warnings: read.warnings };
    expect(r.stdout).toBe(JSON.stringify(doc, null, 2) + "\n");
  });

  it("the text output lists every device as before", async () => {
    const policies = policyExport();
    const devices = file("devices.json", inventory);
    const r = await runCli(["whatif", "--devices", devices, "--policies", policies]);
    const { report } = expected(devices, policies);
    const lines = r.stdout.split("\n");
    expect(lines.filter((l) => /^ {2}#\d+ /.test(l))).toHaveLength(3000);
    expect(r.stdout).toContain(`\n  ${report.devices[2999].label}: `);
    expect(lines.at(-2)).toMatch(/^Totals: 3000 devices: /);
  });

  it("reads a gzip-compressed inventory and says so", async () => {
    const policies = policyExport();
    const gz = file("devices.json.gz", zlib.gzipSync(inventory));
    const r = await runCli(["whatif", "--json", "--summary", "--devices", gz, "--policies", policies]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.inventory).toMatchObject({ format: "graph-json", encoding: "utf-8", compression: "gzip" });
    expect(doc.totals.devices).toBe(3000);
  });

  it("an inventory cut short is an error naming the file and line, with nothing written on stdout", async () => {
    const policies = policyExport();
    const cut = file("cut.json", inventory.slice(0, Math.floor(inventory.length * 0.8)));
    const text = await runCli(["whatif", "--devices", cut, "--policies", policies]);
    expect(text.code).toBe(1);
    expect(text.stdout).toBe("");
    expect(text.stderr).toMatch(new RegExp(`^error: device inventory ${cut.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not valid JSON \\(the file ends at line 1 inside a list, after device #\\d+: the file is truncated`));
    const json = await runCli(["whatif", "--json", "--devices", cut, "--policies", policies]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error.message).toMatch(/not valid JSON \(the file ends/);
  });
});
