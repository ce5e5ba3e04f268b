import { DeviceFilter, DeviceFilterError, deviceRule, formatFilterError } from "../../../components/conditional-access";

describe("DeviceFilter basics", () => {
  it("parses and prints the scenario rule canonically", () => {
    const f = DeviceFilter.parse('device.trustType ne "azuread" AND device.TrustType -NE "ServerAd"');
    expect(f.toString()).toBe('device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"');
    expect(f.matches(null)).toBe(true);
    expect(f.matches({ trustType: "AzureAd" })).toBe(false);
    expect(f.matches({ trustType: "Workplace" })).toBe(true);
  });

  it("builds trustType sets without -notIn", () => {
    expect(deviceRule.trustType.notAnyOf(["AzureAD", "ServerAD"]).build().toString()).toBe(
      'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"',
    );
  });

  it("rejects -in on trustType with a caret under the operator", () => {
    const rule = 'device.trustType -in ["AzureAD"]';
    let err: unknown;
    try {
      DeviceFilter.parse(rule);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeviceFilterError);
    expect((err as DeviceFilterError).position).toBe(17);
    expect(formatFilterError(err as DeviceFilterError).split("\n")[2]).toBe("  " + " ".repeat(17) + "^~~");
  });
});

describe("pure core", () => {
  it("the device filter modules import nothing but each other and Node built-ins (no Pulumi, no SDKs)", () => {
    const fs = jest.requireActual<typeof import("node:fs")>("node:fs");
    const path = jest.requireActual<typeof import("node:path")>("node:path");
    const dir = path.join(__dirname, "../../../components/conditional-access/device-filter");
    const files = fs.readdirSync(dir).filter((f) => /\.ts$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      const source = fs.readFileSync(path.join(dir, file), "utf8");
      const imports = [...source.matchAll(/(?:from|import|require\()\s*["']([^"']+)["']/g)].map((m) => m[1]);
      for (const spec of imports) expect(`${file}: ${spec}`).toMatch(/: (\.\/[a-z][-a-z]*|node:[a-z_]+)$/);
    }
  });
});
