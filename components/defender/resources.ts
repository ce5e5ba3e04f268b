/**
 * The two dynamic resources of the Defender component: the Qualys BYOL solution and the pricing
 * reset. Tokens: pulumi-nodejs:dynamic/defender:QualysByolSolution and .../defender:PricingReset.
 */
import * as pulumi from "@pulumi/pulumi";
import { forwardingProvider } from "../dynamic-provider";
import { DYNAMIC_RESOURCES } from "../common/type-tokens";

/** Inputs of the Qualys BYOL security solution resource. */
export interface QualysByolSolutionArgs {
  /** ARM endpoint, e.g. https://management.azure.com. */
  armEndpoint: pulumi.Input<string>;
  /** Subscription that holds the solution. */
  subscriptionId: pulumi.Input<string>;
  /** Resource group that contains the solution. */
  resourceGroupName: pulumi.Input<string>;
  /** Defender for Cloud home region of the subscription. */
  location: pulumi.Input<string>;
  /** Name of the solution. */
  solutionName: pulumi.Input<string>;
  /** Qualys license code; always stored as a secret. */
  licenseCode: pulumi.Input<string>;
  /** Qualys public key; always stored as a secret. */
  publicKey: pulumi.Input<string>;
  /** Whether the Qualys agent updates itself. */
  autoUpdate: pulumi.Input<boolean>;
  /** Azure VMs to link to the solution. */
  linkedVmIds: pulumi.Input<pulumi.Input<string>[]>;
}

/** A Qualys BYOL security solution in Defender for Cloud, with its linked Azure VMs. */
export class QualysByolSolution extends pulumi.dynamic.Resource {
  /** ARM id of the solution. */
  declare readonly solutionId: pulumi.Output<string>;
  /** Azure VMs linked to the solution. */
  declare readonly linkedVmIds: pulumi.Output<string[]>;
  /** Provisioning state reported by Defender for Cloud. */
  declare readonly provisioningState: pulumi.Output<string>;

  constructor(name: string, args: QualysByolSolutionArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      forwardingProvider("qualys-byol-solution"),
      name,
      { solutionId: undefined, provisioningState: undefined, ...args, licenseCode: pulumi.secret(args.licenseCode), publicKey: pulumi.secret(args.publicKey) },
      { ...opts, additionalSecretOutputs: ["licenseCode", "publicKey"] },
      DYNAMIC_RESOURCES.QualysByolSolution.module,
      DYNAMIC_RESOURCES.QualysByolSolution.type,
    );
  }
}

/** Inputs of the resource that puts the Defender for Servers plan back as it was when the component is removed. */
export interface PricingResetArgs {
  /** ARM endpoint, e.g. https://management.azure.com. */
  armEndpoint: pulumi.Input<string>;
  /** Subscription whose Defender for Servers plan returns to Free when this resource is deleted. */
  subscriptionId: pulumi.Input<string>;
}

/** Returns the subscription's Defender for Servers plan to Free when deleted; creating it makes no call. */
export class PricingReset extends pulumi.dynamic.Resource {
  constructor(name: string, args: PricingResetArgs, opts?: pulumi.CustomResourceOptions) {
    super(forwardingProvider("pricing-reset"), name, { ...args }, opts, DYNAMIC_RESOURCES.PricingReset.module, DYNAMIC_RESOURCES.PricingReset.type);
  }
}
