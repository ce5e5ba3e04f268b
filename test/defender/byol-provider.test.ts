import { makeQualysByolProvider, scrubSecrets, type QualysByolSolutionState } from "../../components/defender/byol-provider";
import { BYOL_TEST_SUBSCRIPTION, FakeArm, byolTestState, byolTestVm } from "./fake-arm";

const SUB = BYOL_TEST_SUBSCRIPTION;
const LICENSE = "QUALYS-LICENSE-7f3e9a2b4c";
const PUBLIC_KEY = "QUALYS-PUBKEY-0d1e2f3a4b";
const vm = byolTestVm;
const SOLUTION_ID = `/subscriptions/${SUB}/resourceGroups/rg-security/providers/Microsoft.Security/locations/westeurope/securitySolutions/qualys-byol`;

// Small timeouts and delays: the slow response (600 ms) is beyond the 250 ms client timeout.
const provider = makeQualysByolProvider({ timeoutMs: 250, retryDelayMs: 5, maxRetryDelayMs: 20, maxRetries: 4, pollIntervalMs: 5, maxPolls: 4 });

let arm: FakeArm;

function inputs(over: Partial<QualysByolSolutionState> = {}): QualysByolSolutionState {
  return byolTestState(arm.url, { licenseCode: LICENSE, publicKey: PUBLIC_KEY, linkedVmIds: [vm(1), vm(2), vm(3)], ...over });
}

async function create(over: Partial<QualysByolSolutionState> = {}): Promise<{ id: string; outs: QualysByolSolutionState }> {
  const checked = await provider.check!({} as QualysByolSolutionState, inputs(over));
  const result = await provider.create(checked.inputs as QualysByolSolutionState);
  return { id: result.id, outs: result.outs! };
}

beforeEach(async () => {
  arm = new FakeArm();
  await arm.start();
});
afterEach(async () => {
  await arm.stop();
});

