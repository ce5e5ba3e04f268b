/**
 * Defender figures, counted at a fake ARM on 127.0.0.1 (no Microsoft endpoint), for one Qualys
 * BYOL solution with 10 linked VMs:
 * - byol_http_calls_noop: requests of a refresh plus an update with unchanged inputs, driven as
 *   the engine drives the provider (read, then diff; update only when diff reports changes).
 *   Target: reads only.
 * - byol_http_writes_noop: the writes among them. Target: 0.
 * - byol_http_calls_update_unchanged: refresh plus update called anyway with unchanged inputs
 *   (update re-reads the links once and writes nothing).
 * - byol_http_calls_create / byol_http_calls_delete: requests to create (home region, solution list, PUT, read,
 *   one link PUT for all VMs) and to delete (read, one unlink per VM, DELETE).
 * - defender_validate_ms: median time to validate a BYOL choice with 1,000 machines in scope.
 */
import { makeQualysByolProvider, type QualysByolSolutionState } from "../components/defender/byol-provider";
import { normaliseVulnerabilityAssessment } from "../components/defender/validate";
import { FakeArm } from "../test/defender/fake-arm";
import { medianMs } from "./util";

const SUB = "11111111-1111-1111-1111-111111111111";
const vm = (n: number) => `/subscriptions/${SUB}/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm-${String(n).padStart(4, "0")}`;

export async function run(): Promise<Record<string, unknown>> {
  const arm = new FakeArm();
  await arm.start();
  try {
    const provider = makeQualysByolProvider({ timeoutMs: 5_000, retryDelayMs: 5 });
    const inputs: QualysByolSolutionState = {
      armEndpoint: arm.url,
      subscriptionId: SUB,
      resourceGroupName: "rg-security",
      location: "westeurope",
      solutionName: "qualys-byol",
      licenseCode: "bench-license-code",
      publicKey: "bench-public-key",
      autoUpdate: false,
      linkedVmIds: Array.from({ length: 10 }, (_, i) => vm(i + 1)),
    };
    const created = await provider.create(inputs);
    const createCalls = arm.requests.length;

    arm.requests.length = 0;
    const read = await provider.read!(created.id, created.outs);
    const olds = read.props as QualysByolSolutionState;
    const diff = await provider.diff!(created.id, olds, inputs);
    if (diff.changes) await provider.update!(created.id, olds, inputs);
    const noopCalls = arm.requests.length;
    const noopWrites = arm.writes.length;

    arm.requests.length = 0;
    const reread = await provider.read!(created.id, olds);
    await provider.update!(created.id, reread.props as QualysByolSolutionState, inputs);
    const updateUnchanged = arm.requests.length;
    const updateUnchangedWrites = arm.writes.length;

    arm.requests.length = 0;
    await provider.delete!(created.id, olds);
    const deleteCalls = arm.requests.length;

    const machines = Array.from({ length: 1000 }, (_, i) => ({ id: vm(i) }));
    const validateMs = await medianMs(20, () =>
      normaliseVulnerabilityAssessment({
        subscriptionId: SUB,
        provider: "qualysByol",
        qualysByol: { resourceGroupName: "rg-security", location: "westeurope", licenseCodePresent: true, publicKeyPresent: true },
        machines,
      }),
    );

    return {
      byol_http_calls_noop: noopCalls,
      byol_http_writes_noop: noopWrites,
      byol_http_calls_update_unchanged: updateUnchanged,
      byol_http_writes_update_unchanged: updateUnchangedWrites,
      byol_http_calls_create: createCalls,
      byol_http_calls_delete: deleteCalls,
      defender_validate_ms: Number(validateMs.toFixed(3)),
    };
  } finally {
    await arm.stop();
  }
}
