/**
 * Mistakes in a stack file that used to pass silently or crash: a misspelt key at any level, a
 * single value where a list belongs, an empty list item. Each is one stack file in a temporary
 * project (the repository's dev or prod file with one edit), run through `tenant-guardrails plan`
 * (what the user reads, exit 1) and through the config reader the stack program calls.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { REPO_ROOT, spawnCli, tempProject } from "../helpers/cli";
import { findProject, loadStackConfig } from "../../cli/stack";
import { StackConfigError, checkStackConfig, readStackConfig } from "../../stacks/config";
import { runUnderMocks } from "../../cli/engine";

/** The repository's stack file with `from` replaced by `to` (the edit must apply). */
function edited(base: "dev" | "prod", from: string, to: string): string {
  const original = fs.readFileSync(path.join(REPO_ROOT, `stacks/Pulumi.${base}.yaml`), "utf8");
  expect(original).toContain(from);
  return original.replace(from, to);
}

const header = (stack: string, n: number) => `Stack "${stack}": the config in Pulumi.${stack}.yaml has ${n === 1 ? "1 problem" : `${n} problems`} (nothing was declared):`;
const CA = 'CorporateDeviceAccess "corporate-devices"';
const VA = 'VulnerabilityAssessment "defender-va"';
const FIPS = 'FipsDeviceConfiguration "windows-fips"';
const EMAIL = 'EmailAuthentication "email"';

interface Case {
  title: string;
  stack: string;
  yaml: () => string;
  lines: string[];
}

