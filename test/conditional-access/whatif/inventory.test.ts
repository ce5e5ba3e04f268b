/** The device inventory reader: shapes, encodings, name and value mapping, refusals and warnings. */
import { InventoryError, readDeviceInventory } from "../../../components";

const read = (text: string | Uint8Array, format?: "json" | "csv") => readDeviceInventory(text, { format });

describe("join type display values", () => {
  const cases: [string, string][] = [
    ["Microsoft Entra joined", "AzureAD"],
    ["microsoft entra JOINED", "AzureAD"],
    ["Azure AD joined", "AzureAD"],
    ["Microsoft Entra hybrid joined", "ServerAD"],
    ["Hybrid Azure AD joined", "ServerAD"],
    ["hybrid azure ad joined", "ServerAD"],
    ["Microsoft Entra registered", "Workplace"],
    ["Azure AD registered", "Workplace"],
    ["Workplace", "Workplace"],
    ["workplace", "workplace"], // Graph's own value: kept, compared case-insensitively
    ["AzureAd", "AzureAd"],
    ["ServerAd", "ServerAd"],
  ];
  it.each(cases)("%s -> %s", (display, expected) => {
    const r = read(`displayName,joinType (trustType)\nPC,${display}\n`);
    expect(r.devices[0]).toEqual({ displayName: "PC", trustType: expected });
    expect(r.warnings).toEqual([]);
  });
});

describe("Get-MgDevice JSON", () => {
  it("maps PascalCase keys case-insensitively to Graph names, extension attributes included", () => {
    const r = read(
      JSON.stringify([
        {
          DisplayName: "PC",
          TrustType: "AzureAd",
          OperatingSystem: "Windows",
          IsCompliant: false,
          DeviceId: "d",
          Id: "o",
          PhysicalIds: ["[ZTDId]:z"],
          ExtensionAttributes: { ExtensionAttribute1: "SAW", ExtensionAttribute2: null },
          AdditionalProperties: {},
        },
      ]),
    );
    expect(r.devices).toEqual([
      { displayName: "PC", trustType: "AzureAd", operatingSystem: "Windows", isCompliant: false, deviceId: "d", id: "o", physicalIds: ["[ZTDId]:z"], extensionAttributes: { extensionAttribute1: "SAW" } },
    ]);
    expect(r.format).toBe("get-mgdevice-json");
  });

  it("reads the AdditionalProperties bag for what the typed properties leave empty", () => {
    const r = read(JSON.stringify({ DisplayName: "PC", TrustType: null, OperatingSystem: "Windows", AdditionalProperties: { trustType: "ServerAd", operatingSystem: "Linux", deviceOwnership: "Company" } }));
    expect(r.devices).toEqual([{ displayName: "PC", trustType: "ServerAd", operatingSystem: "Windows", deviceOwnership: "Company" }]);
  });

  it("takes one device object (ConvertTo-Json of a single device) and Windows PowerShell's { value, Count }", () => {
    expect(read('{"DisplayName":"PC","TrustType":"Workplace"}').devices).toEqual([{ displayName: "PC", trustType: "Workplace" }]);
    expect(read('{"value":[{"DisplayName":"PC","TrustType":"Workplace"}],"Count":1}').devices).toHaveLength(1);
  });

  it("an ExtensionAttributes type name (ConvertTo-Json past its depth) is an error with the fix", () => {
    const doc = JSON.stringify([{ TrustType: "AzureAd", ExtensionAttributes: "Microsoft.Graph.PowerShell.Models.MicrosoftGraphOnPremisesExtensionAttributes" }]);
    expect(() => read(doc)).toThrow(InventoryError);
    expect(() => read(doc)).toThrow(
      'device #0: ExtensionAttributes is "Microsoft.Graph.PowerShell.Models.MicrosoftGraphOnPremisesExtensionAttributes": expected an object of extensionAttribute1..15 values; Windows PowerShell wrote a .NET type name because ConvertTo-Json ran out of depth: use ConvertTo-Json -Depth 5',
    );
  });

  it("wrong-typed values are errors naming the device and the value", () => {
    expect(() => read('[{"trustType":"AzureAd","isCompliant":"sometimes"}]')).toThrow('device #0: isCompliant is "sometimes": expected true, false or empty');
    expect(() => read('[{"trustType":"AzureAd"},{"trustType":7}]')).toThrow("device #1: trustType is 7: expected a string or null");
    expect(() => read('[{"trustType":"AzureAd","physicalIds":[1]}]')).toThrow("device #0: physicalIds[0] is 1: expected a string");
    expect(() => read('[{"trustType":"AzureAd","displayName":["a"]}]')).toThrow('device #0: displayName is ["a"]: expected a string or null');
  });
});

