/**
 * The package's provider plugin, `pulumi-resource-tenant-guardrails`: what the Pulumi engine starts
 * for the package's custom resources and for its components in other languages.
 *
 * - `tenant-guardrails:conditionalaccess:ConditionalAccessPolicy`: check, diff, create, read,
 *   update, delete of a Graph-native Conditional Access policy. Being a custom resource of a
 *   plugin (not a dynamic resource), it can be adopted with `pulumi import` and read with `get`.
 *   check runs the same validation as the TypeScript class, so a program in any language gets the
 *   same refusals at preview.
 * - `construct` of the four components (YAML, Python … consumers), their outputs as the package
 *   schema lists them.
 * - `getSchema`: the components' schema (`schema.json`) plus the custom resource.
 *
 * The schema is read from the file, never inferred from the TypeScript source at start-up, so the
 * plugin starts about as fast as the SDK loads.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import { COMPONENT_TYPE_TOKENS, PLUGIN_RESOURCE_TYPE_TOKENS, type ComponentName } from "../common/type-tokens";
import { graphPolicyProvider, type GraphPolicyInputs, type GraphPolicyOutputs } from "../conditional-access/graph-policy/graph-provider";
import { normaliseConditionalAccessPolicy, type PlainGraphConditionalAccessPolicyArgs } from "../conditional-access/graph-policy/normalise";

/** The package root: the directory above this module with the package's package.json and schema.json. */
export function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "schema.json")) && fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`pulumi-resource-tenant-guardrails: no schema.json above ${__dirname}`);
  }
}

interface SchemaResource {
  properties?: Record<string, unknown>;
  [key: string]: unknown;
}
interface PackageSchema {
  resources: Record<string, SchemaResource>;
  [key: string]: unknown;
}

const ANY = { $ref: "pulumi.json#/Any" };

/** The custom resource as the schema describes it: the provider's own inputs (the Graph payload), not the TypeScript args. */
const CONDITIONAL_ACCESS_POLICY_SCHEMA = {
  description:
    "A Conditional Access policy managed over Microsoft Graph, in Graph's own shape (`policy`), v1.0 unless it uses a beta-only property. " +
    "check applies the package's rules: an enabled policy that blocks or requires a control of all users must exclude a break-glass account or group, " +
    "legacy device states are refused, every device filter is parsed. Permissions: Policy.ReadWrite.ConditionalAccess and Policy.Read.All.",
  inputProperties: {
    displayName: { type: "string", description: "The policy's name, unique among the tenant's policies (it finds the policy after an interrupted create)." },
    policy: { ...ANY, description: "The Graph conditionalAccessPolicy payload (displayName, state, conditions, grantControls, sessionControls, and any property Graph adds)." },
    apiVersion: { type: "string", description: '"v1.0" or "beta" (only for a policy that uses a beta-only property).' },
    graphEndpoint: { type: "string", description: "Graph service root, e.g. https://graph.microsoft.com." },
    adoptExisting: { type: "boolean", description: "Take over an existing policy with the same display name instead of refusing to create a second one." },
    emergencyAccess: { ...ANY, description: "Break-glass { userIds, groupIds } the policy excludes (already in policy): evidence for the policy pack." },
    httpTimeoutMs: { type: "number", description: "Per-attempt HTTP timeout in ms (default 60000)." },
    httpDeadlineMs: { type: "number", description: "Total time of one operation in ms (default 300000)." },
  },
  requiredInputs: ["displayName", "policy", "apiVersion", "graphEndpoint"],
  properties: {
    policyId: { type: "string", description: "Graph id of the policy." },
    observed: { ...ANY, description: "Canonical stored policy as last read or written." },
  },
  required: ["policyId", "displayName", "policy", "apiVersion", "graphEndpoint"],
} as const;

/** The plugin's schema: the components' schema.json with the custom resource added. */
export function pluginSchema(root = packageRoot()): PackageSchema {
  const schema = JSON.parse(fs.readFileSync(path.join(root, "schema.json"), "utf8")) as PackageSchema;
  const { inputProperties, properties, ...rest } = CONDITIONAL_ACCESS_POLICY_SCHEMA;
  schema.resources[PLUGIN_RESOURCE_TYPE_TOKENS.ConditionalAccessPolicy] = { ...rest, inputProperties, properties: { ...inputProperties, ...properties } };
  return schema;
}

