/**
 * The policy pack as `pulumi preview --policy-pack policies` starts it: Pulumi's own
 * run-policy-pack entry point, working directory policies/, TypeScript compiled on the fly; then
 * the engine's gRPC calls (GetAnalyzerInfo, Analyze, AnalyzeStack) on 127.0.0.1.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/cli";
import { urnOf } from "./harness";

/* eslint-disable @typescript-eslint/no-require-imports -- the generated gRPC stubs are CommonJS without typings we can import */
const grpc = require("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
const analyzerGrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const analyzerPb = require("@pulumi/pulumi/proto/analyzer_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

type Call = (req: unknown, cb: (err: Error | null, resp: any) => void) => void;
const LEVEL = ["advisory", "mandatory", "disabled", "remediate"];

describe("policy pack served as the Pulumi CLI runs it", () => {
  let child: ChildProcess;
  let client: Record<string, Call>;
  let stderr = "";

  beforeAll(async () => {
    child = spawn(process.execPath, [path.join(REPO_ROOT, "node_modules/@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:1", "."], {
      cwd: path.join(REPO_ROOT, "policies"),
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout!.on("data", (d: Buffer) => resolve(d.toString().trim()));
      child.on("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${stderr}`)));
    });
    client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }, 90_000);

  afterAll(() => {
    (client as unknown as { close?: () => void })?.close?.();
    child?.kill();
  });

  const call = (method: string, req: unknown) =>
    new Promise<any>((resolve, reject) => client[method].call(client, req, (err, resp) => (err ? reject(err) : resolve(resp))));

  function resourceMessage(Message: any, type: string, name: string, props: object, stack = "prod") {
    const m = new Message();
    m.setType(type);
    m.setName(name);
    m.setUrn(urnOf(stack, type, name));
    m.setProperties(Struct.fromJavaScript(props));
    m.setOptions(new analyzerPb.AnalyzerResourceOptions()); // the CLI always sends options
    return m;
  }

  it("announces every policy with its enforcement level and the initial config from policy-config.json", async () => {
    const info = await call("getAnalyzerInfo", new Empty());
    expect(info.getName()).toBe("tenant-guardrails");
    const levels = Object.fromEntries(info.getPoliciesList().map((p: any) => [p.getName(), LEVEL[p.getEnforcementlevel()]]));
    expect(levels["ca-enabled-policy-excludes-emergency-access"]).toBe("mandatory");
    expect(levels["dmarc-aggregate-reports"]).toBe("advisory");
    expect(Object.keys(levels)).toHaveLength(8);
    expect([...info.getInitialconfigMap().keys()]).toContain("ca-enabled-policy-excludes-emergency-access");
  });

  it("the initial config gives each policy its own enforcement level (an entry without one reaches the CLI as advisory)", async () => {
    const info = await call("getAnalyzerInfo", new Empty());
    const levels = Object.fromEntries(info.getPoliciesList().map((p: any) => [p.getName(), LEVEL[p.getEnforcementlevel()]]));
    const initial = [...info.getInitialconfigMap().entries()].map(([name, c]: [string, any]) => ({ name, level: LEVEL[c.getEnforcementlevel()] }));
    expect(initial.map((c) => c.name)).toContain("fips-assigned-wherever-bitlocker");
    expect(initial).toEqual(initial.map(({ name }) => ({ name, level: levels[name] })));
    expect(initial.find((c) => c.name === "fips-assigned-wherever-bitlocker")!.level).toBe("mandatory");
  });

  it("Analyze: a CA policy blocking all users on all apps with no exclusion gets the advisory (break-glass is a stack policy)", async () => {
    const req = resourceMessage(analyzerPb.AnalyzeRequest, "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy", "ca", {
      displayName: "Block legacy auth",
      state: "enabled",
      conditions: { users: { includedUsers: ["All"] }, applications: { includedApplications: ["All"] }, clientAppTypes: ["other"] },
      grantControls: { builtInControls: ["block"], operator: "OR" },
    });
    const diagnostics = (await call("analyze", req)).getDiagnosticsList();
    expect(diagnostics.map((d: any) => d.getPolicyname())).toEqual(["ca-block-all-without-exclusions"]);
  });

  it("AnalyzeStack: an enabled CA policy must exclude a break-glass group the stack's CorporateDeviceAccess declares (another tenant's ids)", async () => {
    const acmeGroup = "a1b2c3d4-0000-4000-8000-00000000ac01";
    const stack = (excludedGroups: string[]) => {
      const req = new analyzerPb.AnalyzeStackRequest();
      req.setResourcesList([
        resourceMessage(analyzerPb.AnalyzerResource, "tenant-guardrails:index:CorporateDeviceAccess", "corporate-devices", { state: "enabled", emergencyAccess: { groupIds: [acmeGroup] } }, "acme"),
        resourceMessage(
          analyzerPb.AnalyzerResource,
          "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy",
          "ca",
          {
            displayName: "Block legacy auth",
            state: "enabled",
            conditions: { users: { includedUsers: ["All"], excludedGroups }, applications: { includedApplications: ["All"] }, clientAppTypes: ["other"] },
            grantControls: { builtInControls: ["block"], operator: "OR" },
          },
          "acme",
        ),
      ]);
      return req;
    };
    expect((await call("analyzeStack", stack([acmeGroup]))).getDiagnosticsList()).toEqual([]);
    const diagnostics = (await call("analyzeStack", stack([]))).getDiagnosticsList();
    expect(diagnostics.map((d: any) => [d.getPolicyname(), LEVEL[d.getEnforcementlevel()], d.getUrn()])).toEqual([
      ["ca-enabled-policy-excludes-emergency-access", "mandatory", urnOf("acme", "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy", "ca")],
    ]);
    expect(diagnostics[0].getMessage()).toContain('Conditional Access policy "Block legacy auth" (ca) is enabled but excludes none of the tenant\'s emergency-access (break-glass) accounts or groups');
    expect(diagnostics[0].getMessage()).toContain(`${acmeGroup} (CorporateDeviceAccess "corporate-devices" emergencyAccess.groupIds)`);
  });

  it("AnalyzeStack: DMARC quarantine for a sending domain in prod, not in dev", async () => {
    const stack = (s: string) => {
      const req = new analyzerPb.AnalyzeStackRequest();
      req.setResourcesList([
        resourceMessage(analyzerPb.AnalyzerResource, "azure-native:dns:RecordSet", "spf", { zoneName: "contoso.com", relativeRecordSetName: "@", recordType: "TXT", txtRecords: [{ value: ["v=spf1 include:spf.protection.outlook.com -all"] }] }, s),
        resourceMessage(analyzerPb.AnalyzerResource, "azure-native:dns:RecordSet", "dmarc", { zoneName: "contoso.com", relativeRecordSetName: "_dmarc", recordType: "TXT", txtRecords: [{ value: ["v=DMARC1; p=quarantine; rua=mailto:d@contoso.com"] }] }, s),
      ]);
      return req;
    };
    const prod = (await call("analyzeStack", stack("prod"))).getDiagnosticsList();
    expect(prod.map((d: any) => d.getPolicyname())).toEqual(["dmarc-reject-in-prod"]);
    expect(prod[0].getUrn()).toBe(urnOf("prod", "azure-native:dns:RecordSet", "dmarc"));
    expect((await call("analyzeStack", stack("dev"))).getDiagnosticsList()).toEqual([]);
  });
});
