/**
 * Helpers shared by every component: the input error and problem shape, the plain-value check and
 * the type-token table. One place, one vocabulary (see docs/design/conventions.md).
 */
import type { InputProblem } from "../errors";

export { GuardrailInputError, formatProblem, onInputError, throwIfProblems, type InputProblem } from "../errors";
export { isPlainValue } from "../inputs";
export * from "./type-tokens";
export * from "./ownership";

/** The result every validator returns: the normalised value when there is no problem, and every problem found. */
export interface Normalised<T> {
  value?: T;
  problems: InputProblem[];
}
