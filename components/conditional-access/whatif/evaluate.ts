/**
 * Offline evaluation of Conditional Access policies against devices: which policies apply to a
 * device and the resulting outcome. Only the device dimension is evaluated (device filter and
 * device platform); the sign-in is assumed to be by a user and to an app in every policy's scope,
 * from a client app, location and sign-in/user risk the policy includes. Any other condition a
 * policy sets (agent or insider risk, authentication flows, networks, workload identities, ...)
 * is not modelled: where such a policy could change a device's outcome, the outcome is "unknown"
 * (not enough information), never a guess.
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
  /** Not enough information: a policy that applies has a condition the evaluator does not model, and it would change the outcome. */
  Unknown: "unknown",
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
  /** Conditions the policy sets that the evaluator does not model (dotted Graph paths); empty when it models them all. */
  notModelled: readonly string[];
}

/**
 * A policy as whatif and coverage read it: the azuread shape of the dimensions they evaluate, plus
 * the conditions they do not model (what {@link evaluatedPolicyFromGraph} makes of a Graph policy).
 */
export type EvaluatedPolicy = PlainConditionalAccessPolicy & { notModelled?: readonly string[] };

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

/** The outcome text people read: "not enough information" for "unknown", the controls of a grant. */
export function outcomeText(outcome: Outcome, controls: readonly string[] = []): string {
  if (outcome === Outcome.Unknown) return "not enough information";
  return outcome === Outcome.Grant ? `grant (${controls.join("; ")})` : outcome;
}

/**
 * Conditions whatif and coverage take to include the sign-in (their documented assumption: the
 * question is the device). Paths into `conditions`; the device filter and platforms are evaluated.
 */
const ASSUMED_OR_EVALUATED: ReadonlySet<string> = new Set([
  "users",
  "applications.includeApplications",
  "applications.excludeApplications",
  "applications.includeUserActions",
  "clientAppTypes",
  "locations",
  "signInRiskLevels",
  "userRiskLevels",
  "platforms",
  "devices.deviceFilter",
]);

