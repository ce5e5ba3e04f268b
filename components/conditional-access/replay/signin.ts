/**
 * One sign-in, as the replay evaluator reads it: every field Conditional Access decides on,
 * normalised once when the record is read (ids lower-cased, display strings mapped to policy
 * values). `undefined` always means "the log does not say"; the evaluator then answers "not
 * enough information" for a policy that needs the field, never a guess.
 *
 * Built by a class constructor so that every sign-in has one hidden class: the evaluator's
 * property loads stay monomorphic.
 */
import type { GraphDevice } from "../device-filter";

/** How Entra classifies a user for the guest and external user condition. `member` = internal member. */
export type GuestKind =
  | "member"
  | "internalGuest"
  | "b2bCollaborationGuest"
  | "b2bCollaborationMember"
  | "b2bDirectConnectUser"
  | "otherExternalUser"
  | "serviceProvider";

/** A policy result Entra recorded for a sign-in (`appliedConditionalAccessPolicies[]`). */
export interface AppliedPolicyResult {
  id?: string;
  displayName?: string;
  /** success, failure, notApplied, notEnabled, reportOnlySuccess, reportOnlyFailure, reportOnlyNotApplied, reportOnlyInterrupted, unknown */
  result: string;
}

/** Bits of `SignIn.deviceProps`: the device-filter properties the log carries for a registered device. */
export const DEVICE_PROP_BITS: Readonly<Record<string, number>> = {
  deviceId: 1,
  displayName: 2,
  trustType: 4,
  isCompliant: 8,
};

/**
 * The device of a registered-device sign-in, as the device filter reads it: only the properties
 * a sign-in log carries, every one declared (undefined when the log lacks it, which a filter
 * reads as *none*), so every device has one hidden class and a rule's property loads stay
 * monomorphic.
 */
export class SignInDevice implements GraphDevice {
  deviceId: string | undefined = undefined;
  displayName: string | undefined = undefined;
  /** AzureAD, ServerAD or Workplace. */
  trustType: string | undefined = undefined;
  isCompliant: boolean | undefined = undefined;
}

export class SignIn {
  /** Position in the input (0-based, across files). */
  index = 0;
  /** The record's `id` (correlates with the portal). */
  id = "";
  /** `createdDateTime` as written in the log. */
  time = "";
  /** `YYYY-MM-DD` of `time` (UTC), or "" when the log has no time. */
  day = "";
  /** Interactive (`SigninLogs`) or not (`AADNonInteractiveUserSignInLogs`); undefined when unknown. */
  interactive: boolean | undefined = undefined;

  /** User object id, lower case. */
  userId: string | undefined = undefined;
  userPrincipalName: string | undefined = undefined;
  /** A service principal (workload identity) sign-in rather than a user's. */
  isServicePrincipal = false;
  guestKind: GuestKind | undefined = undefined;
  /** The user's home tenant id, lower case. */
  homeTenantId: string | undefined = undefined;
  /** Groups (object ids, lower case) the user belongs to, among the groups whose membership is known; undefined without `--groups`. */
  groups: ReadonlySet<string> | undefined = undefined;
  /** Directory role template ids (lower case) the user holds, among the roles whose membership is known. */
  roles: ReadonlySet<string> | undefined = undefined;
  /** Every group membership of this user is known (a user-centred export), not only that of the complete groups. */
  groupsComplete = false;
  rolesComplete = false;

  /** The client application id, lower case. */
  appId: string | undefined = undefined;
  appDisplayName: string | undefined = undefined;
  /** The resource (cloud app) id, lower case: what a policy's application condition targets. */
  resourceId: string | undefined = undefined;
  resourceDisplayName: string | undefined = undefined;
  /** The tenant that owns the resource app (Microsoft's for first-party apps), lower case. */
  resourceOwnerTenantId: string | undefined = undefined;
  /** The user action (`urn:user:registersecurityinfo`, `urn:user:registerdevice`), "" for none, undefined when unknown. */
  userAction: string | undefined = undefined;
  /** Authentication context class references (c1..c99), lower case; undefined when the log does not say. */
  authContexts: readonly string[] | undefined = undefined;

  /** Conditional Access client app type: browser, mobileAppsAndDesktopClients, exchangeActiveSync, other. */
  clientAppType: string | undefined = undefined;
  /** The `clientAppUsed` display string. */
  clientAppUsed: string | undefined = undefined;
  /** Conditional Access platform (android, iOS, windows, macOS, linux, windowsPhone), "unsupported" for an OS Entra does not list, undefined when unknown. */
  platform: string | undefined = undefined;
  operatingSystem: string | undefined = undefined;

  ipAddress: string | undefined = undefined;
  /** The IPv4 address as an unsigned 32-bit number, or -1. */
  ipv4 = -1;
  /** The IPv6 address as a bigint, or undefined. */
  ipv6: bigint | undefined = undefined;
  /** Two-letter country code (upper case); "" when Entra could not tell; undefined when the log has no location. */
  country: string | undefined = undefined;
  /** Whether the sign-in came from a trusted location, as the log's network location details say (undefined: not recorded). */
  trustedNetwork: boolean | undefined = undefined;
  /** Named-location names the log's network location details list (lower case). */
  networkNames: readonly string[] | undefined = undefined;

  /** Sign-in risk (none, low, medium, high; "hidden" counts as unknown). */
  signInRisk: string | undefined = undefined;
  /** User risk (none, low, medium, high). */
  userRisk: string | undefined = undefined;
  /** Original transfer method: none, deviceCodeFlow, authenticationTransfer. */
  transferMethod: string | undefined = undefined;

  /** The device for filters: a Graph device view, `null` = unregistered, undefined = the log has no device details. */
  device: GraphDevice | null | undefined = undefined;
  /** DEVICE_PROP_BITS of the properties the log gives for a registered device. */
  deviceProps = 0;
  /** Canonical trust type (AzureAD, ServerAD, Workplace), "" for unregistered, undefined when unknown. */
  trustType: string | undefined = undefined;
  /** The `deviceDetail.trustType` display string as logged. */
  trustTypeLogged: string | undefined = undefined;
  isCompliant: boolean | undefined = undefined;

  /** What Entra recorded, if the log has it. */
  applied: readonly AppliedPolicyResult[] | undefined = undefined;
  /** Entra's overall `conditionalAccessStatus` (success, failure, notApplied). */
  conditionalAccessStatus: string | undefined = undefined;
}

/** A short label for reports. */
export function signInLabel(s: SignIn): string {
  const who = s.userPrincipalName ?? s.userId ?? (s.isServicePrincipal ? "service principal" : "unknown user");
  const app = s.resourceDisplayName ?? s.appDisplayName ?? s.resourceId ?? s.appId ?? "unknown app";
  return `#${s.index} ${s.time || "(no time)"} ${who} -> ${app}`;
}
