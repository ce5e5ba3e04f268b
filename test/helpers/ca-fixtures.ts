/**
 * Checks every Conditional Access fixture file must pass, for the repository's own fixtures and
 * for the shared third-party ones alike: each export imports, except the policies import-ca must
 * refuse (the lockout rule, unresolved ids), which it names; and import -> toGraphPolicy gives
 * back the same policy modulo the documented normalisation (docs/conditional-access.md, "Adopting existing policies").
 */
import * as fs from "node:fs";
import { importConditionalAccessPolicies, toGraphPolicy } from "../../components/conditional-access/import";
import { normaliseConditionalAccessPolicy } from "../../components/conditional-access/graph-policy/normalise";
import { fixtureText, type FixtureFile } from "../../bench/fixtures";

type Json = Record<string, unknown>;
const READ_ONLY = new Set(["id", "createdDateTime", "modifiedDateTime", "deletedDateTime", "templateId", "partialEnablementStrategy"]);

/** The break-glass group of the test tenants' policies. */
export const TEST_BREAK_GLASS_GROUP = "a881d286-2b5c-417b-8d7e-c48b516aef83";

/**
 * A tenant's "Block non-corporate devices" policy as Graph exports it: enabled, all users, block
 * outside the AzureAD and ServerAD join types, the shape import-ca recognises as a
 * CorporateDeviceAccess component. `excludeGroups` are its exclusions (none: the key is absent).
 */
export function corporateDevicesPolicy(excludeGroups: string[] = [TEST_BREAK_GLASS_GROUP]) {
  return {
    id: "5c1f0e3a-7b2d-4e8f-9a6c-1d2e3f4a5b6c",
    displayName: "Block non-corporate devices",
    state: "enabled",
    conditions: {
      applications: { includeApplications: ["All"] },
      users: excludeGroups.length > 0 ? { includeUsers: ["All"], excludeGroups } : { includeUsers: ["All"] },
      clientAppTypes: ["all"],
      devices: { deviceFilter: { mode: "include", rule: 'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"' } },
    },
    grantControls: { operator: "OR", builtInControls: ["block"] },
  };
}

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

/**
 * The lockout rule, stated on the Graph JSON (independently of the importer): an enabled policy
 * for all users with a grant control (block, mfa, an authentication strength, terms of use...)
 * that excludes no user or group by object id. Excluded guests or roles do not count.
 */
export function locksOut(policy: Json): boolean {
  const users = ((policy.conditions as Json | undefined)?.users ?? {}) as Json;
  const grant = policy.grantControls as Json | null | undefined;
  const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : []);
  const controls = !!grant && (list(grant.builtInControls).length > 0 || !!grant.authenticationStrength || list(grant.termsOfUse).length > 0 || list(grant.customAuthenticationFactors).length > 0);
  const excludedIds = list(users.excludeUsers).filter((u) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(u));
  return policy.state === "enabled" && list(users.includeUsers).includes("All") && controls && excludedIds.length + list(users.excludeGroups).length === 0;
}

/** A refusal a fixture was written to show, other than the lockout rule's (which locksOut finds). */
export interface ExpectedRefusal {
  /** The policy's displayName, as the error names it. */
  policy: string;
  field: string;
  message: RegExp;
}

/**
 * The jest tests every policy export must pass: defined inside the caller's describe. Policies the
 * lockout rule refuses (found by locksOut) and the `refused` ones must be reported by name and
 * field, and left out; every other policy imports and round-trips.
 */
export function defineRoundTripTests(file: FixtureFile, refused: ExpectedRefusal[] = []): void {
  const original = readExportItems(file);
  const result = importConditionalAccessPolicies(fs.readFileSync(file.path), { sourceName: file.name });
  const lockout = (p: Json) => ({ policy: p.displayName as string, field: "conditions.users.excludeGroups", message: /break-glass/ });
  const expected = original.flatMap((p, index) => [...(locksOut(p) ? [lockout(p)] : []), ...refused.filter((r) => r.policy === p.displayName)].map((r) => ({ ...r, index })));
  const refusedIndexes = new Set(expected.map((r) => r.index));

  it(expected.length ? "imports every policy except the refused ones, which it names" : "imports every policy without error", () => {
    expect(result.errors).toEqual(expected.map((r) => expect.objectContaining({ source: file.name, index: r.index, policy: r.policy, field: r.field, message: expect.stringMatching(r.message) })));
    expect(result.policies.map((p) => p.displayName)).toEqual(original.filter((_, i) => !refusedIndexes.has(i)).map((p) => p.displayName));
  });

  it("exports back to the same Graph policy modulo the documented normalisation (azuread args, or the Graph-native payload)", () => {
    for (const policy of result.policies) {
      const graph = policy.graph ? normaliseConditionalAccessPolicy(policy.graph).value?.policy : toGraphPolicy(policy.resource);
      expect(normalised(graph)).toEqual(normalised(original[policy.index]));
    }
  });

  it("gives the pulumi import command, every argument single-quoted, when the export has ids", () => {
    for (const policy of result.policies) {
      const id = original[policy.index].id as string | undefined;
      if (id && policy.kind === "graph") {
        // the package plugin's resource, imported by its bare Graph id
        expect(policy.importCommand).toBe(`pulumi import 'tenant-guardrails:conditionalaccess:ConditionalAccessPolicy' '${policy.resourceName}' '${id}'`);
        expect(policy.typescript).toContain(`{ import: "${id}" }`);
        expect(policy.notes.map((n) => n.code)).toContain("graph-import");
      } else if (id) {
        expect(policy.importCommand).toBe(`pulumi import 'azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy' '${policy.resourceName}' '/identity/conditionalAccess/policies/${id}'`);
      } else {
        expect(policy.importCommand).toBeUndefined();
        expect(policy.notes.map((n) => n.code)).toContain("no-id");
      }
    }
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
