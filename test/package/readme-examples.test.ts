/**
 * The Python and YAML programs of docs/cross-language.md ("Using the components from other
 * languages") use the names, nesting and enum values of the checked-in schema.json.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { PackageSchema, SchemaProperty } from "../../cli/package-schema";

const ROOT = path.join(__dirname, "../..");
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, "schema.json"), "utf8")) as PackageSchema;
const page = fs.readFileSync(path.join(ROOT, "docs/cross-language.md"), "utf8");
const section = page.slice(page.indexOf("# Using the components from other languages"));

/** The first `lang` block of the page that contains `marker` (the program, not a settings excerpt). */
function codeBlock(lang: string, marker = ""): string {
  const blocks = [...section.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]);
  const block = blocks.find((b) => b.includes(marker));
  if (block === undefined) throw new Error(`no ${lang} block${marker ? ` with "${marker}"` : ""} in docs/cross-language.md`);
  return block;
}

/** Problems of `value` against schema property `prop` (names, nesting, enum values). */
function check(where: string, value: unknown, prop: SchemaProperty, problems: string[]): void {
  if (typeof value === "string" && value.includes("${")) return; // an interpolation: any value
  if (prop.$ref) {
    const type = schema.types[prop.$ref.replace("#/types/", "")];
    if (!type) return void problems.push(`${where}: unknown type ${prop.$ref}`);
    if (type.enum) {
      if (!type.enum.some((m) => m.value === value)) problems.push(`${where}: ${JSON.stringify(value)} is not one of ${type.enum.map((m) => m.value).join(", ")}`);
      return;
    }
    checkObject(where, value, type.properties ?? {}, problems);
  } else if (prop.type === "array") {
    if (!Array.isArray(value)) return void problems.push(`${where}: not a list`);
    value.forEach((v, i) => check(`${where}[${i}]`, v, prop.items!, problems));
  } else if (prop.type === "string" && typeof value !== "string") problems.push(`${where}: not a string`);
}

function checkObject(where: string, value: unknown, props: Record<string, SchemaProperty>, problems: string[]): void {
  if (!value || typeof value !== "object") return void problems.push(`${where}: not an object`);
  for (const [k, v] of Object.entries(value)) {
    if (!props[k]) problems.push(`${where}.${k}: no such property (known: ${Object.keys(props).join(", ")})`);
    else check(`${where}.${k}`, v, props[k], problems);
  }
}

describe("docs/cross-language.md programs for other languages", () => {
  it("the YAML program's resources, properties, enum values and output references exist in schema.json", () => {
    const program = parse(codeBlock("yaml", "resources:")) as { resources: Record<string, { type: string; properties: Record<string, unknown> }>; outputs: Record<string, string> };
    const problems: string[] = [];
    for (const [name, r] of Object.entries(program.resources)) {
      const resource = schema.resources[r.type];
      if (!resource) {
        problems.push(`${name}: no component ${r.type}`);
        continue;
      }
      checkObject(name, r.properties, resource.inputProperties, problems);
      for (const required of resource.requiredInputs) if (!(required in r.properties)) problems.push(`${name}: required ${required} missing`);
    }
    for (const [out, expr] of Object.entries(program.outputs)) {
      const [, resName, prop] = /^\$\{(\w+)\.(\w+)\}$/.exec(expr) ?? [];
      const resource = schema.resources[program.resources[resName]?.type];
      if (!resource?.properties[prop]) problems.push(`output ${out}: ${expr} is not an output of the schema`);
    }
    expect(Object.keys(program.resources).length).toBeGreaterThanOrEqual(3);
    expect(problems).toEqual([]);
  });

  it("the Python program's keyword arguments and dict keys are schema names in snake_case, at the right nesting", () => {
    const python = codeBlock("python");
    const problems: string[] = [];
    const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    // Every component call: guardrails.<Component>("name", kw=..., ...)
    const calls = [...python.matchAll(/guardrails\.(\w+)\(\s*"[^"]+",([\s\S]*?)\n\)/g)];
    expect(calls.map((c) => c[1])).toEqual(["CorporateDeviceAccess", "VulnerabilityAssessment", "FipsDeviceConfiguration", "EmailAuthentication"]);
    for (const [, component, body] of calls) {
      const resource = schema.resources[`tenant-guardrails:index:${component}`];
      const inputs = new Map(Object.entries(resource.inputProperties).map(([k, p]) => [snake(k), p]));
      for (const [, kw] of body.matchAll(/^ {4}(\w+)=/gm)) if (!inputs.has(kw)) problems.push(`${component}(${kw}=): no such arg`);
      for (const required of resource.requiredInputs) if (!new RegExp(`^ {4}${snake(required)}=`, "m").test(body)) problems.push(`${component}: required ${snake(required)} missing`);
      // Dict keys must be fields of some nested type of this component.
      const nestedFields = new Set<string>();
      const collect = (p: SchemaProperty) => {
        const ref = p.$ref ?? p.items?.$ref;
        const type = ref ? schema.types[ref.replace("#/types/", "")] : undefined;
        for (const [k, sub] of Object.entries(type?.properties ?? {})) {
          if (!nestedFields.has(snake(k))) {
            nestedFields.add(snake(k));
            collect(sub);
          }
        }
      };
      for (const p of inputs.values()) collect(p);
      for (const [, key] of body.matchAll(/"(\w+)":/g)) if (!nestedFields.has(key)) problems.push(`${component}: dict key "${key}" is not a field of its nested types`);
    }
    for (const [, res, out] of python.matchAll(/pulumi\.export\("\w+", (\w+)\.(\w+)\)/g)) {
      const component = calls.find((c) => new RegExp(`^${res} = guardrails\\.${c[1]}\\(`, "m").test(python))?.[1];
      const outputs = Object.keys(schema.resources[`tenant-guardrails:index:${component}`]?.properties ?? {}).map(snake);
      if (!outputs.includes(out)) problems.push(`export ${res}.${out}: not an output of ${component}`);
    }
    expect(problems).toEqual([]);
  });
});
