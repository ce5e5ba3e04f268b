/**
 * The tenant-guardrails CrossGuard policies, exported one by one so tests and the offline `plan`
 * call them directly; `index.ts` only serves them as a PolicyPack. Resources are matched by the type
 * tokens the engine records (see docs/policy-pack.md): the azuread Conditional Access policy, the
 * dynamic Intune/Defender resources, azure-native DNS record sets and pricings, and the components'
 * persisted inputs (`tenant-guardrails:index:*`), which only add evidence.
 */
import type {
  EnforcementLevel,
  PolicyPackConfig,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { effectivePolicy, parseDmarcRecord } from "../components/email/dmarc";
import { classifyMachine } from "../components/defender/validate";
import { MachineKind } from "../components/defender/model";
import { FIPS_OMA_URI } from "../components/intune/settings";
import { COMPONENT_TYPE_TOKENS, DYNAMIC_TYPE_TOKENS, PLUGIN_RESOURCE_TYPE_TOKENS, PROVIDER_TYPE_TOKENS } from "../components/common/type-tokens";

// The tokens come from the one table of the package (components/common/type-tokens).
export const CA_POLICY_TYPE = PROVIDER_TYPE_TOKENS.ConditionalAccessPolicy;
/** The Graph-native Conditional Access policy (a dynamic resource: its Graph payload is in `policy`). */
export const GRAPH_CA_POLICY_TYPE = PLUGIN_RESOURCE_TYPE_TOKENS.ConditionalAccessPolicy;
export const CORPORATE_DEVICE_ACCESS_TYPE = COMPONENT_TYPE_TOKENS.CorporateDeviceAccess;
export const VULNERABILITY_ASSESSMENT_TYPE = COMPONENT_TYPE_TOKENS.VulnerabilityAssessment;
export const EMAIL_AUTHENTICATION_TYPE = COMPONENT_TYPE_TOKENS.EmailAuthentication;
export const QUALYS_BYOL_TYPE = DYNAMIC_TYPE_TOKENS.QualysByolSolution;
export const INTUNE_CONFIGURATION_TYPE = DYNAMIC_TYPE_TOKENS.IntuneDeviceConfiguration;
export const DNS_RECORD_SET_TYPE = PROVIDER_TYPE_TOKENS.DnsRecordSet;
export const DEFENDER_PRICING_TYPE = PROVIDER_TYPE_TOKENS.DefenderPricing;

const BITLOCKER_OMA_PREFIX = "./device/vendor/msft/bitlocker/";
/** Stacks treated as production unless the policy config says otherwise. */
export const DEFAULT_PRODUCTION_STACKS = ["prod", "production"];

// ---------------------------------------------------------------------------------------------
// Small helpers over the resource shapes (props may be partial: a policy never throws on them)

type Props = Record<string, unknown>;

function obj(v: unknown): Props {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Props) : {};
}
function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}
function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}
const lower = (s: string) => s.toLowerCase();

/** The stack a URN belongs to: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackOfUrn(urn: string): string {
  return /^urn:pulumi:([^:]+)::/.exec(urn)?.[1] ?? "";
}

/** The qualified type chain of a URN (parent types then own type). */
function typeChain(urn: string): string[] {
  const parts = urn.split("::");
  return parts.length >= 4 ? parts[2].split("$") : [];
}

function isProduction(urn: string, productionStacks: string[] | undefined): boolean {
  const stack = lower(stackOfUrn(urn));
  return (productionStacks ?? DEFAULT_PRODUCTION_STACKS).some((s) => lower(s) === stack);
}

/** A policy's config, with the schema defaults applied (the server may hand over an empty object). */
function configOf<T extends object>(args: { getConfig<C extends object>(): C }, defaults: T): T {
  let given: Partial<T> = {};
  try {
    given = (args.getConfig<Partial<T>>() ?? {}) as Partial<T>;
  } catch {
    given = {};
  }
  const merged = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(given)) if (v !== undefined && k !== "enforcementLevel") merged[k] = v;
  return merged as T;
}

/**
 * One view of a Conditional Access policy of either kind: the azuread resource (provider names:
 * `includedUsers`, `devices.filter`) or the Graph-native resource (Graph names in its `policy`
 * input: `includeUsers`, `devices.deviceFilter`). Undefined for any other resource.
 */
