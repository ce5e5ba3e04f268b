import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPE_TOKENS } from "../../common/type-tokens";
import * as azuread from "@pulumi/azuread";
import { throwIfProblems, GuardrailInputError } from "../../errors";
import {
  COMPONENT,
  buildCorporateDevicePolicies,
  normaliseCorporateDeviceAccess,
  type NormalisedCorporateDeviceAccess,
  type PlainCorporateDeviceAccessArgs,
} from "./corporate-device-policy";
import { isPlainValue } from "../../inputs";
import { deprecationWarning } from "../../common/deprecation";

/** Users the policies target and exclude (Entra object ids, or "All"). */
export interface CorporateDeviceAccessUsers {
  /** Users to target: object ids, "All" (the default when no group or role is given) or "GuestsOrExternalUsers". */
  includeUsers?: pulumi.Input<pulumi.Input<string>[]>;
  /** Groups to target (object ids). */
  includeGroupIds?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Deprecated: use includeGroupIds (the same value). Still accepted, with a warning, until the next minor version.
   * @deprecated use includeGroupIds
   */
  includeGroups?: pulumi.Input<pulumi.Input<string>[]>;
  /** Directory roles to target (role template ids). */
  includeRoles?: pulumi.Input<pulumi.Input<string>[]>;
  /** Users to exclude (object ids). */
  excludeUsers?: pulumi.Input<pulumi.Input<string>[]>;
  /** Groups to exclude (object ids). */
  excludeGroupIds?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Deprecated: use excludeGroupIds (the same value). Still accepted, with a warning, until the next minor version.
   * @deprecated use excludeGroupIds
   */
  excludeGroups?: pulumi.Input<pulumi.Input<string>[]>;
  /** Directory roles to exclude (role template ids). */
  excludeRoles?: pulumi.Input<pulumi.Input<string>[]>;
}

/** Emergency-access (break-glass) accounts and groups, excluded from every policy. */
export interface EmergencyAccess {
  /** Object ids of break-glass user accounts (cloud-only, on the *.onmicrosoft.com domain). */
  userIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** Object ids of a group holding the break-glass accounts. */
  groupIds?: pulumi.Input<pulumi.Input<string>[]>;
}

/** The deprecated device-state condition; accepted only to refuse it with guidance. */
export interface LegacyDeviceStates {
  /** Legacy includeDeviceStates values (e.g. "All"). */
  include?: pulumi.Input<pulumi.Input<string>[]>;
  /** Legacy excludeDeviceStates values (e.g. "Compliant", "DomainJoined"). */
  exclude?: pulumi.Input<pulumi.Input<string>[]>;
}

/** Inputs of {@link CorporateDeviceAccess}: which apps, which devices count as corporate, who is exempt, and the rollout state. */
export interface CorporateDeviceAccessArgs {
  /** Prefix of the policies' display names (`<prefix>: block devices not ... joined`). Default "Corporate devices only". */
  displayNamePrefix?: pulumi.Input<string>;
  /**
   * Deprecated: use displayNamePrefix (the same value). Still accepted, with a warning, until the next minor version.
   * @deprecated use displayNamePrefix
   */
  displayName?: pulumi.Input<string>;
  /**
   * "reportOnly" (default), "enabled" or "disabled" (case-insensitive; the provider's
   * "enabledForReportingButNotEnforced" is accepted too). Enabling requires `emergencyAccess`.
   */
  state?: pulumi.Input<string>;
  /** Device trust types that count as corporate: "AzureAD" (Entra joined), "ServerAD" (hybrid joined), "Workplace" (registered). Default AzureAD + ServerAD. */
  trustedTrustTypes?: pulumi.Input<pulumi.Input<string>[]>;
  /** Target cloud apps: "All" (default), "Office365", "MicrosoftAdminPortals" or application ids. */
  applications?: pulumi.Input<pulumi.Input<string>[]>;
  /** Cloud apps to leave out (application ids). */
  excludedApplications?: pulumi.Input<pulumi.Input<string>[]>;
  /** Users, groups and roles in scope. Default: all users. */
  users?: pulumi.Input<CorporateDeviceAccessUsers>;
  /** Break-glass accounts or group excluded from every policy; required to enable. */
  emergencyAccess?: pulumi.Input<EmergencyAccess>;
  /** Platforms allowed at all (e.g. ["windows"]); other platforms get `otherDevicesAction`. Omit to allow any platform. */
  allowedPlatforms?: pulumi.Input<pulumi.Input<string>[]>;
  /** Client app types in scope. Default ["all"]. */
  clientAppTypes?: pulumi.Input<pulumi.Input<string>[]>;
  /** What non-corporate devices get: "block" (default) or "mfa". */
  otherDevicesAction?: pulumi.Input<string>;
  /** Deprecated device-state condition: refused (Graph error 1088); use trustedTrustTypes. */
  deviceStates?: pulumi.Input<LegacyDeviceStates>;
}

