/** Shared CLI plumbing: exit codes, JSON vs human output, and usage errors. */
export const EXIT_OK = 0;
/** A finding (violation, failed assertion, blocked device that should not be) or invalid input. */
export const EXIT_FINDING = 1;
/** The command line itself is wrong (unknown option, missing argument, unreadable file). */
export const EXIT_USAGE = 2;

/** Thrown for command-line mistakes; main() prints the message and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Thrown for bad input content (an invalid rule or record, bad config); main() exits 1. */
export class InputError extends Error {
  constructor(message: string, readonly details?: unknown) {
    super(message);
    this.name = "InputError";
  }
}

/** Print a stable JSON document (2-space indent, trailing newline). */
export function printJson(doc: unknown): void {
  process.stdout.write(JSON.stringify(doc, null, 2) + "\n");
}

export function printLines(lines: string[]): void {
  process.stdout.write(lines.join("\n") + "\n");
}
