/**
 * Coverage: every kind of device a set of Conditional Access policies can tell apart, with the
 * policies that apply to it, the outcome, and a concrete witness device.
 *
 * How: every policy's "applies to this device" (device filter in its mode, and the platform
 * condition) becomes a boolean formula over *variables*: one per string attribute the rules test
 * (its values split into the regions of strings.ts), one per collection element a rule
 * names, `isCompliant` (true / false / none), whether the device is registered, and the platform an
 * unregistered device's sign-in reveals. The device space is then refined policy by policy
 * (partition refinement with BDD-like Shannon splitting on the variables a formula mentions), so
 * properties are combined only where the rules combine them. A class is the set of devices with
 * one vector of "applies" bits; it is a union of product cells, each with its own witness.
 *
 * Exact with respect to `evaluateDevice` (../whatif/evaluate.ts): the class outcome is the evaluator's
 * outcome for the witness, and analyseCoverage checks that every cell's witness gets the class's
 * applying policies from the evaluator.
 *
 * Pure core: no Pulumi import.
 */
import { DeviceFilter, comparisonsOf, type CompareNode, type DeviceProperty, type FilterNode, DEVICE_FILTER_PROPERTIES, isNegativeOperator, positiveOperator, readDeviceProperty, type GraphDevice } from "../device-filter";
import { compilePolicy, evaluateDevice, type EvaluatedPolicy, platformOf, type CompiledPolicy, type DeviceResult, type InventoryDevice, type Outcome, type UnregisteredDevice } from "../whatif/evaluate";
import { PolicyState, type PlainConditionalAccessPolicy } from "../policy-shape";
import { CoverageLimitError, stringRegions, stringSignature, type StringAtom, type StringAtomKind, type StringRegion } from "./strings";
import { type Formula, TRUE, FALSE, VariableKind, type Variable, type Cell, COMPLIANT_LABELS, range, splitCell, type SignInDimension } from "./formula";
import { PLATFORM_RULES, canonicalPlatform } from "./platforms";
import { CLIENT_APP_TYPES, USER_KINDS, signInTargetsOf, usersApply, clientAppAndLocationApply, type CoverageSignIn, type SignInTargets, type UserSide, type GuestTarget } from "./dimensions";

export { CoverageLimitError } from "./strings";
export type { StringAtom, StringRegion } from "./strings";

// ---------------------------------------------------------------------------------------------
// Selectors: device conditions an assertion (or a caller) wants classes to be exact about.
// ---------------------------------------------------------------------------------------------

/**
 * A condition on the device or the sign-in. Classes are split on selectors too, so each class is
 * wholly in or out. Ids (groups, roles, locations, users) are compared case-insensitively.
 */
export type CoverageSelector =
  | { kind: "all" }
  | { kind: "registered" }
  | { kind: "platform"; platform: string | undefined }
  | { kind: "filter"; rule: FilterNode }
  /** The sign-in's client app type (one of CLIENT_APP_TYPES). */
  | { kind: "clientApp"; clientApp: string }
  /** The user's kind is one of these (USER_KINDS: member, internalGuest, b2bCollaborationGuest, ...). */
  | { kind: "userKind"; kinds: string[] }
  /** The user is a member of this group (other memberships free). */
  | { kind: "memberOf"; group: string }
  /** The user holds this directory role (template id). */
  | { kind: "holdsRole"; role: string }
  /** The sign-in comes from this named location (id), or from a trusted location (`trusted`). */
  | { kind: "location"; location: string }
  /** Exactly this member user: one of these ids (or any other user when none is named), in exactly these groups and roles. */
  | { kind: "user"; userIds: string[]; groupIds: string[]; roleIds: string[] }
  | { kind: "not"; operand: CoverageSelector }
  | { kind: "and"; operands: CoverageSelector[] };

/** Canonical platform names (../whatif/evaluate.ts `platformOf`) and the operatingSystem an unregistered witness reports. */
export const PLATFORM_OPERATING_SYSTEM: Readonly<Record<string, string>> = {
  windows: "Windows",
  windowsPhone: "WindowsPhone",
  iOS: "iOS",
  android: "Android",
  macOS: "macOS",
  linux: "Linux",
};

// ---------------------------------------------------------------------------------------------
// The analysis
// ---------------------------------------------------------------------------------------------

/** One region of a class: a product of attribute regions, with a device in it. */
export interface CoverageRegion {
  /** Per attribute the rules test, the values in this region (e.g. `trustType: "Workplace" | none/other`). */
  description: string[];
  witness: InventoryDevice;
  /** The rest of the witness sign-in (user, client app, location), when the policies tell sign-ins apart on them. */
  signIn?: CoverageSignIn;
}

/** A kind of device: every device in it gets the same applying policies and outcome. */
export interface DeviceClass {
  /** `C1`, `C2`, ... in a stable order (registered classes first, then by description). */
  id: string;
  registered: boolean;
  /** What the class's devices have in common, per attribute (the first region's description when several). */
  description: string[];
  /** A device of the class (the first region's witness). */
  witness: InventoryDevice;
  /** The rest of the first region's witness sign-in (user, client app, location), when the policies tell sign-ins apart on them. */
  signIn?: CoverageSignIn;
  /** The class as a union of regions, each with its own witness. */
  regions: CoverageRegion[];
  /** Policies that apply (enabled and report-only), in policy order. */
  applying: string[];
  outcome: Outcome;
  controls: string[];
  outcomeIfReportOnlyEnforced: Outcome;
  /** For each selector passed to analyseCoverage: whether the class's devices satisfy it. */
  selected: boolean[];
}

/** How many device classes end in each outcome. */
export interface CoverageCounts {
  classes: number;
  block: number;
  grant: number;
  allow: number;
  /** Classes whose outcome depends on a condition the evaluator does not model (not enough information). */
  unknown: number;
  noPolicy: number;
  blockIfReportOnlyEnforced: number;
  unknownIfReportOnlyEnforced: number;
}

/** Every class of devices the policies tell apart, with the attributes that separate them (what {@link analyseCoverage} returns). */
export interface CoverageAnalysis {
  /** `notModelled`: conditions of the policy the evaluator does not model (only when there are any). */
  policies: { name: string; state: string; classesApplied: number; notModelled?: string[] }[];
  classes: DeviceClass[];
  counts: CoverageCounts;
  /** The attributes the rules distinguish, with their regions (for reports). */
  attributes: { name: string; regions: string[] }[];
  /** The policies as given (for scoped evaluation: users and apps). */
  source: EvaluatedPolicy[];
  compiled: CompiledPolicy[];
  /** Per policy, its user, client app and location targets (as the replay evaluator reads them). */
  targets: SignInTargets[];
  /** Whether classes are split on a sign-in dimension (user, client app, location): then each class has a `signIn` witness. */
  signInDimensions: boolean;
  /**
   * Variables and cells, for classifyDevice.
   * @internal
   */
  readonly model: CoverageModel;
}

