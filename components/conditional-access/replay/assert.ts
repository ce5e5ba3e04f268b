/**
 * Assertions over replayed sign-ins: the coverage assertion language (selectors over the sign-in's
 * device, expected outcomes, `for` subjects, `<subject> never <outcome>`) plus counts:
 *
 *   count := ("blocked-users" | "blocked-signins" | "unknown-signins" | "blocked-break-glass") op N
 *   op    := "<=" | "<" | "=" | ">=" | ">"
 *
 * Replay judges every assertion with report-only policies enforced (the question it answers is
 * what enforcing would do). A sign-in whose outcome is open for lack of information fails an
 * outcome expectation: it cannot prove it.
 */
import { compileFilter } from "../device-filter";
import { parseCoverageAssertion, CoverageAssertionError, type CoverageAssertion, type CoverageSelector } from "../coverage";
import { OFFICE365_APP_IDS, Outcome, OUTCOME_NAMES, Verdict } from "./evaluate";
import type { Replay, Witness } from "./run";
import { signInLabel, type SignIn } from "./signin";

export const COUNT_METRICS = ["blocked-users", "blocked-signins", "unknown-signins", "blocked-break-glass"] as const;
export type CountMetric = (typeof COUNT_METRICS)[number];

export type ReplayAssertion =
  | { kind: "count"; text: string; metric: CountMetric; op: string; limit: number }
  | { kind: "outcome"; text: string; assertion: CoverageAssertion; selector: (s: SignIn) => number };

export interface ReplayAssertionResult {
  assertion: string;
  ok: boolean;
  /** Sign-ins the assertion looked at (outcome assertions), or the measured value (counts). */
  checked: number;
  value?: number;
  failures: number;
  /** Up to 10 failing sign-ins. */
  witnesses: Witness[];
}

const COUNT = /^\s*([a-z-]+)\s*(<=|>=|<|>|=)\s*(\d+)\s*$/i;

function selectorOf(sel: CoverageSelector): (s: SignIn) => number {
  switch (sel.kind) {
    case "all":
      return () => 1;
    case "registered":
      return (s) => (s.device === undefined ? 2 : s.device === null ? 0 : 1);
    case "platform":
      return (s) => (s.platform === undefined ? 2 : sel.platform === undefined ? (s.platform === "unsupported" ? 1 : 0) : s.platform === sel.platform ? 1 : 0);
    case "filter": {
      const predicate = compileFilter(sel.rule);
      return (s) => (s.device === undefined ? 2 : predicate(s.device) ? 1 : 0);
    }
    // The sign-in dimensions coverage splits on, read from the log (2: the log does not say).
    case "clientApp":
      return (s) => (s.clientAppType === undefined ? 2 : s.clientAppType.toLowerCase() === sel.clientApp.toLowerCase() ? 1 : 0);
    case "userKind":
      return (s) => (s.guestKind === undefined ? 2 : sel.kinds.includes(s.guestKind) ? 1 : 0);
    case "memberOf":
      return (s) => (s.groups?.has(sel.group.toLowerCase()) ? 1 : s.groupsComplete ? 0 : 2);
    case "holdsRole":
      return (s) => (s.roles?.has(sel.role.toLowerCase()) ? 1 : s.rolesComplete ? 0 : 2);
    case "location":
      // Named locations by id need the --locations table, which selectors do not see: only "trusted" is read (from the log).
      return sel.location.toLowerCase() === "trusted" ? (s) => (s.trustedNetwork === undefined ? 2 : s.trustedNetwork ? 1 : 0) : () => 2;
    case "user":
      // The user of a "for" clause: replay checks it with the assertion's scopes (inScope below).
      return () => 1;
    case "not": {
      const inner = selectorOf(sel.operand);
      return (s) => {
        const r = inner(s);
        return r === 2 ? 2 : 1 - r;
      };
    }
    case "and": {
      const parts = sel.operands.map(selectorOf);
      return (s) => {
        let r = 1;
        for (const p of parts) {
          const v = p(s);
          if (v === 0) return 0;
          if (v === 2) r = 2;
        }
        return r;
      };
    }
  }
}

