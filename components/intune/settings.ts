/**
 * Pure core of the FIPS + BitLocker guardrail: the settings, their OMA-URI payloads, the GPO
 * equivalent and the validation of what a team declares. No Pulumi import: tested directly.
 *
 * Facts (CSP paths, dropdown values, GPO lines) come from the Policy CSP Cryptography page, the
 * BitLocker CSP page and the "System cryptography: Use FIPS compliant algorithms" policy page.
 */
import type { InputProblem } from "../errors";
import { ownershipTag } from "../common/ownership";
import type { Normalised } from "../common/normalised";
import { GUID } from "../common/ids";

export const COMPONENT = "FipsDeviceConfiguration";

// ---------------------------------------------------------------------------------------------
// FIPS policy

/** Policy CSP node that turns on "System cryptography: Use FIPS compliant algorithms". Windows 10 1607+. */
export const FIPS_OMA_URI = "./Device/Vendor/MSFT/Policy/Config/Cryptography/AllowFipsAlgorithmPolicy";
/** 1 = FIPS policy on (0, the default, is off). */
export const FIPS_ON = 1;
/** 0 = FIPS policy off: what a removal with onRemove "disable" assigns before anything else. */
export const FIPS_OFF = 0;

/**
 * What removing the FIPS profile does to the devices. Windows keeps FipsAlgorithmPolicy after the
 * Intune profile (or GPO) that set it is removed: deleting the profile alone leaves every device in
 * FIPS mode. The choice is required while the FIPS profile is declared.
 */
export const FipsOnRemove = {
  /** Delete the profile only: devices stay in FIPS mode (MDMEnabled = 1 remains on them). */
  LeaveEnabled: "leaveEnabled",
  /**
   * Turn FIPS off: the profile is first updated to AllowFipsAlgorithmPolicy = 0 (the write must
   * succeed and read back as 0), then kept in Intune, still assigned, so every device applies 0 at
   * its next check-in. Pulumi forgets it; delete it in Intune once devices report it applied
   * (declaring the component again adopts it and sets 1).
   */
  Disable: "disable",
  /**
   * Write 0 as with "disable", then delete the profile. Only devices that check in between the two
   * calls apply 0; the others stay in FIPS mode. For fleets known to have synced.
   */
  DisableThenDelete: "disableThenDelete",
} as const;
export type FipsOnRemove = (typeof FipsOnRemove)[keyof typeof FipsOnRemove];

/** What the plan and the profile description say each choice does. */
export const FIPS_ON_REMOVE_EFFECT: Record<FipsOnRemove, string> = {
  leaveEnabled: "on removal the profile is deleted and devices stay in FIPS mode (Windows keeps the value)",
  disable: "on removal the profile is set to AllowFipsAlgorithmPolicy = 0 and kept in Intune, assigned, so devices turn FIPS off at their next check-in; delete it in Intune once they report it",
  disableThenDelete: "on removal the profile is set to AllowFipsAlgorithmPolicy = 0, then deleted; devices that do not check in between stay in FIPS mode",
};

/** How a team applies the same setting to devices still managed by Group Policy. */
export interface GpoEquivalent {
  /** Name of the Group Policy setting (Security Settings > Local Policies > Security Options). */
  policyName: string;
  /** File inside the GPO that stores the setting (secedit security template, not Registry.pol). */
  gptTmplFile: string;
  /** Section of GptTmpl.inf that holds the line. */
  gptTmplSection: string;
  /** The GptTmpl.inf line (`4` = REG_DWORD, then the data). */
  gptTmplLine: string;
  /** Registry key the setting writes on the device. */
  registryKey: string;
  /** Registry value name. */
  registryValueName: string;
  /** Registry value type. */
  registryValueType: string;
  /** Registry value data (1 = FIPS policy on). */
  registryValueData: number;
  /** The value the GPO (security policy) writes: `HKLM\System\CurrentControlSet\Control\Lsa\FipsAlgorithmPolicy\Enabled`. */
  gpoRegistryValue: string;
  /** The value the MDM setting (Intune, Policy CSP) writes: `...\FipsAlgorithmPolicy\MDMEnabled`. */
  mdmRegistryValue: string;
  /** What a team should plan for when the setting lands. */
  note: string;
  /** Removing the GPO or the Intune profile does not turn FIPS off; how to. */
  removal: string;
}

