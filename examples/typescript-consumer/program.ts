// Fabrikam's guardrails: the four tenant-guardrails components with Fabrikam's own ids.
import * as pulumi from "@pulumi/pulumi";
import { CorporateDeviceAccess, EmailAuthentication, FipsDeviceConfiguration, VulnerabilityAssessment } from "tenant-guardrails";

export function guardrails() {
  const config = new pulumi.Config();
  const breakGlassGroupId = config.require("breakGlassGroupId");
  const subscriptionId = config.require("subscriptionId");

  const access = new CorporateDeviceAccess("fabrikam-corporate-devices", {
    displayNamePrefix: "Fabrikam: Office 365 from corporate Windows devices",
    state: config.get("caState") ?? "reportOnly",
    applications: ["Office365"],
    trustedTrustTypes: ["AzureAD", "ServerAD"],
    allowedPlatforms: ["windows"],
    emergencyAccess: { groupIds: [breakGlassGroupId] },
  });

  const fips = new FipsDeviceConfiguration("fabrikam-fips", {
    displayNamePrefix: "Fabrikam",
    assignment: { includeGroupIds: [config.require("corporateWindowsGroupId")] },
    // Required with the FIPS profile: Windows keeps FIPS mode on after the profile is removed, so
    // removal assigns AllowFipsAlgorithmPolicy = 0 and keeps that profile until it is deleted in Intune.
    onRemove: "disable",
    bitLocker: {
      recoveryMode: "recoveryPasswords",
      osDriveEncryptionMethod: "xtsAes256",
      fixedDriveEncryptionMethod: "xtsAes256",
      removableDriveEncryptionMethod: "aesCbc256",
      recoveryPasswordRotation: "entraAndHybridJoined",
    },
  });

  const va = new VulnerabilityAssessment("fabrikam-va", {
    subscriptionId,
    provider: "qualysByol",
    qualysByol: {
      resourceGroupName: "rg-fabrikam-security",
      location: "northeurope",
      autoUpdate: true,
      licenseCode: config.requireSecret("qualysLicenseCode"),
      publicKey: config.requireSecret("qualysPublicKey"),
    },
    machines: [
      { id: `/subscriptions/${subscriptionId}/resourceGroups/rg-fabrikam-erp/providers/Microsoft.Compute/virtualMachines/vm-erp-01` },
      { id: `/subscriptions/${subscriptionId}/resourceGroups/rg-fabrikam-erp/providers/Microsoft.Compute/virtualMachines/vm-erp-02` },
    ],
  });

  const email = new EmailAuthentication("fabrikam-email", {
    resourceGroupName: "rg-fabrikam-dns",
    dmarcPolicy: (config.get("dmarcPolicy") ?? "reject") as "none" | "quarantine" | "reject",
    domains: [
      {
        domain: "fabrikam.example",
        dmarc: { aggregateReportUris: ["mailto:dmarc@fabrikam.example"] },
        dkim: { format: "current", initialDomainPrefix: "fabrikam", partition: "y" },
      },
    ],
  });

  return {
    policyIds: access.policyIds,
    fipsProfileId: fips.fipsProfileId,
    bitLockerProfileId: fips.bitLockerProfileId,
    vulnerabilityAssessment: va.provider,
    dmarcRecords: email.dmarcRecords,
  };
}
