/**
 * The fault matrix: every provider operation that calls out (Intune profile create/read/update/
 * delete — the FIPS profile with onRemove "disableThenDelete" —, Graph-native Conditional Access
 * policy create/read/update/delete, Qualys BYOL solution create/read/update/delete, Defender plan reset on delete), with a
 * fault injected into each call it makes, against the fake Graph and fake ARM on 127.0.0.1.
 * `diff` is not in it: no provider's diff makes a call.
 *
 * For every case, whatever the outcome:
 * - no duplicate in the fake (one profile per marker, one solution, no VM linked twice);
 * - bounded time (well within the operation's deadline);
 * - nothing sent to another origin (no token leaves the client's origin);
 * - success means the fake holds the declared state; an error must say what happened (the
 *   fault's own words: status, content type, "Retry-After", "cycle", …), and running the same
 *   operation again without the fault must succeed with the declared state (the state left was
 *   unchanged or part of the way there, never wrong).
 *
 * The matrix is data (`matrixCases()`) so it can be counted; `runFaultMatrix()` is what
 * `npm run bench` calls. Small timeouts and back-offs keep one run to seconds.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { deviceConfigurationProvider as intune, type DeviceConfigurationInputs, type DeviceConfigurationOutputs } from "../../components/intune/graph-provider";
import { fipsOmaSettings, profileDescription, markerTag } from "../../components/intune/settings";
import { makeQualysByolProvider, type QualysByolSolutionState } from "../../components/defender/byol-provider";
import { makePricingResetProvider } from "../../components/defender/pricing-reset";
import { startFakeGraph, type FakeGraph, type Fault as GraphFault } from "../intune/fake-graph";
import { BYOL_TEST_SUBSCRIPTION, FakeArm, byolTestState, byolTestVm, type Fault as ArmFault } from "../defender/fake-arm";
import type { WireFault } from "../helpers/http-faults";
import { graphPolicyProvider as caPolicy, type GraphPolicyInputs, type GraphPolicyOutputs } from "../../components/conditional-access/graph-policy/graph-provider";
import { normaliseConditionalAccessPolicy } from "../../components/conditional-access/graph-policy/normalise";
import { startFakeCaGraph } from "../conditional-access/graph-policy/fake-graph-ca";

export type MatrixFault = WireFault | "429" | "500" | "503" | "drop" | "drop-after" | "lag";
export type System = "intune" | "byol" | "pricing" | "ca";
export type Operation = "create" | "read" | "update" | "delete";
export type Outcome = "success" | "error" | "either";

/** One call an operation makes, where a fault can be injected. */
export interface Target {
  system: System;
  operation: Operation;
  call: string;
  method: string;
  /** Graph: path regex; ARM: path suffix. */
  path: RegExp | string;
  idempotent: boolean;
  /** A listing (next links apply). */
  list?: boolean;
  /** A JSON 404 is a meaningful answer here ("gone"), so a 404 is not a fault for it. */
  gone404?: boolean;
  /** A write whose unknown outcome is checked by reading back (a lagging read applies). */
  readBack?: boolean;
}

export interface MatrixCase {
  id: string;
  target: Target;
  fault: MatrixFault;
  expect: Outcome;
  says: RegExp;
}

export interface CaseResult {
  id: string;
  outcome: "success" | "error";
  message?: string;
  ms: number;
  duplicates: number;
  problems: string[];
}

const GRAPH_LIST = /\/deviceConfigurations$/;
const GRAPH_ONE = /\/deviceConfigurations\/[^/]+$/;
const GRAPH_ASSIGN = /\/assign$/;
const CA_LIST = /\/identity\/conditionalAccess\/policies$/;
const CA_ONE = /\/identity\/conditionalAccess\/policies\/[^/]+$/;

