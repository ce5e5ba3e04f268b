// The policy pack server: only this. Tests and `tenant-guardrails plan` import ./policies instead
// (constructing a PolicyPack starts a gRPC server and exits the process on a second pack).
import { PolicyPack, type PolicyPackConfig } from "@pulumi/policy";
import { allPolicies, initialPackConfig } from "./policies";
import initialConfig from "./policy-config.json";

new PolicyPack(
  "tenant-guardrails",
  { policies: allPolicies, description: "Break-glass exclusions, prod enforcement, Qualys BYOL vs Arc, FIPS before BitLocker, DMARC reject in prod" },
  // Each entry carries its policy's level: without one, the CLI would read it as "advisory".
  initialPackConfig(initialConfig as PolicyPackConfig),
);
