"""tenant-guardrails components from Python: the same components as examples/yaml-consumer."""
import pulumi
import pulumi_tenant_guardrails as guardrails

corporate_devices = guardrails.CorporateDeviceAccess(
    "corporateDevices",
    display_name="Office 365 from corporate devices",
    state="reportOnly",
    applications=["Office365"],
    trusted_trust_types=["ServerAD", "AzureAD"],
    allowed_platforms=["windows"],
    emergency_access={"group_ids": ["0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b01"]},
)

servers_va = guardrails.VulnerabilityAssessment(
    "serversVa",
    subscription_id="3b7e2c91-5d4a-4f8e-a1c6-0e9d8b7a6f51",
    provider=guardrails.VulnerabilityAssessmentProvider.BUILT_IN,
    built_in={
        "sub_plan": guardrails.DefenderServersSubPlan.P1,
        "assign_policy": True,
        "policy_assignment_location": "westeurope",
        "keep_plan_on_removal": True,
    },
)

mail = guardrails.EmailAuthentication(
    "mail",
    resource_group_name="rg-dns",
    dmarc_policy=guardrails.DmarcPolicy.QUARANTINE,
    domains=[{"domain": "contoso.com", "dmarc": {"aggregate_report_uris": ["mailto:dmarc@contoso.com"]}}],
)

pulumi.export("rule", corporate_devices.rule)
pulumi.export("decision", servers_va.decision)
pulumi.export("dmarcRecords", mail.dmarc_records)
