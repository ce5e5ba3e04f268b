/**
 * Progress lines for long runs (whatif, coverage), on stderr so stdout stays the document. Shown
 * when `--progress` is given, or by default when stderr is a terminal; `--no-progress` silences
 * them. Pipes, CI logs and tests therefore stay clean unless asked. Lines are per phase (reading,
 * evaluating, writing), each with its elapsed time.
 */
export interface Progress {
  step(message: string): void;
}

export function progressFor(flag: boolean | undefined, stream: NodeJS.WriteStream = process.stderr, clock: () => number = Date.now): Progress {
  const on = flag ?? stream.isTTY === true;
  const start = clock();
  return {
    step(message: string) {
      if (on) stream.write(`progress: ${message} (${((clock() - start) / 1000).toFixed(1)} s)\n`);
    },
  };
}
