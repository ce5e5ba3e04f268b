/**
 * The Qualys BYOL security solution as a Pulumi dynamic provider over ARM REST (azure-native does
 * not model it). Every call goes through the shared AzureRestClient (retries, throttling).
 *
 * Repeating is harmless by construction:
 * - the solution has a deterministic ARM id, so creating it is an idempotent PUT, and `create`
 *   refuses when the subscription already holds another Qualys solution (one per license);
 * - VMs are linked by a PUT of only the VMs the solution does not list yet, sent without transport
 *   retries; when the outcome is unknown (5xx, dropped connection, timeout, an unreadable answer)
 *   the solution is read again (a few times: a read may lag behind the link) and the link is never
 *   sent again in the same operation, so no VM is linked twice;
 * - fail closed: every answer is checked (status, JSON shape); a safety read that cannot be read
 *   (home region, the subscription's solutions, the linked VMs) stops the operation;
 * - read, and update with unchanged inputs, make GETs only.
 *
 * The license code and public key arrive in plain text (dynamic providers do not accept secrets)
 * and are scrubbed from every error message before it leaves the provider, in every form a
 * service may echo them: `ProvisioningParameters` is JSON inside JSON, so the request body holds
 * them escaped twice, and a service may re-escape, URL-encode, base64-encode or truncate the echo.
 */
import type * as pulumi from "@pulumi/pulumi";
import { AzureRestClient, DEADLINE_ENV, type AzureRestClientOptions } from "../azure-rest/client";
import { scrubSecrets } from "../secret-scrub";
import { QUALYS_TEMPLATE, SOLUTION_API_VERSION, SOLUTION_LIST_API_VERSION } from "./model";
import {
  linkBody,
  locationsPath,
  protectedResourcePath,
  protectedResourcesPath,
  readSolutionStrict,
  solutionBody,
  solutionPath,
  solutionsListPath,
} from "./payloads";

/** Inputs and outputs of the solution as the provider sees them (plain values). */
export interface QualysByolSolutionState {
  armEndpoint: string;
  subscriptionId: string;
  resourceGroupName: string;
  /** Defender for Cloud home region of the subscription. */
  location: string;
  solutionName: string;
  licenseCode: string;
  publicKey: string;
  autoUpdate: boolean;
  /** Azure VMs linked to the solution, sorted. */
  linkedVmIds: string[];
  /** ARM id of the solution (output). */
  solutionId?: string;
  /** Provisioning state reported by Defender for Cloud (output). */
  provisioningState?: string;
}

/** How many times the solution is re-read after a link with an unknown outcome. */
const LINK_SETTLE_READS = 3;
/** Default deadline of one operation: it may wait up to 60 × 10 s for provisioning. */
const BYOL_DEADLINE_MS = 15 * 60_000;

const api = { "api-version": SOLUTION_API_VERSION };

function sameIdSet(a: string[], b: string[]): boolean {
  const x = new Set(a.map((s) => s.toLowerCase()));
  const y = new Set(b.map((s) => s.toLowerCase()));
  return x.size === y.size && [...x].every((s) => y.has(s));
}

function sortIds(ids: string[]): string[] {
  const byKey = new Map<string, string>();
  for (const id of ids) if (!byKey.has(id.toLowerCase())) byKey.set(id.toLowerCase(), id);
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, id]) => id);
}

/** Replace the license code and key by "[secret]" in every form a service may echo them (see secret-scrub). */
export { scrubSecrets };

const secretsOf = (states: Partial<QualysByolSolutionState>[]) => states.flatMap((s) => [s.licenseCode, s.publicKey]);

/** Run `fn`; its error leaves with the secrets of `state` (and of `others`, e.g. the old state of an update) masked. */
async function scrubbed<T>(state: Partial<QualysByolSolutionState>, what: string, fn: () => Promise<T>, others: Partial<QualysByolSolutionState>[] = []): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const secrets = secretsOf([state, ...others]);
    // A new Error, not the original: its stack and fields (the service's message) would hold the secrets.
    throw new Error(`Qualys BYOL solution ${state.solutionName ?? ""}: ${what}: ${scrubSecrets(message, secrets)}`);
  }
}

/**
 * Build a provider. The module-level `qualysByolProvider` uses the client defaults; tests build
 * one with small timeouts and retry delays. Only plain numbers are captured, never a credential.
 */
