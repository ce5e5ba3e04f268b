import { spawnSync } from "node:child_process";
import { runUnderMocks, type DeclaredResource } from "../../../cli/engine";
import { CorporateDeviceAccess, buildCorporateDevicePolicies, displayNamePrefixOf, normaliseCorporateDeviceAccess, type CorporateDeviceAccessArgs, type PlainCorporateDeviceAccessArgs } from "../../../components";
import { GuardrailInputError } from "../../../components/errors";
import { REPO_ROOT } from "../../helpers/cli";

const CA = "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy";
const BREAK_GLASS_GROUP = "0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b01";

async function declare(args: CorporateDeviceAccessArgs) {
  let outputs: Record<string, unknown> = {};
  const run = await runUnderMocks(
    () => {
      const c = new CorporateDeviceAccess("corp", args);
      return { policyIds: c.policyIds, rule: c.rule, state: c.effectiveState };
    },
    { project: "test", stack: "unit" },
  );
  outputs = run.outputs;
  const policies = run.resources.filter((r) => r.type === CA);
  const byName = Object.fromEntries(policies.map((p) => [p.name, p])) as Record<string, DeclaredResource>;
  return { resources: run.resources, policies, byName, outputs };
}

async function problemsOf(args: CorporateDeviceAccessArgs): Promise<string> {
  try {
    await declare(args);
  } catch (err) {
    expect(err).toBeInstanceOf(GuardrailInputError);
    return (err as Error).message;
  }
  throw new Error("expected the component to refuse its args");
}

