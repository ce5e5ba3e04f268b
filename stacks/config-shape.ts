/**
 * The shape of each system's stack config object (which keys exist at every level, which values are
 * lists and which are mappings), taken from the package schema the components' argument interfaces
 * give (schema.json, kept equal to the source by a test), so a key added to a component is known
 * here without a second list to maintain.
 *
 * `checkShape` walks a config object against its shape before the components' validators see it:
 * unknown keys (with the nearest known key), a single value where a list belongs, a list or a value
 * where a mapping belongs, and empty (`null`) list items. It returns the object as the validators
 * should read it (a misspelt key under the name it was meant to have, a single value as a list of
 * one, without empty items or misshapen values) and the paths it took out, so the caller can leave
 * out the validators' follow-on complaints about the same places (one mistake, one error).
 */
import type { InputProblem } from "../components/errors";
// The project's one "did you mean" (Levenshtein, case-insensitive), from the device-filter parser.
import { closest } from "../components/conditional-access/device-filter/parser";
import schemaJson from "../schema.json";
import { COMPONENT_TOKEN_PREFIX } from "../components/common/type-tokens";

/** What a config value at some path must be. */
export type Shape =
  /** A mapping with these keys only. */
  | { kind: "object"; keys: Record<string, Shape> }
  /** A mapping with any keys (e.g. policy assignment parameters); values unchecked. */
  | { kind: "map" }
  | { kind: "list"; item: Shape }
  /** A single value (string, number, boolean, enum); its content is the validators' business. */
  | { kind: "value" }
  /** A single value, or a mapping of this shape (Defender machines: an ARM id or { id, type }). */
  | { kind: "valueOrObject"; object: { kind: "object"; keys: Record<string, Shape> } };

interface SchemaProperty {
  type?: string;
  $ref?: string;
  items?: SchemaProperty;
  additionalProperties?: SchemaProperty;
}
interface SchemaDoc {
  resources: Record<string, { inputProperties?: Record<string, SchemaProperty> }>;
  types: Record<string, { type?: string; properties?: Record<string, SchemaProperty> }>;
}
const schema = schemaJson as unknown as SchemaDoc;

