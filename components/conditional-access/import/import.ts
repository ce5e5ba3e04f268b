/**
 * Import Conditional Access policies from Microsoft Graph exports: the exact `@pulumi/azuread`
 * ConditionalAccessPolicy args, the `pulumi import` command, and CorporateDeviceAccess args where a
 * policy has the shape that component declares. Pure: no Pulumi, no network.
 */
import { ExportDecodeError, MAX_EXPORT_BYTES, excerpt, exportItems, exportTooLarge, readExport, type ExportEncoding } from "./decode";
import { recogniseCorporateDeviceAccess, recognisePlatformCompanion } from "./recognise";
import type { PlainCorporateDeviceAccessArgs } from "../component/corporate-device-policy";
import type { PlainConditionalAccessPolicy, PlainUsersCondition } from "../policy-shape";
import { STATES, GUID, NIL_GUID, READ_ONLY_POLICY_KEYS, type Json, isAnnotationKey, isObject, asText, isEmpty, Context, canonicalEnum, compact } from "./fields";
import { resolvePlaceholders } from "./placeholders";
import { convertConditions, convertGrantControls, convertSessionControls } from "./graph-to-args";
import { resourceNameFor, uniqueName, policyName } from "./names";
import { shellQuote, importIdOf, resourceSnippet, componentSnippet, graphSnippet } from "./snippets";
import { normaliseConditionalAccessPolicy, type PlainGraphConditionalAccessPolicyArgs } from "../graph-policy/normalise";
import type { PolicyProblem } from "./fields";
import { COMPONENT_TYPE_TOKENS, PLUGIN_RESOURCE_TYPE_TOKENS, PROVIDER_TYPE_TOKENS } from "../../common/type-tokens";
import { throwIfProblems, type InputProblem } from "../../errors";
import type { Normalised } from "../../common/normalised";

/** The Pulumi type token of the azuread Conditional Access policy. */
export const AZUREAD_POLICY_TYPE = PROVIDER_TYPE_TOKENS.ConditionalAccessPolicy;
/** The Graph-native policy, a custom resource of the package's plugin; imported by its bare Graph id. */
export const GRAPH_POLICY_TYPE = PLUGIN_RESOURCE_TYPE_TOKENS.ConditionalAccessPolicy;
/** The Pulumi type token of the {@link CorporateDeviceAccess} component. */
export const CORPORATE_DEVICE_ACCESS_TYPE = COMPONENT_TYPE_TOKENS.CorporateDeviceAccess;
/** The prefix of a Conditional Access policy's import id in the azuread provider. */
export const IMPORT_ID_PREFIX = "/identity/conditionalAccess/policies/";
/** The prefix of an authentication strength policy's id in Microsoft Graph. */
export const AUTHENTICATION_STRENGTH_PREFIX = "/policies/authenticationStrengthPolicies/";

/** How an imported policy is best declared. */
export const ImportKind = {
  /** As a CorporateDeviceAccess component (the policy has the shape the component declares). */
  Component: "component",
  /** As a raw azuread ConditionalAccessPolicy resource. */
  Resource: "resource",
  /** As the Graph-native ConditionalAccessPolicy resource: the policy has settings azuread cannot express. */
  Graph: "graph",
} as const;
export type ImportKind = (typeof ImportKind)[keyof typeof ImportKind];

/** Something the importer changed or decided, in words a reviewer reads. */
export interface ImportNote {
  /** Stable machine-readable code, e.g. "legacy-device-condition". */
  code: string;
  message: string;
}

/** One policy of a Graph export, converted to azuread arguments (and to a component where it fits). */
export interface ImportedPolicy {
  /** File name (or "<input>") the policy came from. */
  source: string;
  /** 0-based position of the policy in its export. */
  index: number;
  /** Graph object id; undefined for exports without ids (e.g. POST request bodies). */
  id: string | undefined;
  displayName: string;
  /** Pulumi resource name (unique within one import run). */
  resourceName: string;
  kind: ImportKind;
  /**
   * The exact azuread ConditionalAccessPolicy args (what the tenant has today). For kind "graph",
   * only the part azuread can express: the policy is declared by `graph`.
   */
  resource: PlainConditionalAccessPolicy;
  /** Graph-native ConditionalAccessPolicy args, when kind is "graph" (every setting of the policy). */
  graph?: PlainGraphConditionalAccessPolicyArgs;
  /** Graph API version of a "graph" policy: "v1.0", or "beta" when it uses a beta-only property. */
  apiVersion?: string;
  /** CorporateDeviceAccess args, when kind is "component" (undefined on a policy that is part of another's component). */
  component: PlainCorporateDeviceAccessArgs | undefined;
  /** Resource name of the imported component that declares this policy as its second child (platforms). */
  partOf: string | undefined;
  /** `pulumi import` command line; undefined when the export has no id. */
  importCommand: string | undefined;
  /** For components: the `pulumi import --file` document adopting the policy under the component. */
  importFile: ImportFile | undefined;
  /** TypeScript to paste into a stack module. */
  typescript: string;
  notes: ImportNote[];
  /**
   * The break-glass ids of `ImportOptions.emergencyAccess` this importer added to the policy's
   * user exclusions, because the lockout rule would have refused it otherwise; undefined when none.
   */
  emergencyAccessAdded: EmergencyAccessIds | undefined;
}