export interface CaPolicyView {
  kind: "azuread" | "graph";
  displayName: string;
  state: string;
  includedUsers: string[];
  excludedUsers: string[];
  excludedGroups: string[];
  excludedRoles: string[];
  includedApplications: string[];
  builtInControls: string[];
  /** The device filter rule, "" when none. */
  deviceRule: string;
}

export function caPolicyView(type: string, props: Props): CaPolicyView | undefined {
  if (type === CA_POLICY_TYPE) {
    const c = obj(props.conditions);
    const users = obj(c.users);
    return {
      kind: "azuread",
      displayName: str(props.displayName),
      state: str(props.state),
      includedUsers: strings(users.includedUsers),
      excludedUsers: strings(users.excludedUsers),
      excludedGroups: strings(users.excludedGroups),
      excludedRoles: strings(users.excludedRoles),
      includedApplications: strings(obj(c.applications).includedApplications),
      builtInControls: strings(obj(props.grantControls).builtInControls),
      deviceRule: str(obj(obj(c.devices).filter).rule),
    };
  }
  if (type === GRAPH_CA_POLICY_TYPE) {
    const policy = obj(props.policy);
    const c = obj(policy.conditions);
    const users = obj(c.users);
    return {
      kind: "graph",
      displayName: str(policy.displayName) || str(props.displayName),
      state: str(policy.state),
      includedUsers: strings(users.includeUsers),
      excludedUsers: strings(users.excludeUsers),
      excludedGroups: strings(users.excludeGroups),
      excludedRoles: strings(users.excludeRoles),
      includedApplications: strings(obj(c.applications).includeApplications),
      builtInControls: strings(obj(policy.grantControls).builtInControls),
      deviceRule: str(obj(obj(c.devices).deviceFilter).rule),
    };
  }
  return undefined;
}

function caLabel(props: Props, name: string): string {
  const display = str(props.displayName);
  return display ? `Conditional Access policy "${display}" (${name})` : `Conditional Access policy ${name}`;
}

// ---------------------------------------------------------------------------------------------
// Mandatory: an enabled CA policy excludes an emergency-access account or group

export interface EmergencyAccessConfig {
  /** Object ids of the tenant's emergency-access (break-glass) users, in addition to those the stack declares. */
  emergencyAccessUserIds: string[];
  /** Object ids of the tenant's emergency-access (break-glass) groups, in addition to those the stack declares. */
  emergencyAccessGroupIds: string[];
}

/** Where the pack's initial config lives, and this policy's entry in it (named in messages). */
export const POLICY_CONFIG_FILE = "policies/policy-config.json";
const EMERGENCY_ACCESS_POLICY = "ca-enabled-policy-excludes-emergency-access";

export interface KnownBreakGlass {
  /** Lower-cased object id to where it was declared. */
  users: Map<string, string>;
  groups: Map<string, string>;
}

/**
 * The break-glass ids a stack's CA policies are checked against: those each CorporateDeviceAccess
 * declares (its persisted `emergencyAccess` input, the stack's own tenant), then the policy config's.
 */
export function knownBreakGlass(resources: PolicyResource[], config: EmergencyAccessConfig): KnownBreakGlass {
  const known: KnownBreakGlass = { users: new Map(), groups: new Map() };
  const add = (into: Map<string, string>, ids: string[], from: string) => {
    for (const id of ids) if (id.trim() !== "" && !into.has(lower(id.trim()))) into.set(lower(id.trim()), from);
  };
  for (const r of resources) {
    if (r.type !== CORPORATE_DEVICE_ACCESS_TYPE && r.type !== GRAPH_CA_POLICY_TYPE) continue;
    const declared = obj(r.props.emergencyAccess);
    const kind = r.type === CORPORATE_DEVICE_ACCESS_TYPE ? "CorporateDeviceAccess" : "ConditionalAccessPolicy";
    add(known.users, strings(declared.userIds), `${kind} "${r.name}" emergencyAccess.userIds`);
    add(known.groups, strings(declared.groupIds), `${kind} "${r.name}" emergencyAccess.groupIds`);
  }
  add(known.users, strings(config.emergencyAccessUserIds), `${POLICY_CONFIG_FILE} emergencyAccessUserIds`);
  add(known.groups, strings(config.emergencyAccessGroupIds), `${POLICY_CONFIG_FILE} emergencyAccessGroupIds`);
  return known;
}

