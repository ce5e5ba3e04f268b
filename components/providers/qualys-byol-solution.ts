// Entry point the Qualys BYOL solution's serialized provider requires at run time
// (`tenant-guardrails/providers/qualys-byol-solution`).
export { qualysByolProvider as provider } from "../defender/byol-provider";
