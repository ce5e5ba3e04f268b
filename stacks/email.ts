import * as pulumi from "@pulumi/pulumi";
import { EmailAuthentication, type EmailAuthenticationArgs } from "../components/email";
import type { GuardrailsStackConfig } from "./config";

/**
 * Config `tenant-guardrails:email`: the EmailAuthentication args (see README), e.g.
 *   resourceGroupName: rg-dns
 *   dmarcPolicy: none | quarantine | reject      # the stack's rollout stage
 *   domains: [{ domain: contoso.com, dmarc: { aggregateReportUris: [mailto:...] }, dkim: {...} }]
 *   inbound: { allowedSpoofPairs: [...], exchange: { appId, organization, certificateThumbprint } }
 * A .pfx password, if any, is the secret `tenant-guardrails:emailCertificatePassword`.
 * The stack program passes the config `readStackConfig()` checked; called alone, it reads the key.
 */
export function declareEmail(stackConfig?: GuardrailsStackConfig) {
  const config = new pulumi.Config();
  const email = stackConfig ? stackConfig.email : config.getObject<EmailAuthenticationArgs>("email");
  if (!email) return undefined;
  const password = config.getSecret("emailCertificatePassword");
  const args: EmailAuthenticationArgs =
    email.inbound && password !== undefined ? { ...email, inbound: { ...email.inbound, exchange: { ...email.inbound.exchange, certificatePassword: password } } } : email;
  const auth = new EmailAuthentication("email", args);
  return {
    dmarcRecords: auth.dmarcRecords,
    records: auth.records,
    externalReportAuthorizations: auth.externalReportAuthorizations,
    exchangeScript: auth.exchangeScript,
  };
}
