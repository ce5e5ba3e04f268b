/**
 * One vocabulary: every validator is `normaliseX(args) -> { value, problems }`, the names it replaced
 * still work for one minor version, and every type token comes from one table.
 */
import * as api from "../../components";
import { normaliseFipsDeviceConfiguration, planFipsConfiguration } from "../../components/intune/settings";
import { normaliseEmailAuthentication, planEmailAuthentication, type EmailAuthenticationSpec } from "../../components/email/plan";
import { validateDmarcSpec, type EmailSpecProblem } from "../../components/email/dmarc";
import type { InputProblem } from "../../components/errors";
import { COMPONENT_TYPE_TOKENS, DYNAMIC_TYPE_TOKENS, PROVIDER_TYPE_TOKENS } from "../../components/common/type-tokens";
import * as policies from "../../policies/policies";
import { ownershipMetadata, ownershipTag } from "../../components/common/ownership";
import { markerTag } from "../../components/intune/settings";

const PILOT = "11111111-1111-1111-1111-111111111111";
const EMAIL_OK: EmailAuthenticationSpec = {
  domains: [{ domain: "contoso.com", zoneName: "contoso.com", spf: { include: ["spf.protection.outlook.com"] }, dmarc: { rua: ["mailto:dmarc@contoso.com"] } }],
  dmarcPolicy: "none",
} as unknown as EmailAuthenticationSpec;

describe("validators share one shape: normaliseX(args) -> { value, problems }", () => {
  it("Intune: value holds the plan when there is no problem, and is absent when there is one", () => {
    const ok = normaliseFipsDeviceConfiguration({ onRemove: "disable", includeGroupIds: [PILOT] });
    expect(ok.problems).toEqual([]);
    expect(ok.value).toMatchObject({ includeGroupIds: [PILOT], displayNamePrefix: "tenant-guardrails", onRemove: "disable" });
    const bad = normaliseFipsDeviceConfiguration({ onRemove: "disable", includeGroupIds: ["All devices"] });
    expect(bad.value).toBeUndefined();
    expect(bad.problems.map((p) => p.field)).toEqual(["assignment.includeGroupIds[0]"]);
  });

  it("Email: value holds the plan when there is no problem, and is absent when there is one", () => {
    const ok = normaliseEmailAuthentication(EMAIL_OK);
    expect(ok.problems).toEqual([]);
    expect(ok.value?.domains.map((d) => d.domain)).toEqual(["contoso.com"]);
    const bad = normaliseEmailAuthentication({ ...EMAIL_OK, dmarcPolicy: "strict" } as unknown as EmailAuthenticationSpec);
    expect(bad.value).toBeUndefined();
    expect(bad.problems.map((p) => p.field)).toContain("dmarcPolicy");
  });

  it("the public API exports the normalise names", () => {
    expect(typeof api.normaliseFipsDeviceConfiguration).toBe("function");
    expect(typeof api.normaliseEmailAuthentication).toBe("function");
    expect(typeof api.normaliseVulnerabilityAssessment).toBe("function");
  });
});

describe("deprecated aliases still behave as before", () => {
  it("planFipsConfiguration returns { plan, problems } with the same plan and problems", () => {
    const args = { onRemove: "leaveEnabled", includeGroupIds: [PILOT], bitLocker: {} };
    const old = planFipsConfiguration(args);
    expect(old.problems).toEqual([]);
    expect(old.plan).toEqual(normaliseFipsDeviceConfiguration(args).value);
    expect(old.plan?.bitLocker?.osDriveEncryptionMethod).toBe("xtsAes256");
    const bad = planFipsConfiguration({ includeGroupIds: [] });
    expect(bad.plan).toBeUndefined();
    expect(bad.problems).toEqual(normaliseFipsDeviceConfiguration({ includeGroupIds: [] }).problems);
    expect(bad.problems.map((p) => p.field)).toEqual(["assignment.includeGroupIds", "onRemove"]);
    expect(api.planFipsConfiguration).toBe(planFipsConfiguration);
  });

  it("planEmailAuthentication returns the plan even with problems, the problems inside it", () => {
    const old = planEmailAuthentication(EMAIL_OK);
    expect(old.problems).toEqual([]);
    expect(old).toEqual(normaliseEmailAuthentication(EMAIL_OK).value);
    const bad = planEmailAuthentication({ ...EMAIL_OK, dmarcPolicy: "strict" } as unknown as EmailAuthenticationSpec);
    expect(bad.domains.map((d) => d.domain)).toEqual(["contoso.com"]);
    expect(bad.problems).toEqual(normaliseEmailAuthentication({ ...EMAIL_OK, dmarcPolicy: "strict" } as unknown as EmailAuthenticationSpec).problems);
    expect(api.planEmailAuthentication).toBe(planEmailAuthentication);
  });

  it("EmailSpecProblem is InputProblem: a problem of one is a problem of the other", () => {
    const problems: EmailSpecProblem[] = validateDmarcSpec({ policy: "strict" } as never);
    const same: InputProblem[] = problems;
    const back: EmailSpecProblem[] = same;
    expect(back[0]).toMatchObject({ field: "policy", value: "strict" });
    expect(Object.keys(back[0]).sort()).toEqual(["field", "fix", "problem", "value"]);
  });
});

describe("type tokens come from one table", () => {
  it("the policy pack's constants are the table's entries", () => {
    expect(policies.CORPORATE_DEVICE_ACCESS_TYPE).toBe(COMPONENT_TYPE_TOKENS.CorporateDeviceAccess);
    expect(policies.VULNERABILITY_ASSESSMENT_TYPE).toBe("tenant-guardrails:index:VulnerabilityAssessment");
    expect(policies.EMAIL_AUTHENTICATION_TYPE).toBe(COMPONENT_TYPE_TOKENS.EmailAuthentication);
    expect(policies.INTUNE_CONFIGURATION_TYPE).toBe("pulumi-nodejs:dynamic/intune:DeviceConfiguration");
    expect(policies.QUALYS_BYOL_TYPE).toBe("pulumi-nodejs:dynamic/defender:QualysByolSolution");
    expect(DYNAMIC_TYPE_TOKENS.PricingReset).toBe("pulumi-nodejs:dynamic/defender:PricingReset");
    expect(policies.CA_POLICY_TYPE).toBe(PROVIDER_TYPE_TOKENS.ConditionalAccessPolicy);
  });

  it("the token constants the components export are the table's entries", () => {
    expect(api.EMAIL_AUTHENTICATION_TYPE).toBe(COMPONENT_TYPE_TOKENS.EmailAuthentication);
    expect(api.CORPORATE_DEVICE_ACCESS_TYPE).toBe(COMPONENT_TYPE_TOKENS.CorporateDeviceAccess);
  });
});

describe("ownership markers name one owner", () => {
  it("the description tag and the metadata a portal user sees", () => {
    expect(ownershipTag("proj/dev/fips/fips")).toBe("[tenant-guardrails:proj/dev/fips/fips]");
    expect(markerTag("proj/dev/fips/fips")).toBe(ownershipTag("proj/dev/fips/fips"));
    expect(ownershipMetadata("email-spf")).toEqual({ managedBy: "tenant-guardrails", purpose: "email-spf" });
  });
});