/** The document `pulumi import --file` reads. */
export interface ImportFile {
  resources: { type: string; name: string; id?: string; parent?: string; component?: boolean }[];
}

/** A policy (or a whole file) that could not be imported. */
export interface PolicyImportError {
  source: string;
  /** Position of the policy in its export; undefined when the whole file failed. */
  index: number | undefined;
  /** Display name (or derived name) of the policy, when known. */
  policy: string | undefined;
  /** Path of the offending field, e.g. "conditions.devices.deviceFilter.rule". */
  field: string | undefined;
  /** Character position in a device filter rule, for rule errors. */
  position: number | undefined;
  /** The device filter rule, for rule errors (to show the position). */
  rule: string | undefined;
  message: string;
  fix: string | undefined;
}

/** What an import produced: the files read, each imported policy, and every problem found. */
export interface ImportResult {
  /** Every file read, with how its bytes were decoded. */
  files: { source: string; encoding: string }[];
  policies: ImportedPolicy[];
  errors: PolicyImportError[];
}

/** Break-glass (emergency-access) accounts and groups by object id, as CorporateDeviceAccess names them. */
export interface EmergencyAccessIds {
  userIds: string[];
  groupIds: string[];
}

/** The name the import functions' option errors carry. */
export const IMPORT_OPTIONS_COMPONENT = "importConditionalAccessPolicies";

/**
 * Validate `ImportOptions.emergencyAccess`: every entry an object id (GUID, not the nil GUID),
 * trimmed, lower-cased (as Graph writes object ids) and without repeats.
 */
export function normaliseEmergencyAccess(value: unknown): Normalised<EmergencyAccessIds> {
  const problems: InputProblem[] = [];
  if (value === undefined || value === null) return { value: { userIds: [], groupIds: [] }, problems };
  if (typeof value !== "object" || Array.isArray(value)) {
    return { problems: [{ field: "emergencyAccess", value, problem: "expected { userIds, groupIds }", fix: 'give { userIds: ["<user object id>"], groupIds: ["<group object id>"] }' }] };
  }
  const out: EmergencyAccessIds = { userIds: [], groupIds: [] };
  for (const [key, what] of [["groupIds", "group"], ["userIds", "user"]] as const) {
    const list = (value as Record<string, unknown>)[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      problems.push({ field: `emergencyAccess.${key}`, value: list, problem: `expected a list of ${what} object ids`, fix: `give a list, e.g. ["<${what} object id>"]` });
      continue;
    }
    list.forEach((v, i) => {
      const id = typeof v === "string" ? v.trim().toLowerCase() : "";
      if (GUID.test(id) && id !== NIL_GUID) {
        if (!out[key].includes(id)) out[key].push(id);
        return;
      }
      problems.push({
        field: `emergencyAccess.${key}[${i}]`,
        value: v,
        problem: id === NIL_GUID ? `the nil GUID is a template value, not a ${what} object id` : `not a ${what} object id (GUID)`,
        fix: `use the object id of your break-glass ${what === "user" ? "account" : "group"} from Entra ID (e.g. 3c8e1f2a-9b7d-4e6c-a5f4-2d1e0c9b8a7f)`,
      });
    });
  }
  return problems.length ? { problems } : { value: out, problems };
}

