/**
 * Assertions over device classes, for CI: a small expression language.
 *
 *   assertion   := "every" ["class"] expectation clause*
 *                | subject "never" outcome clause*             (= all => not outcome for subject)
 *                | [selector] "=>" expectation clause*
 *   selector    := "all" | term ("and" term)*
 *   term        := "not" term | "not-"atom | atom
 *   atom        := trusted | registered | unregistered | compliant | platform:<name|other>
 *                | trust:<AzureAD|ServerAD|Workplace> | ownership:<Company|Personal> | filter(<device filter rule>)
 *                | clientApp:<type> | user:<member|guest|guest kind> | member-of:<group id>
 *                | holds-role:<role template id> | location:<named location id|trusted|untrusted>
 *   expectation := ["not"] outcome ("or" ["not"] outcome)*
 *   outcome     := block | grant | allow | has-policy | no-policy
 *   clause      := "for" subject ("," subject)* | "with-report-only"
 *   subject     := app:<id or Office365> | user:<id> | group:<id> | role:<id> | any-user
 *
 * `--for` (see {@link parseCoverageFor}) takes the subjects of a "for" clause and, written
 * `key=value`, the same sign-in atoms to narrow the whole analysis to.
 *
 * Pure core: no Pulumi import.
 */
import { DeviceFilter, DeviceFilterError, type FilterNode } from "../device-filter";
import { PLATFORM_OPERATING_SYSTEM, type CoverageAnalysis, type CoverageSelector } from "./analysis";
import { classResult, type CoverageScope } from "./scope";
import type { InventoryDevice, Outcome } from "../whatif/evaluate";
import { CLIENT_APP_TYPES, USER_KINDS, type CoverageSignIn } from "./dimensions";

/** The outcomes an assertion can expect of a device class. */
export const ExpectedOutcome = {
  Block: "block",
  Grant: "grant",
  Allow: "allow",
  HasPolicy: "has-policy",
  NoPolicy: "no-policy",
} as const;
/** One of the {@link ExpectedOutcome} values. */
export type ExpectedOutcome = (typeof ExpectedOutcome)[keyof typeof ExpectedOutcome];

/** A parsed coverage assertion (see {@link parseCoverageAssertion}). */
export interface CoverageAssertion {
  /** The assertion as written. */
  text: string;
  /** Which classes it is about (with a user subject: and exactly that user, see {@link CoverageSelector} `user`). */
  selector: CoverageSelector;
  /** Holds when any alternative holds. */
  expectation: { outcome: ExpectedOutcome; negated: boolean }[];
  /** The sign-ins to check (one per app named; `{}` = every policy's users and apps). */
  scopes: CoverageScope[];
  /** Judge the outcome as if report-only policies were enforced. */
  withReportOnly: boolean;
}

/** A malformed assertion: where, and what was expected. */
export class CoverageAssertionError extends Error {
  constructor(
    readonly assertion: string,
    readonly position: number,
    problem: string,
  ) {
    // A long token (a pasted blob) is cut: the position says where it is.
    super(`${problem.length > 400 ? `${problem.slice(0, 397)}...` : problem} (at character ${position + 1} of "${shown(assertion, position)}")`);
    this.name = "CoverageAssertionError";
  }
}

/** The assertion as shown in a message: a window around `position` when it is long. */
function shown(text: string, position: number): string {
  if (text.length <= 200) return text;
  const start = Math.max(0, Math.min(position - 80, text.length - 160));
  return `${start > 0 ? "..." : ""}${text.slice(start, start + 160)}${start + 160 < text.length ? "..." : ""}`;
}

/** Deepest chain of "not" the parser follows (guards its recursion). */
export const MAX_NOT_DEPTH = 100;

