/**
 * What Pulumi stores for the Graph-native ConditionalAccessPolicy of this repository's build: a
 * forwarder naming the provider's entry point (`tenant-guardrails/providers/conditional-access-policy`
 * once installed from npm), not a copy of the provider's code. Run in a child process on the build.
 */
import { spawnSync } from "node:child_process";
import { REPO_ROOT } from "../../helpers/cli";

const script = `
  const pulumi = require("@pulumi/pulumi");
  const requireFromString = require("require-from-string");
  const texts = [];
  pulumi.runtime.setMocks({
    newResource(a) { if (typeof a.inputs.__provider === "string") texts.push(a.inputs.__provider); return { id: a.name + "-id", state: a.inputs }; },
    call: () => ({}),
  }, "tenant-guardrails", "dev", false);
  const { ConditionalAccessPolicy } = require("./dist/components");
  new ConditionalAccessPolicy("ctx", {
    displayName: "Authentication context c1",
    conditions: { applications: { includeAuthenticationContextClassReferences: ["c1"] }, users: { includeUsers: ["All"] } },
    grantControls: { operator: "OR", builtInControls: ["mfa"] },
  });
  setTimeout(async () => {
    const text = texts[0];
    const provider = requireFromString(text).handler();
    const checked = await provider.check({}, { displayName: "", policy: {}, graphEndpoint: "https://graph.microsoft.com", apiVersion: "v1.0" });
    console.log(JSON.stringify({ bytes: text.length, text, methods: Object.keys(provider).sort(), checked }));
  }, 1500);
`;

describe("the serialized Graph-native Conditional Access provider of this repository's build", () => {
  it("is a small forwarder to ./dist/components/providers/conditional-access-policy.js that loads and answers", () => {
    const r = spawnSync(process.execPath, ["-e", script], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as { bytes: number; text: string; methods: string[]; checked: { failures?: { property: string }[] } };
    expect(out.text).toContain('"./dist/components/providers/conditional-access-policy.js"');
    expect(out.bytes).toBeLessThan(3000);
    expect(out.methods).toEqual(expect.arrayContaining(["check", "create", "delete", "diff", "read", "update"]));
    // check() ran the real provider: it named the missing display name and payload.
    expect(out.checked.failures?.map((f) => f.property)).toEqual(["displayName", "policy"]);
  });
});
