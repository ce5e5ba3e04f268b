/** The offline runner `plan` uses: config semantics as the pack server applies them, and no secret in a message. */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { evaluatePolicies, type RecordedResource } from "../../policies/evaluate";
import { policyFindings } from "../../cli/policy-findings";
import type { DeclaredResource } from "../../cli/engine";

const CA = "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy";
const stack: RecordedResource = { type: "pulumi:pulumi:Stack", urn: "urn:pulumi:prod::p::pulumi:pulumi:Stack::p-prod", name: "p-prod", parent: "", props: {} };
const resource = (name: string, props: Record<string, unknown>): RecordedResource => ({
  type: CA,
  urn: `urn:pulumi:prod::p::${CA}::${name}`,
  name,
  parent: stack.urn,
  props,
});

const everyResource: ResourceValidationPolicy = {
  name: "every-resource",
  description: "reports each resource with its config",
  enforcementLevel: "advisory",
  validateResource: (args, report) => report(`${args.name} ${JSON.stringify(args.getConfig())}`),
};
const notApplicable: ResourceValidationPolicy = {
  name: "not-applicable",
  description: "declares itself not applicable",
  enforcementLevel: "mandatory",
  validateResource: (args) => args.notApplicable("nothing to check"),
};
const stackPolicy: StackValidationPolicy = {
  name: "stack-count",
  description: "counts resources",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => report(`${args.resources.length} resources, parent of a: ${args.resources[0].parent?.name}`),
};

describe("evaluatePolicies", () => {
  const resources = [stack, resource("a", {}), resource("b", {})];

  it("runs resource policies per resource (the stack itself excluded) and stack policies once, with the stack's URN", async () => {
    const findings = await evaluatePolicies(resources, {}, [everyResource, notApplicable, stackPolicy]);
    expect(findings).toEqual([
      { policy: "every-resource", enforcementLevel: "advisory", severity: undefined, urn: resources[1].urn, message: "a {}" },
      { policy: "every-resource", enforcementLevel: "advisory", severity: undefined, urn: resources[2].urn, message: "b {}" },
      { policy: "stack-count", enforcementLevel: "mandatory", severity: undefined, urn: stack.urn, message: "2 resources, parent of a: p-prod" },
    ]);
  });

  it("config: a level as a string, an object with enforcementLevel and settings, `all`, and disabled", async () => {
    const one = await evaluatePolicies(resources, { "every-resource": { enforcementLevel: "mandatory", limit: 3 } }, [everyResource]);
    expect(one.map((f) => [f.enforcementLevel, f.message])).toEqual([
      ["mandatory", 'a {"limit":3}'],
      ["mandatory", 'b {"limit":3}'],
    ]);
    expect(await evaluatePolicies(resources, { "every-resource": "disabled" }, [everyResource])).toEqual([]);
    expect((await evaluatePolicies(resources, { all: "mandatory" }, [everyResource]))[0].enforcementLevel).toBe("mandatory");
  });
});

describe("policyFindings (plan)", () => {
  it("never prints a secret value a policy quoted from the revealed inputs", async () => {
    const secretName = "Project Nightingale block";
    const declared: DeclaredResource = {
      urn: `urn:pulumi:prod::tenant-guardrails::${CA}::ca`,
      type: CA,
      name: "ca",
      parent: "",
      custom: true,
      inputs: { displayName: "[secret]", state: "enabled" },
      plainInputs: { displayName: secretName, state: "enabled", conditions: { users: { includedUsers: ["All"] } } },
    };
    const findings = await policyFindings([declared], {});
    const breakGlass = findings.find((f) => f.policy === "ca-enabled-policy-excludes-emergency-access")!;
    expect(breakGlass.message).toContain('Conditional Access policy "[secret]" (ca) is enabled');
    expect(JSON.stringify(findings)).not.toContain("Nightingale");
  });
});