interface CoverageModel {
  variables: Variable[];
  cellsByClass: Cell[][];
  namedPlatforms: string[];
}

/** Options of {@link analyseCoverage}: selectors the classes must be exact about, and size limits. */
export interface CoverageOptions {
  /** Device conditions the classes must be exact about (assertion selectors). */
  selectors?: CoverageSelector[];
  /** Stop with CoverageLimitError beyond this many classes, or 4x as many regions (default 50,000). */
  maxClasses?: number;
  /** Analyse only the devices and sign-ins this selector picks (`coverage --for platform=windows,clientApp=browser`). */
  within?: CoverageSelector;
}

class ModelBuilder {
  readonly variables: Variable[] = [];
  private readonly stringVars = new Map<DeviceProperty, number>();
  private readonly elementVars = new Map<string, number>();
  private compliantVar = -1;
  private readonly signInVars = new Map<string, number>();
  private readonly userIds = new Set<string>();
  private readonly tenants = new Set<string>();
  readonly registration: number;
  unregisteredPlatform = -1;
  readonly namedPlatforms: string[];

  constructor(namedPlatforms: string[]) {
    this.namedPlatforms = namedPlatforms;
    this.registration = this.add({ kind: VariableKind.Registration, atoms: [], regions: [], labels: ["registered", "unregistered"] }, 2);
    if (namedPlatforms.length) {
      this.unregisteredPlatform = this.add(
        { kind: VariableKind.UnregisteredPlatform, atoms: [], regions: [], labels: [...namedPlatforms, "other"] },
        namedPlatforms.length + 1,
      );
    }
  }

  private add(v: Variable, regionCount?: number): number {
    if (regionCount !== undefined) v.regions = range(regionCount).map(() => ({ atoms: [], witness: undefined }));
    this.variables.push(v);
    return this.variables.length - 1;
  }

  /** First pass: record the atoms a comparison tests. */
  collect(node: FilterNode): void {
    if (node.kind === "not") return this.collect(node.operand);
    if (node.kind !== "compare") return node.operands.forEach((o) => this.collect(o));
    const spec = DEVICE_FILTER_PROPERTIES[node.property];
    if (spec.boolean) {
      if (this.compliantVar < 0) this.compliantVar = this.add({ kind: VariableKind.Compliant, property: node.property, atoms: [], regions: [], labels: COMPLIANT_LABELS }, 3);
      return;
    }
    if (spec.collection) {
      const key = `${node.property}\u0000${String(node.value).toLowerCase()}`;
      if (!this.elementVars.has(key)) {
        const element = String(node.value);
        this.elementVars.set(key, this.add({ kind: VariableKind.Element, property: node.property, element, atoms: [], regions: [], labels: [`without "${element}"`, `with "${element}"`] }, 2));
      }
      return;
    }
    let id = this.stringVars.get(node.property);
    if (id === undefined) {
      // Fixed vocabularies (trustType, deviceOwnership, profileType) are always split into every known value.
      const known = (spec.values ?? []).map((text) => ({ kind: "eq" as StringAtomKind, value: text.toLowerCase(), text }));
      id = this.add({ kind: VariableKind.String, property: node.property, atoms: [], regions: [], labels: [] });
      this.stringVars.set(node.property, id);
      known.forEach((a) => this.addAtom(id!, a));
    }
    const op = positiveOperator(node.operator);
    const values = typeof node.value === "string" ? [node.value] : (node.value as readonly string[]);
    const kind: StringAtomKind = op === "-startsWith" ? "prefix" : op === "-endsWith" ? "suffix" : op === "-contains" ? "contains" : "eq";
    for (const text of values) this.addAtom(id, { kind, value: text.toLowerCase(), text });
  }

  private addAtom(variable: number, atom: StringAtom): void {
    const atoms = this.variables[variable].atoms;
    if (!atoms.some((a) => a.kind === atom.kind && a.value === atom.value)) atoms.push(atom);
  }

  /** A sign-in variable (made on first use; userId and homeTenant are made by buildRegions). */
  private signInVar(dimension: SignInDimension, id = ""): number {
    const key = `${dimension}\u0000${id}`;
    const known = this.signInVars.get(key);
    if (known !== undefined) return known;
    const labels: Record<string, string[]> = {
      clientApp: [...CLIENT_APP_TYPES],
      userKind: [...USER_KINDS],
      group: ["not a member", "member"],
      role: ["does not hold", "holds"],
      location: ["not in", "in"],
      trusted: ["untrusted", "trusted"],
    };
    const made = this.add({ kind: VariableKind.SignIn, dimension, ...(id ? { id } : {}), atoms: [], regions: [], labels: labels[dimension] }, labels[dimension].length);
    this.signInVars.set(key, made);
    return made;
  }

  /** First pass for a policy's user, client app and location targets: the variables they need. */
  collectTargets(t: SignInTargets): void {
    if (t.clientApps) this.signInVar("clientApp");
    for (const side of [t.users.include, t.users.exclude]) {
      side.ids.forEach((id) => this.userIds.add(id));
      side.groups.forEach((g) => this.signInVar("group", g));
      side.roles.forEach((r) => this.signInVar("role", r));
      if (side.guests) {
        this.signInVar("userKind");
        if (!side.guests.any && !side.guests.allTenants) side.guests.tenants.forEach((x) => this.tenants.add(x));
      }
    }
    for (const id of [...(t.locations?.include ?? []), ...(t.locations?.exclude ?? [])]) {
      if (id === "alltrusted") this.signInVar("trusted");
      else if (id !== "all") this.signInVar("location", id);
    }
  }

  /** The named-ids variables (userId, homeTenant): regions are the ids and "any other". */
  private buildIdVariables(): void {
    for (const [dimension, ids] of [["userId", this.userIds], ["homeTenant", this.tenants]] as const) {
      if (ids.size === 0) continue;
      const list = [...ids].sort();
      const other = dimension === "userId" ? "any other user" : "any other tenant";
      const made = this.add({ kind: VariableKind.SignIn, dimension, ids: list, atoms: [], regions: [], labels: [...list, other] }, list.length + 1);
      this.signInVars.set(`${dimension}\u0000`, made);
    }
  }

