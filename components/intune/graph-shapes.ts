/**
 * Pure core between declared state and Microsoft Graph: payload builders typed with Microsoft's
 * Graph types, and the normalisation that makes declared and stored state comparable (Graph adds
 * defaults and read-only fields, masks string values, and returns assignments in any order).
 */
import type {
  DeviceAndAppManagementAssignmentTarget,
  DeviceConfigurationAssignment,
  GroupAssignmentTarget,
  OmaSetting,
  OmaSettingInteger,
  OmaSettingString,
  Windows10CustomConfiguration,
} from "@microsoft/microsoft-graph-types";
import { ForeignAssignments, markerTag, type OmaSettingSpec } from "./settings";

/** Graph sends and expects the derived type in `@odata.type`; the types package leaves it out. */
export type ODataTyped<T> = T & { "@odata.type": string };

export const DEVICE_CONFIGURATIONS_PATH = "/v1.0/deviceManagement/deviceConfigurations";
const T = "#microsoft.graph.";

/** What the stack declares for one Windows custom configuration profile and its assignments. */
export interface DeclaredProfile {
  displayName: string;
  /** Includes the marker tag. */
  description: string;
  omaSettings: OmaSettingSpec[];
  includeGroupIds: string[];
  excludeGroupIds: string[];
}

/** Stored state of a profile, normalised to the declared form. */
export interface ObservedProfile {
  displayName: string;
  description: string;
  /** Sorted by omaUri. */
  omaSettings: OmaSettingSpec[];
  /** Assignment keys (`include:<group>`, `exclude:<group>`, `allDevices`, ...), sorted. */
  assignments: string[];
}

/** A profile as Graph returns it (GET, optionally with `$expand=assignments`). */
export type StoredOmaSetting = OmaSetting & { "@odata.type"?: string; value?: unknown; isEncrypted?: boolean };
export type StoredProfile = Omit<Windows10CustomConfiguration, "omaSettings"> & {
  "@odata.type"?: string;
  omaSettings?: StoredOmaSetting[] | null;
};

export function buildProfilePayload(d: DeclaredProfile): ODataTyped<Windows10CustomConfiguration> {
  return {
    "@odata.type": `${T}windows10CustomConfiguration`,
    displayName: d.displayName,
    description: d.description,
    omaSettings: d.omaSettings.map(buildOmaSetting),
  };
}

function buildOmaSetting(s: OmaSettingSpec): ODataTyped<OmaSetting> {
  if (s.kind === "integer") {
    const setting: ODataTyped<OmaSettingInteger> = {
      "@odata.type": `${T}omaSettingInteger`,
      displayName: s.displayName,
      omaUri: s.omaUri,
      value: Number.parseInt(s.value, 10),
    };
    return setting;
  }
  const setting: ODataTyped<OmaSettingString> = {
    "@odata.type": `${T}omaSettingString`,
    displayName: s.displayName,
    omaUri: s.omaUri,
    value: s.value,
  };
  return setting;
}

export function includeTarget(groupId: string): ODataTyped<GroupAssignmentTarget> {
  return { "@odata.type": `${T}groupAssignmentTarget`, groupId };
}

export function excludeTarget(groupId: string): ODataTyped<GroupAssignmentTarget> {
  return { "@odata.type": `${T}exclusionGroupAssignmentTarget`, groupId };
}

/** Body of `POST .../{id}/assign`: the complete assignment set (the call replaces it). */
export function buildAssignPayload(
  d: Pick<DeclaredProfile, "includeGroupIds" | "excludeGroupIds">,
  keptForeignTargets: DeviceAndAppManagementAssignmentTarget[] = [],
): { assignments: DeviceConfigurationAssignment[] } {
  return {
    assignments: [
      ...d.includeGroupIds.map((g) => ({ target: includeTarget(g) })),
      ...d.excludeGroupIds.map((g) => ({ target: excludeTarget(g) })),
      ...keptForeignTargets.map((target) => ({ target })),
    ],
  };
}

