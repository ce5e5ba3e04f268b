/**
 * Dynamic provider for an Intune Windows custom configuration profile and its assignments, over
 * Microsoft Graph v1.0 through the shared AzureRestClient (no Pulumi provider covers Intune).
 *
 * - Credentials: the client creates DefaultAzureCredential lazily inside each call; nothing about
 *   credentials is an input, an output or captured by the serialized provider.
 * - Create is safe to retry: the profile's description carries a stable marker; before POSTing,
 *   and after a POST that may have been processed (timeout, dropped connection, 5xx, an answer it
 *   cannot read), the provider looks for a profile with that marker (a few times, as a listing may
 *   lag behind a create) and adopts it; it never POSTs a second time in the same operation.
 * - Fail closed: every answer is checked by the client (status, JSON shape); a look-up that cannot
 *   read its answer stops the operation rather than count as "nothing there".
 * - `/assign` replaces the whole assignment set: assignments the stack does not own are refused,
 *   kept or replaced, as `foreignAssignments` says — never dropped silently.
 * - No perpetual diffs: diff compares normalised declared state with the normalised state last
 *   read or written (`observed`); read (refresh) updates `observed` so portal drift shows up.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DeviceConfigurationAssignment } from "@microsoft/microsoft-graph-types";
import { graphClientFor, type AzureRestClient, type GraphHttpSettings } from "../azure-rest/client";
import {
  DEVICE_CONFIGURATIONS_PATH,
  assignmentDifferences,
  assignmentKey,
  buildAssignPayload,
  buildProfilePayload,
  declaredAssignmentKeys,
  hasMarker,
  normaliseDeclared,
  normaliseStored,
  profileDifferences,
  settingsDifferences,
  type DeclaredProfile,
  type ObservedProfile,
  type StoredProfile,
} from "./graph-shapes";
import { FIPS_OFF, FIPS_OMA_URI, FipsOnRemove, ForeignAssignments, fipsOmaSettings, isFipsProfile, markerTag, type OmaSettingSpec } from "./settings";
import { forwardingProvider } from "../dynamic-provider";
import { DYNAMIC_RESOURCES } from "../common/type-tokens";

/** Plain inputs of one managed profile (what check/diff/create/update receive). */
export interface DeviceConfigurationInputs extends DeclaredProfile, GraphHttpSettings {
  /** Stable marker, also embedded in `description`, used to find the profile after an ambiguous create. */
  marker: string;
  /** "fail" (default), "keep" or "replace": what to do with assignments the stack does not own. */
  foreignAssignments: string;
  /** FIPS profile only: "leaveEnabled", "disable" or "disableThenDelete" (see FipsOnRemove). */
  onRemove?: string;
}

/** State of one managed profile. */
export interface DeviceConfigurationOutputs extends DeviceConfigurationInputs {
  /** Graph id of the profile. */
  profileId: string;
  /** Normalised stored state as last read or written. */
  observed: ObservedProfile;
}

type Inputs = DeviceConfigurationInputs;
type Outputs = DeviceConfigurationOutputs;

/** An answer that parsed but does not have the shape this provider needs. */
function shapeError(what: string, detail: string): Error {
  return new Error(`Intune: ${what} returned an unexpected response: ${detail}. Nothing was assumed from it; run pulumi up again once Graph answers normally.`);
}

const profilePath = (id: string) => `${DEVICE_CONFIGURATIONS_PATH}/${encodeURIComponent(id)}`;

/** Profiles whose description carries the marker (client-side match: $filter on description is not documented). */
async function findByMarker(client: AzureRestClient, marker: string): Promise<StoredProfile[]> {
  const all = await client.list<unknown>(DEVICE_CONFIGURATIONS_PATH, { query: { $select: "id,displayName,description" } });
  const bad = all.find((p) => typeof p !== "object" || p === null || typeof (p as StoredProfile).id !== "string");
  if (bad !== undefined) throw shapeError("the device configuration listing", `an entry without an id (${JSON.stringify(bad)?.slice(0, 80)})`);
  return (all as StoredProfile[]).filter((p) => hasMarker(p, marker));
}

