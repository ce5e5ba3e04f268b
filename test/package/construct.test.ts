/**
 * The components as another language's program gets them: constructed by the plugin host's own
 * ComponentProvider from inputs that went over the wire (serialized with output values, as the
 * engine forwards them, and deserialized by the host's deserializeInputs), under mocks.
 *
 * Then the dynamic resources inside: their providers are serialized inside the plugin process,
 * but Pulumi runs them in `pulumi-resource-pulumi-nodejs`, started in the *consumer's* project
 * directory (pulumi/pulumi#5455). Both the launcher and the serialized code resolve modules from
 * there, which a child node process reproduces here: it fails in a directory without
 * node_modules, and works against fake ARM/Graph servers once the directory has the package's
 * dependencies (the documented workaround).
 */
import * as childProcess from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import { providerNameOf, type PackageSchema } from "../../cli/package-schema";
import { FakeArm } from "../defender/fake-arm";
import { startFakeGraph } from "../intune/fake-graph";

const ROOT = path.join(__dirname, "../..");
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SUB = "11111111-1111-1111-1111-111111111111";
const CORP_GROUP = "3f1c8d2e-5b7a-4c9e-8f21-0a6b4d7e9c13";
const PILOT_GROUP = "7a2e4c91-0d3b-4f6a-9e58-1c7b2d8f4a60";
const STAFF_GROUP = "5d9e2a71-3c4b-4e8f-a1d6-2b7c9e0f3a45";
const BREAK_GLASS_GROUP = "9b1f6c3d-7e2a-4d85-b0c4-6a3e8f1d2c97";
const VM = `/subscriptions/${SUB}/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm-1`;

interface Registered {
  type: string;
  name: string;
  custom: boolean;
  inputs: Record<string, unknown>;
}
const registered: Registered[] = [];
let provider: ComponentProvider;
let schema: PackageSchema;

// SDK internals the host uses (exported, untyped): the wire format of construct inputs.
/* eslint-disable @typescript-eslint/no-require-imports */
const rpc = require("@pulumi/pulumi/runtime/rpc") as { serializeProperties(label: string, props: object, opts?: { keepOutputValues?: boolean }): Promise<object> };
const server = require("@pulumi/pulumi/provider/server") as { deserializeInputs(struct: unknown, deps: Map<string, unknown>): Promise<pulumi.Inputs> };
const structproto = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(o: object): unknown } };
const state = require("@pulumi/pulumi/runtime/state") as { getStore(): { supportsOutputValues: boolean } };
/* eslint-enable @typescript-eslint/no-require-imports */

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, custom: args.custom ?? false, inputs: args.inputs });
        const extra: Record<string, unknown> = {};
        if (args.type.startsWith("pulumi-nodejs:dynamic/defender:QualysByolSolution")) extra.solutionId = `${args.inputs.subscriptionId}/solution`;
        if (args.type.startsWith("pulumi-nodejs:dynamic/intune")) extra.profileId = `${args.name}-profile`;
        return { id: args.custom ? `${args.name}-id` : undefined, state: { ...args.inputs, ...extra } };
      },
      call(args) {
        throw new Error(`unexpected call ${args.token}`);
      },
    },
    "consumer-project",
    "dev",
    false,
  );
  const api = await import("../../components");
  provider = new ComponentProvider({ ...providerNameOf("tenant-guardrails"), dirname: ROOT, components: getPulumiComponents(api) });
  schema = JSON.parse(await provider.getSchema()) as PackageSchema;
}, 240_000);

beforeEach(() => {
  registered.length = 0;
});

