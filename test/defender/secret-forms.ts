/**
 * The forms a careless service may echo a secret in, and an independent check that a text does not
 * hold a secret in any of them: the text is decoded (JSON/backslash escapes, percent-encoding,
 * HTML references, base64 runs) up to five (or seven) times in every order, and no decoded variant may
 * contain the secret, in any letter case. The check shares no code with the scrubber.
 */

/** JSON string escaping (no quotes) with a chosen escape per UTF-16 unit. */
function escapeWith(s: string, esc: (unit: string, code: number) => string | undefined): string {
  let out = "";
  for (const unit of s) {
    for (let i = 0; i < unit.length; i++) {
      const u = unit[i];
      out += esc(u, u.charCodeAt(0)) ?? JSON.stringify(u).slice(1, -1);
    }
  }
  return out;
}
const hex4 = (code: number, upper = false) => {
  const h = code.toString(16).padStart(4, "0");
  return upper ? h.toUpperCase() : h;
};

/** Text encodings of a string (each returns the encoded text, without surrounding quotes). */
export const textEncodings = {
  /** JSON.stringify, as the client sends it. */
  json: (s: string) => JSON.stringify(s).slice(1, -1),
  /** JSON with `/` written `\/` (PHP, older .NET serialisers). */
  jsonSlash: (s: string) => JSON.stringify(s).slice(1, -1).replace(/\//g, "\\/"),
  /** System.Text.Json's default encoder: HTML-sensitive and non-ASCII characters as upper-case `\uXXXX`. */
  jsonDotnet: (s: string) => escapeWith(s, (u, c) => (/["&'+<>`]/.test(u) || c > 0x7e ? `\\u${hex4(c, true)}` : undefined)),
  /** Every character as a lower-case `\uxxxx` escape. */
  jsonAllUnicode: (s: string) => escapeWith(s, (_u, c) => `\\u${hex4(c)}`),
  /** encodeURIComponent. */
  url: (s: string) => encodeURIComponent(s),
  /** Form encoding: spaces as `+`, lower-case hex. */
  form: (s: string) => encodeURIComponent(s).replace(/%20/g, "+").replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  /** HTML text: `& < > " '` as references, non-ASCII as `&#xHH;`. */
  html: (s: string) =>
    [...s].map((ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? (ch.codePointAt(0)! > 0x7e ? `&#x${ch.codePointAt(0)!.toString(16)};` : ch)).join(""),
};
export type TextEncoding = keyof typeof textEncodings;

export const base64Encodings = {
  base64: (s: string) => Buffer.from(s, "utf8").toString("base64"),
  base64url: (s: string) => Buffer.from(s, "utf8").toString("base64url"),
};

/** JSON.stringify with strings escaped by `encode` (one of the JSON text encodings). */
export function stringifyWith(value: unknown, encode: (s: string) => string): string {
  if (typeof value === "string") return `"${encode(value)}"`;
  if (Array.isArray(value)) return `[${value.map((v) => stringifyWith(v, encode)).join(",")}]`;
  if (value && typeof value === "object") return `{${Object.entries(value).map(([k, v]) => `"${encode(k)}":${stringifyWith(v, encode)}`).join(",")}}`;
  return JSON.stringify(value);
}

/** The request body re-serialised by a service with its own JSON escaping, at both levels (ProvisioningParameters is JSON in JSON). */
export function reserialisedBody(requestText: string, encode: (s: string) => string): string {
  const body = JSON.parse(requestText) as { Properties: { ProvisioningParameters: string } & Record<string, unknown> };
  const params = stringifyWith(JSON.parse(body.Properties.ProvisioningParameters), encode);
  return stringifyWith({ ...body, Properties: { ...body.Properties, ProvisioningParameters: params } }, encode);
}

// ---- the independent check ----

function unescapeBackslash(t: string): string {
  return t.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[\s\S])/g, (_m, e: string) => {
    if (e.length > 1) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" } as Record<string, string>)[e] ?? e;
  });
}

function unescapePercent(t: string, plusIsSpace: boolean): string {
  const s = plusIsSpace ? t.replace(/\+/g, " ") : t;
  return s.replace(/%u[0-9a-fA-F]{4}/g, (m) => String.fromCharCode(parseInt(m.slice(2), 16))).replace(/(%[0-9a-fA-F]{2})+/g, (m) => {
    try {
      return decodeURIComponent(m);
    } catch {
      return Buffer.from(m.split("%").slice(1).map((h) => parseInt(h, 16))).toString("latin1");
    }
  });
}

function unescapeHtml(t: string): string {
  const named: Record<string, string> = { quot: '"', amp: "&", lt: "<", gt: ">", apos: "'" };
  return t.replace(/&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);/g, (m, e: string) => {
    if (e.startsWith("#x") || e.startsWith("#X")) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return named[e.toLowerCase()] ?? m;
  });
}

/** Every run of base64 characters, decoded from each of its first four offsets (both alphabets). */
function decodeBase64Runs(t: string): string {
  return t.replace(/[A-Za-z0-9+/_-]{8,}={0,2}/g, (run) => {
    const std = run.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
    const parts = [0, 1, 2, 3].map((o) => Buffer.from(std.slice(o), "base64").toString("utf8"));
    return `${run}|${parts.join("|")}|`;
  });
}

const DECODERS: ((t: string) => string)[] = [unescapeBackslash, (t) => unescapePercent(t, false), (t) => unescapePercent(t, true), unescapeHtml, decodeBase64Runs];

/** The text and what it decodes to through up to `depth` decodings in any order. */
export function decodedVariants(text: string, depth = 5): Set<string> {
  const seen = new Set<string>([text]);
  let frontier = [text];
  for (let d = 0; d < depth; d++) {
    const next: string[] = [];
    for (const t of frontier) {
      for (const decode of DECODERS) {
        const v = decode(t);
        if (!seen.has(v)) {
          seen.add(v);
          next.push(v);
        }
      }
    }
    frontier = next;
  }
  return seen;
}

/** Whether `text` holds `secret` (or, with `length`, its first `length` characters) in any form, decoding up to `depth` times. */
export function revealsSecret(text: string, secret: string, length = secret.length, depth = 5): boolean {
  const needle = secret.slice(0, length).toLowerCase();
  for (const v of decodedVariants(text, depth)) if (v.toLowerCase().includes(needle)) return true;
  return false;
}