/**
 * After a POST whose outcome is unknown: look for the marker a few times (a listing may lag behind
 * a create), within the operation's deadline. Never a second POST here.
 */
async function findAfterUnknownCreate(client: AzureRestClient, inputs: Inputs): Promise<StoredProfile[]> {
  const base = inputs.httpRetryDelayMs ?? 1000;
  for (let look = 0; ; look++) {
    const found = await findByMarker(client, inputs.marker);
    if (found.length > 0 || look >= CREATE_SETTLE_LOOKS) return found;
    const wait = base * 2 ** look;
    if (wait >= client.remainingMs()) return found;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** Extra marker look-ups after a create with an unknown outcome. */
const CREATE_SETTLE_LOOKS = 3;

function duplicateError(inputs: Inputs, found: StoredProfile[]): Error {
  return new Error(
    `Intune: ${found.length} device configurations carry the marker of "${inputs.displayName}" (${found.map((p) => p.id).join(", ")}). ` +
      "Fix: delete the extra profiles in Intune (keep the one with the assignments you want), then run pulumi up again.",
  );
}

/** One GET of the profile with its assignments; null when it no longer exists. */
async function getProfile(client: AzureRestClient, id: string): Promise<{ profile: StoredProfile; assignments: DeviceConfigurationAssignment[] } | null> {
  const res = await client.get<StoredProfile & { assignments?: DeviceConfigurationAssignment[] | null }>(profilePath(id), {
    query: { $expand: "assignments" },
    allowStatus: [404],
  });
  if (res.status === 404) return null;
  if (typeof res.body.id !== "string") throw shapeError(`GET of profile ${id}`, `HTTP ${res.status}, a JSON object without an id`);
  let assignments = res.body.assignments;
  // If the service ignored $expand, ask for the assignments rather than assume there are none.
  if (!Array.isArray(assignments)) assignments = await client.list<DeviceConfigurationAssignment>(`${profilePath(id)}/assignments`);
  return { profile: res.body, assignments };
}

function foreignAssignmentsError(inputs: Inputs, id: string, foreign: string[]): Error {
  return new Error(
    `Intune profile "${inputs.displayName}" (${id}) has assignments this stack does not declare: ${foreign.join(", ")}. ` +
      "POST /assign replaces the whole assignment set, so applying would remove them. " +
      'Fix: add them to assignment.includeGroupIds / excludeGroupIds, or set foreignAssignments "keep" to leave them in place, ' +
      'or "replace" to let this stack take ownership and remove them.',
  );
}

/**
 * Bring an existing profile to the declared state with the fewest writes: one GET, then a PATCH
 * only if the profile differs and an /assign only if the assignment set differs.
 * `previouslyOwned` are assignment keys the stack declared before (they may be dropped).
 */
async function reconcile(client: AzureRestClient, id: string, inputs: Inputs, previouslyOwned: string[], lastKnown?: ObservedProfile): Promise<ObservedProfile> {
  const current = await getProfile(client, id);
  if (!current) throw new Error(`Intune profile "${inputs.displayName}" (${id}) no longer exists. Fix: run pulumi refresh, then pulumi up to recreate it.`);
  const declared = normaliseDeclared(inputs);
  const stored = normaliseStored(current.profile, current.assignments, lastKnown);

  // Decide about foreign assignments before any write, so a refusal leaves nothing half-done.
  const owned = new Set([...declared.assignments, ...previouslyOwned]);
  const foreign = current.assignments.filter((a) => !owned.has(assignmentKey(a.target)));
  if (foreign.length > 0 && inputs.foreignAssignments === ForeignAssignments.Fail) {
    throw foreignAssignmentsError(inputs, id, foreign.map((a) => assignmentKey(a.target)));
  }
  const kept = inputs.foreignAssignments === ForeignAssignments.Keep ? foreign : [];

  let observedSettings: ObservedProfile = stored;
  if (settingsDifferences(declared, stored).length > 0) {
    await client.patch(profilePath(id), buildProfilePayload(inputs));
    observedSettings = declared;
  }

  const desiredKeys = [...declared.assignments, ...kept.map((a) => assignmentKey(a.target))].sort();
  let observedAssignments = stored.assignments;
  if (assignmentDifferences(desiredKeys, stored.assignments, ForeignAssignments.Replace).length > 0) {
    observedAssignments = await assign(client, id, inputs, kept);
  }
  return { ...observedSettings, assignments: observedAssignments };
}

/** POST /assign with the complete set. Replacing a set is idempotent, so it may be retried. */
async function assign(client: AzureRestClient, id: string, inputs: Inputs, kept: DeviceConfigurationAssignment[]): Promise<string[]> {
  const body = buildAssignPayload(inputs, kept.map((a) => a.target).filter((t) => !!t));
  // Graph answers 200 with the new set; 204 (no body) is taken as done too.
  const res = await client.post<{ value?: DeviceConfigurationAssignment[] } | undefined>(`${profilePath(id)}/assign`, body, {
    idempotent: true,
    expect: { status: [200, 204], body: "object-or-empty" },
  });
  const returned = res.body?.value;
  if (res.status === 200 && res.body === undefined) throw shapeError(`POST /assign of profile ${id}`, "HTTP 200, empty body (Graph answers 200 with the new assignment set)");
  if (res.body !== undefined && !Array.isArray(returned)) throw shapeError(`POST /assign of profile ${id}`, `HTTP ${res.status}, a JSON object without an array "value"`);
  return (Array.isArray(returned) ? returned : body.assignments).map((a) => assignmentKey(a.target)).sort();
}

function problemsOf(news: Inputs): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  if (!news.graphEndpoint) failures.push({ property: "graphEndpoint", reason: "required" });
  if (!news.marker) failures.push({ property: "marker", reason: "required: it makes create safe to retry" });
  if (!news.displayName) failures.push({ property: "displayName", reason: "required" });
  if (!Array.isArray(news.omaSettings) || news.omaSettings.length === 0) failures.push({ property: "omaSettings", reason: "at least one OMA-URI setting is required" });
  else if (news.omaSettings.length > 1000) failures.push({ property: "omaSettings", reason: "Graph accepts at most 1000 OMA settings per profile" });
  if (!Array.isArray(news.includeGroupIds) || news.includeGroupIds.length === 0) failures.push({ property: "includeGroupIds", reason: "no assignment target" });
  if (!Object.values(ForeignAssignments).includes(news.foreignAssignments as ForeignAssignments)) {
    failures.push({ property: "foreignAssignments", reason: `one of ${Object.values(ForeignAssignments).join(", ")}` });
  }
  if (news.onRemove !== undefined && !Object.values(FipsOnRemove).includes(news.onRemove as FipsOnRemove)) {
    failures.push({ property: "onRemove", reason: `one of ${Object.values(FipsOnRemove).join(", ")}` });
  }
  if (news.onRemove === undefined && isFipsProfile(news.omaSettings)) {
    failures.push({ property: "onRemove", reason: "required for the FIPS profile: removing it does not turn FIPS mode off on devices" });
  }
  return failures;
}

function outputs(inputs: Inputs, profileId: string, observed: ObservedProfile): Outputs {
  return { ...inputs, excludeGroupIds: inputs.excludeGroupIds ?? [], profileId, observed };
}

/** The one module-level provider object (serialized once per process, cached by Pulumi). */
export const deviceConfigurationProvider: pulumi.dynamic.ResourceProvider<DeviceConfigurationInputs, DeviceConfigurationOutputs> = {
  async check(_olds, news) {
    const inputs: Inputs = { ...news, excludeGroupIds: news.excludeGroupIds ?? [], foreignAssignments: news.foreignAssignments ?? ForeignAssignments.Fail };
    const failures = problemsOf(inputs);
    return failures.length > 0 ? { failures } : { inputs };
  },

  async diff(id, olds, news) {
    const replaces = olds.graphEndpoint !== news.graphEndpoint ? ["graphEndpoint"] : [];
    if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: false };
    const observed = olds.observed;
    if (!observed) return { changes: true };
    // Refreshed state with assignments the stack does not own: say so at preview, not at apply.
    if (news.foreignAssignments === ForeignAssignments.Fail) {
      const owned = new Set([...declaredAssignmentKeys(news), ...declaredAssignmentKeys(olds)]);
      const foreign = observed.assignments.filter((key) => !owned.has(key));
      if (foreign.length > 0) throw foreignAssignmentsError(news, olds.profileId ?? id, foreign);
    }
    const differences = profileDifferences(normaliseDeclared(news), observed, news.foreignAssignments);
    // A new removal choice changes no Graph object, but the state must hold it: delete reads it there.
    return { changes: differences.length > 0 || olds.onRemove !== news.onRemove };
  },

  async create(inputs) {
    const client = graphClientFor(inputs);
    const existing = await findByMarker(client, inputs.marker);
    if (existing.length > 1) throw duplicateError(inputs, existing);
    if (existing.length === 1 && existing[0].id) {
      const id = existing[0].id;
      return { id, outs: outputs(inputs, id, await reconcile(client, id, inputs, [])) };
    }

    let created: StoredProfile;
    try {
      created = (await client.post<StoredProfile>(DEVICE_CONFIGURATIONS_PATH, buildProfilePayload(inputs), { expect: { status: [201, 200], body: "object" } })).body;
      if (typeof created.id !== "string" || created.id === "") {
        throw Object.assign(new Error(`POST ${DEVICE_CONFIGURATIONS_PATH} answered HTTP 201 without a profile id`), { mayHaveSucceeded: true });
      }
    } catch (err) {
      if ((err as { mayHaveSucceeded?: boolean }).mayHaveSucceeded !== true) throw err;
      // The POST may have been processed: adopt what it created. Never POST again in this
      // operation: the listing may lag behind the create, and a second POST could duplicate it.
      const found = await findAfterUnknownCreate(client, inputs);
      if (found.length > 1) throw duplicateError(inputs, found);
      if (found.length === 1 && found[0].id) {
        const id = found[0].id;
        return { id, outs: outputs(inputs, id, await reconcile(client, id, inputs, [])) };
      }
      throw new Error(
        `Intune: creating "${inputs.displayName}" had an unknown outcome (${err instanceof Error ? err.message : String(err)}), ` +
          `and no profile with its marker is listed yet. Nothing was sent again, so no duplicate can arise. ` +
          "Fix: run pulumi up again: it adopts the profile by its marker if the create went through, or creates it once.",
      );
    }
    const assignments = await assign(client, created.id, inputs, []);
    return { id: created.id, outs: outputs(inputs, created.id, { ...normaliseDeclared(inputs), assignments }) };
  },

  async read(id, props) {
    if (!props) throw new Error(`Intune: cannot read profile ${id} without its state (import is not supported by dynamic providers)`);
    const client = graphClientFor(props);
    const current = await getProfile(client, id);
    // An empty id tells the engine the profile is gone (deleted in the portal).
    if (!current) return { id: "", props: {} as Outputs };
    const observed = normaliseStored(current.profile, current.assignments, props.observed);
    return { id, props: { ...props, profileId: id, observed } };
  },

  async update(id, olds, news) {
    const client = graphClientFor(news);
    const previouslyOwned = declaredAssignmentKeys(olds);
    const observed = await reconcile(client, id, news, previouslyOwned, olds.observed);
    return { outs: outputs(news, id, observed) };
  },

  async delete(id, props) {
    const client = graphClientFor(props);
    if (isFipsProfile(props.omaSettings)) {
      if (props.onRemove === undefined) {
        throw new Error(
          `Intune profile "${props.displayName}" (${id}): its state does not say what removal does to the devices (it predates onRemove), and deleting it leaves every device in FIPS mode. ` +
            'Fix: set onRemove ("disable" or "leaveEnabled") on the FipsDeviceConfiguration, run pulumi up, then remove it.',
        );
      }
      if (props.onRemove === FipsOnRemove.Disable || props.onRemove === FipsOnRemove.DisableThenDelete) {
        const gone = !(await turnFipsOff(client, id, props));
        // "disable" keeps the profile, assigned, so devices apply 0 at their next check-in.
        if (gone || props.onRemove === FipsOnRemove.Disable) return;
      }
    }
    // 204 (or 200) is deleted; a JSON 404 from Graph is "already gone"; anything else is an error.
    await client.delete(profilePath(id), { allowStatus: [404] });
  },
};

