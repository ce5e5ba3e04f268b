// The package as a user meets it: `npm pack`, the tarball installed into a new Pulumi TypeScript
// project in a neutral temporary folder (examples/typescript-consumer, Fabrikam's values, not the
// demo tenant's), then that project's own type check, unit tests, offline plan, whatif and policy
// pack. Run with `npm run test:consumer` (node's test runner); CI runs it on every supported Node.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { createConsumerProject } from "../../scripts/consumer-project.mjs";

let work; // a neutral temporary folder: its path must not contain the package name
let project;

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: project, encoding: "utf8", timeout: 600_000, env: { ...process.env, FORCE_COLOR: "0" }, ...options });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "", out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

function mustRun(cmd, args, options) {
  const r = run(cmd, args, options);
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")} failed (exit ${r.status}):\n${r.out}`);
  return r;
}

before(() => {
  ({ work, project } = createConsumerProject());
});

after(() => {
  if (work && !process.env.KEEP_CONSUMER) rmSync(work, { recursive: true, force: true });
});

test("the installed package holds the build, not the repository's tests or stacks", () => {
  const installed = path.join(project, "node_modules", "tenant-guardrails");
  const top = readdirSync(installed).sort();
  assert.ok(top.includes("dist"), top.join(", "));
  assert.ok(!top.includes("test") && !top.includes("stacks"), `unexpected files in the package: ${top.join(", ")}`);
});