function whereToDeclare(stack: string): string {
  return (
    `declare the tenant's break-glass accounts in the stack file (stacks/Pulumi.${stack || "<stack>"}.yaml: ` +
    `tenant-guardrails:conditionalAccess.emergencyAccess.userIds or .groupIds), or list their object ids in ${POLICY_CONFIG_FILE} ` +
    `under "${EMERGENCY_ACCESS_POLICY}": emergencyAccessUserIds / emergencyAccessGroupIds`
  );
}

export const caEnabledExcludesEmergencyAccess: StackValidationPolicy = {
  name: EMERGENCY_ACCESS_POLICY,
  description:
    "An enabled Conditional Access policy must exclude at least one emergency-access (break-glass) account or group, so a mistake cannot lock every administrator out. " +
    "The break-glass ids are those the stack declares (CorporateDeviceAccess emergencyAccess) and those listed in the policy config; with neither, an enabled policy cannot be checked and is reported.",
  enforcementLevel: "mandatory",
  severity: "critical",
  configSchema: {
    properties: {
      emergencyAccessUserIds: { type: "array", items: { type: "string" }, default: [], description: "Object ids of emergency-access users, in addition to those the stack declares" },
      emergencyAccessGroupIds: { type: "array", items: { type: "string" }, default: [], description: "Object ids of emergency-access groups, in addition to those the stack declares" },
    },
  },
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    const config = configOf<EmergencyAccessConfig>(args, { emergencyAccessUserIds: [], emergencyAccessGroupIds: [] });
    const known = knownBreakGlass(args.resources, config);
    for (const r of args.resources) {
      const view = caPolicyView(r.type, r.props as Props);
      if (!view || view.state !== "enabled") continue;
      const props = { displayName: view.displayName };
      const excludedUsers = view.excludedUsers.map(lower);
      const excludedGroups = view.excludedGroups.map(lower);
      const stack = stackOfUrn(r.urn);
      const excluded = `this policy excludes users: ${excludedUsers.join(", ") || "none"}; groups: ${excludedGroups.join(", ") || "none"}`;
      if (known.users.size + known.groups.size === 0) {
        // Nothing to compare with: a safety check that cannot tell is a finding, not a pass.
        report(
          `${caLabel(props, r.name)} is enabled, but no emergency-access (break-glass) account or group is known to check it against (${excluded}). ` +
            `Fix: ${whereToDeclare(stack)}; or keep the policy in report-only.`,
          r.urn,
        );
        continue;
      }
      if (excludedUsers.some((u) => known.users.has(u)) || excludedGroups.some((g) => known.groups.has(g))) continue;
      const list = (m: Map<string, string>) => [...m].map(([id, from]) => `${id} (${from})`).join(", ") || "none";
      report(
        `${caLabel(props, r.name)} is enabled but excludes none of the tenant's emergency-access (break-glass) accounts or groups ` +
          `(break-glass users: ${list(known.users)}; groups: ${list(known.groups)}; ${excluded}). ` +
          `Fix: exclude one of them from the policy (${view.kind === "graph" ? "ConditionalAccessPolicy emergencyAccess, or conditions.users.excludeUsers / excludeGroups" : "conditions.users.excludedUsers / excludedGroups; CorporateDeviceAccess excludes its emergencyAccess ids itself"}), ` +
          `or, if the policy already excludes the right account, ${whereToDeclare(stack)}; or keep the policy in report-only.`,
        r.urn,
      );
    }
  },
};

// ---------------------------------------------------------------------------------------------
// Mandatory: prod does not leave the corporate-device policy in report-only

export interface ReportOnlyException {
  /** Stack the exception is for. */
  stack: string;
  /** The policy's resource name (e.g. corporate-devices-untrusted-devices), its display name, or its component's name. */
  policy: string;
  /** Why, and who accepted it. */
  reason: string;
  /** Last day (YYYY-MM-DD) the exception holds; absent = no end date. */
  until?: string;
}

export interface CorporateDeviceEnforcedConfig {
  productionStacks: string[];
  reportOnlyExceptions: ReportOnlyException[];
}