/** The Group Policy setting the Intune FIPS profile is equivalent to. */
export const FIPS_GPO_EQUIVALENT: GpoEquivalent = {
  policyName: "System cryptography: Use FIPS compliant algorithms for encryption, hashing, and signing",
  gptTmplFile: "Machine\\Microsoft\\Windows NT\\SecEdit\\GptTmpl.inf (inside the GPO folder in SYSVOL)",
  gptTmplSection: "[Registry Values]",
  gptTmplLine: "MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\FIPSAlgorithmPolicy\\Enabled=4,1",
  registryKey: "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\FIPSAlgorithmPolicy",
  registryValueName: "Enabled",
  registryValueType: "REG_DWORD",
  registryValueData: 1,
  gpoRegistryValue: "HKLM\\System\\CurrentControlSet\\Control\\Lsa\\FipsAlgorithmPolicy\\Enabled",
  mdmRegistryValue: "HKLM\\System\\CurrentControlSet\\Control\\Lsa\\FipsAlgorithmPolicy\\MDMEnabled",
  note: "Applications read the flag when they start: plan a reboot. Apply it before BitLocker generates any key.",
  removal:
    "Removing the GPO (or setting it to Not Defined) or removing the Intune profile does not turn FIPS off: Windows keeps the Enabled (GPO) and MDMEnabled (MDM) values. " +
    "To turn it off, set the policy to Disabled (GptTmpl.inf line ...\\FIPSAlgorithmPolicy\\Enabled=4,0) and keep that GPO linked until devices applied it; for Intune, assign AllowFipsAlgorithmPolicy = 0 (FipsDeviceConfiguration onRemove: \"disable\").",
};

// ---------------------------------------------------------------------------------------------
// BitLocker

/** How BitLocker-protected drives can be recovered. */
export const BitLockerRecoveryMode = {
  /**
   * Default: FIPS-compliant 48-digit recovery passwords (supported in FIPS mode since Windows 8.1 /
   * Server 2012 R2), required and escrowed to Entra ID / AD DS before encryption starts.
   */
  RecoveryPasswords: "recoveryPasswords",
  /**
   * Strict, older guidance: 256-bit recovery keys only, recovery passwords disallowed. Loses
   * Intune/Entra escrow and rotation of recovery passwords; cannot require directory backup.
   */
  RecoveryKeysOnly: "recoveryKeysOnly",
} as const;
export type BitLockerRecoveryMode = (typeof BitLockerRecoveryMode)[keyof typeof BitLockerRecoveryMode];

/** BitLocker encryption methods and their CSP values (EncryptionMethodByDriveType). */
export const BitLockerEncryptionMethod = {
  AesCbc128: "aesCbc128",
  AesCbc256: "aesCbc256",
  XtsAes128: "xtsAes128",
  XtsAes256: "xtsAes256",
} as const;
export type BitLockerEncryptionMethod = (typeof BitLockerEncryptionMethod)[keyof typeof BitLockerEncryptionMethod];

const ENCRYPTION_METHOD_CSP_VALUE: Record<BitLockerEncryptionMethod, number> = {
  aesCbc128: 3,
  aesCbc256: 4,
  xtsAes128: 6,
  xtsAes256: 7,
};

/** Automatic rotation of recovery passwords after they are used (ConfigureRecoveryPasswordRotation, 1909+). */
export const RecoveryPasswordRotation = {
  Off: "off",
  EntraJoined: "entraJoined",
  EntraAndHybridJoined: "entraAndHybridJoined",
} as const;
export type RecoveryPasswordRotation = (typeof RecoveryPasswordRotation)[keyof typeof RecoveryPasswordRotation];