/** Options of the import: the source name, values for template placeholders, resource names already taken. */
export interface ImportOptions {
  /** File name of the export: used in messages and to name policies without displayName. */
  sourceName?: string;
  /** Values for placeholder tokens (e.g. "ENTRAGROUP_Break glass_ENTRAGROUP" -> a group object id). */
  placeholderValues?: Record<string, string>;
  /** Resource names already taken (e.g. by earlier files of the same run); updated in place. */
  takenResourceNames?: Set<string>;
  /**
   * The tenant's break-glass accounts and group (object ids). Added to the user exclusions of
   * exactly the policies the lockout rule would refuse (enabled, all users, a grant control, no
   * user or group excluded by id), each with an `emergency-access-added` note; no other policy
   * changes. Without them such a policy is refused. Invalid ids throw a GuardrailInputError.
   */
  emergencyAccess?: { userIds: string[]; groupIds: string[] };
}

/** One input file for a multi-file import. */
export interface ExportFile {
  name: string;
  content: Uint8Array | string;
  /** Size of the file on disk, when known before reading it: a file over MAX_EXPORT_BYTES is refused unread. */
  sizeBytes?: number;
}

// ---------------------------------------------------------------------------------------------
// Import

/**
 * The lockout rule of CorporateDeviceAccess, for every imported policy: an enabled policy that
 * blocks all users, or requires a control of them, must exclude at least one user or group by
 * object id (the break-glass accounts). Excluded guests or roles do not count. Returns what the
 * policy does to all users when the rule refuses it, undefined when the rule holds.
 */
function lockoutOf(state: string | undefined, users: PlainUsersCondition, grant: PlainConditionalAccessPolicy["grantControls"]): string | undefined {
  if (state !== "enabled" || !grant || !(users.includedUsers ?? []).includes("All")) return undefined;
  const excludedIds = (users.excludedUsers ?? []).filter((u) => GUID.test(u));
  if (excludedIds.length + (users.excludedGroups ?? []).length > 0) return undefined;
  const controls = [...(grant.builtInControls ?? []), ...(grant.authenticationStrengthPolicyId ? ["authentication strength"] : []), ...(grant.termsOfUses ? ["terms of use"] : []), ...(grant.customAuthenticationFactors ?? [])];
  return controls.length === 1 && controls[0] === "block" ? "blocks all users" : `blocks all users or requires a control of them (${controls.join(", ")})`;
}

/** The fix of the lockout rule's refusal. */
export const LOCKOUT_FIX =
  "give your break-glass group or accounts with import-ca --emergency-access-group <objectId> or --emergency-access-user <objectId> (options.emergencyAccess from code; repeatable): " +
  "they are added to the exclusions of every policy this rule refuses. Or exclude them in the export (conditions.users.excludeUsers or excludeGroups; use --map when the export has a placeholder for them), " +
  'or import the policy with state "enabledForReportingButNotEnforced"';

/**
 * The lockout rule applied: with break-glass ids, they are added to the policy's exclusions
 * (returned, to be noted); without, the policy is refused.
 */
function applyLockoutRule(ctx: Context, state: string | undefined, users: PlainUsersCondition, grant: PlainConditionalAccessPolicy["grantControls"], emergencyAccess: EmergencyAccessIds): EmergencyAccessIds | undefined {
  const what = lockoutOf(state, users, grant);
  if (what === undefined) return undefined;
  if (emergencyAccess.userIds.length + emergencyAccess.groupIds.length === 0) {
    ctx.problem(
      "conditions.users.excludeGroups",
      `an enabled policy that ${what} must exclude at least one emergency-access (break-glass) account or group, or a mistake locks every administrator out; this one excludes none`,
      LOCKOUT_FIX,
    );
    return undefined;
  }
  if (emergencyAccess.userIds.length) users.excludedUsers = [...(users.excludedUsers ?? []), ...emergencyAccess.userIds];
  if (emergencyAccess.groupIds.length) users.excludedGroups = [...(users.excludedGroups ?? []), ...emergencyAccess.groupIds];
  return emergencyAccess;
}

