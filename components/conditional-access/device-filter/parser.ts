/**
 * Lexer and recursive-descent parser for device filter rules.
 *
 *   rule       := or EOF
 *   or         := and ( "-or" and )*
 *   and        := not ( "-and" not )*
 *   not        := "-not" not | primary
 *   primary    := "(" or ")" | comparison
 *   comparison := "device." PROPERTY OPERATOR value
 *   value      := STRING | BOOLEAN | "[" STRING ( "," STRING )* "]"
 *
 * Operators and logical words are case-insensitive and the leading hyphen is optional; property
 * names are case-insensitive. The output is the canonical AST (see ast.ts).
 */
import {
  DEVICE_FILTER_PROPERTIES,
  DEVICE_PROPERTIES,
  DeviceProperty,
  DevicePropertySpec,
  EXTENSION_ATTRIBUTE_COUNT,
  FILTER_OPERATORS,
  FilterNode,
  FilterOperator,
  FilterValue,
  MAX_NESTING_DEPTH,
  MAX_RULE_LENGTH,
  joinNodes,
  quoteValue,
} from "./ast";
import { DeviceFilterError, DeviceFilterErrorCode, DeviceFilterWarning } from "./errors";

type TokenKind = "lparen" | "rparen" | "lbracket" | "rbracket" | "comma" | "string" | "word" | "eof" | "error";

interface Token {
  kind: TokenKind;
  /** Offset of the first character in the rule. */
  start: number;
  /** The raw text. */
  text: string;
  /** For strings: the unescaped content. */
  value: string;
  /** For "error": the lexical fault, thrown when the parser reaches it (so earlier faults win). */
  error?: DeviceFilterError;
}

export interface ParseResult {
  ast: FilterNode;
  warnings: DeviceFilterWarning[];
}

const EXAMPLE = 'device.trustType -eq "AzureAD"';

/** device.deviceId values are object ids; the nil GUID is a template value, not a device. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NIL_GUID = "00000000-0000-0000-0000-000000000000";

const OPERATORS_BY_LOWER = new Map<string, FilterOperator>(FILTER_OPERATORS.map((op) => [op.slice(1).toLowerCase(), op]));
const PROPERTIES_BY_LOWER = new Map<string, DeviceProperty>(DEVICE_PROPERTIES.map((p) => [p.toLowerCase(), p]));

/** Dynamic-group spellings of device properties and their Conditional Access names. */
const DYNAMIC_GROUP_PROPERTIES = new Map<string, DeviceProperty>([
  ["devicetrusttype", "trustType"],
  ["devicephysicalids", "physicalIds"],
  ["deviceostype", "operatingSystem"],
  ["deviceosversion", "operatingSystemVersion"],
  ["devicemanufacturer", "manufacturer"],
  ["devicemodel", "model"],
]);

/** Operators that exist in dynamic group rules but not in Conditional Access filters. */
const DYNAMIC_GROUP_OPERATORS = new Map<string, string>([
  ["match", "-match"],
  ["notmatch", "-notMatch"],
  ["any", "-any"],
  ["all", "-all"],
]);

const LOGICAL_WORDS = new Set(["and", "or", "not"]);

const FOREIGN_OPERATORS = new Map<string, string>([
  ["==", "-eq"],
  ["=", "-eq"],
  ["!=", "-ne"],
  ["<>", "-ne"],
  ["&&", "-and"],
  ["||", "-or"],
  ["!", "-not"],
]);

function isWordChar(c: string): boolean {
  return /[A-Za-z0-9_.]/.test(c);
}

function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\v" || c === "\f" || c === "\u00a0";
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = above;
    }
  }
  return row[b.length];
}

/** The closest candidate (case-insensitive) if it is reasonably close, else undefined. */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const lower = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const cl = c.toLowerCase();
    const d = cl.startsWith(lower) || lower.startsWith(cl) ? Math.abs(cl.length - lower.length) * 0.5 : editDistance(lower, cl);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(lower.length / 3)) ? best : undefined;
}

function listOperators(ops: readonly string[]): string {
  if (ops.length === 1) return ops[0];
  return `${ops.slice(0, -1).join(", ")} or ${ops[ops.length - 1]}`;
}