export const TARGETS: Target[] = [
  { system: "intune", operation: "create", call: "marker look-up (list)", method: "GET", path: GRAPH_LIST, idempotent: true, list: true },
  { system: "intune", operation: "create", call: "create POST", method: "POST", path: GRAPH_LIST, idempotent: false, readBack: true },
  { system: "intune", operation: "create", call: "/assign", method: "POST", path: GRAPH_ASSIGN, idempotent: true },
  { system: "intune", operation: "read", call: "profile GET", method: "GET", path: GRAPH_ONE, idempotent: true, gone404: true },
  { system: "intune", operation: "update", call: "profile GET", method: "GET", path: GRAPH_ONE, idempotent: true, gone404: true },
  { system: "intune", operation: "update", call: "PATCH", method: "PATCH", path: GRAPH_ONE, idempotent: true },
  { system: "intune", operation: "update", call: "/assign", method: "POST", path: GRAPH_ASSIGN, idempotent: true },
  // onRemove "disableThenDelete": assign FIPS off, read it back, then delete (a 404 is "already gone" at each step).
  { system: "intune", operation: "delete", call: "FIPS-off PATCH", method: "PATCH", path: GRAPH_ONE, idempotent: true, gone404: true },
  { system: "intune", operation: "delete", call: "FIPS-off read-back GET", method: "GET", path: GRAPH_ONE, idempotent: true, gone404: true },
  { system: "intune", operation: "delete", call: "DELETE", method: "DELETE", path: GRAPH_ONE, idempotent: true, gone404: true },
  { system: "ca", operation: "create", call: "name look-up (list)", method: "GET", path: CA_LIST, idempotent: true, list: true },
  { system: "ca", operation: "create", call: "create POST", method: "POST", path: CA_LIST, idempotent: false, readBack: true },
  { system: "ca", operation: "read", call: "policy GET", method: "GET", path: CA_ONE, idempotent: true, gone404: true },
  { system: "ca", operation: "update", call: "policy GET", method: "GET", path: CA_ONE, idempotent: true, gone404: true },
  { system: "ca", operation: "update", call: "PATCH", method: "PATCH", path: CA_ONE, idempotent: true },
  { system: "ca", operation: "delete", call: "DELETE", method: "DELETE", path: CA_ONE, idempotent: true, gone404: true },
  { system: "byol", operation: "create", call: "home-region list", method: "GET", path: "/Microsoft.Security/locations", idempotent: true, list: true },
  { system: "byol", operation: "create", call: "solutions list", method: "GET", path: "/securitySolutions", idempotent: true, list: true },
  { system: "byol", operation: "create", call: "solution PUT", method: "PUT", path: "/qualys-byol", idempotent: true },
  { system: "byol", operation: "create", call: "solution read", method: "GET", path: "/qualys-byol", idempotent: true, gone404: true },
  { system: "byol", operation: "create", call: "link PUT", method: "PUT", path: "/protectedResources", idempotent: false, readBack: true },
  { system: "byol", operation: "read", call: "solution read", method: "GET", path: "/qualys-byol", idempotent: true, gone404: true },
  { system: "byol", operation: "update", call: "solution PUT", method: "PUT", path: "/qualys-byol", idempotent: true },
  { system: "byol", operation: "update", call: "solution read", method: "GET", path: "/qualys-byol", idempotent: true, gone404: true },
  { system: "byol", operation: "update", call: "unlink DELETE", method: "DELETE", path: "/vm-02", idempotent: true, gone404: true },
  { system: "byol", operation: "update", call: "link PUT", method: "PUT", path: "/protectedResources", idempotent: false, readBack: true },
  { system: "byol", operation: "delete", call: "solution read", method: "GET", path: "/qualys-byol", idempotent: true, gone404: true },
  { system: "byol", operation: "delete", call: "unlink DELETE", method: "DELETE", path: "/vm-01", idempotent: true, gone404: true },
  { system: "byol", operation: "delete", call: "solution DELETE", method: "DELETE", path: "/qualys-byol", idempotent: true, gone404: true },
  { system: "pricing", operation: "delete", call: "plan reset PUT", method: "PUT", path: "/pricings/VirtualMachines", idempotent: true },
];

const DROPPED = /ECONNRESET|socket hang up|other side closed/i;

