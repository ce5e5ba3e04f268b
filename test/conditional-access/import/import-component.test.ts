/**
 * Imported component args, run through the real CorporateDeviceAccess under Pulumi mocks: the
 * import file names exactly the children the component declares, and after adoption the first
 * `pulumi up` would send the same policy the tenant already has.
 */
import { runUnderMocks } from "../../../cli/engine";
import { CorporateDeviceAccess } from "../../../components/conditional-access/component/corporate-device-access";
import { buildCorporateDevicePolicies, normaliseCorporateDeviceAccess } from "../../../components/conditional-access/component/corporate-device-policy";
import { combinedImportFile, importConditionalAccessPolicies, toGraphPolicy, type ImportedPolicy } from "../../../components/conditional-access/import";

const POLICY_TYPE = "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy";
const BREAK_GLASS = "a881d286-2b5c-417b-8d7e-c48b516aef83";

/** Run the import's TypeScript snippet with the real component, under mocks. */
async function declare(imported: ImportedPolicy) {
  return runUnderMocks(
    () => {
      new Function("CorporateDeviceAccess", imported.typescript)(CorporateDeviceAccess);
    },
    { project: "tenant-guardrails", stack: "test" },
  );
}

describe("adopting a tenant's CorporateDeviceAccess policies", () => {
  // The tenant holds what a CorporateDeviceAccess with allowedPlatforms declared earlier.
  const declared = buildCorporateDevicePolicies(
    normaliseCorporateDeviceAccess({ displayName: "Corp", state: "enabled", allowedPlatforms: ["windows", "macOS"], emergencyAccess: { groupIds: [BREAK_GLASS] } }).value!,
  );
  const ids = ["aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002"];
  const exported = declared.map((d, i) => ({ id: ids[i], createdDateTime: "2025-01-01T00:00:00Z", ...toGraphPolicy(d.args) }));
  const imported = importConditionalAccessPolicies(exported, { sourceName: "tenant.json" });
  const main = imported.policies.find((p) => p.component)!;

  it("imports both as one component", () => {
    expect(imported.errors).toEqual([]);
    expect(imported.policies.map((p) => [p.kind, p.partOf ?? null])).toEqual([
      ["component", null],
      ["component", main.resourceName],
    ]);
  });

  it("the combined import file adopts the pair once, through the component", () => {
    expect(combinedImportFile(imported.policies)).toEqual(main.importFile);
    expect(main.importFile!.resources).toHaveLength(3);
  });

  it("the import file names exactly the children the component declares, parented to it", async () => {
    const { resources } = await declare(main);
    const component = resources.find((r) => r.type === "tenant-guardrails:index:CorporateDeviceAccess")!;
    expect(component.name).toBe(main.resourceName);
    const children = resources.filter((r) => r.type === POLICY_TYPE);
    expect(children.every((c) => c.parent === component.urn)).toBe(true);
    const toAdopt = main.importFile!.resources.filter((r) => r.type === POLICY_TYPE);
    expect(children.map((c) => c.name).sort()).toEqual(toAdopt.map((r) => r.name).sort());
    expect(toAdopt.map((r) => r.parent)).toEqual([main.resourceName, main.resourceName]);
  });

  it("after adoption the component sends the policies the tenant has: nothing to update", async () => {
    const { resources } = await declare(main);
    const byName = new Map(resources.filter((r) => r.type === POLICY_TYPE).map((r) => [r.name, r.plainInputs]));
    for (const [i, policy] of imported.policies.entries()) {
      const child = main.importFile!.resources.find((r) => r.id === `/identity/conditionalAccess/policies/${ids[i]}`)!;
      expect(byName.get(child.name)).toEqual(policy.resource);
    }
  });
});
