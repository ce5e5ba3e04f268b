import type { InputProblem } from "../errors";

/**
 * What every validator `normaliseX(args)` returns: every problem found, and the normalised args
 * (defaults applied) as `value`, present exactly when there is no problem.
 */
export interface Normalised<T> {
  value?: T;
  problems: InputProblem[];
}