  private signInLeaf(dimension: SignInDimension, isTrue: (label: string, region: number) => boolean, id = ""): Formula {
    const v = this.signInVars.get(`${dimension}\u0000${id}`);
    if (v === undefined) return FALSE;
    return this.leaf(v, (r) => isTrue(this.variables[v].ids?.[r] ?? this.variables[v].labels[r], r));
  }

  private guestFormula(g: GuestTarget | undefined): Formula {
    if (!g) return FALSE;
    if (g.any) return this.signInLeaf("userKind", (k) => k !== "member");
    const kinds = g.kinds.filter((k) => k !== "member");
    if (g.allTenants) return this.signInLeaf("userKind", (k) => kinds.includes(k));
    // Enumerated tenants: the guest's home tenant decides; an internal guest has none and stays included.
    return {
      k: "or",
      xs: [
        this.signInLeaf("userKind", (k) => k === "internalGuest" && kinds.includes(k)),
        { k: "and", xs: [this.signInLeaf("userKind", (k) => k !== "internalGuest" && kinds.includes(k)), this.signInLeaf("homeTenant", (x, r) => r < this.tenants.size && g.tenants.includes(x))] },
      ],
    };
  }

  private sideFormula(side: UserSide): Formula {
    const xs: Formula[] = [this.guestFormula(side.guests)];
    if (side.ids.length) xs.push(this.signInLeaf("userId", (x, r) => r < this.userIds.size && side.ids.includes(x)));
    side.groups.forEach((g) => xs.push(this.signInLeaf("group", (_, r) => r === 1, g)));
    side.roles.forEach((x) => xs.push(this.signInLeaf("role", (_, r) => r === 1, x)));
    return { k: "or", xs };
  }

  /** A policy's user, client app and location conditions as a formula (the replay evaluator's reading). */
  targetsFormula(t: SignInTargets): Formula {
    const u = t.users;
    const include: Formula = u.none ? FALSE : u.all ? TRUE : this.sideFormula(u.include);
    const parts: Formula[] = [include, { k: "not", x: this.sideFormula(u.exclude) }];
    if (t.clientApps) parts.push(this.signInLeaf("clientApp", (x) => t.clientApps!.includes(x)));
    if (t.locations) {
      const matches = (ids: string[]): Formula => ({
        k: "or",
        xs: ids.map((id) => (id === "all" ? TRUE : id === "alltrusted" ? this.signInLeaf("trusted", (_, r) => r === 1) : this.signInLeaf("location", (_, r) => r === 1, id))),
      });
      if (t.locations.include.length) parts.push(matches(t.locations.include));
      if (t.locations.exclude.length) parts.push({ k: "not", x: matches(t.locations.exclude) });
    }
    return { k: "and", xs: parts };
  }

  /** Between the passes: the regions of every string attribute. */
  buildRegions(): void {
    this.buildIdVariables();
    for (const v of this.variables) {
      if (v.kind !== VariableKind.String) continue;
      v.regions = stringRegions(v.atoms);
      v.signatureToRegion = new Map(v.regions.map((r, i) => [r.atoms.join(","), i]));
      v.labels = v.regions.map((r) => regionLabel(v.atoms, r));
      if (v.property === "operatingSystem") {
        // A realistic member of the "no atom holds" region, when one is: reads better than a missing OS.
        const none = v.regions[v.regions.length - 1];
        none.witness = ["iOS", "Android", "macOS", "Linux", "ChromeOS"].find((os) => stringSignature(v.atoms, os) === "");
      }
      if (v.property === "operatingSystem" && this.namedPlatforms.length) {
        const platformAtoms = new Set<string>();
        for (const rule of Object.values(PLATFORM_RULES)) {
          for (const c of comparisonsOf(rule)) platformAtoms.add(`${c.operator === "-eq" ? "eq" : "prefix"}:${String(c.value).toLowerCase()}`);
        }
        v.platformOnly = v.atoms.every((a) => platformAtoms.has(`${a.kind}:${a.value}`));
        // Say which platform each operatingSystem region is (../whatif/evaluate.ts platformOf).
        v.platforms = v.regions.map((r, i) => {
          const p = i === v.regions.length - 1 ? undefined : platformOf(r.witness);
          return p !== undefined && this.namedPlatforms.includes(p) ? p : "other";
        });
        v.labels = v.labels.map((label, i) => `${label} (platform ${v.platforms![i]})`);
      }
    }
  }

  private leaf(variable: number, isTrue: (region: number) => boolean): Formula {
    const truth = new Uint8Array(this.variables[variable].regions.length);
    let trueCount = 0;
    for (let r = 0; r < truth.length; r++) trueCount += truth[r] = isTrue(r) ? 1 : 0;
    return { k: "leaf", variable, truth, trueCount };
  }

  registered(): Formula {
    return this.leaf(this.registration, (r) => r === 0);
  }

  /** Second pass: a filter AST as a formula (unregistered devices see every attribute as none). */
  formula(node: FilterNode): Formula {
    switch (node.kind) {
      case "not":
        return { k: "not", x: this.formula(node.operand) };
      case "and":
      case "or":
        return { k: node.kind, xs: node.operands.map((o) => this.formula(o)) };
      case "compare": {
        const negate = isNegativeOperator(node.operator);
        const positive = this.positiveLeaf(node);
        const registeredValue: Formula = negate ? { k: "not", x: positive } : positive;
        const registered: Formula = { k: "and", xs: [this.registered(), registeredValue] };
        // Unregistered: a positive comparison with none is false, a negative one true.
        return negate ? { k: "or", xs: [registered, { k: "not", x: this.registered() }] } : registered;
      }
    }
  }

  private positiveLeaf(node: CompareNode): Formula {
    const spec = DEVICE_FILTER_PROPERTIES[node.property];
    if (spec.boolean) {
      const wanted = typeof node.value === "boolean" ? node.value : String(node.value).toLowerCase() === "true";
      return this.leaf(this.compliantVar, (r) => r === (wanted ? 0 : 1));
    }
    if (spec.collection) {
      const id = this.elementVars.get(`${node.property}\u0000${String(node.value).toLowerCase()}`)!;
      return this.leaf(id, (r) => r === 1);
    }
    const id = this.stringVars.get(node.property)!;
    const v = this.variables[id];
    const op = positiveOperator(node.operator);
    const kind: StringAtomKind = op === "-startsWith" ? "prefix" : op === "-endsWith" ? "suffix" : op === "-contains" ? "contains" : "eq";
    const values = typeof node.value === "string" ? [node.value] : (node.value as readonly string[]);
    const indices = values.map((t) => v.atoms.findIndex((a) => a.kind === kind && a.value === t.toLowerCase()));
    return this.leaf(id, (r) => indices.some((i) => v.regions[r].atoms.includes(i)));
  }