/** A CA policy is the corporate-device policy when CorporateDeviceAccess declared it or its device filter tests the trust type. */
export function isCorporateDevicePolicy(urn: string, props: Props, type: string = CA_POLICY_TYPE): boolean {
  if (typeChain(urn).slice(0, -1).includes(CORPORATE_DEVICE_ACCESS_TYPE)) return true;
  return /device\.trusttype/i.test(caPolicyView(type, props)?.deviceRule ?? "");
}

function componentNameOf(urn: string): string {
  // The component name is the prefix of the child name the component gave (`${name}-<suffix>`).
  return urn.split("::").pop()?.replace(/-(untrusted-devices|other-platforms)$/, "") ?? "";
}

export const corporateDevicePolicyEnforcedInProd: ResourceValidationPolicy = {
  name: "corporate-device-policy-enforced-in-prod",
  description:
    "In a production stack the corporate-device Conditional Access policy must be enabled, not report-only or off, unless a named exception is configured.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      productionStacks: { type: "array", items: { type: "string" }, default: DEFAULT_PRODUCTION_STACKS, description: "Stack names treated as production" },
      reportOnlyExceptions: {
        type: "array",
        default: [],
        description: "Named exceptions: { stack, policy, reason, until? }",
        items: {
          type: "object",
          properties: { stack: { type: "string" }, policy: { type: "string" }, reason: { type: "string" }, until: { type: "string" } },
          required: ["stack", "policy", "reason"],
        },
      },
    },
  },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    const view = caPolicyView(args.type, args.props as Props);
    if (!view) return;
    const props = { displayName: view.displayName };
    const config = configOf<CorporateDeviceEnforcedConfig>(args, { productionStacks: DEFAULT_PRODUCTION_STACKS, reportOnlyExceptions: [] });
    if (!isProduction(args.urn, config.productionStacks) || !isCorporateDevicePolicy(args.urn, args.props as Props, args.type)) return;
    const state = view.state;
    if (state === "enabled") return;
    const stack = stackOfUrn(args.urn);
    const names = [args.name, str(props.displayName), componentNameOf(args.urn)].filter(Boolean).map(lower);
    const today = new Date().toISOString().slice(0, 10);
    const exception = config.reportOnlyExceptions.find(
      (e) => lower(str(e.stack)) === lower(stack) && names.includes(lower(str(e.policy))) && str(e.reason).trim() !== "" && (!e.until || str(e.until) >= today),
    );
    if (exception) return;
    const expired = config.reportOnlyExceptions.find((e) => lower(str(e.stack)) === lower(stack) && names.includes(lower(str(e.policy))) && e.until && str(e.until) < today);
    report(
      `${caLabel(props, args.name)} is "${state || "(no state)"}" in production stack "${stack}": corporate devices are not enforced` +
        (expired ? ` (the exception for it ended on ${expired.until})` : "") +
        `. Fix: set state "enabled" (CorporateDeviceAccess: state: enabled), or add a named exception to the policy config: ` +
        `reportOnlyExceptions: [{ stack: "${stack}", policy: "${args.name}", reason: "<why and who accepted it>", until: "<YYYY-MM-DD>" }].`,
    );
  },
};

// ---------------------------------------------------------------------------------------------
// Mandatory: no Qualys BYOL in a subscription with Arc machines

export interface QualysArcConfig {
  /** Subscriptions known (from elsewhere) to hold Azure Arc machines. */
  arcSubscriptionIds: string[];
}

/** Subscriptions with Arc machines, as far as the stack and the config tell. */
export function arcSubscriptions(resources: PolicyResource[], configured: string[]): Map<string, string> {
  const found = new Map<string, string>(configured.map((s) => [lower(s), "listed in the policy config (arcSubscriptionIds)"]));
  for (const r of resources) {
    if (r.type === VULNERABILITY_ASSESSMENT_TYPE) {
      for (const m of Array.isArray(r.props.machines) ? (r.props.machines as unknown[]) : []) {
        const machine = typeof m === "string" ? { id: m } : (obj(m) as { id?: string; type?: string });
        const c = classifyMachine(machine);
        if (c.kind === MachineKind.Arc && c.subscriptionId && !found.has(c.subscriptionId)) found.set(c.subscriptionId, `Arc machine ${c.id} (in ${r.name})`);
      }
    }
  }
  return found;
}