/** The `emergency-access-added` note of a policy that got the break-glass exclusion, in the words of its kind. */
function noteEmergencyAccess(ctx: Context, added: EmergencyAccessIds, kind: ImportKind, id: string | undefined): void {
  const ids = [
    added.groupIds.length ? `group${added.groupIds.length > 1 ? "s" : ""} ${added.groupIds.join(", ")}` : "",
    added.userIds.length ? `user${added.userIds.length > 1 ? "s" : ""} ${added.userIds.join(", ")}` : "",
  ].filter(Boolean);
  const fields = (graph: boolean) =>
    [added.groupIds.length ? (graph ? "excludeGroups" : "excludedGroups") : "", added.userIds.length ? (graph ? "excludeUsers" : "excludedUsers") : ""]
      .filter(Boolean)
      .map((f) => `conditions.users.${f}`)
      .join(" and ");
  const where =
    kind === ImportKind.Component
      ? "as the component's emergencyAccess"
      : kind === ImportKind.Graph
        ? `as the resource's emergencyAccess (which adds them to ${fields(true)})`
        : `to ${fields(false)}`;
  const tenant = !id
    ? "pulumi up creates the policy with this exclusion"
    : kind === ImportKind.Resource || kind === ImportKind.Graph
      ? "the tenant's policy does not exclude them yet: adopt it with the pulumi import command (the snippet has no import option, as Pulumi refuses an import whose inputs differ from the policy), then the first pulumi up adds this exclusion to the tenant's policy, a change to the tenant made on purpose"
      : "the tenant's policy does not exclude them yet: the first pulumi up adds this exclusion to the tenant's policy, a change to the tenant made on purpose";
  ctx.note(
    "emergency-access-added",
    `the policy excludes no break-glass account or group by id, which the lockout rule refuses for an enabled policy on all users: added the emergency-access ${ids.join(" and ")} ${where}; ${tenant}`,
  );
}

/** Convert one Graph policy object; problems are returned, never thrown. */
function importOne(raw: unknown, index: number, count: number, options: ImportOptions, emergencyAccess: EmergencyAccessIds, taken: Set<string>): { policy?: ImportedPolicy; errors: PolicyImportError[] } {
  const source = options.sourceName ?? "<input>";
  const fail = (message: string, fix?: string, policy?: string): { errors: PolicyImportError[] } => ({
    errors: [{ source, index, policy, field: undefined, position: undefined, rule: undefined, message, fix }],
  });
  if (!isObject(raw)) return fail(`item #${index + 1} is ${excerpt(raw)}, not a Conditional Access policy object`);
  const odataType = raw["@odata.type"];
  if (typeof odataType === "string" && !/conditionalAccessPolicy$/i.test(odataType)) {
    const label = typeof raw.displayName === "string" ? raw.displayName : undefined;
    return fail(`item #${index + 1} is a ${odataType.replace(/^#/, "").slice(0, 100)}, not a Conditional Access policy`, "import only files of GET /identity/conditionalAccess/policies", label);
  }
  if (!("conditions" in raw)) {
    const label = typeof raw.displayName === "string" ? raw.displayName : undefined;
    return fail(`item #${index + 1} has no "conditions": not a Conditional Access policy`, "import only files of GET /identity/conditionalAccess/policies", label);
  }

  const ctx = new Context();
  const displayNameRaw = policyName(ctx, raw, index, count, options.sourceName);
  const resolved = resolvePlaceholders(ctx, { ...raw, displayName: displayNameRaw }, "", options.placeholderValues ?? {}) as Json;
  const displayName = resolved.displayName as string;

  for (const [key, value] of Object.entries(resolved)) {
    if (isAnnotationKey(key) || READ_ONLY_POLICY_KEYS.has(key) || ["displayName", "state", "conditions", "grantControls", "sessionControls"].includes(key)) continue;
    if (!isEmpty(value)) ctx.note("ignored-field", `${key} is not part of the azuread resource and was ignored`);
  }

  const state = canonicalEnum(ctx, "state", asText(resolved.state ?? ""), STATES);
  const conditions = convertConditions(ctx, resolved.conditions);
  const grantControls = convertGrantControls(ctx, resolved.grantControls);
  const sessionControls = convertSessionControls(ctx, resolved.sessionControls);
  // Unless a control was refused already (then this would only repeat it).
  if (!grantControls && !sessionControls && !ctx.problems.some((p) => /^(grantControls|sessionControls)\b/.test(p.field))) {
    ctx.problem("grantControls", "the policy has neither grant controls nor session controls (the provider requires one)", "add a grant control such as block or mfa");
  }
  const id = typeof resolved.id === "string" && resolved.id.trim() ? resolved.id.trim() : undefined;
  if (id !== undefined && /[\u0000-\u001f\u007f]/.test(id)) {
    ctx.problem("id", `the policy id ${excerpt(id)} has control characters: not a Graph object id`, "export the policy again from Graph");
  }
  const added = applyLockoutRule(ctx, state, conditions.users, grantControls, emergencyAccess);

  const gaps = ctx.problems.filter((p) => p.gap);
  if (state && gaps.length > 0 && gaps.length === ctx.problems.length) {
    return importAsGraph(ctx, { source, index, displayName, resolved, state, conditions, gaps, taken, added });
  }
  if (ctx.problems.length > 0 || !state) {
    return {
      errors: ctx.problems.map((p) => ({ source, index, policy: displayName, field: p.field, position: p.position, rule: p.rule, message: p.message, fix: p.fix })),
    };
  }

  const resource: PlainConditionalAccessPolicy = compact({ displayName, state, conditions, grantControls, sessionControls });
  const recognised = recogniseCorporateDeviceAccess(resource);
  for (const reason of recognised.notes) ctx.note(reason.code, reason.message);
  const resourceName = uniqueName(resourceNameFor(displayName), taken);

  let importCommand: string | undefined;
  let typescript: string;
  let importFile: ImportFile | undefined;
  if (recognised.args) {
    typescript = componentSnippet(resourceName, recognised.args);
    if (id) {
      // `pulumi import` (CLI >= 3.94) can create the empty component as the parent of the adopted policy.
      importFile = {
        resources: [
          { type: CORPORATE_DEVICE_ACCESS_TYPE, name: resourceName, component: true },
          { type: AZUREAD_POLICY_TYPE, name: `${resourceName}-untrusted-devices`, id: importIdOf(id), parent: resourceName },
        ],
      };
      importCommand = `pulumi import --file ${shellQuote(`${resourceName}.import.json`)}`;
      ctx.note("component-import", `save importFile as ${resourceName}.import.json: it adopts the policy as the component's child "${resourceName}-untrusted-devices"`);
    }
  } else {
    // Pulumi refuses an `import` resource option whose inputs differ from the existing policy:
    // with an added exclusion, the policy is adopted by the command, then updated.
    typescript = resourceSnippet(resourceName, resource, added ? undefined : id);
    if (id) importCommand = `pulumi import ${shellQuote(AZUREAD_POLICY_TYPE)} ${shellQuote(resourceName)} ${shellQuote(importIdOf(id))}`;
  }
  const kind = recognised.args ? ImportKind.Component : ImportKind.Resource;
  if (added) noteEmergencyAccess(ctx, added, kind, id);
  if (!id) ctx.note("no-id", "the export has no id (a request body, not a tenant export): nothing to import, pulumi up creates the policy");

  return {
    errors: [],
    policy: {
      source,
      index,
      id,
      displayName,
      resourceName,
      kind,
      resource,
      component: recognised.args,
      partOf: undefined,
      importCommand,
      importFile,
      typescript,
      notes: ctx.notes,
      emergencyAccessAdded: added,
    },
  };
}

