/**
 * The grammar of device filter rules: the property/operator table of the reference (section 1.1)
 * written out independently here, operator spellings, values, logic, precedence and the
 * canonical form.
 */
import { DeviceFilter, MAX_RULE_LENGTH, type FilterNode } from "../../../components/conditional-access";
import { parseError } from "../../helpers/device-filter";


const STRING_OPS = ["-eq", "-ne", "-startsWith", "-notStartsWith", "-endsWith", "-notEndsWith", "-contains", "-notContains", "-in", "-notIn"];
const ALL_OPS = STRING_OPS;

/** Reference section 1.1, one row per property: allowed operators and a valid value. */
const TABLE: { property: string; operators: string[]; value: string }[] = [
  { property: "deviceId", operators: ["-eq", "-ne", "-in", "-notIn"], value: '"6c2e6d4a-1111-4a2b-9c3d-0123456789ab"' },
  { property: "displayName", operators: STRING_OPS, value: '"ABC"' },
  { property: "deviceOwnership", operators: ["-eq", "-ne"], value: '"Company"' },
  { property: "enrollmentProfileName", operators: STRING_OPS, value: '"AutoPilot Profile"' },
  { property: "isCompliant", operators: ["-eq", "-ne"], value: "True" },
  { property: "manufacturer", operators: STRING_OPS, value: '"Microsoft"' },
  { property: "mdmAppId", operators: ["-eq", "-ne", "-in", "-notIn"], value: '"0000000a-0000-0000-c000-000000000000"' },
  { property: "model", operators: STRING_OPS, value: '"Surface"' },
  { property: "operatingSystem", operators: STRING_OPS, value: '"Windows"' },
  { property: "operatingSystemVersion", operators: STRING_OPS, value: '"10.0.18363"' },
  { property: "physicalIds", operators: ["-contains", "-notContains"], value: '"[ZTDId]:value"' },
  { property: "profileType", operators: ["-eq", "-ne"], value: '"Printer"' },
  { property: "systemLabels", operators: ["-contains", "-notContains"], value: '"M365Managed"' },
  { property: "trustType", operators: ["-eq", "-ne"], value: '"ServerAD"' },
  ...Array.from({ length: 15 }, (_, i) => ({ property: `extensionAttribute${i + 1}`, operators: STRING_OPS, value: '"SAW"' })),
];

function valueFor(op: string, value: string): string {
  return op === "-in" || op === "-notIn" ? `[${value}]` : value;
}

describe("property/operator table", () => {
  for (const row of TABLE) {
    describe(`device.${row.property}`, () => {
      for (const op of row.operators) {
        it(`accepts ${op}`, () => {
          const rule = `device.${row.property} ${op} ${valueFor(op, row.value)}`;
          expect(DeviceFilter.parse(rule).toString()).toBe(rule);
        });
      }
      for (const op of ALL_OPS.filter((o) => !row.operators.includes(o))) {
        it(`rejects ${op} at the operator, saying what is allowed`, () => {
          const prefix = `device.${row.property} `;
          const err = parseError(`${prefix}${op} ${valueFor(op, row.value)}`);
          expect(err.code).toBe("operator-not-allowed");
          expect(err.position).toBe(prefix.length);
          expect(err.token).toBe(op);
          expect(err.message).toContain(`${op} is not allowed on device.${row.property}`);
          if (row.operators.length === 2 && row.operators[0] === "-eq") {
            expect(err.expected).toBe(`only -eq/-ne on device.${row.property}`);
          } else {
            for (const allowed of row.operators) expect(err.expected).toContain(allowed);
          }
        });
      }
    });
  }

  it("covers every property the library knows, and nothing else", () => {
    const { DEVICE_PROPERTIES } = jest.requireActual("../../../components/conditional-access");
    expect([...DEVICE_PROPERTIES].sort()).toEqual(TABLE.map((r) => r.property).sort());
  });

  it("trustType: -in says only -eq/-ne and shows how to combine values with -or", () => {
    const err = parseError('device.trustType -in ["AzureAD", "ServerAD"]');
    expect(err.position).toBe(17);
    expect(err.message).toContain("only -eq/-ne");
    expect(err.fix).toBe('combine values with -or: device.trustType -eq "AzureAD" -or device.trustType -eq "ServerAD"');
  });

  it("trustType: -notIn shows how to combine values with -and (never -ne ... -or -ne)", () => {
    const err = parseError('device.trustType -notIn ["AzureAD", "ServerAD"]');
    expect(err.fix).toBe('combine values with -and: device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"');
  });

  it("trustType: -contains is rejected too", () => {
    const err = parseError('device.trustType -contains "AzureAD"');
    expect(err.position).toBe(17);
    expect(err.message).toContain("-contains is not allowed on device.trustType");
    expect(err.message).toContain("only -eq/-ne");
  });

  it("collections: -eq on physicalIds points to -contains", () => {
    const err = parseError('device.physicalIds -eq "[ZTDId]:x"');
    expect(err.fix).toContain("use -contains or -notContains");
  });
});