describe("CorporateDeviceAccess under the mock engine", () => {
  it("declares report-only by default, include mode with negative operators, block", async () => {
    const { policies, byName, outputs, resources } = await declare({ applications: ["Office365"] });
    expect(policies).toHaveLength(1);
    const p = byName["corp-untrusted-devices"].inputs as any;
    expect(p.state).toBe("enabledForReportingButNotEnforced");
    expect(p.conditions.devices.filter).toEqual({ mode: "include", rule: 'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"' });
    expect(p.conditions.applications.includedApplications).toEqual(["Office365"]);
    expect(p.conditions.users.includedUsers).toEqual(["All"]);
    expect(p.conditions.clientAppTypes).toEqual(["all"]);
    expect(p.grantControls).toEqual({ operator: "OR", builtInControls: ["block"] });
    expect(outputs.state).toBe("enabledForReportingButNotEnforced");
    expect(outputs.rule).toBe('device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"');
    expect(outputs.policyIds).toEqual(["corp-untrusted-devices-id"]);
    const component = resources.find((r) => r.type === "tenant-guardrails:index:CorporateDeviceAccess");
    expect(component).toBeDefined();
    expect(byName["corp-untrusted-devices"].parent).toBe(component!.urn);
  });

  it("adds a platform policy, excludes break-glass accounts from every policy, and normalises casing", async () => {
    const { policies, byName } = await declare({
      state: "Enabled",
      trustedTrustTypes: ["serverad"],
      allowedPlatforms: ["Windows"],
      clientAppTypes: ["Browser", "mobileappsanddesktopclients"],
      applications: ["office365"],
      emergencyAccess: { groupIds: [BREAK_GLASS_GROUP.toUpperCase()] },
      users: { excludeUsers: ["5d2a7e3c-1f4b-4c8e-9a0d-3b6f2e1c7a10"] },
    });
    expect(policies.map((p) => p.name).sort()).toEqual(["corp-other-platforms", "corp-untrusted-devices"]);
    for (const p of policies) {
      const inputs = p.inputs as any;
      expect(inputs.state).toBe("enabled");
      expect(inputs.conditions.users.excludedGroups).toEqual([BREAK_GLASS_GROUP]);
      expect(inputs.conditions.users.excludedUsers).toEqual(["5d2a7e3c-1f4b-4c8e-9a0d-3b6f2e1c7a10"]);
      expect(inputs.conditions.clientAppTypes).toEqual(["browser", "mobileAppsAndDesktopClients"]);
      expect(inputs.conditions.applications.includedApplications).toEqual(["Office365"]);
    }
    expect((byName["corp-untrusted-devices"].inputs as any).conditions.devices.filter.rule).toBe('device.trustType -ne "ServerAD"');
    expect((byName["corp-other-platforms"].inputs as any).conditions.platforms).toEqual({ includedPlatforms: ["all"], excludedPlatforms: ["windows"] });
    expect((byName["corp-other-platforms"].inputs as any).conditions.devices).toBeUndefined();
  });

  it("validates inputs that arrive as outputs too (in a real process, as Pulumi runs programs)", () => {
    // A validation error inside an apply surfaces as an unhandled rejection, which the engine (like
    // Pulumi's language host) turns into the program's failure. Jest fails any test during which a
    // rejection goes unhandled, so this runs the built library in a child process.
    const script = `
      const pulumi = require("@pulumi/pulumi");
      const { runUnderMocks } = require("./dist/cli/engine");
      const { CorporateDeviceAccess } = require("./dist/components");
      const args = JSON.parse(process.argv[1]);
      for (const k of Object.keys(args)) args[k] = pulumi.output(args[k]);
      runUnderMocks(() => ({ rule: new CorporateDeviceAccess("corp", args).rule }), { project: "p", stack: "s" }).then(
        (r) => console.log(JSON.stringify({ ok: true, rule: r.outputs.rule })),
        (e) => { process.exitCode = 1; console.log(JSON.stringify({ ok: false, message: e.message })); },
      );`;
    const run = (args: object, stderr = "") => {
      const r = spawnSync(process.execPath, ["-e", script, JSON.stringify(args)], { cwd: REPO_ROOT, encoding: "utf8" });
      expect(r.stderr).toBe(stderr);
      return JSON.parse(r.stdout);
    };
    const refused = run({ state: "enabled", applications: ["Office365"] });
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/^CorporateDeviceAccess "corp" has an invalid input:\n  - emergencyAccess = \(not set\)/);
    expect(run({ trustedTrustTypes: ["AzureAD"] })).toEqual({ ok: true, rule: 'device.trustType -ne "AzureAD"' });
    // A deprecated name that arrives as an output is warned about once it resolves.
    const warning = 'warning: [runtime] CorporateDeviceAccess "corp": displayName is deprecated and will be removed in the next minor version; rename it to displayNamePrefix (same value, same meaning)\n';
    expect(run({ displayName: "Corp", trustedTrustTypes: ["AzureAD"] }, warning)).toEqual({ ok: true, rule: 'device.trustType -ne "AzureAD"' });
  });

  it("refuses to enable without an emergency-access exclusion, naming the field and the fix", async () => {
    const message = await problemsOf({ state: "enabled", applications: ["Office365"] });
    expect(message).toContain('CorporateDeviceAccess "corp"');
    expect(message).toContain("emergencyAccess = (not set)");
    expect(message).toContain("break-glass");
    expect(message).toContain('keep state "reportOnly"');
  });

  it("refuses device states together with the device filter (Graph error 1088)", async () => {
    const message = await problemsOf({ deviceStates: { exclude: ["Compliant", "DomainJoined"] } });
    expect(message).toContain('deviceStates = {"exclude":["Compliant","DomainJoined"]}');
    expect(message).toContain("1088");
    expect(message).toContain("trustedTrustTypes");
  });

  it("refuses empty targets", async () => {
    const message = await problemsOf({ applications: [], trustedTrustTypes: [], allowedPlatforms: [], users: { includeUsers: [] } });
    expect(message).toContain("4 invalid inputs");
    expect(message).toMatch(/applications = \[\]: no target application/);
    expect(message).toMatch(/trustedTrustTypes = \[\]: no trust type is trusted/);
    expect(message).toMatch(/allowedPlatforms = \[\]: no platform is allowed/);
    expect(message).toMatch(/users = .*targets no user/);
  });

  it("refuses values the provider would reject, listing every problem at once", async () => {
    const message = await problemsOf({
      state: "on-ish",
      trustedTrustTypes: ["Hybrid"],
      allowedPlatforms: ["unknownFutureValue", "all"],
      clientAppTypes: ["legacy"],
      otherDevicesAction: "quarantine",
      emergencyAccess: { userIds: ["breakglass@contoso.com"] },
    });
    expect(message).toContain('state = "on-ish": unknown policy state');
    expect(message).toContain('trustedTrustTypes = "Hybrid": unknown device trust type. Fix: use "AzureAD" (Entra joined), "ServerAD" (hybrid joined) or "Workplace"');
    expect(message).toContain('allowedPlatforms = "unknownFutureValue": unknown device platform');
    expect(message).toContain('allowedPlatforms = "all": "all" allows every platform');
    expect(message).toContain('clientAppTypes = "legacy": unknown client app type');
    expect(message).toContain('otherDevicesAction = "quarantine": unknown action');
    expect(message).toContain('emergencyAccess.userIds = "breakglass@contoso.com": not a user object id (GUID)');
  });

  it("refuses trusting every trust type (only unregistered devices would be affected)", async () => {
    const message = await problemsOf({ trustedTrustTypes: ["AzureAD", "ServerAD", "Workplace"] });
    expect(message).toContain('drop "Workplace"');
  });
});