async function settle(): Promise<void> {
  const settings = await import("@pulumi/pulumi/runtime/settings");
  await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

/**
 * Inputs as they reach the plugin host: the consumer's SDK sends Outputs as output values (the
 * engine supports them and the Node.js host accepts them), the host deserializes them.
 */
async function overTheWire(inputs: Record<string, unknown>): Promise<pulumi.Inputs> {
  const store = state.getStore();
  store.supportsOutputValues = true; // what a real engine reports; mocks say false
  try {
    const serialized = await rpc.serializeProperties("construct", inputs, { keepOutputValues: true });
    return await server.deserializeInputs(structproto.Struct.fromJavaScript(serialized), new Map());
  } finally {
    store.supportsOutputValues = false;
  }
}

/** The options the host builds for construct when the program passes none. */
const hostOptions = (): pulumi.ComponentResourceOptions => ({ aliases: [], dependsOn: [], protect: false, providers: {}, ignoreChanges: [], replaceOnChanges: [] });

async function construct(type: string, name: string, inputs: Record<string, unknown>) {
  const result = await provider.construct(name, `tenant-guardrails:index:${type}`, await overTheWire(inputs), hostOptions());
  await settle();
  const state: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(result.state ?? {})) state[k] = pulumi.Output.isInstance(v) ? await new Promise((resolve) => v.apply(resolve)) : v;
  return { urn: await new Promise<string>((resolve) => pulumi.output(result.urn).apply(resolve)), state };
}

const isSecret = (v: unknown) => typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
const unwrapSecret = (v: unknown) => (isSecret(v) ? (v as { value: unknown }).value : v);
/** The value with every secret-wrapped part removed: what would be readable in state. */
const withoutSecrets = (v: unknown): unknown => {
  if (isSecret(v)) return "[secret]";
  if (Array.isArray(v)) return v.map(withoutSecrets);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withoutSecrets(x)]));
  return v;
};
const byName = (name: string) => {
  const r = registered.find((x) => x.name === name);
  if (!r) throw new Error(`no resource ${name}; registered: ${registered.map((x) => x.name).join(", ")}`);
  return r;
};
const outputsOf = (type: string) => Object.keys(schema.resources[`tenant-guardrails:index:${type}`].properties).sort();

