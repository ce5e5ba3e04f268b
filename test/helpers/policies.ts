import type { PlainConditionalAccessPolicy } from "../../components";

/** A Conditional Access policy for all users and apps, in the provider's shape: block by default. */
export function testPolicy(
  name: string,
  filter?: { mode: "include" | "exclude"; rule: string },
  extra: Partial<PlainConditionalAccessPolicy["conditions"]> = {},
  state = "enabled",
  controls = ["block"],
): PlainConditionalAccessPolicy {
  return {
    displayName: name,
    state,
    conditions: { applications: { includedApplications: ["All"] }, clientAppTypes: ["all"], users: { includedUsers: ["All"] }, ...(filter ? { devices: { filter } } : {}), ...extra },
    grantControls: { operator: "OR", builtInControls: controls },
  };
}