export const noQualysByolWithArcMachines: StackValidationPolicy = {
  name: "no-qualys-byol-with-arc-machines",
  description:
    "A Qualys BYOL solution covers Azure VMs only; a subscription that holds Azure Arc machines must use the built-in scanner (MDVM), or its Arc machines get no vulnerability assessment.",
  enforcementLevel: "mandatory",
  severity: "critical",
  configSchema: {
    properties: {
      arcSubscriptionIds: { type: "array", items: { type: "string" }, default: [], description: "Subscriptions known to hold Azure Arc machines" },
    },
  },
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    const config = configOf<QualysArcConfig>(args, { arcSubscriptionIds: [] });
    const arc = arcSubscriptions(args.resources, config.arcSubscriptionIds);
    for (const r of args.resources) {
      const byol =
        r.type === QUALYS_BYOL_TYPE || (r.type === VULNERABILITY_ASSESSMENT_TYPE && lower(str(r.props.provider)) === "qualysbyol");
      if (!byol) continue;
      const sub = lower(str(r.props.subscriptionId));
      const why = arc.get(sub);
      if (!why) continue;
      report(
        `Qualys BYOL ${r.name} is declared in subscription ${sub}, which has Azure Arc machines (${why}); BYOL covers Azure VMs only. ` +
          `Fix: use provider "builtIn" (Defender for Servers with MDVM) for this subscription, or move the Arc machines out of it.`,
        r.urn,
      );
    }
  },
};

// ---------------------------------------------------------------------------------------------
// Mandatory: FIPS assigned wherever BitLocker is

export interface FipsWhereBitLockerConfig {
  /** Device groups whose devices get FIPS mode from Group Policy instead of Intune. */
  groupsWithFipsFromGroupPolicy: string[];
}

function omaUris(r: PolicyResource): { uri: string; value: string }[] {
  const settings = Array.isArray(r.props.omaSettings) ? (r.props.omaSettings as unknown[]) : [];
  return settings.map((s) => ({ uri: lower(str(obj(s).omaUri)), value: String(obj(s).value ?? "") }));
}

export const fipsWhereverBitLocker: StackValidationPolicy = {
  name: "fips-assigned-wherever-bitlocker",
  description:
    "Every device group that receives the BitLocker profile must also receive the FIPS profile (and not be excluded from it): BitLocker keys generated outside FIPS mode are not FIPS-compliant.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      groupsWithFipsFromGroupPolicy: { type: "array", items: { type: "string" }, default: [], description: "Groups whose devices get FIPS mode from a GPO" },
    },
  },
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    const config = configOf<FipsWhereBitLockerConfig>(args, { groupsWithFipsFromGroupPolicy: [] });
    const profiles = args.resources.filter((r) => r.type === INTUNE_CONFIGURATION_TYPE);
    const fipsCovered = new Set(config.groupsWithFipsFromGroupPolicy.map(lower));
    for (const p of profiles) {
      if (!omaUris(p).some((s) => s.uri === lower(FIPS_OMA_URI) && s.value.trim() === "1")) continue;
      const excluded = new Set(strings(p.props.excludeGroupIds).map(lower));
      for (const g of strings(p.props.includeGroupIds).map(lower)) if (!excluded.has(g)) fipsCovered.add(g);
    }
    for (const p of profiles) {
      if (!omaUris(p).some((s) => s.uri.startsWith(BITLOCKER_OMA_PREFIX))) continue;
      const missing = strings(p.props.includeGroupIds).map(lower).filter((g) => !fipsCovered.has(g));
      if (missing.length === 0) continue;
      report(
        `BitLocker profile ${p.name} (${str(p.props.displayName) || "no display name"}) is assigned to group(s) ${missing.join(", ")} that no FIPS profile covers. ` +
          `Fix: include the same groups in the FIPS profile's assignment (FipsDeviceConfiguration assigns both to assignment.includeGroupIds), ` +
          `or list groups that get FIPS from a GPO in the policy config (groupsWithFipsFromGroupPolicy).`,
        p.urn,
      );
    }
  },
};

// ---------------------------------------------------------------------------------------------
// DNS helpers: DMARC and SPF records by domain

interface DomainRecords {
  dmarc?: { text: string; resource: PolicyResource };
  spf?: string;
  dkim: boolean;
}