/**
 * Access limited to corporate devices through a device filter on `device.trustType`, with no
 * Intune compliance needed: one policy acts on every device that is not Entra- or hybrid-joined
 * (unregistered devices included), and optionally one on platforms other than the allowed ones.
 */
export class CorporateDeviceAccess extends pulumi.ComponentResource {
  /** Ids of the Conditional Access policies (Graph object ids). */
  public readonly policyIds: pulumi.Output<string[]>;
  /** The canonical device filter rule of the trust-type policy. */
  public readonly rule: pulumi.Output<string>;
  /** The state the policies are declared with: enabled, disabled or enabledForReportingButNotEnforced. */
  public readonly effectiveState: pulumi.Output<string>;

  constructor(name: string, args: CorporateDeviceAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPONENT_TYPE_TOKENS.CorporateDeviceAccess, name, args, opts);

    // Validate synchronously when every input is a plain value (the common, config-driven case),
    // so the error surfaces at preview before anything is registered.
    const plain = isPlainValue(args) ? normaliseOrThrow(this, name, args as PlainCorporateDeviceAccessArgs) : undefined;
    const normalised: pulumi.Output<NormalisedCorporateDeviceAccess> = plain
      ? pulumi.output(plain)
      : pulumi.output(args).apply((resolved) => normaliseOrThrow(this, name, resolved as unknown as PlainCorporateDeviceAccessArgs));

    const keys = args.allowedPlatforms === undefined ? ["untrusted-devices"] : ["untrusted-devices", "other-platforms"];
    const policies = keys.map((key) => {
      const policyArgs = normalised.apply((n) => {
        const built = buildCorporateDevicePolicies(n).find((p) => p.key === key);
        if (!built) throw new GuardrailInputError(COMPONENT, name, [{ field: "allowedPlatforms", value: undefined, problem: "resolved to nothing", fix: "give a list of platforms" }]);
        return built.args;
      });
      return new azuread.ConditionalAccessPolicy(
        `${name}-${key}`,
        {
          displayName: policyArgs.displayName,
          state: policyArgs.state,
          conditions: policyArgs.conditions,
          grantControls: policyArgs.grantControls,
        },
        { parent: this },
      );
    });

    this.policyIds = pulumi.all(policies.map((p) => p.id));
    this.rule = normalised.rule;
    this.effectiveState = normalised.state;
    this.registerOutputs({ policyIds: this.policyIds, rule: this.rule, effectiveState: this.effectiveState });
  }
}

/** Validate (throwing every problem at once), and warn about each deprecated arg name the args use. */
function normaliseOrThrow(resource: pulumi.Resource, name: string, args: PlainCorporateDeviceAccessArgs): NormalisedCorporateDeviceAccess {
  const { value, problems, deprecations } = normaliseCorporateDeviceAccess(args);
  for (const d of deprecations) void pulumi.log.warn(deprecationWarning(COMPONENT, name, d), resource);
  throwIfProblems(COMPONENT, name, problems);
  return value!;
}