function shapeOfProperty(p: SchemaProperty, seen: string[]): Shape {
  if (p.$ref) {
    const token = p.$ref.replace(/^#\/types\//, "");
    const type = schema.types[token];
    if (!type || !type.properties || seen.includes(token)) return { kind: "value" };
    return objectShape(type.properties, [...seen, token]);
  }
  if (p.type === "array") return { kind: "list", item: p.items ? shapeOfProperty(p.items, seen) : { kind: "value" } };
  if (p.type === "object") return { kind: "map" };
  return { kind: "value" };
}

function objectShape(properties: Record<string, SchemaProperty>, seen: string[]): { kind: "object"; keys: Record<string, Shape> } {
  return { kind: "object", keys: Object.fromEntries(Object.entries(properties).map(([k, p]) => [k, shapeOfProperty(p, seen)])) };
}

function componentShape(className: string): { kind: "object"; keys: Record<string, Shape> } {
  const token = `${COMPONENT_TOKEN_PREFIX}${className}`;
  const resource = schema.resources[token];
  if (!resource?.inputProperties) throw new Error(`schema.json has no component ${token}: run npm run schema`);
  return objectShape(resource.inputProperties, []);
}

/** The shape of each system key's object, as the stack program reads it. */
export function systemShapes(): Record<string, { kind: "object"; keys: Record<string, Shape> }> {
  const defender = componentShape("VulnerabilityAssessment");
  const machines = defender.keys.machines;
  // The stack config also takes a machine as its bare ARM id.
  if (machines?.kind === "list" && machines.item.kind === "object") defender.keys.machines = { kind: "list", item: { kind: "valueOrObject", object: machines.item } };
  return {
    conditionalAccess: componentShape("CorporateDeviceAccess"),
    defender,
    intune: componentShape("FipsDeviceConfiguration"),
    email: componentShape("EmailAuthentication"),
  };
}

export interface ShapeProblem extends InputProblem {
  /** The value is not shown (an unknown key's value might be a secret written under a misspelt name). */
  valueHidden?: boolean;
}

export interface ShapeCheck {
  /** The value as the validators should read it (see above). */
  value: unknown;
  problems: ShapeProblem[];
  /**
   * Paths (in the original's coordinates) that were taken out: a validator's problem about one of
   * them, or about a place inside or above one, is a follow-on.
   */
  taken: string[];
  /** For each list that lost items, by its path in the returned value: the original index of each kept item. */
  keptIndexes: Map<string, number[]>;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

function describe(v: unknown): string {
  if (v === null) return "empty";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  return `a single ${typeof v === "string" ? "text" : typeof v} value`;
}

/** Check `value` against `shape`; `null` or absent values are left to the validators (absent). */
export function checkShape(value: unknown, shape: Shape): ShapeCheck {
  const problems: ShapeProblem[] = [];
  const taken: string[] = [];
  const keptIndexes = new Map<string, number[]>();

  /** Returns the checked value, or `undefined` to take it out. `path` is original, `clean` the returned value's. */
  const walk = (v: unknown, s: Shape, path: string, clean: string): unknown => {
    if (v === null || v === undefined) return v;
    switch (s.kind) {
      case "value":
        if (typeof v === "object") {
          problems.push({ field: path, value: v, problem: `is ${describe(v)}, where a single value belongs`, fix: `write one value (e.g. ${path.split(".").pop()}: <value>)` });
          taken.push(path);
          return undefined;
        }
        return v;
      case "map":
        if (!isMapping(v)) {
          problems.push({ field: path, value: v, problem: `is ${describe(v)}, where a mapping (name: value lines) belongs`, fix: "write it as an indented YAML mapping" });
          taken.push(path);
          return undefined;
        }
        return v;
      case "valueOrObject":
        return typeof v === "object" ? walk(v, s.object, path, clean) : v;
      case "list": {
        if (!Array.isArray(v)) {
          const example = typeof v === "object" ? "[...]" : `[${String(v)}]`;
          problems.push({ field: path, value: v, problem: `is ${describe(v)}, where a list belongs`, fix: `write it as a YAML list, e.g. ${path.split(".").pop()}: ${example}` });
          // A single value is read as a list of one, so the validators still check the value itself.
          if (typeof v !== "object" && s.item.kind !== "object") return [v];
          taken.push(path);
          return undefined;
        }
        const out: unknown[] = [];
        const kept: number[] = [];
        v.forEach((item, i) => {
          const itemPath = `${path}[${i}]`;
          if (item === null || item === undefined) {
            problems.push({ field: itemPath, value: null, problem: "is an empty list item", fix: "remove the empty item (a lone '-' line, or two commas in a row) or give its value" });
            taken.push(itemPath);
            return;
          }
          const checked = walk(item, s.item, itemPath, `${clean}[${out.length}]`);
          if (checked === undefined) return;
          kept.push(i);
          out.push(checked);
        });
        if (out.length !== v.length) keptIndexes.set(clean, kept);
        return out;
      }
      case "object": {
        if (!isMapping(v)) {
          const keys = Object.keys(s.keys);
          problems.push({
            field: path,
            value: v,
            problem: `is ${describe(v)}, where a mapping of its settings belongs`,
            fix: `write it as an indented YAML mapping of ${keys.slice(0, 4).join(", ")}${keys.length > 4 ? ", ..." : ""}`,
          });
          taken.push(path);
          return undefined;
        }
        const known = Object.keys(s.keys);
        const out: Record<string, unknown> = {};
        for (const [key, child] of Object.entries(v)) {
          let name = key;
          if (!s.keys[key]) {
            // Only a key not given already can be the one meant (else renaming would make a duplicate).
            const near = closest(key, known.filter((k) => !(k in v)));
            problems.push({
              field: join(path, key),
              value: undefined,
              valueHidden: true,
              problem: "unknown key, which nothing reads",
              fix: near ? `did you mean ${near}? Rename the key` : `remove it; the keys here are ${known.join(", ")}`,
            });
            // Read it as the key it was meant to be (when that key is not there too), so the
            // validators neither report that key missing nor anything that depends on it.
            if (!near || near in out) continue;
            name = near;
          }
          const checked = walk(child, s.keys[name], join(path, name), join(clean, name));
          if (checked !== undefined) out[name] = checked;
        }
        return out;
      }
    }
  };

  const result = walk(value, shape, "", "");
  return { value: result, problems, taken, keptIndexes };
}

/** A validator's field (in the checked value's coordinates) in the original's coordinates. */
export function originalField(field: string, keptIndexes: Map<string, number[]>): string {
  if (keptIndexes.size === 0) return field;
  let clean = "";
  let original = "";
  for (const part of field.match(/\[\d+\]|\.?[^.[]+/g) ?? []) {
    const index = /^\[(\d+)\]$/.exec(part);
    if (index) {
      const k = Number(index[1]);
      const mapped = keptIndexes.get(clean)?.[k] ?? k;
      clean += `[${k}]`;
      original += `[${mapped}]`;
    } else {
      clean += part;
      original += part;
    }
  }
  return original;
}

/** Whether `a` and `b` are the same place, or one is inside the other ("" is the whole object, inside nothing here). */
export function related(a: string, b: string): boolean {
  if (a === "" || b === "") return false;
  const inside = (x: string, y: string) => x === y || (x.startsWith(y) && (x[y.length] === "." || x[y.length] === "["));
  return inside(a, b) || inside(b, a);
}