/**
 * Assign AllowFipsAlgorithmPolicy = 0 on the profile (its assignments unchanged) and confirm by a
 * read that the service holds 0: a removal must not go on while the write is in doubt. The name and
 * description say the profile was left to turn FIPS off; the marker stays, so declaring the
 * component again adopts the profile. False when the profile no longer exists.
 */
async function turnFipsOff(client: AzureRestClient, id: string, props: Outputs): Promise<boolean> {
  const off: Inputs = {
    ...props,
    displayName: `${props.displayName} (FIPS off: removed from Pulumi)`,
    description:
      "Assigns AllowFipsAlgorithmPolicy = 0 so devices turn FIPS mode off (Windows keeps FIPS on when a profile that set it is removed).\n" +
      "Left by tenant-guardrails when the FIPS profile was removed with onRemove: disable. Delete it once the assigned devices report it applied.\n" +
      markerTag(props.marker),
    omaSettings: fipsOmaSettings(FIPS_OFF),
  };
  const res = await client.patch(profilePath(id), buildProfilePayload(off), { allowStatus: [404] });
  if (res.status === 404) return false;
  const now = await getProfile(client, id);
  if (!now) return false;
  const value = (now.profile.omaSettings ?? []).find((s) => (s.omaUri ?? "").toLowerCase() === FIPS_OMA_URI.toLowerCase()) as { value?: unknown } | undefined;
  if (value?.value !== FIPS_OFF) {
    throw new Error(
      `Intune profile "${props.displayName}" (${id}): AllowFipsAlgorithmPolicy reads ${JSON.stringify(value?.value)} after it was set to 0; nothing was deleted. Fix: check the profile in Intune, then run the removal again.`,
    );
  }
  return true;
}

