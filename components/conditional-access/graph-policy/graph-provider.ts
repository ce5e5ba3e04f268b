/**
 * The provider of a Conditional Access policy over Microsoft Graph (v1.0, or beta for a
 * policy that uses a beta-only property), through the shared AzureRestClient.
 *
 * - Credentials: the client creates DefaultAzureCredential lazily inside each call; nothing about
 *   credentials is an input, an output or part of the state.
 * - Create is safe to retry. A Conditional Access policy has no description to carry a marker, so
 *   the display name is the marker: it must be unique among the tenant's policies. Before POSTing
 *   the provider lists the policies (`$select=id,displayName`); a policy with the same name is
 *   refused (or adopted with `adoptExisting`). After a POST that may have been processed (timeout,
 *   dropped connection, 5xx, an answer it cannot read) it looks for the name a few times and adopts
 *   what it finds; it never POSTs a second time in the same operation.
 * - Fail closed: every answer is checked by the client; a look-up that cannot read its answer
 *   stops the operation rather than count as "nothing there".
 * - No perpetual diffs: diff compares the canonical declared policy with the canonical policy last
 *   read or written (`observed`, see shape.ts); read (refresh) updates `observed`, so changes made
 *   in the portal show up, and update PATCHes them back (clearing conditions added there).
 * - One read per policy: refresh is one GET; update is one GET and a PATCH only when it differs.
 * - Import: `pulumi import` and `get` read a policy by its id alone (readForImport), on Graph beta
 *   so that beta-only properties are seen, from the Graph service root in
 *   TENANT_GUARDRAILS_GRAPH_ENDPOINT (default the public cloud's).
 */
import * as pulumi from "@pulumi/pulumi";
import { GRAPH_ENDPOINT, graphClientFor, type AzureRestClient, type GraphHttpSettings } from "../../azure-rest/client";
import { payloadOfStoredPolicy } from "./normalise";
import { betaPropertiesOf, canonicalPolicy, isJsonObject, policiesPath, policyDifferences, removalsFor, withRemovals, type GraphApiVersion, type Json } from "./shape";

/** Plain inputs of one managed policy (what check/diff/create/update receive). */
export interface GraphPolicyInputs extends GraphHttpSettings {
  /** The display name: also the marker that finds the policy after an interrupted create. */
  displayName: string;
  /** The Graph payload (normaliseConditionalAccessPolicy's `policy`). */
  policy: Json;
  /** "v1.0" or "beta" (only for a policy that uses a beta-only property). */
  apiVersion: GraphApiVersion;
  /** Break-glass ids the policy excludes (already in `policy`): evidence for the policy pack, not sent. */
  emergencyAccess?: { userIds?: string[]; groupIds?: string[] };
  /** Adopt an existing policy with the same display name instead of refusing to create a second one. */
  adoptExisting?: boolean;
}

/** State of one managed policy. */
export interface GraphPolicyOutputs extends GraphPolicyInputs {
  /** Graph id of the policy. */
  policyId: string;
  /** Canonical stored policy as last read or written. */
  observed: unknown;
}


interface StoredPolicy extends Json {
  id?: string;
  displayName?: string;
}

function shapeError(what: string, detail: string): Error {
  return new Error(`Conditional Access: ${what} returned an unexpected response: ${detail}. Nothing was assumed from it; run pulumi up again once Graph answers normally.`);
}

const policyPath = (version: GraphApiVersion, id: string) => `${policiesPath(version)}/${encodeURIComponent(id)}`;

/** Policies with exactly this display name (client-side match, every page). */
async function findByName(client: AzureRestClient, inputs: GraphPolicyInputs): Promise<StoredPolicy[]> {
  const all = await client.list<unknown>(policiesPath(inputs.apiVersion), { query: { $select: "id,displayName" } });
  const bad = all.find((p) => !isJsonObject(p) || typeof p.id !== "string" || p.id === "");
  if (bad !== undefined) throw shapeError("the Conditional Access policy listing", `an entry without an id (${JSON.stringify(bad)?.slice(0, 80)})`);
  return (all as StoredPolicy[]).filter((p) => p.displayName === inputs.displayName);
}

/** Extra name look-ups after a create with an unknown outcome (a listing may lag behind a create). */
const CREATE_SETTLE_LOOKS = 3;

