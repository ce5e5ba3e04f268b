/**
 * Intune figures, counted at a fake Graph on 127.0.0.1 (no Microsoft endpoint):
 * - intune_http_calls_noop: requests made by a refresh plus an update with unchanged inputs, for
 *   the FIPS + BitLocker profiles with 3 assignments each, driven as the engine drives the
 *   provider (read, then diff; update only when diff reports changes). Target: one read per object.
 * - intune_http_writes_noop: the writes among them. Target: 0.
 * - intune_http_calls_update_unchanged: requests when update is called anyway with unchanged
 *   inputs (it re-reads once and writes nothing).
 * - intune_http_calls_create: requests to create both profiles (marker look-up, POST, /assign).
 */
import { deviceConfigurationProvider as provider, type DeviceConfigurationInputs, type DeviceConfigurationOutputs } from "../components/intune/graph-provider";
import { bitLockerOmaSettings, fipsOmaSettings, normaliseFipsDeviceConfiguration, profileDescription } from "../components/intune/settings";
import { startFakeGraph } from "../test/intune/fake-graph";

const GROUPS = {
  includeGroupIds: ["11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"],
  excludeGroupIds: ["33333333-3333-3333-3333-333333333333"],
};

export async function run(): Promise<Record<string, unknown>> {
  const g = await startFakeGraph();
  try {
    g.maskStrings = true; // Graph masks string OMA values: the BitLocker payloads come back as "****"
    const plan = normaliseFipsDeviceConfiguration({ ...GROUPS, onRemove: "leaveEnabled", bitLocker: {} }).value!;
    const profile = (part: string, omaSettings: DeviceConfigurationInputs["omaSettings"]): DeviceConfigurationInputs => ({
      graphEndpoint: g.url,
      marker: `tenant-guardrails/bench/fips/${part}`,
      displayName: `bench - ${part}`,
      description: profileDescription(part, `tenant-guardrails/bench/fips/${part}`),
      omaSettings,
      ...GROUPS,
      foreignAssignments: "fail",
    });
    const inputs = [profile("fips", fipsOmaSettings()), profile("bitlocker", bitLockerOmaSettings(plan.bitLocker!))];

    const states: { id: string; outs: DeviceConfigurationOutputs }[] = [];
    for (const i of inputs) {
      const created = await provider.create(i);
      states.push({ id: created.id, outs: created.outs as DeviceConfigurationOutputs });
    }
    const createCalls = g.requests.length;

    g.requests.length = 0;
    const refreshed: DeviceConfigurationOutputs[] = [];
    for (const [n, s] of states.entries()) {
      const read = await provider.read!(s.id, s.outs);
      const olds = read.props as DeviceConfigurationOutputs;
      refreshed.push(olds);
      const diff = await provider.diff!(s.id, olds, inputs[n]);
      if (diff.changes) await provider.update!(s.id, olds, inputs[n]);
    }
    const noopCalls = g.requests.length;
    const noopWrites = g.requests.filter((r) => r.method !== "GET").length;

    g.requests.length = 0;
    for (const [n, s] of states.entries()) await provider.update!(s.id, refreshed[n], inputs[n]);
    const updateUnchanged = g.requests.length;

    return {
      intune_http_calls_noop: noopCalls,
      intune_http_writes_noop: noopWrites,
      intune_http_calls_update_unchanged: updateUnchanged,
      intune_http_calls_create: createCalls,
    };
  } finally {
    await g.close();
  }
}
