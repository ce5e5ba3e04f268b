/**
 * import-ca throughput: every Conditional Access fixture file (the repository's own, plus the
 * shared third-party exports when they are beside the repository; `fixtures_source` says which),
 * and a large synthetic tenant export (UTF-16LE with BOM, one `{ value: [...] }` page) mixing the
 * fixture policies with legacy device conditions and corporate-device filters.
 */
import * as fs from "node:fs";
import { allConditionalAccessFixtures, fixturesSource } from "./fixtures";
import { importConditionalAccessFiles, importConditionalAccessPolicies } from "../components/conditional-access/import";
import { medianMs } from "./util";

const LARGE_EXPORT_POLICIES = 1000;

function fixtureFiles(): { name: string; content: Buffer }[] {
  return allConditionalAccessFixtures().map((f) => ({ name: `${f.origin}/${f.name}`, content: fs.readFileSync(f.path) }));
}

/** The policy objects of an export: a { value } page, an array (of policies or pages), or one policy. */
function policyObjects(json: unknown): unknown[] {
  if (Array.isArray(json)) return json.flatMap(policyObjects);
  if (json && typeof json === "object" && Array.isArray((json as { value?: unknown }).value)) return policyObjects((json as { value: unknown[] }).value);
  return json && typeof json === "object" && "conditions" in json ? [json] : [];
}

function largeExport(policies: unknown[]): Buffer {
  const extra = (i: number, devices: unknown) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    displayName: `synthetic ${i}`,
    state: "enabled",
    conditions: {
      applications: { includeApplications: ["All"] },
      users: { includeUsers: ["All"], excludeGroups: ["a881d286-2b5c-417b-8d7e-c48b516aef83"] },
      clientAppTypes: ["all"],
      devices,
    },
    grantControls: { operator: "OR", builtInControls: ["block"] },
  });
  const value = Array.from({ length: LARGE_EXPORT_POLICIES }, (_, i) => {
    if (i % 3 === 0) return extra(i, { includeDevices: ["All"], excludeDevices: ["Compliant", "DomainJoined"] });
    if (i % 3 === 1) return extra(i, { deviceFilter: { mode: "include", rule: 'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"' } });
    return policies[i % policies.length];
  });
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify({ value }), "utf16le")]);
}

export async function run(): Promise<Record<string, unknown>> {
  const files = fixtureFiles();
  const once = importConditionalAccessFiles(files);
  const fixturePolicies = once.policies.length;
  const fixtureMs = await medianMs(20, () => importConditionalAccessFiles(files));

  const rawPolicies = files.flatMap((f) => policyObjects(JSON.parse(f.content.toString("utf8").replace(/^\uFEFF/, "")) as unknown));
  const large = largeExport(rawPolicies);
  const largeResult = importConditionalAccessPolicies(large);
  if (largeResult.errors.length) throw new Error(`bench export failed to import: ${largeResult.errors[0].message}`);
  const largeMs = await medianMs(5, () => importConditionalAccessPolicies(large));

  return {
    fixtures_source: fixturesSource(),
    import_ca_fixture_files: files.length,
    import_ca_fixture_policies: fixturePolicies,
    import_ca_fixtures_ms: Number(fixtureMs.toFixed(2)),
    import_ca_large_export_policies: LARGE_EXPORT_POLICIES,
    import_ca_large_export_components: largeResult.policies.filter((p) => p.kind === "component").length,
    import_ca_large_export_utf16_ms: Number(largeMs.toFixed(1)),
    import_ca_per_policy_us: Number(((largeMs * 1000) / LARGE_EXPORT_POLICIES).toFixed(1)),
  };
}
