// Intune: Windows FIPS 140 mode and FIPS-compatible BitLocker (public API of this area).
export {
  FipsDeviceConfiguration,
  validateFipsDeviceConfigurationArgs,
  type FipsDeviceConfigurationArgs,
  type FipsAssignmentArgs,
  type FipsBitLockerArgs,
} from "./fips-device-configuration";
export {
  BitLockerEncryptionMethod,
  BitLockerRecoveryMode,
  RecoveryPasswordRotation,
  ForeignAssignments,
  FipsOnRemove,
  FIPS_ON_REMOVE_EFFECT,
  FIPS_OMA_URI,
  FIPS_GPO_EQUIVALENT,
  normaliseFipsDeviceConfiguration,
  planFipsConfiguration,
  bitLockerOmaSettings,
  fipsOmaSettings,
  type GpoEquivalent,
  type OmaSettingSpec,
  type FipsPlan,
  type PlainFipsArgs,
  type PlainBitLockerSettings,
  type ResolvedBitLockerSettings,
} from "./settings";
export {
  IntuneDeviceConfiguration,
  deviceConfigurationProvider,
  type IntuneDeviceConfigurationArgs,
  type DeviceConfigurationInputs,
  type DeviceConfigurationOutputs,
} from "./graph-provider";
export type { ObservedProfile } from "./graph-shapes";
