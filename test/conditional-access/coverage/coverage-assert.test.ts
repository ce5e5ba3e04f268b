import {
  analyseCoverage,
  checkAssertions,
  parseCoverageAssertion,
  policyInScope,
  CoverageAssertionError,
  type AssertionResult,
  type EvaluatedPolicy,
  type PlainConditionalAccessPolicy,
} from "../../../components";

/**
 * The policies a stack declares, through the CLI's own loader. Each stack runs in a fresh module
 * registry: the stack program is required once per registry, as in the CLI (one stack per process).
 */
async function stackPolicies(stack: string): Promise<EvaluatedPolicy[]> {
  let out: EvaluatedPolicy[] = [];
  await jest.isolateModulesAsync(async () => {
    const whatif = await import("../../../cli/commands/whatif");
    const { stackConditionalAccessPolicies } = await import("../../../cli/stack");
    out = whatif.evaluatedStackPolicies(await stackConditionalAccessPolicies(stack));
  });
  return out;
}

function policy(name: string, filter?: { mode: "include" | "exclude"; rule: string }, extra: Partial<PlainConditionalAccessPolicy["conditions"]> = {}, state = "enabled"): PlainConditionalAccessPolicy {
  return {
    displayName: name,
    state,
    conditions: { applications: { includedApplications: ["Office365"] }, clientAppTypes: ["all"], users: { includedUsers: ["All"], excludedGroups: ["breakglass"] }, ...(filter ? { devices: { filter } } : {}), ...extra },
    grantControls: { operator: "OR", builtInControls: ["block"] },
  };
}

function checkFor(policies: PlainConditionalAccessPolicy[], texts: string[]): AssertionResult[] {
  return check(policies, ...texts);
}

/** Analyse with the assertions' selectors, then check them. */
function check(policies: PlainConditionalAccessPolicy[], ...texts: string[]): AssertionResult[] {
  const assertions = texts.map(parseCoverageAssertion);
  const analysis = analyseCoverage(policies, { selectors: assertions.map((a) => a.selector) });
  return checkAssertions(analysis, assertions);
}

function syntaxError(text: string): CoverageAssertionError {
  try {
    parseCoverageAssertion(text);
  } catch (err) {
    if (err instanceof CoverageAssertionError) return err;
    throw err;
  }
  throw new Error(`accepted: ${text}`);
}

describe("the assertion language", () => {
  it.each([
    ["not-trusted => block", { selector: { kind: "not" }, expectation: [{ outcome: "block", negated: false }], scopes: [{}] }],
    ["every class has-policy", { selector: { kind: "all" }, expectation: [{ outcome: "has-policy", negated: false }] }],
    ["group:bg never block", { expectation: [{ outcome: "block", negated: true }], scopes: [{ user: { userIds: [], groupIds: ["bg"], roleIds: [] } }] }],
    ["registered and not compliant => block or grant for app:Office365", { selector: { kind: "and" }, expectation: [{ outcome: "block", negated: false }, { outcome: "grant", negated: false }], scopes: [{ app: "Office365" }] }],
    ["=> not allow with-report-only", { selector: { kind: "all" }, withReportOnly: true }],
    [
      'filter(device.extensionAttribute1 -eq "SAW") => allow for user:u1, role:r1',
      {
        // A user subject selects the classes of exactly that user.
        selector: { kind: "and", operands: [{ kind: "filter" }, { kind: "user", userIds: ["u1"], groupIds: [], roleIds: ["r1"] }] },
        scopes: [{ user: { userIds: ["u1"], groupIds: [], roleIds: ["r1"] } }],
      },
    ],
    ["platform:other => block for app:a, app:b", { selector: { kind: "platform", platform: undefined }, scopes: [{ app: "a" }, { app: "b" }] }],
    ["clientApp:Other and user:guest => block", { selector: { kind: "and", operands: [{ kind: "clientApp", clientApp: "other" }, { kind: "userKind", kinds: ["internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember", "b2bDirectConnectUser", "otherExternalUser", "serviceProvider"] }] } }],
    ["not-member-of:BG and holds-role:R1 and location:untrusted => block", { selector: { kind: "and", operands: [{ kind: "not", operand: { kind: "memberOf", group: "bg" } }, { kind: "holdsRole", role: "r1" }, { kind: "not", operand: { kind: "location", location: "trusted" } }] } }],
    ["clientApp:easSupported => block", { selector: { kind: "clientApp", clientApp: "exchangeActiveSync" } }],
  ])("parses %s", (text, expected) => {
    expect(parseCoverageAssertion(text)).toMatchObject(expected);
  });

  it.each([
    ["", 0, /empty assertion/],
    ["not-trusted block", 12, /expected "=>"/],
    ["trusted => blocked", 11, /"blocked" is not an outcome: expected one of block, grant, allow, has-policy, no-policy/],
    ["trust:Hybrid => block", 0, /"Hybrid" is not a trust type: expected one of AzureAD, ServerAD, Workplace/],
    ["platform:windows10 => block", 0, /not a platform/],
    ["sometimes => block", 0, /not a selector/],
    ["clientApp:imap => block", 0, /"imap" is not a client app type: expected one of browser, mobileAppsAndDesktopClients, exchangeActiveSync, other/],
    ["user:visitor => block", 0, /"visitor" is not a user kind/],
    ["member-of: => block", 0, /"member-of" needs a value/],
    ["user:guest never block", 0, /"user:guest" names a kind of user, not a user id: write it as a selector, e.g. `user:guest => not block`/],
    ["all => block for team:x", 17, /not a subject/],
    ["all => block extra", 13, /unexpected "extra"/],
    ['filter(device.trustType -in ["AzureAD"]) => block', 0, /invalid device filter rule.*-in/],
    ["filter(device.trustType -eq \"AzureAD\" => block", 0, /no closing parenthesis/],
  ])("rejects %j at character %d", (text, position, message) => {
    const err = syntaxError(text);
    expect(err.position).toBe(position);
    expect(err.message).toMatch(message);
  });
});