  /** A platform (canonical name, or undefined for "unknown / other") for registered and unregistered devices. */
  platformIs(platform: string): Formula {
    const reg: Formula = { k: "and", xs: [this.registered(), this.formula(PLATFORM_RULES[platform])] };
    const index = this.namedPlatforms.indexOf(platform);
    const unreg: Formula = { k: "and", xs: [{ k: "not", x: this.registered() }, this.leaf(this.unregisteredPlatform, (r) => r === index)] };
    return { k: "or", xs: [reg, unreg] };
  }

  /** The policy's "applies to this device" (platform condition, then the device filter in its mode). */
  applies(policy: PlainConditionalAccessPolicy, filter: DeviceFilter | undefined, targets: SignInTargets): Formula {
    const parts: Formula[] = [this.targetsFormula(targets)];
    const platforms = policy.conditions.platforms;
    if (platforms) {
      const lower = (xs: string[] | undefined) => (xs ?? []).map((x) => x.toLowerCase());
      const included = lower(platforms.includedPlatforms);
      const excluded = lower(platforms.excludedPlatforms);
      const named = (xs: string[]) => xs.map(canonicalPlatform).filter((p): p is string => p !== undefined);
      if (!included.includes("all")) parts.push({ k: "or", xs: named(included).map((p) => this.platformIs(p)) });
      const ex = named(excluded);
      if (ex.length) parts.push({ k: "not", x: { k: "or", xs: ex.map((p) => this.platformIs(p)) } });
    }
    if (filter) {
      const f = this.formula(filter.ast);
      parts.push(policy.conditions.devices?.filter.mode === "exclude" ? { k: "not", x: f } : f);
    }
    return parts.length === 0 ? TRUE : { k: "and", xs: parts };
  }

  selector(s: CoverageSelector): Formula {
    switch (s.kind) {
      case "all":
        return TRUE;
      case "registered":
        return this.registered();
      case "platform": {
        if (s.platform !== undefined) {
          const p = canonicalPlatform(s.platform);
          if (p && this.namedPlatforms.includes(p)) return this.platformIs(p);
        }
        // Unknown / other: none of the named platforms. (A platform no policy names is "other".)
        const named = this.namedPlatforms.map((p) => this.platformIs(p));
        const isOther: Formula = { k: "not", x: { k: "or", xs: named } };
        if (s.platform === undefined) return isOther;
        return FALSE;
      }
      case "filter":
        return this.formula(s.rule);
      case "clientApp":
        return this.signInLeaf("clientApp", (x) => x.toLowerCase() === s.clientApp.toLowerCase());
      case "userKind":
        return this.signInLeaf("userKind", (x) => s.kinds.includes(x));
      case "memberOf":
        return this.signInLeaf("group", (_, r) => r === 1, s.group.toLowerCase());
      case "holdsRole":
        return this.signInLeaf("role", (_, r) => r === 1, s.role.toLowerCase());
      case "location":
        return s.location.toLowerCase() === "trusted" ? this.signInLeaf("trusted", (_, r) => r === 1) : this.signInLeaf("location", (_, r) => r === 1, s.location.toLowerCase());
      case "user": {
        const ids = s.userIds.map((x) => x.toLowerCase());
        const groups = s.groupIds.map((x) => x.toLowerCase());
        const roles = s.roleIds.map((x) => x.toLowerCase());
        const named = ids.filter((x) => this.userIds.has(x));
        // Without a guest condition anywhere there is no userKind variable: every user is alike there.
        const xs: Formula[] = this.signInVars.has("userKind\u0000") ? [this.signInLeaf("userKind", (k) => k === "member")] : [];
        if (this.userIds.size) xs.push(this.signInLeaf("userId", (x, r) => (named.length ? named.includes(x) : r === this.userIds.size)));
        for (const v of this.variables) {
          if (v.dimension === "group") xs.push(this.leaf(this.variables.indexOf(v), (r) => (r === 1) === groups.includes(v.id!)));
          if (v.dimension === "role") xs.push(this.leaf(this.variables.indexOf(v), (r) => (r === 1) === roles.includes(v.id!)));
        }
        return { k: "and", xs };
      }
      case "not":
        return { k: "not", x: this.selector(s.operand) };
      case "and":
        return { k: "and", xs: s.operands.map((o) => this.selector(o)) };
    }
  }

  collectSelector(s: CoverageSelector): void {
    if (s.kind === "clientApp") this.signInVar("clientApp");
    else if (s.kind === "userKind") this.signInVar("userKind");
    else if (s.kind === "memberOf") this.signInVar("group", s.group.toLowerCase());
    else if (s.kind === "holdsRole") this.signInVar("role", s.role.toLowerCase());
    else if (s.kind === "location") {
      if (s.location.toLowerCase() === "trusted") this.signInVar("trusted");
      else this.signInVar("location", s.location.toLowerCase());
    } else if (s.kind === "filter") this.collect(s.rule);
    else if (s.kind === "not") this.collectSelector(s.operand);
    else if (s.kind === "and") s.operands.forEach((o) => this.collectSelector(o));
  }
}

function regionLabel(atoms: readonly StringAtom[], region: StringRegion): string {
  if (region.atoms.length === 0) return "none/other";
  const eq = region.atoms.find((i) => atoms[i].kind === "eq");
  if (eq !== undefined) return JSON.stringify(atoms[eq].text);
  const verbs: Record<string, string> = { prefix: "startsWith", suffix: "endsWith", contains: "contains" };
  return region.atoms.map((i) => `${verbs[atoms[i].kind]} ${JSON.stringify(atoms[i].text)}`).join(" & ");
}

/** Platforms the policies name (canonical), in a fixed order. */
function namedPlatformsOf(policies: PlainConditionalAccessPolicy[], selectors: CoverageSelector[]): string[] {
  const names = new Set<string>();
  for (const p of policies) {
    for (const x of [...(p.conditions.platforms?.includedPlatforms ?? []), ...(p.conditions.platforms?.excludedPlatforms ?? [])]) {
      const c = canonicalPlatform(x);
      if (c) names.add(c);
    }
  }
  const visit = (s: CoverageSelector): void => {
    if (s.kind === "platform" && s.platform !== undefined) {
      const c = canonicalPlatform(s.platform);
      if (c) names.add(c);
    } else if (s.kind === "not") visit(s.operand);
    else if (s.kind === "and") s.operands.forEach(visit);
  };
  selectors.forEach(visit);
  return Object.keys(PLATFORM_RULES).filter((p) => names.has(p));
}

