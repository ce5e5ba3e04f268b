/**
 * The semantics table, rule by rule: hand-written sign-ins (test/fixtures/replay)
 * and the verdict the evaluator must give for one policy. A `null` field in a case removes it from
 * the base record: the log does not have it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  CONDITION_NAMES,
  VERDICT_NAMES,
  compileReplayPolicy,
  normaliseReplayPolicy,
  parseDirectory,
  parseNamedLocations,
  signInFromRecord,
  type ReplayPolicy,
} from "../../../components/conditional-access/replay";

interface Case {
  name: string;
  policy: ReplayPolicy;
  signIn: Record<string, unknown>;
  expect: string;
  condition?: string;
  withGroups?: boolean;
  withLocations?: boolean;
}
interface Fixture {
  rule: string;
  base: Record<string, unknown>;
  groups?: unknown;
  locations?: unknown;
  cases: Case[];
}

const DIR = path.join(__dirname, "../../fixtures/replay");
const files = fs.readdirSync(DIR).filter((f) => f.endsWith(".json"));

function record(base: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const r: Record<string, unknown> = { ...base, ...overrides };
  for (const [k, v] of Object.entries(r)) if (v === null) delete r[k];
  return r;
}

test("every semantics fixture file has cases", () => {
  expect(files.length).toBeGreaterThanOrEqual(9);
});

describe.each(files)("%s", (file) => {
  const fixture = JSON.parse(fs.readFileSync(path.join(DIR, file), "utf8")) as Fixture;
  test.each(fixture.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(normaliseReplayPolicy(c.policy).problems).toEqual([]);
    const directory = c.withGroups ? parseDirectory([{ name: "groups", doc: fixture.groups }]) : undefined;
    const locations = c.withLocations ? parseNamedLocations(fixture.locations) : undefined;
    const policy = compileReplayPolicy(c.policy, 0, { locations, completeGroups: directory?.completeGroups, completeRoles: directory?.completeRoles });
    const s = signInFromRecord(record(fixture.base, c.signIn), 0);
    if (directory && s.userId) {
      s.groups = directory.groupsOf(s.userId);
      s.roles = directory.rolesOf(s.userId);
    }
    const code = policy.evaluate(s);
    expect(VERDICT_NAMES[code & 7]).toBe(c.expect);
    if (c.condition) expect(CONDITION_NAMES[code >> 3]).toBe(c.condition);
  });
});
