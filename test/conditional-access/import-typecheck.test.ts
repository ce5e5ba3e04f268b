/**
 * The TypeScript the importer prints compiles against the installed @pulumi/azuread and the
 * CorporateDeviceAccess args: every fixture policy, the legacy conversions and a rich beta export.
 * The snippets are checked as one in-memory file; nothing is written to disk.
 */
import * as path from "node:path";
import ts from "typescript";
import { importConditionalAccessFiles, importConditionalAccessPolicies } from "../../components/conditional-access/import";
import { conditionalAccessFixtureNames, readConditionalAccessFixture } from "../../bench/fixtures";

const REPO = path.resolve(__dirname, "../..");
// Loading the azuread and Pulumi declarations takes seconds, more on a busy machine.
const TYPECHECK_TIMEOUT_MS = 120_000;

function typecheck(source: string): string[] {
  const file = path.join(REPO, "test/conditional-access/__import_snippets__.ts");
  const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true, skipLibCheck: true, types: [] };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const getSource = host.getSourceFile.bind(host);
  host.readFile = (f) => (f === file ? source : read(f));
  host.fileExists = (f) => f === file || exists(f);
  host.getSourceFile = (f, lang, onError, create) => (f === file ? ts.createSourceFile(f, source, lang) : getSource(f, lang, onError, create));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : "";
    return where + ts.flattenDiagnosticMessageText(d.messageText, "\n");
  });
}

describe("printed TypeScript", () => {
  it("compiles against @pulumi/azuread and CorporateDeviceAccess", () => {
    const files = conditionalAccessFixtureNames().map((name) => ({ name, content: readConditionalAccessFixture(name) }));
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
    const source = [
      'import * as azuread from "@pulumi/azuread";',
      'import { CorporateDeviceAccess } from "../../components/conditional-access/corporate-device-access";',
      ...policies.map((p) => p.typescript),
    ].join("\n");
    expect(typecheck(source)).toEqual([]);
  }, TYPECHECK_TIMEOUT_MS);

  it("the check is not vacuous: a wrong field name is reported", () => {
    const errors = typecheck('import * as azuread from "@pulumi/azuread";\nnew azuread.ConditionalAccessPolicy("x", { displayName: "x", state: "enabled", conditions: { applications: {}, clientAppTypes: [], users: {}, devices: { filters: {} } } });');
    expect(errors.join("\n")).toMatch(/filters/);
  }, TYPECHECK_TIMEOUT_MS);
});
