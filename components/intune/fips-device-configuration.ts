import * as pulumi from "@pulumi/pulumi";
import { throwIfProblems } from "../errors";
import { IntuneDeviceConfiguration } from "./graph-provider";
import {
  COMPONENT,
  FIPS_GPO_EQUIVALENT,
  FIPS_ON_REMOVE_EFFECT,
  bitLockerOmaSettings,
  fipsOmaSettings,
  normaliseFipsDeviceConfiguration,
  profileDescription,
  type FipsPlan,
  type GpoEquivalent,
  type PlainFipsArgs,
  type ResolvedBitLockerSettings,
  type BitLockerEncryptionMethod,
  type BitLockerRecoveryMode,
  type FipsOnRemove,
  type ForeignAssignments,
  type RecoveryPasswordRotation,
} from "./settings";
import { isPlainValue } from "../inputs";
import { COMPONENT_TYPE_TOKENS } from "../common/type-tokens";

/** Which devices receive the profiles. */
export interface FipsAssignmentArgs {
  /** Object ids of the Entra device groups that receive the profiles (at least one). */
  includeGroupIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Object ids of Entra groups excluded from the profiles. */
  excludeGroupIds?: pulumi.Input<pulumi.Input<string>[]>;
}

/** FIPS-compatible BitLocker settings; every field has a safe default. */
export interface FipsBitLockerArgs {
  /**
   * Devices that receive the BitLocker profile, when they differ from the FIPS profile's: e.g. a
   * group of devices that already report FIPS on. Default: the component's `assignment`.
   */
  assignment?: pulumi.Input<FipsAssignmentArgs>;
  /**
   * "recoveryPasswords" (default): FIPS-compliant 48-digit recovery passwords, required and escrowed
   * (Windows 8.1+). "recoveryKeysOnly": strict older guidance, recovery passwords disallowed.
   */
  recoveryMode?: pulumi.Input<BitLockerRecoveryMode>;
  /** OS drive: "aesCbc128", "aesCbc256", "xtsAes128" or "xtsAes256" (default). */
  osDriveEncryptionMethod?: pulumi.Input<BitLockerEncryptionMethod>;
  /** Fixed data drives: same values; default "xtsAes256". */
  fixedDriveEncryptionMethod?: pulumi.Input<BitLockerEncryptionMethod>;
  /** Removable drives: same values; default "aesCbc256" so drives stay readable on older Windows. */
  removableDriveEncryptionMethod?: pulumi.Input<BitLockerEncryptionMethod>;
  /** Require device encryption (RequireDeviceEncryption = 1). Default true. */
  requireDeviceEncryption?: pulumi.Input<boolean>;
  /**
   * Do not start encryption until recovery information is stored in the directory. Default true with
   * recovery passwords, false in strict mode (where true is refused: it generates a recovery password).
   */
  requireRecoveryInfoBackupBeforeEncryption?: pulumi.Input<boolean>;
  /** Rotate recovery passwords after use: "off" (default), "entraJoined" or "entraAndHybridJoined". Refused in strict mode. */
  recoveryPasswordRotation?: pulumi.Input<RecoveryPasswordRotation>;
}