/** Parse one assertion; throws CoverageAssertionError with the position of the fault. */
export function parseReplayAssertion(text: string): ReplayAssertion {
  const m = COUNT.exec(text);
  if (m) {
    const metric = m[1].toLowerCase();
    if (!(COUNT_METRICS as readonly string[]).includes(metric)) throw new CoverageAssertionError(text, 0, `"${m[1]}" is not a count: expected one of ${COUNT_METRICS.join(", ")}`);
    return { kind: "count", text, metric: metric as CountMetric, op: m[2], limit: Number(m[3]) };
  }
  const assertion = parseCoverageAssertion(text);
  return { kind: "outcome", text, assertion, selector: selectorOf(assertion.selector) };
}

function inScope(a: CoverageAssertion, s: SignIn): boolean {
  return a.scopes.some((scope) => {
    if (scope.app !== undefined) {
      const app = scope.app.toLowerCase();
      const target = s.resourceId ?? s.appId;
      const ok = app === "office365" ? target !== undefined && OFFICE365_APP_IDS.has(target) : target === app || s.appId === app;
      if (!ok) return false;
    }
    if (scope.user) {
      const { userIds, groupIds, roleIds } = scope.user;
      if (userIds.length + groupIds.length + roleIds.length === 0) return !s.isServicePrincipal;
      const upn = s.userPrincipalName?.toLowerCase();
      if (userIds.some((u) => u.toLowerCase() === s.userId || u.toLowerCase() === upn)) return true;
      // Unknown membership counts as in scope: the check then looks at more sign-ins, not fewer.
      if (groupIds.some((g) => s.groups === undefined || s.groups.has(g.toLowerCase()))) return true;
      if (roleIds.some((r) => s.roles === undefined || s.roles.has(r.toLowerCase()))) return true;
      return false;
    }
    return true;
  });
}

/** Checks assertions on sign-ins as they are replayed, then on the totals. */
export class ReplayAssertions {
  private readonly results: ReplayAssertionResult[];

  constructor(
    private readonly assertions: readonly ReplayAssertion[],
    private readonly replay: Replay,
  ) {
    this.results = assertions.map((a) => ({ assertion: a.text, ok: true, checked: 0, failures: 0, witnesses: [] }));
  }

  /** Check the sign-in `replay.add` has just evaluated. */
  check(s: SignIn): void {
    const all = this.replay.lastOutcomeCode >> 2;
    for (let k = 0; k < this.assertions.length; k++) {
      const a = this.assertions[k];
      if (a.kind !== "outcome") continue;
      if (a.selector(s) === 0 || !inScope(a.assertion, s)) continue;
      const r = this.results[k];
      r.checked++;
      let applies = false;
      let unknown = false;
      for (let i = 0; i < this.replay.policies.length; i++) {
        const v = this.replay.code(i) & 7;
        if (v === Verdict.Unknown) unknown = true;
        else if (v !== Verdict.NotApplied) applies = true;
      }
      const holds = a.assertion.expectation.some((e) => {
        let value: boolean | undefined;
        if (e.outcome === "has-policy") value = applies ? true : unknown ? undefined : false;
        else if (e.outcome === "no-policy") value = applies ? false : unknown ? undefined : true;
        else value = all === Outcome.Unknown ? undefined : OUTCOME_NAMES[all] === e.outcome;
        return value !== undefined && value !== e.negated;
      });
      if (!holds) {
        r.ok = false;
        r.failures++;
        if (r.witnesses.length < 10) {
          const outcome = OUTCOME_NAMES[all];
          const reason = outcome === "unknown" ? this.replay.reason(s, "unknown") : outcome === "block" ? this.replay.reason(s, "block") : "";
          r.witnesses.push({ signIn: signInLabel(s), id: s.id, outcome, reason });
        }
      }
    }
  }

  /** All results, counts measured now. */
  finish(): ReplayAssertionResult[] {
    return this.assertions.map((a, k) => {
      const r = this.results[k];
      if (a.kind !== "count") return r;
      const rep = this.replay;
      const value =
        a.metric === "blocked-users"
          ? rep.blockedUsers.size
          : a.metric === "blocked-signins"
            ? rep.totals.blockWithReportOnly
            : a.metric === "unknown-signins"
              ? rep.totals.unknownWithReportOnly
              : rep.blockedSpecialUsers.size;
      const ok = a.op === "<=" ? value <= a.limit : a.op === "<" ? value < a.limit : a.op === "=" ? value === a.limit : a.op === ">=" ? value >= a.limit : value > a.limit;
      const witnesses = ok ? [] : a.metric === "unknown-signins" ? [] : rep.blockedSamples.slice(0, 10);
      return { assertion: a.text, ok, checked: rep.totals.signIns, value, failures: ok ? 0 : 1, witnesses };
    });
  }
}