const ROTATION_CSP_VALUE: Record<RecoveryPasswordRotation, number> = { off: 0, entraJoined: 1, entraAndHybridJoined: 2 };

/** Plain (resolved) BitLocker settings as declared. */
export interface PlainBitLockerSettings {
  /** Groups for the BitLocker profile when they differ from the FIPS profile's (e.g. devices that already report FIPS on). */
  assignment?: { includeGroupIds?: string[]; excludeGroupIds?: string[] };
  recoveryMode?: string;
  osDriveEncryptionMethod?: string;
  fixedDriveEncryptionMethod?: string;
  removableDriveEncryptionMethod?: string;
  requireDeviceEncryption?: boolean;
  requireRecoveryInfoBackupBeforeEncryption?: boolean;
  recoveryPasswordRotation?: string;
}

/** BitLocker settings with every default applied. */
export interface ResolvedBitLockerSettings {
  includeGroupIds: string[];
  excludeGroupIds: string[];
  recoveryMode: BitLockerRecoveryMode;
  osDriveEncryptionMethod: BitLockerEncryptionMethod;
  fixedDriveEncryptionMethod: BitLockerEncryptionMethod;
  removableDriveEncryptionMethod: BitLockerEncryptionMethod;
  requireDeviceEncryption: boolean;
  requireRecoveryInfoBackupBeforeEncryption: boolean;
  recoveryPasswordRotation: RecoveryPasswordRotation;
}

/** Plain (resolved) component args, as the validation sees them. */
export interface PlainFipsArgs {
  fipsProfile?: boolean;
  onRemove?: string;
  displayNamePrefix?: string;
  includeGroupIds?: string[];
  excludeGroupIds?: string[];
  bitLocker?: PlainBitLockerSettings;
  foreignAssignments?: string;
  graphEndpoint?: string;
}

/** What the component declares once the args are valid. */
export interface FipsPlan {
  fipsProfile: boolean;
  /** Required with the FIPS profile; undefined without it. */
  onRemove: FipsOnRemove | undefined;
  displayNamePrefix: string;
  includeGroupIds: string[];
  excludeGroupIds: string[];
  bitLocker: ResolvedBitLockerSettings | undefined;
  foreignAssignments: ForeignAssignments;
  graphEndpoint: string;
}

/** What to do with assignments on a managed profile that the stack did not declare. */
export const ForeignAssignments = {
  /** Default: refuse to change the assignment set and name the foreign assignments. */
  Fail: "fail",
  /** Keep them: they are sent back with every /assign call and ignored by the diff. */
  Keep: "keep",
  /** Take ownership: the stack's assignments replace them. */
  Replace: "replace",
} as const;
export type ForeignAssignments = (typeof ForeignAssignments)[keyof typeof ForeignAssignments];

export const DEFAULT_GRAPH_ENDPOINT = "https://graph.microsoft.com";
export const DEFAULT_DISPLAY_NAME_PREFIX = "tenant-guardrails";


function oneOf<T extends string>(values: Record<string, T>): T[] {
  return Object.values(values);
}

function isOneOf<T extends string>(values: Record<string, T>, value: unknown): value is T {
  return typeof value === "string" && (oneOf(values) as string[]).includes(value);
}

/**
 * Validate the resolved args and apply defaults. Returns every problem found (never only the
 * first), and the normalised plan as `value` when there are none.
 */