/** The resource type of a URN (`urn:pulumi:<stack>::<project>::<parent$>...<type>::<name>`). */
export function typeOfUrn(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").pop() ?? "";
}

function requirePolicyType(urn: string): void {
  const type = typeOfUrn(urn);
  if (type !== PLUGIN_RESOURCE_TYPE_TOKENS.ConditionalAccessPolicy) {
    throw new Error(`pulumi-resource-tenant-guardrails: unknown resource type "${type}" (this plugin serves ${PLUGIN_RESOURCE_TYPE_TOKENS.ConditionalAccessPolicy} and the package's components)`);
  }
}

/**
 * check: the transport checks of the provider, then the package's rules on the payload (the
 * TypeScript class ran them already; other languages and `pulumi import` reach them only here).
 */
export async function checkConditionalAccessPolicy(news: GraphPolicyInputs): Promise<provider.CheckResult> {
  const checked = await graphPolicyProvider.check!(undefined as unknown as GraphPolicyInputs, news);
  if (checked.failures && checked.failures.length > 0) return checked;
  const { problems } = normaliseConditionalAccessPolicy({ ...(news.policy as PlainGraphConditionalAccessPolicyArgs), apiVersion: news.apiVersion });
  if (problems.length === 0) return checked;
  return {
    failures: problems.map((p) => ({
      property: p.field === "emergencyAccess" ? "policy.conditions.users" : `policy.${p.field}`,
      reason: `${news.displayName}: ${p.problem}${p.value === undefined ? "" : ` (${JSON.stringify(p.value)?.slice(0, 120)})`}. Fix: ${p.fix}`,
    })),
  };
}

type ComponentClass = new (name: string, args: never, opts?: pulumi.ComponentResourceOptions) => pulumi.ComponentResource;

/** The components' classes, loaded on the first construct (a plugin serving only the policy never loads them). */
function componentClass(type: string): { name: ComponentName; cls: ComponentClass } {
  const name = (Object.keys(COMPONENT_TYPE_TOKENS) as ComponentName[]).find((n) => COMPONENT_TYPE_TOKENS[n] === type);
  if (!name) throw new Error(`pulumi-resource-tenant-guardrails: unknown component type "${type}" (known: ${Object.values(COMPONENT_TYPE_TOKENS).join(", ")})`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const components = require("../index") as Record<ComponentName, ComponentClass>;
  return { name, cls: components[name] };
}

/** The provider object `@pulumi/pulumi/provider`'s `main` serves. */
export function packageProvider(root = packageRoot()): provider.Provider {
  let schema: PackageSchema | undefined;
  const schemaOf = () => (schema ??= pluginSchema(root));
  return {
    version: (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version,
    getSchema: async () => JSON.stringify(schemaOf()),
    async check(urn, _olds, news) {
      requirePolicyType(urn);
      return checkConditionalAccessPolicy(news as GraphPolicyInputs);
    },
    async diff(id, urn, olds, news) {
      requirePolicyType(urn);
      return graphPolicyProvider.diff!(id, olds as GraphPolicyOutputs, news as GraphPolicyInputs);
    },
    async create(urn, inputs) {
      requirePolicyType(urn);
      return graphPolicyProvider.create(inputs as GraphPolicyInputs);
    },
    async read(id, urn, props) {
      requirePolicyType(urn);
      // Without state (pulumi import, get) the provider reads the policy by its id alone.
      return graphPolicyProvider.read!(id, props as GraphPolicyOutputs);
    },
    async update(id, urn, olds, news) {
      requirePolicyType(urn);
      return graphPolicyProvider.update!(id, olds as GraphPolicyOutputs, news as GraphPolicyInputs);
    },
    async delete(id, urn, props) {
      requirePolicyType(urn);
      await graphPolicyProvider.delete!(id, props as GraphPolicyOutputs);
    },
    async construct(name, type, inputs, opts) {
      const { cls } = componentClass(type);
      const instance = new cls(name, inputs as never, opts) as pulumi.ComponentResource & Record<string, unknown>;
      const outputs = Object.keys(schemaOf().resources[type]?.properties ?? {});
      return { urn: instance.urn, state: Object.fromEntries(outputs.map((k) => [k, instance[k]])) };
    },
  };
}
