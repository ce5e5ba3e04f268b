// Email authentication: DMARC/SPF/DKIM records and Exchange Online's inbound DMARC handling.
export * from "./dmarc";
export * from "./spf";
export * from "./dkim";
export * from "./inbound";
export * from "./exchange-script";
export * from "./records";
export * from "./plan";
export * from "./email-authentication";
export * from "./dmarc-reports";
export * from "./dmarc-readiness";
export * from "./dmarc-prediction";
