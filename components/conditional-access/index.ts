export * from "./device-filter";
export * from "./device-filter-builder";
export * from "./policy-shape";
export { OtherDevicesAction, normaliseCorporateDeviceAccess, buildCorporateDevicePolicies } from "./corporate-device-policy";
export type { PlainCorporateDeviceAccessArgs, NormalisedCorporateDeviceAccess, CorporateDevicePolicy } from "./corporate-device-policy";
export * from "./corporate-device-access";
export * from "./evaluate";
export * from "./inventory";