export interface QualysByolProviderOptions extends Omit<AzureRestClientOptions, "baseUrl" | "credential"> {
  /** Wait between reads while the solution is still provisioning (default 10000 ms). */
  pollIntervalMs?: number;
  /** Reads before giving up on a solution that stays in provisioning (default 60). */
  maxPolls?: number;
}

const IN_PROGRESS = ["provisioning", "creating", "updating", "accepted", "inprogress", "running"];

export function makeQualysByolProvider(options: QualysByolProviderOptions = {}): pulumi.dynamic.ResourceProvider<QualysByolSolutionState, QualysByolSolutionState> {
  const { pollIntervalMs = 10_000, maxPolls = 60, ...clientOptions } = options;
  /** One client per operation; it masks the secrets of `states` in any echo before shortening it. */
  const client = (endpoint: string, ...states: Partial<QualysByolSolutionState>[]) =>
    new AzureRestClient({
      ...clientOptions,
      deadlineMs: clientOptions.deadlineMs ?? (process.env[DEADLINE_ENV] ? undefined : BYOL_DEADLINE_MS),
      baseUrl: endpoint,
      secrets: secretsOf(states),
    });
  /** ARM DELETE and PUT may answer 202 (accepted, asynchronous); 204 has no body. */
  const writeOk = { status: [200, 201, 202, 204], body: "object-or-empty" as const };

  /** GET the solution with its linked VMs; undefined when it does not exist. */
  async function readSolution(c: AzureRestClient, s: QualysByolSolutionState): Promise<{ linked: string[]; provisioningState: string } | undefined> {
    const res = await c.get(solutionPath(s), { query: { ...api, includeProtectedResources: "true" }, allowStatus: [404] });
    if (res.status === 404) return undefined;
    const read = readSolutionStrict(res.body);
    if ("problem" in read) throw new Error(`GET ${solutionPath(s)} returned an unexpected response: ${read.problem}; stopped rather than guess which VMs are linked`);
    return read;
  }

  async function refuseSecondSolution(c: AzureRestClient, s: QualysByolSolutionState): Promise<void> {
    const ours = solutionPath(s).toLowerCase();
    const all = await c.list<{ id?: string; properties?: { template?: string } }>(solutionsListPath(s.subscriptionId), { query: { "api-version": SOLUTION_LIST_API_VERSION } });
    // One solution per license: an entry that cannot be read might be the other Qualys solution.
    const unreadable = all.find((x) => typeof x !== "object" || x === null || typeof x.id !== "string" || typeof x.properties?.template !== "string");
    if (unreadable !== undefined) {
      // Masked before it is cut: a cut echo of a secret is no longer recognisable.
      const entry = scrubSecrets((JSON.stringify(unreadable) ?? "").slice(0, 2000), [s.licenseCode, s.publicKey]).slice(0, 80);
      throw new Error(`the list of security solutions of subscription ${s.subscriptionId} has an entry without id or template (${entry}); stopped rather than risk a second Qualys solution`);
    }
    const other = all.find((x) => (x.properties?.template ?? "").toLowerCase() === QUALYS_TEMPLATE.toLowerCase() && (x.id ?? "").toLowerCase() !== ours);
    if (other) {
      throw new Error(
        `subscription ${s.subscriptionId} already has the Qualys BYOL solution ${other.id}; Defender for Cloud allows one solution per license per subscription. ` +
          "Fix: set qualysByol.resourceGroupName, location and solutionName to that solution's, or delete it first.",
      );
    }
  }

  /** The solution belongs in the subscription's Defender home region: refuse another region before writing anything. */
  async function checkHomeRegion(c: AzureRestClient, s: QualysByolSolutionState): Promise<void> {
    const locations = await c.list<{ name?: string; properties?: { homeRegionName?: string } }>(locationsPath(s.subscriptionId), { query: api });
    const home = locations.map((l) => (typeof l === "object" && l !== null ? (l.properties?.homeRegionName ?? l.name ?? "") : "")).find((x) => typeof x === "string" && x !== "");
    if (!home) {
      throw new Error(`the Defender for Cloud locations of subscription ${s.subscriptionId} name no home region; stopped rather than create the solution in a region that may be wrong`);
    }
    if (home.toLowerCase() !== s.location.toLowerCase()) {
      throw new Error(`the Defender for Cloud home region of subscription ${s.subscriptionId} is ${home}, not ${s.location}. Fix: set qualysByol.location to "${home.toLowerCase()}"`);
    }
  }

  async function putSolution(c: AzureRestClient, s: QualysByolSolutionState): Promise<void> {
    // The reads that follow confirm that the solution exists and is provisioned.
    await c.put(solutionPath(s), solutionBody(s.location, s.licenseCode, s.publicKey, s.autoUpdate), { query: api, expect: writeOk });
  }

  /**
   * Link the VMs the solution does not list yet; never send a VM the service already lists, and
   * never send the link twice in one operation: after an unknown outcome the solution is re-read
   * (a few times, as the read may lag behind the link) and what is still missing is an error that
   * the next run resolves.
   */
  async function linkMissing(c: AzureRestClient, s: QualysByolSolutionState, missing: string[]): Promise<void> {
    if (missing.length === 0) return;
    try {
      await c.put(protectedResourcesPath(s), linkBody(missing), { query: api, idempotent: false, expect: writeOk });
      return;
    } catch (err) {
      if ((err as { mayHaveSucceeded?: boolean }).mayHaveSucceeded !== true) throw err;
      let stillMissing = missing;
      const base = clientOptions.retryDelayMs ?? 1000;
      for (let read = 0; read < LINK_SETTLE_READS && stillMissing.length > 0; read++) {
        if (read > 0) {
          const wait = base * 2 ** (read - 1);
          if (wait >= c.remainingMs()) break;
          await new Promise((resolve) => setTimeout(resolve, wait));
        }
        const now = await readSolution(c, s);
        if (!now) throw err;
        const linked = new Set(now.linked.map((x) => x.toLowerCase()));
        stillMissing = stillMissing.filter((id) => !linked.has(id.toLowerCase()));
      }
      if (stillMissing.length === 0) return;
      throw new Error(
        `linking had an unknown outcome (${err instanceof Error ? err.message : String(err)}) and the solution does not list ${stillMissing.length} of the VMs yet; ` +
          "the link was not sent again, so no VM is linked twice. Fix: run pulumi up again: it reads the solution and links only what is missing.",
      );
    }
  }

  async function unlink(c: AzureRestClient, s: QualysByolSolutionState, vmIds: string[]): Promise<void> {
    for (const vmId of vmIds) {
      try {
        await c.delete(protectedResourcePath(s, vmId), { query: api, allowStatus: [404], expect: writeOk });
      } catch (err) {
        // The service refuses to unlink a stopped VM (409/400); other failures are not about the VM.
        const status = (err as { status?: number }).status;
        const hint = status === 409 || status === 400 ? " (a VM must be running to be unlinked)" : "";
        throw new Error(`could not unlink VM ${vmId}${hint}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  type Read = { linked: string[]; provisioningState: string };

  /** Read the solution until its provisioning ends (a PUT may answer before it does); links need a ready solution. */
  async function readWhenProvisioned(c: AzureRestClient, s: QualysByolSolutionState): Promise<Read> {
    for (let poll = 1; ; poll++) {
      const now = await readSolution(c, s);
      if (!now) throw new Error(`the solution ${solutionPath(s)} does not exist`);
      const state = now.provisioningState.toLowerCase();
      if (state === "failed" || state === "canceled") throw new Error(`the solution ${solutionPath(s)} ended in provisioning state ${now.provisioningState}`);
      if (!IN_PROGRESS.includes(state)) return now;
      if (poll >= maxPolls) throw new Error(`the solution ${solutionPath(s)} is still ${now.provisioningState} after ${maxPolls} reads; run the update again later`);
      c.assertTimeFor(pollIntervalMs, `waiting for the solution ${solutionPath(s)} (still ${now.provisioningState} after ${poll} reads)`);
      await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
    }
  }

  /** Make the linked VMs exactly `desired`: one GET, then writes only for differences. */
  async function reconcileLinks(c: AzureRestClient, s: QualysByolSolutionState): Promise<string> {
    const now = await readWhenProvisioned(c, s);
    const linked = new Set(now.linked.map((x) => x.toLowerCase()));
    const desired = new Set(s.linkedVmIds.map((x) => x.toLowerCase()));
    await unlink(c, s, now.linked.filter((id) => !desired.has(id.toLowerCase())));
    await linkMissing(c, s, s.linkedVmIds.filter((id) => !linked.has(id.toLowerCase())));
    return now.provisioningState;
  }

  const outputs = (s: QualysByolSolutionState, provisioningState: string): QualysByolSolutionState => ({
    ...s,
    linkedVmIds: sortIds(s.linkedVmIds),
    solutionId: solutionPath(s),
    provisioningState,
  });

  return {
    async check(_olds, news) {
      const failures: pulumi.dynamic.CheckFailure[] = [];
      for (const key of ["subscriptionId", "resourceGroupName", "location", "solutionName", "licenseCode", "publicKey", "armEndpoint"] as const) {
        if (typeof news[key] !== "string" || news[key] === "") failures.push({ property: key, reason: `${key} is required` });
      }
      const inputs: QualysByolSolutionState = {
        ...news,
        subscriptionId: (news.subscriptionId ?? "").toLowerCase(),
        autoUpdate: news.autoUpdate === true,
        linkedVmIds: sortIds(news.linkedVmIds ?? []),
      };
      return { inputs, failures };
    },

    async diff(_id, olds, news) {
      const same = (a: string | undefined, b: string | undefined) => (a ?? "").toLowerCase() === (b ?? "").toLowerCase();
      const replaces = (["armEndpoint", "subscriptionId", "resourceGroupName", "location", "solutionName"] as const).filter((k) => !same(olds[k], news[k]));
      const changed =
        replaces.length > 0 ||
        olds.licenseCode !== news.licenseCode ||
        olds.publicKey !== news.publicKey ||
        Boolean(olds.autoUpdate) !== Boolean(news.autoUpdate) ||
        !sameIdSet(olds.linkedVmIds ?? [], news.linkedVmIds ?? []);
      // One solution per license per subscription: the old one must go before the new one exists.
      return { changes: changed, replaces: [...replaces], deleteBeforeReplace: true };
    },

    async create(inputs) {
      return scrubbed(inputs, "create failed", async () => {
        const c = client(inputs.armEndpoint, inputs);
        await checkHomeRegion(c, inputs);
        await refuseSecondSolution(c, inputs);
        await putSolution(c, inputs);
        const state = await reconcileLinks(c, inputs);
        return { id: solutionPath(inputs), outs: outputs(inputs, state) };
      });
    },

    async read(id, maybeProps) {
      if (!maybeProps) throw new Error("Qualys BYOL solution: read needs the resource's state (dynamic resources cannot be imported)");
      const props = maybeProps;
      return scrubbed(props, "read failed", async (): Promise<pulumi.dynamic.ReadResult<QualysByolSolutionState>> => {
        const now = await readSolution(client(props.armEndpoint, props), props);
        if (!now) return {};
        // Keep the declared casing of ids the service lists with another casing.
        const declared = new Map((props.linkedVmIds ?? []).map((x) => [x.toLowerCase(), x]));
        const linkedVmIds = sortIds(now.linked.map((x) => declared.get(x.toLowerCase()) ?? x));
        // No `inputs` returned: the engine keeps the declared inputs (and their secrecy) as they are.
        return { id, props: { ...props, linkedVmIds, provisioningState: now.provisioningState } };
      });
    },

    async update(_id, olds, news) {
      return scrubbed(news, "update failed", async () => {
        const c = client(news.armEndpoint, news, olds);
        if (olds.licenseCode !== news.licenseCode || olds.publicKey !== news.publicKey || Boolean(olds.autoUpdate) !== Boolean(news.autoUpdate)) {
          await putSolution(c, news);
        }
        const state = await reconcileLinks(c, news);
        return { outs: outputs(news, state) };
      }, [olds]);
    },

    async delete(_id, props) {
      await scrubbed(props, "delete failed", async () => {
        const c = client(props.armEndpoint, props);
        const now = await readSolution(c, props);
        if (!now) return;
        // Defender refuses to delete a solution with more than 100 linked VMs: unlink them all first.
        await unlink(c, props, now.linked);
        await c.delete(solutionPath(props), { query: api, allowStatus: [404], expect: writeOk });
      });
    },
  };
}

/** The provider every QualysByolSolution uses: defined once so it is serialized once. */
export const qualysByolProvider = makeQualysByolProvider();