/**
 * The Graph-native args of a policy azuread cannot express: the Graph object itself (placeholders
 * resolved), with the legacy device condition replaced by its filter (as for azuread) and an
 * expanded authentication strength reduced to its id. Nothing else is dropped: annotations and
 * read-only properties go (the normaliser drops them), every setting stays.
 */
function graphArgsOf(resolved: Json, state: string, conditions: PlainConditionalAccessPolicy["conditions"]): PlainGraphConditionalAccessPolicyArgs {
  const args: Json = {};
  for (const [key, value] of Object.entries(resolved)) {
    if (isAnnotationKey(key) || READ_ONLY_POLICY_KEYS.has(key) || isEmpty(value)) continue;
    args[key] = withoutEmpties(value, key);
  }
  args.state = state;
  const c = (isObject(args.conditions) ? args.conditions : {}) as Json;
  delete c.deviceStates;
  if (isObject(c.devices)) {
    for (const legacy of ["includeDevices", "excludeDevices", "includeDeviceStates", "excludeDeviceStates"]) delete c.devices[legacy];
    if (conditions.devices && isEmpty(c.devices.deviceFilter)) c.devices.deviceFilter = { mode: conditions.devices.filter.mode, rule: conditions.devices.filter.rule };
    if (isEmpty(c.devices)) delete c.devices;
  }
  const grant = args.grantControls;
  if (isObject(grant) && isObject(grant.authenticationStrength) && typeof grant.authenticationStrength.id === "string") grant.authenticationStrength = { id: grant.authenticationStrength.id };
  return args as unknown as PlainGraphConditionalAccessPolicyArgs;
}

/**
 * A copy without what Graph reads as "not configured" (null, [], {}) and without annotations,
 * except the derived type of externalTenants (it says whether the tenants are all or enumerated).
 */
function withoutEmpties(value: unknown, key: string): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutEmpties(v, key));
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    if (isAnnotationKey(k) && !(k === "@odata.type" && key === "externalTenants")) continue;
    if (isEmpty(v) && !(k === "@odata.type")) continue;
    out[k] = withoutEmpties(v, k);
  }
  return out;
}