interface Token {
  text: string;
  position: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === ",") {
      tokens.push({ text: ",", position: i++ });
      continue;
    }
    if (text.startsWith("=>", i)) {
      tokens.push({ text: "=>", position: i });
      i += 2;
      continue;
    }
    const start = i;
    if (/^(not-)?filter\(/i.test(text.slice(i))) {
      // filter(<rule>): up to the matching parenthesis, skipping quoted strings (backtick escapes).
      let depth = 0;
      let quoted = false;
      for (; i < text.length; i++) {
        const ch = text[i];
        if (quoted) {
          if (ch === "`") i++;
          else if (ch === '"') quoted = false;
        } else if (ch === '"') quoted = true;
        else if (ch === "(") depth++;
        else if (ch === ")" && --depth === 0) {
          i++;
          break;
        }
      }
      if (depth !== 0) throw new CoverageAssertionError(text, start, "filter( has no closing parenthesis");
      tokens.push({ text: text.slice(start, i), position: start });
      continue;
    }
    while (i < text.length && !/[\s,]/.test(text[i]) && !text.startsWith("=>", i)) i++;
    tokens.push({ text: text.slice(start, i), position: start });
  }
  return tokens;
}

const OUTCOMES: readonly string[] = Object.values(ExpectedOutcome);
const TRUST_TYPES = ["AzureAD", "ServerAD", "Workplace"];
const OWNERSHIPS = ["Company", "Personal"];

/** The keys of the sign-in atoms (`key:value` in a selector, `key=value` in `--for`). */
export const DIMENSION_KEYS = ["platform", "clientApp", "user", "member-of", "holds-role", "location"] as const;

/**
 * A sign-in atom: `platform`, `clientApp`, `user` (member, guest = any guest or external kind, or
 * one kind), `member-of` (a group id), `holds-role` (a role template id), `location` (a named
 * location id, `trusted` or `untrusted`). Returns the selector, or the problem as text.
 */
export function dimensionSelector(key: string, value: string): CoverageSelector | string {
  const k = key.toLowerCase();
  const oneOf = (values: readonly string[], what: string): string | { problem: string } =>
    values.find((x) => x.toLowerCase() === value.toLowerCase()) ?? { problem: `"${value}" is not a ${what}: expected one of ${values.join(", ")}` };
  if (value === "") return `"${key}" needs a value, e.g. ${key}${k === "platform" ? ":windows" : k === "clientapp" ? ":browser" : k === "user" ? ":guest" : ":<id>"}`;
  if (k === "platform") {
    if (["other", "unknown"].includes(value.toLowerCase())) return { kind: "platform", platform: undefined };
    const p = oneOf(Object.keys(PLATFORM_OPERATING_SYSTEM), "platform (or other)");
    return typeof p === "string" ? { kind: "platform", platform: p } : p.problem;
  }
  if (k === "clientapp") {
    const c = oneOf([...CLIENT_APP_TYPES, "easSupported"], "client app type");
    return typeof c === "string" ? { kind: "clientApp", clientApp: c === "easSupported" ? "exchangeActiveSync" : c } : c.problem;
  }
  if (k === "user") {
    if (value.toLowerCase() === "guest") return { kind: "userKind", kinds: USER_KINDS.filter((x) => x !== "member") };
    const u = oneOf(USER_KINDS, "user kind (or guest: any guest or external user)");
    return typeof u === "string" ? { kind: "userKind", kinds: [u] } : u.problem;
  }
  if (k === "member-of") return { kind: "memberOf", group: value.toLowerCase() };
  if (k === "holds-role") return { kind: "holdsRole", role: value.toLowerCase() };
  if (k === "location") {
    if (value.toLowerCase() === "untrusted") return { kind: "not", operand: { kind: "location", location: "trusted" } };
    return { kind: "location", location: value.toLowerCase() };
  }
  return `"${key}" is not a sign-in dimension: expected one of ${DIMENSION_KEYS.join(", ")}`;
}

function compare(property: "trustType" | "deviceOwnership" | "isCompliant", value: string | boolean): FilterNode {
  return { kind: "compare", property, operator: "-eq", value };
}

