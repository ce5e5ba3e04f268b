export * from "./device-filter";
export * from "./policy-shape";
export * from "./component";
// Named here as well as in ./component: Pulumi's schema analyzer walks the imports breadth-first
// from the package entry, and meeting the component at this depth keeps schema.json's order.
export { CorporateDeviceAccess } from "./component/corporate-device-access";
export * from "./whatif";
export * from "./import";
export * from "./coverage";
export * from "./graph-policy";
export * from "./declared-policies";
