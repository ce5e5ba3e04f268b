/**
 * The guard every engine suite starts with (jest only: the harness itself is also compiled for the
 * bench, where jest's globals do not exist).
 */
import { engineBinDir, missingEngineFiles, notBuiltMessage } from "./harness";

/**
 * The engine's bin folder and whether it is built (with the `extraFiles` a suite needs besides the
 * common ones). When it is not, registers the suite's first
 * test: a failure under CI=true (CI must run the engine), a visible skip elsewhere.
 */
export function requireEngine(extraFiles: string[] = []): { bin: string; built: boolean } {
  const bin = engineBinDir();
  const missing = missingEngineFiles(bin, extraFiles);
  if (missing.length === 0) return { bin, built: true };
  const inCi = /^(true|1)$/i.test(process.env.CI ?? "");
  process.stderr.write(`\n${notBuiltMessage(bin)}${inCi ? " (CI=true: failing)" : ""}\n\n`);
  if (inCi) {
    it("the engine is built (CI=true)", () => {
      throw new Error(`${notBuiltMessage(bin)} (missing: ${missing.join(", ")})`);
    });
  } else {
    it.skip(notBuiltMessage(bin), () => undefined);
  }
  return { bin, built: false };
}
