/**
 * Opt-in cross-check with Entra itself: distinct sign-in shapes sent to Graph's What If endpoint
 * (`POST /identity/conditionalAccess/evaluate`, permission `Policy.Read.ConditionalAccess`), and
 * Entra's `policyApplies` compared with the replay's verdict for the declared policies it names
 * (matched by id or display name). The caller passes a REST client (the package's shared one,
 * which respects throttling and has a deadline) and a cap on calls.
 */
import { VERDICT_NAMES, Verdict, type CompiledReplayPolicy } from "./evaluate";
import { signInLabel, type SignIn } from "./signin";

export interface OnlineClient {
  post<T = unknown>(path: string, body: unknown, opts?: { idempotent?: boolean }): Promise<{ body: T }>;
}

export interface OnlineResult {
  calls: number;
  compared: number;
  agree: number;
  disagree: number;
  /** Our verdict was "not enough information". */
  undecided: number;
  ratio: number | null;
  disagreements: { signIn: string; policy: string; entraApplies: boolean; ours: string; reasons?: string }[];
  /** Distinct shapes left unsent once the cap on calls was reached. */
  notSent: number;
  /** Shapes that could not be sent or whose answer was not a result list: the error says why. */
  errors: { signIn: string; error: string }[];
}

/** What makes two sign-ins the same question for Conditional Access. */
export function signInShapeKey(s: SignIn): string {
  return [
    s.userId,
    s.guestKind,
    s.resourceId ?? s.appId,
    s.clientAppType,
    s.platform,
    s.trustType,
    s.isCompliant,
    s.country,
    s.ipAddress,
    s.signInRisk,
    s.userRisk,
    s.transferMethod,
  ].join("|");
}

const CLIENT_APP_TYPE: Readonly<Record<string, string>> = {
  browser: "browser",
  mobileAppsAndDesktopClients: "mobileAppsAndDesktopClients",
  exchangeActiveSync: "exchangeActiveSync",
  other: "other",
};

/** The What If request for a sign-in (only the conditions the log gives; Entra leaves the others out). */
export function whatIfRequest(s: SignIn): Record<string, unknown> {
  const conditions: Record<string, unknown> = {};
  if (s.platform && s.platform !== "unsupported") conditions.devicePlatform = s.platform;
  if (s.clientAppType) conditions.clientAppType = CLIENT_APP_TYPE[s.clientAppType];
  if (s.signInRisk && s.signInRisk !== "hidden") conditions.signInRiskLevel = s.signInRisk;
  if (s.userRisk) conditions.userRiskLevel = s.userRisk;
  if (s.country) conditions.country = s.country;
  if (s.ipAddress) conditions.ipAddress = s.ipAddress;
  if (s.transferMethod && s.transferMethod !== "none") conditions.authenticationFlow = { transferMethod: s.transferMethod };
  if (s.device) {
    const d = s.device;
    conditions.deviceInfo = {
      ...(d.deviceId ? { deviceId: d.deviceId } : {}),
      ...(d.displayName ? { displayName: d.displayName } : {}),
      ...(d.trustType ? { trustType: d.trustType } : {}),
      ...(typeof d.isCompliant === "boolean" ? { isCompliant: d.isCompliant } : {}),
    };
  }
  return {
    signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: s.userId },
    signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [s.resourceId ?? s.appId] },
    signInConditions: conditions,
    appliedPoliciesOnly: false,
  };
}

interface WhatIfResult {
  id?: string;
  displayName?: string;
  policyApplies?: boolean;
  analysisReasons?: string;
}

/**
 * Send each shape (sign-in and the replay's result codes for it) to Entra, at most `maxCalls`,
 * one at a time. A request Entra rejects is reported and the rest go on; a deadline or transport
 * failure stops the run (the caller reports it as an error, not as agreement).
 */
export async function evaluateOnline(
  client: OnlineClient,
  shapes: readonly { signIn: SignIn; codes: Uint16Array }[],
  policies: readonly CompiledReplayPolicy[],
  maxCalls: number,
): Promise<OnlineResult> {
  const out: OnlineResult = { calls: 0, compared: 0, agree: 0, disagree: 0, undecided: 0, ratio: null, disagreements: [], notSent: 0, errors: [] };
  const byId = new Map(policies.filter((p) => p.id).map((p) => [p.id!, p]));
  const byName = new Map(policies.map((p) => [p.displayName, p]));
  for (const { signIn, codes } of shapes) {
    if (out.calls >= maxCalls) {
      out.notSent++;
      continue;
    }
    if (signIn.userId === undefined || (signIn.resourceId ?? signIn.appId) === undefined) {
      out.errors.push({ signIn: signInLabel(signIn), error: "not sent: the sign-in has no user id or app id" });
      continue;
    }
    out.calls++;
    // The request only reads; repeating it changes nothing.
    const res = await client.post<{ value?: WhatIfResult[] }>("/v1.0/identity/conditionalAccess/evaluate", whatIfRequest(signIn), { idempotent: true });
    const value = res.body.value;
    if (!Array.isArray(value)) {
      out.errors.push({ signIn: signInLabel(signIn), error: 'the answer has no "value" list of whatIfAnalysisResult' });
      continue;
    }
    for (const r of value) {
      const p = (r.id ? byId.get(r.id.toLowerCase()) : undefined) ?? (r.displayName ? byName.get(r.displayName) : undefined);
      if (!p || typeof r.policyApplies !== "boolean") continue;
      out.compared++;
      const v = codes[p.index] & 7;
      if (v === Verdict.Unknown) {
        out.undecided++;
        continue;
      }
      if ((v !== Verdict.NotApplied) === r.policyApplies) out.agree++;
      else {
        out.disagree++;
        out.disagreements.push({ signIn: signInLabel(signIn), policy: p.displayName, entraApplies: r.policyApplies, ours: VERDICT_NAMES[v], reasons: r.analysisReasons });
      }
    }
  }
  out.ratio = out.agree + out.disagree ? out.agree / (out.agree + out.disagree) : null;
  return out;
}
