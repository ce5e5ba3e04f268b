/**
 * The Graph-native Conditional Access provider's methods, called directly against a fake Graph on
 * 127.0.0.1 that stores policies as Graph does (ids, timestamps, defaults, reordered and recased values).
 */
import { graphPolicyProvider as provider, type GraphPolicyInputs, type GraphPolicyOutputs } from "../../../components/conditional-access/graph-policy/graph-provider";
import { normaliseConditionalAccessPolicy, type PlainGraphConditionalAccessPolicyArgs } from "../../../components/conditional-access/graph-policy/normalise";
import { startFakeCaGraph, type FakeCaGraph } from "./fake-graph-ca";

const BREAK_GLASS = "0b0b0b0b-0000-4000-8000-000000000001";
const PILOT = "11111111-1111-4111-8111-111111111111";
const APP = "00000003-0000-0ff1-ce00-000000000000";

let g: FakeCaGraph;
beforeAll(async () => {
  g = await startFakeCaGraph();
});
afterAll(() => g.close());
beforeEach(() => {
  g.store.clear();
  g.requests.length = 0;
  g.faults.length = 0;
  g.pageSize = 50;
  g.lagReads = 0;
  g.scramble = true;
});

/** Authentication context with token protection: a policy azuread cannot express. */
function args(over: Partial<PlainGraphConditionalAccessPolicyArgs> = {}): PlainGraphConditionalAccessPolicyArgs {
  return {
    displayName: "Sensitive actions need a protected session",
    state: "enabled",
    conditions: {
      applications: { includeAuthenticationContextClassReferences: ["c1"], includeApplications: [] },
      users: { includeUsers: ["All"], includeGroups: [PILOT] },
      clientAppTypes: ["mobileAppsAndDesktopClients", "browser"],
      platforms: { includePlatforms: ["windows"] },
    },
    // "Mfa": enum casing is fixed by the normaliser.
    grantControls: { operator: "OR", builtInControls: ["Mfa"] } as never,
    sessionControls: { secureSignInSession: { isEnabled: true }, signInFrequency: { isEnabled: true, type: "hours", value: 4 } },
    emergencyAccess: { groupIds: [BREAK_GLASS] },
    ...over,
  };
}

function inputs(over: Partial<PlainGraphConditionalAccessPolicyArgs> = {}, extra: Partial<GraphPolicyInputs> = {}): GraphPolicyInputs {
  const { value, problems } = normaliseConditionalAccessPolicy(args(over));
  expect(problems).toEqual([]);
  return { graphEndpoint: g.url, displayName: value!.displayName, policy: value!.policy, apiVersion: value!.apiVersion, httpTimeoutMs: 300, httpRetryDelayMs: 5, ...extra };
}

async function create(i: GraphPolicyInputs): Promise<{ id: string; outs: GraphPolicyOutputs }> {
  const checked = await provider.check!(undefined as never, i);
  expect(checked.failures).toBeUndefined();
  const r = await provider.create(checked.inputs as GraphPolicyInputs);
  return { id: r.id, outs: r.outs as GraphPolicyOutputs };
}

const writes = () => g.requests.filter((r) => r.method !== "GET");
const only = () => {
  expect(g.store.size).toBe(1);
  return [...g.store.entries()][0];
};

