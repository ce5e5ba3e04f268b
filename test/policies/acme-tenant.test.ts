/**
 * Another tenant than the demo one: a new stack Pulumi.acme.yaml with its own break-glass group,
 * domains and subscription, in a project that keeps the repository's policies/policy-config.json
 * (which lists the demo tenant's break-glass ids). The pack takes the break-glass ids from what the
 * stack declares, the config's as an addition, and refuses to guess when there are none.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT, spawnCli, tempProject } from "../helpers/cli";

const ACME_BREAK_GLASS = "a1b2c3d4-0000-4000-8000-00000000ac01";

const ACME = `config:
  tenant-guardrails:conditionalAccess:
    displayNamePrefix: "ACME Office 365 from corporate devices"
    state: enabled
    applications: [Office365]
    allowedPlatforms: [windows, macOS]
    emergencyAccess:
      groupIds: ["${ACME_BREAK_GLASS}"]
  tenant-guardrails:intune:
    assignment:
      includeGroupIds: ["a1b2c3d4-0000-4000-8000-00000000ac02"]
    onRemove: disable
    bitLocker: {}
  tenant-guardrails:email:
    resourceGroupName: rg-dns-acme
    dmarcPolicy: reject
    domains:
      - domain: acme.example
        dmarc:
          aggregateReportUris: ["mailto:dmarc@acme.example"]
  tenant-guardrails:defender:
    subscriptionId: "a1b2c3d4-0000-4000-8000-00000000ac03"
    provider: builtIn
    builtIn:
      subPlan: P2
    machines:
      - /subscriptions/a1b2c3d4-0000-4000-8000-00000000ac03/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm-acme-01
`;

const POLICY_CONFIG = { "policies/policy-config.json": fs.readFileSync(path.join(REPO_ROOT, "policies/policy-config.json"), "utf8") };

/**
 * A team's own program: the repository's composition plus a Conditional Access policy of its own,
 * enabled and excluding `excludedGroups` (none by default).
 */
function ownProgram(excludedGroups: string[] = []): Record<string, string> {
  const dist = JSON.stringify(path.join(REPO_ROOT, "dist"));
  const azuread = JSON.stringify(path.join(REPO_ROOT, "node_modules/@pulumi/azuread"));
  return {
    "Pulumi.yaml": "name: tenant-guardrails\nruntime: nodejs\nmain: program.js\nstackConfigDir: stacks\n",
    "program.js": `const path = require("node:path");
const azuread = require(${azuread});
const composition = require(path.join(${dist}, "stacks/index.js"));
module.exports = () => {
  const outputs = composition();
  new azuread.ConditionalAccessPolicy("acme-block-legacy-auth", {
    displayName: "ACME block legacy authentication",
    state: "enabled",
    conditions: {
      users: { includedUsers: ["All"], excludedGroups: ${JSON.stringify(excludedGroups)} },
      applications: { includedApplications: ["All"] },
      clientAppTypes: ["exchangeActiveSync", "other"],
    },
    grantControls: { operator: "OR", builtInControls: ["block"] },
  });
  return outputs;
};
`,
  };
}

interface Finding {
  policy: string;
  enforcementLevel: string;
  urn: string;
  message: string;
}

function plan(stack: string, yaml: string, files: Record<string, string>): { code: number; findings: Finding[]; stderr: string } {
  const r = spawnCli(["plan", "--stack", stack, "--json"], { cwd: tempProject(stack, yaml, files) });
  return { code: r.code, stderr: r.stderr, findings: r.stdout ? (JSON.parse(r.stdout) as { findings: Finding[] }).findings : [] };
}

describe("a second tenant (acme) with the repository's policy config", () => {
  it("passes plan with no mandatory finding when its policies exclude its own break-glass group", () => {
    const r = plan("acme", ACME, POLICY_CONFIG);
    expect(r.stderr).toBe("");
    expect(r.findings.filter((f) => f.enforcementLevel === "mandatory")).toEqual([]);
    expect(r.code).toBe(0);
  });

  it("its own enabled policy that excludes nothing fails, and the message names acme's break-glass group and where ids are declared", () => {
    const r = plan("acme", ACME, { ...POLICY_CONFIG, ...ownProgram() });
    expect(r.code).toBe(1);
    const mandatory = r.findings.filter((f) => f.enforcementLevel === "mandatory");
    expect(mandatory.map((f) => [f.policy, f.urn.split("::").pop()])).toEqual([["ca-enabled-policy-excludes-emergency-access", "acme-block-legacy-auth"]]);
    const message = mandatory[0].message;
    expect(message).toContain(
      'Conditional Access policy "ACME block legacy authentication" (acme-block-legacy-auth) is enabled but excludes none of the tenant\'s emergency-access (break-glass) accounts or groups',
    );
    expect(message).toContain(`${ACME_BREAK_GLASS} (CorporateDeviceAccess "corporate-devices" emergencyAccess.groupIds)`);
    expect(message).toContain("this policy excludes users: none; groups: none");
    expect(message).toContain("Fix: exclude one of them from the policy (conditions.users.excludedUsers / excludedGroups;");
    expect(message).toContain(
      'declare the tenant\'s break-glass accounts in the stack file (stacks/Pulumi.acme.yaml: tenant-guardrails:conditionalAccess.emergencyAccess.userIds or .groupIds), or list their object ids in policies/policy-config.json under "ca-enabled-policy-excludes-emergency-access": emergencyAccessUserIds / emergencyAccessGroupIds',
    );
  });

  it("the same policy excluding acme's break-glass group passes", () => {
    const r = plan("acme", ACME, { ...POLICY_CONFIG, ...ownProgram([ACME_BREAK_GLASS]) });
    expect(r.findings.filter((f) => f.enforcementLevel === "mandatory")).toEqual([]);
    expect(r.code).toBe(0);
  });

  it("with no break-glass id anywhere (no emergencyAccess in the stack, none in a policy config), an enabled policy fails closed", () => {
    const noConditionalAccess = ACME.replace(/  tenant-guardrails:conditionalAccess:\n(    .*\n|      .*\n)+/, "");
    expect(noConditionalAccess).not.toContain("conditionalAccess");
    // Some exclusion, but nothing says it is a break-glass group: no longer taken on trust.
    const r = plan("acme", noConditionalAccess, ownProgram(["a1b2c3d4-0000-4000-8000-0000000000ff"]));
    expect(r.code).toBe(1);
    expect(r.findings.filter((f) => f.enforcementLevel === "mandatory").map((f) => f.message)).toEqual([
      'Conditional Access policy "ACME block legacy authentication" (acme-block-legacy-auth) is enabled, but no emergency-access (break-glass) account or group is known to check it against ' +
        "(this policy excludes users: none; groups: a1b2c3d4-0000-4000-8000-0000000000ff). " +
        "Fix: declare the tenant's break-glass accounts in the stack file (stacks/Pulumi.acme.yaml: tenant-guardrails:conditionalAccess.emergencyAccess.userIds or .groupIds), " +
        'or list their object ids in policies/policy-config.json under "ca-enabled-policy-excludes-emergency-access": emergencyAccessUserIds / emergencyAccessGroupIds; or keep the policy in report-only.',
    ]);
  });
});
