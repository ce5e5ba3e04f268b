/**
 * Checks every Conditional Access fixture file must pass, for the repository's own fixtures and
 * for the shared third-party ones alike: each export imports, and import -> toGraphPolicy gives
 * back the same policy modulo the documented normalisation (docs/conditional-access.md, "Adopting existing policies").
 */
import * as fs from "node:fs";
import { importConditionalAccessPolicies, toGraphPolicy } from "../../components/conditional-access/import";
import { fixtureText, type FixtureFile } from "../../bench/fixtures";

type Json = Record<string, unknown>;
const READ_ONLY = new Set(["id", "createdDateTime", "modifiedDateTime", "deletedDateTime", "templateId", "partialEnablementStrategy"]);

/**
 * The documented normalisation: annotations and read-only fields dropped; null, [] and {} are
 * "not configured"; empty clientAppTypes means every client app; disabled session blocks and
 * disableResilienceDefaults: false dropped; an expanded authentication strength is its id.
 */
export function normalised(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => normalised(v));
  if (value === null || typeof value !== "object") return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value as Json)) {
    if (k.startsWith("@") || k.includes("@odata.") || k.startsWith("#") || k.startsWith("$") || (key === "" && READ_ONLY.has(k))) continue;
    if (k === "authenticationStrength" && v && typeof v === "object") {
      out[k] = { id: (v as Json).id };
      continue;
    }
    if (v && typeof v === "object" && !Array.isArray(v) && (v as Json).isEnabled === false) continue;
    if (k === "disableResilienceDefaults" && v === false) continue;
    const n = normalised(v, k);
    if (n === null || n === undefined || (Array.isArray(n) && n.length === 0)) continue;
    if (typeof n === "object" && !Array.isArray(n) && Object.keys(n).length === 0) continue;
    out[k] = n;
  }
  if (key === "conditions" && !out.clientAppTypes) out.clientAppTypes = ["all"];
  return out;
}

/** The items of an export: a { value } page, an array (of items or pages), or one object. */
export function exportItems(json: unknown): Json[] {
  if (Array.isArray(json)) return json.flatMap(exportItems);
  if (json && typeof json === "object" && Array.isArray((json as Json).value)) return exportItems((json as Json).value);
  return [json as Json];
}

/** The items of a fixture file. */
export function readExportItems(file: FixtureFile | string): Json[] {
  return exportItems(JSON.parse(fixtureText(typeof file === "string" ? file : file.path)) as unknown);
}

/** A file of named locations (Graph's other Conditional Access collection), not policies. */
export function holdsNamedLocations(file: FixtureFile): boolean {
  return readExportItems(file).every((item) => typeof item["@odata.type"] === "string" && /NamedLocation$/.test(item["@odata.type"]));
}

/** The jest tests every policy export must pass: defined inside the caller's describe. */
export function defineRoundTripTests(file: FixtureFile): void {
  const original = readExportItems(file);
  const result = importConditionalAccessPolicies(fs.readFileSync(file.path), { sourceName: file.name });

  it("imports every policy without error", () => {
    expect(result.errors).toEqual([]);
    expect(result.policies.map((p) => p.displayName)).toEqual(original.map((p) => p.displayName));
  });

  it("exports back to the same Graph policy modulo the documented normalisation", () => {
    result.policies.forEach((policy, i) => {
      expect(normalised(toGraphPolicy(policy.resource))).toEqual(normalised(original[i]));
    });
  });

  it("gives the pulumi import command with the azuread import id when the export has ids", () => {
    result.policies.forEach((policy, i) => {
      const id = original[i].id as string | undefined;
      if (id) {
        expect(policy.importCommand).toBe(`pulumi import azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy ${policy.resourceName} /identity/conditionalAccess/policies/${id}`);
      } else {
        expect(policy.importCommand).toBeUndefined();
        expect(policy.notes.map((n) => n.code)).toContain("no-id");
      }
    });
  });
}

/** Every device filter rule in a Graph export (any depth). */
export function deviceFilterRules(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => deviceFilterRules(v, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "deviceFilter" && v && typeof v === "object" && typeof (v as { rule?: unknown }).rule === "string") out.push((v as { rule: string }).rule);
      else deviceFilterRules(v, out);
    }
  }
  return out;
}
