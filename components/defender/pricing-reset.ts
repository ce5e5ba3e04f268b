/**
 * Removal of the Defender for Servers plan. ARM refuses DELETE of a subscription-level pricing
 * (400 InvalidUrlConfiguration), so the Pricing resource is declared with `retainOnDelete` and
 * this small dynamic resource resets the plan to Free when it is deleted: removing the component
 * leaves the subscription on Free, a known state. Creating it makes no call.
 */
import type * as pulumi from "@pulumi/pulumi";
import { AzureRestClient, type AzureRestClientOptions } from "../azure-rest/client";
import { PRICING_API_VERSION } from "./model";
import { freePricingBody, pricingPath } from "./payloads";

export interface PricingResetState {
  armEndpoint: string;
  subscriptionId: string;
}

export function makePricingResetProvider(clientOptions: Omit<AzureRestClientOptions, "baseUrl" | "credential"> = {}): pulumi.dynamic.ResourceProvider<PricingResetState, PricingResetState> {
  return {
    async check(_olds, news) {
      return { inputs: { armEndpoint: news.armEndpoint, subscriptionId: (news.subscriptionId ?? "").toLowerCase() } };
    },
    async diff(_id, olds, news) {
      // Only a new subscription replaces it (and resets the old one). A changed endpoint must not:
      // the replacement's delete would reset the plan the component still declares.
      const replaces = olds.subscriptionId.toLowerCase() !== news.subscriptionId.toLowerCase() ? ["subscriptionId"] : [];
      return { changes: replaces.length > 0 || olds.armEndpoint !== news.armEndpoint, replaces };
    },
    async create(inputs) {
      return { id: pricingPath(inputs.subscriptionId), outs: inputs };
    },
    async update(_id, _olds, news) {
      return { outs: news };
    },
    async delete(_id, props) {
      const client = new AzureRestClient({ ...clientOptions, baseUrl: props.armEndpoint });
      // Success is the pricing answered back on Free: anything else has not reset the plan.
      const res = await client.put<{ properties?: { pricingTier?: unknown } }>(pricingPath(props.subscriptionId), freePricingBody(), {
        query: { "api-version": PRICING_API_VERSION },
        expect: { status: [200, 201], body: "object" },
      });
      const tier = res.body.properties?.pricingTier;
      if (typeof tier !== "string" || tier.toLowerCase() !== "free") {
        throw new Error(
          `Defender for Servers plan of subscription ${props.subscriptionId} was not confirmed reset to Free: PUT ${pricingPath(props.subscriptionId)} answered HTTP ${res.status} with pricingTier ${JSON.stringify(tier) ?? "missing"}. ` +
            "Fix: check the plan in Defender for Cloud (Environment settings) and run pulumi destroy again.",
        );
      }
    },
  };
}

export const pricingResetProvider = makePricingResetProvider();