export function normaliseFipsDeviceConfiguration(args: PlainFipsArgs): Normalised<FipsPlan> {
  const problems: InputProblem[] = [];
  const fipsProfile = args.fipsProfile ?? true;
  const includeGroupIds = args.includeGroupIds ?? [];
  const excludeGroupIds = args.excludeGroupIds ?? [];

  checkAssignment("assignment", args.includeGroupIds, excludeGroupIds, problems);

  // Removing the profile does not turn FIPS off on devices: the stack must say what removal does.
  const choices = oneOf(FipsOnRemove).map((v) => `"${v}"`).join(", ");
  if (args.onRemove === undefined && fipsProfile) {
    problems.push({
      field: "onRemove",
      value: undefined,
      problem:
        "required with the FIPS profile: Windows keeps FIPS mode on after the profile that set it is removed, so removing the component (or the profile) would leave every device in FIPS mode unless the stack says otherwise",
      fix: 'set onRemove: "disable" (removal assigns AllowFipsAlgorithmPolicy = 0 and keeps that profile, assigned, until you delete it in Intune), "disableThenDelete" (assigns 0, then deletes it: devices that do not check in between stay in FIPS mode) or "leaveEnabled" (removal deletes the profile, devices stay in FIPS mode)',
    });
  } else if (args.onRemove !== undefined && !isOneOf(FipsOnRemove, args.onRemove)) {
    problems.push({ field: "onRemove", value: args.onRemove, problem: "unknown removal behaviour", fix: `use one of ${choices}` });
  }

  const foreignAssignments = args.foreignAssignments ?? ForeignAssignments.Fail;
  if (!isOneOf(ForeignAssignments, foreignAssignments)) {
    problems.push({
      field: "foreignAssignments",
      value: args.foreignAssignments,
      problem: "unknown policy for assignments the stack does not own",
      fix: `use one of ${oneOf(ForeignAssignments).map((v) => `"${v}"`).join(", ")}`,
    });
  }

  const graphEndpoint = (args.graphEndpoint ?? DEFAULT_GRAPH_ENDPOINT).replace(/\/+$/, "");
  if (!/^https:\/\/[^/]+$/.test(graphEndpoint) && !/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(graphEndpoint)) {
    problems.push({
      field: "graphEndpoint",
      value: args.graphEndpoint,
      problem: "not an https service root (plain http is accepted for loopback test servers only)",
      fix: "use https://graph.microsoft.com or your national cloud's Graph root, without a path",
    });
  }

  const displayNamePrefix = args.displayNamePrefix ?? DEFAULT_DISPLAY_NAME_PREFIX;
  if (displayNamePrefix.trim() === "") {
    problems.push({ field: "displayNamePrefix", value: displayNamePrefix, problem: "empty", fix: "omit it or give a non-empty prefix" });
  }

  let bitLocker: ResolvedBitLockerSettings | undefined;
  if (args.bitLocker) {
    if (!fipsProfile) {
      problems.push({
        field: "bitLocker",
        value: "set while fipsProfile = false",
        problem:
          "a BitLocker profile without the FIPS profile in the same component: nothing orders the FIPS policy before BitLocker generates keys, and keys made before FIPS mode stay as they are",
        fix: "set fipsProfile: true (the default) so the BitLocker profile is assigned after the FIPS profile, or remove bitLocker",
      });
    }
    bitLocker = resolveBitLocker(args.bitLocker, { includeGroupIds: args.includeGroupIds ?? [], excludeGroupIds: excludeGroupIds }, problems);
  }

  if (problems.length > 0) return { problems };
  return {
    problems,
    value: {
      fipsProfile,
      onRemove: args.onRemove as FipsOnRemove | undefined,
      displayNamePrefix,
      includeGroupIds,
      excludeGroupIds,
      bitLocker,
      foreignAssignments: foreignAssignments as ForeignAssignments,
      graphEndpoint,
    },
  };
}

/**
 * @deprecated use normaliseFipsDeviceConfiguration, which returns the same plan as `value`.
 * Kept for one minor version: same problems, the plan as `plan`.
 */
export function planFipsConfiguration(args: PlainFipsArgs): { plan?: FipsPlan; problems: InputProblem[] } {
  const { value, problems } = normaliseFipsDeviceConfiguration(args);
  return value ? { plan: value, problems } : { problems };
}