/** Inputs of {@link FipsDeviceConfiguration}: the device groups, BitLocker, and what happens on removal. */
export interface FipsDeviceConfigurationArgs {
  /** Devices that receive the profiles. Required: a profile assigned to nobody is refused. */
  assignment: pulumi.Input<FipsAssignmentArgs>;
  /**
   * Declare the Intune FIPS profile (default true; must be a plain value, not an Output). Set false
   * only to use the GPO outputs alone; combined with `bitLocker` it is refused (BitLocker must
   * follow the FIPS policy).
   */
  fipsProfile?: pulumi.Input<boolean>;
  /**
   * What removing the FIPS profile (deleting the component, or fipsProfile false) does to the
   * devices. Required with the FIPS profile: Windows keeps FIPS mode on after the profile that set
   * it is removed ("Not configured" does not revert it). "disable": the profile is set to
   * AllowFipsAlgorithmPolicy = 0 (the write must succeed) and kept in Intune, still assigned, so
   * devices turn FIPS off at their next check-in; delete it in Intune once they report it.
   * "disableThenDelete": 0, then delete (devices that do not check in between stay in FIPS mode).
   * "leaveEnabled": delete the profile; devices stay in FIPS mode.
   */
  onRemove?: pulumi.Input<FipsOnRemove>;
  /** FIPS-compatible BitLocker profile, assigned only after the FIPS profile. Omit for no BitLocker profile. */
  bitLocker?: pulumi.Input<FipsBitLockerArgs>;
  /** Prefix of the profiles' display names in Intune. Default "tenant-guardrails". */
  displayNamePrefix?: pulumi.Input<string>;
  /**
   * Assignments found on a managed profile that this stack does not declare: "fail" (default; a
   * refreshed preview and the update stop and name them), "keep" (left in place) or "replace"
   * (removed: the stack takes ownership).
   */
  foreignAssignments?: pulumi.Input<ForeignAssignments>;
  /** Microsoft Graph service root. Default https://graph.microsoft.com. */
  graphEndpoint?: pulumi.Input<string>;
}

/**
 * Windows FIPS 140 mode through Intune (Policy CSP Cryptography/AllowFipsAlgorithmPolicy = 1) and,
 * optionally, a FIPS-compatible BitLocker profile assigned after it, plus the equivalent GPO setting
 * for devices managed by Group Policy.
 */
export class FipsDeviceConfiguration extends pulumi.ComponentResource {
  /** Graph id of the FIPS profile (undefined when fipsProfile is false). */
  public readonly fipsProfileId: pulumi.Output<string | undefined>;
  /** Graph id of the BitLocker profile (undefined without bitLocker). */
  public readonly bitLockerProfileId: pulumi.Output<string | undefined>;
  /** The same FIPS setting for GPO-managed devices: the GptTmpl.inf line and the registry value. */
  public readonly gpoEquivalent: pulumi.Output<GpoEquivalent>;
  /** The GptTmpl.inf line under [Registry Values] (shortcut of gpoEquivalent.gptTmplLine). */
  public readonly gptTmplLine: pulumi.Output<string>;
  /** What removing the FIPS profile does to the devices, in words (from onRemove; undefined without the FIPS profile). */
  public readonly removal: pulumi.Output<string | undefined>;

  constructor(name: string, args: FipsDeviceConfigurationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPONENT_TYPE_TOKENS.FipsDeviceConfiguration, name, args, opts);

    const plan = validateFipsDeviceConfigurationArgs(name, args);

    const marker = `${pulumi.getProject()}/${pulumi.getStack()}/${name}`;
    const common = {
      graphEndpoint: plan.graphEndpoint,
      includeGroupIds: plan.includeGroupIds,
      excludeGroupIds: plan.excludeGroupIds,
      foreignAssignments: plan.foreignAssignments,
    };

    let fips: IntuneDeviceConfiguration | undefined;
    if (args.fipsProfile !== false) {
      fips = new IntuneDeviceConfiguration(
        `${name}-fips`,
        {
          ...common,
          marker: `${marker}/fips`,
          displayName: pulumi.interpolate`${plan.displayNamePrefix} - Windows FIPS mode`,
          description: profileDescription(
            'Turns on "System cryptography: Use FIPS compliant algorithms for encryption, hashing, and signing" (AllowFipsAlgorithmPolicy = 1).',
            `${marker}/fips`,
          ),
          omaSettings: fipsOmaSettings(),
          onRemove: plan.onRemove.apply((r) => r as string),
        },
        { parent: this },
      );
    }

    let bitLocker: IntuneDeviceConfiguration | undefined;
    if (args.bitLocker !== undefined) {
      const settings = plan.apply((p) => p.bitLocker as ResolvedBitLockerSettings);
      bitLocker = new IntuneDeviceConfiguration(
        `${name}-bitlocker`,
        {
          ...common,
          includeGroupIds: settings.includeGroupIds,
          excludeGroupIds: settings.excludeGroupIds,
          marker: `${marker}/bitlocker`,
          displayName: pulumi.interpolate`${plan.displayNamePrefix} - BitLocker (FIPS-compatible)`,
          description: profileDescription(
            "FIPS-compatible BitLocker: encryption method per drive type and recovery options. Assigned after the FIPS profile.",
            `${marker}/bitlocker`,
          ),
          omaSettings: settings.apply(bitLockerOmaSettings),
        },
        // Created and assigned only once the FIPS profile exists and is assigned (one resource
        // covers a profile and its /assign call).
        { parent: this, dependsOn: fips ? [fips] : [] },
      );
    }