class Parser {
  private i = 0;
  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }
  private fail(problem: string, token = this.peek()): never {
    throw new CoverageAssertionError(this.text, token?.position ?? this.text.length, problem);
  }
  private is(word: string): boolean {
    return this.peek()?.text.toLowerCase() === word;
  }
  private next(): Token {
    const t = this.peek();
    if (!t) this.fail("the assertion ends too early");
    this.i++;
    return t;
  }

  parse(): CoverageAssertion {
    if (this.tokens.length === 0) this.fail("an empty assertion; write e.g. `not-trusted => block`");
    let selector: CoverageSelector = { kind: "all" };
    let expectation: CoverageAssertion["expectation"];
    const pre: Subjects = { apps: [], userIds: [], groupIds: [], roleIds: [], anyUser: false };
    if (this.is("every")) {
      this.i++;
      if (this.is("class")) this.i++;
      expectation = this.expectation();
    } else if (this.tokens.findIndex((t) => t.text.toLowerCase() === "never") > 0 && !this.tokens.some((t) => t.text === "=>")) {
      this.subjects(pre);
      if (!this.is("never")) this.fail(`expected "never" after the subjects, e.g. \`group:<id> never block\``);
      this.i++;
      const t = this.next();
      const outcome = t.text.toLowerCase();
      if (!OUTCOMES.includes(outcome)) this.fail(`"${t.text}" is not an outcome: expected one of ${OUTCOMES.join(", ")}`, t);
      expectation = [{ outcome: outcome as ExpectedOutcome, negated: true }];
    } else {
      if (!this.is("=>")) selector = this.selector();
      if (!this.is("=>")) this.fail(`expected "=>" between the classes and the expected outcome, e.g. \`not-trusted => block\``);
      this.i++;
      expectation = this.expectation();
    }
    let withReportOnly = false;
    while (this.peek()) {
      if (this.is("for")) {
        this.i++;
        this.subjects(pre);
      } else if (this.is("with-report-only")) {
        this.i++;
        withReportOnly = true;
      } else this.fail(`unexpected "${this.peek()!.text}": expected "for <subject>", "with-report-only" or the end`);
    }
    const scopes = scopesOf(pre);
    // A user subject is a part of the space too: the classes whose user is exactly that member user.
    const user = scopes[0].user;
    if (user) selector = { kind: "and", operands: [selector, { kind: "user", userIds: user.userIds, groupIds: user.groupIds, roleIds: user.roleIds }] };
    return { text: this.text, selector, expectation, scopes, withReportOnly };
  }

  private selector(): CoverageSelector {
    const terms: CoverageSelector[] = [this.term()];
    while (this.is("and")) {
      this.i++;
      terms.push(this.term());
    }
    return terms.length === 1 ? terms[0] : { kind: "and", operands: terms };
  }

  private term(depth = 0): CoverageSelector {
    if (this.is("not")) {
      if (depth >= MAX_NOT_DEPTH) this.fail(`more than ${MAX_NOT_DEPTH} "not" in a row; two cancel out, so drop pairs of them`);
      this.i++;
      return { kind: "not", operand: this.term(depth + 1) };
    }
    const t = this.next();
    if (t.text.toLowerCase().startsWith("not-")) return { kind: "not", operand: this.atom(t.text.slice(4), t) };
    return this.atom(t.text, t);
  }

  private atom(word: string, t: Token): CoverageSelector {
    const lower = word.toLowerCase();
    const [head, ...rest] = word.split(":");
    const arg = rest.join(":");
    const oneOf = (values: string[], what: string) => {
      const v = values.find((x) => x.toLowerCase() === arg.toLowerCase());
      if (!v) this.fail(`"${arg}" is not a ${what}: expected one of ${values.join(", ")}`, t);
      return v;
    };
    if (lower === "all") return { kind: "all" };
    if (lower === "registered") return { kind: "registered" };
    if (lower === "unregistered") return { kind: "not", operand: { kind: "registered" } };
    if (lower === "trusted") return { kind: "filter", rule: { kind: "or", operands: [compare("trustType", "AzureAD"), compare("trustType", "ServerAD")] } };
    if (lower === "compliant") return { kind: "filter", rule: compare("isCompliant", true) };
    if (head.toLowerCase() === "trust") return { kind: "filter", rule: compare("trustType", oneOf(TRUST_TYPES, "trust type")) };
    if (head.toLowerCase() === "ownership") return { kind: "filter", rule: compare("deviceOwnership", oneOf(OWNERSHIPS, "device ownership")) };
    if (rest.length && DIMENSION_KEYS.some((k) => k.toLowerCase() === head.toLowerCase())) {
      const selector = dimensionSelector(head, arg);
      return typeof selector === "string" ? this.fail(selector, t) : selector;
    }
    if (lower.startsWith("filter(")) {
      const rule = word.slice("filter(".length, -1);
      try {
        return { kind: "filter", rule: DeviceFilter.parse(rule).ast };
      } catch (err) {
        if (err instanceof DeviceFilterError) this.fail(`invalid device filter rule in filter(...): ${err.message}`, t);
        throw err;
      }
    }
    return this.fail(
      `"${word}" is not a selector: expected all, trusted, registered, unregistered, compliant, platform:<name>, trust:<type>, ownership:<Company|Personal>, filter(<rule>), clientApp:<type>, user:<member|guest|kind>, member-of:<group>, holds-role:<role> or location:<id|trusted|untrusted>, optionally with "not-"`,
      t,
    );
  }

  private expectation(): CoverageAssertion["expectation"] {
    const out: CoverageAssertion["expectation"] = [];
    for (;;) {
      let negated = false;
      if (this.is("not")) {
        this.i++;
        negated = true;
      }
      const t = this.next();
      let outcome = t.text.toLowerCase();
      if (outcome.startsWith("not-")) {
        negated = !negated;
        outcome = outcome.slice(4);
      }
      if (!OUTCOMES.includes(outcome)) this.fail(`"${t.text}" is not an outcome: expected one of ${OUTCOMES.join(", ")}`, t);
      out.push({ outcome: outcome as ExpectedOutcome, negated });
      if (!this.is("or")) return out;
      this.i++;
    }
  }

  private subjects(into: Subjects): void {
    for (;;) {
      const t = this.next();
      const [kind, ...rest] = t.text.split(":");
      const id = rest.join(":");
      const k = kind.toLowerCase();
      if (k === "any-user" && rest.length === 0) into.anyUser = true;
      else if (!id) this.fail(`"${t.text}" is not a subject: expected app:<id or Office365>, user:<id>, group:<id>, role:<id> or any-user`, t);
      else if (k === "app") into.apps.push(id);
      else if (k === "user" && ["guest", ...USER_KINDS].some((x) => x.toLowerCase() === id.toLowerCase())) {
        // A kind of user is a selector term, not a user id.
        this.fail(`"${t.text}" names a kind of user, not a user id: write it as a selector, e.g. \`${t.text} => not block\``, t);
      } else if (k === "user") into.userIds.push(id);
      else if (k === "group") into.groupIds.push(id);
      else if (k === "role") into.roleIds.push(id);
      else this.fail(`"${t.text}" is not a subject: expected app:<id or Office365>, user:<id>, group:<id>, role:<id> or any-user`, t);
      if (!this.is(",")) return;
      this.i++;
    }
  }
}

