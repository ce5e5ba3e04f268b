/**
 * Replayed sign-ins in coverage classes: which class a sign-in read from the logs falls in, so a
 * class's outcome can be set next to the replay evaluator's for the sign-ins in it. A sign-in the
 * log does not say enough about (a dimension the classes are split on is missing) has no class:
 * `undefined`, never a guess, as in replay.
 *
 * Pure core: no Pulumi import.
 */
import type { GraphDevice } from "../device-filter";
import type { InventoryDevice } from "../whatif/evaluate";
import { DEVICE_PROP_BITS, type SignIn } from "../replay/signin";
import { inLocation, type NamedLocation } from "../replay/locations";
import { classifyDevice, PLATFORM_OPERATING_SYSTEM, type CoverageAnalysis, type DeviceClass } from "./analysis";
import { VariableKind } from "./formula";
import type { CoverageSignIn } from "./dimensions";

/** What the log lacks that only a side file gives (the replay's `--locations` and `--groups`). */
export interface SignInClassContext {
  /** Named locations (`--locations`): without them a class split on a named location cannot place a sign-in. */
  locations?: readonly NamedLocation[];
  /** Groups and roles whose complete membership is known (`--groups`). */
  completeGroups?: ReadonlySet<string>;
  completeRoles?: ReadonlySet<string>;
}

/** Bit of a device property the log never carries (as the replay evaluator counts them). */
const NOT_IN_LOG = 1 << 10;

/** Whether a sign-in is from a trusted location, as the replay evaluator decides `AllTrusted`: 1, 0, 2. */
function trustedOf(s: SignIn, ctx: SignInClassContext): number {
  if (ctx.locations) {
    let r = 0;
    for (const loc of ctx.locations) {
      if (!loc.isTrusted) continue;
      const v = inLocation(loc, s);
      if (v === 1) return 1;
      if (v === 2) r = 2;
    }
    return s.trustedNetwork === undefined ? r : s.trustedNetwork ? 1 : r;
  }
  return s.trustedNetwork === undefined ? 2 : s.trustedNetwork ? 1 : 0;
}

/**
 * The device and the rest of the sign-in, in coverage's terms, or undefined when the log lacks a
 * dimension the analysis splits on (a device property, the user's kind or memberships, the client
 * app type, a named location). A service principal sign-in has no class: coverage models users.
 */
export function coverageSignInOf(analysis: CoverageAnalysis, s: SignIn, ctx: SignInClassContext = {}): { device: InventoryDevice; signIn: CoverageSignIn } | undefined {
  if (s.isServicePrincipal || s.device === undefined) return undefined;
  const variables = analysis.model.variables;
  let device: InventoryDevice;
  if (s.device === null) {
    const os = s.platform === undefined ? undefined : PLATFORM_OPERATING_SYSTEM[s.platform];
    if (s.platform === undefined && analysis.model.namedPlatforms.length) return undefined;
    device = os === undefined ? null : { unregistered: true, operatingSystem: os };
  } else {
    for (const v of variables) {
      if (v.property === undefined || (v.property === "operatingSystem" && v.platformOnly)) continue;
      if ((s.deviceProps & (DEVICE_PROP_BITS[v.property] ?? NOT_IN_LOG)) === 0) return undefined;
    }
    const view: GraphDevice = { ...s.device };
    // The platform of the sign-in (the client's OS) when the log has no registered operatingSystem.
    if (view.operatingSystem === undefined && s.platform !== undefined && PLATFORM_OPERATING_SYSTEM[s.platform]) view.operatingSystem = PLATFORM_OPERATING_SYSTEM[s.platform];
    if (view.operatingSystem === undefined && analysis.model.namedPlatforms.length && s.platform === undefined) return undefined;
    device = view;
  }

  const signIn: CoverageSignIn = {};
  const user: NonNullable<CoverageSignIn["user"]> = { kind: "member", groups: [], roles: [] };
  let hasUser = false;
  for (const v of variables) {
    if (v.kind !== VariableKind.SignIn) continue;
    switch (v.dimension) {
      case "clientApp":
        if (s.clientAppType === undefined) return undefined;
        signIn.clientApp = s.clientAppType;
        break;
      case "userKind":
        if (s.guestKind === undefined) return undefined;
        user.kind = s.guestKind;
        hasUser = true;
        break;
      case "userId":
        if (s.userId === undefined) return undefined;
        user.id = s.userId;
        hasUser = true;
        break;
      case "homeTenant":
        if (s.homeTenantId !== undefined) user.homeTenant = s.homeTenantId;
        else if (s.guestKind !== "member" && s.guestKind !== "internalGuest") return undefined;
        hasUser = true;
        break;
      case "group":
      case "role": {
        const set = v.dimension === "group" ? s.groups : s.roles;
        const complete = v.dimension === "group" ? s.groupsComplete || ctx.completeGroups?.has(v.id!) === true : s.rolesComplete || ctx.completeRoles?.has(v.id!) === true;
        if (set?.has(v.id!)) (v.dimension === "group" ? user.groups : user.roles).push(v.id!);
        else if (!complete || set === undefined) return undefined;
        hasUser = true;
        break;
      }
      case "location": {
        const loc = ctx.locations?.find((l) => l.id === v.id);
        const r = loc ? inLocation(loc, s) : 2;
        if (r === 2) return undefined;
        signIn.location ??= { in: [] };
        if (r === 1) signIn.location.in.push(v.id!);
        break;
      }
      case "trusted": {
        const r = trustedOf(s, ctx);
        if (r === 2) return undefined;
        (signIn.location ??= { in: [] }).trusted = r === 1;
        break;
      }
    }
  }
  if (hasUser) signIn.user = user;
  return { device, signIn };
}

/** The class a replayed sign-in falls in, or undefined when the log does not say enough (see {@link coverageSignInOf}). */
export function classifySignIn(analysis: CoverageAnalysis, s: SignIn, ctx: SignInClassContext = {}): DeviceClass | undefined {
  const mapped = coverageSignInOf(analysis, s, ctx);
  return mapped && classifyDevice(analysis, mapped.device, mapped.signIn);
}
