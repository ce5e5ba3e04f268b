/**
 * What Pulumi serializes for the package's dynamic resources.
 *
 * Pulumi turns a dynamic resource's provider into text with its closure serializer. A closure over
 * the provider's own code captures every internal module it uses, and from an installed package the
 * serializer can only refer to a module by an exported path, so most of the package would have to be
 * public, and every request would carry tens of kilobytes of provider text. Instead each resource
 * gets a forwarder whose only capture is one module that `package.json` exports:
 * `tenant-guardrails/providers/<name>`. From an installed package the serialized text is a one-line
 * `require` of that path, resolved in the project's `node_modules` when the provider runs; in this
 * repository (not under `node_modules`) the serializer inlines the module, as it does for any local
 * module.
 */
import type * as pulumi from "@pulumi/pulumi";

/** The provider entry points under `components/providers/` (each exports `provider`). */
export type DynamicProviderName = "intune-device-configuration" | "qualys-byol-solution" | "pricing-reset";

type AnyProvider = pulumi.dynamic.ResourceProvider;
type Method = (...args: unknown[]) => Promise<unknown>;

const forwarders = new Map<DynamicProviderName, AnyProvider>();

/**
 * The provider to pass to `pulumi.dynamic.Resource` for `name`: the same methods as the real
 * provider, each calling it through the entry module. One object per name, so Pulumi serializes
 * it once per process.
 */
export function forwardingProvider(name: DynamicProviderName): AnyProvider {
  const known = forwarders.get(name);
  if (known) return known;
  // Required here, not imported at the top: the entry modules import the resource modules'
  // providers, and the closures below must capture the entry module object itself.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const entry = require(`./providers/${name}`) as { provider: AnyProvider };
  const forwarder: Record<string, Method> = {};
  for (const [method, impl] of Object.entries(entry.provider)) {
    if (typeof impl !== "function") continue;
    forwarder[method] = (...args: unknown[]) => (entry.provider as unknown as Record<string, Method>)[method](...args);
  }
  const provider = forwarder as unknown as AnyProvider;
  forwarders.set(name, provider);
  return provider;
}
