/**
 * The Graph dynamic provider's methods, called directly against a fake Graph on 127.0.0.1.
 */
import {
  deviceConfigurationProvider as provider,
  type DeviceConfigurationInputs,
  type DeviceConfigurationOutputs,
} from "../../components/intune/graph-provider";
import { bitLockerOmaSettings, fipsOmaSettings, normaliseFipsDeviceConfiguration, profileDescription } from "../../components/intune/settings";
import { startFakeGraph, type FakeGraph } from "./fake-graph";

const PILOT = "11111111-1111-1111-1111-111111111111";
const CORP = "22222222-2222-2222-2222-222222222222";
const KIOSK = "33333333-3333-3333-3333-333333333333";
const STRANGER = "99999999-9999-9999-9999-999999999999";

let g: FakeGraph;
beforeAll(async () => {
  g = await startFakeGraph();
});
afterAll(() => g.close());
beforeEach(() => {
  g.store.clear();
  g.requests.length = 0;
  g.faults.length = 0;
  g.maskStrings = false;
  g.pageSize = 50;
  g.ignoreExpand = false;
});

function fipsInputs(over: Partial<DeviceConfigurationInputs> = {}): DeviceConfigurationInputs {
  const marker = "tenant-guardrails/dev/fips/fips";
  return {
    graphEndpoint: g.url,
    marker,
    displayName: "tenant-guardrails - Windows FIPS mode",
    description: profileDescription("FIPS on.", marker),
    omaSettings: fipsOmaSettings(),
    includeGroupIds: [PILOT, CORP],
    excludeGroupIds: [KIOSK],
    foreignAssignments: "fail",
    onRemove: "leaveEnabled",
    httpTimeoutMs: 300,
    httpRetryDelayMs: 5,
    ...over,
  };
}

function bitLockerInputs(over: Partial<DeviceConfigurationInputs> = {}): DeviceConfigurationInputs {
  const marker = "tenant-guardrails/dev/fips/bitlocker";
  const plan = normaliseFipsDeviceConfiguration({ includeGroupIds: [PILOT], onRemove: "leaveEnabled", bitLocker: {} }).value!;
  return fipsInputs({ marker, displayName: "tenant-guardrails - BitLocker", description: profileDescription("BitLocker.", marker), omaSettings: bitLockerOmaSettings(plan.bitLocker!), onRemove: undefined, ...over });
}

async function create(inputs: DeviceConfigurationInputs): Promise<{ id: string; outs: DeviceConfigurationOutputs }> {
  const checked = await provider.check!(undefined as never, inputs);
  expect(checked.failures).toBeUndefined();
  const result = await provider.create(checked.inputs as DeviceConfigurationInputs);
  return { id: result.id, outs: result.outs as DeviceConfigurationOutputs };
}

const writes = () => g.requests.filter((r) => r.method !== "GET");
const onlyProfile = () => {
  expect(g.store.size).toBe(1);
  return [...g.store.values()][0];
};