function describeCell(cell: Cell, variables: Variable[]): string[] {
  const out: string[] = [];
  variables.forEach((v, i) => {
    if (v.kind === VariableKind.Registration || v.kind === VariableKind.UnregisteredPlatform || v.kind === VariableKind.SignIn) return;
    const allowed = cell[i];
    if (allowed === undefined || allowed.length === v.regions.length) return;
    const name = v.kind === VariableKind.Element ? `${v.property} ∋ ${JSON.stringify(v.element)}` : v.property!;
    if (v.kind === VariableKind.Element) {
      out.push(allowed[0] === 1 ? `${v.property} contains ${JSON.stringify(v.element)}` : `${v.property} lacks ${JSON.stringify(v.element)}`);
      return;
    }
    if (v.platformOnly) {
      const text = platformSetText(allowed.map((r) => v.platforms![r]), v.platforms!);
      if (text) out.push(text);
      return;
    }
    const noneRegion = v.regions.length - 1;
    const complement = range(v.regions.length).filter((r) => !allowed.includes(r));
    if (v.kind === VariableKind.String && allowed.includes(noneRegion) && complement.length < allowed.length) {
      out.push(`${name}: anything but ${complement.map((r) => v.labels[r]).join(" | ")}`);
    } else {
      out.push(`${name}: ${allowed.map((r) => v.labels[r]).join(" | ")}`);
    }
  });
  return out;
}

/** A set of platforms for people: "platform: windows | iOS", "platform: anything but windows", or undefined for all. */
function platformSetText(platforms: string[], all: string[]): string | undefined {
  const set = [...new Set(platforms)];
  const universe = [...new Set(all)];
  if (set.length === universe.length) return undefined;
  const missing = universe.filter((p) => !set.includes(p));
  return set.includes("other") && missing.length < set.length ? `platform: anything but ${missing.join(" | ")}` : `platform: ${set.join(" | ")}`;
}

/** The name of a sign-in variable, for people. */
function signInVariableName(v: Variable): string {
  switch (v.dimension) {
    case "clientApp":
      return "client app";
    case "userKind":
      return "user kind";
    case "userId":
      return "user";
    case "homeTenant":
      return "home tenant";
    case "group":
      return `group ${v.id}`;
    case "role":
      return `role ${v.id}`;
    case "location":
      return `location ${v.id}`;
    default:
      return "trusted location";
  }
}

/** The sign-in part of a cell's description: only the dimensions the cell restricts. */
function describeSignIn(cell: Cell, variables: Variable[]): string[] {
  const out: string[] = [];
  variables.forEach((v, i) => {
    const allowed = cell[i];
    if (v.kind !== VariableKind.SignIn || allowed === undefined || allowed.length === v.regions.length) return;
    const yes = allowed[0] === 1;
    if (v.dimension === "group") out.push(yes ? `member of group ${v.id}` : `not in group ${v.id}`);
    else if (v.dimension === "role") out.push(yes ? `holds role ${v.id}` : `does not hold role ${v.id}`);
    else if (v.dimension === "location") out.push(yes ? `from location ${v.id}` : `not from location ${v.id}`);
    else if (v.dimension === "trusted") out.push(yes ? "from a trusted location" : "from an untrusted location");
    else if (v.dimension === "userKind" && allowed.length === v.regions.length - 1 && !allowed.includes(0)) out.push("user kind: any guest or external user");
    else out.push(`${signInVariableName(v)}: ${allowed.map((r) => v.labels[r]).join(" | ")}`);
  });
  return out;
}

function cellDescription(cell: Cell, variables: Variable[], namedPlatforms: string[]): string[] {
  const registered = cell[0]![0] === 0;
  if (!registered) {
    const names = [...namedPlatforms, "other"];
    // Variable 1 is the unregistered platform only when the policies name a platform.
    const p = variables[1]?.kind === VariableKind.UnregisteredPlatform ? cell[1] : undefined;
    return ["unregistered", (p && platformSetText(p.map((i) => names[i]), names)) ?? "any platform", ...describeSignIn(cell, variables)];
  }
  return ["registered", ...describeCell(cell, variables), ...describeSignIn(cell, variables)];
}

/** The sign-in part of a cell's witness (undefined when no sign-in dimension is modelled). */
function signInWitnessOf(cell: Cell, variables: Variable[]): CoverageSignIn | undefined {
  let any = false;
  const w: CoverageSignIn = {};
  const user = () => (w.user ??= { kind: "member", groups: [], roles: [] });
  variables.forEach((v, i) => {
    if (v.kind !== VariableKind.SignIn) return;
    any = true;
    const allowed = cell[i] ?? range(v.regions.length);
    // "Any other" user or tenant reads better than a named one; otherwise the first allowed value.
    const r = v.dimension === "userId" || v.dimension === "homeTenant" ? allowed[allowed.length - 1] : allowed[0];
    switch (v.dimension) {
      case "clientApp":
        w.clientApp = v.labels[r];
        break;
      case "userKind":
        user().kind = v.labels[r];
        break;
      case "userId":
        if (r < v.ids!.length) user().id = v.ids![r];
        else user();
        break;
      case "homeTenant":
        if (r < v.ids!.length) user().homeTenant = v.ids![r];
        break;
      case "group":
        if (r === 1) user().groups.push(v.id!);
        else user();
        break;
      case "role":
        if (r === 1) user().roles.push(v.id!);
        else user();
        break;
      case "location":
        w.location ??= { in: [] };
        if (r === 1) w.location.in.push(v.id!);
        break;
      case "trusted":
        (w.location ??= { in: [] }).trusted = r === 1;
        break;
    }
  });
  if (!any) return undefined;
  // A stable key order for reports: id, kind, homeTenant, groups, roles.
  if (w.user) {
    const { id, kind, homeTenant, groups, roles } = w.user;
    w.user = { ...(id !== undefined ? { id } : {}), kind, ...(homeTenant !== undefined ? { homeTenant } : {}), groups, roles };
  }
  return w;
}

/**
 * Merge cells of one class that differ in a single variable (their union is still a product), so
 * a class reads as few regions as possible. Repeated until nothing merges.
 */
