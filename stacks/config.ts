/**
 * The stack config, read and checked as a whole before any component is declared: every problem
 * of every system is reported in one error (not the first only), each naming the config key, the
 * component it feeds, the bad value and the fix. The checks are the components' own pure
 * validators, so a config that passes here is one the components accept.
 *
 * A new environment is only a new `stacks/Pulumi.<stack>.yaml`: nothing here depends on the
 * stack's name. Each system is declared when its key is present and left out when it is absent.
 */
import * as pulumi from "@pulumi/pulumi";
import { formatProblem, type InputProblem } from "../components/errors";
import type { CorporateDeviceAccessArgs, FipsDeviceConfigurationArgs } from "../components";
import type { EmailAuthenticationArgs } from "../components/email";
import type { MachineInScope, VulnerabilityAssessmentArgs } from "../components/defender";
import { normaliseCorporateDeviceAccess, type PlainCorporateDeviceAccessArgs } from "../components/conditional-access/component/corporate-device-policy";
import { normaliseVulnerabilityAssessment } from "../components/defender/validate";
import type { PlainVulnerabilityAssessmentArgs } from "../components/defender/model";
import { normaliseFipsDeviceConfiguration } from "../components/intune/settings";
import { normaliseEmailAuthentication } from "../components/email/plan";
import type { EmailAuthenticationSpec } from "../components/email/plan";
import { closest } from "../components/conditional-access/device-filter/parser";
import { checkShape, originalField, related, systemShapes, type ShapeCheck } from "./config-shape";

export const PROJECT = "tenant-guardrails";

/** Every key this project reads from `tenant-guardrails:*`. */
export const StackConfigKey = {
  /** CorporateDeviceAccess args (Conditional Access for corporate devices); default state reportOnly. */
  ConditionalAccess: "conditionalAccess",
  /** VulnerabilityAssessment args, machines as ARM ids or { id, type }. */
  Defender: "defender",
  /** Secret: the Qualys license code (qualysByol only). */
  QualysLicenseCode: "qualysLicenseCode",
  /** Secret: the Qualys public key (qualysByol only). */
  QualysPublicKey: "qualysPublicKey",
  /** FipsDeviceConfiguration args (Intune FIPS mode, optional BitLocker). */
  Intune: "intune",
  /** EmailAuthentication args (DMARC/SPF/DKIM and inbound DMARC handling). */
  Email: "email",
  /** Secret: password of the Exchange Online certificate file (.pfx), if any. */
  EmailCertificatePassword: "emailCertificatePassword",
} as const;
export type StackConfigKey = (typeof StackConfigKey)[keyof typeof StackConfigKey];

const SYSTEM_KEYS: string[] = [StackConfigKey.ConditionalAccess, StackConfigKey.Defender, StackConfigKey.Intune, StackConfigKey.Email];
const COMPONENT_OF: Record<string, string> = {
  conditionalAccess: 'CorporateDeviceAccess "corporate-devices"',
  defender: 'VulnerabilityAssessment "defender-va"',
  intune: 'FipsDeviceConfiguration "windows-fips"',
  email: 'EmailAuthentication "email"',
};

/** Defender config: the component args, machines as ARM ids or { id, type }; secrets live in their own keys. */
export type DefenderStackConfig = Omit<VulnerabilityAssessmentArgs, "machines"> & { machines?: (string | MachineInScope)[] };

/** The whole stack config, typed. Absent systems are not declared. */
export interface GuardrailsStackConfig {
  /** `tenant-guardrails:conditionalAccess` */
  conditionalAccess?: CorporateDeviceAccessArgs;
  /** `tenant-guardrails:defender` */
  defender?: DefenderStackConfig;
  /** `tenant-guardrails:intune` */
  intune?: FipsDeviceConfigurationArgs;
  /** `tenant-guardrails:email` */
  email?: EmailAuthenticationArgs;
}

/** The raw config values as Pulumi holds them (objects as JSON text), and which secret keys are set. */
export interface RawStackConfig {
  stack: string;
  /** The project (config namespace); default tenant-guardrails. */
  project?: string;
  /** Unqualified key (in the project namespace) to its raw text. */
  values: Record<string, string>;
  /** `azure-native:subscriptionId`, which the Defender component compares with its own. */
  providerSubscriptionId?: string;
  /**
   * Unqualified keys whose value is a secret (`secure:` in the stack file, set with
   * `pulumi config set --secret`). Undefined when unknown: a secret key present then is refused,
   * since nothing shows it is not stored in plain text.
   */
  secretKeys?: string[];
}

/** Config keys that hold secrets and must be set with `pulumi config set --secret`. */
export const SECRET_CONFIG_KEYS: { key: StackConfigKey; system: string; what: string }[] = [
  { key: StackConfigKey.QualysLicenseCode, system: "defender", what: "the Qualys license code" },
  { key: StackConfigKey.QualysPublicKey, system: "defender", what: "the Qualys public key" },
];