    this.fipsProfileId = fips ? fips.profileId.apply((id) => id as string | undefined) : pulumi.output<string | undefined>(undefined);
    this.bitLockerProfileId = bitLocker ? bitLocker.profileId.apply((id) => id as string | undefined) : pulumi.output<string | undefined>(undefined);
    this.gpoEquivalent = pulumi.output(FIPS_GPO_EQUIVALENT);
    this.gptTmplLine = pulumi.output(FIPS_GPO_EQUIVALENT.gptTmplLine);
    this.removal = fips ? plan.onRemove.apply((r) => (r ? FIPS_ON_REMOVE_EFFECT[r] : undefined)) : pulumi.output<string | undefined>(undefined);
    this.registerOutputs({
      removal: this.removal,
      fipsProfileId: this.fipsProfileId,
      bitLockerProfileId: this.bitLockerProfileId,
      gpoEquivalent: this.gpoEquivalent,
      gptTmplLine: this.gptTmplLine,
    });
  }
}

/**
 * Validate the args and apply defaults. Known values are validated now, so the constructor throws
 * at preview before any API call; values that are still Outputs (e.g. group ids from
 * azuread.Group) are validated as soon as they resolve, and the Output fails with the same
 * GuardrailInputError.
 */
export function validateFipsDeviceConfigurationArgs(name: string, args: FipsDeviceConfigurationArgs): pulumi.Output<FipsPlan> {
  // `fipsProfile` decides which resources exist, so it must be known when the program runs.
  if (!isPlainValue(args.fipsProfile)) {
    throwIfProblems(COMPONENT, name, [
      {
        field: "fipsProfile",
        value: "(an Output)",
        problem: "it decides which profiles exist, so it must be known when the program runs",
        fix: "pass a plain true or false (e.g. from stack config), not an Output",
      },
    ]);
  }
  const bitLockerDeclared = args.bitLocker !== undefined;
  const check = (plain: PlainArgsShape): FipsPlan => {
    const plan = planOrThrow(name, toPlain(plain));
    if (bitLockerDeclared && !plan.bitLocker) {
      throwIfProblems(COMPONENT, name, [
        { field: "bitLocker", value: plain.bitLocker, problem: "resolved to nothing", fix: "omit bitLocker, or give an object (`{}` for the defaults)" },
      ]);
    }
    return plan;
  };
  return isPlainValue(args) ? pulumi.output(check(args as PlainArgsShape)) : pulumi.output(args).apply((resolved) => check(resolved as PlainArgsShape));
}

type PlainArgsShape = {
  assignment?: { includeGroupIds?: string[]; excludeGroupIds?: string[] };
  fipsProfile?: boolean;
  onRemove?: string;
  bitLocker?: PlainFipsArgs["bitLocker"];
  displayNamePrefix?: string;
  foreignAssignments?: string;
  graphEndpoint?: string;
};

function toPlain(a: PlainArgsShape): PlainFipsArgs {
  return {
    fipsProfile: a.fipsProfile,
    onRemove: a.onRemove,
    displayNamePrefix: a.displayNamePrefix,
    includeGroupIds: a.assignment?.includeGroupIds,
    excludeGroupIds: a.assignment?.excludeGroupIds,
    bitLocker: a.bitLocker,
    foreignAssignments: a.foreignAssignments,
    graphEndpoint: a.graphEndpoint,
  };
}

function planOrThrow(name: string, plain: PlainFipsArgs): FipsPlan {
  const { value, problems } = normaliseFipsDeviceConfiguration(plain);
  throwIfProblems(COMPONENT, name, problems);
  return value as FipsPlan;
}

