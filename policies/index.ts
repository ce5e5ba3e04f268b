// The policy pack server: only this. Tests and `tenant-guardrails plan` import ./policies instead
// (constructing a PolicyPack starts a gRPC server and exits the process on a second pack).
import { PolicyPack, type PolicyPackConfig } from "@pulumi/policy";
import { allPolicies } from "./policies";
import initialConfig from "./policy-config.json";

new PolicyPack(
  "tenant-guardrails",
  { policies: allPolicies, description: "Break-glass exclusions, prod enforcement, Qualys BYOL vs Arc, FIPS before BitLocker, DMARC reject in prod" },
  initialConfig as PolicyPackConfig,
);