/** A policy whose only problems are settings azuread cannot express: declared as the Graph-native resource. */
function importAsGraph(
  ctx: Context,
  p: {
    source: string;
    index: number;
    displayName: string;
    resolved: Json;
    state: string;
    conditions: PlainConditionalAccessPolicy["conditions"];
    gaps: PolicyProblem[];
    taken: Set<string>;
    added: EmergencyAccessIds | undefined;
  },
): { policy?: ImportedPolicy; errors: PolicyImportError[] } {
  const graph = graphArgsOf(p.resolved, p.state, p.conditions);
  // The resource's own break-glass arg: it adds the ids to the payload's exclusions.
  if (p.added) graph.emergencyAccess = compact({ userIds: p.added.userIds.length ? p.added.userIds : undefined, groupIds: p.added.groupIds.length ? p.added.groupIds : undefined });
  const { value, problems } = normaliseConditionalAccessPolicy(graph);
  if (!value) {
    return { errors: problems.map((x) => ({ source: p.source, index: p.index, policy: p.displayName, field: x.field, position: undefined, rule: undefined, message: x.problem, fix: x.fix })) };
  }
  const id = typeof p.resolved.id === "string" && p.resolved.id.trim() ? p.resolved.id.trim() : undefined;
  // Top-level properties the azuread path ignores are carried by the Graph-native resource.
  for (const n of ctx.notes) if (n.code === "ignored-field") Object.assign(n, { code: "carried-field", message: n.message.replace("is not part of the azuread resource and was ignored", "is carried unchanged by the Graph-native resource") });
  const fields = [...new Set(p.gaps.map((g) => g.field.replace(/\[\d+\]$/, "")))];
  ctx.note(
    "graph-native",
    `the azuread resource cannot express ${fields.join(", ")}: declared as the Graph-native ConditionalAccessPolicy on Graph ${value.apiVersion}` +
      (value.betaProperties.length ? ` (beta because of ${value.betaProperties.join(", ")})` : "") +
      ", with every setting of the policy",
  );
  if (id) {
    ctx.note(
      "graph-import",
      `adopted by its id with pulumi import (importCommand, or the import option of the snippet), through the package's plugin pulumi-resource-tenant-guardrails; keep its display name "${p.displayName}" unique, as it finds the policy after an interrupted create`,
    );
  }
  if (p.added) noteEmergencyAccess(ctx, p.added, ImportKind.Graph, id);
  if (!id) ctx.note("no-id", "the export has no id (a request body, not a tenant export): nothing to adopt, pulumi up creates the policy");
  const resourceName = uniqueName(resourceNameFor(p.displayName), p.taken);
  return {
    errors: [],
    policy: {
      source: p.source,
      index: p.index,
      id,
      displayName: p.displayName,
      resourceName,
      kind: ImportKind.Graph,
      resource: compact({ displayName: p.displayName, state: p.state, conditions: p.conditions }) as PlainConditionalAccessPolicy,
      graph,
      apiVersion: value.apiVersion,
      component: undefined,
      partOf: undefined,
      importCommand: id ? `pulumi import ${shellQuote(GRAPH_POLICY_TYPE)} ${shellQuote(resourceName)} ${shellQuote(id)}` : undefined,
      importFile: undefined,
      // With added break-glass ids the policy differs from the tenant's: an import option would be refused.
      typescript: graphSnippet(resourceName, graph, p.added ? undefined : id),
      notes: ctx.notes,
      emergencyAccessAdded: p.added,
    },
  };
}

/**
 * The Graph-native resource finds its policy by display name: two imported policies with one name
 * would make its adoption ambiguous. Such Graph-native policies become errors naming the other.
 */
function refuseAmbiguousGraphNames(result: ImportResult): void {
  const byName = new Map<string, ImportedPolicy[]>();
  for (const p of result.policies) byName.set(p.displayName, [...(byName.get(p.displayName) ?? []), p]);
  const refused = new Set<ImportedPolicy>();
  for (const same of byName.values()) {
    if (same.length < 2) continue;
    for (const p of same.filter((x) => x.kind === ImportKind.Graph)) {
      refused.add(p);
      const others = same.filter((x) => x !== p).map((x) => `${x.source} #${x.index + 1}`);
      result.errors.push({
        source: p.source,
        index: p.index,
        policy: p.displayName,
        field: "displayName",
        position: undefined,
        rule: undefined,
        message: `the Graph-native resource finds its policy by display name, and ${others.join(", ")} ha${others.length === 1 ? "s" : "ve"} the same name`,
        fix: "rename one of the policies in Entra ID so every display name is unique, then export again",
      });
    }
  }
  if (refused.size) result.policies.splice(0, result.policies.length, ...result.policies.filter((p) => !refused.has(p)));
}

