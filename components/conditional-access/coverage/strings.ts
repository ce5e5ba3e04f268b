/**
 * The regions of one string attribute that a set of rules can tell apart.
 *
 * The rules compare an attribute against constants with equality, prefix, suffix and substring
 * tests (case-insensitively). A value's *signature* is which of those tests hold for it; two
 * values with the same signature are indistinguishable to every rule. The realisable signatures
 * are found exactly by walking a finite automaton that reads the (lower-cased) value: a trie of
 * the equality and prefix constants, an Aho-Corasick automaton of the suffix and substring
 * constants, and the set of substrings seen so far. Every reachable automaton state is a real
 * string (the path that reached it, which becomes the region's witness) and every string reaches
 * some state, so the breadth-first walk finds every region and no empty one.
 *
 * Pure core: no Pulumi import.
 */

export const StringAtomKind = {
  Eq: "eq",
  Prefix: "prefix",
  Suffix: "suffix",
  Contains: "contains",
} as const;
export type StringAtomKind = (typeof StringAtomKind)[keyof typeof StringAtomKind];

/** One test a rule makes on a string attribute. */
export interface StringAtom {
  kind: StringAtomKind;
  /** The constant, lower-cased (comparison is case-insensitive). */
  value: string;
  /** The constant as the rule writes it (for labels and witnesses). */
  text: string;
}

/** A set of values that every atom classifies the same way. */
export interface StringRegion {
  /** Indices (into the atom list) of the atoms true in this region, ascending. */
  atoms: number[];
  /** A value in the region; undefined for the region where no atom holds (the attribute may be missing). */
  witness: string | undefined;
}

/** Raised when the atoms of one attribute interact in too many ways to enumerate. */
export class CoverageLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CoverageLimitError";
  }
}

/** The signature key of a value: the true atoms' indices. `undefined` (none) has the empty signature. */
export function stringSignature(atoms: readonly StringAtom[], value: string | undefined): string {
  if (value === undefined) return "";
  const s = value.toLowerCase();
  const out: number[] = [];
  for (let i = 0; i < atoms.length; i++) {
    const a = atoms[i];
    const hit =
      a.kind === "eq" ? s === a.value : a.kind === "prefix" ? s.startsWith(a.value) : a.kind === "suffix" ? s.endsWith(a.value) : s.includes(a.value);
    if (hit) out.push(i);
  }
  return out.join(",");
}

interface TrieNode {
  children: Map<string, number>;
  eq: number[];
  /** Prefix atoms true for every string through this node (those ending at it or above). */
  prefixes: number[];
  /** The nearest ancestor-or-self where a prefix atom ends (root when none). */
  prefixAnchor: number;
}

interface AcNode {
  next: Map<string, number>;
  fail: number;
  /** Contains / suffix atoms ending here, including through failure links. */
  contains: number[];
  suffixes: number[];
}

function buildTrie(atoms: readonly StringAtom[]): TrieNode[] {
  const nodes: TrieNode[] = [{ children: new Map(), eq: [], prefixes: [], prefixAnchor: 0 }];
  atoms.forEach((a, index) => {
    if (a.kind !== "eq" && a.kind !== "prefix") return;
    let n = 0;
    for (const ch of a.value) {
      let next = nodes[n].children.get(ch);
      if (next === undefined) {
        next = nodes.length;
        nodes.push({ children: new Map(), eq: [], prefixes: [], prefixAnchor: 0 });
        nodes[n].children.set(ch, next);
      }
      n = next;
    }
    (a.kind === "eq" ? nodes[n].eq : nodes[n].prefixes).push(index);
  });
  // Accumulate prefix atoms down the trie, and the anchor of each node.
  const visit = (id: number, inherited: number[], anchor: number): void => {
    const node = nodes[id];
    const own = node.prefixes;
    node.prefixes = [...inherited, ...own].sort((x, y) => x - y);
    node.prefixAnchor = own.length ? id : anchor;
    for (const child of node.children.values()) visit(child, node.prefixes, node.prefixAnchor);
  };
  visit(0, [], 0);
  return nodes;
}

function buildAhoCorasick(atoms: readonly StringAtom[]): AcNode[] {
  const nodes: AcNode[] = [{ next: new Map(), fail: 0, contains: [], suffixes: [] }];
  atoms.forEach((a, index) => {
    if (a.kind !== "contains" && a.kind !== "suffix") return;
    let n = 0;
    for (const ch of a.value) {
      let next = nodes[n].next.get(ch);
      if (next === undefined) {
        next = nodes.length;
        nodes.push({ next: new Map(), fail: 0, contains: [], suffixes: [] });
        nodes[n].next.set(ch, next);
      }
      n = next;
    }
    (a.kind === "contains" ? nodes[n].contains : nodes[n].suffixes).push(index);
  });
  const queue: number[] = [];
  for (const child of nodes[0].next.values()) queue.push(child);
  while (queue.length) {
    const id = queue.shift()!;
    const node = nodes[id];
    for (const [ch, child] of node.next) {
      let f = node.fail;
      while (f !== 0 && !nodes[f].next.has(ch)) f = nodes[f].fail;
      const target = nodes[f].next.get(ch);
      nodes[child].fail = target !== undefined && target !== child ? target : 0;
      const fail = nodes[nodes[child].fail];
      nodes[child].contains = [...nodes[child].contains, ...fail.contains];
      nodes[child].suffixes = [...nodes[child].suffixes, ...fail.suffixes];
      queue.push(child);
    }
  }
  return nodes;
}