async function findAfterUnknownCreate(client: AzureRestClient, inputs: GraphPolicyInputs): Promise<StoredPolicy[]> {
  const base = inputs.httpRetryDelayMs ?? 1000;
  for (let look = 0; ; look++) {
    const found = await findByName(client, inputs);
    if (found.length > 0 || look >= CREATE_SETTLE_LOOKS) return found;
    const wait = base * 2 ** look;
    if (wait >= client.remainingMs()) return found;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

function duplicateError(inputs: GraphPolicyInputs, found: StoredPolicy[]): Error {
  return new Error(
    `Conditional Access: ${found.length} policies are named "${inputs.displayName}" (${found.map((p) => p.id).join(", ")}); the display name is how this resource finds its policy, so it must be unique. ` +
      "Fix: delete or rename the extra policies in Entra ID, then run pulumi up again.",
  );
}

function existsError(inputs: GraphPolicyInputs, existing: StoredPolicy): Error {
  return new Error(
    `Conditional Access: a policy named "${inputs.displayName}" already exists (${existing.id}), and this resource does not own it. ` +
      "Fix: give this policy another displayName, or set adoptExisting: true to take that policy over (the next pulumi up makes it match the declared policy; " +
      "or adopt it by its id with pulumi import; tenant-guardrails import-ca writes the command).",
  );
}

/** One GET of the policy; null when it no longer exists. */
async function getPolicy(client: AzureRestClient, version: GraphApiVersion, id: string): Promise<StoredPolicy | null> {
  const res = await client.get<StoredPolicy>(policyPath(version, id), { allowStatus: [404] });
  if (res.status === 404) return null;
  if (!isJsonObject(res.body) || typeof res.body.id !== "string") throw shapeError(`GET of policy ${id}`, `HTTP ${res.status}, a JSON object without an id`);
  return res.body;
}

/** Bring an existing policy to the declared state: one GET, then a PATCH only if it differs. */
async function reconcile(client: AzureRestClient, id: string, inputs: GraphPolicyInputs): Promise<unknown> {
  const current = await getPolicy(client, inputs.apiVersion, id);
  if (!current) throw new Error(`Conditional Access policy "${inputs.displayName}" (${id}) no longer exists. Fix: run pulumi refresh, then pulumi up to recreate it.`);
  const declared = canonicalPolicy(inputs.policy);
  const stored = canonicalPolicy(current);
  if (policyDifferences(declared, stored).length === 0) return stored;
  // Graph merges a PATCH into the stored policy: clear what the portal added and the stack does not declare.
  await client.patch(policyPath(inputs.apiVersion, id), withRemovals(inputs.policy, removalsFor(inputs.policy, current)));
  return declared;
}

function problemsOf(news: GraphPolicyInputs): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  if (!news.graphEndpoint) failures.push({ property: "graphEndpoint", reason: "required" });
  if (!news.displayName) failures.push({ property: "displayName", reason: "required: it is how the resource finds its policy after an interrupted create" });
  if (!isJsonObject(news.policy) || !isJsonObject(news.policy.conditions)) failures.push({ property: "policy", reason: "the Graph policy payload with its conditions is required" });
  else if (news.policy.displayName !== news.displayName) failures.push({ property: "policy", reason: "policy.displayName must equal displayName" });
  if (news.apiVersion !== "v1.0" && news.apiVersion !== "beta") failures.push({ property: "apiVersion", reason: 'one of "v1.0", "beta"' });
  return failures;
}

function outputs(inputs: GraphPolicyInputs, policyId: string, observed: unknown): GraphPolicyOutputs {
  return { ...inputs, policyId, observed: observed ?? null };
}

/** The environment variable naming the Graph service root that an import (no state yet) reads from. */
export const GRAPH_ENDPOINT_VARIABLE = "TENANT_GUARDRAILS_GRAPH_ENDPOINT";

/** What a read by id alone gives: the state, and the inputs that lead to it (what `pulumi import` records). */
export interface ImportedGraphPolicy {
  /** The policy id, or "" when Graph has no policy with that id. */
  id: string;
  props: GraphPolicyOutputs | Record<string, never>;
  inputs?: GraphPolicyInputs;
}

/**
 * Reads policy `id` with no state (`pulumi import`, `ConditionalAccessPolicy.get`): one GET on Graph
 * beta, so no beta-only setting is missed. The inputs are the stored policy's payload, on v1.0
 * unless it uses a beta-only property; adoptExisting is false (the policy is adopted by its id).
 */
export async function readForImport(id: string, env: NodeJS.ProcessEnv = process.env): Promise<ImportedGraphPolicy> {
  const graphEndpoint = env[GRAPH_ENDPOINT_VARIABLE]?.trim() || GRAPH_ENDPOINT;
  const client = graphClientFor({ graphEndpoint });
  const current = await getPolicy(client, "beta", id);
  if (!current) return { id: "", props: {} };
  if (typeof current.displayName !== "string" || current.displayName.trim() === "") throw shapeError(`GET of policy ${id}`, "a policy without a display name");
  const policy = payloadOfStoredPolicy(current);
  const inputs: GraphPolicyInputs = { graphEndpoint, displayName: current.displayName, policy, apiVersion: betaPropertiesOf(policy).length > 0 ? "beta" : "v1.0", adoptExisting: false };
  return { id, inputs, props: outputs(inputs, id, canonicalPolicy(current)) };
}

/** The methods the package's plugin serves for `tenant-guardrails:conditionalaccess:ConditionalAccessPolicy`. */
export const graphPolicyProvider: pulumi.dynamic.ResourceProvider<GraphPolicyInputs, GraphPolicyOutputs> = {
  async check(_olds, news) {
    const failures = problemsOf(news);
    return failures.length > 0 ? { failures } : { inputs: news };
  },

  async diff(_id, olds, news) {
    if (olds.graphEndpoint !== news.graphEndpoint) return { changes: true, replaces: ["graphEndpoint"], deleteBeforeReplace: false };
    if (olds.observed === undefined) return { changes: true };
    const differences = policyDifferences(canonicalPolicy(news.policy), olds.observed ?? undefined);
    // A new API version changes no Graph object, but the state must hold it: read uses it.
    return { changes: differences.length > 0 || olds.apiVersion !== news.apiVersion || !!olds.adoptExisting !== !!news.adoptExisting };
  },

  async create(inputs) {
    const client = graphClientFor(inputs);
    const existing = await findByName(client, inputs);
    if (existing.length > 1) throw duplicateError(inputs, existing);
    if (existing.length === 1) {
      if (!inputs.adoptExisting) throw existsError(inputs, existing[0]);
      const id = existing[0].id!;
      return { id, outs: outputs(inputs, id, await reconcile(client, id, inputs)) };
    }
    let created: StoredPolicy;
    try {
      created = (await client.post<StoredPolicy>(policiesPath(inputs.apiVersion), inputs.policy, { expect: { status: [201, 200], body: "object" } })).body;
      if (typeof created.id !== "string" || created.id === "") {
        throw Object.assign(new Error(`POST ${policiesPath(inputs.apiVersion)} answered without a policy id`), { mayHaveSucceeded: true });
      }
    } catch (err) {
      if ((err as { mayHaveSucceeded?: boolean }).mayHaveSucceeded !== true) throw err;
      // The POST may have been processed: adopt what it created (nothing had that name before it).
      // Never POST again in this operation: the listing may lag behind the create.
      const found = await findAfterUnknownCreate(client, inputs);
      if (found.length > 1) throw duplicateError(inputs, found);
      if (found.length === 1) {
        const id = found[0].id!;
        return { id, outs: outputs(inputs, id, await reconcile(client, id, inputs)) };
      }
      throw new Error(
        `Conditional Access: creating "${inputs.displayName}" had an unknown outcome (${err instanceof Error ? err.message : String(err)}), ` +
          "and no policy with its display name is listed yet. Nothing was sent again, so no duplicate can arise. " +
          "Fix: run pulumi up again with adoptExisting: true if a policy with this name appears in Entra ID by then; otherwise run pulumi up again as is (it creates the policy once).",
      );
    }
    return { id: created.id, outs: outputs(inputs, created.id, canonicalPolicy(inputs.policy)) };
  },

  async read(id, props) {
    // No state yet: an import or a get, by id alone.
    if (!props || props.graphEndpoint === undefined) return (await readForImport(id)) as pulumi.dynamic.ReadResult<GraphPolicyOutputs>;
    const client = graphClientFor(props);
    const current = await getPolicy(client, props.apiVersion, id);
    // An empty id tells the engine the policy is gone (deleted in the portal).
    if (!current) return { id: "", props: {} as GraphPolicyOutputs };
    return { id, props: { ...props, policyId: id, observed: canonicalPolicy(current) ?? null } };
  },

  async update(id, olds, news) {
    const client = graphClientFor(news);
    if (olds.displayName !== news.displayName) {
      // The name is the marker: a rename must not take a name another policy has.
      const taken = (await findByName(client, news)).filter((p) => p.id !== id);
      if (taken.length > 0) {
        throw new Error(
          `Conditional Access: cannot rename "${olds.displayName}" to "${news.displayName}": another policy has that name (${taken.map((p) => p.id).join(", ")}). Fix: choose a display name no other policy has.`,
        );
      }
    }
    return { outs: outputs(news, id, await reconcile(client, id, news)) };
  },

  async delete(id, props) {
    const client = graphClientFor(props);
    // 204 (or 200) is deleted; a JSON 404 from Graph is "already gone"; anything else is an error.
    await client.delete(policyPath(props.apiVersion, id), { allowStatus: [404] });
  },
};
