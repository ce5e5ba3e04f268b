/**
 * Errors and warnings of the device filter parser. Every error carries the 0-based character
 * offset of the fault, the offending text, what was expected there and how to fix it.
 */

/** Stable machine-readable kinds of parse errors (for tools that react to a specific fault). */
export const DeviceFilterErrorCode = {
  EmptyRule: "empty-rule",
  TooLong: "too-long",
  TooDeep: "too-deep",
  UnexpectedCharacter: "unexpected-character",
  UnterminatedString: "unterminated-string",
  SingleQuotedString: "single-quoted-string",
  MissingDevicePrefix: "missing-device-prefix",
  UnknownProperty: "unknown-property",
  DynamicGroupProperty: "dynamic-group-property",
  UnknownOperator: "unknown-operator",
  DynamicGroupOperator: "dynamic-group-operator",
  OperatorNotAllowed: "operator-not-allowed",
  InvalidValue: "invalid-value",
  NullValue: "null-value",
  UnbalancedParenthesis: "unbalanced-parenthesis",
  UnexpectedToken: "unexpected-token",
} as const;
export type DeviceFilterErrorCode = (typeof DeviceFilterErrorCode)[keyof typeof DeviceFilterErrorCode];

/** Where and why a device filter rule is wrong: code, position, offending text, and how to fix it. */
export interface DeviceFilterErrorDetails {
  /** What kind of fault this is. */
  code: DeviceFilterErrorCode;
  /** The rule as given. */
  rule: string;
  /** 0-based character offset of the fault in `rule`. */
  position: number;
  /** The offending text ("" at the end of the rule). */
  token: string;
  /** What is wrong, one short sentence without a final period. */
  problem: string;
  /** What the parser expected at `position`. */
  expected: string;
  /** How to fix it, usually with corrected rule text. */
  fix: string;
}

function describeToken(token: string): string {
  if (token === "") return "end of rule";
  const shown = token.length > 40 ? token.slice(0, 37) + "..." : token;
  // A string token already shows its own quotes; escaping them again would only add noise.
  return shown.startsWith('"') || shown.startsWith("'") ? shown : JSON.stringify(shown);
}

/** A rule Entra would reject (or that this library refuses to emit). */
export class DeviceFilterError extends Error {
  readonly code: DeviceFilterErrorCode;
  readonly rule: string;
  readonly position: number;
  readonly token: string;
  readonly problem: string;
  readonly expected: string;
  readonly fix: string;

  constructor(details: DeviceFilterErrorDetails) {
    super(
      `Invalid device filter at position ${details.position} (${describeToken(details.token)}): ${details.problem}; ` +
        `expected ${details.expected}. Fix: ${details.fix}`,
    );
    this.name = "DeviceFilterError";
    this.code = details.code;
    this.rule = details.rule;
    this.position = details.position;
    this.token = details.token;
    this.problem = details.problem;
    this.expected = details.expected;
    this.fix = details.fix;
  }
}

/** Something accepted but worth telling the author (the rule was normalised or is risky). */
export interface DeviceFilterWarning {
  /** 0-based character offset in the rule as given. */
  position: number;
  message: string;
}

const WINDOW = 60;

/**
 * Render an error for a terminal: the message, then the rule (or a window around the fault for
 * long rules) with a caret line under `position`. Tabs and line breaks are shown as spaces so
 * the caret lines up.
 */
export function formatFilterError(err: DeviceFilterError): string {
  const rule = err.rule;
  let start = 0;
  let end = rule.length;
  if (rule.length > 2 * WINDOW) {
    start = Math.max(0, err.position - WINDOW);
    end = Math.min(rule.length, err.position + WINDOW);
  }
  const prefix = start > 0 ? "..." : "";
  const suffix = end < rule.length ? "..." : "";
  const shown = prefix + rule.slice(start, end).replace(/[\t\r\n\v\f]/g, " ") + suffix;
  const column = prefix.length + (err.position - start);
  const underline = Math.max(1, Math.min(err.token.length, end - err.position));
  const caret = " ".repeat(column) + "^" + "~".repeat(underline - 1);
  return `${err.message}\n  ${shown}\n  ${caret}`;
}
