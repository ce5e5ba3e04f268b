import {
  CA_POLICY_TYPE,
  CORPORATE_DEVICE_ACCESS_TYPE,
  DEFENDER_PRICING_TYPE,
  DNS_RECORD_SET_TYPE,
  INTUNE_CONFIGURATION_TYPE,
  QUALYS_BYOL_TYPE,
  VULNERABILITY_ASSESSMENT_TYPE,
  allPolicies,
  caBlockAllWithoutExclusions,
  caEnabledExcludesEmergencyAccess,
  corporateDevicePolicyEnforcedInProd,
  defenderServersP2InProd,
  dmarcAggregateReports,
  dmarcRejectInProd,
  fipsWhereverBitLocker,
  initialPackConfig,
  noQualysByolWithArcMachines,
} from "../../policies/policies";
import { validateResource, validateStack, urnOf, type ResourceSpec } from "./harness";

const BREAK_GLASS_GROUP = "0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b02";
const BREAK_GLASS_USER = "5d2a7e3c-1f4b-4c8e-9a0d-3b6f2e1c7a10";
const OTHER_GROUP = "11111111-2222-4333-8444-555555555555";
const RULE = 'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"';

function caPolicy(over: { state?: string; excludedGroups?: string[]; excludedUsers?: string[]; rule?: string; name?: string; stack?: string; parents?: string[]; apps?: string[] }): ResourceSpec {
  return {
    type: CA_POLICY_TYPE,
    name: over.name ?? "corporate-devices-untrusted-devices",
    stack: over.stack ?? "prod",
    parents: over.parents ?? [CORPORATE_DEVICE_ACCESS_TYPE],
    props: {
      displayName: "Office 365 from corporate devices: block devices not AzureAD or ServerAD joined",
      state: over.state ?? "enabled",
      conditions: {
        applications: { includedApplications: over.apps ?? ["Office365"] },
        clientAppTypes: ["all"],
        ...(over.rule === "" ? {} : { devices: { filter: { mode: "include", rule: over.rule ?? RULE } } }),
        users: { includedUsers: ["All"], excludedGroups: over.excludedGroups ?? [], excludedUsers: over.excludedUsers ?? [] },
      },
      grantControls: { builtInControls: ["block"], operator: "OR" },
    },
  };
}

const breakGlassConfig = { emergencyAccessUserIds: [BREAK_GLASS_USER], emergencyAccessGroupIds: [BREAK_GLASS_GROUP] };

/** The component that declared the CA policy, with the break-glass ids it persisted as its input. */
function corporateDeviceAccess(emergencyAccess: { userIds?: string[]; groupIds?: string[] }, stack = "prod"): ResourceSpec {
  return { type: CORPORATE_DEVICE_ACCESS_TYPE, name: "corporate-devices", stack, props: { state: "enabled", emergencyAccess } };
}

