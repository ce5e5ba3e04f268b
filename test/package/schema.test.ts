/**
 * The cross-language package schema, built by the code Pulumi's Node.js plugin host runs
 * (ComponentProvider + its TypeScript analyzer), checked against the components' source read
 * independently here (syntax only) and against the checked-in schema.json.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import * as pulumi from "@pulumi/pulumi";
import { buildPackageSchema, providerNameOf, renderSchema, SCHEMA_FILE, type PackageSchema, type SchemaProperty } from "../../cli/package-schema";

const ROOT = path.join(__dirname, "../..");
const PKG = "tenant-guardrails";
const CONTRACT_COMPONENTS = ["CorporateDeviceAccess", "VulnerabilityAssessment", "FipsDeviceConfiguration", "EmailAuthentication"];

let schema: PackageSchema;
let api: Record<string, unknown>;

beforeAll(async () => {
  api = (await import("../../components")) as Record<string, unknown>;
  schema = await buildPackageSchema(ROOT, api);
}, 240_000);

const ref = (typeName: string) => `#/types/${PKG}:index:${typeName}`;
const typeOf = (typeName: string) => schema.types[`${PKG}:index:${typeName}`];

describe("schema.json, the reviewed artifact", () => {
  it("is exactly the schema the components give now", () => {
    const generated = renderSchema(schema);
    const checkedIn = fs.existsSync(path.join(ROOT, SCHEMA_FILE)) ? fs.readFileSync(path.join(ROOT, SCHEMA_FILE), "utf8") : "";
    if (generated !== checkedIn) {
      const changed = changedPaths(JSON.parse(checkedIn || "{}"), schema).slice(0, 20);
      throw new Error(
        `${SCHEMA_FILE} differs from the schema the components give (the public interface changed): run \`npm run schema\` and review the diff.\n` +
          `Changed: ${changed.join(", ")}`,
      );
    }
  });
});

describe("package identity", () => {
  it("is named as the host names it: package.json name without scope, version from package.json", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(providerNameOf(manifest.name)).toEqual({ name: PKG });
    expect(schema.name).toBe(PKG);
    expect(schema.version).toBe(manifest.version);
    expect(schema.namespace).toBeUndefined();
  });

  it("derives scoped names like the host (scope becomes the namespace; odd characters become -)", () => {
    expect(providerNameOf("@contoso/m365-components")).toEqual({ name: "m365-components", namespace: "contoso" });
    expect(providerNameOf("my.guardrails")).toEqual({ name: "my-guardrails" });
    expect(() => providerNameOf("9lives")).toThrow('provider name "9lives" (from package.json name "9lives") must start with a letter');
  });

  it("keeps the npm contract for TypeScript users: exports and main still point at dist/", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(manifest.main).toBe("dist/components/index.js");
    expect(manifest.types).toBe("dist/components/index.d.ts");
    expect(manifest.exports["."]).toEqual({ types: "./dist/components/index.d.ts", default: "./dist/components/index.js" });
    expect(fs.readFileSync(path.join(ROOT, "PulumiPlugin.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
  });

  it("analyses the same API: the root index.ts re-exports components/index.ts and nothing else", async () => {
    const rootEntry = (await import("../../index")) as Record<string, unknown>;
    expect(Object.keys(rootEntry).sort()).toEqual(Object.keys(api).sort());
  });
});

describe("components", () => {
  it("every exported ComponentResource class is a schema resource, and nothing else is", () => {
    const exportedComponents = Object.entries(api)
      .filter(([, v]) => typeof v === "function" && (v as { prototype?: unknown }).prototype instanceof pulumi.ComponentResource)
      .map(([k]) => `${PKG}:index:${k}`)
      .sort();
    expect(Object.keys(schema.resources).sort()).toEqual(exportedComponents);
    for (const name of CONTRACT_COMPONENTS) expect(exportedComponents).toContain(`${PKG}:index:${name}`);
    for (const resource of Object.values(schema.resources)) expect(resource.isComponent).toBe(true);
  });

  it.each(CONTRACT_COMPONENTS)("%s carries its class doc comment as description", (name) => {
    const source = readSource();
    const cls = source.classes.get(name)!;
    expect(schema.resources[`${PKG}:index:${name}`].description).toBe(cls.doc);
    expect(cls.doc.length).toBeGreaterThan(20);
  });
});

describe("args, nested types and outputs match the TypeScript source", () => {
  it.each(CONTRACT_COMPONENTS)("%s: every arg, every nested field and every output is present, documented, typed and required as in the source", (name) => {
    const source = readSource();
    const cls = source.classes.get(name)!;
    const resource = schema.resources[`${PKG}:index:${name}`];
    const problems: string[] = [];
    const seenTypes = new Set<string>();

    const checkMembers = (where: string, members: Member[], props: Record<string, SchemaProperty>, required: string[], context: "args" | "output") => {
      expect(Object.keys(props).sort()).toEqual(members.map((m) => m.name).sort());
      for (const m of members) {
        const prop = props[m.name];
        if (!m.doc) problems.push(`${where}.${m.name} has no doc comment (it becomes the schema description)`);
        if (prop.description !== m.doc) problems.push(`${where}.${m.name}: description ${JSON.stringify(prop.description)} is not the doc comment`);
        if (required.includes(m.name) === m.optional) problems.push(`${where}.${m.name}: required is ${required.includes(m.name)}, the source says optional=${m.optional}`);
        compare(`${where}.${m.name}`, m.type, prop, context);
      }
    };

    const compare = (where: string, node: ts.TypeNode, prop: SchemaProperty, context: "args" | "output") => {
      const { inner, wrapped } = unwrap(node);
      const plainExpected = context === "args" && !wrapped;
      if (Boolean(prop.plain) !== plainExpected) problems.push(`${where}: plain is ${Boolean(prop.plain)}, expected ${plainExpected}`);
      const kind = classify(inner, source);
      switch (kind.kind) {
        case "string":
        case "number":
        case "boolean":
          if (prop.type !== kind.kind) problems.push(`${where}: type ${prop.type ?? prop.$ref}, expected ${kind.kind}`);
          break;
        case "array":
          if (prop.type !== "array" || !prop.items) problems.push(`${where}: expected an array`);
          else compare(`${where}[]`, kind.element, prop.items, context === "output" ? "output" : "args");
          break;
        case "map":
          if (prop.type !== "object" || !prop.additionalProperties) problems.push(`${where}: expected a map`);
          else compare(`${where}{}`, kind.value, prop.additionalProperties, context === "output" ? "output" : "args");
          break;
        case "enum": {
          if (prop.$ref !== ref(kind.name)) problems.push(`${where}: ${prop.type ?? prop.$ref}, expected the enum ${kind.name}`);
          break;
        }
        case "interface": {
          if (prop.$ref !== ref(kind.name)) problems.push(`${where}: ${prop.type ?? prop.$ref}, expected the object type ${kind.name}`);
          else if (!seenTypes.has(kind.name)) {
            seenTypes.add(kind.name);
            const type = typeOf(kind.name);
            if (!type?.properties) problems.push(`${where}: type ${kind.name} is missing from the schema`);
            else checkMembers(kind.name, source.interfaces.get(kind.name)!.members, type.properties, type.required ?? [], context);
          }
          break;
        }
        default:
          problems.push(`${where}: ${kind.text} is not a type the package can carry to other languages`);
      }
    };

    const args = source.interfaces.get(cls.argsType);
    expect(args).toBeDefined();
    checkMembers(`${name}Args`, args!.members, resource.inputProperties, resource.requiredInputs, "args");
    checkMembers(name, cls.outputs, resource.properties, resource.required, "output");
    expect(problems).toEqual([]);
  });
});

describe("renamed args (conventions: the old name stays for one minor version)", () => {
  it("CorporateDeviceAccess: displayNamePrefix, users.includeGroupIds and excludeGroupIds are in the schema; the old names stay, described as deprecated", () => {
    const inputs = schema.resources[`${PKG}:index:CorporateDeviceAccess`].inputProperties;
    const users = typeOf("CorporateDeviceAccessUsers").properties!;
    expect(inputs.displayNamePrefix).toMatchObject({ type: "string", description: expect.stringMatching(/^Prefix of the policies' display names/) });
    expect(users.includeGroupIds).toMatchObject({ type: "array", description: "Groups to target (object ids)." });
    expect(users.excludeGroupIds).toMatchObject({ type: "array", description: "Groups to exclude (object ids)." });
    // The host's analyzer has no deprecationMessage: the description says it.
    expect(inputs.displayName.description).toMatch(/^Deprecated: use displayNamePrefix/);
    expect(users.includeGroups.description).toMatch(/^Deprecated: use includeGroupIds/);
    expect(users.excludeGroups.description).toMatch(/^Deprecated: use excludeGroupIds/);
  });
});

describe("enums", () => {
  it("every enum in the schema is one of the public `as const` objects, with the same member names and values", () => {
    const enums = Object.entries(schema.types).filter(([, t]) => t.enum);
    expect(enums.map(([k]) => k.split(":")[2]).sort()).toEqual([
      "AlignmentMode",
      "AuthenticationFailAction",
      "BitLockerEncryptionMethod",
      "BitLockerRecoveryMode",
      "DefenderServersSubPlan",
      "DkimCnameFormat",
      "DmarcPolicy",
      "DmarcQuarantineAction",
      "DmarcRejectAction",
      "FipsOnRemove",
      "ForeignAssignments",
      "RecoveryPasswordRotation",
      "SpoofType",
      "VulnerabilityAssessmentProvider",
    ]);
    for (const [token, type] of enums) {
      const runtime = api[token.split(":")[2]] as Record<string, string>;
      expect(type.type).toBe("string");
      expect(Object.fromEntries(type.enum!.map((m) => [m.name, m.value]))).toEqual(runtime);
    }
  });

  it("choices that decide resources are enums, not free strings", () => {
    const va = schema.resources[`${PKG}:index:VulnerabilityAssessment`];
    expect(va.inputProperties.provider.$ref).toBe(ref("VulnerabilityAssessmentProvider"));
    expect(va.properties.provider.$ref).toBe(ref("VulnerabilityAssessmentProvider"));
    expect(typeOf("BuiltInVulnerabilityAssessmentArgs").properties!.subPlan.$ref).toBe(ref("DefenderServersSubPlan"));
    expect(schema.resources[`${PKG}:index:EmailAuthentication`].inputProperties.dmarcPolicy.$ref).toBe(ref("DmarcPolicy"));
    expect(schema.resources[`${PKG}:index:FipsDeviceConfiguration`].inputProperties.foreignAssignments.$ref).toBe(ref("ForeignAssignments"));
    expect(schema.resources[`${PKG}:index:FipsDeviceConfiguration`].inputProperties.onRemove.$ref).toBe(ref("FipsOnRemove"));
  });
});

describe("secrets", () => {
  // Pulumi's analyzer (3.248) has no way to mark a property secret: no type, doc tag or option
  // produces `secret: true`. The components keep these values secret themselves (see
  // construct.test.ts); the descriptions tell other languages' users to pass them as secrets.
  const secretFields: [string, string][] = [
    ["QualysByolArgs", "licenseCode"],
    ["QualysByolArgs", "publicKey"],
    ["ExchangeConnectionArgs", "certificatePassword"],
  ];

  it("the analyzer marks no property secret (so the components must, and do, wrap them)", () => {
    const secretMarked: string[] = [];
    const visit = (where: string, props: Record<string, SchemaProperty> | undefined) => {
      for (const [k, p] of Object.entries(props ?? {})) if (p.secret) secretMarked.push(`${where}.${k}`);
    };
    for (const [k, r] of Object.entries(schema.resources)) {
      visit(k, r.inputProperties);
      visit(k, r.properties);
    }
    for (const [k, t] of Object.entries(schema.types)) visit(k, t.properties);
    expect(secretMarked).toEqual([]);
  });

  it.each(secretFields)("%s.%s is a string input whose description says it is secret", (typeName, field) => {
    const prop = typeOf(typeName).properties![field];
    expect(prop.type).toBe("string");
    expect(prop.plain).toBeUndefined();
    expect(prop.description).toMatch(/secret/i);
  });

  it("no output carries a secret", () => {
    const outputs = Object.values(schema.resources).flatMap((r) => Object.keys(r.properties));
    expect(outputs.filter((o) => /license|password|key$/i.test(o))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The components' source, read syntactically (no type checker): what a reviewer sees.

interface Member {
  name: string;
  doc: string;
  optional: boolean;
  type: ts.TypeNode;
}
interface SourceModel {
  interfaces: Map<string, { members: Member[] }>;
  enums: Set<string>;
  classes: Map<string, { doc: string; argsType: string; outputs: Member[] }>;
}

let cachedSource: SourceModel | undefined;

function readSource(): SourceModel {
  if (cachedSource) return cachedSource;
  const model: SourceModel = { interfaces: new Map(), enums: new Set(), classes: new Map() };
  for (const file of listTs(path.join(ROOT, "components"))) {
    const sf = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
    for (const st of sf.statements) {
      if (ts.isInterfaceDeclaration(st)) {
        const members = st.members.filter(ts.isPropertySignature).map((m) => ({
          name: m.name.getText(sf),
          doc: docOf(m),
          optional: m.questionToken !== undefined,
          type: m.type!,
        }));
        model.interfaces.set(st.name.text, { members });
      } else if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) {
          if (ts.isIdentifier(d.name) && d.initializer && ts.isAsExpression(d.initializer) && d.initializer.type.getText(sf) === "const" && ts.isObjectLiteralExpression(d.initializer.expression)) {
            model.enums.add(d.name.text);
          }
        }
      } else if (ts.isEnumDeclaration(st)) {
        model.enums.add(st.name.text);
      } else if (ts.isClassDeclaration(st) && st.name && st.heritageClauses?.some((h) => h.getText(sf).includes("ComponentResource"))) {
        const ctor = st.members.find(ts.isConstructorDeclaration)!;
        const argsParam = ctor.parameters.find((p) => p.name.getText(sf) === "args")!;
        const outputs = st.members.filter(ts.isPropertyDeclaration).map((m) => {
          const { inner } = unwrap(m.type!);
          const stripped = stripUndefined(inner);
          return { name: m.name.getText(sf), doc: docOf(m), optional: stripped.hadUndefined, type: m.type! };
        });
        model.classes.set(st.name.text, { doc: docOf(st), argsType: argsParam.type!.getText(sf), outputs });
      }
    }
  }
  cachedSource = model;
  return model;
}

function listTs(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return listTs(full);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** The JSDoc text as the analyzer reads it: the comments of every JSDoc block joined by newlines. */
function docOf(node: ts.Node): string {
  const blocks = (node as unknown as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
  return blocks.map((b) => (typeof b.comment === "string" ? b.comment : ts.getTextOfJSDocComment(b.comment) ?? "")).join("\n");
}

/** Strip pulumi.Input<…> / pulumi.Output<…> wrappers (and parentheses); tell whether one was there. */
function unwrap(node: ts.TypeNode): { inner: ts.TypeNode; wrapped: boolean } {
  let wrapped = false;
  for (;;) {
    if (ts.isParenthesizedTypeNode(node)) {
      node = node.type;
      continue;
    }
    if (ts.isTypeReferenceNode(node) && /^(pulumi\.)?(Input|Output)$/.test(node.typeName.getText()) && node.typeArguments?.length === 1) {
      node = node.typeArguments[0];
      wrapped = true;
      continue;
    }
    return { inner: node, wrapped };
  }
}

function stripUndefined(node: ts.TypeNode): { node: ts.TypeNode; hadUndefined: boolean } {
  if (ts.isUnionTypeNode(node)) {
    const rest = node.types.filter((t) => t.kind !== ts.SyntaxKind.UndefinedKeyword && !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.UndefinedKeyword));
    if (rest.length === 1 && rest.length < node.types.length) return { node: rest[0], hadUndefined: true };
  }
  return { node, hadUndefined: false };
}

