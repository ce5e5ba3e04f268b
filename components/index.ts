// The public API of tenant-guardrails: components and the pure functions behind them.
export * from "./conditional-access";
export * from "./defender";
export * from "./intune";
export * from "./email";