describe("policy ca-enabled-policy-excludes-emergency-access (mandatory)", () => {
  it("passes an enabled policy that excludes a configured break-glass group", async () => {
    expect(await validateStack(caEnabledExcludesEmergencyAccess, [caPolicy({ excludedGroups: [BREAK_GLASS_GROUP.toUpperCase()] })], breakGlassConfig)).toEqual([]);
  });

  it("passes a report-only policy without exclusions (nothing is enforced yet)", async () => {
    expect(await validateStack(caEnabledExcludesEmergencyAccess, [caPolicy({ state: "enabledForReportingButNotEnforced" })], breakGlassConfig)).toEqual([]);
    expect(await validateStack(caEnabledExcludesEmergencyAccess, [caPolicy({ state: "enabledForReportingButNotEnforced" })])).toEqual([]);
  });

  it("reports an enabled policy whose only exclusion is not a known break-glass id, on that policy's URN", async () => {
    const spec = caPolicy({ excludedGroups: [OTHER_GROUP] });
    const v = await validateStack(caEnabledExcludesEmergencyAccess, [spec], breakGlassConfig);
    expect(v).toHaveLength(1);
    expect(v[0].urn).toBe(urnOf("prod", CA_POLICY_TYPE, spec.name, spec.parents));
    expect(v[0].message).toContain('Conditional Access policy "Office 365 from corporate devices');
    expect(v[0].message).toContain("excludes none of the tenant's emergency-access (break-glass) accounts or groups");
    expect(v[0].message).toContain(`groups: ${BREAK_GLASS_GROUP} (policies/policy-config.json emergencyAccessGroupIds)`);
    expect(v[0].message).toContain(`this policy excludes users: none; groups: ${OTHER_GROUP}`);
    expect(v[0].message).toContain("Fix: exclude one of them");
  });

  it("takes the break-glass ids the stack declares (CorporateDeviceAccess emergencyAccess), with or without ids in the config", async () => {
    const acmeGroup = "a1b2c3d4-0000-4000-8000-00000000ac01";
    const stack = [corporateDeviceAccess({ groupIds: [acmeGroup] }), caPolicy({ excludedGroups: [acmeGroup] })];
    expect(await validateStack(caEnabledExcludesEmergencyAccess, stack)).toEqual([]);
    expect(await validateStack(caEnabledExcludesEmergencyAccess, stack, breakGlassConfig)).toEqual([]);
    const v = await validateStack(caEnabledExcludesEmergencyAccess, [corporateDeviceAccess({ groupIds: [acmeGroup] }), caPolicy({ name: "legacy-auth", parents: [] })]);
    expect(v).toHaveLength(1);
    expect(v[0].message).toContain(`groups: ${acmeGroup} (CorporateDeviceAccess "corporate-devices" emergencyAccess.groupIds)`);
  });

  it("with no break-glass id declared or configured, an enabled policy is reported even if it excludes someone (fail closed)", async () => {
    const v = await validateStack(caEnabledExcludesEmergencyAccess, [caPolicy({ excludedUsers: [OTHER_GROUP] })]);
    expect(v).toHaveLength(1);
    expect(v[0].message).toContain("no emergency-access (break-glass) account or group is known to check it against");
    expect(v[0].message).toContain("stacks/Pulumi.prod.yaml: tenant-guardrails:conditionalAccess.emergencyAccess.userIds or .groupIds");
    expect(v[0].message).toContain('policies/policy-config.json under "ca-enabled-policy-excludes-emergency-access": emergencyAccessUserIds / emergencyAccessGroupIds');
  });
});

describe("policy corporate-device-policy-enforced-in-prod (mandatory)", () => {
  it("reports the component's policy left in report-only in prod, with the exception to add", async () => {
    const v = await validateResource(corporateDevicePolicyEnforcedInProd, caPolicy({ state: "enabledForReportingButNotEnforced" }));
    expect(v).toHaveLength(1);
    expect(v[0].message).toContain('is "enabledForReportingButNotEnforced" in production stack "prod"');
    expect(v[0].message).toContain('reportOnlyExceptions: [{ stack: "prod", policy: "corporate-devices-untrusted-devices"');
  });

  it("recognises a raw policy by its trustType filter, and a disabled one too", async () => {
    const v = await validateResource(corporateDevicePolicyEnforcedInProd, caPolicy({ state: "disabled", parents: [], name: "raw-ca" }));
    expect(v).toHaveLength(1);
  });

  it("passes when enabled, in dev, for an unrelated policy, or with a named exception", async () => {
    expect(await validateResource(corporateDevicePolicyEnforcedInProd, caPolicy({}))).toEqual([]);
    expect(await validateResource(corporateDevicePolicyEnforcedInProd, caPolicy({ state: "enabledForReportingButNotEnforced", stack: "dev" }))).toEqual([]);
    expect(await validateResource(corporateDevicePolicyEnforcedInProd, caPolicy({ state: "enabledForReportingButNotEnforced", parents: [], rule: "", name: "mfa" }))).toEqual([]);
    const config = { reportOnlyExceptions: [{ stack: "prod", policy: "corporate-devices", reason: "pilot until the kiosk fleet is joined (CISO, CHG-1234)" }] };
    expect(await validateResource(corporateDevicePolicyEnforcedInProd, caPolicy({ state: "enabledForReportingButNotEnforced" }), config)).toEqual([]);
  });

  it("an exception without a reason, for another stack, or past its end date does not count", async () => {
    const spec = caPolicy({ state: "enabledForReportingButNotEnforced" });
    for (const e of [
      { stack: "prod", policy: "corporate-devices-untrusted-devices", reason: " " },
      { stack: "staging", policy: "corporate-devices-untrusted-devices", reason: "pilot" },
    ]) {
      expect(await validateResource(corporateDevicePolicyEnforcedInProd, spec, { reportOnlyExceptions: [e] })).toHaveLength(1);
    }
    const expired = await validateResource(corporateDevicePolicyEnforcedInProd, spec, {
      reportOnlyExceptions: [{ stack: "prod", policy: "corporate-devices-untrusted-devices", reason: "pilot", until: "2020-01-31" }],
    });
    expect(expired[0].message).toContain("the exception for it ended on 2020-01-31");
  });

  it("production stacks come from the config", async () => {
    const spec = caPolicy({ state: "enabledForReportingButNotEnforced", stack: "live" });
    expect(await validateResource(corporateDevicePolicyEnforcedInProd, spec)).toEqual([]);
    expect(await validateResource(corporateDevicePolicyEnforcedInProd, spec, { productionStacks: ["live"] })).toHaveLength(1);
  });
});

