/**
 * Suites on the shared third-party conformance fixtures (a `shared/fixtures` folder beside the
 * repository). A plain clone has none: such a suite is then skipped, its title says where the
 * fixtures were looked for, and the run's closing lines count the skipped suites
 * (test/helpers/shared-fixtures-reporter.js). These suites live in files named *.shared.test.ts.
 */
import { sharedFixturesDir, sharedFixturesPath } from "../../bench/fixtures";

/** The shared fixtures folder, or undefined in a plain clone. */
export const SHARED_FIXTURES = sharedFixturesDir();

/**
 * `describe` for a suite on the shared fixtures, `describe.skip` without them. The body still runs
 * to collect the (skipped) tests, so it must not read fixtures at collection time when
 * SHARED_FIXTURES is undefined, and must define at least one test either way.
 */
export function describeShared(name: string, body: () => void): void {
  if (SHARED_FIXTURES) describe(`${name} (shared fixtures at ${SHARED_FIXTURES})`, body);
  else describe.skip(`${name} (skipped: no shared fixtures at ${sharedFixturesPath()})`, body);
}