interface Subjects {
  apps: string[];
  userIds: string[];
  groupIds: string[];
  roleIds: string[];
  anyUser: boolean;
}

function scopesOf(s: Subjects): CoverageScope[] {
  const hasUser = s.anyUser || s.userIds.length + s.groupIds.length + s.roleIds.length > 0;
  const user = hasUser ? { userIds: s.userIds, groupIds: s.groupIds, roleIds: s.roleIds } : undefined;
  const apps = s.apps.length ? s.apps : [undefined];
  return apps.map((app) => ({ ...(user ? { user } : {}), ...(app !== undefined ? { app } : {}) }));
}

/** Parse one assertion; throws CoverageAssertionError with the position of the fault. */
export function parseCoverageAssertion(text: string): CoverageAssertion {
  if (typeof text !== "string") throw new CoverageAssertionError(String(text), 0, `an assertion is text, not ${text === null ? "null" : typeof text}`);
  return new Parser(text, tokenize(text)).parse();
}

/** What `--for` says: the sign-in's subjects (as a "for" clause) and the part of the space to analyse. */
export interface CoverageFor {
  /** One scope per app named (the CLI allows one). */
  scopes: CoverageScope[];
  /** The devices and sign-ins to analyse (undefined: all); a named user is exactly that user. */
  within?: CoverageSelector;
  /** How the narrowing reads in reports, e.g. "platform=windows, clientApp=browser". */
  narrowing: string[];
}

/**
 * Parse `--for`: comma-separated items, each a subject of a "for" clause (`app:<id>`, `user:<id>`,
 * `group:<id>`, `role:<id>`, `any-user`) or a narrowing `key=value` with a key of
 * {@link DIMENSION_KEYS} (`platform=windows`, `clientApp=browser`, `user=guest`,
 * `member-of=<group>`, `holds-role=<role>`, `location=<id|trusted|untrusted>`). Throws
 * CoverageAssertionError naming the item.
 */