const SUB = "9d4f1a27-6c3b-4e5d-8f70-2a1b3c4d5e62";
const OTHER_SUB = "3b7e2c91-5d4a-4f8e-a1c6-0e9d8b7a6f51";
const vm = (sub: string) => `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1`;
const arc = (sub: string) => `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.HybridCompute/machines/arc-1`;
const byol = (sub: string): ResourceSpec => ({ type: QUALYS_BYOL_TYPE, name: "prod-va-qualys-solution", props: { subscriptionId: sub, linkedVmIds: [vm(sub)] } });
const va = (name: string, sub: string, provider: string, machines: unknown[]): ResourceSpec => ({
  type: VULNERABILITY_ASSESSMENT_TYPE,
  name,
  props: { subscriptionId: sub, provider, machines },
});

describe("policy no-qualys-byol-with-arc-machines (mandatory)", () => {
  it("reports BYOL in a subscription where another component lists an Arc machine", async () => {
    const v = await validateStack(noQualysByolWithArcMachines, [byol(SUB), va("inventory", SUB, "builtIn", [{ id: arc(SUB) }])]);
    expect(v).toHaveLength(1);
    expect(v[0].urn).toBe(urnOf("prod", QUALYS_BYOL_TYPE, "prod-va-qualys-solution"));
    expect(v[0].message).toContain(`subscription ${SUB}, which has Azure Arc machines (Arc machine ${arc(SUB)}`);
    expect(v[0].message).toContain('Fix: use provider "builtIn"');
  });

  it("reports BYOL in a subscription the config lists as holding Arc machines", async () => {
    const v = await validateStack(noQualysByolWithArcMachines, [byol(SUB)], { arcSubscriptionIds: [SUB.toUpperCase()] });
    expect(v[0].message).toContain("listed in the policy config (arcSubscriptionIds)");
  });

  it("passes BYOL when the Arc machines are in another subscription (dev built-in, prod BYOL)", async () => {
    const specs = [byol(SUB), va("prod-va", SUB, "qualysByol", [vm(SUB)]), va("dev-va", OTHER_SUB, "builtIn", [arc(OTHER_SUB), "i-0abc"])];
    expect(await validateStack(noQualysByolWithArcMachines, specs)).toEqual([]);
  });
});

const FIPS_URI = "./Device/Vendor/MSFT/Policy/Config/Cryptography/AllowFipsAlgorithmPolicy";
const G1 = "6d3f8b20-7c1e-4a95-b2d4-5e8f1a0c3b22";
const G2 = "4a7c2e91-3b5d-4f60-8e1a-9c2b7d3e5f11";
const profile = (name: string, kind: "fips" | "bitlocker", include: string[], exclude: string[] = []): ResourceSpec => ({
  type: INTUNE_CONFIGURATION_TYPE,
  name,
  props: {
    displayName: kind === "fips" ? "Windows FIPS mode" : "BitLocker (FIPS-compatible)",
    includeGroupIds: include,
    excludeGroupIds: exclude,
    omaSettings:
      kind === "fips"
        ? [{ omaUri: FIPS_URI, value: "1", kind: "integer" }]
        : [{ omaUri: "./Device/Vendor/MSFT/BitLocker/RequireDeviceEncryption", value: "1", kind: "integer" }],
  },
});

