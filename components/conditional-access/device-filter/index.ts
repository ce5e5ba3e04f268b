/** The device filter language: the DeviceFilter class (parse, print, evaluate) and the typed rule builder. */
export * from "./device-filter";
export * from "./builder";
