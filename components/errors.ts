/**
 * Validation errors raised at preview, before any API call. Every problem names the component
 * and resource name, the field, the bad value and the fix; a component reports all its problems
 * in one error rather than the first only.
 */

export interface InputProblem {
  /** Dotted path of the field inside the component args, e.g. "users.excludeGroups". */
  field: string;
  /** The offending value (already safe to print: never pass a secret here). */
  value: unknown;
  /** What is wrong. */
  problem: string;
  /** How to fix it. */
  fix: string;
}

function show(value: unknown): string {
  if (value === undefined) return "(not set)";
  const text = JSON.stringify(value);
  return text.length > 200 ? text.slice(0, 197) + "..." : text;
}

export function formatProblem(p: InputProblem): string {
  return `${p.field} = ${show(p.value)}: ${p.problem}. Fix: ${p.fix}`;
}

/** Thrown by a component whose args are invalid; `problems` lists every problem found. */
export class GuardrailInputError extends Error {
  constructor(
    readonly component: string,
    readonly resourceName: string,
    readonly problems: InputProblem[],
  ) {
    super(
      `${component} "${resourceName}" has ${problems.length === 1 ? "an invalid input" : `${problems.length} invalid inputs`}:\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join("\n"),
    );
    this.name = "GuardrailInputError";
  }
}

type InputErrorListener = (err: GuardrailInputError) => void;
const LISTENERS = Symbol.for("tenant-guardrails.inputErrorListeners");

function listeners(): Set<InputErrorListener> {
  const g = globalThis as unknown as Record<symbol, Set<InputErrorListener> | undefined>;
  return (g[LISTENERS] ??= new Set());
}

/**
 * Be told of every GuardrailInputError as it is thrown. A validation that fails inside an apply
 * surfaces to Pulumi only as an unhandled rejection; the offline engine listens here too, so it
 * reports the component's message even where such events are hidden (jest's sandbox).
 * Returns the function that stops listening.
 */
export function onInputError(listener: InputErrorListener): () => void {
  listeners().add(listener);
  return () => listeners().delete(listener);
}

/** Throw a GuardrailInputError when `problems` is not empty. */
export function throwIfProblems(component: string, resourceName: string, problems: InputProblem[]): void {
  if (problems.length === 0) return;
  const err = new GuardrailInputError(component, resourceName, problems);
  for (const listener of listeners()) listener(err);
  throw err;
}
