/**
 * A replay: sign-ins evaluated one at a time against compiled policies, with totals gathered on
 * the way (by user, app, platform, trust type and day), the agreement with what Entra recorded,
 * and a per-sign-in result for streamed output. Memory grows with distinct users, apps and days,
 * not with sign-ins.
 */
import {
  CONDITION_FIELDS,
  CONDITION_NAMES,
  Condition,
  OUTCOME_NAMES,
  Outcome,
  VERDICT_NAMES,
  Verdict,
  compileReplayPolicies,
  evaluateSignIn,
  type CompiledReplayPolicy,
  type OutcomeName,
  type ReplayContext,
  type ReplayPolicy,
} from "./evaluate";
import type { Directory } from "./directory";
import { signInLabel, type SignIn } from "./signin";

export interface ReplayAccounts {
  /** Break-glass (emergency access) user ids and group ids, lower case. */
  breakGlassUserIds?: Iterable<string>;
  breakGlassGroupIds?: Iterable<string>;
  /** Service accounts (user ids or UPNs), lower case; service principal sign-ins always count. */
  serviceAccounts?: Iterable<string>;
}

export interface ReplayOptions extends ReplayContext {
  directory?: Directory;
  accounts?: ReplayAccounts;
  /** Most disagreements kept with their details (all are counted). Default 1000. */
  maxDisagreements?: number;
}

export interface Counts {
  signIns: number;
  /** Blocked with report-only policies enforced. */
  blocked: number;
  /** Blocked by the enabled policies alone. */
  blockedNow: number;
  /** Outcome open for lack of information (report-only enforced). */
  unknown: number;
}

export interface PolicyResultJson {
  policy: string;
  state: string;
  verdict: (typeof VERDICT_NAMES)[number];
  /** The condition that decided (not applied), lacked information (unknown), or "grant". */
  condition?: string;
  /** For "unknown": the sign-in fields that condition needs. */
  needs?: readonly string[];
}

export interface EntraComparison {
  policy: string;
  entra: string;
  ours: (typeof VERDICT_NAMES)[number];
  agree: boolean | undefined;
}

export interface SignInResultJson {
  index: number;
  id: string;
  time: string;
  user: string | undefined;
  app: string | undefined;
  clientAppType: string | undefined;
  platform: string | undefined;
  trustType: string | undefined;
  outcome: OutcomeName;
  outcomeWithReportOnly: OutcomeName;
  /** Policies that apply or lack information (not-applied ones are left out). */
  policies: PolicyResultJson[];
  entra?: EntraComparison[];
}

export interface Disagreement {
  signIn: string;
  id: string;
  policy: string;
  entra: string;
  ours: string;
  /** The condition that decided our verdict ("all conditions matched" when it applies). */
  decidedBy: string;
  /** The sign-in's values of the fields Conditional Access decides on. */
  fields: Record<string, unknown>;
}

export interface Witness {
  signIn: string;
  id: string;
  outcome: OutcomeName;
  reason: string;
}

const ENTRA_APPLIED = new Set(["success", "failure", "reportOnlySuccess", "reportOnlyFailure", "reportOnlyInterrupted"]);
const ENTRA_NOT_APPLIED = new Set(["notApplied", "reportOnlyNotApplied"]);
const ENTRA_SATISFIED = new Set(["success", "reportOnlySuccess"]);

function newCounts(): Counts {
  return { signIns: 0, blocked: 0, blockedNow: 0, unknown: 0 };
}

function bump(map: Map<string, Counts>, key: string, enforced: number, all: number): void {
  let c = map.get(key);
  if (!c) map.set(key, (c = newCounts()));
  c.signIns++;
  if (all === Outcome.Block) c.blocked++;
  if (enforced === Outcome.Block) c.blockedNow++;
  if (all === Outcome.Unknown) c.unknown++;
}

