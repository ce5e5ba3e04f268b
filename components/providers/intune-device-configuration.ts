// Entry point the Intune profile resource's serialized provider requires at run time
// (`tenant-guardrails/providers/intune-device-configuration`).
export { deviceConfigurationProvider as provider } from "../intune/graph-provider";
