import * as pulumi from "@pulumi/pulumi";
import { GuardrailInputError } from "../components/errors";
import { configSecretTest, plainSecretProblem, SECRET_CONFIG_KEYS, type GuardrailsStackConfig } from "./config";
import { VulnerabilityAssessment, type MachineInScope, type VulnerabilityAssessmentArgs } from "../components/defender";

/** The config object: the component args, with machines given as ARM ids or { id, type }. */
type DefenderConfig = Omit<VulnerabilityAssessmentArgs, "machines"> & { machines?: (string | MachineInScope)[] };

/**
 * Config `tenant-guardrails:defender`: the VulnerabilityAssessment args (see README), e.g.
 *   subscriptionId: <guid>
 *   provider: builtIn | qualysByol
 *   builtIn: { subPlan: P1 | P2, assignPolicy: true, policyAssignmentLocation: westeurope }
 *   qualysByol: { resourceGroupName: rg-security, location: <Defender home region>, autoUpdate: true }
 *   machines: [<ARM id of a VM or Arc machine>, { id: i-0abc, type: aws }]
 *   subscriptionState: { selectedProvider: MdeTvm, policyAssignments: [...] }
 * The Qualys license code and public key are the secrets `tenant-guardrails:qualysLicenseCode`
 * and `tenant-guardrails:qualysPublicKey` (pulumi config set --secret ...), never in this object.
 * The stack program passes the config `readStackConfig()` checked; called alone, it reads the key.
 */
export function declareDefender(stackConfig?: GuardrailsStackConfig) {
  const config = new pulumi.Config();
  const raw: DefenderConfig | undefined = stackConfig ? stackConfig.defender : config.getObject<DefenderConfig>("defender");
  if (!raw) return undefined;
  const inline = ["licenseCode", "publicKey"].filter((k) => (raw.qualysByol as Record<string, unknown> | undefined)?.[k] !== undefined);
  if (inline.length > 0) {
    throw new GuardrailInputError(
      "VulnerabilityAssessment",
      "defender-va",
      inline.map((k) => ({
        field: `tenant-guardrails:defender.qualysByol.${k}`,
        value: "(hidden)",
        problem: "a Qualys secret must not sit in the config object, where it is stored in plain text",
        fix: `remove it there and run: pulumi config set --secret ${k === "licenseCode" ? "qualysLicenseCode" : "qualysPublicKey"} <value>`,
      })),
    );
  }
  // Set without --secret, the value sits in plain text in the stack file: refuse it (readStackConfig
  // does too; this covers programs that call declareDefender alone).
  const isSecret = configSecretTest();
  const plainSecrets = SECRET_CONFIG_KEYS.flatMap(({ key, what }) => {
    if (pulumi.runtime.getConfig(`${config.name}:${key}`) === undefined) return [];
    const problem = plainSecretProblem(pulumi.getStack(), config.name, key, what, isSecret && (isSecret(`${config.name}:${key}`) ? [key] : []));
    return problem ? [problem] : [];
  });
  if (plainSecrets.length > 0) throw new GuardrailInputError("VulnerabilityAssessment", "defender-va", plainSecrets);
  const args: VulnerabilityAssessmentArgs = {
    ...raw,
    machines: (raw.machines ?? []).map((m) => (typeof m === "string" ? { id: m } : m)),
    qualysByol: raw.qualysByol && {
      ...raw.qualysByol,
      licenseCode: secretConfig(config, "qualysLicenseCode"),
      publicKey: secretConfig(config, "qualysPublicKey"),
    },
  };
  const va = new VulnerabilityAssessment("defender-va", args);
  return { provider: va.provider, decision: va.decision, pricingId: va.pricingId, solutionId: va.solutionId, linkedVmIds: va.linkedVmIds };
}

/**
 * A secret config value, or undefined when it is unset or blank: the component then refuses it
 * synchronously at preview, naming the key, instead of failing later inside an Output.
 */
function secretConfig(config: pulumi.Config, key: string): pulumi.Output<string> | undefined {
  const raw = pulumi.runtime.getConfig(`${config.name}:${key}`);
  return raw === undefined || raw.trim() === "" ? undefined : config.getSecret(key);
}
