import * as pulumi from "@pulumi/pulumi";
import { GRAPH_ENDPOINT } from "../../azure-rest/client";
import { DYNAMIC_RESOURCES } from "../../common/type-tokens";
import { forwardingProvider } from "../../dynamic-provider";
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

function plainArgs(args: ConditionalAccessPolicyArgs): pulumi.Output<PlainGraphConditionalAccessPolicyArgs> {
  return pulumi.output({
    displayName: args.displayName,
    state: args.state,
    conditions: args.conditions,
    grantControls: args.grantControls,
    sessionControls: args.sessionControls,
    emergencyAccess: args.emergencyAccess,
    apiVersion: args.apiVersion,
  }) as unknown as pulumi.Output<PlainGraphConditionalAccessPolicyArgs>;
}

/**
 * A Conditional Access policy managed over Microsoft Graph (`pulumi-nodejs:dynamic/conditionalaccess:ConditionalAccessPolicy`),
 * for the policies `@pulumi/azuread` cannot express (authentication context, workload identities
 * without users, token protection, risk remediation, agent identities, …). Validated at preview
 * by `normaliseConditionalAccessPolicy`; v1.0 unless the policy uses a beta-only property.
 * Permissions: `Policy.ReadWrite.ConditionalAccess` and `Policy.Read.All`.
 */
export class ConditionalAccessPolicy extends pulumi.dynamic.Resource {
  /** Graph id of the policy. */
  declare readonly policyId: pulumi.Output<string>;
  /** The API version the policy is written and read with. */
  declare readonly apiVersion: pulumi.Output<string>;
  /** Canonical stored policy as last read or written (what the diff compares with). */
  declare readonly observed: pulumi.Output<unknown>;

  constructor(name: string, args: ConditionalAccessPolicyArgs, opts?: pulumi.CustomResourceOptions) {
    // Plain args (the common case) are validated now, so a bad policy fails before anything is registered.
    const normalised: pulumi.Output<NormalisedGraphConditionalAccessPolicy> = isPlainValue(args)
      ? (pulumi.output(normaliseOrThrow(name, args as unknown as PlainGraphConditionalAccessPolicyArgs)) as unknown as pulumi.Output<NormalisedGraphConditionalAccessPolicy>)
      : plainArgs(args).apply((plain) => normaliseOrThrow(name, plain));
    normalised.apply((n) => {
      if (n.betaProperties.length > 0) pulumi.log.info(`${GRAPH_POLICY_COMPONENT} "${name}" uses Graph beta for ${n.betaProperties.join(", ")} (not in v1.0)`);
      if (n.unknownProperties.length > 0) pulumi.log.info(`${GRAPH_POLICY_COMPONENT} "${name}" carries properties this package does not know unchanged: ${n.unknownProperties.join(", ")}`);
    });
    super(
      forwardingProvider("conditional-access-policy"),
      name,
      {
        policyId: undefined,
        observed: undefined,
        graphEndpoint: args.graphEndpoint ?? GRAPH_ENDPOINT,
        displayName: normalised.displayName,
        policy: normalised.policy,
        apiVersion: normalised.apiVersion,
        adoptExisting: args.adoptExisting ?? false,
        // Evidence for the policy pack (the ids are in the payload's exclusions already).
        emergencyAccess: normalised.emergencyAccess,
        httpTimeoutMs: args.httpTimeoutMs,
        httpDeadlineMs: args.httpDeadlineMs,
      },
      opts,
      DYNAMIC_RESOURCES.ConditionalAccessPolicy.module,
      DYNAMIC_RESOURCES.ConditionalAccessPolicy.type,
    );
  }
}