class Parser {
  private readonly tokens: Token[] = [];
  private index = 0;
  private depth = 0;
  readonly warnings: DeviceFilterWarning[] = [];

  constructor(private readonly rule: string) {}

  // ---------------------------------------------------------------- errors

  private fail(
    code: DeviceFilterErrorCode,
    position: number,
    token: string,
    problem: string,
    expected: string,
    fix: string,
  ): never {
    throw new DeviceFilterError({ code, rule: this.rule, position, token, problem, expected, fix });
  }

  private failAt(tok: Token, code: DeviceFilterErrorCode, problem: string, expected: string, fix: string): never {
    return this.fail(code, tok.start, tok.text, problem, expected, fix);
  }

  // ---------------------------------------------------------------- lexer

  /**
   * Lex the whole rule up front. A lexical fault ends the token list with an "error" token that
   * the parser throws when it gets there, so a grammar fault earlier in the rule is reported first.
   */
  lex(): void {
    try {
      this.lexTokens();
    } catch (err) {
      if (!(err instanceof DeviceFilterError)) throw err;
      this.tokens.push({ kind: "error", start: err.position, text: err.token, value: "", error: err });
    }
  }

  private lexTokens(): void {
    const s = this.rule;
    let i = 0;
    while (i < s.length) {
      const c = s[i];
      if (isSpace(c)) {
        i++;
        continue;
      }
      const start = i;
      if (c === "(" || c === ")" || c === "[" || c === "]" || c === ",") {
        const kind: TokenKind = c === "(" ? "lparen" : c === ")" ? "rparen" : c === "[" ? "lbracket" : c === "]" ? "rbracket" : "comma";
        this.tokens.push({ kind, start, text: c, value: c });
        i++;
      } else if (c === '"') {
        i = this.lexString(start);
      } else if (c === "'") {
        this.lexSingleQuoted(start);
      } else if (c === "-" && /[A-Za-z]/.test(s[i + 1] ?? "")) {
        i++;
        while (i < s.length && /[A-Za-z]/.test(s[i])) i++;
        this.tokens.push({ kind: "word", start, text: s.slice(start, i), value: s.slice(start, i) });
      } else if (isWordChar(c)) {
        while (i < s.length && isWordChar(s[i])) i++;
        this.tokens.push({ kind: "word", start, text: s.slice(start, i), value: s.slice(start, i) });
      } else {
        this.unexpectedCharacter(start);
      }
    }
    this.tokens.push({ kind: "eof", start: s.length, text: "", value: "" });
  }

  private lexString(start: number): number {
    const s = this.rule;
    let i = start + 1;
    let value = "";
    while (i < s.length) {
      const c = s[i];
      if (c === "`" && s[i + 1] === '"') {
        value += '"';
        i += 2;
      } else if (c === '"') {
        this.tokens.push({ kind: "string", start, text: s.slice(start, i + 1), value });
        return i + 1;
      } else {
        value += c;
        i++;
      }
    }
    return this.fail(
      DeviceFilterErrorCode.UnterminatedString,
      start,
      s.slice(start),
      "this string is never closed",
      'a closing double quote (")',
      'close the string with ", and write a double quote inside a value as `"',
    );
  }

  private lexSingleQuoted(start: number): never {
    const s = this.rule;
    // Find the end of the single-quoted literal ('' is an escaped quote) to show a corrected form.
    let i = start + 1;
    let value = "";
    let closed = false;
    while (i < s.length) {
      if (s[i] === "'" && s[i + 1] === "'") {
        value += "'";
        i += 2;
      } else if (s[i] === "'") {
        closed = true;
        i++;
        break;
      } else value += s[i++];
    }
    const text = s.slice(start, i);
    return this.fail(
      DeviceFilterErrorCode.SingleQuotedString,
      start,
      text,
      "single-quoted strings are not accepted in Conditional Access device filters",
      "a double-quoted string",
      closed ? `write ${quoteValue(value)} instead of ${text}` : "use double quotes around values",
    );
  }