describe("Graph JSON pages", () => {
  const page = (names: string[], next?: string) =>
    JSON.stringify({ "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#devices", ...(next ? { "@odata.nextLink": next } : {}), value: names.map((displayName) => ({ displayName, trustType: "AzureAd" })) });

  it("reads pages appended one after the other to one file", () => {
    const r = read(`${page(["a", "b"], "https://graph.microsoft.com/v1.0/devices?$skiptoken=x")}\n${page(["c"])}\n`);
    expect(r.devices.map((d) => (d as { displayName: string }).displayName)).toEqual(["a", "b", "c"]);
    expect(r.warnings).toEqual([]);
  });

  it("warns when the last page says more pages follow", () => {
    const r = read(page(["a"], "https://graph.microsoft.com/v1.0/devices?$skiptoken=x"));
    expect(r.warnings).toEqual([expect.objectContaining({ kind: "incomplete-pages" })]);
    expect(r.warnings[0].message).toContain("Get-MgDevice -All");
  });

  it("names the line of a JSON syntax error between documents", () => {
    expect(() => read(`${page(["a"])}\n{"value": [}`)).toThrow(/not valid JSON \(document starting at line 2/);
  });
});

describe("CSV", () => {
  it("does not read a physical id that starts with [ as a JSON array", () => {
    const r = read('displayName,trustType,physicalIds\nPC,AzureAd,"[ZTDId]:1a2b;[GID]:g:77"\n');
    expect(r.devices[0]).toEqual({ displayName: "PC", trustType: "AzureAd", physicalIds: ["[ZTDId]:1a2b", "[GID]:g:77"] });
  });

  it("reads Export-Csv -UseCulture (semicolons), the #TYPE line and Excel's sep= line", () => {
    const typed = read('#TYPE Selected.Microsoft.Graph.PowerShell.Models.MicrosoftGraphDevice\n"DisplayName";"TrustType";"IsCompliant"\n"PC, 2nd floor";"ServerAd";"True"\n');
    expect(typed.devices).toEqual([{ displayName: "PC, 2nd floor", trustType: "ServerAd", isCompliant: true }]);
    expect(typed.format).toBe("powershell-csv");
    expect(read("sep=;\ndisplayName;trustType\nPC;AzureAd\n").devices).toEqual([{ displayName: "PC", trustType: "AzureAd" }]);
  });

  it("reads extension attributes as flat columns, dotted columns or a PowerShell @{...} cell", () => {
    const r = read('displayName,trustType,extensionAttribute1,extensionAttributes.extensionAttribute2,ExtensionAttributes\nPC,AzureAd,SAW,Finance,"@{extensionAttribute3=Tier0; extensionAttribute4=}"\n');
    expect(r.devices[0]).toEqual({ displayName: "PC", trustType: "AzureAd", extensionAttributes: { extensionAttribute1: "SAW", extensionAttribute2: "Finance", extensionAttribute3: "Tier0" } });
  });

  it("warns about registered devices without a trust type when others have one", () => {
    const r = read("displayName,trustType\nA,AzureAd\nPRINTER-1,\n");
    expect(r.warnings).toEqual([{ kind: "missing-trust-type", message: "1 registered device(s) have no trust type (line 3): device filters see none for them, as for an unregistered device" }]);
  });

  it("names the first line of a record that spans lines, counting the #TYPE line; ignores empty trailing columns", () => {
    expect(() => read('#TYPE X\n"DisplayName","TrustType","IsCompliant"\n"A","AzureAd","True"\n"B\nx","AzureAd","nope"\n')).toThrow('line 4: IsCompliant is "nope"');
    const r = read("displayName,trustType,,\nA,AzureAd,,\n");
    expect(r.warnings).toEqual([]);
    expect(r.columns).toEqual(["displayName", "trustType"]);
  });

  it("names the line of a row with the wrong number of cells", () => {
    expect(() => read("displayName,trustType\nA,AzureAd,extra\n")).toThrow(/not a CSV table \(line 2\)/);
  });
});

describe("refusals", () => {
  it("an empty file, or one without devices", () => {
    expect(() => read("")).toThrow("the file is empty");
    expect(() => read("[]")).toThrow("the inventory holds no devices");
    expect(() => read("displayName,trustType\n")).toThrow("the inventory holds no devices");
  });

  it("no registered device with a trust type; an inventory of unregistered devices only is fine", () => {
    expect(() => read('[{"displayName":"A"},null]')).toThrow(/^no device has a trust type, .*\(columns seen: "displayName"\)/);
    expect(read('[null,{"unregistered":true,"operatingSystem":"iOS"}]').devices).toEqual([null, { unregistered: true, operatingSystem: "iOS" }]);
  });

  it("bytes that are neither UTF-8 nor UTF-16 with a BOM", () => {
    expect(() => read(Uint8Array.from([0x50, 0x43, 0xe9, 0x2c, 0x41]))).toThrow(InventoryError);
  });
});
