import * as pulumi from "@pulumi/pulumi";
import { CorporateDeviceAccess, type CorporateDeviceAccessArgs } from "../components";
import type { GuardrailsStackConfig } from "./config";

/**
 * Config `tenant-guardrails:conditionalAccess`: the CorporateDeviceAccess args (see README), e.g.
 *   state: reportOnly | enabled
 *   applications: [Office365]
 *   allowedPlatforms: [windows]
 *   emergencyAccess: { groupIds: [<object id>] }
 * The stack program passes the config `readStackConfig()` checked; called alone, it reads the key.
 */
export function declareConditionalAccess(stackConfig?: GuardrailsStackConfig) {
  const args = stackConfig ? stackConfig.conditionalAccess : new pulumi.Config().getObject<CorporateDeviceAccessArgs>("conditionalAccess");
  if (!args) return undefined;
  const access = new CorporateDeviceAccess("corporate-devices", args);
  return { policyIds: access.policyIds, rule: access.rule, state: access.effectiveState };
}