test("npm links the package's plugin into node_modules/.bin, and it serves the schema with the Graph-native policy from the install", async () => {
  const plugin = path.join(project, "node_modules", ".bin", "pulumi-resource-tenant-guardrails");
  const child = spawn(plugin, [], { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
  try {
    const port = await new Promise((resolve, reject) => {
      let out = "";
      let err = "";
      const timer = setTimeout(() => reject(new Error(`no port within 30 s: ${out}${err}`)), 30_000);
      child.stderr.on("data", (d) => (err += d));
      child.stdout.on("data", (d) => {
        out += d;
        if (out.includes("\n")) {
          clearTimeout(timer);
          resolve(out.split("\n")[0].trim());
        }
      });
      child.on("error", reject);
    });
    assert.match(port, /^\d+$/);
    // A gRPC client of the provider protocol, from the project's own @pulumi/pulumi.
    const require = createRequire(path.join(project, "package.json"));
    const grpc = require("@grpc/grpc-js");
    const services = require("@pulumi/pulumi/proto/provider_grpc_pb");
    const messages = require("@pulumi/pulumi/proto/provider_pb");
    const client = new services.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const schema = await new Promise((resolve, reject) =>
      client.getSchema(new messages.GetSchemaRequest(), { deadline: Date.now() + 30_000 }, (e, r) => (e ? reject(e) : resolve(JSON.parse(r.getSchema())))),
    );
    client.close();
    assert.deepEqual(Object.keys(schema.resources).sort(), [
      "tenant-guardrails:conditionalaccess:ConditionalAccessPolicy",
      "tenant-guardrails:index:CorporateDeviceAccess",
      "tenant-guardrails:index:EmailAuthentication",
      "tenant-guardrails:index:FipsDeviceConfiguration",
      "tenant-guardrails:index:VulnerabilityAssessment",
    ]);
  } finally {
    child.kill();
  }
});

test("the project type-checks against the package's types (tsc)", () => {
  mustRun("npx", ["tsc", "-p", "."]);
});

test("the project's own jest suite passes under pulumi.runtime.setMocks", () => {
  const r = mustRun("npx", ["jest", "--ci"]);
  assert.match(r.out, /Tests:\s+4 passed, 4 total/);
});

test("the serialized dynamic providers require the package's exported entry points and load from the project", () => {
  const script = `
    const pulumi = require("@pulumi/pulumi");
    const requireFromString = require("require-from-string");
    const texts = [];
    pulumi.runtime.setMocks({
      newResource(a) { if (typeof a.inputs.__provider === "string") texts.push([a.type, a.inputs.__provider]); return { id: a.name + "-id", state: a.inputs }; },
      call: () => ({}),
    }, "fabrikam-guardrails", "fabrikam-prod", false);
    pulumi.runtime.setAllConfig({
      "fabrikam-guardrails:breakGlassGroupId": "f1e2d3c4-b5a6-4798-8a9b-0c1d2e3f4a5b",
      "fabrikam-guardrails:corporateWindowsGroupId": "a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d",
      "fabrikam-guardrails:subscriptionId": "2c4e6a8b-0d1f-4b3c-8e5a-7f9b1d3c5e7a",
      "fabrikam-guardrails:qualysLicenseCode": "FAKE-LICENSE", "fabrikam-guardrails:qualysPublicKey": "FAKE-KEY",
    }, ["fabrikam-guardrails:qualysLicenseCode", "fabrikam-guardrails:qualysPublicKey"]);
    require("ts-node").register({ transpileOnly: true });
    require("./program").guardrails();
    setTimeout(() => {
      const out = texts.map(([type, text]) => {
        const provider = requireFromString(text).handler();
        return { type, bytes: text.length, requires: [...text.matchAll(/require\\("([^"]+)"\\)/g)].map((m) => m[1]), methods: Object.keys(provider).sort() };
      });
      console.log(JSON.stringify(out));
    }, 2000);
  `;
  const r = mustRun("node", ["-e", script]);
  const providers = JSON.parse(r.stdout.trim().split("\n").pop());
  const types = providers.map((p) => p.type).sort();
  // The BYOL choice declares no plan reset (that belongs to the built-in scanner).
  assert.deepEqual([...new Set(types)], ["pulumi-nodejs:dynamic/defender:QualysByolSolution", "pulumi-nodejs:dynamic/intune:DeviceConfiguration"]);
  for (const p of providers) {
    const internal = p.requires.filter((m) => m.startsWith("tenant-guardrails") && !m.startsWith("tenant-guardrails/providers/"));
    assert.deepEqual(internal, [], `${p.type} requires internal modules: ${p.requires.join(", ")}`);
    assert.ok(p.methods.includes("create") && p.methods.includes("delete"), `${p.type}: ${p.methods.join(", ")}`);
    assert.ok(p.bytes < 4000, `${p.type}: ${p.bytes} bytes of provider text`);
  }
});

test("tenant-guardrails plan runs the project's TypeScript program with its stack file", () => {
  const r = mustRun("npx", ["tenant-guardrails", "plan", "--stack", "fabrikam-prod", "--policy-config", "policy/policy-config.json", "--json"]);
  const plan = JSON.parse(r.stdout);
  assert.equal(plan.ok, true, JSON.stringify(plan.findings, null, 2));
  const types = new Set(plan.resources.map((x) => x.type));
  for (const t of [
    "tenant-guardrails:index:CorporateDeviceAccess",
    "tenant-guardrails:index:FipsDeviceConfiguration",
    "tenant-guardrails:index:VulnerabilityAssessment",
    "tenant-guardrails:index:EmailAuthentication",
    "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy",
    "pulumi-nodejs:dynamic/intune:DeviceConfiguration",
    "pulumi-nodejs:dynamic/defender:QualysByolSolution",
  ]) assert.ok(types.has(t), `plan lacks ${t}`);
  assert.deepEqual(plan.findings.filter((f) => f.enforcementLevel === "mandatory"), []);
  assert.ok(!r.stdout.includes("FAKE") && r.stdout.includes("[secret]"));
});

test("the policy pack, with the project's production stacks, refuses a relaxed production stack", () => {
  const r = run("npx", ["tenant-guardrails", "plan", "--stack", "fabrikam-prod-relaxed", "--policy-config", "policy/policy-config.json"]);
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /corporate-device-policy-enforced-in-prod/);
  assert.match(r.out, /dmarc-reject-in-prod/);
});

test("the policy pack module imports from the package (tenant-guardrails/policies)", () => {
  const r = mustRun("node", ["-e", "const p = require('tenant-guardrails/policies'); console.log(p.allPolicies.map((x) => x.name).join(','))"]);
  assert.match(r.stdout, /ca-enabled-policy-excludes-emergency-access/);
});

test("whatif evaluates the project's declared policies against a device export", () => {
  const r = mustRun("npx", ["tenant-guardrails", "whatif", "--stack", "fabrikam-prod", "--devices", "devices.json", "--json"]);
  const doc = JSON.parse(r.stdout);
  const text = JSON.stringify(doc);
  assert.match(text, /FAB-LT-0001/);
  const outcome = (name) => JSON.stringify(doc.devices.find((d) => JSON.stringify(d).includes(name)));
  assert.match(outcome("FAB-LT-0001"), /allow/i);
  assert.match(outcome("FAB-DT-0002"), /allow/i);
  assert.match(outcome("home-pc"), /block/i);
});