type Kind =
  | { kind: "string" | "number" | "boolean" }
  | { kind: "array"; element: ts.TypeNode }
  | { kind: "map"; value: ts.TypeNode }
  | { kind: "enum"; name: string }
  | { kind: "interface"; name: string }
  | { kind: "other"; text: string };

function classify(node: ts.TypeNode, source: SourceModel): Kind {
  node = stripUndefined(node).node;
  if (node.kind === ts.SyntaxKind.StringKeyword) return { kind: "string" };
  if (node.kind === ts.SyntaxKind.NumberKeyword) return { kind: "number" };
  if (node.kind === ts.SyntaxKind.BooleanKeyword) return { kind: "boolean" };
  if (ts.isArrayTypeNode(node)) return { kind: "array", element: node.elementType };
  if (ts.isTypeLiteralNode(node) && node.members.length === 1 && ts.isIndexSignatureDeclaration(node.members[0])) return { kind: "map", value: node.members[0].type };
  if (ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText();
    if (name === "Record" && node.typeArguments?.[0].kind === ts.SyntaxKind.StringKeyword) return { kind: "map", value: node.typeArguments[1] };
    if (name === "Array" && node.typeArguments?.length === 1) return { kind: "array", element: node.typeArguments[0] };
    if (source.enums.has(name)) return { kind: "enum", name };
    if (source.interfaces.has(name)) return { kind: "interface", name };
  }
  return { kind: "other", text: node.getText() };
}

/** JSON paths where two values differ, for a readable failure. */
function changedPaths(a: unknown, b: unknown, at = "$"): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => changedPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`));
  }
  return [at];
}
