/**
 * Every rejection a user can meet: the position points at the faulty token, and the message
 * names the token, says what was expected and how to fix it.
 */
import { DeviceFilter, DeviceFilterError, MAX_NESTING_DEPTH, formatFilterError } from "../../../components/conditional-access";
import { parseError } from "../../helpers/device-filter";


/** The position of the first occurrence of `marker` in `rule` (keeps expectations readable). */
function at(rule: string, marker: string): number {
  const i = rule.indexOf(marker);
  if (i < 0) throw new Error(`${marker} not in ${rule}`);
  return i;
}

interface Case {
  rule: string;
  /** Text at the faulty position. */
  marker: string;
  code: string;
  /** Fragments the message must contain. */
  says: string[];
}

const CASES: Record<string, Case> = {
  "-in on trustType": {
    rule: 'device.trustType -in ["AzureAD", "ServerAD"]',
    marker: "-in",
    code: "operator-not-allowed",
    says: ['("-in")', "-in is not allowed on device.trustType", "only -eq/-ne", "combine values with -or"],
  },
  "-notIn on trustType": {
    rule: 'device.trustType -notIn ["AzureAD"]',
    marker: "-notIn",
    code: "operator-not-allowed",
    says: ["only -eq/-ne", "combine values with -and"],
  },
  "-contains on trustType": {
    rule: 'device.operatingSystem -eq "Windows" -and device.trustType -contains "AD"',
    marker: "-contains",
    code: "operator-not-allowed",
    says: ["-contains is not allowed on device.trustType", "only -eq/-ne"],
  },
  "-match": {
    rule: 'device.model -match "^Surface"',
    marker: "-match",
    code: "dynamic-group-operator",
    says: ["-match exists only in dynamic group rules", "expected an operator allowed on device.model", "no regular expressions"],
  },
  "-notMatch": {
    rule: 'device.displayName -notMatch "x"',
    marker: "-notMatch",
    code: "dynamic-group-operator",
    says: ["-notMatch exists only in dynamic group rules"],
  },
  "-any": {
    rule: 'device.physicalIds -any (_ -contains "[ZTDId]")',
    marker: "-any",
    code: "dynamic-group-operator",
    says: ["-any exists only in dynamic group rules", "use -contains / -notContains on device.physicalIds"],
  },
  "-all": {
    rule: 'device.systemLabels -all (_ -eq "x")',
    marker: "-all",
    code: "dynamic-group-operator",
    says: ["-all exists only in dynamic group rules"],
  },
  "unknown property with a close match": {
    rule: 'device.trustType -eq "AzureAD" -or device.operatingSytem -eq "Windows"',
    marker: "device.operatingSytem",
    code: "unknown-property",
    says: ["unknown device property operatingSytem", "did you mean device.operatingSystem?"],
  },
  "misspelt extension attribute": {
    rule: 'device.extentionAttribute3 -eq "SAW"',
    marker: "device.extentionAttribute3",
    code: "unknown-property",
    says: ["did you mean device.extensionAttribute3?"],
  },
  "unknown property without a close match": {
    rule: 'device.colour -eq "blue"',
    marker: "device.colour",
    code: "unknown-property",
    says: ["unknown device property colour", "expected a device property (deviceId, displayName"],
  },
  "device.deviceTrustType (dynamic-group spelling)": {
    rule: 'device.deviceTrustType -eq "ServerAD"',
    marker: "device.deviceTrustType",
    code: "dynamic-group-property",
    says: ["device.deviceTrustType is the dynamic-group spelling", "Fix: write device.trustType"],
  },
  "device.devicePhysicalIDs (old doc spelling)": {
    rule: 'device.devicePhysicalIDs -contains "[ZTDId]:x"',
    marker: "device.devicePhysicalIDs",
    code: "dynamic-group-property",
    says: ["Fix: write device.physicalIds"],
  },
  "unknown trustType value": {
    rule: 'device.trustType -eq "Hybrid"',
    marker: '"Hybrid"',
    code: "invalid-value",
    says: ['"Hybrid" is not a device.trustType value', 'expected one of "AzureAD", "ServerAD", "Workplace"'],
  },
  "trustType value with a close match": {
    rule: 'device.trustType -ne "AzureADJoined"',
    marker: '"AzureADJoined"',
    code: "invalid-value",
    says: ['did you mean "AzureAD"?'],
  },
  "unknown deviceOwnership value": {
    rule: 'device.deviceOwnership -eq "Corporate"',
    marker: '"Corporate"',
    code: "invalid-value",
    says: ['is not a device.deviceOwnership value', 'expected one of "Company", "Personal"'],
  },
  "unknown profileType value": {
    rule: 'device.profileType -eq "Kiosk"',
    marker: '"Kiosk"',
    code: "invalid-value",
    says: ['is not a device.profileType value', '"RegisteredDevice", "SecureVM", "Printer", "Shared", "IoT"'],
  },
  "non-boolean isCompliant": {
    rule: 'device.isCompliant -eq "yes"',
    marker: '"yes"',
    code: "invalid-value",
    says: ["device.isCompliant is True or False", "expected True or False", "Fix: write device.isCompliant -eq True"],
  },
  "unclosed parenthesis": {
    rule: '(device.trustType -eq "AzureAD" -or (device.trustType -eq "ServerAD")',
    marker: "(",
    code: "unbalanced-parenthesis",
    says: ["this ( is never closed", "expected a matching )"],
  },
  "extra closing parenthesis": {
    rule: 'device.trustType -eq "AzureAD")',
    marker: ")",
    code: "unbalanced-parenthesis",
    says: ["this ) has no matching ("],
  },
  "unterminated string": {
    rule: 'device.trustType -eq "AzureAD -or device.isCompliant -eq True',
    marker: '"AzureAD',
    code: "unterminated-string",
    says: ["this string is never closed", 'expected a closing double quote (")'],
  },
  "trailing garbage": {
    rule: 'device.trustType -eq "AzureAD" please',
    marker: "please",
    code: "unexpected-token",
    says: ['("please")', "expected -and, -or or the end of the rule"],
  },
  "two comparisons without -and/-or": {
    rule: 'device.trustType -eq "AzureAD" device.isCompliant -eq True',
    marker: "device.isCompliant",
    code: "unexpected-token",
    says: ["need a logical operator between them", "insert -and or -or before device.isCompliant"],
  },
  "missing device. prefix": {
    rule: 'trustType -eq "AzureAD"',
    marker: "trustType",
    code: "missing-device-prefix",
    says: ["lacks the device. prefix", "Fix: write device.trustType"],
  },
  "-eq null": {
    rule: "device.extensionAttribute1 -eq null",
    marker: "null",
    code: "null-value",
    says: ["null comparisons are not documented for Conditional Access", "use a negative operator such as -ne"],
  },
  "-ne null": {
    rule: "device.model -ne NULL",
    marker: "NULL",
    code: "null-value",
    says: ["null comparisons"],
  },
  extensionAttribute16: {
    rule: 'device.extensionAttribute16 -eq "SAW"',
    marker: "device.extensionAttribute16",
    code: "unknown-property",
    says: ["there is no device.extensionAttribute16", "extensionAttribute1 to extensionAttribute15"],
  },
  extensionAttribute0: {
    rule: 'device.extensionAttribute0 -eq "SAW"',
    marker: "device.extensionAttribute0",
    code: "unknown-property",
    says: ["there is no device.extensionAttribute0"],
  },
  "single-quoted literal": {
    rule: "device.displayName -startsWith 'O''Brien'",
    marker: "'O''Brien'",
    code: "single-quoted-string",
    says: ["single-quoted strings are not accepted", "expected a double-quoted string", `write "O'Brien" instead of 'O''Brien'`],
  },
  "unquoted string value": {
    rule: "device.operatingSystem -eq Windows",
    marker: "Windows",
    code: "invalid-value",
    says: ["values must be in double quotes", 'Fix: write "Windows"'],
  },
  "list with -eq": {
    rule: 'device.operatingSystem -eq ["Windows"]',
    marker: "[",
    code: "invalid-value",
    says: ["-eq compares with a single value, not a list", "use -in / -notIn"],
  },
  "-in without a list": {
    rule: 'device.operatingSystem -in "Windows"',
    marker: '"Windows"',
    code: "invalid-value",
    says: ["-in takes a list of values", 'write device.operatingSystem -in ["Windows"]'],
  },
  "empty list": {
    rule: "device.operatingSystem -notIn []",
    marker: "]",
    code: "invalid-value",
    says: ["-notIn needs at least one value"],
  },
  "list without commas": {
    rule: 'device.operatingSystem -in ["iOS" "Android"]',
    marker: '"Android"',
    code: "unexpected-token",
    says: ["separated by commas"],
  },
  "trailing comma in a list": {
    rule: 'device.operatingSystem -in ["iOS",]',
    marker: "]",
    code: "unexpected-token",
    says: ["remove the trailing comma"],
  },
  "a property where the operator should be": {
    rule: 'device.trustType device.model -eq "x"',
    marker: "device.model",
    code: "unexpected-token",
    says: ["device.trustType must be followed by an operator", "expected an operator: -eq or -ne"],
  },
  "-not joining two comparisons": {
    rule: 'device.model -eq "a" -not device.model -eq "b"',
    marker: "-not",
    code: "unexpected-token",
    says: ["-not negates the comparison after it but cannot join two comparisons", "write -and -not or -or -not"],
  },
  "unclosed list": {
    rule: 'device.operatingSystem -in ["iOS", "Android"',
    marker: "[",
    code: "unbalanced-parenthesis",
    says: ["this [ is never closed"],
  },
  "empty value": {
    rule: 'device.displayName -eq "   "',
    marker: '"   "',
    code: "invalid-value",
    says: ["empty values"],
  },
  "missing operator": {
    rule: 'device.trustType "AzureAD"',
    marker: '"AzureAD"',
    code: "unexpected-token",
    says: ["device.trustType must be followed by an operator", "expected an operator: -eq or -ne"],
  },
  "unknown operator with a close match": {
    rule: 'device.model -equals "x"',
    marker: "-equals",
    code: "unknown-operator",
    says: ["unknown operator -equals", "did you mean -eq?"],
  },
  "C-style operator": {
    rule: 'device.model == "x"',
    marker: "==",
    code: "unexpected-character",
    says: ["== is not an operator of device filter rules", "write -eq instead of =="],
  },
  "C-style logic": {
    rule: 'device.model -eq "x" && device.model -eq "y"',
    marker: "&&",
    code: "unexpected-character",
    says: ["write -and instead of &&"],
  },
  "rule ending after -and": {
    rule: 'device.model -eq "x" -and',
    marker: "",
    code: "unexpected-token",
    says: ["(end of rule)", "the rule ends where a comparison should follow"],
  },
  "rule ending after the operator": {
    rule: "device.model -eq",
    marker: "",
    code: "invalid-value",
    says: ["the rule ends before the value of device.model"],
  },
  "-or at the start": {
    rule: '-or device.model -eq "x"',
    marker: "-or",
    code: "unexpected-token",
    says: ["-or needs a comparison on its left"],
  },
  "deviceId placeholder": {
    rule: 'device.trustType -ne "AzureAD" -and device.deviceId -ne "%SawDeviceId%"',
    marker: '"%SawDeviceId%"',
    code: "invalid-value",
    says: ['"%SawDeviceId%" is not a device id', "expected a device id (GUID)", "an unresolved placeholder"],
  },
  "deviceId template GUID in a list": {
    rule: 'device.deviceId -notIn ["6c2e6d4a-1111-4a2b-9c3d-0123456789ab", "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"]',
    marker: '"xxxxxxxx',
    code: "invalid-value",
    says: ["is not a device id", "the device's deviceId"],
  },
  "empty parentheses": {
    rule: "()",
    marker: ")",
    code: "unexpected-token",
    says: ["empty parentheses"],
  },
};

