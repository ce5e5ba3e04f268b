/**
 * The check every cross-language engine test makes: a consumer program in another language plans the
 * same children (type chain and name) as its TypeScript twin, constructs every component with a
 * child of each provider, and the provider doubles check the same inputs for every child.
 */
import type { RunResult } from "./harness";
import { checkedInputs, plannedChildren, type DoubleCall } from "./doubles";

/** The components every consumer example declares, as `type::name`. */
const CONSTRUCTED = ["tenant-guardrails:index:CorporateDeviceAccess::corporateDevices", "tenant-guardrails:index:VulnerabilityAssessment::serversVa", "tenant-guardrails:index:EmailAuthentication::mail"];

export function expectSameAsTypeScriptTwin(consumer: { run: RunResult; calls: DoubleCall[] }, twin: { run: RunResult; calls: DoubleCall[] }): void {
  const children = plannedChildren(consumer.run);
  expect(children).toEqual(plannedChildren(twin.run));
  for (const t of CONSTRUCTED) expect(children).toContain(t);
  expect(children.filter((c) => c.includes("$azuread:")).length).toBeGreaterThan(0);
  expect(children.filter((c) => c.includes("$azure-native:")).length).toBeGreaterThan(0);
  const inputs = checkedInputs(consumer.calls);
  expect(Object.keys(inputs).length).toBeGreaterThan(0);
  expect(inputs).toEqual(checkedInputs(twin.calls));
}