/** A stable, order-free key for an assignment target; group ids compared case-insensitively. */
export function assignmentKey(target: DeviceAndAppManagementAssignmentTarget | null | undefined): string {
  const t = (target ?? {}) as {
    "@odata.type"?: string;
    groupId?: string | null;
    deviceAndAppManagementAssignmentFilterId?: string | null;
    deviceAndAppManagementAssignmentFilterType?: string | null;
  };
  const type = (t["@odata.type"] ?? "").replace(/^#?microsoft\.graph\./, "");
  const group = (t.groupId ?? "").toLowerCase();
  let key: string;
  switch (type) {
    case "groupAssignmentTarget":
      key = `include:${group}`;
      break;
    case "exclusionGroupAssignmentTarget":
      key = `exclude:${group}`;
      break;
    case "allDevicesAssignmentTarget":
      key = "allDevices";
      break;
    case "allLicensedUsersAssignmentTarget":
      key = "allLicensedUsers";
      break;
    default:
      key = `${type || "unknown"}${group ? `:${group}` : ""}`;
  }
  // Graph reports "none" (or null) when no assignment filter is set.
  const filterType = t.deviceAndAppManagementAssignmentFilterType;
  if (t.deviceAndAppManagementAssignmentFilterId && filterType && filterType !== "none") {
    key += `|filter:${filterType}:${t.deviceAndAppManagementAssignmentFilterId.toLowerCase()}`;
  }
  return key;
}

export function declaredAssignmentKeys(d: Pick<DeclaredProfile, "includeGroupIds" | "excludeGroupIds">): string[] {
  return [...(d.includeGroupIds ?? []).map((g) => assignmentKey(includeTarget(g))), ...(d.excludeGroupIds ?? []).map((g) => assignmentKey(excludeTarget(g)))].sort();
}

/**
 * Whether Graph masked a stored string value. Graph beta returns "****" for encrypted OMA strings
 * (v1.0 behaviour is unverified): treat a run of asterisks, or an encrypted value that is not the
 * XML payload we send, as masked.
 */
export function isMasked(value: unknown, isEncrypted: boolean | undefined): boolean {
  if (typeof value !== "string") return false;
  if (/^\*+$/.test(value)) return true;
  return isEncrypted === true && !value.trimStart().startsWith("<");
}

function omaKind(odataType: string | undefined): OmaSettingSpec["kind"] {
  const type = (odataType ?? "").replace(/^#?microsoft\.graph\./, "");
  return type === "omaSettingInteger" ? "integer" : "string";
}

const bySettingOrder = (a: OmaSettingSpec, b: OmaSettingSpec) =>
  a.omaUri.localeCompare(b.omaUri) || a.displayName.localeCompare(b.displayName);

const lineEndings = (s: string | null | undefined) => (s ?? "").replace(/\r\n/g, "\n");

export function normaliseDeclared(d: DeclaredProfile): ObservedProfile {
  return {
    displayName: d.displayName,
    description: lineEndings(d.description),
    omaSettings: d.omaSettings.map((s) => ({ ...s, value: String(s.value) })).sort(bySettingOrder),
    assignments: declaredAssignmentKeys(d),
  };
}

/**
 * Stored profile → the declared form. A masked value cannot be compared, so it is replaced by the
 * value last known for that OMA-URI (`lastKnown`, from state); without one it stays masked, which
 * differs from any declared value and therefore leads to a write of the declared value.
 */
export function normaliseStored(
  stored: StoredProfile,
  assignments: DeviceConfigurationAssignment[],
  lastKnown?: ObservedProfile,
): ObservedProfile {
  const known = new Map((lastKnown?.omaSettings ?? []).map((s) => [s.omaUri, s.value]));
  return {
    displayName: stored.displayName ?? "",
    description: lineEndings(stored.description),
    omaSettings: (stored.omaSettings ?? [])
      .map((s) => {
        const omaUri = s.omaUri ?? "";
        const masked = isMasked(s.value, s.isEncrypted);
        const value = masked ? (known.get(omaUri) ?? String(s.value)) : String(s.value ?? "");
        return { kind: omaKind(s["@odata.type"]), displayName: s.displayName ?? "", omaUri, value };
      })
      .sort(bySettingOrder),
    assignments: assignments.map((a) => assignmentKey(a.target)).sort(),
  };
}

/** Differences in the profile itself (names and OMA settings), as short human-readable lines. */
export function settingsDifferences(declared: ObservedProfile, observed: ObservedProfile): string[] {
  const out: string[] = [];
  if (declared.displayName !== observed.displayName) out.push(`displayName: ${JSON.stringify(observed.displayName)} → ${JSON.stringify(declared.displayName)}`);
  if (declared.description !== observed.description) out.push("description changed");
  const storedByUri = new Map(observed.omaSettings.map((s) => [s.omaUri, s]));
  const declaredUris = new Set(declared.omaSettings.map((s) => s.omaUri));
  for (const s of declared.omaSettings) {
    const stored = storedByUri.get(s.omaUri);
    if (!stored) out.push(`omaSettings: ${s.omaUri} missing`);
    else if (stored.kind !== s.kind || stored.value !== s.value || stored.displayName !== s.displayName) out.push(`omaSettings: ${s.omaUri} changed`);
  }
  for (const s of observed.omaSettings) if (!declaredUris.has(s.omaUri)) out.push(`omaSettings: ${s.omaUri} not declared`);
  return out;
}

/** Differences in the assignment set; with `foreign = keep`, undeclared assignments are ignored. */
export function assignmentDifferences(declared: string[], observed: string[], foreign: string): string[] {
  const out: string[] = [];
  const stored = new Set(observed);
  const wanted = new Set(declared);
  for (const key of wanted) if (!stored.has(key)) out.push(`assignments: ${key} missing`);
  if (foreign !== ForeignAssignments.Keep) for (const key of stored) if (!wanted.has(key)) out.push(`assignments: ${key} not declared`);
  return out;
}

/** All differences between declared and observed state (empty = in sync). */
export function profileDifferences(declared: ObservedProfile, observed: ObservedProfile, foreign: string): string[] {
  return [...settingsDifferences(declared, observed), ...assignmentDifferences(declared.assignments, observed.assignments, foreign)];
}

/** Whether a stored profile carries the marker of this declared profile. */
export function hasMarker(profile: { description?: string | null }, marker: string): boolean {
  return (profile.description ?? "").includes(markerTag(marker));
}
