/**
 * A fake Microsoft Graph for Conditional Access policies, on 127.0.0.1 (random port). It keeps
 * policies in memory as Graph does where it matters to the provider: ids and
 * createdDateTime/modifiedDateTime, defaults filled in on read (empty lists, null conditions,
 * sign-in frequency defaults, `@odata.context`), id lists reordered and GUIDs upper-cased, enum
 * values recased, guest types as one comma string, PATCH merged into the stored policy, beta-only
 * properties refused on v1.0 writes and left out of v1.0 reads. Faults on demand: 429 with and
 * without Retry-After, 5xx, a dropped connection, a slow response (optionally after processing),
 * the wire faults of test/helpers/http-faults, and a listing that lags behind creates.
 */
import { randomUUID } from "node:crypto";
import { serveFakeGraph, type GraphFault, type GraphFaultKind } from "../../helpers/http-faults";
import { BETA_ONLY_GRANT_CONTROLS, BETA_ONLY_PROPERTIES } from "../../../components/conditional-access/graph-policy/shape";

export type FaultKind = GraphFaultKind;
export type Fault = GraphFault;

type Json = Record<string, unknown>;

export interface FakeCaGraph {
  url: string;
  /** Policies by id, as stored (tests edit them to simulate portal changes). */
  store: Map<string, Json>;
  requests: { method: string; path: string; query: string; body?: unknown }[];
  faults: Fault[];
  pageSize: number;
  lagReads: number;
  foreignUrl: string;
  /** Reorder id lists, upper-case GUIDs and recase enums on read (default true). */
  scramble: boolean;
  close(): Promise<void>;
}

const ROUTE = /^\/(v1\.0|beta)\/identity\/conditionalAccess\/policies(?:\/([^/]+))?$/;

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function mergePatch(target: Json, patch: Json): Json {
  const out: Json = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) out[k] = null;
    else if (isObj(v) && isObj(out[k])) out[k] = mergePatch(out[k] as Json, v);
    else out[k] = v;
  }
  return out;
}

function betaUsed(body: Json): string[] {
  const used: string[] = [];
  for (const path of BETA_ONLY_PROPERTIES) {
    let v: unknown = body;
    for (const part of path.split(".")) v = isObj(v) ? v[part] : undefined;
    if (v !== undefined && v !== null) used.push(path);
  }
  const controls = ((body.grantControls as Json | undefined)?.builtInControls as string[] | undefined) ?? [];
  if (controls.some((c) => BETA_ONLY_GRANT_CONTROLS.includes(c))) used.push("grantControls.builtInControls");
  return used;
}

function withoutBeta(body: Json): Json {
  const copy = JSON.parse(JSON.stringify(body)) as Json;
  for (const path of BETA_ONLY_PROPERTIES) {
    const parts = path.split(".");
    let v: unknown = copy;
    for (const part of parts.slice(0, -1)) v = isObj(v) ? v[part] : undefined;
    if (isObj(v)) delete v[parts[parts.length - 1]];
  }
  const grant = copy.grantControls as Json | undefined;
  if (isObj(grant) && Array.isArray(grant.builtInControls)) grant.builtInControls = (grant.builtInControls as string[]).filter((c) => !BETA_ONLY_GRANT_CONTROLS.includes(c));
  return copy;
}

/** Graph's view of a stored policy: defaults filled in, values reordered and recased. */
function view(id: string, stored: Json, version: string, scramble: boolean): Json {
  const body = version === "v1.0" ? withoutBeta(stored) : (JSON.parse(JSON.stringify(stored)) as Json);
  const mix = (v: unknown): unknown => {
    if (!scramble) return v;
    if (Array.isArray(v)) return [...v].reverse().map((x) => (typeof x === "string" && GUID.test(x) ? x.toUpperCase() : x));
    return v;
  };
  const c = (body.conditions ?? {}) as Json;
  const users = (c.users ?? {}) as Json;
  const apps = (c.applications ?? {}) as Json;
  const conditions: Json = {
    userRiskLevels: [],
    signInRiskLevels: [],
    clientAppTypes: ["all"],
    servicePrincipalRiskLevels: [],
    insiderRiskLevels: null,
    platforms: null,
    locations: null,
    devices: null,
    clientApplications: null,
    authenticationFlows: null,
    ...c,
    applications: {
      includeApplications: [],
      excludeApplications: [],
      includeUserActions: [],
      includeAuthenticationContextClassReferences: [],
      applicationFilter: null,
      ...apps,
    },
    users: {
      includeUsers: [],
      excludeUsers: [],
      includeGroups: [],
      excludeGroups: [],
      includeRoles: [],
      excludeRoles: [],
      includeGuestsOrExternalUsers: null,
      excludeGuestsOrExternalUsers: null,
      ...users,
    },
  };
  for (const side of [conditions.users as Json, conditions.applications as Json]) for (const k of Object.keys(side)) side[k] = mix(side[k]);
  if (scramble && Array.isArray(conditions.clientAppTypes)) conditions.clientAppTypes = mix(conditions.clientAppTypes);
  let grant = body.grantControls as Json | null | undefined;
  if (isObj(grant)) {
    grant = { operator: "OR", customAuthenticationFactors: [], termsOfUse: [], "authenticationStrength@odata.context": "https://graph.microsoft.com/$metadata#x", authenticationStrength: null, ...grant };
    grant.builtInControls = mix(grant.builtInControls ?? []);
    if (scramble && typeof grant.operator === "string") grant.operator = grant.operator.toUpperCase();
    if (isObj(grant.authenticationStrength)) grant.authenticationStrength = { displayName: "Multifactor authentication", allowedCombinations: ["password,microsoftAuthenticatorPush"], policyType: "builtIn", ...grant.authenticationStrength };
  }
  let session = body.sessionControls as Json | null | undefined;
  if (isObj(session)) {
    session = { disableResilienceDefaults: null, applicationEnforcedRestrictions: null, cloudAppSecurity: null, persistentBrowser: null, continuousAccessEvaluation: null, secureSignInSession: null, signInFrequency: null, ...session };
    if (isObj(session.signInFrequency)) session.signInFrequency = { authenticationType: "primaryAndSecondaryAuthentication", frequencyInterval: "timeBased", isEnabled: true, ...session.signInFrequency };
    if (version === "v1.0") delete session.continuousAccessEvaluation;
  }
  return {
    "@odata.context": `https://graph.microsoft.com/${version}/$metadata#identity/conditionalAccess/policies/$entity`,
    id,
    templateId: null,
    ...body,
    conditions,
    grantControls: grant ?? null,
    sessionControls: session ?? null,
  };
}