/** The values of the fields Conditional Access decides on, for a disagreement report. */
export function decidingFields(s: SignIn): Record<string, unknown> {
  return {
    userId: s.userId,
    userPrincipalName: s.userPrincipalName,
    guestKind: s.guestKind,
    homeTenantId: s.homeTenantId,
    resourceId: s.resourceId,
    appId: s.appId,
    clientAppUsed: s.clientAppUsed,
    clientAppType: s.clientAppType,
    operatingSystem: s.operatingSystem,
    platform: s.platform,
    ipAddress: s.ipAddress,
    country: s.country,
    trustedNetwork: s.trustedNetwork,
    signInRisk: s.signInRisk,
    transferMethod: s.transferMethod,
    trustType: s.trustType,
    trustTypeLogged: s.trustTypeLogged,
    isCompliant: s.isCompliant,
    device: s.device === undefined ? "not in log" : s.device === null ? "unregistered" : "registered",
  };
}

export class Replay {
  readonly policies: readonly CompiledReplayPolicy[];
  readonly totals = {
    signIns: 0,
    block: 0,
    grant: 0,
    allow: 0,
    unknown: 0,
    blockWithReportOnly: 0,
    grantWithReportOnly: 0,
    allowWithReportOnly: 0,
    unknownWithReportOnly: 0,
    noPolicy: 0,
  };
  readonly byUser = new Map<string, Counts>();
  readonly byApp = new Map<string, Counts>();
  readonly byPlatform = new Map<string, Counts>();
  readonly byTrustType = new Map<string, Counts>();
  readonly byDay = new Map<string, Counts>();
  /** Per policy: sign-ins it applies to, blocks, and lacks information for. */
  readonly perPolicy: { applies: number; block: number; unknown: number; unknownBy: Record<string, number> }[];
  /** Users with a sign-in blocked (report-only enforced), and which of them are break-glass or service accounts. */
  readonly blockedUsers = new Set<string>();
  readonly blockedSpecialUsers = new Set<string>();
  /** The first blocked sign-ins, as witnesses. */
  readonly blockedSamples: Witness[] = [];
  readonly agreement = { signInsCompared: 0, compared: 0, agree: 0, disagree: 0, undecided: 0, byPolicy: new Map<string, { agree: number; disagree: number; undecided: number }>() };
  readonly disagreements: Disagreement[] = [];

  private readonly codes: Uint16Array;
  private readonly byId = new Map<string, number>();
  private readonly byName = new Map<string, number>();
  private readonly breakGlassUsers: Set<string>;
  private readonly breakGlassGroups: string[];
  private readonly serviceAccounts: Set<string>;
  private lastOutcome = 0;

  constructor(
    policies: readonly ReplayPolicy[],
    private readonly options: ReplayOptions = {},
  ) {
    this.policies = compileReplayPolicies(policies, {
      ...options,
      completeGroups: options.completeGroups ?? options.directory?.completeGroups,
      completeRoles: options.completeRoles ?? options.directory?.completeRoles,
    });
    this.codes = new Uint16Array(Math.max(1, this.policies.length));
    this.perPolicy = this.policies.map(() => ({ applies: 0, block: 0, unknown: 0, unknownBy: {} }));
    this.policies.forEach((p, i) => {
      if (p.id) this.byId.set(p.id, i);
      if (!this.byName.has(p.displayName)) this.byName.set(p.displayName, i);
    });
    const a = options.accounts ?? {};
    this.breakGlassUsers = new Set([...(a.breakGlassUserIds ?? [])].map((x) => x.toLowerCase()));
    this.breakGlassGroups = [...(a.breakGlassGroupIds ?? [])].map((x) => x.toLowerCase());
    this.serviceAccounts = new Set([...(a.serviceAccounts ?? [])].map((x) => x.toLowerCase()));
  }

  /** Fill what the log lacks from the side files (group and role membership). */
  enrich(s: SignIn): void {
    const dir = this.options.directory;
    if (!dir || s.userId === undefined) return;
    s.groups = dir.groupsOf(s.userId);
    s.roles = dir.rolesOf(s.userId);
    s.groupsComplete = s.rolesComplete = dir.completeUsers.has(s.userId);
  }