describe("operator spelling", () => {
  it.each([
    ['device.trustType eq "AzureAD"', 'device.trustType -eq "AzureAD"'],
    ['device.trustType -EQ "AzureAD"', 'device.trustType -eq "AzureAD"'],
    ['device.trustType Ne "AzureAD"', 'device.trustType -ne "AzureAD"'],
    ['device.operatingSystem -NOTSTARTSWITH "Win"', 'device.operatingSystem -notStartsWith "Win"'],
    ['device.operatingSystem notin ["Windows"]', 'device.operatingSystem -notIn ["Windows"]'],
    ['device.operatingSystem IN ["Windows","iOS"]', 'device.operatingSystem -in ["Windows", "iOS"]'],
    ['device.model notcontains "Surface"', 'device.model -notContains "Surface"'],
    ['device.model -endswith "5"', 'device.model -endsWith "5"'],
  ])("%s prints as %s", (input, canonical) => {
    expect(DeviceFilter.parse(input).toString()).toBe(canonical);
  });

  it("accepts logical operators in any case, with or without hyphen", () => {
    const f = DeviceFilter.parse('NOT device.isCompliant eq true AND device.trustType eq "ServerAD" or device.model -EQ "x"');
    expect(f.toString()).toBe('-not device.isCompliant -eq True -and device.trustType -eq "ServerAD" -or device.model -eq "x"');
  });

  it("property names are case-insensitive on input and canonical camelCase on output (the CA doc writes device.deviceid)", () => {
    expect(DeviceFilter.parse('device.deviceid -eq "6c2e6d4a-1111-4a2b-9c3d-0123456789ab"').toString()).toBe('device.deviceId -eq "6c2e6d4a-1111-4a2b-9c3d-0123456789ab"');
    expect(DeviceFilter.parse('DEVICE.EXTENSIONATTRIBUTE7 -eq "x"').toString()).toBe('device.extensionAttribute7 -eq "x"');
    expect(DeviceFilter.parse('Device.PhysicalIDs -contains "x"').toString()).toBe('device.physicalIds -contains "x"');
  });
});

