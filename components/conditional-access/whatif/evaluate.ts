/**
 * Offline evaluation of Conditional Access policies against devices: which policies apply to a
 * device and the resulting outcome. Only the device dimension is evaluated (device filter and
 * device platform); the sign-in is assumed to be by a user and to an app in every policy's scope.
 */
import { DeviceFilter, type GraphDevice } from "../device-filter";
import { PolicyState, type PlainConditionalAccessPolicy } from "../policy-shape";

/**
 * A device in an inventory: a Graph device object, `null` for an unregistered device of unknown
 * platform, or `{ unregistered: true, operatingSystem }` for an unregistered device whose platform
 * the sign-in reveals (Entra reads the platform from the client, not from registration).
 */
export type InventoryDevice = GraphDevice | null | UnregisteredDevice;
/** An unregistered device whose platform the sign-in reveals. */
export interface UnregisteredDevice {
  unregistered: true;
  operatingSystem?: string;
  displayName?: string;
}

/** What the enabled policies do to a sign-in: block it, grant it with controls, or allow it. */
export const Outcome = {
  Block: "block",
  Grant: "grant",
  Allow: "allow",
} as const;
/** One of the {@link Outcome} values. */
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** A policy prepared for evaluation: which devices it applies to and what it requires. */
export interface CompiledPolicy {
  name: string;
  state: string;
  /** Applies to a device (platform and device filter), given its platform key and Graph view. */
  applies(platform: string | undefined, device: GraphDevice | null): boolean;
  block: boolean;
  /** Controls required when not blocking, e.g. "mfa AND compliantDevice". */
  controls: string;
}

/** What the policies do to one device: the ones that apply, the outcome, the controls. */
export interface DeviceResult {
  /** Policies that apply (enabled or report-only). */
  applying: string[];
  /** What enabled policies do. */
  outcome: Outcome;
  /** Controls required by enabled policies when the outcome is "grant". */
  controls: string[];
  /** What the report-only policies would add if enabled: the outcome with them enforced too. */
  outcomeIfReportOnlyEnforced: Outcome;
}

/** Map Graph `operatingSystem` to Conditional Access platform names. */
export function platformOf(operatingSystem: string | undefined | null): string | undefined {
  if (!operatingSystem) return undefined;
  const os = operatingSystem.toLowerCase();
  if (os.startsWith("windowsphone") || os === "windows phone") return "windowsPhone";
  if (os.startsWith("windows")) return "windows";
  if (os === "ios" || os === "ipados") return "iOS";
  if (os.startsWith("android")) return "android";
  if (os === "macos" || os === "macmdm" || os === "mac os x" || os === "osx") return "macOS";
  if (os.startsWith("linux") || os === "ubuntu" || os === "redhat") return "linux";
  return undefined;
}

function lower(values: string[] | undefined): Set<string> {
  return new Set((values ?? []).map((v) => v.toLowerCase()));
}

/** Compile a policy once (its device filter rule is parsed and compiled here). */
export function compilePolicy(policy: PlainConditionalAccessPolicy): CompiledPolicy {
  const filter = policy.conditions.devices?.filter;
  const compiled = filter ? DeviceFilter.parse(filter.rule).predicateFunction() : undefined;
  const includeFilter = filter?.mode !== "exclude";
  const platforms = policy.conditions.platforms;
  const includedPlatforms = lower(platforms?.includedPlatforms);
  const excludedPlatforms = lower(platforms?.excludedPlatforms);
  const builtIn = policy.grantControls?.builtInControls ?? [];
  const others = [
    ...builtIn.filter((c) => c !== "block"),
    ...(policy.grantControls?.authenticationStrengthPolicyId ? ["authenticationStrength"] : []),
    ...(policy.grantControls?.termsOfUses?.length ? ["termsOfUse"] : []),
  ];
  const operator = (policy.grantControls?.operator ?? "OR").toUpperCase();
  return {
    name: policy.displayName,
    state: policy.state,
    block: builtIn.includes("block"),
    controls: others.join(` ${operator} `),
    applies(platform, device) {
      if (platforms) {
        // An unknown platform matches only an "all" include and is never excluded (UNVERIFIED: Entra's
        // behaviour for unrecognised clients; this is the conservative reading for block policies).
        const included = includedPlatforms.has("all") || (platform !== undefined && includedPlatforms.has(platform.toLowerCase()));
        if (!included) return false;
        if (platform !== undefined && excludedPlatforms.has(platform.toLowerCase())) return false;
      }
      if (compiled) return compiled(device) === includeFilter;
      return true;
    },
  };
}

