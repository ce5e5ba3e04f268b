import { spawnSync } from "node:child_process";
import { runUnderMocks, type DeclaredResource } from "../../../cli/engine";
import { CorporateDeviceAccess, type CorporateDeviceAccessArgs } from "../../../components";
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
    const run = (args: object) => {
      const r = spawnSync(process.execPath, ["-e", script, JSON.stringify(args)], { cwd: REPO_ROOT, encoding: "utf8" });
      expect(r.stderr).toBe("");
      return JSON.parse(r.stdout);
    };
    const refused = run({ state: "enabled", applications: ["Office365"] });
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/^CorporateDeviceAccess "corp" has an invalid input:\n  - emergencyAccess = \(not set\)/);
    expect(run({ trustedTrustTypes: ["AzureAD"] })).toEqual({ ok: true, rule: 'device.trustType -ne "AzureAD"' });
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