/** Each fault: where it applies, what the operation must end in, and the words its error must contain. */
export const FAULTS: Record<MatrixFault, { applies: (t: Target) => boolean; expect: (t: Target) => Outcome; says: RegExp }> = {
  redirect: { applies: () => true, expect: () => "error", says: /HTTP 302, .*redirect to http:\/\/127\.0\.0\.1:\d+\/moved.*not followed/ },
  html: { applies: () => true, expect: () => "error", says: /HTTP 200, content-type text\/html.*Sign in to your account/ },
  empty: { applies: () => true, expect: () => "either", says: /HTTP 200, (content-type application\/json.*)?empty body/ },
  truncated: { applies: () => true, expect: () => "either", says: /JSON body is incomplete or invalid/ },
  "wrong-shape": { applies: () => true, expect: () => "error", says: /unexpected response: HTTP 200, content-type application\/json.*(expected .*JSON object|without an array "value")/ },
  "401": { applies: () => true, expect: () => "error", says: /HTTP 401 \(InvalidAuthenticationToken\)/ },
  "403": { applies: () => true, expect: () => "error", says: /HTTP 403 \(AuthorizationFailed\)/ },
  "404": { applies: (t) => !t.gone404, expect: () => "error", says: /HTTP 404 \(ResourceNotFound\)/ },
  "404-html": { applies: () => true, expect: () => "error", says: /HTTP 404[:,] content-type text\/html/ },
  "409": { applies: () => true, expect: () => "error", says: /HTTP 409 \(Conflict\)/ },
  "429": { applies: () => true, expect: () => "success", says: /HTTP 429/ },
  "429-huge": { applies: () => true, expect: () => "error", says: /asked to wait 3600 s \(Retry-After\), longer than the .* left of the operation's deadline/ },
  "429-overflow": { applies: () => true, expect: () => "error", says: /asked to wait 2147484 s \(Retry-After\), longer than the .* left of the operation's deadline/ },
  "500": { applies: () => true, expect: (t) => (t.idempotent ? "success" : "either"), says: /HTTP 500/ },
  "503": { applies: () => true, expect: (t) => (t.idempotent ? "success" : "either"), says: /HTTP 503/ },
  drop: { applies: () => true, expect: (t) => (t.idempotent ? "success" : "either"), says: DROPPED },
  "drop-after": { applies: () => true, expect: (t) => (t.idempotent ? "success" : "either"), says: DROPPED },
  "slow-body": { applies: () => true, expect: (t) => (t.idempotent ? "success" : "either"), says: /no complete response within/ },
  "cross-origin-next": { applies: (t) => !!t.list, expect: () => "error", says: /links to http:\/\/127\.0\.0\.1:\d+\/next-page, outside http:\/\/127\.0\.0\.1:\d+; next links are followed only on the client's own origin/ },
  "cyclic-next": { applies: (t) => !!t.list, expect: () => "error", says: /links back to a page already read \(a nextLink cycle\)/ },
  lag: { applies: (t) => !!t.readBack, expect: () => "success", says: /unknown outcome/ },
};

export function matrixCases(): MatrixCase[] {
  const cases: MatrixCase[] = [];
  for (const target of TARGETS) {
    for (const [fault, spec] of Object.entries(FAULTS) as [MatrixFault, (typeof FAULTS)[MatrixFault]][]) {
      if (!spec.applies(target)) continue;
      cases.push({ id: `${target.system} ${target.operation} · ${target.call} · ${fault}`, target, fault, expect: spec.expect(target), says: spec.says });
    }
  }
  return cases;
}

// Small numbers: the whole matrix runs in seconds. The slow body outlasts the attempt timeout.
const TIMEOUT_MS = 150;
const DEADLINE_MS = 2000;
const SLOW_MS = 400;
/** Most time one faulted operation may take. */
export const CASE_BOUND_MS = DEADLINE_MS + 500;

/** A server on another origin (same host, other port) that records anything sent to it. */
async function startForeign(): Promise<{ url: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url} auth=${req.headers.authorization ? "yes" : "no"}`);
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"value":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** One fault as the fakes take it. "lag" is a dropped answer after processing plus reads that lag behind. */
function graphFault(c: MatrixCase): GraphFault {
  const t = c.target;
  const base = { method: t.method, path: t.path as RegExp, delayMs: SLOW_MS };
  switch (c.fault) {
    case "drop":
      return { ...base, kind: "drop" };
    case "drop-after":
    case "lag":
      return { ...base, kind: "drop", processFirst: true };
    case "429":
      return { ...base, kind: "429", times: 2 };
    case "cyclic-next":
      return { ...base, kind: "cyclic-next", times: 100 };
    default:
      return { ...base, kind: c.fault };
  }
}

function armFault(c: MatrixCase): ArmFault {
  const t = c.target;
  const base = { method: t.method, pathEndsWith: t.path as string };
  switch (c.fault) {
    case "drop-after":
    case "lag":
      return { ...base, kind: "drop-after-processing" };
    case "429":
      return { ...base, kind: "429", times: 2 };
    case "cyclic-next":
      return { ...base, kind: "cyclic-next", times: 100 };
    default:
      return { ...base, kind: c.fault };
  }
}

// ---------------------------------------------------------------- Intune

const PILOT = "11111111-1111-1111-1111-111111111111";
const CORP = "22222222-2222-2222-2222-222222222222";
const KIOSK = "33333333-3333-3333-3333-333333333333";
const MARKER = "tenant-guardrails/matrix/fips/fips";

function intuneInputs(g: FakeGraph): DeviceConfigurationInputs {
  return {
    graphEndpoint: g.url,
    marker: MARKER,
    displayName: "tenant-guardrails - Windows FIPS mode",
    description: profileDescription("FIPS on.", MARKER),
    omaSettings: fipsOmaSettings(),
    includeGroupIds: [PILOT, CORP],
    excludeGroupIds: [KIOSK],
    foreignAssignments: "fail",
    // The removal that makes the most calls: FIPS off (PATCH, read back), then DELETE.
    onRemove: "disableThenDelete",
    httpTimeoutMs: TIMEOUT_MS,
    httpRetryDelayMs: 2,
    httpDeadlineMs: DEADLINE_MS,
  };
}

/** Declared state in the fake: exactly one profile with the marker, FIPS on, the three assignments. */
function intuneDeclared(g: FakeGraph): string[] {
  const problems: string[] = [];
  const mine = [...g.store.values()].filter((p) => String(p.body.description ?? "").includes(markerTag(MARKER)));
  if (mine.length !== 1) return [`${mine.length} profiles carry the marker`];
  const value = (mine[0].body.omaSettings as { value: unknown }[])[0]?.value;
  if (value !== 1) problems.push(`FIPS value is ${JSON.stringify(value)}`);
  const groups = mine[0].assignments.map((a) => `${a.target["@odata.type"]}:${a.target.groupId}`).sort();
  const want = [`#microsoft.graph.exclusionGroupAssignmentTarget:${KIOSK}`, `#microsoft.graph.groupAssignmentTarget:${CORP}`, `#microsoft.graph.groupAssignmentTarget:${PILOT}`].sort();
  if (JSON.stringify(groups) !== JSON.stringify(want)) problems.push(`assignments are ${groups.join(", ") || "none"}`);
  return problems;
}

async function intuneCase(c: MatrixCase, foreignUrl: string): Promise<Omit<CaseResult, "id" | "problems"> & { problems: string[] }> {
  const g = await startFakeGraph();
  g.foreignUrl = foreignUrl;
  try {
    const inputs = intuneInputs(g);
    const op = c.target.operation;
    // Set-up, without faults.
    let id = "";
    let olds: DeviceConfigurationOutputs | undefined;
    if (op !== "create") {
      const created = await intune.create(inputs);
      id = created.id;
      olds = created.outs as DeviceConfigurationOutputs;
      if (op === "update") {
        // Drift made in the portal: FIPS off and an assignment removed, so update reads, PATCHes and assigns.
        const stored = g.store.get(id)!;
        (stored.body.omaSettings as { value: unknown }[])[0].value = 0;
        stored.assignments = stored.assignments.filter((a) => a.target.groupId !== CORP);
        olds = (await intune.read!(id, olds)).props as DeviceConfigurationOutputs;
      }
    }
    const snapshot = JSON.stringify([...g.store.values()]);
    const run = async (): Promise<unknown> => {
      if (op === "create") return intune.create(inputs);
      if (op === "read") return intune.read!(id, olds!);
      if (op === "update") return intune.update!(id, olds!, inputs);
      return intune.delete!(id, olds!);
    };
    const correct = (result: unknown): string[] => {
      if (op === "delete") return g.store.size === 0 ? [] : ["the profile still exists"];
      if (op === "read") {
        const problems = JSON.stringify([...g.store.values()]) === snapshot ? [] : ["read changed the profile"];
        const r = result as { id?: string; props?: DeviceConfigurationOutputs } | undefined;
        if (r?.id !== id || r.props?.observed.assignments.length !== 3) problems.push(`read returned ${JSON.stringify(r?.id)} with ${r?.props?.observed.assignments.length} assignments`);
        return problems;
      }
      return intuneDeclared(g);
    };
    g.faults.push(graphFault(c));
    if (c.fault === "lag") g.lagReads = 2;
    const out = await runAndCheck(c, run, correct, () => {
      g.faults.length = 0;
    });
    const marked = [...g.store.values()].filter((p) => String(p.body.description ?? "").includes(markerTag(MARKER))).length;
    return { ...out, duplicates: Math.max(0, marked - 1) };
  } finally {
    await g.close();
  }
}

// ---------------------------------------------------------------- Conditional Access (Graph-native)

const CA_BREAK_GLASS = "0b0b0b0b-0000-4000-8000-000000000001";
const CA_NAME = "tenant-guardrails matrix - token protection";

function caInputs(url: string): GraphPolicyInputs {
  const { value } = normaliseConditionalAccessPolicy({
    displayName: CA_NAME,
    state: "enabled",
    conditions: { applications: { includeApplications: ["All"] }, users: { includeUsers: ["All"] }, clientAppTypes: ["mobileAppsAndDesktopClients"], platforms: { includePlatforms: ["windows"] } },
    grantControls: { operator: "OR", builtInControls: ["mfa"] },
    sessionControls: { secureSignInSession: { isEnabled: true } },
    emergencyAccess: { groupIds: [CA_BREAK_GLASS] },
  });
  return { graphEndpoint: url, displayName: value!.displayName, policy: value!.policy, apiVersion: value!.apiVersion, httpTimeoutMs: TIMEOUT_MS, httpRetryDelayMs: 2, httpDeadlineMs: DEADLINE_MS };
}

async function caCase(c: MatrixCase, foreignUrl: string): Promise<Omit<CaseResult, "id">> {
  const g = await startFakeCaGraph();
  g.foreignUrl = foreignUrl;
  try {
    const inputs = caInputs(g.url);
    const op = c.target.operation;
    let id = "";
    let olds: GraphPolicyOutputs | undefined;
    if (op !== "create") {
      const created = await caPolicy.create(inputs);
      id = created.id;
      olds = created.outs as GraphPolicyOutputs;
      if (op === "update") {
        // Drift made in the portal: the grant switched to block, so update reads and PATCHes.
        (g.store.get(id)!.grantControls as { builtInControls: string[] }).builtInControls = ["block"];
        olds = (await caPolicy.read!(id, olds)).props as GraphPolicyOutputs;
      }
    }
    const snapshot = JSON.stringify([...g.store.entries()]);
    const run = async (): Promise<unknown> => {
      if (op === "create") return caPolicy.create(inputs);
      if (op === "read") return caPolicy.read!(id, olds!);
      if (op === "update") return caPolicy.update!(id, olds!, inputs);
      return caPolicy.delete!(id, olds!);
    };
    const correct = (result: unknown): string[] => {
      if (op === "delete") return g.store.size === 0 ? [] : ["the policy still exists"];
      if (op === "read") {
        const problems = JSON.stringify([...g.store.entries()]) === snapshot ? [] : ["read changed the policy"];
        const r = result as { id?: string; props?: GraphPolicyOutputs } | undefined;
        if (r?.id !== id || !r.props?.observed) problems.push(`read returned ${JSON.stringify(r?.id)}`);
        return problems;
      }
      const mine = [...g.store.values()].filter((p) => p.displayName === CA_NAME);
      if (mine.length !== 1) return [`${mine.length} policies are named ${CA_NAME}`];
      const controls = (mine[0].grantControls as { builtInControls?: string[] } | undefined)?.builtInControls;
      return JSON.stringify(controls) === '["mfa"]' ? [] : [`grant controls are ${JSON.stringify(controls)}`];
    };
    g.faults.push(graphFault(c));
    if (c.fault === "lag") g.lagReads = 2;
    const out = await runAndCheck(c, run, correct, () => {
      g.faults.length = 0;
    });
    const named = [...g.store.values()].filter((p) => p.displayName === CA_NAME).length;
    return { ...out, duplicates: Math.max(0, named - 1) };
  } finally {
    await g.close();
  }
}

// ---------------------------------------------------------------- Defender

const SUB = BYOL_TEST_SUBSCRIPTION;
const vm = byolTestVm;
const SOLUTION_ID = `/subscriptions/${SUB}/resourceGroups/rg-security/providers/Microsoft.Security/locations/westeurope/securitySolutions/qualys-byol`;
const clientOptions = { timeoutMs: TIMEOUT_MS, retryDelayMs: 2, maxRetryDelayMs: 10, maxRetries: 3, deadlineMs: DEADLINE_MS };
const byol = makeQualysByolProvider({ ...clientOptions, pollIntervalMs: 2, maxPolls: 3 });
const pricing = makePricingResetProvider(clientOptions);

function byolInputs(arm: FakeArm, over: Partial<QualysByolSolutionState> = {}): QualysByolSolutionState {
  return byolTestState(arm.url, { licenseCode: "MATRIX-LICENSE-1111", publicKey: "MATRIX-PUBKEY-2222", linkedVmIds: [vm(1), vm(2), vm(3)], ...over });
}

const sameSet = (a: string[], b: string[]) => JSON.stringify([...a].map((x) => x.toLowerCase()).sort()) === JSON.stringify([...b].map((x) => x.toLowerCase()).sort());

async function armCase(c: MatrixCase, foreignUrl: string): Promise<CaseResult> {
  const arm = new FakeArm();
  await arm.start();
  arm.foreignUrl = foreignUrl;
  arm.slowMs = SLOW_MS;
  try {
    const op = c.target.operation;
    const inputs = byolInputs(arm);
    let run: () => Promise<unknown>;
    let correct: (result: unknown) => string[];
    if (c.target.system === "pricing") {
      const state = { armEndpoint: arm.url, subscriptionId: SUB };
      run = () => pricing.delete!("id", state);
      correct = () => (arm.pricingPuts.some((p) => JSON.stringify(p.body) === '{"properties":{"pricingTier":"Free"}}') ? [] : ["the plan was not reset to Free"]);
    } else {
      let outs: QualysByolSolutionState | undefined;
      if (op !== "create") outs = (await byol.create(inputs)).outs;
      const news = op === "update" ? byolInputs(arm, { licenseCode: "MATRIX-LICENSE-NEW-3333", linkedVmIds: [vm(1), vm(3), vm(4)] }) : inputs;
      const writesBefore = arm.writes.length;
      run = async () => {
        if (op === "create") return byol.create(inputs);
        if (op === "read") return byol.read!(SOLUTION_ID, outs!);
        if (op === "update") return byol.update!(SOLUTION_ID, outs!, news);
        return byol.delete!(SOLUTION_ID, outs!);
      };
      correct = (result) => {
        if (op === "delete") return arm.solutions.size === 0 ? [] : ["the solution still exists"];
        if (op === "read") {
          const problems = arm.writes.length === writesBefore ? [] : ["read wrote"];
          const props = (result as { props?: QualysByolSolutionState } | undefined)?.props;
          if (!props || !sameSet(props.linkedVmIds, inputs.linkedVmIds)) problems.push(`read returned linked VMs ${JSON.stringify(props?.linkedVmIds)}`);
          return problems;
        }
        const problems: string[] = [];
        if (!arm.solutions.has(SOLUTION_ID.toLowerCase())) problems.push("no solution");
        if (!sameSet(arm.linkedOf(SOLUTION_ID), news.linkedVmIds)) problems.push(`linked VMs are ${JSON.stringify(arm.linkedOf(SOLUTION_ID))}`);
        const params = arm.solutions.get(SOLUTION_ID.toLowerCase())?.provisioningParameters ?? "{}";
        if ((JSON.parse(params) as { licenseCode?: string }).licenseCode !== news.licenseCode) problems.push("the license code was not applied");
        return problems;
      };
    }
    arm.inject(armFault(c));
    if (c.fault === "lag") arm.linkLagReads = 2;
    const out = await runAndCheck(c, run, correct, () => arm.clearFaults());
    const duplicates = Math.max(0, arm.solutionsCreated.length - 1) + arm.duplicateLinks.length;
    return { id: c.id, ...out, duplicates };
  } finally {
    await arm.stop();
  }
}

// ---------------------------------------------------------------- running

async function runAndCheck(
  c: MatrixCase,
  run: () => Promise<unknown>,
  correct: (result: unknown) => string[],
  clearFaults: () => void,
): Promise<{ outcome: "success" | "error"; message?: string; ms: number; problems: string[] }> {
  const problems: string[] = [];
  const started = Date.now();
  let result: unknown;
  let error: Error | undefined;
  try {
    result = await run();
  } catch (err) {
    error = err instanceof Error ? err : new Error(String(err));
  }
  const ms = Date.now() - started;
  if (ms > CASE_BOUND_MS) problems.push(`took ${ms} ms (bound ${CASE_BOUND_MS} ms)`);
  if (!error) {
    if (c.expect === "error") problems.push("succeeded although the answer could not be trusted");
    problems.push(...correct(result));
    return { outcome: "success", ms, problems };
  }
  if (c.expect === "success") problems.push(`failed where a retry should have carried it: ${error.message}`);
  if (!c.says.test(error.message)) problems.push(`error does not say what happened (${c.says}): ${error.message}`);
  // The state left must be unchanged or part of the way: the same operation without the fault converges.
  clearFaults();
  try {
    const again = await run();
    problems.push(...correct(again).map((p) => `after re-running without the fault: ${p}`));
  } catch (err) {
    problems.push(`re-running without the fault failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { outcome: "error", message: error.message, ms, problems };
}

export async function runCase(c: MatrixCase): Promise<CaseResult> {
  const foreign = await startForeign();
  try {
    const r =
      c.target.system === "intune"
        ? { id: c.id, ...(await intuneCase(c, foreign.url)) }
        : c.target.system === "ca"
          ? { id: c.id, ...(await caCase(c, foreign.url)) }
          : await armCase(c, foreign.url);
    if (foreign.hits.length > 0) r.problems.push(`sent to another origin: ${foreign.hits.join("; ")}`);
    if (r.duplicates > 0) r.problems.push(`${r.duplicates} duplicate(s) created`);
    return r;
  } finally {
    await foreign.close();
  }
}

export interface MatrixSummary {
  faults_injected: number;
  faults_survived: number;
  duplicates_created: number;
  fault_matrix_ms: number;
  failures: CaseResult[];
}

/** Runs every case once (sequentially) and counts. */
export async function runFaultMatrix(cases = matrixCases()): Promise<MatrixSummary> {
  const started = Date.now();
  const results: CaseResult[] = [];
  for (const c of cases) results.push(await runCase(c));
  return {
    faults_injected: results.length,
    faults_survived: results.filter((r) => r.problems.length === 0).length,
    duplicates_created: results.reduce((n, r) => n + r.duplicates, 0),
    fault_matrix_ms: Date.now() - started,
    failures: results.filter((r) => r.problems.length > 0),
  };
}