export async function startFakeCaGraph(): Promise<FakeCaGraph> {
  const store = new Map<string, Json>();
  const requests: FakeCaGraph["requests"] = [];
  const faults: Fault[] = [];
  // The settings tests change live on the returned object itself; url and close are set once it listens.
  const fake: FakeCaGraph = { url: "", store, requests, faults, pageSize: 50, lagReads: 0, foreignUrl: "http://127.0.0.1:9", scramble: true, close: async () => undefined };
  const lagging = new Map<string, number>();
  let clock = Date.parse("2026-01-01T00:00:00Z");
  const now = () => new Date((clock += 1000)).toISOString();

  const bad = (message: string) => ({ status: 400, body: { error: { code: "BadRequest", message } } });

  const handle = (method: string, path: string, query: URLSearchParams, body: unknown): { status: number; body?: unknown } => {
    const m = ROUTE.exec(path);
    if (!m) return bad(`no route for ${method} ${path}`);
    const version = m[1];
    const id = m[2] ? decodeURIComponent(m[2]) : undefined;
    if (!id && method === "GET") {
      const select = query.get("$select")?.split(",");
      const skip = Number(query.get("$skiptoken") ?? "0");
      const all = [...store.entries()].filter(([pid]) => !lagging.has(pid));
      for (const [pid, n] of lagging) {
        if (n <= 1) lagging.delete(pid);
        else lagging.set(pid, n - 1);
      }
      const page = all.slice(skip, skip + fake.pageSize).map(([pid, p]) => {
        const v = view(pid, p, version, fake.scramble);
        return select ? Object.fromEntries(Object.entries(v).filter(([k]) => select.includes(k))) : v;
      });
      const next = skip + fake.pageSize < all.length ? `${fake.url}${path}?$skiptoken=${skip + fake.pageSize}${select ? `&$select=${select.join(",")}` : ""}` : undefined;
      return { status: 200, body: { value: page, ...(next ? { "@odata.nextLink": next } : {}) } };
    }
    if (!id && method === "POST") {
      const input = body as Json;
      if (version === "v1.0" && betaUsed(input).length) return bad(`Invalid property '${betaUsed(input)[0]}' on v1.0`);
      if (!isObj(input.conditions)) return bad("1007: Incoming ConditionalAccessPolicy object is null or does not match the schema");
      const pid = randomUUID();
      const t = now();
      store.set(pid, { ...input, createdDateTime: t, modifiedDateTime: t });
      if (fake.lagReads > 0) lagging.set(pid, fake.lagReads);
      return { status: 201, body: view(pid, store.get(pid)!, version, fake.scramble) };
    }
    const stored = id ? store.get(id) : undefined;
    if (!stored) return { status: 404, body: { error: { code: "ResourceNotFound", message: "not found" } } };
    if (method === "GET") return { status: 200, body: view(id!, stored, version, fake.scramble) };
    if (method === "PATCH") {
      const input = body as Json;
      if (version === "v1.0" && betaUsed(input).length) return bad(`Invalid property '${betaUsed(input)[0]}' on v1.0`);
      store.set(id!, { ...mergePatch(stored, input), modifiedDateTime: now() });
      return { status: 204 };
    }
    if (method === "DELETE") {
      store.delete(id!);
      return { status: 204 };
    }
    return { status: 405, body: { error: { code: "MethodNotAllowed", message: `${method} ${path}` } } };
  };

  const served = await serveFakeGraph(handle, { requests, faults, foreignUrl: () => fake.foreignUrl });
  return Object.assign(fake, served);
}
