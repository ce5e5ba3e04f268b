/**
 * Masks secrets in any text that can reach a user (errors, logs, plan output), in every form a
 * service or a tool may echo them. A secret sent inside a JSON string that is itself inside a JSON
 * body (the Qualys `ProvisioningParameters`) travels escaped twice, and a service that echoes the
 * request may re-serialise, re-encode or truncate it. Masking only the raw form leaks it.
 *
 * The forms masked (each occurrence becomes "[secret]"):
 *
 * 1. raw, in any letter case;
 * 2. backslash-escaped (JSON, JavaScript, C#), nested up to 4 times, each level any mix of the
 *    literal character, `\"`, `\\`, `\/` (a `/` written as `\/`), `\b \f \n \r \t`, `\'`, `\xHH`
 *    and `\uXXXX` for any character (either hex case, surrogate pairs included);
 * 3. percent-encoded (URL or form): any subset of characters as `%XX` of their UTF-8 bytes (either
 *    hex case), `+` for a space, `%uXXXX`; nested (`%2522`);
 * 4. HTML/XML character references: `&quot; &amp; &lt; &gt; &apos;`, `&#NN;`, `&#xHH;`;
 * 5. any combination of 2-4 in any order, up to 4 layers in all;
 * 6. base64 and base64url of the UTF-8 bytes of the secret and of its JSON-escaped forms (once and
 *    twice: the forms inside `ProvisioningParameters` and inside a request body), at each of the
 *    three byte alignments, so also inside the base64 of a larger body; the characters that hold
 *    only the secret's bits are masked, themselves found raw or through 2-4;
 * 7. a truncated echo: a prefix of the secret of at least max(8, half its length) characters,
 *    in any of forms 1-5.
 *
 * Not recognised: hexadecimal dumps, a secret split by line wrapping, an echo that keeps only the
 * end of the secret, and secrets shorter than 4 characters (they are left alone: masking every
 * occurrence of so short a string would garble messages; the component refuses none today).
 */

export const SECRET_MASK = "[secret]";

/** Secrets shorter than this are not masked. */
export const MIN_SECRET_LENGTH = 4;
/** Maximum nested encoding layers (forms 2-5). */
const MAX_LAYERS = 4;
/** Shortest base64 run masked; shorter runs would hide ordinary words. */
const MIN_BASE64_CORE = 6;

type Layer = "backslash" | "percent" | "html";
const LAYERS: Layer[] = ["backslash", "percent", "html"];

/** One decoded unit: its text (one code point, or one UTF-16 unit for a `\u` escape) and where it ends in the raw text. */
interface Piece {
  text: string;
  end: number;
}

const HEX = /^[0-9a-fA-F]$/;
const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", "'": "'", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const NAMED_ENTITIES: Record<string, string> = { quot: '"', amp: "&", lt: "<", gt: ">", apos: "'", nbsp: "\u00a0" };

/**
 * The text seen through encoding layers: the raw text (no layer), or what its parent's text
 * decodes to through one more layer. Nodes form a tree, so stacks that share their outer layers
 * share the decoding work.
 */
class Decoder {
  private readonly memo = new Map<number, Piece[]>();

  constructor(
    private readonly raw: string,
    private readonly layer?: Layer,
    private readonly parent?: Decoder,
  ) {}

  /** The units that can be read at `pos` of the raw text once every layer of this node is decoded. */
  read(pos: number): Piece[] {
    if (!this.parent) {
      if (pos >= this.raw.length) return [];
      const cp = this.raw.codePointAt(pos)!;
      const text = String.fromCodePoint(cp);
      return [{ text, end: pos + text.length }];
    }
    let pieces = this.memo.get(pos);
    if (!pieces) {
      pieces = this.decode(pos, this.parent);
      this.memo.set(pos, pieces);
    }
    return pieces;
  }

  private decode(pos: number, below: Decoder): Piece[] {
    const out: Piece[] = [];
    for (const first of below.read(pos)) {
      if (this.layer === "backslash" && first.text === "\\") out.push(...backslash(below, first.end));
      else if (this.layer === "percent" && first.text === "%") out.push(...percent(below, first.end));
      else if (this.layer === "percent" && first.text === "+") out.push({ text: " ", end: first.end }, first);
      else if (this.layer === "html" && first.text === "&") out.push(...entity(below, first.end), first);
      else out.push(first);
    }
    return out;
  }
}

/** `n` single characters read through `d`, e.g. hex digits: every way to read them. */
function chars(d: Decoder, pos: number, n: number, ok: (c: string) => boolean): Piece[] {
  let states: Piece[] = [{ text: "", end: pos }];
  for (let i = 0; i < n && states.length > 0; i++) {
    states = states.flatMap((s) => d.read(s.end).filter((p) => ok(p.text)).map((p) => ({ text: s.text + p.text, end: p.end })));
  }
  return states;
}