  private unexpectedCharacter(start: number): never {
    const s = this.rule;
    const two = s.slice(start, start + 2);
    const foreign = FOREIGN_OPERATORS.has(two) ? two : FOREIGN_OPERATORS.has(s[start]) ? s[start] : undefined;
    if (foreign !== undefined) {
      const replacement = FOREIGN_OPERATORS.get(foreign) as string;
      return this.fail(
        DeviceFilterErrorCode.UnexpectedCharacter,
        start,
        foreign,
        `${foreign} is not an operator of device filter rules`,
        `an operator such as ${replacement}`,
        `write ${replacement} instead of ${foreign}`,
      );
    }
    const ch = String.fromCodePoint(s.codePointAt(start) as number);
    return this.fail(
      DeviceFilterErrorCode.UnexpectedCharacter,
      start,
      ch,
      `unexpected character ${JSON.stringify(ch)}`,
      "device.<property>, an operator, a double-quoted value, a parenthesis or a bracket",
      'put values in double quotes and separate words with spaces, as in device.trustType -eq "AzureAD"',
    );
  }

  // ---------------------------------------------------------------- token helpers

  private peek(): Token {
    const tok = this.tokens[this.index];
    if (tok.error !== undefined) throw tok.error;
    return tok;
  }

  private next(): Token {
    const tok = this.peek();
    if (tok.kind !== "eof") this.index++;
    return tok;
  }

  /** The logical word ("and"/"or"/"not") this token spells, with or without hyphen. */
  private logical(tok: Token): string | undefined {
    if (tok.kind !== "word") return undefined;
    const w = tok.text.toLowerCase().replace(/^-/, "");
    return LOGICAL_WORDS.has(w) ? w : undefined;
  }

  // ---------------------------------------------------------------- grammar

  parse(): FilterNode {
    this.lex();
    const first = this.peek();
    if (first.kind === "eof") {
      this.fail(
        DeviceFilterErrorCode.EmptyRule,
        0,
        "",
        "the rule is empty",
        `a comparison such as ${EXAMPLE}`,
        `write at least one comparison, e.g. ${EXAMPLE}`,
      );
    }
    const ast = this.parseOr();
    const tok = this.peek();
    if (tok.kind === "rparen") {
      this.failAt(tok, DeviceFilterErrorCode.UnbalancedParenthesis, "this ) has no matching (", "-and, -or or the end of the rule", "remove the ) or add the missing ( before it");
    }
    if (tok.kind !== "eof") this.unexpectedAfterComparison(tok, "the end of the rule");
    return ast;
  }

  private unexpectedAfterComparison(tok: Token, orWhat: string): never {
    if (tok.kind === "word" && tok.text.toLowerCase().startsWith("device.")) {
      return this.failAt(
        tok,
        DeviceFilterErrorCode.UnexpectedToken,
        "two comparisons need a logical operator between them",
        `-and, -or or ${orWhat}`,
        `insert -and or -or before ${tok.text}`,
      );
    }
    if (this.logical(tok) === "not") {
      return this.failAt(
        tok,
        DeviceFilterErrorCode.UnexpectedToken,
        "-not negates the comparison after it but cannot join two comparisons",
        `-and, -or or ${orWhat}`,
        `write -and ${tok.text} or -or ${tok.text}`,
      );
    }
    return this.failAt(
      tok,
      DeviceFilterErrorCode.UnexpectedToken,
      `unexpected ${tok.kind === "string" ? "value" : "text"} after a complete comparison`,
      `-and, -or or ${orWhat}`,
      "remove it, or join another comparison with -and / -or",
    );
  }

  private enter(tok: Token): void {
    if (++this.depth > MAX_NESTING_DEPTH) {
      this.failAt(
        tok,
        DeviceFilterErrorCode.TooDeep,
        `the rule nests parentheses and -not more than ${MAX_NESTING_DEPTH} levels deep`,
        `at most ${MAX_NESTING_DEPTH} levels of nesting`,
        "remove redundant parentheses and double negations",
      );
    }
  }