describe("create", () => {
  it("POSTs the Graph payload to v1.0 after a name look-up: enum casing fixed, break-glass excluded, report-only unless enabled", async () => {
    const { id, outs } = await create(inputs());
    const [storedId, stored] = only();
    expect(id).toBe(storedId);
    expect(outs.policyId).toBe(id);
    expect(g.requests.map((r) => `${r.method} ${r.path.replace(id, "{id}")}`)).toEqual(["GET /v1.0/identity/conditionalAccess/policies", "POST /v1.0/identity/conditionalAccess/policies"]);
    expect(g.requests[0].query).toBe("?%24select=id%2CdisplayName");
    expect(stored).toMatchObject({
      displayName: "Sensitive actions need a protected session",
      state: "enabled",
      grantControls: { operator: "OR", builtInControls: ["mfa"] },
      conditions: { users: { includeUsers: ["All"], excludeGroups: [BREAK_GLASS] }, applications: { includeAuthenticationContextClassReferences: ["c1"] } },
      sessionControls: { secureSignInSession: { isEnabled: true } },
    });
    expect(stored).not.toHaveProperty("emergencyAccess");
  });

  it("uses beta only for a policy with a beta-only property, and says which", async () => {
    const i = inputs({ sessionControls: { continuousAccessEvaluation: { mode: "strictLocation" } } });
    expect(i.apiVersion).toBe("beta");
    expect(normaliseConditionalAccessPolicy(args({ sessionControls: { continuousAccessEvaluation: { mode: "strictLocation" } } })).value!.betaProperties).toEqual(["sessionControls.continuousAccessEvaluation"]);
    const { id, outs } = await create(i);
    expect(g.requests.every((r) => r.path.startsWith("/beta/"))).toBe(true);
    // read on beta too: the beta-only property is seen, so no diff
    g.requests.length = 0;
    const read = await provider.read!(id, outs);
    expect(g.requests.map((r) => r.path)).toEqual([`/beta/identity/conditionalAccess/policies/${id}`]);
    expect((await provider.diff!(id, read.props as GraphPolicyOutputs, i)).changes).toBe(false);
  });

  it("retries a create throttled with and without Retry-After and creates one policy", async () => {
    g.faults.push({ kind: "429", method: "POST" }, { kind: "429-retry-after", method: "POST" });
    await create(inputs());
    only();
    expect(g.requests.filter((r) => r.method === "POST")).toHaveLength(3);
  });

  it("adopts the policy when the service created it but the answer was lost (dropped connection), with no second POST", async () => {
    g.faults.push({ kind: "drop", method: "POST", processFirst: true });
    g.lagReads = 2;
    const { id } = await create(inputs());
    expect(only()[0]).toBe(id);
    expect(g.requests.filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("after a 500 that left nothing, stops without a second POST; the next run creates it once", async () => {
    g.faults.push({ kind: "500", method: "POST" });
    await expect(create(inputs())).rejects.toThrow(/creating "Sensitive actions need a protected session" had an unknown outcome .*HTTP 500.*no policy with its display name is listed yet\. Nothing was sent again/);
    expect(g.store.size).toBe(0);
    expect(g.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    await create(inputs());
    only();
  });

  it("refuses to create a second policy with the same display name, and adopts it with adoptExisting (found on a later page)", async () => {
    g.pageSize = 1;
    await create(inputs({ displayName: "other" }));
    const first = await create(inputs());
    await expect(provider.create(inputs({ state: "disabled" }))).rejects.toThrow(/a policy named "Sensitive actions need a protected session" already exists \(.*\), and this resource does not own it\. Fix: .*adoptExisting: true/);
    g.requests.length = 0;
    const adopted = await provider.create(inputs({ state: "disabled" }, { adoptExisting: true }));
    expect(adopted.id).toBe(first.id);
    expect(g.store.size).toBe(2);
    expect(g.store.get(first.id)!.state).toBe("disabled");
    expect(g.requests.some((r) => r.method === "POST")).toBe(false);
  });

  it("refuses to guess when two policies have the display name", async () => {
    const { id } = await create(inputs());
    g.store.set("copy", { ...g.store.get(id)! });
    await expect(provider.create(inputs({}, { adoptExisting: true }))).rejects.toThrow(/2 policies are named "Sensitive actions need a protected session" .*must be unique/);
  });
});

describe("read, diff and update", () => {
  it("one read per policy and 0 writes when nothing changed (ids reordered and upper-cased, defaults added, @odata annotations, guest types as a comma string)", async () => {
    const i = inputs({
      conditions: {
        applications: { includeApplications: [APP, "Office365"] },
        users: {
          includeUsers: ["All"],
          excludeGuestsOrExternalUsers: { guestOrExternalUserTypes: "b2bCollaborationGuest,internalGuest" as never, externalTenants: { membershipKind: "all" } },
        },
        clientAppTypes: ["browser", "mobileAppsAndDesktopClients"],
        devices: { deviceFilter: { mode: "include", rule: 'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"' } },
      },
      grantControls: { operator: "AND", builtInControls: ["mfa", "compliantDevice"], authenticationStrength: null },
    });
    const created = await create(i);
    g.requests.length = 0;
    const refreshed = await provider.read!(created.id, created.outs);
    expect((await provider.diff!(created.id, refreshed.props as GraphPolicyOutputs, i)).changes).toBe(false);
    expect(g.requests).toEqual([expect.objectContaining({ method: "GET", path: `/v1.0/identity/conditionalAccess/policies/${created.id}` })]);
    await provider.update!(created.id, refreshed.props as GraphPolicyOutputs, i);
    expect(g.requests).toHaveLength(2);
    expect(writes()).toEqual([]);
  });

  it("finds drift made in the portal on refresh, and update restores the declared policy (clearing a condition added there)", async () => {
    const i = inputs();
    const created = await create(i);
    const stored = g.store.get(created.id)!;
    // In the portal: the grant switched to block, a location condition added, break-glass exclusion removed.
    (stored.grantControls as { builtInControls: string[] }).builtInControls = ["block"];
    (stored.conditions as Record<string, unknown>).locations = { includeLocations: ["All"], excludeLocations: ["AllTrusted"] };
    ((stored.conditions as Record<string, Record<string, unknown>>).users).excludeGroups = [];

    const refreshed = (await provider.read!(created.id, created.outs)).props as GraphPolicyOutputs;
    expect(await provider.diff!(created.id, refreshed, i)).toEqual(expect.objectContaining({ changes: true }));
    g.requests.length = 0;
    const updated = await provider.update!(created.id, refreshed, i);
    expect(writes()).toHaveLength(1);
    const after = g.store.get(created.id)!;
    expect(after.grantControls).toMatchObject({ builtInControls: ["mfa"] });
    expect((after.conditions as Record<string, unknown>).locations).toBeNull();
    expect((after.conditions as { users: { excludeGroups: string[] } }).users.excludeGroups).toEqual([BREAK_GLASS]);
    // and the next refresh sees no difference
    const again = (await provider.read!(created.id, updated.outs as GraphPolicyOutputs)).props as GraphPolicyOutputs;
    expect((await provider.diff!(created.id, again, i)).changes).toBe(false);
  });

  it("a policy deleted in the portal reads as gone", async () => {
    const created = await create(inputs());
    g.store.clear();
    expect((await provider.read!(created.id, created.outs)).id).toBe("");
  });

  it("refuses a rename to a name another policy has, before writing", async () => {
    await create(inputs({ displayName: "taken" }));
    const created = await create(inputs());
    g.requests.length = 0;
    await expect(provider.update!(created.id, created.outs, inputs({ displayName: "taken" }))).rejects.toThrow(/cannot rename .* to "taken": another policy has that name/);
    expect(writes()).toEqual([]);
  });
});

describe("delete", () => {
  it("deletes the policy, and a policy already gone is not an error", async () => {
    const created = await create(inputs());
    await provider.delete!(created.id, created.outs);
    expect(g.store.size).toBe(0);
    await provider.delete!(created.id, created.outs);
  });

  it("an HTML 404 from something in between is an error, not 'already gone'", async () => {
    const created = await create(inputs());
    g.faults.push({ kind: "404-html", method: "DELETE" });
    await expect(provider.delete!(created.id, created.outs)).rejects.toThrow(/HTTP 404[:,] content-type text\/html/);
    expect(g.store.size).toBe(1);
  });
});

describe("fail closed", () => {
  it.each([
    ["html", /content-type text\/html/],
    ["truncated", /JSON body is incomplete or invalid/],
    ["wrong-shape", /without an array "value"|expected/],
    ["redirect", /redirect to .* not followed/],
  ] as const)("a name look-up answered with %s stops the create: never 'nothing there', never a POST", async (kind, says) => {
    g.faults.push({ kind, method: "GET" });
    await expect(create(inputs())).rejects.toThrow(says);
    expect(g.requests.filter((r) => r.method === "POST")).toHaveLength(0);
    expect(g.store.size).toBe(0);
  });
});