describe("create", () => {
  it("PUTs the solution as Microsoft's script does, then links the VMs in one request", async () => {
    const result = await create();
    expect(result.id).toBe(SOLUTION_ID);
    const put = arm.requests.find((r) => r.method === "PUT" && r.path === SOLUTION_ID)!;
    expect(put.query["api-version"]).toBe("2015-06-01-preview");
    const body = put.body as { Properties: { Location: string; Template: string; ProvisioningParameters: string } };
    expect(body.Properties.Location).toBe("westeurope");
    expect(body.Properties.Template).toBe("qualys.qualysAgent");
    expect(JSON.parse(body.Properties.ProvisioningParameters)).toEqual({ licenseCode: LICENSE, publicKey: PUBLIC_KEY, autoUpdate: false });
    const links = arm.requests.filter((r) => r.path.endsWith("/protectedResources"));
    expect(links).toHaveLength(1);
    expect(links[0].body).toEqual([vm(1), vm(2), vm(3)].map((id) => ({ ResourceAzureId: id })));
    expect(arm.linkedOf(SOLUTION_ID)).toEqual([vm(1), vm(2), vm(3)]);
    expect(result.outs).toMatchObject({ solutionId: SOLUTION_ID, linkedVmIds: [vm(1), vm(2), vm(3)], provisioningState: "Succeeded" });
  });

  it("refuses to create a second Qualys solution in the subscription and writes nothing", async () => {
    const other = SOLUTION_ID.replace("qualys-byol", "qualys-legacy");
    arm.seedSolution(other, [vm(9)]);
    await expect(create()).rejects.toThrow(/already has the Qualys BYOL solution .*qualys-legacy.*one solution per license per subscription/);
    expect(arm.writes).toHaveLength(0);
  });

  it("refuses a location other than the subscription's Defender home region, before writing anything", async () => {
    arm.homeRegion = "centralus";
    await expect(create()).rejects.toThrow(
      `Qualys BYOL solution qualys-byol: create failed: the Defender for Cloud home region of subscription ${SUB} is centralus, not westeurope. Fix: set qualysByol.location to "centralus"`,
    );
    expect(arm.writes).toHaveLength(0);
  });

    it("adopts its own solution when a previous create stopped half-way, linking only what is missing", async () => {
    arm.seedSolution(SOLUTION_ID, [vm(1)]);
    await create();
    expect(arm.solutionsCreated).toHaveLength(0);
    expect(arm.linkEvents).toEqual([vm(2), vm(3)]);
    expect(arm.duplicateLinks).toEqual([]);
  });

  it("waits for the solution to finish provisioning before linking VMs", async () => {
    arm.provisioningReads = 2;
    const result = await create();
    const order = arm.requests.map((r) => `${r.method} ${r.path.endsWith("/protectedResources") ? "links" : r.path.split("/").pop()}`);
    expect(order).toEqual(["GET locations", "GET securitySolutions", "PUT qualys-byol", "GET qualys-byol", "GET qualys-byol", "GET qualys-byol", "PUT links"]);
    expect(result.outs.provisioningState).toBe("Succeeded");
  });

  it("stops with a clear error when provisioning fails or never ends", async () => {
    arm.failProvisioning = true;
    await expect(create()).rejects.toThrow(/create failed: the solution .*qualys-byol ended in provisioning state Failed/);
    expect(arm.linkEvents).toEqual([]);
    await arm.stop();
    arm = new FakeArm();
    await arm.start();
    arm.provisioningReads = 10;
    await expect(create()).rejects.toThrow(/create failed: the solution .*qualys-byol is still Provisioning after 4 reads; run the update again later/);
  });

    it("never puts the license code or public key in an error message, even when the service echoes them", async () => {
    arm.echoBodyInErrors = true;
    const err = await create({ licenseCode: "REJECTED-LICENSE-0000" }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toMatch(/create failed: PUT .* failed with HTTP 400 \(InvalidLicense\)/);
    expect(message).toContain("[secret]");
    expect(message).not.toContain("REJECTED-LICENSE-0000");
    expect(message).not.toContain(PUBLIC_KEY);
  });
});

describe("faults on the wire: each ends in success or a clear error; no second solution, no double link", () => {
  const cases: [string, () => void][] = [
    ["429 without Retry-After on the solution PUT", () => arm.inject({ method: "PUT", pathEndsWith: "/qualys-byol", kind: "429", times: 2 })],
    ["429 with Retry-After on the link PUT", () => arm.inject({ method: "PUT", pathEndsWith: "/protectedResources", kind: "429-retry-after" })],
    ["500 then 503 on the solution PUT", () => arm.inject({ method: "PUT", pathEndsWith: "/qualys-byol", kind: "500" }, { method: "PUT", pathEndsWith: "/qualys-byol", kind: "503" })],
    ["500 on the home-region read", () => arm.inject({ method: "GET", pathEndsWith: "/Microsoft.Security/locations", kind: "500" })],
    ["503 on the solution list", () => arm.inject({ method: "GET", pathEndsWith: "/securitySolutions", kind: "503" })],
    ["dropped connection after the solution PUT was processed", () => arm.inject({ method: "PUT", pathEndsWith: "/qualys-byol", kind: "drop-after-processing" })],
    ["slow response to the solution PUT (processed, answered after the timeout)", () => arm.inject({ method: "PUT", pathEndsWith: "/qualys-byol", kind: "slow-after-processing" })],
    ["dropped connection after the link PUT was processed", () => arm.inject({ method: "PUT", pathEndsWith: "/protectedResources", kind: "drop-after-processing" })],
    ["slow response to the link PUT (processed, answered after the timeout)", () => arm.inject({ method: "PUT", pathEndsWith: "/protectedResources", kind: "slow-after-processing" })],
    ["dropped connection on the read before linking", () => arm.inject({ method: "GET", pathEndsWith: "/qualys-byol", kind: "drop" })],
  ];

  it.each(cases)("%s", async (_label, injectFault) => {
    injectFault();
    const result = await create();
    expect(result.id).toBe(SOLUTION_ID);
    expect(arm.solutionsCreated).toEqual([SOLUTION_ID]);
    expect(arm.solutions.size).toBe(1);
    expect(arm.linkEvents.sort()).toEqual([vm(1), vm(2), vm(3)]);
    expect(arm.duplicateLinks).toEqual([]);
  });

  it("a dropped link response is checked by a read, not by sending the VMs again", async () => {
    arm.inject({ method: "PUT", pathEndsWith: "/protectedResources", kind: "drop-after-processing" });
    await create();
    expect(arm.requests.filter((r) => r.path.endsWith("/protectedResources"))).toHaveLength(1);
  });

  it("gives a clear error when the service keeps failing, and creates nothing twice", async () => {
    arm.inject({ method: "PUT", pathEndsWith: "/qualys-byol", kind: "500", times: 20 });
    await expect(create()).rejects.toThrow(/Qualys BYOL solution qualys-byol: create failed: PUT http:\/\/127\.0\.0\.1:\d+\/subscriptions\/.*\/securitySolutions\/qualys-byol\?api-version=2015-06-01-preview failed with HTTP 500 \(InternalServerError\): boom/);
    expect(arm.solutionsCreated).toHaveLength(0);
    expect(arm.requests.filter((r) => r.method === "PUT")).toHaveLength(5); // first attempt + maxRetries 4
  });

  it("after a 500 on the link PUT (outcome unknown) re-reads, never resends, and says so; the next run links what is missing", async () => {
    arm.inject({ method: "PUT", pathEndsWith: "/protectedResources", kind: "500", times: 20 });
    await expect(create()).rejects.toThrow(
      /create failed: linking had an unknown outcome \(PUT .*\/protectedResources\?api-version=2015-06-01-preview failed with HTTP 500 .*may have been processed.*\) and the solution does not list 3 of the VMs yet; the link was not sent again/,
    );
    expect(arm.requests.filter((r) => r.path.endsWith("/protectedResources"))).toHaveLength(1);
    expect(arm.requests.filter((r) => r.method === "GET" && r.path === SOLUTION_ID)).toHaveLength(1 + 3); // provisioning read + 3 re-reads
    arm.clearFaults();
    await create();
    expect(arm.linkEvents.sort()).toEqual([vm(1), vm(2), vm(3)]);
    expect(arm.duplicateLinks).toEqual([]);
    expect(arm.solutionsCreated).toEqual([SOLUTION_ID]);
  });
});

describe("read and update", () => {
  it("a refresh plus an update with unchanged inputs only reads", async () => {
    const created = await create();
    arm.requests.length = 0;
    const read = await provider.read!(created.id, created.outs);
    const diff = await provider.diff!(created.id, read.props as QualysByolSolutionState, inputs());
    expect(diff.changes).toBe(false);
    await provider.update!(created.id, read.props as QualysByolSolutionState, inputs());
    expect(arm.requests.map((r) => r.method)).toEqual(["GET", "GET"]);
  });

  it("a refresh sees a VM unlinked outside Pulumi, and the update links only that VM", async () => {
    const created = await create();
    arm.solutions.get(SOLUTION_ID.toLowerCase())!.linked = [vm(1), vm(3)];
    const read = await provider.read!(created.id, created.outs);
    expect((read.props as QualysByolSolutionState).linkedVmIds).toEqual([vm(1), vm(3)]);
    const diff = await provider.diff!(created.id, read.props as QualysByolSolutionState, inputs());
    expect(diff).toMatchObject({ changes: true, replaces: [] });
    arm.requests.length = 0;
    await provider.update!(created.id, read.props as QualysByolSolutionState, inputs());
    expect(arm.writes.map((r) => [r.method, r.body])).toEqual([["PUT", [{ ResourceAzureId: vm(2) }]]]);
    expect(arm.duplicateLinks).toEqual([]);
  });

  it("a refresh of a deleted solution reports it gone", async () => {
    const created = await create();
    arm.solutions.clear();
    expect(await provider.read!(created.id, created.outs)).toEqual({});
  });

  it("removing a VM from scope unlinks it; adding one links it", async () => {
    const created = await create();
    arm.requests.length = 0;
    const news = (await provider.check!(created.outs, inputs({ linkedVmIds: [vm(1), vm(3), vm(4)] }))).inputs as QualysByolSolutionState;
    await provider.update!(created.id, created.outs, news);
    expect(arm.writes.map((r) => [r.method, decodeURIComponent(r.path).split("protectedResources")[1] || "", r.body])).toEqual([
      ["DELETE", `/${vm(2)}`, undefined],
      ["PUT", "", [{ ResourceAzureId: vm(4) }]],
    ]);
    expect(arm.linkedOf(SOLUTION_ID).sort()).toEqual([vm(1), vm(3), vm(4)]);
  });

  it("a new license code is sent with a PUT of the same solution, without relinking", async () => {
    const created = await create();
    arm.requests.length = 0;
    await provider.update!(created.id, created.outs, inputs({ licenseCode: "QUALYS-LICENSE-NEW-99887766" }));
    expect(arm.writes).toHaveLength(1);
    expect(arm.writes[0].path).toBe(SOLUTION_ID);
    expect(arm.solutionsCreated).toHaveLength(1);
  });
});

describe("diff and check", () => {
  const base = () => inputs({ armEndpoint: "https://management.azure.com" });

  it("ignores the order and casing of VM ids", async () => {
    const d = await provider.diff!("id", base(), { ...base(), linkedVmIds: [vm(3).toUpperCase(), vm(1), vm(2)] });
    expect(d.changes).toBe(false);
  });

  it("replaces (deleting first) when the solution moves, updates in place for the license", async () => {
    expect(await provider.diff!("id", base(), { ...base(), solutionName: "qualys-2" })).toEqual({ changes: true, replaces: ["solutionName"], deleteBeforeReplace: true });
    expect(await provider.diff!("id", base(), { ...base(), licenseCode: "other-license-code" })).toMatchObject({ changes: true, replaces: [] });
    expect(await provider.diff!("id", base(), { ...base(), autoUpdate: true })).toMatchObject({ changes: true, replaces: [] });
  });

  it("sorts and de-duplicates the VMs; reports missing secrets without their values", async () => {
    const checked = await provider.check!({} as QualysByolSolutionState, { ...base(), licenseCode: "", linkedVmIds: [vm(2), vm(1), vm(2).toLowerCase()] });
    expect((checked.inputs as QualysByolSolutionState).linkedVmIds).toEqual([vm(1), vm(2)]);
    expect(checked.failures).toEqual([{ property: "licenseCode", reason: "licenseCode is required" }]);
  });
});

describe("delete", () => {
  it("unlinks every VM before deleting the solution", async () => {
    const created = await create();
    arm.requests.length = 0;
    await provider.delete!(created.id, created.outs);
    const writes = arm.writes.map((r) => `${r.method} ${r.path.includes("protectedResources") ? "link" : "solution"}`);
    expect(writes).toEqual(["DELETE link", "DELETE link", "DELETE link", "DELETE solution"]);
    expect(arm.solutions.size).toBe(0);
  });

  it("unlinks more than 100 VMs, which Defender requires before it deletes a solution", async () => {
    const many = Array.from({ length: 120 }, (_, i) => vm(i + 1));
    arm.seedSolution(SOLUTION_ID, many);
    await provider.delete!(SOLUTION_ID, inputs({ linkedVmIds: many }));
    expect(arm.solutions.size).toBe(0);
  });

  it("keeps the solution and names the VM when one cannot be unlinked", async () => {
    const created = await create();
    arm.stoppedVms.add(vm(2));
    await expect(provider.delete!(created.id, created.outs)).rejects.toThrow(/could not unlink VM .*vm-02 \(a VM must be running to be unlinked\)/);
    expect(arm.solutions.size).toBe(1);
  });

  it("retries a delete that hit a dropped connection and a 503", async () => {
    const created = await create();
    arm.inject({ method: "DELETE", pathEndsWith: "/qualys-byol", kind: "drop-after-processing" }, { method: "DELETE", pathEndsWith: vm(1), kind: "503" });
    await provider.delete!(created.id, created.outs);
    expect(arm.solutions.size).toBe(0);
  });

  it("treats an already deleted solution as done", async () => {
    await expect(provider.delete!(SOLUTION_ID, inputs())).resolves.toBeUndefined();
    expect(arm.writes).toHaveLength(0);
  });
});

describe("scrubSecrets", () => {
  it("masks raw, URL-encoded and JSON-escaped forms", () => {
    const secret = 'a b"c/d';
    const text = `x ${secret} y ${encodeURIComponent(secret)} z ${JSON.stringify(secret)}`;
    expect(scrubSecrets(text, [secret])).toBe('x [secret] y [secret] z "[secret]"');
  });
});
