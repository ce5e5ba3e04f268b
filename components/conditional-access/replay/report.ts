/** The replay's summary: a stable JSON document and its text form. */
import type { ReplayAssertionResult } from "./assert";
import type { Counts, Disagreement, Replay } from "./run";
import type { ReadInfo } from "./read";

export interface ReplaySummary {
  headline: string;
  policies: { name: string; state: string; controls: string; applies: number; block: number; unknown: number; unknownBy: Record<string, number>; unmodelled: readonly string[] }[];
  totals: Replay["totals"] & { blockedUsers: number; blockedBreakGlassOrServiceAccounts: number };
  byUser: Record<string, Counts>;
  byApp: Record<string, Counts>;
  byPlatform: Record<string, Counts>;
  byTrustType: Record<string, Counts>;
  byDay: Record<string, Counts>;
  agreement: {
    /** agree / (agree + disagree), or null when nothing could be compared. */
    ratio: number | null;
    signInsCompared: number;
    compared: number;
    agree: number;
    disagree: number;
    undecided: number;
    byPolicy: Record<string, { agree: number; disagree: number; undecided: number }>;
    disagreements: Disagreement[];
  };
  blockedUsers: string[];
  blockedBreakGlassOrServiceAccounts: string[];
  inputs: ({ file: string } & ReadInfo)[];
  assertions: ReplayAssertionResult[];
}

function sorted(map: Map<string, Counts>, byKey = false): Record<string, Counts> {
  const entries = [...map.entries()];
  entries.sort(byKey ? (a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0) : (a, b) => b[1].blocked - a[1].blocked || b[1].signIns - a[1].signIns || (a[0] < b[0] ? -1 : 1));
  return Object.fromEntries(entries);
}

/** "enforcing stack prod would have blocked N sign-ins of M users, K of them break-glass or service accounts" */
export function replayHeadline(replay: Replay, what: string): string {
  const t = replay.totals;
  const users = replay.blockedUsers.size;
  const special = replay.blockedSpecialUsers.size;
  const open = t.unknownWithReportOnly ? `; ${t.unknownWithReportOnly} sign-in(s) had not enough information to decide` : "";
  return `Enforcing ${what} would have blocked ${t.blockWithReportOnly} of ${t.signIns} sign-in(s) of ${users} user(s), ${special} of them break-glass or service accounts${open}`;
}

export function replaySummary(replay: Replay, what: string, inputs: ({ file: string } & ReadInfo)[], assertions: ReplayAssertionResult[]): ReplaySummary {
  const a = replay.agreement;
  return {
    headline: replayHeadline(replay, what),
    policies: replay.policies.map((p, i) => ({
      name: p.displayName,
      state: p.state,
      controls: p.controls,
      applies: replay.perPolicy[i].applies,
      block: replay.perPolicy[i].block,
      unknown: replay.perPolicy[i].unknown,
      unknownBy: replay.perPolicy[i].unknownBy,
      unmodelled: p.unmodelled,
    })),
    totals: { ...replay.totals, blockedUsers: replay.blockedUsers.size, blockedBreakGlassOrServiceAccounts: replay.blockedSpecialUsers.size },
    byUser: sorted(replay.byUser),
    byApp: sorted(replay.byApp),
    byPlatform: sorted(replay.byPlatform),
    byTrustType: sorted(replay.byTrustType),
    byDay: sorted(replay.byDay, true),
    agreement: {
      ratio: a.agree + a.disagree ? a.agree / (a.agree + a.disagree) : null,
      signInsCompared: a.signInsCompared,
      compared: a.compared,
      agree: a.agree,
      disagree: a.disagree,
      undecided: a.undecided,
      byPolicy: Object.fromEntries(a.byPolicy),
      disagreements: replay.disagreements,
    },
    blockedUsers: [...replay.blockedUsers].sort(),
    blockedBreakGlassOrServiceAccounts: [...replay.blockedSpecialUsers].sort(),
    inputs,
    assertions,
  };
}

function table(title: string, counts: Record<string, Counts>, limit: number): string[] {
  const entries = Object.entries(counts);
  const lines = [`${title}:`];
  for (const [k, c] of entries.slice(0, limit)) lines.push(`  ${k}: ${c.signIns} sign-in(s), ${c.blocked} blocked (${c.blockedNow} today), ${c.unknown} undecided`);
  if (entries.length > limit) lines.push(`  ... and ${entries.length - limit} more (--json has them all)`);
  return lines;
}

export function replaySummaryLines(s: ReplaySummary): string[] {
  const lines = ["Policies:"];
  for (const p of s.policies) {
    const open = Object.entries(p.unknownBy)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
    lines.push(`  ${p.name}  [${p.state}]  ${p.controls || "no grant controls"}: applies to ${p.applies}, blocks ${p.block}, not enough information for ${p.unknown}${open ? ` (${open})` : ""}`);
    if (p.unmodelled.length) lines.push(`      not modelled: ${p.unmodelled.join(", ")}`);
  }
  const t = s.totals;
  lines.push(
    "",
    `Totals: ${t.signIns} sign-in(s). Enabled policies only: ${t.block} blocked, ${t.grant} granted with controls, ${t.allow} allowed, ${t.unknown} undecided. Report-only enforced: ${t.blockWithReportOnly} blocked, ${t.grantWithReportOnly} granted with controls, ${t.allowWithReportOnly} allowed, ${t.unknownWithReportOnly} undecided; ${t.noPolicy} with no policy applying`,
    "",
    ...table("By day", s.byDay, 31),
    ...table("By app (most blocked first)", s.byApp, 10),
    ...table("By user (most blocked first)", s.byUser, 10),
    ...table("By platform", s.byPlatform, 10),
    ...table("By trust type", s.byTrustType, 10),
  );
  const a = s.agreement;
  lines.push("");
  if (a.compared === 0) lines.push("Agreement with Entra: no sign-in records a result for a declared policy (matched by id or display name)");
  else {
    lines.push(
      `Agreement with Entra: ${a.ratio === null ? "n/a" : `${(a.ratio * 100).toFixed(1)}%`} (${a.agree} agree, ${a.disagree} disagree, ${a.undecided} undecided here) over ${a.signInsCompared} sign-in(s)`,
    );
    for (const d of a.disagreements.slice(0, 50)) {
      lines.push(`  ${d.signIn}: ${d.policy}: Entra ${d.entra}, replay ${d.ours} (decided by ${d.decidedBy})`);
      lines.push(`      ${Object.entries(d.fields).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${String(v)}`).join(" ")}`);
    }
    if (a.disagreements.length > 50) lines.push(`  ... ${a.disagreements.length - 50} more (--json has them)`);
  }
  if (s.assertions.length) {
    lines.push("", "Assertions:");
    for (const r of s.assertions) {
      lines.push(`  ${r.ok ? "ok  " : "FAIL"} ${r.assertion}${r.value !== undefined ? ` (value ${r.value})` : ` (${r.checked} sign-in(s) checked, ${r.failures} failing)`}`);
      for (const w of r.witnesses) lines.push(`      ${w.signIn}: ${w.outcome}${w.reason ? ` by ${w.reason}` : ""}`);
    }
  }
  lines.push("", s.headline);
  return lines;
}