function isEmptyCondition(value: unknown): boolean {
  if (value === null || value === undefined || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.entries(value as Record<string, unknown>).every(([k, v]) => k.startsWith("@odata.") || isEmptyCondition(v));
  return false;
}

/**
 * The conditions of a Graph policy that whatif and coverage do not model (dotted paths under
 * `conditions`), e.g. `insiderRiskLevels`, `authenticationFlows`, `networks`, `agentIdRiskLevels`,
 * `clientApplications`, `applications.applicationFilter`, and any condition Graph adds later.
 */
export function notModelledConditions(graph: Record<string, unknown>): string[] {
  const conditions = (graph.conditions ?? {}) as Record<string, unknown>;
  const out: string[] = [];
  for (const [key, value] of Object.entries(conditions)) {
    if (key.startsWith("@odata.") || isEmptyCondition(value) || ASSUMED_OR_EVALUATED.has(key)) continue;
    if ((key === "applications" || key === "devices") && typeof value === "object" && !Array.isArray(value)) {
      for (const [sub, v] of Object.entries(value as Record<string, unknown>)) {
        if (!sub.startsWith("@odata.") && !isEmptyCondition(v) && !ASSUMED_OR_EVALUATED.has(`${key}.${sub}`)) out.push(`${key}.${sub}`);
      }
      continue;
    }
    out.push(key);
  }
  return out;
}

function stringList(value: unknown): string[] | undefined {
  if (typeof value === "string") return value.split(",").map((v) => v.trim()).filter((v) => v);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : undefined;
}

/**
 * A Graph `conditionalAccessPolicy` (either kind of declared policy, or a Graph export) as whatif
 * and coverage read it: the users, applications, platforms, device filter and grant in the azuread
 * shape their evaluator takes, and the conditions they do not model in `notModelled`.
 */
export function evaluatedPolicyFromGraph(graph: Record<string, unknown>): EvaluatedPolicy {
  const c = (graph.conditions ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const users = c.users ?? {};
  const apps = c.applications ?? {};
  const platforms = c.platforms;
  const filter = (c.devices?.deviceFilter ?? undefined) as { mode?: string; rule?: string } | undefined;
  const grant = graph.grantControls as Record<string, unknown> | null | undefined;
  const strength = grant?.authenticationStrength as { id?: string } | null | undefined;
  return {
    displayName: String(graph.displayName ?? ""),
    state: String(graph.state ?? ""),
    conditions: {
      applications: {
        includedApplications: stringList(apps.includeApplications),
        excludedApplications: stringList(apps.excludeApplications),
        includedUserActions: stringList(apps.includeUserActions),
      },
      clientAppTypes: stringList(c.clientAppTypes) ?? [],
      users: {
        includedUsers: stringList(users.includeUsers),
        excludedUsers: stringList(users.excludeUsers),
        includedGroups: stringList(users.includeGroups),
        excludedGroups: stringList(users.excludeGroups),
        includedRoles: stringList(users.includeRoles),
        excludedRoles: stringList(users.excludeRoles),
      },
      ...(platforms && !isEmptyCondition(platforms)
        ? { platforms: { includedPlatforms: stringList(platforms.includePlatforms) ?? [], excludedPlatforms: stringList(platforms.excludePlatforms) } }
        : {}),
      ...(filter?.rule ? { devices: { filter: { mode: filter.mode === "exclude" ? "exclude" : "include", rule: filter.rule } } } : {}),
    },
    grantControls: grant
      ? {
          operator: String(grant.operator ?? "OR"),
          builtInControls: stringList(grant.builtInControls),
          authenticationStrengthPolicyId: strength?.id ? String(strength.id) : undefined,
          customAuthenticationFactors: stringList(grant.customAuthenticationFactors),
          termsOfUses: stringList(grant.termsOfUse),
        }
      : undefined,
    notModelled: notModelledConditions(graph),
  };
}

/** Compile a policy once (its device filter rule is parsed and compiled here). */
export function compilePolicy(policy: EvaluatedPolicy): CompiledPolicy {
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
    notModelled: policy.notModelled ?? [],
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

/** Whether a policy that applies on the device dimension leaves the outcome open: unmodelled conditions and a grant. */
function undecided(p: CompiledPolicy): boolean {
  return p.notModelled.length > 0 && (p.block || p.controls !== "");
}

/**
 * The outcome of the policies that apply: a policy with unmodelled conditions may or may not apply,
 * so it decides nothing; unless another policy blocks anyway, the outcome it could change is unknown.
 */
function combine(policies: CompiledPolicy[]): { outcome: Outcome; controls: string[] } {
  const decided = policies.filter((p) => p.notModelled.length === 0);
  if (decided.some((p) => p.block)) return { outcome: Outcome.Block, controls: [] };
  if (policies.some(undecided)) return { outcome: Outcome.Unknown, controls: [] };
  const controls = [...new Set(decided.map((p) => p.controls).filter((c) => c))];
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
  /** `notModelled`: the conditions of the policy the evaluator does not model (only when there are any). */
  policies: { name: string; state: string; devicesApplied: number; notModelled?: string[] }[];
  devices: (DeviceResult & { index: number; label: string })[];
  /** `unknown`: devices whose outcome depends on a condition the evaluator does not model (not enough information). */
  totals: { devices: number; block: number; grant: number; allow: number; unknown: number; blockIfReportOnlyEnforced: number; unknownIfReportOnlyEnforced: number; noPolicy: number };
}

/** A short label for a device in reports. */
export function deviceLabel(device: InventoryDevice, index: number): string {
  if (device === null) return `#${index} unregistered`;
  const d = device as Record<string, unknown>;
  if (d.unregistered === true) return `#${index} unregistered ${d.operatingSystem ?? ""}`.trim();
  return `#${index} ${d.displayName ?? d.deviceId ?? d.id ?? ""} (${d.trustType ?? "no trustType"}, ${d.operatingSystem ?? "unknown OS"})`;
}

/** Evaluate every device of an inventory against the policies, with totals. */
export function evaluateInventory(policies: EvaluatedPolicy[], devices: InventoryDevice[]): InventoryReport {
  const compiled = policies.map(compilePolicy);
  const applied = new Map<string, number>();
  const totals = { devices: devices.length, block: 0, grant: 0, allow: 0, unknown: 0, blockIfReportOnlyEnforced: 0, unknownIfReportOnlyEnforced: 0, noPolicy: 0 };
  const results = devices.map((device, index) => {
    const r = evaluateDevice(compiled, device);
    for (const name of r.applying) applied.set(name, (applied.get(name) ?? 0) + 1);
    totals[r.outcome]++;
    if (r.outcomeIfReportOnlyEnforced === Outcome.Block) totals.blockIfReportOnlyEnforced++;
    if (r.outcomeIfReportOnlyEnforced === Outcome.Unknown) totals.unknownIfReportOnlyEnforced++;
    if (r.applying.length === 0) totals.noPolicy++;
    return { index, label: deviceLabel(device, index), ...r };
  });
  return {
    policies: compiled.map((p) => ({ name: p.name, state: p.state, devicesApplied: applied.get(p.name) ?? 0, ...notModelledField(p) })),
    devices: results,
    totals,
  };
}

/** `notModelled` of a policy entry, present only when the policy sets a condition the evaluator does not model. */
function notModelledField(p: CompiledPolicy): { notModelled?: string[] } {
  return p.notModelled.length ? { notModelled: [...p.notModelled] } : {};
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
  readonly totals: InventoryTotals = { devices: 0, block: 0, grant: 0, allow: 0, unknown: 0, blockIfReportOnlyEnforced: 0, unknownIfReportOnlyEnforced: 0, noPolicy: 0 };
  /** The last device: indices of the applying policies are applying[0..count). */
  readonly applying: Int32Array;
  count = 0;
  outcome: Outcome = Outcome.Allow;
  controls: string[] = [];
  outcomeIfReportOnlyEnforced: Outcome = Outcome.Allow;
  private readonly active: number[];
  private readonly enabled: boolean[];

  constructor(policies: EvaluatedPolicy[]) {
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
    let openEnforced = false;
    let openAll = false;
    for (const i of this.active) {
      const p = compiled[i];
      if (!p.applies(platform, graph)) continue;
      this.applying[count++] = i;
      if (p.notModelled.length) {
        // Unmodelled conditions: the policy may or may not apply, so it decides nothing (see combine).
        if (p.block || p.controls) {
          openAll = true;
          if (this.enabled[i]) openEnforced = true;
        }
      } else if (p.block) {
        blockAll = true;
        if (this.enabled[i]) blockEnforced = true;
      } else if (p.controls) {
        controlsAll = true;
        if (this.enabled[i] && !(controls ??= []).includes(p.controls)) controls.push(p.controls);
      }
    }
    this.count = count;
    this.outcome = blockEnforced ? Outcome.Block : openEnforced ? Outcome.Unknown : controls ? Outcome.Grant : Outcome.Allow;
    this.controls = blockEnforced || openEnforced || !controls ? [] : controls;
    this.outcomeIfReportOnlyEnforced = blockAll ? Outcome.Block : openAll ? Outcome.Unknown : controlsAll ? Outcome.Grant : Outcome.Allow;
  }

  /** Evaluate one device and add it to the totals. */
  add(device: InventoryDevice): void {
    this.evaluate(device);
    const t = this.totals;
    t.devices++;
    t[this.outcome]++;
    if (this.outcomeIfReportOnlyEnforced === Outcome.Block) t.blockIfReportOnlyEnforced++;
    if (this.outcomeIfReportOnlyEnforced === Outcome.Unknown) t.unknownIfReportOnlyEnforced++;
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
    return this.compiled.map((p) => ({ name: p.name, state: p.state, devicesApplied: byName.get(p.name) ?? 0, ...notModelledField(p) }));
  }
}