const CASES: Case[] = [
  {
    title: "a misspelt list key (the platform policy was dropped and the plan passed)",
    stack: "typo-platforms",
    yaml: () => edited("dev", "allowedPlatforms: [windows]", "allowedPlatfroms: [windows]"),
    lines: [`${CA}: tenant-guardrails:conditionalAccess.allowedPlatfroms: unknown key, which nothing reads. Fix: did you mean allowedPlatforms? Rename the key`],
  },
  {
    title: 'a misspelt mapping key (was reported as "emergencyAccess (not set)")',
    stack: "typo-emergency",
    yaml: () => edited("prod", "    emergencyAccess:\n", "    emergencyAcess:\n"),
    lines: [`${CA}: tenant-guardrails:conditionalAccess.emergencyAcess: unknown key, which nothing reads. Fix: did you mean emergencyAccess? Rename the key`],
  },
  {
    title: 'a misspelt required key gives the unknown key only, not also "required"',
    stack: "typo-required",
    yaml: () => edited("prod", "resourceGroupName: rg-dns-prod", "resourceGroupNam: rg-dns-prod"),
    lines: [`${EMAIL}: tenant-guardrails:email.resourceGroupNam: unknown key, which nothing reads. Fix: did you mean resourceGroupName? Rename the key`],
  },
  {
    title: "a misspelt key others depend on gives no follow-on (the machines' subscription check)",
    stack: "typo-subscription",
    yaml: () => edited("prod", 'subscriptionId: "9d4f1a27', 'subscriptonId: "9d4f1a27'),
    lines: [`${VA}: tenant-guardrails:defender.subscriptonId: unknown key, which nothing reads. Fix: did you mean subscriptionId? Rename the key`],
  },
  {
    title: "misspelt keys deep down: in BitLocker settings and inside a list item",
    stack: "typo-deep",
    yaml: () =>
      edited("prod", "      osDriveEncryptionMethod: xtsAes256", "      osDriveEncryptionMetod: xtsAes256").replace("- spoofedUser: gmail.com", "- spoofedUsr: gmail.com"),
    lines: [
      `${FIPS}: tenant-guardrails:intune.bitLocker.osDriveEncryptionMetod: unknown key, which nothing reads. Fix: did you mean osDriveEncryptionMethod? Rename the key`,
      `${EMAIL}: tenant-guardrails:email.inbound.allowedSpoofPairs[0].spoofedUsr: unknown key, which nothing reads. Fix: did you mean spoofedUser? Rename the key`,
    ],
  },
  {
    title: "an unknown key with no near neighbour is refused too, with the keys that exist there",
    stack: "unknown-key",
    yaml: () => edited("dev", "    assignment:\n", "    pilot: true\n    assignment:\n"),
    lines: [
      `${FIPS}: tenant-guardrails:intune.pilot: unknown key, which nothing reads. Fix: remove it; the keys here are assignment, fipsProfile, onRemove, bitLocker, displayNamePrefix, foreignAssignments, graphEndpoint`,
    ],
  },
  {
    title: "a misspelt secret key in the project namespace: its value is not shown, and no 'license code missing' follows",
    stack: "typo-secret",
    yaml: () => edited("prod", "tenant-guardrails:qualysLicenseCode:", "tenant-guardrails:qualysLicenceCode:"),
    lines: [`stack: tenant-guardrails:qualysLicenceCode: unknown key, which nothing reads. Fix: did you mean tenant-guardrails:qualysLicenseCode? Rename the key`],
  },
  {
    title: "a single value where a list belongs (was one error per character)",
    stack: "scalar-list",
    yaml: () => edited("dev", "applications: [Office365]", "applications: Office365"),
    lines: [`${CA}: tenant-guardrails:conditionalAccess.applications = "Office365": is a single text value, where a list belongs. Fix: write it as a YAML list, e.g. applications: [Office365]`],
  },
  {
    title: "a single value where a list of mappings belongs (was a TypeError); a key already given is not suggested",
    stack: "scalar-domains",
    yaml: () => edited("dev", "    domains:\n      - domain: dev.contoso.com\n", "    domains: dev.contoso.com\n    domainsWere:\n      - domain: dev.contoso.com\n"),
    lines: [
      `${EMAIL}: tenant-guardrails:email.domains = "dev.contoso.com": is a single text value, where a list belongs. Fix: write it as a YAML list, e.g. domains: [dev.contoso.com]`,
      `${EMAIL}: tenant-guardrails:email.domainsWere: unknown key, which nothing reads. Fix: remove it; the keys here are resourceGroupName, dmarcPolicy, domains, inbound`,
    ],
  },
  {
    title: "a single value where a list belongs, deep down (was a TypeError)",
    stack: "scalar-rua",
    yaml: () => edited("dev", 'aggregateReportUris: ["mailto:dmarc-reports@contoso.com"]', 'aggregateReportUris: "mailto:dmarc-reports@contoso.com"'),
    lines: [
      `${EMAIL}: tenant-guardrails:email.domains[0].dmarc.aggregateReportUris = "mailto:dmarc-reports@contoso.com": is a single text value, where a list belongs. Fix: write it as a YAML list, e.g. aggregateReportUris: [mailto:dmarc-reports@contoso.com]`,
    ],
  },
  {
    title: "an empty list item in a list of mappings (was a TypeError)",
    stack: "null-domain",
    yaml: () => edited("dev", "    domains:\n", "    domains:\n      -\n"),
    lines: [`${EMAIL}: tenant-guardrails:email.domains[0] = null: is an empty list item. Fix: remove the empty item (a lone '-' line, or two commas in a row) or give its value`],
  },
  {
    title: "an empty list item among machines (was a TypeError)",
    stack: "null-machine",
    yaml: () => edited("dev", "    machines:\n", "    machines:\n      -\n"),
    lines: [`${VA}: tenant-guardrails:defender.machines[0] = null: is an empty list item. Fix: remove the empty item (a lone '-' line, or two commas in a row) or give its value`],
  },
  {
    title: "an empty break-glass group id: no follow-on 'an enabled policy must exclude' complaint",
    stack: "null-group",
    yaml: () => edited("prod", 'groupIds: ["0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b02"]', "groupIds: [null]").replace(/      userIds:\n(        - .*\n)+/, ""),
    lines: [`${CA}: tenant-guardrails:conditionalAccess.emergencyAccess.groupIds[0] = null: is an empty list item. Fix: remove the empty item (a lone '-' line, or two commas in a row) or give its value`],
  },
  {
    title: "after an empty item, the validators' complaints still name the item's place in the file",
    stack: "null-and-bad",
    yaml: () => edited("dev", 'includeGroupIds: ["4a7c2e91-3b5d-4f60-8e1a-9c2b7d3e5f11"]', 'includeGroupIds: [null, "FIPS pilot"]'),
    lines: [
      `${FIPS}: tenant-guardrails:intune.assignment.includeGroupIds[0] = null: is an empty list item. Fix: remove the empty item (a lone '-' line, or two commas in a row) or give its value`,
      `${FIPS}: tenant-guardrails:intune.assignment.includeGroupIds[1] = "FIPS pilot": not an Entra group object id (a GUID); Graph rejects the assignment. Fix: use the group's object id, e.g. azuread.Group.objectId, not its display name`,
    ],
  },
];