describe("policy fips-assigned-wherever-bitlocker (mandatory)", () => {
  it("passes when every BitLocker group also gets FIPS (group ids compared case-insensitively)", async () => {
    expect(await validateStack(fipsWhereverBitLocker, [profile("f", "fips", [G1.toUpperCase(), G2]), profile("b", "bitlocker", [G1])])).toEqual([]);
  });

  it("reports a BitLocker group that no FIPS profile covers, or that the FIPS profile excludes", async () => {
    const v = await validateStack(fipsWhereverBitLocker, [profile("f", "fips", [G1], [G2]), profile("b", "bitlocker", [G1, G2])]);
    expect(v).toHaveLength(1);
    expect(v[0].message).toContain(`BitLocker profile b (BitLocker (FIPS-compatible)) is assigned to group(s) ${G2} that no FIPS profile covers`);
    expect(v[0].urn).toBe(urnOf("prod", INTUNE_CONFIGURATION_TYPE, "b"));
    expect(await validateStack(fipsWhereverBitLocker, [profile("b", "bitlocker", [G1])])).toHaveLength(1);
  });

  it("a FIPS profile with the setting off does not count; groups with FIPS from a GPO do", async () => {
    const off = profile("f", "fips", [G1]);
    (off.props.omaSettings as { value: string }[])[0].value = "0";
    expect(await validateStack(fipsWhereverBitLocker, [off, profile("b", "bitlocker", [G1])])).toHaveLength(1);
    expect(await validateStack(fipsWhereverBitLocker, [profile("b", "bitlocker", [G1])], { groupsWithFipsFromGroupPolicy: [G1] })).toEqual([]);
  });
});

const txt = (name: string, zone: string, relative: string, value: string, stack = "prod"): ResourceSpec => ({
  type: DNS_RECORD_SET_TYPE,
  name,
  stack,
  props: { zoneName: zone, relativeRecordSetName: relative, recordType: "TXT", txtRecords: [{ value: [value] }] },
});
const dkim = (zone: string): ResourceSpec => ({
  type: DNS_RECORD_SET_TYPE,
  name: `${zone}-dkim`,
  props: { zoneName: zone, relativeRecordSetName: "selector1._domainkey", recordType: "CNAME", cnameRecord: { cname: "x" } },
});

describe("policy dmarc-reject-in-prod (mandatory)", () => {
  const sending = txt("spf", "contoso.com", "@", "v=spf1 include:spf.protection.outlook.com -all");

  it("reports p=quarantine for a sending domain in prod", async () => {
    const v = await validateStack(dmarcRejectInProd, [sending, txt("dmarc", "contoso.com", "_dmarc", "v=DMARC1; p=quarantine; rua=mailto:d@contoso.com")]);
    expect(v).toHaveLength(1);
    expect(v[0].message).toContain('DMARC record of contoso.com (dmarc) has p=quarantine in production stack "prod", and contoso.com sends mail');
    expect(v[0].urn).toBe(urnOf("prod", DNS_RECORD_SET_TYPE, "dmarc"));
  });

  it("reports p=reject in test mode and with pct below 100", async () => {
    const t = await validateStack(dmarcRejectInProd, [sending, txt("dmarc", "contoso.com", "_dmarc", "v=DMARC1; p=reject; t=y")]);
    expect(t[0].message).toContain("test mode (t=y)");
    const pct = await validateStack(dmarcRejectInProd, [sending, txt("dmarc", "contoso.com", "_dmarc", "v=DMARC1; p=reject; pct=50")]);
    expect(pct[0].message).toContain("pct=50%");
  });

  it("a subdomain's record (_dmarc.mail in the parent zone) and a domain with only DKIM count as sending", async () => {
    const v = await validateStack(dmarcRejectInProd, [dkim("mail.contoso.com"), txt("dmarc", "contoso.com", "_dmarc.mail", "v=DMARC1; p=none")]);
    expect(v[0].message).toContain("DMARC record of mail.contoso.com");
  });

  it("passes p=reject in prod, p=none in dev, and p=none for a parked domain (null SPF, no DKIM)", async () => {
    expect(await validateStack(dmarcRejectInProd, [sending, txt("dmarc", "contoso.com", "_dmarc", "v=DMARC1; p=reject; rua=mailto:d@contoso.com")])).toEqual([]);
    expect(await validateStack(dmarcRejectInProd, [txt("dmarc", "dev.contoso.com", "_dmarc", "v=DMARC1; p=none", "dev")])).toEqual([]);
    expect(await validateStack(dmarcRejectInProd, [txt("spf", "contoso.net", "@", "v=spf1 -all"), txt("dmarc", "contoso.net", "_dmarc", "v=DMARC1; p=none")])).toEqual([]);
  });
});