/** The problem of a secret config key set in plain text (or of unknown secrecy), or undefined when it is a secret. */
export function plainSecretProblem(stack: string, project: string, key: string, what: string, secretKeys: readonly string[] | undefined): InputProblem | undefined {
  if (secretKeys?.includes(key)) return undefined;
  const where =
    secretKeys === undefined
      ? "cannot be shown to be a secret (the Pulumi runtime did not say which config keys are secure), so it is treated as stored in plain text"
      : `is stored in plain text in Pulumi.${stack}.yaml (set without --secret), where ${what} stays readable by anyone who can read the stack file`;
  return {
    field: `${project}:${key}`,
    value: "(hidden)",
    problem: where,
    fix: `run: pulumi config set --secret ${key} <value> --stack ${stack} (it replaces the plain value; if the file was committed, treat the old value as exposed)`,
  };
}

export interface StackConfigProblem extends InputProblem {
  /** The component the key feeds, e.g. `CorporateDeviceAccess "corporate-devices"`, or "stack". */
  component: string;
  /** The value is not shown (an unknown key's value might be a secret written under a misspelt name). */
  valueHidden?: boolean;
}

/** The stack's config file, as a user finds it in the project's stack config directory. */
export function stackFile(stackName: string): string {
  return `Pulumi.${stackName}.yaml`;
}

function formatStackProblem(p: StackConfigProblem): string {
  return `${p.component}: ${p.valueHidden ? `${p.field}: ${p.problem}. Fix: ${p.fix}` : formatProblem(p)}`;
}

/** Thrown when the stack config has problems; lists all of them. */
export class StackConfigError extends Error {
  constructor(
    readonly stackName: string,
    readonly problems: StackConfigProblem[],
  ) {
    super(
      `Stack "${stackName}": the config in ${stackFile(stackName)} has ${problems.length === 1 ? "1 problem" : `${problems.length} problems`} (nothing was declared):\n` +
        problems.map((p) => `  - ${formatStackProblem(p)}`).join("\n"),
    );
    this.name = "StackConfigError";
  }
}

let shapes: ReturnType<typeof systemShapes> | undefined;

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

/**
 * Check the whole config and return it typed, with every problem found (pure: no Pulumi runtime).
 */