describe("rejections: position and message", () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(name, () => {
      const err = parseError(c.rule);
      const position = c.marker === "" ? c.rule.length : at(c.rule, c.marker);
      expect({ code: err.code, position: err.position, rule: err.rule }).toEqual({ code: c.code, position, rule: c.rule });
      if (c.marker !== "") expect(err.token.startsWith(c.marker) || c.marker.startsWith(err.token)).toBe(true);
      for (const s of c.says) expect(err.message).toContain(s);
      expect(err.message).toContain(`position ${position}`);
      expect(err.message).toContain(`expected ${err.expected}`);
      expect(err.message).toContain(`Fix: ${err.fix}`);
      expect(err.expected.length).toBeGreaterThan(0);
      expect(err.fix.length).toBeGreaterThan(0);
    });
  }

  it("an empty rule", () => {
    for (const rule of ["", "   \t\n"]) {
      const err = parseError(rule);
      expect(err.code).toBe("empty-rule");
      expect(err.position).toBe(0);
      expect(err.message).toContain("the rule is empty");
      expect(err.fix).toBe('write at least one comparison, e.g. device.trustType -eq "AzureAD"');
    }
  });

  it("nesting deeper than the limit", () => {
    const rule = "(".repeat(MAX_NESTING_DEPTH + 1) + 'device.model -eq "x"' + ")".repeat(MAX_NESTING_DEPTH + 1);
    const err = parseError(rule);
    expect(err.code).toBe("too-deep");
    expect(err.position).toBe(MAX_NESTING_DEPTH);
    const ok = "(".repeat(MAX_NESTING_DEPTH) + 'device.model -eq "x"' + ")".repeat(MAX_NESTING_DEPTH);
    expect(DeviceFilter.parse(ok).toString()).toBe('device.model -eq "x"');
  });

  it("reports the first fault in reading order (a bad property before an unterminated string)", () => {
    const err = parseError('device.trustTyp -eq "AzureAD');
    expect(err.code).toBe("unknown-property");
    expect(err.position).toBe(0);
  });

  it("a non-string rule gives a DeviceFilterError, not a TypeError", () => {
    expect(() => DeviceFilter.parse(undefined as unknown as string)).toThrow(DeviceFilterError);
    expect(() => DeviceFilter.parse(42 as unknown as string)).toThrow("the rule must be a string, got number");
  });
});