describe("users and apps in scope", () => {
  const p = policy("p", undefined, { applications: { includedApplications: ["All"], excludedApplications: ["app-x"] } });
  it.each([
    [{}, true],
    [{ user: { userIds: [], groupIds: [], roleIds: [] } }, true],
    [{ user: { userIds: [], groupIds: ["BreakGlass"], roleIds: [] } }, false], // ids compare case-insensitively
    [{ app: "Office365" }, true],
    [{ app: "app-x" }, false],
  ])("%j in scope: %s", (scope, expected) => {
    expect(policyInScope(p, scope)).toBe(expected);
  });

  it("a policy for user actions, or for named users only, does not cover any other user's app sign-in", () => {
    const actions = policy("register", undefined, { applications: { includedUserActions: ["urn:user:registersecurityinfo"] } });
    expect(policyInScope(actions, { app: "Office365" })).toBe(false);
    const named = policy("named", undefined, { users: { includedUsers: ["u1"] } });
    expect(policyInScope(named, { user: { userIds: [], groupIds: [], roleIds: [] } })).toBe(false);
    expect(policyInScope(named, { user: { userIds: ["u1"], groupIds: [], roleIds: [] } })).toBe(true);
  });
});

describe("assertions on the dev and prod stacks", () => {
  let prod: PlainConditionalAccessPolicy[];
  let dev: PlainConditionalAccessPolicy[];
  beforeAll(async () => {
    prod = await stackPolicies("prod");
    dev = await stackPolicies("dev");
    expect([prod.length, dev.length]).toEqual([2, 2]);
  });
  const PROD_BREAK_GLASS = "0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b02";
  const DEV_BREAK_GLASS = "0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b01";

  it("prod: for an ordinary user, every class that is not AzureAD- or ServerAD-joined is blocked for Office 365; unregistered devices too, on every platform", () => {
    const results = check(prod, "not-trusted => block for any-user, app:Office365", "unregistered => block for any-user, app:Office365", "unregistered and platform:windows => block for any-user");
    expect(results.map((r) => [r.ok, r.classesChecked])).toEqual([
      [true, 4],
      [true, 2],
      [true, 1],
    ]);
  });

  it("prod: without a user subject the user is a dimension too: the break-glass group and accounts are the classes that get in untrusted", () => {
    const [r] = check(prod, "not-trusted => block");
    expect(r.ok).toBe(false);
    expect(r.failures.map((f) => [f.description, f.outcome])).toEqual([
      [["registered", 'trustType: "Workplace" | none/other', "user: 5d2a7e3c-1f4b-4c8e-9a0d-3b6f2e1c7a10 | 8e4b1c9d-2a6f-4d3e-b7c8-1f0a9e2d6b21"], "allow"],
      [["unregistered", "any platform", "user: 5d2a7e3c-1f4b-4c8e-9a0d-3b6f2e1c7a10 | 8e4b1c9d-2a6f-4d3e-b7c8-1f0a9e2d6b21"], "allow"],
    ]);
    // Said with the exemptions, it holds.
    const [exempt] = check(prod, `not-trusted and not member-of:${PROD_BREAK_GLASS} => block for any-user`);
    expect(exempt.ok).toBe(true);
  });

  it("prod: no class is blocked for the break-glass group or the break-glass users", () => {
    const results = check(prod, `group:${PROD_BREAK_GLASS} never block`, "user:5d2a7e3c-1f4b-4c8e-9a0d-3b6f2e1c7a10 never block", `member-of:${PROD_BREAK_GLASS} => not block`);
    expect(results.map((r) => [r.ok, r.classesChecked])).toEqual([
      [true, 2],
      [true, 2],
      [true, 4],
    ]);
  });

  it("prod: joined Windows devices get in, joined devices on any other platform do not", () => {
    const [windows, others] = check(prod, "trusted and platform:windows => allow", "trusted and not platform:windows => block for any-user");
    expect([windows.ok, others.ok]).toEqual([true, true]);
  });

  it("prod: the break-glass group of dev is not excluded in prod, and the tool says which device it would be blocked on", () => {
    const [r] = check(prod, `group:${DEV_BREAK_GLASS} never block`);
    expect(r.ok).toBe(false);
    expect(r.failures).toHaveLength(5);
    expect(r.failures.map((f) => f.witness)).toContainEqual(null);
    expect(r.failures.map((f) => f.witness)).toContainEqual({ trustType: "Workplace", operatingSystem: "Windows" });
  });

  it("prod: 'every class has a policy' is false by design: joined Windows devices are let through with no policy", () => {
    const [ordinary, anyone] = check(prod, "every class has-policy for any-user", "every class has-policy");
    expect(ordinary.ok).toBe(false);
    expect(ordinary.failures.map((f) => [f.witness, f.signIn])).toEqual([[{ trustType: "AzureAD", operatingSystem: "Windows" }, { user: { kind: "member", groups: [], roles: [] } }]]);
    // Over every user, the break-glass accounts get in with no policy too, on any device.
    expect(anyone.failures.map((f) => [f.witness, f.signIn?.user?.id])).toEqual([
      [{ trustType: "AzureAD", operatingSystem: "Windows" }, undefined],
      [{}, "8e4b1c9d-2a6f-4d3e-b7c8-1f0a9e2d6b21"],
      [null, "8e4b1c9d-2a6f-4d3e-b7c8-1f0a9e2d6b21"],
    ]);
  });

  it("dev (report-only): nothing is blocked yet, and everything untrusted would be once enforced", () => {
    const [enforced, ifEnforced, breakGlass] = check(dev, "not-trusted => block for any-user", "not-trusted => block with-report-only for any-user", `group:${DEV_BREAK_GLASS} never block with-report-only`);
    expect(enforced.ok).toBe(false);
    expect(enforced.failures.every((f) => f.outcome === "allow")).toBe(true);
    expect(ifEnforced.ok).toBe(true);
    expect(breakGlass.ok).toBe(true);
  });
});

