/**
 * The fault matrix (see fault-matrix.ts): each provider operation that calls out, with each fault
 * injected into each of its calls. One test per case; the matrix is data, so its size is checked.
 */
import { FAULTS, TARGETS, matrixCases, runCase, type MatrixFault } from "./fault-matrix";

const cases = matrixCases();

describe("fault matrix: every operation × call × fault ends in the declared state or an error that says what happened, with no duplicate, in bounded time", () => {
  it("covers every call of every operation with every fault that applies to it", () => {
    const faults = Object.keys(FAULTS) as MatrixFault[];
    for (const t of TARGETS) {
      const mine = cases.filter((c) => c.target === t).map((c) => c.fault);
      const expected = faults.filter((f) => FAULTS[f].applies(t));
      expect(mine).toEqual(expected);
    }
    // every fault is exercised somewhere, and each system's operations are there
    expect(new Set(cases.map((c) => c.fault))).toEqual(new Set(faults));
    expect(new Set(TARGETS.map((t) => `${t.system} ${t.operation}`))).toEqual(
      new Set(["intune create", "intune read", "intune update", "intune delete", "ca create", "ca read", "ca update", "ca delete", "byol create", "byol read", "byol update", "byol delete", "pricing delete"]),
    );
    expect(cases.length).toBeGreaterThan(350);
  });

  it.each(cases.map((c) => [c.id, c] as const))("%s", async (_id, c) => {
    const result = await runCase(c);
    expect(result.problems).toEqual([]);
  });
});