describe("formatFilterError", () => {
  it("puts a caret under the position, as long as the token", () => {
    const err = parseError('device.trustType -eq "Hybrid"');
    expect(formatFilterError(err).split("\n")).toEqual([err.message, '  device.trustType -eq "Hybrid"', "  " + " ".repeat(21) + "^" + "~".repeat(7)]);
    expect(err.message).toContain('at position 21 ("Hybrid"): "Hybrid" is not a device.trustType value');
  });

  it("aligns the caret when the rule has tabs and line breaks", () => {
    const err = parseError('device.trustType\t-eq\n"Hybrid"');
    const [, line, caret] = formatFilterError(err).split("\n");
    expect(line).toBe('  device.trustType -eq "Hybrid"');
    expect(caret.indexOf("^")).toBe(line.indexOf('"Hybrid"'));
  });

  it("shows a window around the fault of a long rule", () => {
    const filler = Array.from({ length: 40 }, (_, i) => `device.model -ne "m${i}"`).join(" -and ");
    const rule = `${filler} -and device.trustType -in ["AzureAD"]`;
    const err = parseError(rule);
    const [, line, caret] = formatFilterError(err).split("\n");
    expect(line.length).toBeLessThan(140);
    expect(line.startsWith("  ...")).toBe(true);
    expect(line.slice(caret.indexOf("^"), caret.indexOf("^") + 3)).toBe("-in");
  });

  it("puts the caret after the last character when the rule ends too early", () => {
    const err = parseError('device.model -eq "x" -and');
    const [, line, caret] = formatFilterError(err).split("\n");
    expect(caret.indexOf("^")).toBe(line.length);
  });
});