const expectedMessage = (c: Case) => [header(c.stack, c.lines.length), ...c.lines.map((l) => `  - ${l}`)].join("\n");

describe("stack config mistakes, through tenant-guardrails plan", () => {
  it.each(CASES.map((c) => [c.title, c] as const))("%s", (_title, c) => {
    const r = spawnCli(["plan", "--stack", c.stack], { cwd: tempProject(c.stack, c.yaml()) });
    expect(r.stderr).toBe(`error: ${expectedMessage(c)}\n`);
    expect(r.stdout).toBe("");
    expect(r.code).toBe(1);
  });
});

describe("stack config mistakes, through the config reader the program calls", () => {
  afterEach(() => pulumi.runtime.setAllConfig({}));

  it.each(CASES.map((c) => [c.title, c] as const))("%s", async (_title, c) => {
    const { config, secretKeys } = loadStackConfig(findProject(tempProject(c.stack, c.yaml())), c.stack);
    // Under the CLI's own offline engine, as `plan` runs the program.
    const thrown = await runUnderMocks(() => readStackConfig(), { project: "tenant-guardrails", stack: c.stack, config, secretKeys }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(thrown).toBeInstanceOf(StackConfigError);
    expect((thrown as Error).message).toBe(expectedMessage(c));
  });
});

describe("checkStackConfig: shapes (pure)", () => {
  const json = (v: unknown) => JSON.stringify(v);

  it("lists every mistake of every kind in one go, each once", () => {
    const { problems } = checkStackConfig({
      stack: "qa",
      values: {
        conditionalAccess: json({ state: "enabled", emergencyAccess: { groupIds: ["0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b01"] }, allowedPlatfroms: ["windows"], applications: "Office365", users: ["All"] }),
        intune: json({ assignment: { includeGroupIds: ["4a7c2e91-3b5d-4f60-8e1a-9c2b7d3e5f11", null] }, fipsProfile: [true], onRemove: "disable" }),
      },
    });
    expect(problems.map((p) => [p.field, p.problem])).toEqual([
      ["tenant-guardrails:conditionalAccess.allowedPlatfroms", "unknown key, which nothing reads"],
      ["tenant-guardrails:conditionalAccess.applications", "is a single text value, where a list belongs"],
      ["tenant-guardrails:conditionalAccess.users", "is a list, where a mapping of its settings belongs"],
      ["tenant-guardrails:intune.assignment.includeGroupIds[1]", "is an empty list item"],
      ["tenant-guardrails:intune.fipsProfile", "is a list, where a single value belongs"],
    ]);
  });

  it("a misspelt key is still checked as the key it was meant to be: its real problems are reported", () => {
    const { problems } = checkStackConfig({ stack: "qa", values: { conditionalAccess: json({ state: "reportOnly", emergencyAcess: { groupIds: ["Break glass"] } }) } });
    expect(problems.map((p) => p.field)).toEqual(["tenant-guardrails:conditionalAccess.emergencyAcess", "tenant-guardrails:conditionalAccess.emergencyAccess.groupIds"]);
    expect(problems[1].value).toBe("Break glass");
  });

  it("a misspelt system key is the only problem (no 'declares none of the four systems')", () => {
    const { problems } = checkStackConfig({ stack: "qa", values: { conditonalAccess: json({ state: "reportOnly" }) } });
    expect(problems).toEqual([
      expect.objectContaining({ component: "stack", field: "tenant-guardrails:conditonalAccess", fix: "did you mean tenant-guardrails:conditionalAccess? Rename the key" }),
    ]);
  });
});
