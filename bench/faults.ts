/**
 * Fault figures, from one run of the fault matrix (test/azure-rest/fault-matrix.ts) against the
 * fake Graph and fake ARM on 127.0.0.1 (no Microsoft endpoint): every provider operation that
 * calls out, with each fault injected into each call it makes.
 * - faults_injected: cases run (one fault each).
 * - faults_survived: cases that ended in the declared state, or in an error that says what
 *   happened after which a fault-free re-run converges; no duplicate, bounded time, nothing sent
 *   to another origin. Target: faults_injected.
 * - duplicates_created: profiles, solutions or VM links created twice. Target: 0.
 * - fault_matrix_ms: wall time of the run.
 */
import { runFaultMatrix } from "../test/azure-rest/fault-matrix";

export async function run(): Promise<Record<string, unknown>> {
  const summary = await runFaultMatrix();
  for (const f of summary.failures) process.stderr.write(`fault case failed: ${f.id}: ${f.problems.join("; ")}\n`);
  return {
    faults_injected: summary.faults_injected,
    faults_survived: summary.faults_survived,
    duplicates_created: summary.duplicates_created,
    fault_matrix_ms: summary.fault_matrix_ms,
  };
}
