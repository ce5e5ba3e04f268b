/**
 * The TypeScript the importer prints compiles against the installed @pulumi/azuread and the
 * CorporateDeviceAccess args: every policy of the repository's fixtures, the legacy conversions and
 * a rich beta export (the shared third-party exports: import-typecheck.shared.test.ts).
 * The snippets are checked as one in-memory file; nothing is written to disk.
 */
import * as fs from "node:fs";
import { importConditionalAccessFiles, importConditionalAccessPolicies } from "../../../components/conditional-access/import";
import { conditionalAccessFixtures } from "../../../bench/fixtures";
import { TYPECHECK_TIMEOUT_MS, snippetModule, typecheck } from "../../helpers/typecheck";

describe("printed TypeScript", () => {
  it("compiles against @pulumi/azuread and CorporateDeviceAccess", () => {
    const files = conditionalAccessFixtures("repository").map((f) => ({ name: f.name, content: fs.readFileSync(f.path) }));
    const policies = [
      ...importConditionalAccessFiles(files).policies,
      ...importConditionalAccessPolicies([
        {
          displayName: "legacy",
          state: "enabled",
          conditions: {
            applications: { includeApplications: ["All"] },
            users: { includeUsers: ["All"], excludeGroups: ["a881d286-2b5c-417b-8d7e-c48b516aef83"] },
            clientAppTypes: ["all"],
            devices: { includeDevices: ["All"], excludeDevices: ["Compliant", "DomainJoined"] },
          },
          grantControls: { operator: "OR", builtInControls: ["block"] },
        },
        {
          id: "c2a1b3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
          displayName: "rich",
          state: "enabledForReportingButNotEnforced",
          conditions: {
            applications: { includeApplications: ["All"] },
            users: {
              includeGroups: ["6c96716b-b32b-40b8-9009-49748bb6fcd5"],
              excludeGuestsOrExternalUsers: { guestOrExternalUserTypes: "internalGuest", externalTenants: { membershipKind: "enumerated", members: ["72f988bf-86f1-41af-91ab-2d7cd011db47"] } },
            },
            clientAppTypes: ["browser"],
            authenticationFlows: { transferMethods: "deviceCodeFlow" },
            insiderRiskLevels: "elevated",
            clientApplications: { includeServicePrincipals: ["ServicePrincipalsInMyTenant"] },
          },
          grantControls: { operator: "AND", builtInControls: ["mfa"], authenticationStrength: { id: "00000000-0000-0000-0000-000000000002" }, termsOfUse: ["t1"] },
          sessionControls: { signInFrequency: { isEnabled: true, frequencyInterval: "everyTime", authenticationType: "secondaryAuthentication" }, disableResilienceDefaults: true },
        },
        {
          id: "0b7d2e14-61a3-4c0e-9e2f-3a4b5c6d7e8f",
          displayName: "corporate",
          state: "enabled",
          conditions: {
            applications: { includeApplications: ["Office365"] },
            users: { includeUsers: ["All"], excludeGroups: ["a881d286-2b5c-417b-8d7e-c48b516aef83"] },
            clientAppTypes: ["all"],
            devices: { deviceFilter: { mode: "include", rule: 'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"' } },
          },
          grantControls: { operator: "OR", builtInControls: ["block"] },
        },
      ]).policies,
    ];
    expect(policies.some((p) => p.kind === "component")).toBe(true);
    expect(typecheck(snippetModule(policies))).toEqual([]);
  }, TYPECHECK_TIMEOUT_MS);

  it("the check is not vacuous: a wrong field name is reported", () => {
    const errors = typecheck('import * as azuread from "@pulumi/azuread";\nnew azuread.ConditionalAccessPolicy("x", { displayName: "x", state: "enabled", conditions: { applications: {}, clientAppTypes: [], users: {}, devices: { filters: {} } } });');
    expect(errors.join("\n")).toMatch(/filters/);
  }, TYPECHECK_TIMEOUT_MS);
});
