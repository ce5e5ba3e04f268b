// Unit tests of Fabrikam's program with Pulumi's mocks: no engine, no tenant, no network.
import * as pulumi from "@pulumi/pulumi";

interface Declared {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const declared: Declared[] = [];

pulumi.runtime.setMocks(
  {
    newResource(args) {
      declared.push({ type: args.type, name: args.name, inputs: args.inputs });
      return { id: args.custom ? `${args.name}-id` : undefined, state: args.inputs };
    },
    call: () => ({}),
  },
  "fabrikam-guardrails",
  "fabrikam-prod",
  false,
);
pulumi.runtime.setAllConfig(
  {
    "fabrikam-guardrails:breakGlassGroupId": "f1e2d3c4-b5a6-4798-8a9b-0c1d2e3f4a5b",
    "fabrikam-guardrails:corporateWindowsGroupId": "a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d",
    "fabrikam-guardrails:subscriptionId": "2c4e6a8b-0d1f-4b3c-8e5a-7f9b1d3c5e7a",
    "fabrikam-guardrails:caState": "enabled",
    "fabrikam-guardrails:qualysLicenseCode": "FAKE-LICENSE-0001",
    "fabrikam-guardrails:qualysPublicKey": "FAKE-PUBLIC-KEY-0001",
  },
  ["fabrikam-guardrails:qualysLicenseCode", "fabrikam-guardrails:qualysPublicKey"],
);

const valueOf = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));
const ofType = (suffix: string) => declared.filter((d) => d.type.endsWith(suffix));

describe("Fabrikam's guardrails under mocks", () => {
  let outputs: Awaited<ReturnType<typeof import("./program").guardrails>>;

  beforeAll(async () => {
    const { guardrails } = await import("./program");
    outputs = guardrails();
    await valueOf(outputs.fipsProfileId);
    await valueOf(outputs.dmarcRecords);
    await valueOf(outputs.policyIds);
    // Let every registration settle.
    await new Promise((resolve) => setTimeout(resolve, 500));
  });

  it("declares an enabled corporate-device policy that excludes Fabrikam's break-glass group", () => {
    const [policy] = ofType("conditionalAccessPolicy:ConditionalAccessPolicy");
    expect(policy.inputs.state).toBe("enabled");
    const conditions = policy.inputs.conditions as { users: { excludedGroups: string[] } };
    expect(conditions.users.excludedGroups).toContain("f1e2d3c4-b5a6-4798-8a9b-0c1d2e3f4a5b");
  });

  it("declares the Intune FIPS and BitLocker profiles for Fabrikam's device group", () => {
    const profiles = ofType("intune:DeviceConfiguration");
    expect(profiles).toHaveLength(2);
    for (const p of profiles) expect(p.inputs.includeGroupIds).toEqual(["a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d"]);
    expect(profiles.map((p) => p.inputs.displayName)).toEqual(
      expect.arrayContaining([expect.stringContaining("Fabrikam"), expect.stringContaining("BitLocker")]),
    );
  });

  it("declares the Qualys BYOL solution in Fabrikam's subscription, with the license as a secret", () => {
    const [solution] = ofType("defender:QualysByolSolution");
    expect(solution.inputs.subscriptionId).toBe("2c4e6a8b-0d1f-4b3c-8e5a-7f9b1d3c5e7a");
    expect(solution.inputs.location).toBe("northeurope");
    expect(solution.inputs.linkedVmIds).toHaveLength(2);
  });

  it("declares DMARC p=reject and the DKIM CNAMEs for fabrikam.example", async () => {
    const records = await valueOf(outputs.dmarcRecords);
    expect(JSON.stringify(records)).toContain("p=reject");
    const cnames = ofType("dns:RecordSet").filter((r) => r.inputs.recordType === "CNAME");
    expect(cnames.map((r) => r.inputs.relativeRecordSetName)).toEqual(expect.arrayContaining(["selector1._domainkey", "selector2._domainkey"]));
  });
});
