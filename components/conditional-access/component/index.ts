/** The CorporateDeviceAccess component and the pure policy builder behind it. */
export { OtherDevicesAction, normaliseCorporateDeviceAccess, buildCorporateDevicePolicies, displayNamePrefixOf } from "./corporate-device-policy";
export type { PlainCorporateDeviceAccessArgs, NormalisedCorporateDeviceAccess, CorporateDevicePolicy } from "./corporate-device-policy";
export * from "./corporate-device-access";
