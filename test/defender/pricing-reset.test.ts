import { makePricingResetProvider, type PricingResetState } from "../../components/defender/pricing-reset";
import { FakeArm } from "./fake-arm";

const SUB = "11111111-1111-1111-1111-111111111111";
const provider = makePricingResetProvider({ timeoutMs: 250, retryDelayMs: 5, maxRetryDelayMs: 20 });
let arm: FakeArm;

beforeEach(async () => {
  arm = new FakeArm();
  await arm.start();
});
afterEach(async () => {
  await arm.stop();
});

const state = (over: Partial<PricingResetState> = {}): PricingResetState => ({ armEndpoint: arm.url, subscriptionId: SUB, ...over });

describe("removing the component returns the Defender for Servers plan to Free", () => {
  it("create and update make no call", async () => {
    const created = await provider.create(state());
    expect(created.id).toBe(`/subscriptions/${SUB}/providers/Microsoft.Security/pricings/VirtualMachines`);
    await provider.update!(created.id, state(), state());
    expect(arm.requests).toHaveLength(0);
  });

  it("delete PUTs pricingTier Free (ARM refuses DELETE of a subscription pricing) and never sends DELETE", async () => {
    await provider.delete!("id", state());
    expect(arm.requests.map((r) => [r.method, r.path, r.query["api-version"], r.body])).toEqual([
      ["PUT", `/subscriptions/${SUB}/providers/Microsoft.Security/pricings/VirtualMachines`, "2024-01-01", { properties: { pricingTier: "Free" } }],
    ]);
  });

  it("the reset survives a 503 and a dropped connection (the PUT is idempotent)", async () => {
    arm.inject({ method: "PUT", pathEndsWith: "/VirtualMachines", kind: "503" }, { method: "PUT", pathEndsWith: "/VirtualMachines", kind: "drop" });
    await provider.delete!("id", state());
    expect(arm.pricingPuts).toHaveLength(1);
  });

  it("only a new subscription replaces it, so an endpoint change cannot reset the plan still declared", async () => {
    const other = "22222222-2222-2222-2222-222222222222";
    expect(await provider.diff!("id", state(), state({ subscriptionId: other }))).toEqual({ changes: true, replaces: ["subscriptionId"] });
    expect(await provider.diff!("id", state(), state({ armEndpoint: "https://management.azure.com" }))).toEqual({ changes: true, replaces: [] });
    expect(await provider.diff!("id", state(), state({ subscriptionId: SUB.toUpperCase() }))).toEqual({ changes: false, replaces: [] });
  });
});
