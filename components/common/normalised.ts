import type { InputProblem } from "../errors";
import type { Deprecation } from "./deprecation";

/**
 * What every validator `normaliseX(args)` returns: every problem found, and the normalised args
 * (defaults applied) as `value`, present exactly when there is no problem, and the deprecated arg
 * names the args used, if any.
 */
export interface Normalised<T> {
  value?: T;
  problems: InputProblem[];
  /** Deprecated arg names the args used (mapped to their replacements); the component warns about each. */
  deprecations?: Deprecation[];
}