function mergeCells(cells: Cell[], variables: Variable[]): Cell[] {
  let current = cells;
  if (current.length < 2) return current;
  const active = variables.map((_, i) => i).filter((i) => current.some((c) => c[i] !== undefined));
  for (let changed = true; changed && current.length > 1; ) {
    changed = false;
    for (const v of active) {
      if (current.length < 2) break;
      const groups = new Map<string, Cell[]>();
      for (const cell of current) {
        let key = "";
        for (const i of active) key += i === v ? "*|" : cell[i] === undefined ? "|" : `${cell[i]!.join(",")}|`;
        const g = groups.get(key);
        if (g) g.push(cell);
        else groups.set(key, [cell]);
      }
      if (groups.size === current.length) continue;
      changed = true;
      current = [...groups.values()].map((group) => {
        if (group.length === 1) return group[0];
        const merged = group[0].slice();
        if (group.some((c) => c[v] === undefined)) merged[v] = undefined;
        else {
          const union = [...new Set(group.flatMap((c) => c[v]!))].sort((a, b) => a - b);
          merged[v] = union.length === variables[v].regions.length ? undefined : union;
        }
        return merged;
      });
    }
  }
  return current;
}

const WITNESS_PLATFORM_ORDER = ["windows", "iOS", "android", "macOS", "linux", "windowsPhone"];

/** Pick the region to show: a real value (not none/other) when the set allows one; common platforms first. */
function preferredRegion(allowed: number[], v: Variable): number {
  const none = v.regions.length - 1;
  if (v.platformOnly) {
    const rank = (r: number) => {
      const i = WITNESS_PLATFORM_ORDER.indexOf(platformOf(v.regions[r].witness) ?? "");
      return i < 0 ? WITNESS_PLATFORM_ORDER.length : i;
    };
    return [...allowed].sort((a, b) => rank(a) - rank(b) || a - b)[0];
  }
  return allowed.find((r) => r !== none) ?? allowed[0];
}

function witnessOf(cell: Cell, variables: Variable[], namedPlatforms: string[]): InventoryDevice {
  if (cell[0]![0] !== 0) {
    const p = variables[1]?.kind === VariableKind.UnregisteredPlatform ? cell[1]?.[0] : undefined;
    if (p === undefined || p >= namedPlatforms.length) return null;
    const device: UnregisteredDevice = { unregistered: true, operatingSystem: PLATFORM_OPERATING_SYSTEM[namedPlatforms[p]] };
    return device;
  }
  const device: Record<string, unknown> = {};
  variables.forEach((v, i) => {
    const allowed = cell[i];
    if (allowed === undefined) return;
    if (v.kind === VariableKind.Compliant) {
      const r = allowed[0];
      if (r < 2) device.isCompliant = r === 0;
    } else if (v.kind === VariableKind.Element) {
      if (allowed[0] === 1) device[v.property!] = [...((device[v.property!] as string[] | undefined) ?? []), v.element!];
    } else if (v.kind === VariableKind.String) {
      const w = v.regions[preferredRegion(allowed, v)].witness;
      if (w === undefined) return;
      const prop = v.property!;
      if (prop.startsWith("extensionAttribute")) device.extensionAttributes = { ...((device.extensionAttributes as object | undefined) ?? {}), [prop]: w };
      else device[prop] = w;
    }
  });
  return device as GraphDevice;
}

/** The region index of a sign-in for a sign-in variable. */
function signInRegionOf(v: Variable, signIn: CoverageSignIn | undefined): number {
  const user = signIn?.user ?? { kind: "member", groups: [], roles: [] };
  const lower = (xs: string[]) => xs.map((x) => x.toLowerCase());
  switch (v.dimension) {
    case "clientApp": {
      const r = v.labels.findIndex((x) => x.toLowerCase() === signIn?.clientApp?.toLowerCase());
      if (r < 0) throw new Error(`classifying a sign-in: the policies tell client app types apart, and the sign-in's client app type is ${JSON.stringify(signIn?.clientApp)} (expected one of ${v.labels.join(", ")})`);
      return r;
    }
    case "userKind": {
      const r = v.labels.indexOf(user.kind);
      if (r < 0) throw new Error(`classifying a sign-in: ${JSON.stringify(user.kind)} is not a user kind (expected one of ${v.labels.join(", ")})`);
      return r;
    }
    case "userId":
    case "homeTenant": {
      const id = (v.dimension === "userId" ? user.id : user.homeTenant)?.toLowerCase();
      const r = id === undefined ? -1 : v.ids!.indexOf(id);
      return r < 0 ? v.ids!.length : r;
    }
    case "group":
      return lower(user.groups).includes(v.id!) ? 1 : 0;
    case "role":
      return lower(user.roles).includes(v.id!) ? 1 : 0;
    case "location":
      return lower(signIn?.location?.in ?? []).includes(v.id!) ? 1 : 0;
    default:
      return signIn?.location?.trusted === true ? 1 : 0;
  }
}

/** The region index of a device for one variable. */
function regionOf(v: Variable, index: number, device: InventoryDevice, model: CoverageModel, signIn?: CoverageSignIn): number {
  if (v.kind === VariableKind.SignIn) return signInRegionOf(v, signIn);
  const unregistered = device === null || (device as UnregisteredDevice).unregistered === true;
  if (v.kind === VariableKind.Registration) return unregistered ? 1 : 0;
  if (v.kind === VariableKind.UnregisteredPlatform) {
    const p = unregistered && device !== null ? platformOf((device as UnregisteredDevice).operatingSystem) : undefined;
    const i = p === undefined ? -1 : model.namedPlatforms.indexOf(p);
    return i < 0 ? model.namedPlatforms.length : i;
  }
  const graph = unregistered ? null : (device as GraphDevice);
  const raw = readDeviceProperty(graph, v.property!);
  if (v.kind === VariableKind.Compliant) {
    if (raw === true || (typeof raw === "string" && raw.toLowerCase() === "true")) return 0;
    if (raw === false || (typeof raw === "string" && raw.toLowerCase() === "false")) return 1;
    return 2;
  }
  if (v.kind === VariableKind.Element) {
    const wanted = v.element!.toLowerCase();
    const items = typeof raw === "string" ? [raw] : Array.isArray(raw) ? (raw as unknown[]) : [];
    return items.some((x) => typeof x === "string" && x.toLowerCase() === wanted) ? 1 : 0;
  }
  const s = typeof raw === "string" ? raw : typeof raw === "number" ? String(raw) : undefined;
  const region = v.signatureToRegion!.get(stringSignature(v.atoms, s));
  if (region === undefined) throw new Error(`internal: no region for ${v.property} = ${JSON.stringify(s)} (index ${index})`);
  return region;
}