/** Problems of one assignment (`<prefix>.includeGroupIds` / `<prefix>.excludeGroupIds`). */
function checkAssignment(prefix: string, include: string[] | undefined, exclude: string[], problems: InputProblem[]): void {
  if (!include || include.length === 0) {
    problems.push({
      field: `${prefix}.includeGroupIds`,
      value: include,
      problem: "no assignment target: a profile assigned to nobody reaches no device",
      fix: "give the object id of at least one Entra device group (e.g. a pilot group first)",
    });
  }
  for (const [field, ids] of [[`${prefix}.includeGroupIds`, include ?? []], [`${prefix}.excludeGroupIds`, exclude]] as const) {
    ids.forEach((id, i) => {
      if (typeof id !== "string" || !GUID.test(id)) {
        problems.push({
          field: `${field}[${i}]`,
          value: id,
          problem: "not an Entra group object id (a GUID); Graph rejects the assignment",
          fix: "use the group's object id, e.g. azuread.Group.objectId, not its display name",
        });
      }
    });
  }
  const included = new Set((include ?? []).map((id) => String(id).toLowerCase()));
  for (const id of exclude) {
    if (included.has(String(id).toLowerCase())) {
      problems.push({
        field: `${prefix}.excludeGroupIds`,
        value: id,
        problem: "the group is both included and excluded (Intune lets the exclusion win, so the include does nothing)",
        fix: "remove the group from one of the two lists",
      });
    }
  }
}

