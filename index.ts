// Entry point for Pulumi's component analysis when this repository is used as a source-based
// component package (PulumiPlugin.yaml). The analyzer reads TypeScript source and looks for
// package.json exports/main as .ts, then for index.ts here: exports point at dist/, so this file
// gives it the source of the same public API. TypeScript users keep importing dist/ as before.
export * from "./components";