describe("values", () => {
  it("normalises fixed values to the CA-doc casing (Graph reports AzureAd / ServerAd)", () => {
    expect(DeviceFilter.parse('device.trustType -eq "AzureAd"').toString()).toBe('device.trustType -eq "AzureAD"');
    expect(DeviceFilter.parse('device.trustType -eq "serverad"').toString()).toBe('device.trustType -eq "ServerAD"');
    expect(DeviceFilter.parse('device.trustType -eq "WORKPLACE"').toString()).toBe('device.trustType -eq "Workplace"');
    expect(DeviceFilter.parse('device.deviceOwnership -eq "company"').toString()).toBe('device.deviceOwnership -eq "Company"');
    expect(DeviceFilter.parse('device.profileType -ne "securevm"').toString()).toBe('device.profileType -ne "SecureVM"');
    expect(DeviceFilter.parse('device.profileType -eq "iot"').toString()).toBe('device.profileType -eq "IoT"');
  });

  it("keeps the casing of free-text values", () => {
    expect(DeviceFilter.parse('device.displayName -startsWith "Corp-PC"').toString()).toBe('device.displayName -startsWith "Corp-PC"');
  });

  it.each([
    ["True", "True"],
    ["true", "True"],
    ["FALSE", "False"],
    ['"True"', "True"],
    ['"false"', "False"],
  ])("isCompliant accepts %s and prints %s", (value, printed) => {
    expect(DeviceFilter.parse(`device.isCompliant -eq ${value}`).toString()).toBe(`device.isCompliant -eq ${printed}`);
  });

  it("unescapes a backtick-quote inside a value and escapes it again on output", () => {
    const f = DeviceFilter.parse('device.displayName -eq "say `"hi`""');
    const node = f.ast as Extract<FilterNode, { kind: "compare" }>;
    expect(node.value).toBe('say "hi"');
    expect(f.toString()).toBe('device.displayName -eq "say `"hi`""');
  });

  it("keeps a lone backtick and a single quote as ordinary characters", () => {
    const f = DeviceFilter.parse("device.displayName -eq \"a`b o'c\"");
    expect((f.ast as Extract<FilterNode, { kind: "compare" }>).value).toBe("a`b o'c");
  });

  it("parses arrays with any spacing and prints them as [\"a\", \"b\"]", () => {
    expect(DeviceFilter.parse('device.operatingSystem -in [ "iOS" ,"Android"  ]').toString()).toBe('device.operatingSystem -in ["iOS", "Android"]');
  });

  it("trims spaces around values and warns (extra spaces break matching in Entra)", () => {
    const f = DeviceFilter.parse('device.trustType -eq " ServerAD " -and device.operatingSystem -in ["Windows ", "iOS"]');
    expect(f.toString()).toBe('device.trustType -eq "ServerAD" -and device.operatingSystem -in ["Windows", "iOS"]');
    expect(f.warnings.map((w) => w.position)).toEqual([21, 67]);
    expect(f.warnings[0].message).toContain("leading/trailing spaces removed");
  });

  it("accepts tabs and line breaks between tokens", () => {
    expect(DeviceFilter.parse('device.trustType\t-eq\n"AzureAD"\r\n-or device.isCompliant -eq True').toString()).toBe(
      'device.trustType -eq "AzureAD" -or device.isCompliant -eq True',
    );
  });
});

describe("logic, precedence and parentheses", () => {
  it("-and binds tighter than -or", () => {
    const f = DeviceFilter.parse('device.model -eq "a" -or device.model -eq "b" -and device.model -eq "c"');
    expect(f.ast).toEqual({
      kind: "or",
      operands: [
        { kind: "compare", property: "model", operator: "-eq", value: "a" },
        {
          kind: "and",
          operands: [
            { kind: "compare", property: "model", operator: "-eq", value: "b" },
            { kind: "compare", property: "model", operator: "-eq", value: "c" },
          ],
        },
      ],
    });
    expect(f.toString()).toBe('device.model -eq "a" -or device.model -eq "b" -and device.model -eq "c"');
  });

  it("-not binds tighter than -and and applies to one comparison", () => {
    const f = DeviceFilter.parse('-not device.model -eq "a" -and device.model -eq "b"');
    expect(f.ast.kind).toBe("and");
    expect((f.ast as Extract<FilterNode, { kind: "and" }>).operands[0].kind).toBe("not");
  });

  it("keeps parentheses only where precedence needs them", () => {
    expect(DeviceFilter.parse('(device.model -eq "a" -or device.model -eq "b") -and device.model -eq "c"').toString()).toBe(
      '(device.model -eq "a" -or device.model -eq "b") -and device.model -eq "c"',
    );
    expect(DeviceFilter.parse('(device.model -eq "a") -and ((device.model -eq "b"))').toString()).toBe('device.model -eq "a" -and device.model -eq "b"');
    expect(DeviceFilter.parse('device.model -eq "a" -or (device.model -eq "b" -and device.model -eq "c")').toString()).toBe(
      'device.model -eq "a" -or device.model -eq "b" -and device.model -eq "c"',
    );
    expect(DeviceFilter.parse('-not (device.model -eq "a" -or device.model -eq "b")').toString()).toBe('-not (device.model -eq "a" -or device.model -eq "b")');
    expect(DeviceFilter.parse('-not (device.model -eq "a")').toString()).toBe('-not device.model -eq "a"');
  });

  it("flattens nested -and / -or into one node", () => {
    const f = DeviceFilter.parse('(device.model -eq "a" -and device.model -eq "b") -and (device.model -eq "c" -and device.model -eq "d")');
    expect(f.ast.kind).toBe("and");
    expect((f.ast as Extract<FilterNode, { kind: "and" }>).operands).toHaveLength(4);
  });

  it("accepts double negation", () => {
    expect(DeviceFilter.parse('-not -not device.model -eq "a"').toString()).toBe('-not -not device.model -eq "a"');
  });
});

