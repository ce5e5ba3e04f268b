/**
 * Helpers shared by every component: the input error and problem shape, the plain-value check and
 * the type-token table, the ownership marker and the validator result. One place, one vocabulary.
 */
export { GuardrailInputError, formatProblem, onInputError, throwIfProblems, type InputProblem } from "../errors";
export { isPlainValue } from "../inputs";
export * from "./type-tokens";
export * from "./ownership";
export { GUID } from "./ids";
export type { Normalised } from "./normalised";
export { aliasedField, deprecationWarning, type Deprecation } from "./deprecation";