/**
 * What a platform companion shares with its component's device policy (same users, apps, client
 * apps, state and control), as one string: sets compared case-insensitively, as the recogniser does.
 */
function scopeKey(p: ImportedPolicy): string {
  const set = (list: string[] | undefined) => [...new Set((list ?? []).map((v) => v.toLowerCase()))].sort().join(",");
  const r = p.resource;
  const u = r.conditions.users;
  return JSON.stringify([
    p.id === undefined,
    r.state,
    set(r.conditions.clientAppTypes),
    set(r.conditions.applications.includedApplications),
    set(r.conditions.applications.excludedApplications),
    set(u.includedUsers),
    set(u.excludedUsers),
    set(u.includedGroups),
    set(u.excludedGroups),
    set(u.includedRoles),
    set(u.excludedRoles),
    set(r.grantControls?.builtInControls),
  ]);
}

/**
 * CorporateDeviceAccess with `allowedPlatforms` declares two policies: the device one and one on
 * other platforms. When both are in the export, adopt them as one component.
 */
function mergePlatformCompanions(policies: ImportedPolicy[]): void {
  // Candidates by scope, so each component looks only at policies that can be its companion
  // (linear in the number of policies, not quadratic).
  const candidates = new Map<string, ImportedPolicy[]>();
  for (const q of policies) {
    const c = q.resource.conditions;
    if (q.kind !== ImportKind.Resource || c.devices || !c.platforms?.excludedPlatforms?.length) continue;
    const key = scopeKey(q);
    const bucket = candidates.get(key);
    if (bucket) bucket.push(q);
    else candidates.set(key, [q]);
  }
  if (candidates.size === 0) return;
  for (const main of policies) {
    if (main.kind !== ImportKind.Component || !main.component || main.component.allowedPlatforms) continue;
    const mainArgs = main.component;
    const companion = candidates
      .get(scopeKey(main))
      ?.find((q) => q !== main && q.kind === ImportKind.Resource && !q.id === !main.id && recognisePlatformCompanion(mainArgs, q.resource) !== undefined);
    if (!companion) continue;
    const { args: merged, displayName } = recognisePlatformCompanion(mainArgs, companion.resource)!;
    const child = `${main.resourceName}-other-platforms`;
    main.component = merged;
    main.typescript = componentSnippet(main.resourceName, merged);
    if (main.importFile && companion.id) {
      main.importFile.resources.push({ type: AZUREAD_POLICY_TYPE, name: child, id: importIdOf(companion.id), parent: main.resourceName });
    }
    main.notes.push({
      code: "platform-companion",
      message: `merged with "${companion.displayName}" (${companion.source} #${companion.index + 1}), which acts on platforms other than ${merged.allowedPlatforms!.join(", ")}: it becomes allowedPlatforms and the component's child "${child}"`,
    });
    companion.kind = ImportKind.Component;
    companion.partOf = main.resourceName;
    companion.typescript = `// declared by new CorporateDeviceAccess(${JSON.stringify(main.resourceName)}) as its child "${child}"`;
    companion.importCommand = main.importCommand;
    companion.notes.push({
      code: "platform-companion",
      message:
        `same shape as the platform policy of CorporateDeviceAccess "${main.resourceName}" (${main.source} #${main.index + 1}): adopted as its child "${child}"` +
        (displayName !== companion.displayName ? `; the first pulumi up renames it to "${displayName}"` : ""),
    });
  }
}

/**
 * Import the Conditional Access policies of one Graph export (bytes, text or parsed JSON), with
 * options or just the file name. Every policy is tried; those that cannot be imported are listed
 * in `errors` with the reason.
 */
