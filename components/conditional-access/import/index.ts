/** Import of Conditional Access policies from Microsoft Graph exports (what components/index.ts re-exports). */
export * from "./import";
export { LegacyDeviceState, legacyDeviceStatesToFilter } from "./legacy";
export { ExportEncoding, ExportDecodeError, decodeExportBytes } from "./decode";
