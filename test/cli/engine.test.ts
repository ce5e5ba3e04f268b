/**
 * The offline engine must end a run as `pulumi preview` would: a program whose registration or
 * apply fails fails the run with the component's own message, however late the failure lands —
 * never a result with the failed resource silently left out. A failure inside an apply reaches
 * Pulumi as an unhandled rejection, and jest fails any test during which a rejection goes
 * unhandled, so each program runs on the built engine in a child process.
 */
import { spawnSync } from "node:child_process";
import { REPO_ROOT } from "../helpers/cli";

const SUB = "11111111-1111-1111-1111-111111111111";

// Each shape declares resources "a" and "c" that succeed and one whose inputs fail late.
const script = `
  const pulumi = require("@pulumi/pulumi");
  const { runUnderMocks } = require("./dist/cli/engine");
  const { VulnerabilityAssessment } = require("./dist/components");
  const R = (name, props, opts) => new pulumi.CustomResource("test:index:Thing", name, props, opts);
  const later = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const programs = {
    // An Output that rejects after the other resources have registered.
    lateRejection: () => {
      R("a", { x: 1 });
      R("b", { x: pulumi.output(later(30).then(() => { throw new Error("b: the late input failed"); })) });
      R("c", { x: 2 });
    },
    // An apply nested in an apply (flattened by the SDK) that throws.
    nestedApply: () => {
      const a = R("a", { x: 1 });
      R("b", { x: a.id.apply((id) => pulumi.output(id).apply(() => { throw new Error("b: the nested apply failed"); })) });
      R("c", { x: 2 });
    },
    // The stack function returns at once; the input rejects only after a timer, long after that.
    afterReturn: async () => {
      const a = R("a", { x: 1 });
      R("b", { x: a.urn.apply(async () => { await later(30); throw new Error("b: rejected after the program returned"); }) });
      R("c", { x: 2 });
    },
    // A component whose outputs fail to resolve (registerOutputs is an RPC of its own).
    componentOutputs: () => {
      class C extends pulumi.ComponentResource {
        constructor(name) {
          super("test:index:C", name);
          R("a", { x: 1 }, { parent: this });
          this.registerOutputs({ y: pulumi.output(later(30)).apply(() => { throw new Error("C: the component's outputs failed"); }) });
        }
      }
      new C("c");
    },
    // The reported bug: the policy assignment comes back without an identity.
    defenderNoIdentity: () => {
      new VulnerabilityAssessment("va", {
        subscriptionId: "${SUB}",
        provider: "builtIn",
        builtIn: { subPlan: "P1", assignPolicy: true, policyAssignmentLocation: "westeurope", keepPlanOnRemoval: true },
      });
    },
    // A component validating args that arrive as Outputs: its own error, thrown inside an apply.
    defenderLateValidation: () => {
      new VulnerabilityAssessment("va", {
        subscriptionId: pulumi.output(later(30).then(() => "not-a-guid")),
        provider: "builtIn",
        builtIn: { subPlan: "P1", keepPlanOnRemoval: true },
      });
    },
    // Inputs that resolve late but fine: every resource is declared.
    lateSuccess: () => {
      R("a", { x: 1 });
      R("b", { x: pulumi.output(later(50).then(() => "ok")) });
      R("c", { x: pulumi.output(later(10)).apply(() => pulumi.output(later(40)).apply(() => "nested ok")) });
    },
    // An input that never resolves: the run stops at its deadline, naming what is still waiting.
    neverResolves: () => {
      R("a", { x: 1 });
      R("b", { x: pulumi.output(new Promise(() => undefined)) });
    },
  };
  const shape = process.argv[1];
  const outputs = (type) => (type === "azure-native:authorization:PolicyAssignment" ? { identity: null } : {});
  const started = Date.now();
  runUnderMocks(programs[shape], { project: "p", stack: "s", outputs, timeoutMs: 1500 }).then(
    (r) => console.log(JSON.stringify({ ok: true, resources: r.resources.map((x) => x.name).sort() })),
    // A failed run exits 1, as the CLI does (the SDK's own report of leaked work is then silent).
    (e) => { process.exitCode = 1; console.log(JSON.stringify({ ok: false, message: e.message, ms: Date.now() - started })); },
  );`;

function run(shape: string): { ok: boolean; resources?: string[]; message?: string; ms?: number } {
  const r = spawnSync(process.execPath, ["-e", script, shape], { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 });
  // Nothing lands after the engine's answer: no late unhandled rejection, no second line.
  expect(r.stderr).toBe("");
  const lines = r.stdout.trim().split("\n");
  expect(lines).toHaveLength(1);
  const result = JSON.parse(lines[0]);
  expect(r.status).toBe(result.ok ? 0 : 1);
  return result;
}

describe("runUnderMocks: a failure that lands late fails the run (as pulumi preview does)", () => {
  it.each([
    ["an Output that rejects after other resources registered", "lateRejection", "b: the late input failed"],
    ["a nested apply that throws", "nestedApply", "b: the nested apply failed"],
    ["an input that rejects after the stack function returned", "afterReturn", "b: rejected after the program returned"],
    ["a component whose registered outputs fail", "componentOutputs", "C: the component's outputs failed"],
  ])("%s: the run fails with the program's own message, not a plan without the resource", (_what, shape, message) => {
    expect(run(shape)).toEqual({ ok: false, message, ms: expect.any(Number) });
  });

  it("a Defender policy assignment without an identity fails the run with the component's message and fix", () => {
    const r = run("defenderNoIdentity");
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^VulnerabilityAssessment "va": the policy assignment va-va-policy has no managed identity principal id \(identity missing\)/);
    expect(r.message).toContain("Fix: ");
  });

  it("a component's validation of an input that arrives late fails the run with the component's message", () => {
    const r = run("defenderLateValidation");
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^VulnerabilityAssessment "va" has (an invalid input|\d+ invalid inputs):\n {2}- subscriptionId = "not-a-guid"/);
  });

  it("inputs that resolve late but fine: every resource is declared", () => {
    expect(run("lateSuccess")).toEqual({ ok: true, resources: ["a", "b", "c", "p-s"] });
  });

  it("an input that never resolves: the run fails at its deadline, naming the registration still waiting", () => {
    const r = run("neverResolves");
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^offline engine: the program did not finish within 1\.5 s/);
    expect(r.message).toContain("b [test:index:Thing]");
    expect(r.ms).toBeLessThan(10_000);
  });
});
