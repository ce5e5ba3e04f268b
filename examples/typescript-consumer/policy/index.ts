// Fabrikam's CrossGuard pack: the tenant-guardrails policies, served under Fabrikam's name.
// pulumi preview --policy-pack policy --policy-pack-config policy/policy-config.json
import { PolicyPack, type PolicyPackConfig } from "@pulumi/policy";
import { allPolicies } from "tenant-guardrails/policies";
import initialConfig from "./policy-config.json";

new PolicyPack("fabrikam-guardrails", { policies: allPolicies }, initialConfig as PolicyPackConfig);