  /** Whether the sign-in is by a break-glass or service account. */
  isSpecialAccount(s: SignIn): boolean {
    if (s.isServicePrincipal) return true;
    if (s.userId !== undefined && (this.breakGlassUsers.has(s.userId) || this.serviceAccounts.has(s.userId))) return true;
    if (s.userPrincipalName !== undefined && this.serviceAccounts.has(s.userPrincipalName.toLowerCase())) return true;
    if (s.groups) for (const g of this.breakGlassGroups) if (s.groups.has(g)) return true;
    return false;
  }

  /** Evaluate one sign-in and fold it into the totals. Returns the outcome code (enforced | all << 2). */
  add(s: SignIn): number {
    this.enrich(s);
    const codes = this.codes;
    const outcome = evaluateSignIn(this.policies, s, codes);
    this.lastOutcome = outcome;
    const enforced = outcome & 3;
    const all = outcome >> 2;
    const t = this.totals;
    t.signIns++;
    t[OUTCOME_NAMES[enforced]]++;
    if (all === Outcome.Block) t.blockWithReportOnly++;
    else if (all === Outcome.Grant) t.grantWithReportOnly++;
    else if (all === Outcome.Allow) t.allowWithReportOnly++;
    else t.unknownWithReportOnly++;
    let anyApplies = false;
    for (let i = 0; i < this.policies.length; i++) {
      const v = codes[i] & 7;
      if (v === Verdict.NotApplied) continue;
      const pp = this.perPolicy[i];
      if (v === Verdict.Unknown) {
        pp.unknown++;
        const cond = CONDITION_NAMES[codes[i] >> 3] ?? "?";
        pp.unknownBy[cond] = (pp.unknownBy[cond] ?? 0) + 1;
        continue;
      }
      anyApplies = true;
      pp.applies++;
      if (v === Verdict.Block) pp.block++;
    }
    if (!anyApplies) t.noPolicy++;
    const user = s.userPrincipalName ?? s.userId ?? (s.isServicePrincipal ? "(service principal)" : "(unknown user)");
    bump(this.byUser, user, enforced, all);
    bump(this.byApp, s.resourceDisplayName ?? s.appDisplayName ?? s.resourceId ?? s.appId ?? "(unknown app)", enforced, all);
    bump(this.byPlatform, s.platform ?? "(unknown)", enforced, all);
    bump(this.byTrustType, s.trustType === undefined ? "(unknown)" : s.trustType === "" ? "unregistered" : s.trustType, enforced, all);
    bump(this.byDay, s.day || "(no date)", enforced, all);
    if (all === Outcome.Block) {
      this.blockedUsers.add(user);
      if (this.isSpecialAccount(s)) this.blockedSpecialUsers.add(user);
      if (this.blockedSamples.length < 20) this.blockedSamples.push({ signIn: signInLabel(s), id: s.id, outcome: "block", reason: this.reason(s, "block") });
    }
    if (s.applied) this.compare(s);
    return outcome;
  }

  /** Why the last evaluated sign-in has an outcome: the policies that decided it. */
  reason(_s: SignIn, wanted: OutcomeName): string {
    const parts: string[] = [];
    for (let i = 0; i < this.policies.length; i++) {
      const v = this.codes[i] & 7;
      if (wanted === "block" && v === Verdict.Block) parts.push(`${this.policies[i].displayName} (${this.policies[i].controls})`);
      if (wanted === "unknown" && v === Verdict.Unknown && this.policies[i].hasGrant) parts.push(`${this.policies[i].displayName}: not enough information in ${CONDITION_NAMES[this.codes[i] >> 3]}`);
    }
    return parts.join("; ");
  }