function deviceView(device: InventoryDevice): { platform: string | undefined; graph: GraphDevice | null } {
  if (device === null) return { platform: undefined, graph: null };
  if ((device as UnregisteredDevice).unregistered === true) return { platform: platformOf((device as UnregisteredDevice).operatingSystem), graph: null };
  const graph = device as GraphDevice;
  return { platform: platformOf(graph.operatingSystem as string | undefined), graph };
}

function combine(policies: CompiledPolicy[]): { outcome: Outcome; controls: string[] } {
  if (policies.some((p) => p.block)) return { outcome: Outcome.Block, controls: [] };
  const controls = [...new Set(policies.map((p) => p.controls).filter((c) => c))];
  return controls.length ? { outcome: Outcome.Grant, controls } : { outcome: Outcome.Allow, controls: [] };
}

/** Evaluate one device against compiled policies. Disabled policies never apply. */
export function evaluateDevice(policies: CompiledPolicy[], device: InventoryDevice): DeviceResult {
  const { platform, graph } = deviceView(device);
  const applying = policies.filter((p) => p.state !== PolicyState.Disabled && p.applies(platform, graph));
  const enforced = combine(applying.filter((p) => p.state === PolicyState.Enabled));
  const withReportOnly = combine(applying);
  return {
    applying: applying.map((p) => p.name),
    outcome: enforced.outcome,
    controls: enforced.controls,
    outcomeIfReportOnlyEnforced: withReportOnly.outcome,
  };
}

/** What the policies do to every device of an inventory, with totals. */
export interface InventoryReport {
  policies: { name: string; state: string; devicesApplied: number }[];
  devices: (DeviceResult & { index: number; label: string })[];
  totals: { devices: number; block: number; grant: number; allow: number; blockIfReportOnlyEnforced: number; noPolicy: number };
}

/** A short label for a device in reports. */
export function deviceLabel(device: InventoryDevice, index: number): string {
  if (device === null) return `#${index} unregistered`;
  const d = device as Record<string, unknown>;
  if (d.unregistered === true) return `#${index} unregistered ${d.operatingSystem ?? ""}`.trim();
  return `#${index} ${d.displayName ?? d.deviceId ?? d.id ?? ""} (${d.trustType ?? "no trustType"}, ${d.operatingSystem ?? "unknown OS"})`;
}

/** Evaluate every device of an inventory against the policies, with totals. */
export function evaluateInventory(policies: PlainConditionalAccessPolicy[], devices: InventoryDevice[]): InventoryReport {
  const compiled = policies.map(compilePolicy);
  const applied = new Map<string, number>();
  const totals = { devices: devices.length, block: 0, grant: 0, allow: 0, blockIfReportOnlyEnforced: 0, noPolicy: 0 };
  const results = devices.map((device, index) => {
    const r = evaluateDevice(compiled, device);
    for (const name of r.applying) applied.set(name, (applied.get(name) ?? 0) + 1);
    totals[r.outcome]++;
    if (r.outcomeIfReportOnlyEnforced === Outcome.Block) totals.blockIfReportOnlyEnforced++;
    if (r.applying.length === 0) totals.noPolicy++;
    return { index, label: deviceLabel(device, index), ...r };
  });
  return {
    policies: compiled.map((p) => ({ name: p.name, state: p.state, devicesApplied: applied.get(p.name) ?? 0 })),
    devices: results,
    totals,
  };
}

