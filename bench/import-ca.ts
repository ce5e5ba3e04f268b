/**
 * import-ca throughput: every shared Conditional Access fixture file, and a large synthetic tenant
 * export (UTF-16LE with BOM, one `{ value: [...] }` page) mixing the fixture policies with legacy
 * device conditions and corporate-device filters.
 */
import { conditionalAccessFixtureNames, readConditionalAccessFixture } from "./fixtures";
import { importConditionalAccessFiles, importConditionalAccessPolicies } from "../components/conditional-access/import";
import { medianMs } from "./util";

const LARGE_EXPORT_POLICIES = 1000;

function fixtureFiles(): { name: string; content: Buffer }[] {
  return conditionalAccessFixtureNames().map((name) => ({ name, content: readConditionalAccessFixture(name) }));
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

  const rawPolicies = files
    .filter((f) => !f.name.endsWith("namedLocations.json"))
    .flatMap((f) => JSON.parse(f.content.toString("utf8")) as unknown)
    .flat();
  const large = largeExport(rawPolicies);
  const largeResult = importConditionalAccessPolicies(large);
  if (largeResult.errors.length) throw new Error(`bench export failed to import: ${largeResult.errors[0].message}`);
  const largeMs = await medianMs(5, () => importConditionalAccessPolicies(large));

  return {
    import_ca_fixture_files: files.length,
    import_ca_fixture_policies: fixturePolicies,
    import_ca_fixtures_ms: Number(fixtureMs.toFixed(2)),
    import_ca_large_export_policies: LARGE_EXPORT_POLICIES,
    import_ca_large_export_components: largeResult.policies.filter((p) => p.kind === "component").length,
    import_ca_large_export_utf16_ms: Number(largeMs.toFixed(1)),
    import_ca_per_policy_us: Number(((largeMs * 1000) / LARGE_EXPORT_POLICIES).toFixed(1)),
  };
}
