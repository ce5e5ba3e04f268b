import fc from "fast-check";
import { stringRegions, stringSignature, type StringAtom } from "../../../components/conditional-access/coverage/strings";

const atom = (kind: StringAtom["kind"], text: string): StringAtom => ({ kind, value: text.toLowerCase(), text });

/** The regions as "true atoms" signatures, with the witness of each. */
function regionsOf(atoms: StringAtom[]) {
  return stringRegions(atoms).map((r) => ({ signature: r.atoms.join(","), witness: r.witness }));
}

describe("string regions: which combinations of the rules' string tests a value can satisfy", () => {
  it("a prefix and an equality that extends it: three regions, never 'equals ABC' without 'starts with AB'", () => {
    const atoms = [atom("prefix", "AB"), atom("eq", "ABC")];
    const regions = regionsOf(atoms);
    expect(regions.map((r) => r.signature).sort()).toEqual(["", "0", "0,1"]);
    expect(regions.find((r) => r.signature === "0,1")!.witness).toBe("ABC");
    expect(regions.find((r) => r.signature === "")!.witness).toBeUndefined(); // none: the attribute may be missing
  });

  it("a substring and a suffix that overlap: all four combinations exist, each with a witness that has exactly them", () => {
    const atoms = [atom("contains", "ab"), atom("suffix", "b")];
    const regions = regionsOf(atoms);
    expect(regions.map((r) => r.signature).sort()).toEqual(["", "0", "0,1", "1"]);
    for (const r of regions) if (r.witness !== undefined) expect(stringSignature(atoms, r.witness)).toBe(r.signature);
  });

  it("impossible combinations are proved empty: an equality with a substring it lacks, a suffix longer than the value", () => {
    const atoms = [atom("eq", "Surface"), atom("contains", "Book"), atom("suffix", "LaptopSurface")];
    const signatures = regionsOf(atoms).map((r) => r.signature);
    expect(signatures).not.toContain("0,1");
    expect(signatures).not.toContain("0,2");
    expect(signatures).toContain("1,2"); // "book...laptopsurface"
  });

  it("is case-insensitive: 'AzureAd' (Graph) is in the region of the rule's 'AzureAD'", () => {
    const atoms = [atom("eq", "AzureAD"), atom("eq", "ServerAD")];
    expect(stringSignature(atoms, "AzureAd")).toBe("0");
    expect(stringSignature(atoms, "SERVERAD")).toBe("1");
    expect(stringSignature(atoms, "Workplace")).toBe("");
  });

  // Small alphabets make the atoms overlap in every way (prefix of an equality, substring of a
  // suffix, ...). Sound: each witness has its region's signature. Complete: any string's
  // signature is one of the regions.
  const letters = fc.constantFrom("a", "b", "c");
  const text = fc.array(letters, { minLength: 1, maxLength: 4 }).map((cs) => cs.join(""));
  const atomArb = fc.record({ kind: fc.constantFrom<StringAtom["kind"]>("eq", "prefix", "suffix", "contains"), text }).map((a) => atom(a.kind, a.text));
  const atomsArb = fc.uniqueArray(atomArb, { minLength: 1, maxLength: 7, selector: (a) => `${a.kind}:${a.value}` });

  it("is sound and complete over random interacting atoms (property)", () => {
    fc.assert(
      fc.property(atomsArb, fc.array(fc.array(fc.constantFrom("a", "b", "c", "A", "B", "x"), { maxLength: 9 }).map((c) => c.join("")), { maxLength: 40 }), (atoms, samples) => {
        const regions = stringRegions(atoms);
        const signatures = new Set(regions.map((r) => r.atoms.join(",")));
        expect(signatures.size).toBe(regions.length);
        for (const r of regions) {
          if (r.witness !== undefined) expect(stringSignature(atoms, r.witness)).toBe(r.atoms.join(","));
          else expect(r.atoms).toEqual([]);
        }
        for (const s of samples) expect(signatures.has(stringSignature(atoms, s))).toBe(true);
        // Completeness against brute force: every string up to length 6 over the alphabet.
        const brute = new Set<string>([""]);
        const grow = (prefix: string): void => {
          brute.add(stringSignature(atoms, prefix));
          if (prefix.length < 6) for (const c of "abcx") grow(prefix + c);
        };
        grow("");
        for (const b of brute) expect(signatures.has(b)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