const isHex = (c: string) => HEX.test(c);

/** After a backslash: `\"`, `\n`, `\uXXXX`, `\xHH`, ... */
function backslash(d: Decoder, pos: number): Piece[] {
  const out: Piece[] = [];
  for (const p of d.read(pos)) {
    const simple = SIMPLE_ESCAPES[p.text];
    if (simple !== undefined) out.push({ text: simple, end: p.end });
    else if (p.text === "u") for (const h of chars(d, p.end, 4, isHex)) out.push({ text: String.fromCharCode(parseInt(h.text, 16)), end: h.end });
    else if (p.text === "x") for (const h of chars(d, p.end, 2, isHex)) out.push({ text: String.fromCharCode(parseInt(h.text, 16)), end: h.end });
  }
  return out;
}

/** After a `%`: one byte `XX` (a whole UTF-8 sequence when it leads one) or `uXXXX`. */
function percent(d: Decoder, pos: number): Piece[] {
  const out: Piece[] = [];
  for (const u of chars(d, pos, 1, (c) => c === "u" || c === "U")) {
    for (const h of chars(d, u.end, 4, isHex)) out.push({ text: String.fromCharCode(parseInt(h.text, 16)), end: h.end });
  }
  for (const h of chars(d, pos, 2, isHex)) {
    const lead = parseInt(h.text, 16);
    const more = lead < 0x80 ? 0 : lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : -1;
    if (more === 0) out.push({ text: String.fromCharCode(lead), end: h.end });
    if (more <= 0) continue;
    // Continuation bytes, each "%XX" read through the same layers.
    let states = [{ bytes: [lead], end: h.end }];
    for (let i = 0; i < more; i++) {
      states = states.flatMap((s) => chars(d, s.end, 1, (c) => c === "%").flatMap((pct) => chars(d, pct.end, 2, isHex).map((x) => ({ bytes: [...s.bytes, parseInt(x.text, 16)], end: x.end }))));
    }
    for (const s of states) {
      const text = new TextDecoder("utf-8", { fatal: false }).decode(Uint8Array.from(s.bytes));
      if (!text.includes("\ufffd")) out.push({ text, end: s.end });
    }
  }
  return out;
}

