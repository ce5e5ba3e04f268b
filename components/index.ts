// The public API of tenant-guardrails: components and the pure functions behind them.
export * from "./conditional-access";
export * from "./defender";
export * from "./intune";
export * from "./email";
// The input error every component and validator reports bad input with, and the validator result.
export { GuardrailInputError, type InputProblem, type Normalised, type Deprecation } from "./common";
