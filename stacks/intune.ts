import * as pulumi from "@pulumi/pulumi";
import { FipsDeviceConfiguration, type FipsDeviceConfigurationArgs } from "../components";
import type { GuardrailsStackConfig } from "./config";

/**
 * Config `tenant-guardrails:intune`: the FipsDeviceConfiguration args (see README), e.g.
 *   assignment: { includeGroupIds: [<device group object id>], excludeGroupIds: [...] }
 *   bitLocker: { recoveryMode: recoveryPasswords }   # omit for the FIPS profile only
 *   foreignAssignments: fail | keep | replace
 *   onRemove: disable | disableThenDelete | leaveEnabled   # required: removing the profile does not turn FIPS off
 * The stack program passes the config `readStackConfig()` checked; called alone, it reads the key.
 */
export function declareIntune(stackConfig?: GuardrailsStackConfig) {
  const args = stackConfig ? stackConfig.intune : new pulumi.Config().getObject<FipsDeviceConfigurationArgs>("intune");
  if (!args) return undefined;
  const fips = new FipsDeviceConfiguration("windows-fips", args);
  return {
    fipsProfileId: fips.fipsProfileId,
    bitLockerProfileId: fips.bitLockerProfileId,
    gptTmplLine: fips.gptTmplLine,
    gpoEquivalent: fips.gpoEquivalent,
    removal: fips.removal,
  };
}