describe("create", () => {
  it("POSTs a Windows custom profile with the FIPS OMA-URI and assigns include and exclude groups", async () => {
    const { id, outs } = await create(fipsInputs());
    const stored = onlyProfile();
    expect(stored.id).toBe(id);
    expect(stored.body["@odata.type"]).toBe("#microsoft.graph.windows10CustomConfiguration");
    expect(stored.body.omaSettings).toEqual([
      expect.objectContaining({
        "@odata.type": "#microsoft.graph.omaSettingInteger",
        omaUri: "./Device/Vendor/MSFT/Policy/Config/Cryptography/AllowFipsAlgorithmPolicy",
        value: 1,
      }),
    ]);
    expect(stored.body.description).toContain("[tenant-guardrails:tenant-guardrails/dev/fips/fips]");
    expect(stored.assignments.map((a) => a.target)).toEqual([
      { "@odata.type": "#microsoft.graph.groupAssignmentTarget", groupId: PILOT },
      { "@odata.type": "#microsoft.graph.groupAssignmentTarget", groupId: CORP },
      { "@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", groupId: KIOSK },
    ]);
    expect(outs.profileId).toBe(id);
    expect(outs.observed.assignments).toEqual([`exclude:${KIOSK}`, `include:${PILOT}`, `include:${CORP}`].sort());
    // look-up by marker, create, assign
    expect(g.requests.map((r) => `${r.method} ${r.path.replace(id, "{id}")}`)).toEqual([
      "GET /v1.0/deviceManagement/deviceConfigurations",
      "POST /v1.0/deviceManagement/deviceConfigurations",
      "POST /v1.0/deviceManagement/deviceConfigurations/{id}/assign",
    ]);
  });

  it("sends BitLocker ADMX payloads as OMA strings", async () => {
    await create(bitLockerInputs());
    const oma = onlyProfile().body.omaSettings as { omaUri: string; value: unknown; "@odata.type": string }[];
    const byNode = Object.fromEntries(oma.map((s) => [s.omaUri.split("/").pop(), s]));
    expect(byNode.EncryptionMethodByDriveType.value).toBe(
      '<enabled/><data id="EncryptionMethodWithXtsOsDropDown_Name" value="7"/><data id="EncryptionMethodWithXtsFdvDropDown_Name" value="7"/><data id="EncryptionMethodWithXtsRdvDropDown_Name" value="4"/>',
    );
    expect(byNode.SystemDrivesRecoveryOptions["@odata.type"]).toBe("#microsoft.graph.omaSettingString");
    expect(byNode.SystemDrivesRecoveryOptions.value).toContain('<data id="OSRecoveryPasswordUsageDropDown_Name" value="1"/>');
    expect(byNode.RequireDeviceEncryption).toEqual(expect.objectContaining({ "@odata.type": "#microsoft.graph.omaSettingInteger", value: 1 }));
  });

  it("retries a create throttled with and without Retry-After, and creates exactly one profile", async () => {
    g.faults.push({ kind: "429", method: "POST" }, { kind: "429-retry-after", method: "POST" });
    await create(fipsInputs());
    onlyProfile();
    expect(g.requests.filter((r) => r.method === "POST" && r.path.endsWith("deviceConfigurations"))).toHaveLength(3);
  });

  it("adopts the profile when the service created it but the response came too late (client timeout)", async () => {
    g.faults.push({ kind: "slow", method: "POST", path: /deviceConfigurations$/, processFirst: true, delayMs: 1500 });
    const { id, outs } = await create(fipsInputs());
    const stored = onlyProfile();
    expect(id).toBe(stored.id);
    expect(stored.assignments).toHaveLength(3);
    expect(outs.observed.assignments).toHaveLength(3);
    expect(g.requests.filter((r) => r.method === "POST" && r.path.endsWith("deviceConfigurations"))).toHaveLength(1);
  });

  it("adopts the profile when the connection dropped after the service processed the create", async () => {
    g.faults.push({ kind: "drop", method: "POST", path: /deviceConfigurations$/, processFirst: true });
    await create(fipsInputs());
    expect(onlyProfile().assignments).toHaveLength(3);
  });

  it("after a 500 on create that left nothing behind, stops without a second POST; the next run creates it once", async () => {
    g.faults.push({ kind: "500", method: "POST", path: /deviceConfigurations$/ });
    await expect(create(fipsInputs())).rejects.toThrow(
      /creating "tenant-guardrails - Windows FIPS mode" had an unknown outcome \(POST .* failed with HTTP 500 \(InternalServerError\): injected 500.*no profile with its marker is listed yet\. Nothing was sent again.*Fix: run pulumi up again/,
    );
    expect(g.store.size).toBe(0);
    expect(g.requests.filter((r) => r.method === "POST" && r.path.endsWith("deviceConfigurations"))).toHaveLength(1);
    await create(fipsInputs());
    expect(onlyProfile().assignments).toHaveLength(3);
  });

  it("adopts an existing profile with its marker instead of POSTing (found on a later page)", async () => {
    g.pageSize = 1;
    const first = await create(fipsInputs({ includeGroupIds: [PILOT], excludeGroupIds: [] }));
    await create(bitLockerInputs());
    g.requests.length = 0;
    // A retried create (e.g. after the engine lost the response) with an extra group.
    const again = await create(fipsInputs({ includeGroupIds: [PILOT, CORP], excludeGroupIds: [], foreignAssignments: "replace" }));
    expect(again.id).toBe(first.id);
    expect(g.store.size).toBe(2);
    expect(g.requests.some((r) => r.method === "POST" && r.path.endsWith("deviceConfigurations"))).toBe(false);
    expect(g.store.get(first.id)!.assignments.map((a) => a.target.groupId).sort()).toEqual([PILOT, CORP].sort());
  });

  it("refuses to guess when two profiles carry the same marker", async () => {
    await create(fipsInputs());
    const [only] = g.store.values();
    g.store.set("copy", { id: "copy", body: { ...only.body }, assignments: [] });
    await expect(provider.create(fipsInputs())).rejects.toThrow(/2 device configurations carry the marker .*Fix: delete the extra profiles/);
  });
});

describe("check", () => {
  it("reports missing assignment targets and settings as failures", async () => {
    const result = await provider.check!(undefined as never, fipsInputs({ includeGroupIds: [], omaSettings: [] }));
    expect(result.failures).toEqual(
      expect.arrayContaining([
        { property: "includeGroupIds", reason: "no assignment target" },
        { property: "omaSettings", reason: "at least one OMA-URI setting is required" },
      ]),
    );
  });
});

describe("read, diff and update", () => {
  it("makes one read per profile and no write when nothing changed (masked strings, reordered assignments)", async () => {
    g.maskStrings = true;
    const created = await create(bitLockerInputs());
    g.requests.length = 0;
    const refreshed = await provider.read!(created.id, created.outs);
    const diff = await provider.diff!(created.id, refreshed.props as DeviceConfigurationOutputs, bitLockerInputs());
    expect(diff.changes).toBe(false);
    expect(g.requests).toEqual([expect.objectContaining({ method: "GET", query: "?%24expand=assignments" })]);
    // update called anyway with unchanged inputs: one read, no write
    await provider.update!(created.id, refreshed.props as DeviceConfigurationOutputs, bitLockerInputs());
    expect(g.requests).toHaveLength(2);
    expect(writes()).toEqual([]);
  });

  it("detects drift made in the portal on refresh, and update restores the declared state", async () => {
    const created = await create(fipsInputs());
    const stored = onlyProfile();
    // In the portal: FIPS turned off and the CORP assignment removed.
    (stored.body.omaSettings as { value: unknown }[])[0].value = 0;
    stored.assignments = stored.assignments.filter((a) => a.target.groupId !== CORP);

    const refreshed = await provider.read!(created.id, created.outs);
    const olds = refreshed.props as DeviceConfigurationOutputs;
    expect(olds.observed.omaSettings[0].value).toBe("0");
    expect((await provider.diff!(created.id, olds, fipsInputs())).changes).toBe(true);

    g.requests.length = 0;
    const updated = await provider.update!(created.id, olds, fipsInputs());
    expect(writes().map((r) => `${r.method} ${r.path.replace(created.id, "{id}")}`)).toEqual([
      "PATCH /v1.0/deviceManagement/deviceConfigurations/{id}",
      "POST /v1.0/deviceManagement/deviceConfigurations/{id}/assign",
    ]);
    expect((onlyProfile().body.omaSettings as { value: unknown }[])[0].value).toBe(1);
    expect(onlyProfile().assignments.map((a) => a.target.groupId).sort()).toEqual([PILOT, CORP, KIOSK].sort());
    // and the next refresh is clean
    const again = await provider.read!(created.id, updated.outs as DeviceConfigurationOutputs);
    expect((await provider.diff!(created.id, again.props as DeviceConfigurationOutputs, fipsInputs())).changes).toBe(false);
  });

  it("reads through 429 (with and without Retry-After), 503, a dropped connection and a slow response", async () => {
    const created = await create(fipsInputs());
    g.requests.length = 0;
    const get = /deviceConfigurations\/[^/]+$/;
    g.faults.push(
      { kind: "429", method: "GET", path: get },
      { kind: "429-retry-after", method: "GET", path: get },
      { kind: "503", method: "GET", path: get },
      { kind: "drop", method: "GET", path: get },
      { kind: "slow", method: "GET", path: get, delayMs: 1500 },
    );
    const refreshed = await provider.read!(created.id, created.outs);
    expect(refreshed.id).toBe(created.id);
    expect((refreshed.props as DeviceConfigurationOutputs).observed.assignments).toHaveLength(3);
    expect(g.requests).toHaveLength(6);
    expect(g.faults).toHaveLength(0);
  });

  it("asks for the assignments when the service ignores $expand, rather than assume there are none", async () => {
    const created = await create(fipsInputs());
    g.ignoreExpand = true;
    g.requests.length = 0;
    const refreshed = await provider.read!(created.id, created.outs);
    expect((await provider.diff!(created.id, refreshed.props as DeviceConfigurationOutputs, fipsInputs())).changes).toBe(false);
    expect(g.requests.map((r) => r.path.replace(created.id, "{id}"))).toEqual([
      "/v1.0/deviceManagement/deviceConfigurations/{id}",
      "/v1.0/deviceManagement/deviceConfigurations/{id}/assignments",
    ]);
  });

  it("restores drift through a 503 on PATCH and a dropped connection on /assign (both safe to repeat)", async () => {
    const created = await create(fipsInputs());
    const stored = onlyProfile();
    (stored.body.omaSettings as { value: unknown }[])[0].value = 0;
    stored.assignments = [];
    const olds = (await provider.read!(created.id, created.outs)).props as DeviceConfigurationOutputs;
    g.faults.push({ kind: "503", method: "PATCH" }, { kind: "drop", method: "POST", path: /\/assign$/, processFirst: true });
    g.requests.length = 0;
    await provider.update!(created.id, olds, fipsInputs());
    expect(writes().map((r) => r.method)).toEqual(["PATCH", "PATCH", "POST", "POST"]);
    expect((onlyProfile().body.omaSettings as { value: unknown }[])[0].value).toBe(1);
    expect(onlyProfile().assignments).toHaveLength(3);
  });

  it("reports a profile deleted in the portal as gone", async () => {
    const created = await create(fipsInputs());
    g.store.clear();
    expect((await provider.read!(created.id, created.outs)).id).toBe("");
  });

  it("drops an assignment the stack used to declare", async () => {
    const created = await create(fipsInputs());
    await provider.update!(created.id, created.outs, fipsInputs({ includeGroupIds: [PILOT] }));
    expect(onlyProfile().assignments.map((a) => a.target.groupId).sort()).toEqual([PILOT, KIOSK].sort());
  });
});

describe("assignments the stack does not own", () => {
  async function withStranger() {
    const created = await create(fipsInputs());
    onlyProfile().assignments.push({ id: "x", target: { "@odata.type": "#microsoft.graph.groupAssignmentTarget", groupId: STRANGER } });
    const refreshed = await provider.read!(created.id, created.outs);
    return { id: created.id, olds: refreshed.props as DeviceConfigurationOutputs };
  }

  it("fails by default, at preview (diff after refresh) and at update, naming them, and writes nothing", async () => {
    const { id, olds } = await withStranger();
    await expect(provider.diff!(id, olds, fipsInputs())).rejects.toThrow(new RegExp(`has assignments this stack does not declare: include:${STRANGER}\\.`));
    g.requests.length = 0;
    await expect(provider.update!(id, olds, fipsInputs())).rejects.toThrow(
      new RegExp(`assignments this stack does not declare: include:${STRANGER}.*foreignAssignments "keep".*"replace"`),
    );
    expect(writes()).toEqual([]);
    expect(onlyProfile().assignments).toHaveLength(4);
  });

  it('keeps them with foreignAssignments "keep": no diff, and sent back when the stack changes its own', async () => {
    const { id, olds } = await withStranger();
    expect((await provider.diff!(id, olds, fipsInputs({ foreignAssignments: "keep" }))).changes).toBe(false);
    await provider.update!(id, olds, fipsInputs({ foreignAssignments: "keep", excludeGroupIds: [] }));
    expect(onlyProfile().assignments.map((a) => a.target.groupId).sort()).toEqual([PILOT, CORP, STRANGER].sort());
  });

  it('replaces them with foreignAssignments "replace"', async () => {
    const { id, olds } = await withStranger();
    await provider.update!(id, olds, fipsInputs({ foreignAssignments: "replace" }));
    expect(onlyProfile().assignments.map((a) => a.target.groupId).sort()).toEqual([PILOT, CORP, KIOSK].sort());
  });
});

describe("delete", () => {
  it("deletes the profile, and a profile already gone is not an error", async () => {
    const created = await create(fipsInputs());
    await provider.delete!(created.id, created.outs);
    expect(g.store.size).toBe(0);
    await expect(provider.delete!(created.id, created.outs)).resolves.toBeUndefined();
  });
});

describe("removing the FIPS profile (onRemove): Windows keeps FIPS on when the profile that set it is removed", () => {
  const fipsValue = (body: unknown) => ((body as { omaSettings?: { omaUri: string; value: unknown }[] }).omaSettings ?? []).find((s) => s.omaUri.endsWith("/AllowFipsAlgorithmPolicy"))?.value;
  const log = () => g.requests.map((r) => `${r.method} ${r.path.replace(/^.*deviceConfigurations\/?/, "") || "(collection)"}${r.method === "PATCH" ? ` value=${String(fipsValue(r.body))}` : ""}`);

  it('"disable" assigns 0, waits for the write, confirms it by a read, and keeps the profile assigned (no delete)', async () => {
    const created = await create(fipsInputs({ onRemove: "disable" }));
    g.requests.length = 0;
    await provider.delete!(created.id, created.outs);
    expect(log()).toEqual([`PATCH ${created.id} value=0`, `GET ${created.id}`]);
    const kept = onlyProfile();
    expect(fipsValue(kept.body)).toBe(0);
    expect(kept.body.displayName).toBe("tenant-guardrails - Windows FIPS mode (FIPS off: removed from Pulumi)");
    expect(kept.body.description).toContain("Delete it once the assigned devices report it applied.");
    expect(kept.assignments.map((a) => a.target.groupId).sort()).toEqual([PILOT, CORP, KIOSK].sort());
  });

  it('"disableThenDelete" writes 0 before the delete (order from the request log)', async () => {
    const created = await create(fipsInputs({ onRemove: "disableThenDelete" }));
    g.requests.length = 0;
    await provider.delete!(created.id, created.outs);
    expect(log()).toEqual([`PATCH ${created.id} value=0`, `GET ${created.id}`, `DELETE ${created.id}`]);
    expect(g.store.size).toBe(0);
  });

  it('"leaveEnabled" only deletes', async () => {
    const created = await create(fipsInputs({ onRemove: "leaveEnabled" }));
    g.requests.length = 0;
    await provider.delete!(created.id, created.outs);
    expect(log()).toEqual([`DELETE ${created.id}`]);
    expect(g.store.size).toBe(0);
  });

  it("deletes nothing while the write of 0 keeps failing", async () => {
    const created = await create(fipsInputs({ onRemove: "disableThenDelete" }));
    g.requests.length = 0;
    for (let i = 0; i < 10; i++) g.faults.push({ method: "PATCH", kind: "500" });
    await expect(provider.delete!(created.id, created.outs)).rejects.toThrow(/PATCH .* failed with HTTP 500/);
    expect(g.requests.some((r) => r.method === "DELETE")).toBe(false);
    expect(fipsValue(onlyProfile().body)).toBe(1);
  });

  it("deletes nothing when the profile does not read back 0", async () => {
    const created = await create(fipsInputs({ onRemove: "disableThenDelete" }));
    const profile = onlyProfile();
    // A service that accepts the write (204) but keeps the old value.
    const before = profile.body;
    Object.defineProperty(profile, "body", { get: () => before, set: () => undefined, configurable: true });
    await expect(provider.delete!(created.id, created.outs)).rejects.toThrow(
      `Intune profile "tenant-guardrails - Windows FIPS mode" (${created.id}): AllowFipsAlgorithmPolicy reads 1 after it was set to 0; nothing was deleted.`,
    );
    expect(g.store.size).toBe(1);
  });

  it("a profile already gone is not an error", async () => {
    const created = await create(fipsInputs({ onRemove: "disable" }));
    g.store.clear();
    await expect(provider.delete!(created.id, created.outs)).resolves.toBeUndefined();
  });

  it("refuses to delete a FIPS profile whose state predates onRemove, and writes nothing", async () => {
    const created = await create(fipsInputs());
    g.requests.length = 0;
    const legacy = { ...created.outs, onRemove: undefined };
    await expect(provider.delete!(created.id, legacy)).rejects.toThrow(/predates onRemove.*Fix: set onRemove \("disable" or "leaveEnabled"\) on the FipsDeviceConfiguration, run pulumi up, then remove it/);
    expect(writes()).toEqual([]);
  });

  it("the BitLocker profile has no removal choice and is deleted", async () => {
    const created = await create(bitLockerInputs());
    await provider.delete!(created.id, created.outs);
    expect(g.store.size).toBe(0);
  });

  it("a FIPS profile without a removal choice fails check", async () => {
    const checked = await provider.check!(undefined as never, fipsInputs({ onRemove: undefined }));
    expect(checked.failures).toEqual([{ property: "onRemove", reason: "required for the FIPS profile: removing it does not turn FIPS mode off on devices" }]);
  });

  it("a new choice alone is a change (the state must hold it for the delete), written without any Graph write", async () => {
    const created = await create(fipsInputs({ onRemove: "leaveEnabled" }));
    const news = fipsInputs({ onRemove: "disable" });
    expect(await provider.diff!(created.id, created.outs, news)).toEqual({ changes: true });
    g.requests.length = 0;
    const updated = await provider.update!(created.id, created.outs, news);
    expect(writes()).toEqual([]);
    expect((updated.outs as DeviceConfigurationOutputs).onRemove).toBe("disable");
  });

  it("declaring the component again adopts a profile left by \"disable\" and turns FIPS back on", async () => {
    const created = await create(fipsInputs({ onRemove: "disable" }));
    await provider.delete!(created.id, created.outs);
    const again = await create(fipsInputs({ onRemove: "disable" }));
    expect(again.id).toBe(created.id);
    expect(fipsValue(onlyProfile().body)).toBe(1);
    expect(onlyProfile().body.displayName).toBe("tenant-guardrails - Windows FIPS mode");
  });
});
