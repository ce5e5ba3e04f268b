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
  const compiled = filter ? DeviceFilter.parse(filter.rule) : undefined;
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
      if (compiled) return compiled.matches(device) === includeFilter;
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