describe("construct through the plugin host", () => {
  it("CorporateDeviceAccess: report-only policies from wire inputs, with the outputs the schema lists", async () => {
    const { urn, state } = await construct("CorporateDeviceAccess", "corp", {
      users: { includeGroupIds: [STAFF_GROUP] },
      emergencyAccess: { groupIds: [pulumi.output(BREAK_GLASS_GROUP)] },
    });
    expect(urn).toContain("::tenant-guardrails:index:CorporateDeviceAccess::corp");
    expect(Object.keys(state).sort()).toEqual(outputsOf("CorporateDeviceAccess"));
    expect(state.effectiveState).toBe("enabledForReportingButNotEnforced");
    expect(state.rule).toMatch(/device\.trustType/);
    const policy = byName("corp-untrusted-devices");
    expect(policy.type).toBe("azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy");
    expect(policy.inputs.state).toBe("enabledForReportingButNotEnforced");
    expect((policy.inputs.conditions as { users: { includedGroups: unknown } }).users.includedGroups).toEqual([STAFF_GROUP]);
  });

  it("VulnerabilityAssessment (BYOL): a license passed as a plain string still ends up secret in the component and in the solution", async () => {
    const { state } = await construct("VulnerabilityAssessment", "va", {
      subscriptionId: SUB,
      provider: "qualysByol",
      qualysByol: { resourceGroupName: "rg-security", location: "westeurope", licenseCode: "LICENSE-plain", publicKey: pulumi.secret("PUBKEY-secret") },
      machines: [{ id: VM }],
    });
    expect(Object.keys(state).sort()).toEqual(outputsOf("VulnerabilityAssessment"));
    expect(state.provider).toBe("qualysByol");
    const component = registered.find((r) => r.type === "tenant-guardrails:index:VulnerabilityAssessment")!;
    expect(component.custom).toBe(false);
    expect(JSON.stringify(withoutSecrets(component.inputs))).not.toContain("LICENSE-plain");
    const solution = byName("va-qualys-solution");
    expect(solution.type).toBe("pulumi-nodejs:dynamic/defender:QualysByolSolution");
    expect(isSecret(solution.inputs.licenseCode) && unwrapSecret(solution.inputs.licenseCode)).toBe("LICENSE-plain");
    expect(isSecret(solution.inputs.publicKey) && unwrapSecret(solution.inputs.publicKey)).toBe("PUBKEY-secret");
    expect(typeof solution.inputs.__provider).toBe("string");
  });

  it("FipsDeviceConfiguration: FIPS then BitLocker profiles as dynamic resources, GPO outputs", async () => {
    const { state } = await construct("FipsDeviceConfiguration", "fips", {
      assignment: { includeGroupIds: [CORP_GROUP] },
      onRemove: "disable",
      bitLocker: { osDriveEncryptionMethod: "xtsAes256" },
    });
    expect(Object.keys(state).sort()).toEqual(outputsOf("FipsDeviceConfiguration"));
    expect(state.gptTmplLine).toMatch(/FIPSAlgorithmPolicy\\Enabled=4,1/);
    expect(byName("fips-fips").type).toMatch(/^pulumi-nodejs:dynamic\/intune:/);
    expect(byName("fips-bitlocker").type).toMatch(/^pulumi-nodejs:dynamic\/intune:/);
  });

  it("EmailAuthentication: records per domain; the Exchange certificate password stays secret even when sent plain", async () => {
    const { state } = await construct("EmailAuthentication", "mail", {
      resourceGroupName: "rg-dns",
      dmarcPolicy: "quarantine",
      domains: [{ domain: "contoso.com", dmarc: { aggregateReportUris: ["mailto:dmarc@contoso.com"] } }],
      inbound: { exchange: { appId: "0f3b6a2c-8d14-4e7f-9a25-c6e1b8d3f470", organization: "contoso.onmicrosoft.com", certificatePath: "/certs/exo.pfx", certificatePassword: "pfx-password" } },
    });
    expect(Object.keys(state).sort()).toEqual(outputsOf("EmailAuthentication"));
    expect((state.dmarcRecords as Record<string, string>)["contoso.com"]).toMatch(/^v=DMARC1; p=quarantine/);
    expect(byName("mail-contoso-com-dmarc").type).toBe("azure-native:dns:RecordSet");
    const command = byName("mail-exchange-inbound");
    expect((unwrapSecret(command.inputs.environment) as Record<string, unknown>).EXO_CERTIFICATE_PASSWORD).toBe("pfx-password");
    expect(JSON.stringify(withoutSecrets(command.inputs))).not.toContain("pfx-password");
    const component = registered.find((r) => r.type === "tenant-guardrails:index:EmailAuthentication")!;
    expect(JSON.stringify(withoutSecrets(component.inputs))).not.toContain("pfx-password");
  });

  it("EmailAuthentication: the recommended way, the certificate password from secret config, reaches the script as a secret", async () => {
    await construct("EmailAuthentication", "mail-secret", {
      resourceGroupName: "rg-dns",
      dmarcPolicy: "none",
      domains: [{ domain: "contoso.com" }],
      inbound: { exchange: { appId: "0f3b6a2c-8d14-4e7f-9a25-c6e1b8d3f470", organization: "contoso.onmicrosoft.com", certificatePath: "/certs/exo.pfx", certificatePassword: pulumi.secret("pfx-from-config") } },
    });
    const command = byName("mail-secret-exchange-inbound");
    expect((unwrapSecret(command.inputs.environment) as Record<string, unknown>).EXO_CERTIFICATE_PASSWORD).toBe("pfx-from-config");
    expect(JSON.stringify(withoutSecrets(command.inputs))).not.toContain("pfx-from-config");
    const component = registered.find((r) => r.name === "mail-secret" && r.type === "tenant-guardrails:index:EmailAuthentication")!;
    expect(JSON.stringify(withoutSecrets(component.inputs))).not.toContain("pfx-from-config");
  });

  it("EmailAuthentication: fields inside the plain domain list may be outputs of other resources (e.g. the zone)", async () => {
    const { state } = await construct("EmailAuthentication", "mail-zone", {
      resourceGroupName: pulumi.output("rg-dns"),
      domains: [{ domain: "fabrikam.com", zoneName: pulumi.output("fabrikam.com"), parked: true }],
    });
    expect((state.dmarcRecords as Record<string, string>)["fabrikam.com"]).toMatch(/^v=DMARC1; p=reject/);
    expect(byName("mail-zone-fabrikam-com-dmarc").inputs).toMatchObject({ resourceGroupName: "rg-dns", zoneName: "fabrikam.com", relativeRecordSetName: "_dmarc" });
  });

  it("a refusal reaches the consumer as the component's own message (what a Python or YAML user reads)", async () => {
    const arc = `/subscriptions/${SUB}/resourceGroups/rg-onprem/providers/Microsoft.HybridCompute/machines/onprem-7`;
    await expect(
      construct("VulnerabilityAssessment", "bad-va", {
        subscriptionId: SUB,
        provider: "qualysByol",
        qualysByol: { resourceGroupName: "rg-security", location: "westeurope", licenseCode: pulumi.secret("L"), publicKey: pulumi.secret("K") },
        machines: [{ id: arc }],
      }),
    ).rejects.toThrow(/^VulnerabilityAssessment "bad-va" has an invalid input:\n {2}- machines = \["onprem-7"\]: Qualys BYOL covers Azure VMs only/);
  });

  it("checks subscriptionId against azure-native:subscriptionId from other languages too (the host passes an empty providers map)", async () => {
    pulumi.runtime.setConfig("azure-native:subscriptionId", "22222222-2222-2222-2222-222222222222");
    try {
      await expect(construct("VulnerabilityAssessment", "other-sub", { subscriptionId: SUB, provider: "builtIn", builtIn: { subPlan: "P1" } })).rejects.toThrow(
        /subscriptionId = "11111111-1111-1111-1111-111111111111": differs from azure-native:subscriptionId \(22222222-2222-2222-2222-222222222222\)/,
      );
    } finally {
      pulumi.runtime.setConfig("azure-native:subscriptionId", SUB);
    }
  });

  it("a type token from another package is refused by the host before any component runs", async () => {
    await expect(provider.construct("x", "other-pkg:index:CorporateDeviceAccess", {}, hostOptions())).rejects.toThrow("Invalid package name other-pkg, expected 'tenant-guardrails'");
  });
});

