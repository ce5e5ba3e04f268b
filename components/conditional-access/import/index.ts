/** Import of Conditional Access policies from Microsoft Graph exports (what components/index.ts re-exports). */
export * from "./import";
export { resourceNameFor } from "./names";
export { shellQuote } from "./snippets";
export { toGraphPolicy } from "./to-graph";
export { LegacyDeviceState, legacyDeviceStatesToFilter } from "./legacy";
export type { LegacyConversion, LegacyConversionProblem } from "./legacy";
export { ExportEncoding, ExportDecodeError, decodeExportBytes } from "./decode";
