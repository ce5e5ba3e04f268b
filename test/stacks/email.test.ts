import { runUnderMocks, type RunResult } from "../../cli/engine";
import { findProject, loadStackConfig } from "../../cli/stack";
import { declareEmail } from "../../stacks/email";
import { REPO_ROOT } from "../helpers/cli";

const project = findProject(REPO_ROOT);

async function runEmail(stack: string, extra: Record<string, string> = {}, secretKeys: string[] = []): Promise<RunResult> {
  const { config } = loadStackConfig(project, stack);
  return runUnderMocks(() => ({ email: declareEmail() }), { project: project.name, stack, config: { ...config, ...extra }, secretKeys });
}

const component = (r: RunResult) => r.resources.find((x) => x.type === "tenant-guardrails:index:EmailAuthentication")!;

describe("the email system in the stacks", () => {
  it("dev publishes p=none with aggregate reports", async () => {
    const r = await runEmail("dev");
    const email = r.outputs.email as { dmarcRecords: Record<string, string> };
    expect(Object.values(email.dmarcRecords)).toEqual(["v=DMARC1; p=none; rua=mailto:dmarc-reports@contoso.com"]);
  });

  it("prod publishes p=reject everywhere and allows exactly the example pair, without wildcards", async () => {
    const r = await runEmail("prod");
    const email = r.outputs.email as { dmarcRecords: Record<string, string> };
    for (const record of Object.values(email.dmarcRecords)) expect(record).toMatch(/^v=DMARC1; p=reject(;|$)/);
    const inbound = (component(r).plainInputs as { inbound: Record<string, unknown> }).inbound;
    expect(inbound.allowedSpoofPairs).toEqual([{ spoofedUser: "gmail.com", sendingInfrastructure: "tms.mx.com", spoofType: "External" }]);
    expect(inbound.allowWildcardSpoofPairs).toBeUndefined();
    expect(inbound.removeUndeclaredSpoofPairs).toBeUndefined();
  });

  it("passes a .pfx password from the secret config key to the script's environment, as a secret only", async () => {
    const { config } = loadStackConfig(project, "prod");
    const email = JSON.parse(config["tenant-guardrails:email"]);
    email.inbound.exchange = { appId: email.inbound.exchange.appId, organization: email.inbound.exchange.organization, certificatePath: "/etc/exo/app.pfx" };
    const r = await runEmail("prod", { "tenant-guardrails:email": JSON.stringify(email), "tenant-guardrails:emailCertificatePassword": "pfx-secret-value" }, ["tenant-guardrails:emailCertificatePassword"]);
    const command = r.resources.find((x) => x.type === "command:local:Command")!;
    expect((command.inputs.environment as Record<string, string>).EXO_CERTIFICATE_PASSWORD).toBe("[secret]");
    expect((command.plainInputs.environment as Record<string, string>).EXO_CERTIFICATE_PASSWORD).toBe("pfx-secret-value");
    expect(JSON.stringify(r.resources.map((x) => x.inputs))).not.toContain("pfx-secret-value");
    expect(JSON.stringify(r.outputs)).not.toContain("pfx-secret-value");
  });
});