describe("dynamic resources of a component used from another language", () => {
  const tmpDirs: string[] = [];
  afterAll(() => {
    for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
  });

  /** A consumer project directory (e.g. a Python program), optionally with the package's node_modules. */
  function consumerDir(withNodeModules: boolean): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tg-consumer-"));
    tmpDirs.push(dir);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: consumer\nruntime: python\n");
    if (withNodeModules) fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
  }

  /**
   * What pulumi-resource-pulumi-nodejs does in `cwd`: resolve @pulumi/pulumi/cmd/dynamic-provider,
   * load the serialized provider with require-from-string, then (here) call create.
   */
  function hostDynamicProvider(cwd: string, code: string, inputs: Record<string, unknown>): Promise<{ launcher: string; created?: string; error?: string }> {
    const codeFile = path.join(cwd, ".provider.js");
    fs.writeFileSync(codeFile, code);
    const script = `
      const fs = require("fs");
      const requireFromString = require(${JSON.stringify(require.resolve("require-from-string"))});
      (async () => {
        const out = {};
        try { out.launcher = require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [process.cwd()] }); }
        catch (e) { out.launcher = "unresolved: " + e.code; }
        try {
          const provider = requireFromString(fs.readFileSync(${JSON.stringify(codeFile)}, "utf8")).handler();
          const result = await provider.create(${JSON.stringify(inputs)});
          out.created = result.id;
        } catch (e) { out.error = String(e.message).split("\\n")[0]; }
        process.stdout.write(JSON.stringify(out));
      })();`;
    return new Promise((resolve, reject) => {
      childProcess.execFile(process.execPath, ["-e", script], { cwd, timeout: 60_000, env: { PATH: process.env.PATH ?? "" } }, (err, stdout, stderr) => {
        if (err && !stdout) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout));
      });
    });
  }

  async function byolSolution() {
    await construct("VulnerabilityAssessment", "dyn-va", {
      subscriptionId: SUB,
      provider: "qualysByol",
      qualysByol: { resourceGroupName: "rg-security", location: "westeurope", licenseCode: pulumi.secret("LICENSE-abc"), publicKey: pulumi.secret("PUBKEY-xyz") },
      machines: [{ id: VM }],
    });
    const { __provider: code, ...inputs } = byName("dyn-va-qualys-solution").inputs;
    return { code: code as string, inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, unwrapSecret(v)])) };
  }

  it("the serialized providers load their SDKs by package name, so they resolve from the directory Pulumi starts them in", async () => {
    const { code } = await byolSolution();
    expect(code).toMatch(/require\("@azure\/core-rest-pipeline"\)/);
    expect(code).not.toContain(ROOT);
  });

  it("fails in a consumer directory without node_modules (pulumi/pulumi#5455): the launcher and the Azure SDKs are not found", async () => {
    const { code, inputs } = await byolSolution();
    const arm = new FakeArm();
    await arm.start();
    try {
      const out = await hostDynamicProvider(consumerDir(false), code, { ...inputs, armEndpoint: arm.url });
      expect(out.launcher).toBe("unresolved: MODULE_NOT_FOUND");
      expect(out.error).toMatch(/Cannot find module '@azure\//);
      expect(out.created).toBeUndefined();
      expect(arm.solutionsCreated).toEqual([]);
    } finally {
      await arm.stop();
    }
  });

  it("works once the consumer directory has the package's dependencies: the BYOL solution is created and the VM linked", async () => {
    const { code, inputs } = await byolSolution();
    const arm = new FakeArm();
    await arm.start();
    try {
      const out = await hostDynamicProvider(consumerDir(true), code, { ...inputs, armEndpoint: arm.url });
      expect(out.launcher).toMatch(/node_modules\/@pulumi\/pulumi\/cmd\/dynamic-provider\/index\.js$/);
      expect(out.error).toBeUndefined();
      expect(out.created).toMatch(/\/securitySolutions\/qualys-byol$/);
      expect(arm.linkEvents).toEqual([VM]);
    } finally {
      await arm.stop();
    }
  });

  it("the Intune profiles behave the same: created at a fake Graph once the dependencies are there", async () => {
    await construct("FipsDeviceConfiguration", "dyn-fips", { assignment: { includeGroupIds: [PILOT_GROUP] }, onRemove: "leaveEnabled" });
    const { __provider: code, ...inputs } = byName("dyn-fips-fips").inputs;
    const graph = await startFakeGraph();
    try {
      const bare = await hostDynamicProvider(consumerDir(false), code as string, { ...inputs, graphEndpoint: graph.url, httpTimeoutMs: 2000, httpRetryDelayMs: 5 });
      expect(bare.error).toMatch(/Cannot find module '@/);
      const withDeps = await hostDynamicProvider(consumerDir(true), code as string, { ...inputs, graphEndpoint: graph.url, httpTimeoutMs: 2000, httpRetryDelayMs: 5 });
      expect(withDeps.error).toBeUndefined();
      expect(graph.store.get(withDeps.created!)?.assignments.map((a) => a.target.groupId)).toEqual([PILOT_GROUP]);
    } finally {
      await graph.close();
    }
  });
});