describe("deprecated arg names: displayName, users.includeGroups, users.excludeGroups (kept for one minor version)", () => {
  const STAFF = "3c1e5a7b-9d2f-4e6a-8b0c-1d3f5a7b9c2e";
  const CONTRACTORS = "7d2f4e6a-8b0c-4d3f-9a7b-9c2e3c1e5a7b";
  const NEW_NAMES: CorporateDeviceAccessArgs = {
    displayNamePrefix: "Corp",
    allowedPlatforms: ["windows"],
    users: { includeGroupIds: [STAFF], excludeGroupIds: [CONTRACTORS] },
    emergencyAccess: { groupIds: [BREAK_GLASS_GROUP] },
  };
  const OLD_NAMES: CorporateDeviceAccessArgs = {
    displayName: "Corp",
    allowedPlatforms: ["windows"],
    users: { includeGroups: [STAFF], excludeGroups: [CONTRACTORS] },
    emergencyAccess: { groupIds: [BREAK_GLASS_GROUP] },
  };

  /** Declare under the mock engine, capturing what pulumi.log.warn prints there (the SDK writes it to console.warn without an engine). */
  async function declareWithWarnings(args: CorporateDeviceAccessArgs) {
    const warnings: string[] = [];
    const spy = jest.spyOn(console, "warn").mockImplementation((...parts: unknown[]) => void warnings.push(parts.join(" ")));
    try {
      const declared = await declare(args);
      return { ...declared, warnings };
    } finally {
      spy.mockRestore();
    }
  }

  it("the new names declare the policies, without a warning", async () => {
    const { byName, warnings } = await declareWithWarnings(NEW_NAMES);
    const policy = byName["corp-untrusted-devices"].inputs as any;
    expect(policy.displayName).toBe("Corp: block devices not AzureAD or ServerAD joined");
    expect((byName["corp-other-platforms"].inputs as any).displayName).toBe("Corp: block platforms other than windows");
    expect(policy.conditions.users).toEqual({ includedGroups: [STAFF], excludedGroups: [BREAK_GLASS_GROUP, CONTRACTORS] });
    expect(warnings).toEqual([]);
  });

  it("the old names declare exactly the same policies, and warn at preview naming the new name", async () => {
    const now = await declareWithWarnings(NEW_NAMES);
    const old = await declareWithWarnings(OLD_NAMES);
    const custom = (r: DeclaredResource[]) => r.filter((x) => x.custom).map((x) => ({ name: x.name, type: x.type, inputs: x.inputs }));
    expect(custom(old.resources)).toEqual(custom(now.resources));
    expect(old.warnings).toEqual([
      'warning: [runtime] CorporateDeviceAccess "corp": displayName is deprecated and will be removed in the next minor version; rename it to displayNamePrefix (same value, same meaning)',
      'warning: [runtime] CorporateDeviceAccess "corp": users.includeGroups is deprecated and will be removed in the next minor version; rename it to users.includeGroupIds (same value, same meaning)',
      'warning: [runtime] CorporateDeviceAccess "corp": users.excludeGroups is deprecated and will be removed in the next minor version; rename it to users.excludeGroupIds (same value, same meaning)',
    ]);
  });

  /** The refusal's message, and the warnings logged before it. */
  async function refusedWithWarnings(args: CorporateDeviceAccessArgs) {
    const warnings: string[] = [];
    const spy = jest.spyOn(console, "warn").mockImplementation((...parts: unknown[]) => void warnings.push(parts.join(" ")));
    try {
      return { message: await problemsOf(args), warnings };
    } finally {
      spy.mockRestore();
    }
  }

  it("an old and a new name with different values is refused, naming both fields", async () => {
    const { message, warnings } = await refusedWithWarnings({ ...NEW_NAMES, displayName: "Other", users: { includeGroupIds: [STAFF], includeGroups: [CONTRACTORS] } });
    expect(warnings).toHaveLength(2);
    expect(message).toContain('CorporateDeviceAccess "corp" has 2 invalid inputs');
    expect(message).toContain(
      'displayName = "Other": given together with displayNamePrefix, which replaces it, with a different value. Fix: keep only displayNamePrefix: remove the deprecated displayName',
    );
    expect(message).toContain(
      `users.includeGroups = ["${CONTRACTORS}"]: given together with users.includeGroupIds, which replaces it, with a different value. Fix: keep only users.includeGroupIds: remove the deprecated users.includeGroups`,
    );
  });

  it("an old and a new name with the same value is accepted, with the warning", async () => {
    const { byName, warnings } = await declareWithWarnings({ ...NEW_NAMES, displayName: "Corp" });
    expect((byName["corp-untrusted-devices"].inputs as any).displayName).toBe("Corp: block devices not AzureAD or ServerAD joined");
    expect(warnings).toEqual([expect.stringContaining("displayName is deprecated")]);
  });

  it("a bad value under an old name is reported under the name the user wrote", async () => {
    const { message, warnings } = await refusedWithWarnings({ users: { includeGroups: ["Staff"] } });
    expect(message).toContain('users.includeGroups = "Staff": not a group object id (GUID)');
    expect(warnings).toEqual([expect.stringContaining("users.includeGroups is deprecated")]);
  });

  it("the pure normaliser maps the old names and lists them as deprecations", () => {
    const old = normaliseCorporateDeviceAccess(OLD_NAMES as PlainCorporateDeviceAccessArgs);
    const now = normaliseCorporateDeviceAccess(NEW_NAMES as PlainCorporateDeviceAccessArgs);
    expect(old.problems).toEqual([]);
    expect(old.value).toEqual(now.value);
    expect(old.value).toMatchObject({ displayNamePrefix: "Corp", includeGroupIds: [STAFF], excludeGroupIds: [BREAK_GLASS_GROUP, CONTRACTORS] });
    expect(old.deprecations).toEqual([
      { field: "displayName", replacement: "displayNamePrefix" },
      { field: "users.includeGroups", replacement: "users.includeGroupIds" },
      { field: "users.excludeGroups", replacement: "users.excludeGroupIds" },
    ]);
    expect(now.deprecations).toEqual([]);
  });
});

describe("ownership: the display-name prefix is read back from the names the component writes", () => {
  it("gives the prefix of both policies' names, for block and MFA, and nothing for other names", () => {
    for (const otherDevicesAction of ["block", "mfa"]) {
      const { value } = normaliseCorporateDeviceAccess({ displayNamePrefix: "Contoso: Office", allowedPlatforms: ["windows", "macOS"], otherDevicesAction });
      const names = buildCorporateDevicePolicies(value!).map((p) => p.args.displayName);
      expect(names).toHaveLength(2);
      expect(names.map(displayNamePrefixOf)).toEqual(["Contoso: Office", "Contoso: Office"]);
    }
    expect(displayNamePrefixOf("Block legacy authentication")).toBeUndefined();
    expect(displayNamePrefixOf("Corp: block devices")).toBeUndefined();
  });
});
