// Entry point the Defender plan reset's serialized provider requires at run time
// (`tenant-guardrails/providers/pricing-reset`).
export { pricingResetProvider as provider } from "../defender/pricing-reset";