function acStep(nodes: AcNode[], state: number, ch: string): number {
  let s = state;
  for (;;) {
    const next = nodes[s].next.get(ch);
    if (next !== undefined) return next;
    if (s === 0) return 0;
    s = nodes[s].fail;
  }
}

/** A character that occurs in no atom: every character outside the atoms' alphabet behaves like it. */
function freshCharacter(alphabet: Set<string>): string {
  for (const c of "xzq0-_k7") if (!alphabet.has(c)) return c;
  for (let code = 0x61; ; code++) {
    const c = String.fromCharCode(code);
    if (!alphabet.has(c) && c.toLowerCase() === c) return c;
  }
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  if (b.length === 0) return a as number[];
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}

/**
 * Every region of the value space the atoms tell apart, each with a witness. The region where no
 * atom holds always exists (the empty string, or the attribute missing) and comes last; the
 * others are ordered equality constants first (in atom order), then by shortest witness.
 */
export function stringRegions(atoms: readonly StringAtom[], maxStates = 200_000): StringRegion[] {
  const trie = buildTrie(atoms);
  const ac = buildAhoCorasick(atoms);
  const alphabet = new Set<string>();
  for (const a of atoms) for (const ch of a.value) alphabet.add(ch);
  const letters = [...alphabet].sort();
  letters.push(freshCharacter(alphabet));

  // State: on the trie (node id) or off it (the anchor that fixes which prefixes held), the
  // Aho-Corasick state, and the substrings seen so far.
  interface State {
    onTrie: boolean;
    trieNode: number;
    acState: number;
    seen: number[];
    text: string;
  }
  const regions = new Map<string, StringRegion>();
  const visited = new Set<string>();
  const keyOf = (s: State) => `${s.onTrie ? "t" : "o"}${s.trieNode}|${s.acState}|${s.seen.join(",")}`;
  const start: State = { onTrie: true, trieNode: 0, acState: 0, seen: [], text: "" };
  visited.add(keyOf(start));
  const queue: State[] = [start];
  for (let head = 0; head < queue.length; head++) {
    const s = queue[head];
    queue[head] = undefined as unknown as State; // let the GC have visited states
    const node = trie[s.trieNode];
    const trueAtoms = mergeSorted(mergeSorted(mergeSorted(s.onTrie ? node.eq : [], node.prefixes), ac[s.acState].suffixes), s.seen);
    const signature = trueAtoms.join(",");
    if (!regions.has(signature)) regions.set(signature, { atoms: trueAtoms, witness: s.text });
    for (const ch of letters) {
      const child = s.onTrie ? node.children.get(ch) : undefined;
      const acState = acStep(ac, s.acState, ch);
      const next: State = {
        onTrie: child !== undefined,
        trieNode: child ?? (s.onTrie ? node.prefixAnchor : s.trieNode),
        acState,
        seen: mergeSorted(s.seen, ac[acState].contains),
        text: s.text + ch,
      };
      const key = keyOf(next);
      if (visited.has(key)) continue;
      visited.add(key);
      if (visited.size > maxStates) {
        const shown = atoms.slice(0, 5).map((a) => `${a.kind} "${a.text}"`).join(", ");
        throw new CoverageLimitError(
          `the ${atoms.length} string tests on one attribute (${shown}${atoms.length > 5 ? ", ..." : ""}) combine in more than ${maxStates} ways: ` +
            "split the substring (-contains) tests across fewer overlapping constants",
        );
      }
      queue.push(next);
    }
  }
  const none = regions.get("")!;
  regions.delete("");
  const firstEq = (r: StringRegion) => {
    const i = r.atoms.find((a) => atoms[a].kind === "eq");
    return i === undefined ? Number.MAX_SAFE_INTEGER : i;
  };
  const ordered = [...regions.values()].sort((a, b) => firstEq(a) - firstEq(b) || a.witness!.length - b.witness!.length || (a.witness! < b.witness! ? -1 : 1));
  // A witness that equals a constant is shown in the rule's own spelling.
  for (const r of ordered) {
    const same = atoms.find((a) => a.value === r.witness);
    if (same) r.witness = same.text;
  }
  return [...ordered, { atoms: none.atoms, witness: undefined }];
}