export function importConditionalAccessPolicies(input: unknown, optionsOrSourceName: ImportOptions | string = {}): ImportResult {
  const options = typeof optionsOrSourceName === "string" ? { sourceName: optionsOrSourceName } : optionsOrSourceName;
  const emergencyAccess = validEmergencyAccess(options.emergencyAccess);
  const source = options.sourceName ?? "<input>";
  let json: unknown;
  let encoding: ExportEncoding;
  try {
    ({ json, encoding } = readExport(input));
  } catch (err) {
    if (!(err instanceof ExportDecodeError)) throw err;
    const message = err.value === undefined ? err.message : `${err.message} (found ${err.value})`;
    return { files: [{ source, encoding: "unreadable" }], policies: [], errors: [{ source, index: undefined, policy: undefined, field: err.path, position: undefined, rule: undefined, message, fix: undefined }] };
  }
  const items = exportItems(json);
  const taken = options.takenResourceNames ?? new Set<string>();
  const result: ImportResult = { files: [{ source, encoding }], policies: [], errors: [] };
  if (items.length === 0) {
    result.errors.push({ source, index: undefined, policy: undefined, field: undefined, position: undefined, rule: undefined, message: "the export holds no policy", fix: undefined });
  }
  for (const item of items) {
    let outcome: { policy?: ImportedPolicy; errors: PolicyImportError[] };
    try {
      outcome = importOne(item.value, item.index, items.length, options, emergencyAccess, taken);
    } catch (err) {
      // A fault of this importer, not of the export: report it against the policy and go on.
      outcome = { errors: [internalError(source, item.index, err)] };
    }
    if (outcome.policy) result.policies.push(outcome.policy);
    for (const e of outcome.errors) result.errors.push(e);
  }
  mergePlatformCompanions(result.policies);
  if (!options.takenResourceNames) refuseAmbiguousGraphNames(result);
  return result;
}

/** The break-glass ids of the options, validated; a GuardrailInputError for a bad one. */
function validEmergencyAccess(value: unknown): EmergencyAccessIds {
  const { value: ids, problems } = normaliseEmergencyAccess(value);
  throwIfProblems(IMPORT_OPTIONS_COMPONENT, "options", problems);
  return ids!;
}

/** Marks an error as the importer's own fault (tests assert no input produces one). */
export const INTERNAL_ERROR_PREFIX = "internal error of import-ca";

function internalError(source: string, index: number | undefined, err: unknown): PolicyImportError {
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : excerpt(err);
  return {
    source,
    index,
    policy: undefined,
    field: undefined,
    position: undefined,
    rule: undefined,
    message: `${INTERNAL_ERROR_PREFIX} (${excerpt(detail, 200)}): the ${index === undefined ? "file" : "policy"} was not imported`,
    fix: "report this to the maintainers of tenant-guardrails with the export (names and ids removed)",
  };
}

/** Import several export files in one run: resource names stay unique across files. */
export function importConditionalAccessFiles(files: ExportFile[], options: Omit<ImportOptions, "sourceName" | "takenResourceNames"> = {}): ImportResult {
  // Bad ids are the caller's fault, not a file's: thrown before any file is read.
  validEmergencyAccess(options.emergencyAccess);
  const taken = new Set<string>();
  const result: ImportResult = { files: [], policies: [], errors: [] };
  for (const file of files) {
    let one: ImportResult;
    try {
      if (file.sizeBytes !== undefined && file.sizeBytes > MAX_EXPORT_BYTES) throw exportTooLarge(file.sizeBytes);
      one = importConditionalAccessPolicies(file.content, { ...options, sourceName: file.name, takenResourceNames: taken });
    } catch (err) {
      const error =
        err instanceof ExportDecodeError
          ? { source: file.name, index: undefined, policy: undefined, field: err.path, position: undefined, rule: undefined, message: err.message, fix: undefined }
          : internalError(file.name, undefined, err);
      one = { files: [{ source: file.name, encoding: "unreadable" }], policies: [], errors: [error] };
    }
    for (const f of one.files) result.files.push(f);
    for (const p of one.policies) result.policies.push(p);
    for (const e of one.errors) result.errors.push(e);
  }
  mergePlatformCompanions(result.policies);
  refuseAmbiguousGraphNames(result);
  return result;
}

/**
 * One `pulumi import --file` document adopting every imported policy that has an id: azuread and
 * Graph-native resources by name, components with their children.
 */
export function combinedImportFile(policies: ImportedPolicy[]): ImportFile {
  const resources: ImportFile["resources"] = [];
  for (const p of policies) {
    if (p.partOf !== undefined || !p.id) continue; // a companion is adopted with its component
    if (p.kind === ImportKind.Graph) resources.push({ type: GRAPH_POLICY_TYPE, name: p.resourceName, id: p.id });
    else if (p.importFile) resources.push(...p.importFile.resources);
    else resources.push({ type: AZUREAD_POLICY_TYPE, name: p.resourceName, id: importIdOf(p.id) });
  }
  return { resources };
}
