/**
 * A small harness to call CrossGuard policies directly, without a policy pack server: hand-built
 * ResourceValidationArgs / StackValidationArgs (as pulumi-practice.md section 4 describes) and a
 * report function that collects violations.
 */
import type {
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";

export interface Violation {
  message: string;
  urn?: string;
}

const OPTS: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

/** URN as the engine writes it; `parents` are the parent types (outermost first). */
export function urnOf(stack: string, type: string, name: string, parents: string[] = []): string {
  return `urn:pulumi:${stack}::tenant-guardrails::${[...parents, type].join("$")}::${name}`;
}

export interface ResourceSpec {
  type: string;
  name: string;
  props: Record<string, unknown>;
  stack?: string;
  parents?: string[];
}

function notApplicable(reason?: string): never {
  throw new Error(`notApplicable: ${reason ?? ""}`);
}

export function resourceArgs(spec: ResourceSpec, config: object = {}): ResourceValidationArgs {
  return {
    type: spec.type,
    props: spec.props,
    urn: urnOf(spec.stack ?? "prod", spec.type, spec.name, spec.parents),
    name: spec.name,
    opts: OPTS,
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => config as T,
    notApplicable,
  };
}

export function policyResource(spec: ResourceSpec): PolicyResource {
  return {
    type: spec.type,
    props: spec.props,
    urn: urnOf(spec.stack ?? "prod", spec.type, spec.name, spec.parents),
    name: spec.name,
    opts: OPTS,
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  };
}

export function stackArgs(specs: ResourceSpec[], config: object = {}): StackValidationArgs {
  return { resources: specs.map(policyResource), stackTags: new Map(), getConfig: <T extends object>() => config as T, notApplicable };
}

/** Violations a resource policy reports for one resource. */
export async function validateResource(policy: ResourceValidationPolicy, spec: ResourceSpec, config: object = {}): Promise<Violation[]> {
  const violations: Violation[] = [];
  const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
  for (const v of validations) await v(resourceArgs(spec, config), (message, urn) => violations.push({ message, urn }));
  return violations;
}

/** Violations a stack policy reports for a set of resources. */
export async function validateStack(policy: StackValidationPolicy, specs: ResourceSpec[], config: object = {}): Promise<Violation[]> {
  const violations: Violation[] = [];
  await policy.validateStack(stackArgs(specs, config), (message, urn) => violations.push({ message, urn }));
  return violations;
}