  private compare(s: SignIn): void {
    let any = false;
    for (const entry of s.applied!) {
      const i = (entry.id !== undefined ? this.byId.get(entry.id) : undefined) ?? (entry.displayName !== undefined ? this.byName.get(entry.displayName) : undefined);
      if (i === undefined) continue;
      const entraApplied = ENTRA_APPLIED.has(entry.result);
      if (!entraApplied && !ENTRA_NOT_APPLIED.has(entry.result)) continue; // notEnabled, unknown: nothing to compare
      any = true;
      const p = this.policies[i];
      let stats = this.agreement.byPolicy.get(p.displayName);
      if (!stats) this.agreement.byPolicy.set(p.displayName, (stats = { agree: 0, disagree: 0, undecided: 0 }));
      this.agreement.compared++;
      const code = this.codes[i];
      const v = code & 7;
      if (v === Verdict.Unknown) {
        this.agreement.undecided++;
        stats.undecided++;
        continue;
      }
      const oursApplied = v !== Verdict.NotApplied;
      // Applied on both sides, we block, Entra says the controls were met: a disagreement too.
      const agree = oursApplied === entraApplied && !(v === Verdict.Block && ENTRA_SATISFIED.has(entry.result));
      if (agree) {
        this.agreement.agree++;
        stats.agree++;
      } else {
        this.agreement.disagree++;
        stats.disagree++;
        if (this.disagreements.length < (this.options.maxDisagreements ?? 1000)) {
          const cond = code >> 3;
          this.disagreements.push({
            signIn: signInLabel(s),
            id: s.id,
            policy: p.displayName,
            entra: entry.result,
            ours: VERDICT_NAMES[v],
            decidedBy:
              v === Verdict.NotApplied
                ? CONDITION_NAMES[cond]
                : cond === Condition.Grant && p.controls !== "block"
                  ? "all conditions matched; the device fails the grant controls"
                  : "all conditions matched",
            fields: decidingFields(s),
          });
        }
      }
    }
    if (any) this.agreement.signInsCompared++;
  }

  /** The last evaluated sign-in as a JSON record (policies that apply or lack information). */
  resultJson(s: SignIn): SignInResultJson {
    const policies: PolicyResultJson[] = [];
    const entra: EntraComparison[] = [];
    for (let i = 0; i < this.policies.length; i++) {
      const code = this.codes[i];
      const v = code & 7;
      const p = this.policies[i];
      if (v !== Verdict.NotApplied) {
        const cond = CONDITION_NAMES[code >> 3];
        policies.push({
          policy: p.displayName,
          state: p.state,
          verdict: VERDICT_NAMES[v],
          ...(cond ? { condition: cond } : {}),
          ...(v === Verdict.Unknown ? { needs: cond === "unmodelled" ? p.unmodelled : CONDITION_FIELDS[cond] } : {}),
        });
      }
    }
    if (s.applied) {
      for (const entry of s.applied) {
        const i = (entry.id !== undefined ? this.byId.get(entry.id) : undefined) ?? (entry.displayName !== undefined ? this.byName.get(entry.displayName) : undefined);
        if (i === undefined) continue;
        const v = this.codes[i] & 7;
        const entraApplied = ENTRA_APPLIED.has(entry.result);
        const comparable = entraApplied || ENTRA_NOT_APPLIED.has(entry.result);
        const agree = !comparable || v === Verdict.Unknown ? undefined : (v !== Verdict.NotApplied) === entraApplied && !(v === Verdict.Block && ENTRA_SATISFIED.has(entry.result));
        entra.push({ policy: this.policies[i].displayName, entra: entry.result, ours: VERDICT_NAMES[v], agree });
      }
    }
    return {
      index: s.index,
      id: s.id,
      time: s.time,
      user: s.userPrincipalName ?? s.userId,
      app: s.resourceDisplayName ?? s.appDisplayName ?? s.resourceId ?? s.appId,
      clientAppType: s.clientAppType,
      platform: s.platform,
      trustType: s.trustType === "" ? "unregistered" : s.trustType,
      outcome: OUTCOME_NAMES[this.lastOutcome & 3],
      outcomeWithReportOnly: OUTCOME_NAMES[this.lastOutcome >> 2],
      policies,
      ...(entra.length ? { entra } : {}),
    };
  }

  /** The result code of policy `i` for the last evaluated sign-in. */
  code(i: number): number {
    return this.codes[i];
  }

  get lastOutcomeCode(): number {
    return this.lastOutcome;
  }
}