function resolveBitLocker(
  b: PlainBitLockerSettings,
  fipsAssignment: { includeGroupIds: string[]; excludeGroupIds: string[] },
  problems: InputProblem[],
): ResolvedBitLockerSettings {
  let assignment = fipsAssignment;
  if (b.assignment) {
    const exclude = b.assignment.excludeGroupIds ?? [];
    checkAssignment("bitLocker.assignment", b.assignment.includeGroupIds, exclude, problems);
    assignment = { includeGroupIds: b.assignment.includeGroupIds ?? [], excludeGroupIds: exclude };
  }
  const recoveryMode = b.recoveryMode ?? BitLockerRecoveryMode.RecoveryPasswords;
  if (!isOneOf(BitLockerRecoveryMode, recoveryMode)) {
    problems.push({
      field: "bitLocker.recoveryMode",
      value: b.recoveryMode,
      problem: "unknown recovery mode",
      fix: `use "${BitLockerRecoveryMode.RecoveryPasswords}" (default, FIPS-compliant since Windows 8.1) or "${BitLockerRecoveryMode.RecoveryKeysOnly}" (strict)`,
    });
  }
  const methods = {
    osDriveEncryptionMethod: b.osDriveEncryptionMethod ?? BitLockerEncryptionMethod.XtsAes256,
    fixedDriveEncryptionMethod: b.fixedDriveEncryptionMethod ?? BitLockerEncryptionMethod.XtsAes256,
    // Removable drives travel to other machines: AES-CBC keeps them readable where XTS is not
    // supported (before Windows 10 1511), as in Microsoft's CSP example.
    removableDriveEncryptionMethod: b.removableDriveEncryptionMethod ?? BitLockerEncryptionMethod.AesCbc256,
  };
  for (const [key, value] of Object.entries(methods)) {
    if (!isOneOf(BitLockerEncryptionMethod, value)) {
      problems.push({
        field: `bitLocker.${key}`,
        value,
        problem: "unknown encryption method",
        fix: `use one of ${oneOf(BitLockerEncryptionMethod).map((v) => `"${v}"`).join(", ")} (case-sensitive)`,
      });
    }
  }
  const strict = recoveryMode === BitLockerRecoveryMode.RecoveryKeysOnly;
  const requireBackup = b.requireRecoveryInfoBackupBeforeEncryption ?? !strict;
  if (strict && b.requireRecoveryInfoBackupBeforeEncryption === true) {
    problems.push({
      field: "bitLocker.requireRecoveryInfoBackupBeforeEncryption",
      value: true,
      problem:
        'recoveryMode "recoveryKeysOnly" disallows recovery passwords, but requiring directory backup before encryption makes Windows generate a recovery password',
      fix: 'drop requireRecoveryInfoBackupBeforeEncryption (or set it false), or use recoveryMode "recoveryPasswords" (FIPS-compliant since Windows 8.1)',
    });
  }
  const rotation = b.recoveryPasswordRotation ?? RecoveryPasswordRotation.Off;
  if (!isOneOf(RecoveryPasswordRotation, rotation)) {
    problems.push({
      field: "bitLocker.recoveryPasswordRotation",
      value: b.recoveryPasswordRotation,
      problem: "unknown rotation setting",
      fix: `use one of ${oneOf(RecoveryPasswordRotation).map((v) => `"${v}"`).join(", ")}`,
    });
  } else if (strict && rotation !== RecoveryPasswordRotation.Off) {
    problems.push({
      field: "bitLocker.recoveryPasswordRotation",
      value: rotation,
      problem: 'recoveryMode "recoveryKeysOnly" disallows recovery passwords, but rotation needs recovery passwords backed up to the directory',
      fix: 'set recoveryPasswordRotation "off", or use recoveryMode "recoveryPasswords"',
    });
  } else if (!strict && rotation !== RecoveryPasswordRotation.Off && !requireBackup) {
    problems.push({
      field: "bitLocker.recoveryPasswordRotation",
      value: rotation,
      problem: "rotation needs recovery passwords to be backed up to the directory before encryption",
      fix: "leave requireRecoveryInfoBackupBeforeEncryption at its default (true), or set rotation \"off\"",
    });
  }
  return {
    ...assignment,
    recoveryMode: recoveryMode as BitLockerRecoveryMode,
    osDriveEncryptionMethod: methods.osDriveEncryptionMethod as BitLockerEncryptionMethod,
    fixedDriveEncryptionMethod: methods.fixedDriveEncryptionMethod as BitLockerEncryptionMethod,
    removableDriveEncryptionMethod: methods.removableDriveEncryptionMethod as BitLockerEncryptionMethod,
    requireDeviceEncryption: b.requireDeviceEncryption ?? true,
    requireRecoveryInfoBackupBeforeEncryption: requireBackup,
    recoveryPasswordRotation: rotation as RecoveryPasswordRotation,
  };
}

// ---------------------------------------------------------------------------------------------
// OMA-URI settings (the plain form the Graph provider turns into Graph payloads)

/** One OMA-URI setting of a Windows custom configuration profile. */
export interface OmaSettingSpec {
  /** "integer" or "string" (ADMX-backed BitLocker nodes are strings). */
  kind: "integer" | "string";
  displayName: string;
  omaUri: string;
  /** The value as text; integers are parsed when the payload is built. */
  value: string;
}

/** The FIPS profile's one setting: 1 turns FIPS mode on; 0 (a removal with onRemove "disable") turns it off. */
export function fipsOmaSettings(value: typeof FIPS_ON | typeof FIPS_OFF = FIPS_ON): OmaSettingSpec[] {
  return [{ kind: "integer", displayName: "AllowFipsAlgorithmPolicy", omaUri: FIPS_OMA_URI, value: String(value) }];
}

/** Whether the settings are the FIPS profile's (AllowFipsAlgorithmPolicy, any value). */
export function isFipsProfile(settings: readonly OmaSettingSpec[] | undefined): boolean {
  return (settings ?? []).some((s) => s.omaUri.toLowerCase() === FIPS_OMA_URI.toLowerCase());
}

const BITLOCKER = "./Device/Vendor/MSFT/BitLocker";

