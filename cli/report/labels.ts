/**
 * Human labels for the component inputs the plan report shows. A key is looked up with its array
 * indices removed (`domains[0].dkim.format` -> `domains[].dkim.format`); the label then numbers the
 * items from 1 ("Domain 1: DKIM record format"). Unknown keys are shown as they are.
 */
const LABELS: Record<string, string> = {
  // CorporateDeviceAccess
  displayName: "Policy display name",
  state: "Policy state",
  applications: "Applications",
  allowedPlatforms: "Allowed platforms",
  trustedTrustTypes: "Trusted join types",
  "emergencyAccess.groupIds": "Emergency access groups (excluded)",
  "emergencyAccess.userIds": "Emergency access users (excluded)",
  // FipsDeviceConfiguration
  "assignment.includeGroupIds": "Assigned device groups",
  fipsProfile: "FIPS mode profile",
  "bitLocker.osDriveEncryptionMethod": "BitLocker: OS drive encryption",
  "bitLocker.fixedDriveEncryptionMethod": "BitLocker: fixed drive encryption",
  "bitLocker.removableDriveEncryptionMethod": "BitLocker: removable drive encryption",
  "bitLocker.recoveryMode": "BitLocker: recovery mode",
  "bitLocker.recoveryPasswordRotation": "BitLocker: recovery password rotation",
  onRemove: "On removal",
  // EmailAuthentication
  dmarcPolicy: "DMARC policy (p=)",
  resourceGroupName: "Resource group",
  "domains[].domain": "Domain {1}: name",
  "domains[].parked": "Domain {1}: parked (sends no mail)",
  "domains[].additionalApexTxt": "Domain {1}: further apex TXT records",
  "domains[].dkim.format": "Domain {1}: DKIM record format",
  "domains[].dkim.initialDomainPrefix": "Domain {1}: DKIM initial domain prefix",
  "domains[].dmarc.aggregateReportUris": "Domain {1}: DMARC aggregate report addresses (rua)",
  "domains[].dmarc.policy": "Domain {1}: DMARC policy (p=)",
  "inbound.honorDmarcPolicy": "Inbound: honour senders' DMARC policy",
  "inbound.dmarcQuarantineAction": "Inbound: action on DMARC p=quarantine",
  "inbound.dmarcRejectAction": "Inbound: action on DMARC p=reject",
  "inbound.authenticationFailAction": "Inbound: action on failed authentication",
  "inbound.enableSpoofIntelligence": "Inbound: spoof intelligence",
  "inbound.allowedSpoofPairs[].spoofedUser": "Inbound: allowed spoof pair {1}: spoofed sender",
  "inbound.allowedSpoofPairs[].sendingInfrastructure": "Inbound: allowed spoof pair {1}: sending infrastructure",
  "inbound.allowedSpoofPairs[].spoofType": "Inbound: allowed spoof pair {1}: spoof type",
  "inbound.exchange.organization": "Inbound: Exchange Online organization",
  "inbound.exchange.appId": "Inbound: Exchange Online app id",
  "inbound.exchange.certificateThumbprint": "Inbound: Exchange Online certificate thumbprint",
  // VulnerabilityAssessment
  provider: "Scanner",
  subscriptionId: "Subscription",
  "machines[].id": "Machine {1}",
  "builtIn.subPlan": "Defender for Servers plan",
  "qualysByol.licenseCode": "Qualys: licence code",
  "qualysByol.publicKey": "Qualys: public key",
  "qualysByol.location": "Qualys: location",
  "qualysByol.resourceGroupName": "Qualys: resource group",
  "qualysByol.autoUpdate": "Qualys: automatic update",
  "subscriptionState.policyAssignments[].name": "Existing policy assignment {1}: name",
  "subscriptionState.policyAssignments[].policyDefinitionId": "Existing policy assignment {1}: definition",
  "subscriptionState.policyAssignments[].parameters.enableAscForServersVulnerabilityAssessments":
    "Existing policy assignment {1}: enableAscForServersVulnerabilityAssessments",
  "subscriptionState.policyAssignments[].parameters.enableTvmCheck": "Existing policy assignment {1}: enableTvmCheck",
};

/** The human label of an input key, or undefined when the key is not in the table. */
export function inputLabel(key: string): string | undefined {
  const indices: number[] = [];
  const pattern = key.replace(/\[(\d+)\]/g, (_, n: string) => {
    indices.push(Number(n));
    return "[]";
  });
  const label = LABELS[pattern];
  if (label === undefined) return undefined;
  return label.replace(/\{(\d)\}/g, (_, i: string) => String((indices[Number(i) - 1] ?? 0) + 1));
}
