export * from "./device-filter";
export * from "./policy-shape";