/** The totals of a what-if run over an inventory (devices, per-policy counts, outcomes). */
export type InventoryTotals = InventoryReport["totals"];

/**
 * Devices evaluated one at a time, for inventories too large to hold: the result of the last
 * device is kept compact (indices of the applying policies, not names) and the totals and
 * per-policy counts are added up on the way. Same answers as evaluateDevice / evaluateInventory.
 */
export class InventoryTally {
  readonly compiled: CompiledPolicy[];
  /** Devices each policy applies to, by policy index. */
  readonly applied: number[];
  readonly totals: InventoryTotals = { devices: 0, block: 0, grant: 0, allow: 0, blockIfReportOnlyEnforced: 0, noPolicy: 0 };
  /** The last device: indices of the applying policies are applying[0..count). */
  readonly applying: Int32Array;
  count = 0;
  outcome: Outcome = Outcome.Allow;
  controls: string[] = [];
  outcomeIfReportOnlyEnforced: Outcome = Outcome.Allow;
  private readonly active: number[];
  private readonly enabled: boolean[];

  constructor(policies: PlainConditionalAccessPolicy[]) {
    this.compiled = policies.map(compilePolicy);
    this.applied = this.compiled.map(() => 0);
    this.applying = new Int32Array(this.compiled.length);
    this.active = this.compiled.flatMap((p, i) => (p.state === PolicyState.Disabled ? [] : [i]));
    this.enabled = this.compiled.map((p) => p.state === PolicyState.Enabled);
  }

  /** Evaluate one device into the fields of this object (nothing is added up). */
  evaluate(device: InventoryDevice): void {
    const { platform, graph } = deviceView(device);
    const compiled = this.compiled;
    let count = 0;
    let blockEnforced = false;
    let blockAll = false;
    let controlsAll = false;
    let controls: string[] | undefined;
    for (const i of this.active) {
      const p = compiled[i];
      if (!p.applies(platform, graph)) continue;
      this.applying[count++] = i;
      if (p.block) {
        blockAll = true;
        if (this.enabled[i]) blockEnforced = true;
      } else if (p.controls) {
        controlsAll = true;
        if (this.enabled[i] && !(controls ??= []).includes(p.controls)) controls.push(p.controls);
      }
    }
    this.count = count;
    this.outcome = blockEnforced ? Outcome.Block : controls ? Outcome.Grant : Outcome.Allow;
    this.controls = blockEnforced || !controls ? [] : controls;
    this.outcomeIfReportOnlyEnforced = blockAll ? Outcome.Block : controlsAll ? Outcome.Grant : Outcome.Allow;
  }

  /** Evaluate one device and add it to the totals. */
  add(device: InventoryDevice): void {
    this.evaluate(device);
    const t = this.totals;
    t.devices++;
    t[this.outcome]++;
    if (this.outcomeIfReportOnlyEnforced === Outcome.Block) t.blockIfReportOnlyEnforced++;
    if (this.count === 0) t.noPolicy++;
    for (let k = 0; k < this.count; k++) this.applied[this.applying[k]]++;
  }

  /** The last device's result in the shape of evaluateDevice. */
  result(): DeviceResult {
    const applying: string[] = [];
    for (let k = 0; k < this.count; k++) applying.push(this.compiled[this.applying[k]].name);
    return { applying, outcome: this.outcome, controls: [...this.controls], outcomeIfReportOnlyEnforced: this.outcomeIfReportOnlyEnforced };
  }

  /** The policies with their device counts, as in an InventoryReport. */
  policies(): InventoryReport["policies"] {
    // Counted by name, as evaluateInventory does (two policies of one name share their count).
    const byName = new Map<string, number>();
    this.compiled.forEach((p, i) => byName.set(p.name, (byName.get(p.name) ?? 0) + this.applied[i]));
    return this.compiled.map((p) => ({ name: p.name, state: p.state, devicesApplied: byName.get(p.name) ?? 0 }));
  }
}