/** Inputs of the dynamic resource (each may be an Output). */
export interface IntuneDeviceConfigurationArgs {
  graphEndpoint: pulumi.Input<string>;
  marker: pulumi.Input<string>;
  displayName: pulumi.Input<string>;
  description: pulumi.Input<string>;
  omaSettings: pulumi.Input<OmaSettingSpec[]>;
  includeGroupIds: pulumi.Input<pulumi.Input<string>[]>;
  excludeGroupIds: pulumi.Input<pulumi.Input<string>[]>;
  foreignAssignments: pulumi.Input<string>;
  /** FIPS profile only: what removal does to the devices. */
  onRemove?: pulumi.Input<string>;
}

/** A Windows custom configuration profile and its assignments (`pulumi-nodejs:dynamic/intune:DeviceConfiguration`). */
export class IntuneDeviceConfiguration extends pulumi.dynamic.Resource {
  /** Graph id of the profile. */
  declare readonly profileId: pulumi.Output<string>;
  /** Normalised stored state as last read or written. */
  declare readonly observed: pulumi.Output<ObservedProfile>;

  constructor(name: string, args: IntuneDeviceConfigurationArgs, opts?: pulumi.CustomResourceOptions) {
    super(forwardingProvider("intune-device-configuration"), name, { profileId: undefined, observed: undefined, ...args }, opts, DYNAMIC_RESOURCES.IntuneDeviceConfiguration.module, DYNAMIC_RESOURCES.IntuneDeviceConfiguration.type);
  }
}