  private parseOr(): FilterNode {
    const operands = [this.parseAnd()];
    while (this.logical(this.peek()) === "or") {
      this.next();
      operands.push(this.parseAnd());
    }
    return joinNodes("or", operands);
  }

  private parseAnd(): FilterNode {
    const operands = [this.parseNot()];
    while (this.logical(this.peek()) === "and") {
      this.next();
      operands.push(this.parseNot());
    }
    return joinNodes("and", operands);
  }

  private parseNot(): FilterNode {
    const tok = this.peek();
    if (this.logical(tok) === "not") {
      this.next();
      this.enter(tok);
      const operand = this.parseNot();
      this.depth--;
      return { kind: "not", operand };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): FilterNode {
    const tok = this.peek();
    if (tok.kind === "lparen") {
      this.next();
      this.enter(tok);
      if (this.peek().kind === "rparen") {
        this.failAt(this.peek(), DeviceFilterErrorCode.UnexpectedToken, "empty parentheses", `a comparison such as ${EXAMPLE}`, "put a comparison inside the parentheses or remove them");
      }
      const inner = this.parseOr();
      const close = this.peek();
      if (close.kind === "eof") {
        this.failAt(tok, DeviceFilterErrorCode.UnbalancedParenthesis, "this ( is never closed", "a matching )", "add the missing ) or remove this (");
      }
      if (close.kind !== "rparen") this.unexpectedAfterComparison(close, ")");
      this.next();
      this.depth--;
      return inner;
    }
    if (tok.kind === "word" && /^device\./i.test(tok.text)) return this.parseComparison();
    return this.expectedComparison(tok);
  }

  private expectedComparison(tok: Token): never {
    const expected = `a comparison such as ${EXAMPLE}`;
    if (tok.kind === "eof") {
      return this.failAt(tok, DeviceFilterErrorCode.UnexpectedToken, "the rule ends where a comparison should follow", expected, "complete the rule or remove the trailing -and / -or / -not");
    }
    if (tok.kind === "word") {
      const bare = tok.text.toLowerCase();
      const known = PROPERTIES_BY_LOWER.get(bare) ?? DYNAMIC_GROUP_PROPERTIES.get(bare);
      if (known !== undefined) {
        return this.failAt(tok, DeviceFilterErrorCode.MissingDevicePrefix, `the property ${tok.text} lacks the device. prefix`, "device.<property>", `write device.${known}`);
      }
      const lg = this.logical(tok);
      if (lg !== undefined) {
        return this.failAt(tok, DeviceFilterErrorCode.UnexpectedToken, `-${lg} needs a comparison on its left`, expected, `remove ${tok.text} or put a comparison before it`);
      }
      if (bare === "device") {
        return this.failAt(tok, DeviceFilterErrorCode.UnknownProperty, "device needs a property", "device.<property>", `write a property after device., e.g. ${EXAMPLE}`);
      }
    }
    if (tok.kind === "rparen") {
      return this.failAt(tok, DeviceFilterErrorCode.UnbalancedParenthesis, "this ) closes nothing or follows -and / -or / -not", expected, "remove the ) or complete the expression before it");
    }
    return this.failAt(
      tok,
      DeviceFilterErrorCode.UnexpectedToken,
      `unexpected ${tok.kind === "string" ? "value" : "text"} where a comparison should start`,
      expected,
      `start each comparison with device.<property>, e.g. ${EXAMPLE}`,
    );
  }

  private parseProperty(tok: Token): DevicePropertySpec {
    const name = tok.text.slice("device.".length);
    const lower = name.toLowerCase();
    const known = PROPERTIES_BY_LOWER.get(lower);
    if (known !== undefined) return DEVICE_FILTER_PROPERTIES[known];
    const groupName = DYNAMIC_GROUP_PROPERTIES.get(lower);
    if (groupName !== undefined) {
      return this.failAt(
        tok,
        DeviceFilterErrorCode.DynamicGroupProperty,
        `device.${name} is the dynamic-group spelling, not a Conditional Access filter property`,
        "a Conditional Access device property",
        `write device.${groupName}`,
      );
    }
    const ext = /^extensionattribute(\d+)$/.exec(lower);
    if (ext) {
      return this.failAt(
        tok,
        DeviceFilterErrorCode.UnknownProperty,
        `there is no device.${name}`,
        `extensionAttribute1 to extensionAttribute${EXTENSION_ATTRIBUTE_COUNT}`,
        `use one of device.extensionAttribute1 .. device.extensionAttribute${EXTENSION_ATTRIBUTE_COUNT}`,
      );
    }
    const suggestion = closest(name, DEVICE_PROPERTIES);
    return this.failAt(
      tok,
      DeviceFilterErrorCode.UnknownProperty,
      name === "" ? "device. needs a property name" : `unknown device property ${name}`,
      "a device property (deviceId, displayName, deviceOwnership, enrollmentProfileName, isCompliant, manufacturer, mdmAppId, model, operatingSystem, operatingSystemVersion, physicalIds, profileType, systemLabels, trustType, extensionAttribute1..15)",
      suggestion !== undefined ? `did you mean device.${suggestion}?` : "use one of the listed properties",
    );
  }

  private parseOperator(prop: DevicePropertySpec, propTok: Token): FilterOperator {
    const tok = this.next();
    const allowed = listOperators(prop.operators);
    if (tok.kind !== "word") {
      return this.failAt(
        tok,
        DeviceFilterErrorCode.UnexpectedToken,
        tok.kind === "eof" ? `the rule ends after device.${prop.name}` : `device.${prop.name} must be followed by an operator`,
        `an operator: ${allowed}`,
        `write device.${prop.name} ${prop.operators[0]} ${this.sampleValue(prop)}`,
      );
    }
    if (/^device\./i.test(tok.text)) {
      return this.failAt(
        tok,
        DeviceFilterErrorCode.UnexpectedToken,
        `device.${prop.name} must be followed by an operator`,
        `an operator: ${allowed}`,
        `write device.${prop.name} ${prop.operators[0]} ${this.sampleValue(prop)}`,
      );
    }
    const word = tok.text.toLowerCase().replace(/^-/, "");
    const op = OPERATORS_BY_LOWER.get(word);
    if (op === undefined) {
      const groupOnly = DYNAMIC_GROUP_OPERATORS.get(word);
      if (groupOnly !== undefined) {
        return this.failAt(
          tok,
          DeviceFilterErrorCode.DynamicGroupOperator,
          `${groupOnly} exists only in dynamic group rules, not in Conditional Access device filters`,
          `an operator allowed on device.${prop.name}: ${allowed}`,
          groupOnly.endsWith("atch")
            ? "filters have no regular expressions: use -startsWith, -endsWith, -contains or -in"
            : "use -contains / -notContains on device.physicalIds or device.systemLabels",
        );
      }
      const suggestion = closest(word, FILTER_OPERATORS.map((o) => o.slice(1)));
      return this.failAt(
        tok,
        DeviceFilterErrorCode.UnknownOperator,
        LOGICAL_WORDS.has(word) ? `device.${propTok.text.slice(7)} must be followed by a comparison operator, not ${tok.text}` : `unknown operator ${tok.text}`,
        `an operator allowed on device.${prop.name}: ${allowed}`,
        suggestion !== undefined && !LOGICAL_WORDS.has(word) ? `did you mean -${suggestion}?` : `write device.${prop.name} ${prop.operators[0]} ${this.sampleValue(prop)}`,
      );
    }
    if (!prop.operators.includes(op)) {
      return this.failAt(tok, DeviceFilterErrorCode.OperatorNotAllowed, `${op} is not allowed on device.${prop.name}`, this.allowedText(prop), this.operatorFix(prop, op));
    }
    return op;
  }

  private allowedText(prop: DevicePropertySpec): string {
    if (prop.values !== undefined || prop.boolean) return `only -eq/-ne on device.${prop.name}`;
    return `one of ${listOperators(prop.operators)} on device.${prop.name}`;
  }

  private operatorFix(prop: DevicePropertySpec, op: FilterOperator): string {
    const v1 = prop.values?.[0] ?? "value1";
    const v2 = prop.values?.[1] ?? "value2";
    if (prop.operators.length === 2 && prop.operators[0] === "-eq") {
      if (op === "-in" || op === "-contains" || op === "-startsWith" || op === "-endsWith") {
        return `combine values with -or: device.${prop.name} -eq ${quoteValue(v1)} -or device.${prop.name} -eq ${quoteValue(v2)}`;
      }
      return `combine values with -and: device.${prop.name} -ne ${quoteValue(v1)} -and device.${prop.name} -ne ${quoteValue(v2)}`;
    }
    if (prop.collection) return `use -contains or -notContains, which match a whole element of device.${prop.name}`;
    if (op === "-contains" || op === "-startsWith" || op === "-endsWith") return `use -eq or -in: device.${prop.name} -in ["${v1}", "${v2}"]`;
    return `use -ne or -notIn: device.${prop.name} -notIn ["${v1}", "${v2}"]`;
  }

  private sampleValue(prop: DevicePropertySpec): string {
    if (prop.boolean) return "True";
    return quoteValue(prop.values?.[0] ?? "value");
  }

  private parseComparison(): FilterNode {
    const propTok = this.next();
    const prop = this.parseProperty(propTok);
    const operator = this.parseOperator(prop, propTok);
    const value = operator === "-in" || operator === "-notIn" ? this.parseArray(prop, operator) : this.parseScalar(prop, operator);
    return { kind: "compare", property: prop.name, operator, value };
  }

  private parseArray(prop: DevicePropertySpec, operator: FilterOperator): string[] {
    const open = this.next();
    if (open.kind !== "lbracket") {
      const example = open.kind === "string" ? `[${quoteValue(open.value.trim())}]` : '["value1", "value2"]';
      return this.failAt(open, DeviceFilterErrorCode.InvalidValue, `${operator} takes a list of values`, `[ (a list such as ["value1", "value2"])`, `write device.${prop.name} ${operator} ${example}`);
    }
    const values: string[] = [];
    for (;;) {
      const tok = this.next();
      if (tok.kind === "rbracket" && values.length === 0) {
        return this.failAt(tok, DeviceFilterErrorCode.InvalidValue, `${operator} needs at least one value`, "a double-quoted value", `write device.${prop.name} ${operator} ["value"]`);
      }
      if (tok.kind === "rbracket") {
        return this.failAt(tok, DeviceFilterErrorCode.UnexpectedToken, "a comma must be followed by another value", "a double-quoted value", "remove the trailing comma");
      }
      values.push(this.stringValue(prop, tok, "a double-quoted value in the list"));
      const sep = this.next();
      if (sep.kind === "rbracket") return values;
      if (sep.kind === "comma") continue;
      if (sep.kind === "eof") {
        return this.failAt(open, DeviceFilterErrorCode.UnbalancedParenthesis, "this [ is never closed", "a matching ]", "close the list with ]");
      }
      return this.failAt(sep, DeviceFilterErrorCode.UnexpectedToken, "list values must be separated by commas", ", or ]", 'separate values with commas: ["value1", "value2"]');
    }
  }

  private parseScalar(prop: DevicePropertySpec, operator: FilterOperator): FilterValue {
    const tok = this.next();
    if (tok.kind === "lbracket") {
      return this.failAt(
        tok,
        DeviceFilterErrorCode.InvalidValue,
        `${operator} compares with a single value, not a list`,
        `a single ${prop.boolean ? "True or False" : "double-quoted value"}`,
        prop.operators.includes("-in") ? `use -in / -notIn for a list of values` : `join several comparisons with -or (or -and for -ne)`,
      );
    }
    if (prop.boolean) return this.booleanValue(prop, operator, tok);
    return this.stringValue(prop, tok, "a double-quoted value");
  }

  private rejectNull(tok: Token): void {
    if (tok.kind === "word" && tok.text.toLowerCase() === "null") {
      this.failAt(
        tok,
        DeviceFilterErrorCode.NullValue,
        "null comparisons are not documented for Conditional Access device filters",
        "a value",
        "to catch devices without a value (including unregistered devices) use a negative operator such as -ne or -notContains, which is true for them",
      );
    }
  }

  private booleanValue(prop: DevicePropertySpec, operator: FilterOperator, tok: Token): boolean {
    this.rejectNull(tok);
    const raw = tok.kind === "string" ? tok.value.trim().toLowerCase() : tok.kind === "word" ? tok.text.toLowerCase() : undefined;
    if (raw === "true") return true;
    if (raw === "false") return false;
    return this.failAt(
      tok,
      DeviceFilterErrorCode.InvalidValue,
      tok.kind === "eof" ? `the rule ends before the value of device.${prop.name}` : `device.${prop.name} is True or False`,
      "True or False",
      `write device.${prop.name} ${operator} True`,
    );
  }

  private stringValue(prop: DevicePropertySpec, tok: Token, expected: string): string {
    this.rejectNull(tok);
    if (tok.kind !== "string") {
      const unquoted = tok.kind === "word" && !tok.text.startsWith("-");
      return this.failAt(
        tok,
        DeviceFilterErrorCode.InvalidValue,
        tok.kind === "eof" ? `the rule ends before the value of device.${prop.name}` : unquoted ? "values must be in double quotes" : `device.${prop.name} needs a value here`,
        expected,
        unquoted ? `write ${quoteValue(tok.text)}` : `write a value such as ${this.sampleValue(prop)}`,
      );
    }
    const value = tok.value.trim();
    if (value === "") {
      return this.failAt(tok, DeviceFilterErrorCode.InvalidValue, "empty values never match anything useful", `a non-empty ${expected}`, `write a value such as ${this.sampleValue(prop)}`);
    }
    if (value !== tok.value) {
      this.warnings.push({
        position: tok.start,
        message: `leading/trailing spaces removed from ${tok.text}: spaces inside values break matching in Entra`,
      });
    }
    if (prop.name === "deviceId" && (!GUID.test(value) || value === NIL_GUID)) {
      return this.failAt(
        tok,
        DeviceFilterErrorCode.InvalidValue,
        `${quoteValue(value)} is not a device id`,
        "a device id (GUID), e.g. \"6c2e6d4a-1111-4a2b-9c3d-0123456789ab\"",
        "use the device's deviceId from Entra ID (Devices > the device > Device ID); a value such as %DeviceId% or xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx is an unresolved placeholder",
      );
    }
    if (prop.values !== undefined) {
      const canonical = prop.values.find((v) => v.toLowerCase() === value.toLowerCase());
      if (canonical === undefined) {
        const suggestion = closest(value, prop.values);
        return this.failAt(
          tok,
          DeviceFilterErrorCode.InvalidValue,
          `${quoteValue(value)} is not a device.${prop.name} value`,
          `one of ${prop.values.map(quoteValue).join(", ")}`,
          suggestion !== undefined ? `did you mean ${quoteValue(suggestion)}?` : `use one of ${prop.values.map(quoteValue).join(", ")}`,
        );
      }
      return canonical;
    }
    return value;
  }
}

/**
 * Parse a rule into its canonical AST. Throws DeviceFilterError on the first fault; the rule's
 * length is checked before anything else.
 */
export function parseRule(rule: string): ParseResult {
  if (typeof rule !== "string") {
    throw new DeviceFilterError({
      code: DeviceFilterErrorCode.EmptyRule,
      rule: String(rule),
      position: 0,
      token: "",
      problem: `the rule must be a string, got ${rule === null ? "null" : typeof rule}`,
      expected: `a rule such as ${EXAMPLE}`,
      fix: "pass the rule text",
    });
  }
  if (rule.length > MAX_RULE_LENGTH) {
    throw new DeviceFilterError({
      code: DeviceFilterErrorCode.TooLong,
      rule,
      position: MAX_RULE_LENGTH,
      token: rule.slice(MAX_RULE_LENGTH),
      problem: `the rule is ${rule.length} characters long; Entra accepts at most ${MAX_RULE_LENGTH}`,
      expected: `at most ${MAX_RULE_LENGTH} characters`,
      fix: "shorten the rule: use -in lists where the property allows them, or split it across policies",
    });
  }
  const parser = new Parser(rule);
  const ast = parser.parse();
  return { ast, warnings: parser.warnings };
}