export function checkStackConfig(raw: RawStackConfig): { config: GuardrailsStackConfig; problems: StackConfigProblem[] } {
  const problems: StackConfigProblem[] = [];
  const config: Record<string, unknown> = {};
  const project = raw.project ?? PROJECT;
  const shaped: Record<string, ShapeCheck> = {};
  const add = (system: string, list: InputProblem[]) => {
    const shape = shaped[system];
    for (const p of list) {
      // The validators saw the config without what the shape check took out: their fields are mapped
      // back to the file's list positions, and a complaint about a place already reported is dropped.
      const field = shape ? originalField(p.field, shape.keptIndexes) : p.field;
      if (shape && shape.taken.some((t) => related(field, t))) continue;
      problems.push({ ...p, field: `${project}:${system}${field ? `.${field}` : ""}`, component: COMPONENT_OF[system] ?? "stack" });
    }
  };

  // Every key in the project's namespace is one this program reads: a misspelt one would be ignored.
  // It is refused, and then read as the key it was meant to be, so the rest of the check does not
  // also complain that key is missing (one mistake, one error).
  const known: string[] = Object.values(StackConfigKey);
  const values: Record<string, string> = { ...raw.values };
  for (const key of Object.keys(raw.values)) {
    if (known.includes(key)) continue;
    const near = closest(key, known.filter((k) => raw.values[k] === undefined));
    delete values[key];
    if (near && values[near] === undefined) values[near] = raw.values[key];
    problems.push({
      component: "stack",
      field: `${project}:${key}`,
      value: undefined,
      valueHidden: true,
      problem: "unknown key, which nothing reads",
      fix: near ? `did you mean ${project}:${near}? Rename the key` : `remove it; this project reads ${known.map((k) => `${project}:${k}`).join(", ")}`,
    });
  }

  for (const system of SYSTEM_KEYS) {
    const text = values[system];
    if (text === undefined) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    if (!isObject(value)) {
      add(system, [{ field: "", value, problem: "must be an object of the component's settings", fix: `write ${project}:${system} as a YAML mapping (see README)` }]);
      continue;
    }
    // Unknown keys, lists and mappings where they belong, empty list items: checked at every level first.
    shapes ??= systemShapes();
    const checked = checkShape(value, shapes[system]);
    add(system, checked.problems);
    shaped[system] = checked;
    config[system] = checked.value;
  }
  if (SYSTEM_KEYS.every((k) => values[k] === undefined)) {
    add("", [{ field: "", value: undefined, problem: "the stack declares none of the four systems", fix: `add at least one of ${SYSTEM_KEYS.map((k) => `${project}:${k}`).join(", ")} to Pulumi.${raw.stack}.yaml` }]);
  }

  const ca = config.conditionalAccess as PlainCorporateDeviceAccessArgs | undefined;
  if (ca) add("conditionalAccess", normaliseCorporateDeviceAccess(ca).problems);

  // A secret set without --secret sits in plain text in the stack file: refuse it before anything is declared.
  for (const { key, system, what } of SECRET_CONFIG_KEYS) {
    if (raw.values[key] === undefined) continue;
    const problem = plainSecretProblem(raw.stack, project, key, what, raw.secretKeys);
    if (problem) problems.push({ ...problem, component: COMPONENT_OF[system] });
  }

  const defender = config.defender as (Record<string, unknown> & { qualysByol?: Record<string, unknown>; machines?: unknown }) | undefined;
  if (defender) {
    const inline = ["licenseCode", "publicKey"].filter((k) => defender.qualysByol?.[k] !== undefined);
    add(
      "defender",
      inline.map((k) => ({
        field: `qualysByol.${k}`,
        value: "(hidden)",
        problem: "a Qualys secret must not sit in the config object, where it is stored in plain text",
        fix: `remove it there and run: pulumi config set --secret ${k === "licenseCode" ? StackConfigKey.QualysLicenseCode : StackConfigKey.QualysPublicKey} <value>`,
      })),
    );
    const machines = Array.isArray(defender.machines) ? defender.machines.map((m) => (typeof m === "string" ? { id: m } : m)) : defender.machines;
    const plain = {
      ...defender,
      machines,
      providerSubscriptionId: raw.providerSubscriptionId,
      qualysByol: defender.qualysByol && {
        ...defender.qualysByol,
        licenseCode: undefined,
        publicKey: undefined,
        licenseCodePresent: values[StackConfigKey.QualysLicenseCode] !== undefined,
        publicKeyPresent: values[StackConfigKey.QualysPublicKey] !== undefined,
      },
    } as unknown as PlainVulnerabilityAssessmentArgs;
    add("defender", normaliseVulnerabilityAssessment(plain).problems);
  }

  const intune = config.intune as (Record<string, unknown> & { assignment?: { includeGroupIds?: string[]; excludeGroupIds?: string[] } }) | undefined;
  if (intune) {
    add(
      "intune",
      normaliseFipsDeviceConfiguration({
        ...(intune as object),
        includeGroupIds: intune.assignment?.includeGroupIds,
        excludeGroupIds: intune.assignment?.excludeGroupIds,
      }).problems.map((p) => ({ ...p, field: p.field.replace(/^(includeGroupIds|excludeGroupIds)/, "assignment.$1") })),
    );
  }

  const email = config.email as (Record<string, unknown> & { inbound?: Record<string, unknown> & { exchange?: Record<string, unknown> } }) | undefined;
  if (email) {
    const hasPassword = values[StackConfigKey.EmailCertificatePassword] !== undefined || email.inbound?.exchange?.certificatePassword !== undefined;
    const spec = {
      domains: email.domains,
      dmarcPolicy: email.dmarcPolicy,
      inbound: email.inbound && { ...email.inbound, exchange: email.inbound.exchange && { ...email.inbound.exchange, certificatePassword: undefined, hasCertificatePassword: hasPassword } },
    } as unknown as EmailAuthenticationSpec;
    add("email", normaliseEmailAuthentication(spec).problems);
    if (typeof email.resourceGroupName !== "string" || email.resourceGroupName.trim() === "") {
      add("email", [{ field: "resourceGroupName", value: email.resourceGroupName, problem: "the Azure DNS zones' resource group is required", fix: "give the resource group that holds the DNS zones, e.g. rg-dns" }]);
    }
  }
  return { config: config as GuardrailsStackConfig, problems };
}

/** Read this stack's config from the Pulumi runtime, check all of it, and throw one error listing every problem. */
export function readStackConfig(): GuardrailsStackConfig {
  const project = pulumi.getProject();
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (key.startsWith(`${project}:`)) values[key.slice(project.length + 1)] = value;
  }
  const isSecret = configSecretTest();
  const secretKeys = isSecret && Object.keys(values).filter((k) => isSecret(`${project}:${k}`));
  const stack = pulumi.getStack();
  const { config, problems } = checkStackConfig({
    stack,
    project,
    values,
    providerSubscriptionId: new pulumi.Config("azure-native").get("subscriptionId"),
    secretKeys: secretKeys || undefined,
  });
  if (problems.length > 0) throw new StackConfigError(stack, problems);
  return config;
}

/**
 * Whether a fully qualified config key holds a secret, as the Pulumi runtime knows it: the CLI
 * passes the keys that are `secure:` in the stack file (PULUMI_CONFIG_SECRET_KEYS), and the mock
 * engines pass the secret keys to `setAllConfig`. The SDK function is exported but not typed
 * (internal); undefined when it is missing, and secret keys are then refused.
 */
export function configSecretTest(): ((key: string) => boolean) | undefined {
  const fn = (pulumi.runtime as unknown as { isConfigSecret?: unknown }).isConfigSecret;
  return typeof fn === "function" ? (key: string) => (fn as (k: string) => boolean)(key) === true : undefined;
}