/**
 * The class of a device (any inventory device) and, when the policies tell sign-ins apart on the
 * user, client app or location, of the rest of the sign-in (without it: any other member user, no
 * named location, not trusted; a client app type is then required), by the regions they fall in.
 * Independent of the evaluator: tests compare the class's outcome with the evaluators'.
 */
export function classifyDevice(analysis: CoverageAnalysis, device: InventoryDevice, signIn?: CoverageSignIn): DeviceClass {
  const { variables, cellsByClass } = analysis.model;
  const regions = variables.map((v, i) => regionOf(v, i, device, analysis.model, signIn));
  const inCell = (cell: Cell) => cell.every((allowed, i) => allowed === undefined || allowed.includes(regions[i]));
  const found = cellsByClass.flatMap((cells, i) => (cells.some(inCell) ? [i] : []));
  // The classes partition the device space: exactly one holds the device.
  if (found.length !== 1) throw new Error(`internal: a device falls in ${found.length} classes: ${JSON.stringify(device)}`);
  return analysis.classes[found[0]];
}

function randomCase(s: string, random: () => number): string {
  let out = "";
  for (const ch of s) out += /[a-z]/i.test(ch) && random() < 0.5 ? (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase()) : ch;
  return out;
}

/** A random string of the region: random pieces of the atoms and other characters, kept if the signature matches. */
function randomRegionValue(v: Variable, region: number, random: () => number): string | undefined {
  const target = v.regions[region];
  const key = target.atoms.join(",");
  if (key === "" && random() < 0.3) return undefined;
  const pieces = [...v.atoms.map((a) => a.text), "x", "7", " ", "-", "é"];
  for (let attempt = 0; attempt < 40; attempt++) {
    let s = "";
    const n = 1 + Math.floor(random() * 4);
    for (let i = 0; i < n; i++) {
      const p = pieces[Math.floor(random() * pieces.length)];
      const from = random() < 0.3 ? Math.floor(random() * p.length) : 0;
      const to = random() < 0.3 ? from + Math.floor(random() * (p.length - from + 1)) : p.length;
      s += p.slice(from, to);
    }
    s = randomCase(s, random);
    if (stringSignature(v.atoms, s) === key) return s;
  }
  return target.witness === undefined ? undefined : randomCase(target.witness, random);
}

const UNTESTED_VALUES = ["", "Contoso", "Surface Laptop 5", "10.0.22631", "Windows", "iOS", "AzureAd", "Company", "x"];

/**
 * A random device of a class: a random region of it, random values inside each attribute region
 * (random case, other characters), random values for attributes no rule tests. For tests that the
 * class is exact: every such device must get the class's outcome from `evaluateDevice`.
 */
export function randomClassMember(analysis: CoverageAnalysis, cls: DeviceClass, random: () => number): InventoryDevice {
  const { variables, cellsByClass, namedPlatforms } = analysis.model;
  const cells = cellsByClass[analysis.classes.indexOf(cls)];
  const cell = cells[Math.floor(random() * cells.length)];
  const pick = (i: number) => {
    const allowed = cell[i] ?? range(variables[i].regions.length);
    return allowed[Math.floor(random() * allowed.length)];
  };
  if (pick(0) === 1) {
    const p = namedPlatforms.length ? pick(1) : 0;
    if (p < namedPlatforms.length) return { unregistered: true, operatingSystem: randomCase(PLATFORM_OPERATING_SYSTEM[namedPlatforms[p]], random) };
    // Other or unknown: no platform at all, or one no policy names.
    const others = [undefined, "", "Plan9", ...Object.keys(PLATFORM_OPERATING_SYSTEM).filter((x) => !namedPlatforms.includes(x)).map((x) => PLATFORM_OPERATING_SYSTEM[x])];
    const other = others[Math.floor(random() * others.length)];
    if (other === undefined) return random() < 0.5 ? null : { unregistered: true };
    return { unregistered: true, operatingSystem: randomCase(other, random) };
  }
  const device: Record<string, unknown> = {};
  const tested = new Set<string>();
  variables.forEach((v, i) => {
    if (v.property) tested.add(v.property);
    if (v.kind === VariableKind.Compliant) {
      const r = pick(i);
      if (r < 2) device.isCompliant = random() < 0.5 ? r === 0 : r === 0 ? "True" : "false";
    } else if (v.kind === VariableKind.Element) {
      const list = (device[v.property!] as string[] | undefined) ?? [random() < 0.5 ? "[OrderId]:x" : "AzureResource"];
      if (pick(i) === 1) list.push(randomCase(v.element!, random));
      device[v.property!] = list;
    } else if (v.kind === VariableKind.String) {
      const value = randomRegionValue(v, pick(i), random);
      if (value === undefined) return;
      if (v.property!.startsWith("extensionAttribute") && random() < 0.5) device.extensionAttributes = { ...((device.extensionAttributes as object | undefined) ?? {}), [v.property!]: value };
      else device[v.property!] = value;
    }
  });
  for (const prop of Object.keys(DEVICE_FILTER_PROPERTIES)) {
    if (tested.has(prop) || random() < 0.5) continue;
    const spec = DEVICE_FILTER_PROPERTIES[prop as DeviceProperty];
    device[prop] = spec.boolean ? random() < 0.5 : spec.collection ? ["AzureResource"] : UNTESTED_VALUES[Math.floor(random() * UNTESTED_VALUES.length)];
  }
  return device as GraphDevice;
}

/**
 * What the policies do to one device and the rest of a sign-in (user, client app, location): the
 * device evaluator (`evaluateDevice`) over the policies whose user, client app and location
 * conditions include the sign-in (without `signIn`: any other member user, no named location).
 */
export function evaluateWitness(compiled: CompiledPolicy[], targets: SignInTargets[], device: InventoryDevice, signIn: CoverageSignIn | undefined): DeviceResult {
  const s = signIn ?? {};
  return evaluateDevice(
    // Disabled policies never apply (and the analysis made no variables for their conditions).
    compiled.filter((p, i) => p.state !== PolicyState.Disabled && usersApply(targets[i], s) && clientAppAndLocationApply(targets[i], s)),
    device,
  );
}

/**
 * Every class of devices the policies tell apart. Disabled policies never apply and are not
 * split on. Throws DeviceFilterError for an invalid rule, CoverageLimitError beyond the limits.
 */