/** ADMX-backed CSP value: `<enabled/>` followed by `<data id=".." value=".."/>` entries. */
export function admxEnabled(data: [string, string | number | boolean][]): string {
  return "<enabled/>" + data.map(([id, value]) => `<data id="${id}" value="${String(value)}"/>`).join("");
}

/** Recovery dropdown values: 0 = Disallowed, 1 = Required, 2 = Allowed. */
const DISALLOWED = 0;
const REQUIRED = 1;
const ALLOWED = 2;

function recoveryOptions(prefix: "OS" | "FDV", b: ResolvedBitLockerSettings): string {
  const strict = b.recoveryMode === BitLockerRecoveryMode.RecoveryKeysOnly;
  return admxEnabled([
    [`${prefix}AllowDRA_Name`, true],
    [`${prefix}RecoveryPasswordUsageDropDown_Name`, strict ? DISALLOWED : REQUIRED],
    [`${prefix}RecoveryKeyUsageDropDown_Name`, strict ? REQUIRED : ALLOWED],
    [`${prefix}HideRecoveryPage_Name`, false],
    [`${prefix}ActiveDirectoryBackup_Name`, true],
    // 1 = recovery passwords and key packages
    [`${prefix}ActiveDirectoryBackupDropDown_Name`, 1],
    [`${prefix}RequireActiveDirectoryBackup_Name`, b.requireRecoveryInfoBackupBeforeEncryption],
  ]);
}

/**
 * The BitLocker profile's OMA-URI settings. All nodes go in one profile because the CSP wants
 * them delivered together; the three drive-type encryption values are mandatory (status 500 otherwise).
 */
export function bitLockerOmaSettings(b: ResolvedBitLockerSettings): OmaSettingSpec[] {
  const settings: OmaSettingSpec[] = [
    {
      kind: "string",
      displayName: "EncryptionMethodByDriveType",
      omaUri: `${BITLOCKER}/EncryptionMethodByDriveType`,
      value: admxEnabled([
        ["EncryptionMethodWithXtsOsDropDown_Name", ENCRYPTION_METHOD_CSP_VALUE[b.osDriveEncryptionMethod]],
        ["EncryptionMethodWithXtsFdvDropDown_Name", ENCRYPTION_METHOD_CSP_VALUE[b.fixedDriveEncryptionMethod]],
        ["EncryptionMethodWithXtsRdvDropDown_Name", ENCRYPTION_METHOD_CSP_VALUE[b.removableDriveEncryptionMethod]],
      ]),
    },
    { kind: "string", displayName: "SystemDrivesRecoveryOptions", omaUri: `${BITLOCKER}/SystemDrivesRecoveryOptions`, value: recoveryOptions("OS", b) },
    { kind: "string", displayName: "FixedDrivesRecoveryOptions", omaUri: `${BITLOCKER}/FixedDrivesRecoveryOptions`, value: recoveryOptions("FDV", b) },
    { kind: "integer", displayName: "RequireDeviceEncryption", omaUri: `${BITLOCKER}/RequireDeviceEncryption`, value: b.requireDeviceEncryption ? "1" : "0" },
  ];
  if (b.recoveryPasswordRotation !== RecoveryPasswordRotation.Off) {
    settings.push({
      kind: "integer",
      displayName: "ConfigureRecoveryPasswordRotation",
      omaUri: `${BITLOCKER}/ConfigureRecoveryPasswordRotation`,
      value: String(ROTATION_CSP_VALUE[b.recoveryPasswordRotation]),
    });
  }
  return settings;
}

/** Description shown in the Intune portal, ending with the marker the provider finds the profile by. */
export function profileDescription(purpose: string, marker: string): string {
  return `${purpose}\nManaged by tenant-guardrails (Pulumi); edits in the portal are reverted on the next update.\n${markerTag(marker)}`;
}

/** The stable marker tag embedded in the description: `[tenant-guardrails:<marker>]`. */
export function markerTag(marker: string): string {
  return ownershipTag(marker);
}
