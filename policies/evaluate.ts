/**
 * Runs the pack's policies over resources recorded offline (the `plan` command), the way the
 * policy pack server runs them under `pulumi preview`: every resource through each policy's
 * validateResource, then the whole stack through each validateStack. Same policy objects, same
 * config shape (`--policy-pack-config` JSON), no gRPC server.
 */
import * as fs from "node:fs";
import type {
  EnforcementLevel,
  PolicyPackConfig,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { allPolicies } from "./policies";

/** A resource as the offline engine records it. */
export interface RecordedResource {
  type: string;
  urn: string;
  name: string;
  /** URN of the parent ("" for none). */
  parent: string;
  /** Inputs with secrets revealed (evaluation only; findings must not quote them). */
  props: Record<string, unknown>;
}

export interface PolicyFinding {
  policy: string;
  enforcementLevel: EnforcementLevel;
  severity?: Severity;
  /** The resource concerned; for a stack policy that named none, the stack's URN or "". */
  urn: string;
  message: string;
}

type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

const NO_OPTS: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

class NotApplicable extends Error {}

/** Read a `--policy-pack-config` style JSON file ({ "<policy>": level | { enforcementLevel?, ...props } }). */
export function readPolicyConfig(file: string): PolicyPackConfig {
  const doc = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new Error(`${file}: policy config must be a JSON object keyed by policy name`);
  return doc as PolicyPackConfig;
}

function levelAndConfig(policy: AnyPolicy, config: PolicyPackConfig): { level: EnforcementLevel; props: Record<string, unknown> } {
  const entry = config[policy.name] ?? config.all;
  const base = policy.enforcementLevel ?? "advisory";
  if (typeof entry === "string") return { level: entry, props: {} };
  if (entry && typeof entry === "object") {
    const { enforcementLevel, ...props } = entry as { enforcementLevel?: EnforcementLevel } & Record<string, unknown>;
    return { level: enforcementLevel ?? base, props };
  }
  return { level: base, props: {} };
}

function typeOf(resourceClass: unknown): string | undefined {
  return (resourceClass as { __pulumiType?: string }).__pulumiType;
}

/** Evaluate `policies` (default: the whole pack) over recorded resources. */
export async function evaluatePolicies(resources: RecordedResource[], config: PolicyPackConfig = {}, policies: AnyPolicy[] = allPolicies): Promise<PolicyFinding[]> {
  const policyResources = new Map<string, PolicyResource>();
  for (const r of resources) {
    policyResources.set(r.urn, {
      type: r.type,
      urn: r.urn,
      name: r.name,
      props: r.props,
      opts: NO_OPTS,
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => typeOf(cls) === r.type,
      asType: (cls) => (typeOf(cls) === r.type ? (r.props as never) : undefined),
    });
  }
  for (const r of resources) {
    const parent = policyResources.get(r.parent);
    if (parent) policyResources.get(r.urn)!.parent = parent;
  }
  const all = [...policyResources.values()].filter((r) => r.type !== "pulumi:pulumi:Stack");
  const stackUrn = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
  const stackTags: ReadonlyMap<string, string> = new Map();
  const findings: PolicyFinding[] = [];

  for (const policy of policies) {
    const { level, props: policyConfig } = levelAndConfig(policy, config);
    if (level === "disabled") continue;
    const getConfig = <T extends object>() => policyConfig as T;
    const notApplicable = (reason?: string): never => {
      throw new NotApplicable(reason);
    };
    const add = (urn: string) => (message: string, reportedUrn?: string) =>
      findings.push({ policy: policy.name, enforcementLevel: level, severity: policy.severity, urn: reportedUrn ?? urn, message });

    const validateResource = (policy as ResourceValidationPolicy).validateResource;
    if (validateResource) {
      const validations = Array.isArray(validateResource) ? validateResource : [validateResource];
      for (const r of all) {
        const args: ResourceValidationArgs = {
          type: r.type,
          props: r.props,
          urn: r.urn,
          name: r.name,
          opts: NO_OPTS,
          stackTags,
          isType: r.isType,
          asType: r.asType as ResourceValidationArgs["asType"],
          getConfig,
          notApplicable,
        };
        for (const validate of validations) {
          try {
            await validate(args, add(r.urn));
          } catch (err) {
            if (!(err instanceof NotApplicable)) throw err;
          }
        }
      }
    }
    const validateStack = (policy as StackValidationPolicy).validateStack;
    if (validateStack) {
      const args: StackValidationArgs = { resources: all, stackTags, getConfig, notApplicable };
      try {
        await validateStack(args, add(stackUrn));
      } catch (err) {
        if (!(err instanceof NotApplicable)) throw err;
      }
    }
  }
  return findings;
}

/** True when a finding blocks the deployment (mandatory, as `pulumi preview` treats it). */
export function isBlocking(finding: PolicyFinding): boolean {
  return finding.enforcementLevel === "mandatory";
}