export function analyseCoverage(policies: EvaluatedPolicy[], options: CoverageOptions = {}): CoverageAnalysis {
  const selectors = options.selectors ?? [];
  const maxClasses = options.maxClasses ?? 50_000;
  const compiled = policies.map(compilePolicy);
  const targets = policies.map(signInTargetsOf);
  const filters = policies.map((p) => (p.conditions.devices?.filter ? DeviceFilter.parse(p.conditions.devices.filter.rule) : undefined));
  const active = policies.map((p) => p.state !== PolicyState.Disabled);
  const namedPlatforms = namedPlatformsOf(policies, selectors);

  const builder = new ModelBuilder(namedPlatforms);
  filters.forEach((f, i) => f && active[i] && builder.collect(f.ast));
  targets.forEach((t, i) => active[i] && builder.collectTargets(t));
  for (const p of namedPlatforms) builder.collect(PLATFORM_RULES[p]);
  selectors.forEach((s) => builder.collectSelector(s));
  if (options.within) builder.collectSelector(options.within);
  builder.buildRegions();
  const variables = builder.variables;

  // Registered first, so every class is wholly registered or unregistered; then the policies, then the selectors.
  const formulas: Formula[] = [builder.registered()];
  const policyBit: number[] = [];
  policies.forEach((p, i) => {
    if (!active[i]) return policyBit.push(-1);
    policyBit.push(formulas.length);
    formulas.push(builder.applies(p, filters[i], targets[i]));
  });
  const selectorBit = selectors.map((s) => {
    formulas.push(builder.selector(s));
    return formulas.length - 1;
  });

  let classes: { cells: Cell[]; bits: boolean[] }[] = [{ cells: [variables.map(() => undefined)], bits: [] }];
  if (options.within) {
    // Narrowed (--for platform=...,clientApp=...): only the part of the space the selector picks.
    const inside: Cell[] = [];
    splitCell(classes[0].cells[0], builder.selector(options.within), variables, inside, []);
    classes = inside.length ? [{ cells: mergeCells(inside, variables), bits: [] }] : [];
  }
  for (const f of formulas) {
    const next: typeof classes = [];
    for (const cls of classes) {
      const onTrue: Cell[] = [];
      const onFalse: Cell[] = [];
      for (const cell of cls.cells) splitCell(cell, f, variables, onTrue, onFalse);
      // Merge as we go: Shannon splitting fragments a class into cells a later split would multiply.
      if (onTrue.length) next.push({ cells: mergeCells(onTrue, variables), bits: [...cls.bits, true] });
      if (onFalse.length) next.push({ cells: mergeCells(onFalse, variables), bits: [...cls.bits, false] });
    }
    const cells = next.reduce((n, c) => n + c.cells.length, 0);
    if (next.length > maxClasses || cells > maxClasses * 4) {
      throw new CoverageLimitError(
        `the policies tell apart more than ${next.length > maxClasses ? `${maxClasses} kinds of device` : `${maxClasses * 4} device regions`}: ` +
          "many policies test unrelated attributes independently; analyse fewer policies at a time (e.g. one app's: coverage --for app:<id>)",
      );
    }
    classes = next;
  }

  const built = classes.map((cls) => {
    cls.cells = mergeCells(cls.cells, variables);
    const regions: CoverageRegion[] = cls.cells.map((cell) => {
      const signIn = signInWitnessOf(cell, variables);
      return { description: cellDescription(cell, variables, namedPlatforms), witness: witnessOf(cell, variables, namedPlatforms), ...(signIn ? { signIn } : {}) };
    });
    const applyingBits = policyBit.map((b) => b >= 0 && cls.bits[b]);
    const expected = policies.filter((_, i) => applyingBits[i]).map((p) => p.displayName);
    // Exactness check against the evaluator: every region's witness gets exactly these policies.
    let result: DeviceResult | undefined;
    for (const region of regions) {
      const r = evaluateWitness(compiled, targets, region.witness, region.signIn);
      if (r.applying.join("\u0000") !== expected.join("\u0000")) {
        throw new Error(`internal: coverage class disagrees with the evaluator for ${JSON.stringify(region.witness)}: ${r.applying.join(", ")} vs ${expected.join(", ")}`);
      }
      result ??= r;
    }
    return { cls, regions, result: result! };
  });

  const order = built
    .map((b, i) => ({ b, i, key: `${b.regions[0].description[0] === "registered" ? 0 : 1}\u0000${b.regions[0].description.join("\u0000")}` }))
    .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : x.i - y.i));

  const counts: CoverageCounts = { classes: order.length, block: 0, grant: 0, allow: 0, unknown: 0, noPolicy: 0, blockIfReportOnlyEnforced: 0, unknownIfReportOnlyEnforced: 0 };
  const applied = new Map<string, number>();
  const out: DeviceClass[] = order.map(({ b }, n) => {
    const r = b.result;
    counts[r.outcome]++;
    if (r.applying.length === 0) counts.noPolicy++;
    if (r.outcomeIfReportOnlyEnforced === "block") counts.blockIfReportOnlyEnforced++;
    if (r.outcomeIfReportOnlyEnforced === "unknown") counts.unknownIfReportOnlyEnforced++;
    for (const name of r.applying) applied.set(name, (applied.get(name) ?? 0) + 1);
    return {
      id: `C${n + 1}`,
      registered: b.regions[0].description[0] === "registered",
      description: b.regions[0].description,
      witness: b.regions[0].witness,
      ...(b.regions[0].signIn ? { signIn: b.regions[0].signIn } : {}),
      regions: b.regions,
      applying: r.applying,
      outcome: r.outcome,
      controls: r.controls,
      outcomeIfReportOnlyEnforced: r.outcomeIfReportOnlyEnforced,
      selected: selectorBit.map((bit) => b.cls.bits[bit]),
    };
  });

  return {
    policies: policies.map((p) => ({ name: p.displayName, state: p.state, classesApplied: applied.get(p.displayName) ?? 0, ...(p.notModelled?.length ? { notModelled: [...p.notModelled] } : {}) })),
    classes: out,
    counts,
    attributes: variables
      .filter((v) => v.kind !== VariableKind.Registration)
      .map((v) => ({
        name: v.kind === VariableKind.SignIn ? signInVariableName(v) : v.platformOnly ? "platform (registered device, from operatingSystem)" : v.kind === VariableKind.UnregisteredPlatform ? "platform (unregistered sign-in)" : v.kind === VariableKind.Element ? `${v.property} ∋ ${JSON.stringify(v.element)}` : v.property!,
        regions: v.platformOnly ? [...new Set(v.platforms)] : v.labels,
      })),
    source: policies,
    compiled,
    targets,
    signInDimensions: variables.some((v) => v.kind === VariableKind.SignIn),
    model: { variables, cellsByClass: order.map(({ b }) => b.cls.cells), namedPlatforms },
  };
}