describe("broken policy sets: the tool finds the class that slips through (for an ordinary user)", () => {
  // The policies exclude a break-glass group: assertions are judged for a user outside it.
  const check = (policies: PlainConditionalAccessPolicy[], ...texts: string[]) => checkFor(policies, texts.map((t) => `${t} for any-user`));
  const platforms = policy("block other platforms", undefined, { platforms: { includedPlatforms: ["all"], excludedPlatforms: ["windows"] } });

  it("the De Morgan trap (-ne A -or -ne B is always true) in exclude mode lets every device through", () => {
    const trap = policy("block untrusted", { mode: "exclude", rule: 'device.trustType -ne "AzureAD" -or device.trustType -ne "ServerAD"' });
    const [r] = check([trap, platforms], "not-trusted => block");
    expect(r.ok).toBe(false);
    expect(r.failures.map((f) => f.witness)).toEqual([{ trustType: "Workplace", operatingSystem: "Windows" }, { unregistered: true, operatingSystem: "Windows" }]);
    expect(r.failures[0].outcome).toBe("allow");
    expect(r.failures[0].applying).toEqual([]);
  });

  it("the De Morgan trap in include mode locks out the joined devices it meant to let in", () => {
    const trap = policy("block untrusted", { mode: "include", rule: 'device.trustType -ne "AzureAD" -or device.trustType -ne "ServerAD"' });
    const [r] = check([trap], "trusted => not block");
    expect(r.ok).toBe(false);
    expect(r.failures.map((f) => f.witness)).toEqual([{ trustType: "AzureAD" }]);
  });

  it("exclude mode with positive operators that lists Workplace lets registered personal devices through", () => {
    const dsc = policy("block untrusted", { mode: "exclude", rule: 'device.trustType -eq "AzureAD" -or device.trustType -eq "ServerAD" -or device.trustType -eq "Workplace"' });
    const [notTrusted, unregistered] = check([dsc], "not-trusted => block", "unregistered => block");
    expect(notTrusted.failures.map((f) => f.witness)).toEqual([{ trustType: "Workplace" }]);
    expect(unregistered.ok).toBe(true); // positive operators: not applied to unregistered devices, so they are not excluded
  });

  it("an exemption on a name the device's user chooses lets an untrusted device in", () => {
    const exempt = policy("block untrusted", { mode: "include", rule: 'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD" -and device.displayName -notStartsWith "CORP-"' });
    const [r] = check([exempt], "not-trusted => block");
    expect(r.failures.map((f) => f.witness)).toEqual([{ trustType: "Workplace", displayName: "CORP-" }]);
  });

  it("a policy for Office 365 only leaves every other app open", () => {
    const office = policy("block untrusted", { mode: "include", rule: 'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"' });
    const [o365, other] = check([office], "not-trusted => block for app:Office365", "not-trusted => block for app:00000003-0000-0000-c000-000000000000");
    expect(o365.ok).toBe(true);
    expect(other.ok).toBe(false);
    expect(other.failures[0].scope).toBe("any-user, app:00000003-0000-0000-c000-000000000000");
  });
});
