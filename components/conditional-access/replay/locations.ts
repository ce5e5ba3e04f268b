/**
 * Named locations (Graph `namedLocation`: `ipNamedLocation`, `countryNamedLocation`), as exported
 * from `GET /identity/conditionalAccess/namedLocations`, and matching a sign-in against them.
 * Matching answers 1 (in), 0 (out) or 2 (the sign-in lacks what the location needs).
 */
import type { SignIn } from "./signin";

export interface NamedLocation {
  /** Object id, lower case. */
  id: string;
  displayName: string;
  kind: "ip" | "country";
  isTrusted: boolean;
  v4: number[];
  v6: bigint[];
  countries: ReadonlySet<string>;
  includeUnknownCountries: boolean;
  /** Country from the Authenticator app's GPS: not in any log, so never decidable offline. */
  gps: boolean;
}

export class ReplayInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReplayInputError";
  }
}

/** An IPv4 address as an unsigned number, or -1. */
export function parseIpv4(text: string): number {
  const parts = text.split(".");
  if (parts.length !== 4) return -1;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return -1;
    const v = Number(p);
    if (v > 255) return -1;
    n = n * 256 + v;
  }
  return n;
}

/** An IPv6 address as a bigint, or undefined. Accepts `::` compression and an embedded IPv4 tail. */
export function parseIpv6(text: string): bigint | undefined {
  let s = text.trim();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(":")) return undefined;
  const tail: number[] = [];
  const last = s.lastIndexOf(":");
  if (s.slice(last + 1).includes(".")) {
    const v4 = parseIpv4(s.slice(last + 1));
    if (v4 < 0) return undefined;
    tail.push(Math.floor(v4 / 65536), v4 % 65536);
    s = s.slice(0, last);
    if (s.endsWith(":")) s += ":";
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  if (![...head, ...rest].every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  const count = head.length + rest.length + tail.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const words = [...head.map((g) => parseInt(g, 16)), ...Array<number>(8 - count).fill(0), ...rest.map((g) => parseInt(g, 16)), ...tail];
  let n = 0n;
  for (const w of words) n = (n << 16n) | BigInt(w);
  return n;
}

function cidr(text: string, where: string): { v4?: [number, number]; v6?: [bigint, bigint] } {
  const [addr, bitsText] = text.trim().split("/");
  const v4 = parseIpv4(addr);
  if (v4 >= 0) {
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    if (!Number.isInteger(bits) || bits < 0 || bits > 32) throw new ReplayInputError(`${where}: "${text}" is not a CIDR range (prefix length 0-32)`);
    const size = 2 ** (32 - bits);
    const start = Math.floor(v4 / size) * size;
    return { v4: [start, start + size - 1] };
  }
  const v6 = parseIpv6(addr);
  if (v6 !== undefined) {
    const bits = bitsText === undefined ? 128 : Number(bitsText);
    if (!Number.isInteger(bits) || bits < 0 || bits > 128) throw new ReplayInputError(`${where}: "${text}" is not a CIDR range (prefix length 0-128)`);
    const host = (1n << BigInt(128 - bits)) - 1n;
    const start = v6 & ~host & ((1n << 128n) - 1n);
    return { v6: [start, start | host] };
  }
  throw new ReplayInputError(`${where}: "${text}" is not an IPv4 or IPv6 CIDR range`);
}

function list(doc: unknown): unknown[] {
  if (Array.isArray(doc)) return doc.flatMap((d) => (d && typeof d === "object" && Array.isArray((d as { value?: unknown }).value) ? (d as { value: unknown[] }).value : [d]));
  if (doc && typeof doc === "object" && Array.isArray((doc as { value?: unknown }).value)) return (doc as { value: unknown[] }).value;
  throw new ReplayInputError('expected a Graph export of named locations: a JSON array, or an object with a "value" array (GET /identity/conditionalAccess/namedLocations)');
}

/** Read a Graph export of named locations. Throws ReplayInputError naming the entry and field. */
export function parseNamedLocations(doc: unknown): NamedLocation[] {
  return list(doc).map((raw, i) => {
    const where = `named location [${i}]`;
    if (!raw || typeof raw !== "object") throw new ReplayInputError(`${where}: not an object`);
    const o = raw as Record<string, unknown>;
    if (typeof o.id !== "string" || o.id === "") throw new ReplayInputError(`${where}: "id" is missing; export the locations from Graph with their ids`);
    const type = String(o["@odata.type"] ?? "");
    const displayName = typeof o.displayName === "string" ? o.displayName : o.id;
    const base = { id: o.id.toLowerCase(), displayName, isTrusted: o.isTrusted === true, v4: [] as number[], v6: [] as bigint[], countries: new Set<string>(), includeUnknownCountries: false, gps: false };
    if (type.endsWith("countryNamedLocation") || Array.isArray(o.countriesAndRegions)) {
      const countries = Array.isArray(o.countriesAndRegions) ? o.countriesAndRegions : [];
      return {
        ...base,
        kind: "country" as const,
        countries: new Set(countries.map((c) => String(c).toUpperCase())),
        includeUnknownCountries: o.includeUnknownCountriesAndRegions === true,
        gps: o.countryLookupMethod === "authenticatorAppGps",
      };
    }
    if (type.endsWith("ipNamedLocation") || Array.isArray(o.ipRanges)) {
      const v4: number[] = [];
      const v6: bigint[] = [];
      ((o.ipRanges as unknown[]) ?? []).forEach((r, j) => {
        const text = (r as { cidrAddress?: unknown })?.cidrAddress;
        if (typeof text !== "string") throw new ReplayInputError(`${where}.ipRanges[${j}]: "cidrAddress" is missing`);
        const range = cidr(text, `${where}.ipRanges[${j}]`);
        if (range.v4) v4.push(...range.v4);
        if (range.v6) v6.push(...range.v6);
      });
      return { ...base, kind: "ip" as const, v4, v6 };
    }
    throw new ReplayInputError(`${where} (${displayName}): neither an IP ranges nor a countries location (@odata.type ${type || "missing"})`);
  });
}

/** Whether a sign-in is in a named location: 1 yes, 0 no, 2 the log lacks the IP address or country. */
export function inLocation(loc: NamedLocation, s: SignIn): number {
  if (loc.kind === "country") {
    if (loc.gps) return 2;
    if (s.country === undefined) return 2;
    if (s.country === "") return loc.includeUnknownCountries ? 1 : 0;
    return loc.countries.has(s.country) ? 1 : 0;
  }
  if (s.ipv4 >= 0) {
    const r = loc.v4;
    for (let i = 0; i < r.length; i += 2) if (s.ipv4 >= r[i] && s.ipv4 <= r[i + 1]) return 1;
    return 0;
  }
  if (s.ipv6 !== undefined) {
    const r = loc.v6;
    for (let i = 0; i < r.length; i += 2) if (s.ipv6 >= r[i] && s.ipv6 <= r[i + 1]) return 1;
    return 0;
  }
  return 2;
}