export function parseCoverageFor(text: string): CoverageFor {
  const within: CoverageSelector[] = [];
  const narrowing: string[] = [];
  const subjects: string[] = [];
  let at = 0;
  for (const item of text.split(",")) {
    const trimmed = item.trim();
    const eq = trimmed.indexOf("=");
    if (eq > 0) {
      const key = trimmed.slice(0, eq).trim();
      const value = trimmed.slice(eq + 1).trim();
      const selector = dimensionSelector(key, value);
      if (typeof selector === "string") throw new CoverageAssertionError(text, at + item.indexOf(trimmed), selector);
      within.push(selector);
      narrowing.push(`${key}=${value}`);
    } else if (trimmed !== "") subjects.push(trimmed);
    at += item.length + 1;
  }
  const scopes = subjects.length ? parseCoverageAssertion(`every class has-policy for ${subjects.join(", ")}`).scopes : [{}];
  // A user named as a subject is exactly that user: their ids, groups and roles, no others, a member.
  const user = scopes[0].user;
  if (user) within.push({ kind: "user", userIds: user.userIds, groupIds: user.groupIds, roleIds: user.roleIds });
  return { scopes, within: within.length === 0 ? undefined : within.length === 1 ? within[0] : { kind: "and", operands: within }, narrowing };
}

/** How a scope reads in reports: "group:x, app:Office365", or "every policy's users and apps". */
export function describeScope(scope: CoverageScope): string {
  const parts: string[] = [];
  if (scope.user) {
    const { userIds, groupIds, roleIds } = scope.user;
    const ids = [...userIds.map((x) => `user:${x}`), ...groupIds.map((x) => `group:${x}`), ...roleIds.map((x) => `role:${x}`)];
    parts.push(...(ids.length ? ids : ["any-user"]));
  }
  if (scope.app !== undefined) parts.push(`app:${scope.app}`);
  return parts.length ? parts.join(", ") : "every policy's users and apps";
}

/** A device class for which an assertion does not hold, with its witness device and outcome. */
export interface AssertionFailure {
  classId: string;
  description: string[];
  witness: InventoryDevice;
  /** The rest of the witness sign-in (user, client app, location), when the policies tell sign-ins apart on them. */
  signIn?: CoverageSignIn;
  scope: string;
  outcome: Outcome;
  controls: string[];
  applying: string[];
}

/** The result of one coverage assertion: whether it holds, and each failing class. */
export interface AssertionResult {
  assertion: string;
  ok: boolean;
  /** Classes the selector picked (per scope checked). */
  classesChecked: number;
  failures: AssertionFailure[];
}

/**
 * Check assertions against an analysis made with `selectors: assertions.map(a => a.selector)`
 * (so that every class is wholly inside or outside each selector).
 */
export function checkAssertions(analysis: CoverageAnalysis, assertions: CoverageAssertion[]): AssertionResult[] {
  return assertions.map((a, index) => {
    const failures: AssertionFailure[] = [];
    let checked = 0;
    for (const cls of analysis.classes) {
      if (cls.selected[index] !== true) continue;
      checked++;
      for (const scope of a.scopes) {
        const r = classResult(analysis, cls, scope);
        const outcome = a.withReportOnly ? r.outcomeIfReportOnlyEnforced : r.outcome;
        const counted = a.withReportOnly ? r.applying : classResult(analysis, cls, scope, true).applying;
        const holds = a.expectation.some((e) => {
          const value =
            e.outcome === "has-policy" ? counted.length > 0 : e.outcome === "no-policy" ? counted.length === 0 : outcome === e.outcome;
          // Not enough information proves no outcome, negated or not: the assertion fails with the class as witness.
          if (outcome === "unknown" && e.outcome !== "has-policy" && e.outcome !== "no-policy") return false;
          return value !== e.negated;
        });
        if (!holds) {
          failures.push({
            classId: cls.id,
            description: cls.description,
            witness: cls.witness,
            ...(cls.signIn ? { signIn: cls.signIn } : {}),
            scope: describeScope(scope),
            outcome,
            controls: r.controls,
            applying: r.applying,
          });
        }
      }
    }
    return { assertion: a.text, ok: failures.length === 0, classesChecked: checked, failures };
  });
}