function fqdn(relative: string, zone: string): string {
  const rel = lower(relative.trim());
  return rel === "@" || rel === "" ? lower(zone) : `${rel}.${lower(zone)}`;
}

function txtValues(r: PolicyResource): string[] {
  const records = Array.isArray(r.props.txtRecords) ? (r.props.txtRecords as unknown[]) : [];
  return records.map((t) => strings(obj(t).value).join(""));
}

/** DMARC, SPF and DKIM records the stack declares in Azure DNS, by domain. */
export function emailRecordsByDomain(resources: PolicyResource[]): Map<string, DomainRecords> {
  const byDomain = new Map<string, DomainRecords>();
  const get = (d: string) => byDomain.get(d) ?? byDomain.set(d, { dkim: false }).get(d)!;
  for (const r of resources) {
    if (r.type !== DNS_RECORD_SET_TYPE) continue;
    const zone = str(r.props.zoneName);
    const name = fqdn(str(r.props.relativeRecordSetName), zone);
    const recordType = str(r.props.recordType).toUpperCase();
    if (recordType === "TXT" && name.startsWith("_dmarc.")) {
      const text = txtValues(r).find((t) => /^\s*v\s*=\s*DMARC1/i.test(t));
      if (text !== undefined) get(name.slice("_dmarc.".length)).dmarc = { text, resource: r };
    } else if (recordType === "TXT") {
      const spf = txtValues(r).find((t) => /^v=spf1(\s|$)/i.test(t.trim()));
      if (spf !== undefined) get(name).spf = spf.trim();
    } else if (/^[^.]+\._domainkey\./.test(name)) {
      get(name.replace(/^[^.]+\._domainkey\./, "")).dkim = true;
    }
  }
  return byDomain;
}

/** A domain sends mail unless it publishes the null SPF record (`v=spf1 -all`) and no DKIM key. */
export function sendsMail(records: DomainRecords): boolean {
  const nullSpf = records.spf !== undefined && /^v=spf1\s+-all$/i.test(records.spf.replace(/\s+/g, " "));
  return !(nullSpf && !records.dkim);
}

export interface DmarcRejectConfig {
  productionStacks: string[];
}

export const dmarcRejectInProd: StackValidationPolicy = {
  name: "dmarc-reject-in-prod",
  description:
    "In a production stack, every domain that sends mail publishes DMARC p=reject (not in test mode), so receivers reject mail that spoofs it.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      productionStacks: { type: "array", items: { type: "string" }, default: DEFAULT_PRODUCTION_STACKS, description: "Stack names treated as production" },
    },
  },
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    const config = configOf<DmarcRejectConfig>(args, { productionStacks: DEFAULT_PRODUCTION_STACKS });
    for (const [domain, records] of emailRecordsByDomain(args.resources)) {
      const dmarc = records.dmarc;
      if (!dmarc || !isProduction(dmarc.resource.urn, config.productionStacks) || !sendsMail(records)) continue;
      const parsed = parseDmarcRecord(dmarc.text);
      const effective = parsed.record ? effectivePolicy(parsed.record) : undefined;
      const pct = parsed.tags.find((t) => t.name === "pct");
      const partial = pct !== undefined && Number(pct.value) < 100;
      if (effective === "reject" && !partial) continue;
      const why = !parsed.record?.p
        ? "has no valid policy"
        : parsed.record.t === "y" && parsed.record.p === "reject"
          ? "has p=reject in test mode (t=y), which receivers apply as quarantine"
          : partial
            ? `applies p=reject to only pct=${pct!.value}% of failing mail`
            : `has p=${parsed.record.p}`;
      report(
        `DMARC record of ${domain} (${dmarc.resource.name}) ${why} in production stack "${stackOfUrn(dmarc.resource.urn)}", and ${domain} sends mail. ` +
          `Fix: publish p=reject (EmailAuthentication: dmarcPolicy: reject) once the aggregate reports show all legitimate mail aligned; ` +
          `a domain that sends no mail should publish "v=spf1 -all" and no DKIM key.`,
        dmarc.resource.urn,
      );
    }
  },
};

// ---------------------------------------------------------------------------------------------
// Advisory policies: choices a team may reasonably make differently

