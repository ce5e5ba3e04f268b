import * as pulumi from "@pulumi/pulumi";
import { GRAPH_ENDPOINT } from "../../azure-rest/client";
import { PLUGIN_RESOURCE_TYPE_TOKENS } from "../../common/type-tokens";
import { findPackagePlugin, missingPluginWarning } from "../../plugin/locate";
import { throwIfProblems } from "../../errors";
import { isPlainValue } from "../../inputs";
import type { EmergencyAccess } from "../component/corporate-device-access";
import {
  GRAPH_POLICY_COMPONENT,
  normaliseConditionalAccessPolicy,
  type GraphConditionSet,
  type GraphGrantControls,
  type GraphSessionControls,
  type NormalisedGraphConditionalAccessPolicy,
  type PlainGraphConditionalAccessPolicyArgs,
} from "./normalise";

/**
 * Args of the Graph-native ConditionalAccessPolicy: Graph's `conditionalAccessPolicy` shape
 * (`displayName`, `state`, `conditions`, `grantControls`, `sessionControls`, as the Graph API
 * names them), plus the package's safety and transport options. Properties Graph adds later can be
 * given as they are: they are carried to Graph unchanged.
 */
export interface ConditionalAccessPolicyArgs {
  /** The policy's name; unique among the tenant's Conditional Access policies (it is how the resource finds its policy). */
  displayName: pulumi.Input<string>;
  /** "enabledForReportingButNotEnforced" (report-only, the default; "reportOnly" is accepted), "enabled" or "disabled". Enabling a policy that blocks or requires controls of all users needs `emergencyAccess` (or excluded users or groups). */
  state?: pulumi.Input<string>;
  /** Graph `conditionalAccessConditionSet`: applications, users (or clientApplications), and any other condition. */
  conditions: pulumi.Input<GraphConditionSet>;
  /** Graph `conditionalAccessGrantControls`. */
  grantControls?: pulumi.Input<GraphGrantControls | null>;
  /** Graph `conditionalAccessSessionControls`. */
  sessionControls?: pulumi.Input<GraphSessionControls | null>;
  /** Break-glass accounts and groups, added to conditions.users.excludeUsers / excludeGroups. */
  emergencyAccess?: pulumi.Input<EmergencyAccess>;
  /** "v1.0" or "beta"; by default v1.0 unless the policy uses a beta-only property (BETA_ONLY_PROPERTIES). */
  apiVersion?: pulumi.Input<string>;
  /** Take over an existing policy with the same display name instead of refusing to create a second one (how an existing policy is adopted). Default false. */
  adoptExisting?: pulumi.Input<boolean>;
  /** Graph service root. Default https://graph.microsoft.com. */
  graphEndpoint?: pulumi.Input<string>;
  /** Per-attempt HTTP timeout in ms (default 60000). */
  httpTimeoutMs?: pulumi.Input<number>;
  /** Total time of one provider operation in ms (default 300000). */
  httpDeadlineMs?: pulumi.Input<number>;
}

function normaliseOrThrow(name: string, args: PlainGraphConditionalAccessPolicyArgs): NormalisedGraphConditionalAccessPolicy {
  const { value, problems } = normaliseConditionalAccessPolicy(args);
  throwIfProblems(GRAPH_POLICY_COMPONENT, name, problems);
  return value!;
}

/** How the policy is managed, not part of it: never sent to Graph as a policy property. */
type ManagementArgs = Pick<ConditionalAccessPolicyArgs, "adoptExisting" | "graphEndpoint" | "httpTimeoutMs" | "httpDeadlineMs">;

/** The policy's own args (Graph's properties, those Graph adds later included, emergencyAccess, apiVersion) apart from the management args. */
function splitArgs(args: ConditionalAccessPolicyArgs): { policyArgs: Omit<ConditionalAccessPolicyArgs, keyof ManagementArgs>; management: ManagementArgs } {
  const { adoptExisting, graphEndpoint, httpTimeoutMs, httpDeadlineMs, ...policyArgs } = args;
  return { policyArgs, management: { adoptExisting, graphEndpoint, httpTimeoutMs, httpDeadlineMs } };
}

let pluginChecked = false;

/** Pulumi's mocks, or a monitor built on them (the offline `plan` and `whatif` engine): no plugin runs. */
function isMockMonitor(monitor: object): boolean {
  for (let proto = Object.getPrototypeOf(monitor) as object | null; proto; proto = Object.getPrototypeOf(proto) as object | null) {
    if ((proto as { constructor?: { name?: string } }).constructor?.name === "MockMonitor") return true;
  }
  return false;
}

/**
 * Under the real engine (not Pulumi's mocks), warns once when the engine will not find the
 * package's plugin. Returns the warning's delivery, which the resource's registration waits for:
 * the engine stops the program as soon as it fails to load the plugin, and would drop a warning
 * still on its way.
 */