describe("advisory policies", () => {
  it("every advisory policy is advisory and every mandatory one mandatory", () => {
    const levels = Object.fromEntries(allPolicies.map((p) => [p.name, p.enforcementLevel]));
    expect(levels).toEqual({
      "ca-enabled-policy-excludes-emergency-access": "mandatory",
      "corporate-device-policy-enforced-in-prod": "mandatory",
      "no-qualys-byol-with-arc-machines": "mandatory",
      "fips-assigned-wherever-bitlocker": "mandatory",
      "dmarc-reject-in-prod": "mandatory",
      "ca-block-all-without-exclusions": "advisory",
      "dmarc-aggregate-reports": "advisory",
      "defender-servers-p2-in-prod": "advisory",
    });
  });

  it("ca-block-all-without-exclusions: all users, all apps, block, nobody excluded", async () => {
    const v = await validateResource(caBlockAllWithoutExclusions, caPolicy({ apps: ["All"], state: "enabledForReportingButNotEnforced" }));
    expect(v[0].message).toContain("blocks all users on all applications and excludes nobody");
    expect(await validateResource(caBlockAllWithoutExclusions, caPolicy({ apps: ["All"], excludedGroups: [BREAK_GLASS_GROUP] }))).toEqual([]);
    expect(await validateResource(caBlockAllWithoutExclusions, caPolicy({}))).toEqual([]);
  });

  it("dmarc-aggregate-reports: a record without rua=", async () => {
    const v = await validateStack(dmarcAggregateReports, [txt("dmarc", "contoso.com", "_dmarc", "v=DMARC1; p=reject")]);
    expect(v[0].message).toContain("DMARC record of contoso.com (dmarc) has no rua= aggregate report address");
    expect(await validateStack(dmarcAggregateReports, [txt("dmarc", "contoso.com", "_dmarc", "v=DMARC1; p=reject; rua=mailto:d@contoso.com")])).toEqual([]);
  });

  it("defender-servers-p2-in-prod: P1 in prod, not P2, not dev", async () => {
    const plan = (subPlan: string, stack: string): ResourceSpec => ({
      type: DEFENDER_PRICING_TYPE,
      name: "va-servers-plan",
      stack,
      props: { pricingName: "VirtualMachines", pricingTier: "Standard", subPlan },
    });
    expect((await validateResource(defenderServersP2InProd, plan("P1", "prod")))[0].message).toContain("is P1 in production stack");
    expect(await validateResource(defenderServersP2InProd, plan("P2", "prod"))).toEqual([]);
    expect(await validateResource(defenderServersP2InProd, plan("P1", "dev"))).toEqual([]);
  });
});

describe("initialPackConfig", () => {
  it("writes each policy's own level into entries that give only properties, keeps a level given, and leaves unknown names alone", () => {
    expect(
      initialPackConfig({
        "fips-assigned-wherever-bitlocker": { groupsWithFipsFromGroupPolicy: [] },
        "dmarc-aggregate-reports": { other: 1 },
        "dmarc-reject-in-prod": { enforcementLevel: "advisory", productionStacks: ["live"] },
        "defender-servers-p2-in-prod": "disabled",
        "not-a-policy": { x: 1 },
      }),
    ).toEqual({
      "fips-assigned-wherever-bitlocker": { groupsWithFipsFromGroupPolicy: [], enforcementLevel: "mandatory" },
      "dmarc-aggregate-reports": { other: 1, enforcementLevel: "advisory" },
      "dmarc-reject-in-prod": { enforcementLevel: "advisory", productionStacks: ["live"] },
      "defender-servers-p2-in-prod": "disabled",
      "not-a-policy": { x: 1 },
    });
  });
});
