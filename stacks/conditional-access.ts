import * as pulumi from "@pulumi/pulumi";
import { CorporateDeviceAccess, type CorporateDeviceAccessArgs } from "../components";

/**
 * Config `tenant-guardrails:conditionalAccess`: the CorporateDeviceAccess args (see README), e.g.
 *   state: reportOnly | enabled
 *   applications: [Office365]
 *   allowedPlatforms: [windows]
 *   emergencyAccess: { groupIds: [<object id>] }
 */
export function declareConditionalAccess() {
  const config = new pulumi.Config();
  const args = config.getObject<CorporateDeviceAccessArgs>("conditionalAccess");
  if (!args) return undefined;
  const access = new CorporateDeviceAccess("corporate-devices", args);
  return { policyIds: access.policyIds, rule: access.rule, state: access.effectiveState };
}