function warnIfPluginMissing(name: string): Promise<void> | undefined {
  if (pluginChecked) return undefined;
  pluginChecked = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const monitor = (require("@pulumi/pulumi/runtime/settings") as { getMonitor(): unknown }).getMonitor();
  if (!monitor || isMockMonitor(monitor as object)) return undefined;
  const warning = missingPluginWarning(GRAPH_POLICY_COMPONENT, name, findPackagePlugin(process.cwd(), process.env));
  return warning === undefined ? undefined : pulumi.log.warn(warning);
}

/**
 * A Conditional Access policy managed over Microsoft Graph
 * (`tenant-guardrails:conditionalaccess:ConditionalAccessPolicy`), for the policies
 * `@pulumi/azuread` cannot express (authentication context, workload identities without users,
 * token protection, risk remediation, agent identities, …). Validated at preview by
 * `normaliseConditionalAccessPolicy`; v1.0 unless the policy uses a beta-only property.
 * Permissions: `Policy.ReadWrite.ConditionalAccess` and `Policy.Read.All`.
 *
 * A custom resource served by the package's provider plugin, `pulumi-resource-tenant-guardrails`
 * (installed with the package; the project's Pulumi.yaml names where it is). So an existing policy
 * can be adopted with `pulumi import` or read with {@link ConditionalAccessPolicy.get}.
 */
export class ConditionalAccessPolicy extends pulumi.CustomResource {
  /** Graph id of the policy. */
  declare readonly policyId: pulumi.Output<string>;
  /** The API version the policy is written and read with. */
  declare readonly apiVersion: pulumi.Output<string>;
  /** The policy's display name. */
  declare readonly displayName: pulumi.Output<string>;
  /** Canonical stored policy as last read or written (what the diff compares with). */
  declare readonly observed: pulumi.Output<unknown>;

  /**
   * An existing policy by its Graph id, read without managing it. The plugin reads it from
   * `TENANT_GUARDRAILS_GRAPH_ENDPOINT` (default https://graph.microsoft.com) on Graph beta, so
   * that beta-only properties are seen.
   */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): ConditionalAccessPolicy {
    return new ConditionalAccessPolicy(name, undefined as unknown as ConditionalAccessPolicyArgs, { ...opts, id });
  }

  constructor(name: string, args: ConditionalAccessPolicyArgs, opts?: pulumi.CustomResourceOptions) {
    if (opts?.id !== undefined) {
      // A read of an existing policy (get): nothing to validate or send.
      super(PLUGIN_RESOURCE_TYPE_TOKENS.ConditionalAccessPolicy, name, { policyId: undefined, apiVersion: undefined, displayName: undefined, observed: undefined }, opts);
      return;
    }
    const warned = warnIfPluginMissing(name);
    // Plain args (the common case) are validated now, so a bad policy fails before anything is registered.
    const { policyArgs, management } = splitArgs(args);
    const normalised: pulumi.Output<NormalisedGraphConditionalAccessPolicy> = isPlainValue(policyArgs)
      ? (pulumi.output(normaliseOrThrow(name, policyArgs as unknown as PlainGraphConditionalAccessPolicyArgs)) as unknown as pulumi.Output<NormalisedGraphConditionalAccessPolicy>)
      : (pulumi.output(policyArgs) as unknown as pulumi.Output<PlainGraphConditionalAccessPolicyArgs>).apply((plain) => normaliseOrThrow(name, plain));
    normalised.apply((n) => {
      if (n.betaProperties.length > 0) pulumi.log.info(`${GRAPH_POLICY_COMPONENT} "${name}" uses Graph beta for ${n.betaProperties.join(", ")} (not in v1.0)`);
      if (n.unknownProperties.length > 0) pulumi.log.info(`${GRAPH_POLICY_COMPONENT} "${name}" carries properties this package does not know unchanged: ${n.unknownProperties.join(", ")}`);
    });
    super(
      PLUGIN_RESOURCE_TYPE_TOKENS.ConditionalAccessPolicy,
      name,
      {
        policyId: undefined,
        observed: undefined,
        graphEndpoint: management.graphEndpoint ?? GRAPH_ENDPOINT,
        displayName: warned ? pulumi.all([normalised.displayName, warned]).apply(([displayName]) => displayName) : normalised.displayName,
        policy: normalised.policy,
        apiVersion: normalised.apiVersion,
        adoptExisting: management.adoptExisting ?? false,
        // Evidence for the policy pack (the ids are in the payload's exclusions already).
        emergencyAccess: normalised.emergencyAccess,
        httpTimeoutMs: management.httpTimeoutMs,
        httpDeadlineMs: management.httpDeadlineMs,
      },
      opts,
    );
  }
}
