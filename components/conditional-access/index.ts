export * from "./device-filter";