describe("length limit", () => {
  function ruleOfLength(n: number): string {
    const head = 'device.displayName -eq "';
    return head + "x".repeat(n - head.length - 1) + '"';
  }

  it(`accepts exactly ${MAX_RULE_LENGTH} characters`, () => {
    const rule = ruleOfLength(MAX_RULE_LENGTH);
    expect(rule).toHaveLength(MAX_RULE_LENGTH);
    expect(DeviceFilter.parse(rule).toString()).toBe(rule);
  });

  it(`rejects ${MAX_RULE_LENGTH + 1} characters at position ${MAX_RULE_LENGTH}`, () => {
    const err = parseError(ruleOfLength(MAX_RULE_LENGTH + 1));
    expect(err.code).toBe("too-long");
    expect(err.position).toBe(MAX_RULE_LENGTH);
    expect(err.message).toContain("3073 characters long; Entra accepts at most 3072");
  });

  it("rejects a rule whose canonical form would exceed the limit", () => {
    // "eq" without hyphen is one character shorter than the canonical "-eq".
    const head = 'device.displayName eq "';
    const rule = head + "x".repeat(MAX_RULE_LENGTH - head.length - 1) + '"';
    expect(rule).toHaveLength(MAX_RULE_LENGTH);
    const err = parseError(rule);
    expect(err.code).toBe("too-long");
    expect(err.message).toContain("canonical form of this rule is 3073 characters long");
  });
});

describe("equality", () => {
  it("is equality of the canonical forms", () => {
    expect(DeviceFilter.parse('device.trustType eq "azuread"').equals(DeviceFilter.parse('(device.trustType -eq "AzureAD")'))).toBe(true);
    expect(DeviceFilter.parse('device.model -eq "a"').equals(DeviceFilter.parse('device.model -eq "b"'))).toBe(false);
    expect(DeviceFilter.parse('device.model -eq "a" -and device.model -eq "b"').equals(DeviceFilter.parse('device.model -eq "b" -and device.model -eq "a"'))).toBe(false);
  });

  it("exposes a frozen AST", () => {
    const f = DeviceFilter.parse('device.operatingSystem -in ["a"] -and device.model -eq "b"');
    expect(Object.isFrozen(f.ast)).toBe(true);
    expect(() => {
      (f.ast as { kind: string }).kind = "or";
    }).toThrow(TypeError);
  });

  it("lists the comparisons left to right", () => {
    const f = DeviceFilter.parse('-not device.model -eq "a" -or (device.trustType -eq "AzureAD" -and device.isCompliant -eq True)');
    expect(f.comparisons.map((c) => c.property)).toEqual(["model", "trustType", "isCompliant"]);
  });
});

describe("rule-level warnings", () => {
  it("warns about the always-true -ne ... -or -ne ... (MicrosoftDocs/azure-docs#86415)", () => {
    const f = DeviceFilter.parse('device.trustType -ne "AzureAD" -or device.trustType -ne "ServerAD"');
    expect(f.warnings.map((w) => w.message)).toEqual([expect.stringContaining("is always true: join negative comparisons with -and")]);
  });

  it("does not warn about the recommended -and form", () => {
    expect(DeviceFilter.parse('device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"').warnings).toEqual([]);
  });
});