export const caBlockAllWithoutExclusions: ResourceValidationPolicy = {
  name: "ca-block-all-without-exclusions",
  description: "A Conditional Access policy that blocks all users on all applications with no exclusion at all can lock the whole tenant out, even before it is enabled by mistake.",
  enforcementLevel: "advisory",
  severity: "high",
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    const view = caPolicyView(args.type, args.props as Props);
    if (!view || view.state === "disabled") return;
    const props = { displayName: view.displayName };
    const blocks = view.builtInControls.map(lower).includes("block");
    const allUsers = view.includedUsers.map(lower).includes("all");
    const allApps = view.includedApplications.map(lower).includes("all");
    const exclusions = view.excludedUsers.length + view.excludedGroups.length + view.excludedRoles.length > 0;
    if (blocks && allUsers && allApps && !exclusions) {
      report(`${caLabel(props, args.name)} blocks all users on all applications and excludes nobody. Fix: exclude the break-glass accounts, or narrow the users or applications.`);
    }
  },
};

export const dmarcAggregateReports: StackValidationPolicy = {
  name: "dmarc-aggregate-reports",
  description: "A DMARC record without rua= gets no aggregate reports, so nobody sees which senders fail before the policy is tightened.",
  enforcementLevel: "advisory",
  severity: "medium",
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    for (const [domain, records] of emailRecordsByDomain(args.resources)) {
      if (!records.dmarc) continue;
      const parsed = parseDmarcRecord(records.dmarc.text);
      if ((parsed.record?.rua ?? []).length > 0) continue;
      report(
        `DMARC record of ${domain} (${records.dmarc.resource.name}) has no rua= aggregate report address. Fix: add dmarc.aggregateReportUris (e.g. mailto:dmarc-reports@<domain>).`,
        records.dmarc.resource.urn,
      );
    }
  },
};

export interface DefenderPlanConfig {
  productionStacks: string[];
}

export const defenderServersP2InProd: ResourceValidationPolicy = {
  name: "defender-servers-p2-in-prod",
  description:
    "Defender for Servers P1 includes MDVM but not agentless scanning or the premium vulnerability assessment; production often wants P2. Teams may accept P1 for cost.",
  enforcementLevel: "advisory",
  severity: "low",
  configSchema: {
    properties: {
      productionStacks: { type: "array", items: { type: "string" }, default: DEFAULT_PRODUCTION_STACKS, description: "Stack names treated as production" },
    },
  },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    if (args.type !== DEFENDER_PRICING_TYPE) return;
    const props = args.props as Props;
    if (str(props.pricingName) !== "VirtualMachines" || str(props.pricingTier) !== "Standard" || str(props.subPlan) !== "P1") return;
    const config = configOf<DefenderPlanConfig>(args, { productionStacks: DEFAULT_PRODUCTION_STACKS });
    if (!isProduction(args.urn, config.productionStacks)) return;
    report(`Defender for Servers plan ${args.name} is P1 in production stack "${stackOfUrn(args.urn)}": no agentless scanning. Fix (if the cost is accepted): builtIn.subPlan: P2.`);
  },
};

/** Every policy of the pack, in the order findings are listed. */
export const allPolicies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
  caEnabledExcludesEmergencyAccess,
  corporateDevicePolicyEnforcedInProd,
  noQualysByolWithArcMachines,
  fipsWhereverBitLocker,
  dmarcRejectInProd,
  caBlockAllWithoutExclusions,
  dmarcAggregateReports,
  defenderServersP2InProd,
];

/**
 * The pack's initial config with each policy's own enforcement level written into its entry.
 * An entry that gives only properties reaches the Pulumi CLI with the protocol's default level,
 * which is "advisory": the CLI would then report a mandatory policy as advisory and let the
 * update through. An enforcement level given in the config is kept.
 */
export function initialPackConfig(config: PolicyPackConfig, policies: { name: string; enforcementLevel?: EnforcementLevel }[] = allPolicies): PolicyPackConfig {
  const levels = new Map(policies.map((p) => [p.name, p.enforcementLevel ?? "advisory"] as const));
  const result: PolicyPackConfig = {};
  for (const [name, entry] of Object.entries(config)) {
    const level = levels.get(name);
    if (typeof entry === "string" || level === undefined || entry.enforcementLevel !== undefined) result[name] = entry;
    else result[name] = { ...entry, enforcementLevel: level };
  }
  return result;
}