/** After a `&`: a named or numeric character reference up to `;`. */
function entity(d: Decoder, pos: number): Piece[] {
  const out: Piece[] = [];
  let states: Piece[] = [{ text: "", end: pos }];
  for (let i = 0; i < 10 && states.length > 0; i++) {
    const next: Piece[] = [];
    for (const s of states) {
      for (const p of d.read(s.end)) {
        if (p.text === ";") {
          const named = NAMED_ENTITIES[s.text.toLowerCase()];
          let cp: number | undefined;
          if (/^#[0-9]{1,7}$/.test(s.text)) cp = parseInt(s.text.slice(1), 10);
          else if (/^#[xX][0-9a-fA-F]{1,6}$/.test(s.text)) cp = parseInt(s.text.slice(2), 16);
          if (named !== undefined) out.push({ text: named, end: p.end });
          else if (cp !== undefined && cp <= 0x10ffff) out.push({ text: String.fromCodePoint(cp), end: p.end });
        } else if (/^[#0-9a-zA-Z]$/.test(p.text)) {
          next.push({ text: s.text + p.text, end: p.end });
        }
      }
    }
    states = next;
  }
  return out;
}

/** The character that makes each layer decode anything; without it in the text below, the layer changes nothing. */
const TRIGGERS: Record<Layer, string[]> = { backslash: ["\\"], percent: ["%", "+"], html: ["&"] };

function sameIgnoringCase(a: string, b: string): boolean {
  return a === b || (a.length === b.length && a.toLowerCase() === b.toLowerCase());
}

/**
 * Where `target` starts at `start` once `layers` are decoded: the end of the longest full match,
 * else (when `minPrefix` is set) of the longest prefix of at least `minPrefix` units, else -1.
 */
function matchAt(decoder: Decoder, start: number, target: string, ignoreCase: boolean, minPrefix: number | undefined): number {
  let best = -1;
  let bestLength = -1;
  const seen = new Set<string>();
  const stack: [number, number][] = [[start, 0]];
  while (stack.length > 0) {
    const [pos, i] = stack.pop()!;
    const key = `${pos}:${i}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === target.length || (minPrefix !== undefined && i >= minPrefix)) {
      if (i > bestLength || (i === bestLength && pos > best)) {
        best = pos;
        bestLength = i;
      }
      if (i === target.length) continue;
    }
    for (const p of decoder.read(pos)) {
      const want = target.slice(i, i + p.text.length);
      if (want.length === p.text.length && (ignoreCase ? sameIgnoringCase(p.text, want) : p.text === want)) stack.push([p.end, i + p.text.length]);
    }
  }
  return best;
}

const BASE64_STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** The base64 characters that carry only the bytes of `bytes` when they start at byte offset `align` (mod 3) of an encoded stream. */
function base64Core(bytes: Uint8Array, align: number, alphabet: string): string {
  const all = new Uint8Array(align + bytes.length + 2);
  all.set(bytes, align);
  const firstBit = 8 * align;
  const endBit = 8 * (align + bytes.length);
  let out = "";
  for (let j = Math.ceil(firstBit / 6); 6 * j + 6 <= endBit; j++) {
    let v = 0;
    for (let b = 6 * j; b < 6 * j + 6; b++) v = (v << 1) | ((all[b >> 3] >> (7 - (b & 7))) & 1);
    out += alphabet[v];
  }
  return out;
}

/** JSON string escaping without the quotes, as JSON.stringify writes it. */
function jsonEscaped(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

interface Target {
  text: string;
  ignoreCase: boolean;
  minPrefix?: number;
}

function targetsOf(secret: string): Target[] {
  const targets: Target[] = [{ text: secret, ignoreCase: true, minPrefix: Math.max(8, Math.ceil(secret.length / 2)) }];
  const cores = new Set<string>();
  let form = secret;
  for (let level = 0; level <= 2; level++) {
    const bytes = new TextEncoder().encode(form);
    for (let align = 0; align < 3; align++) {
      for (const alphabet of [BASE64_STD, BASE64_URL]) {
        const core = base64Core(bytes, align, alphabet);
        if (core.length >= MIN_BASE64_CORE) cores.add(core);
      }
    }
    form = jsonEscaped(form);
  }
  for (const core of cores) targets.push({ text: core, ignoreCase: false });
  return targets;
}

/** Character ranges [start, end) of `text` that hold any of `secrets` in any of the forms above. */
export function secretRanges(text: string, secrets: readonly string[]): [number, number][] {
  const ranges: [number, number][] = [];
  // Targets by their first unit (lower-cased for the case-insensitive ones), so each position costs one lookup.
  const exact = new Map<string, Target[]>();
  const folded = new Map<string, Target[]>();
  for (const t of secrets.flatMap(targetsOf)) {
    const map = t.ignoreCase ? folded : exact;
    // The first UTF-16 unit: a `\uD83D` escape decodes to half of a character.
    const first = t.text[0];
    const key = t.ignoreCase ? first.toLowerCase() : first;
    map.set(key, [...(map.get(key) ?? []), t]);
  }
  // Depth-first over the layer stacks (index 0 outermost). A layer whose trigger never appears in
  // the text below it decodes nothing: its subtree repeats stacks that are searched without it.
  const search = (decoder: Decoder, depth: number) => {
    const seen = new Set<string>();
    for (let start = 0; start < text.length; start++) {
      for (const p of decoder.read(start)) {
        seen.add(p.text);
        const unit = p.text[0];
        for (const t of [...(exact.get(unit) ?? []), ...(folded.get(unit.toLowerCase()) ?? [])]) {
          const end = matchAt(decoder, start, t.text, t.ignoreCase, t.minPrefix);
          if (end > start) ranges.push([start, end]);
        }
      }
    }
    if (depth === MAX_LAYERS) return;
    for (const layer of LAYERS) if (TRIGGERS[layer].some((c) => seen.has(c))) search(new Decoder(text, layer, decoder), depth + 1);
  };
  search(new Decoder(text), 0);
  return ranges;
}

/** Replace every secret, in every form listed above, by "[secret]". */
export function scrubSecrets(message: string, secrets: readonly (string | undefined)[]): string {
  const wanted = secrets.filter((s): s is string => typeof s === "string" && s.length >= MIN_SECRET_LENGTH);
  const ranges = wanted.length === 0 ? [] : secretRanges(message, [...new Set(wanted)]);
  if (ranges.length === 0) return message;
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let out = "";
  let at = 0;
  let open: [number, number] | undefined;
  for (const r of ranges) {
    if (open && r[0] < open[1]) {
      open[1] = Math.max(open[1], r[1]);
      continue;
    }
    if (open) {
      out += SECRET_MASK;
      at = open[1];
    }
    out += message.slice(at, r[0]);
    open = [r[0], r[1]];
  }
  out += SECRET_MASK + message.slice(open![1]);
  return out;
}
