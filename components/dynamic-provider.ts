/**
 * What Pulumi serializes for the package's dynamic resources.
 *
 * Pulumi turns a dynamic resource's provider into text with its closure serializer and stores it
 * in the resource's state. A closure over the provider's own code would capture every internal
 * module it uses: from an installed package the serializer can refer to a module only by an
 * exported path (so most of the package would have to be public), in a checkout it inlines tens of
 * kilobytes of code, and serializing it costs about half a second per plan. Instead each resource
 * gets a forwarder that captures one string, where its implementation lives:
 *
 * - installed from npm: `tenant-guardrails/providers/<name>` (a path `package.json` exports),
 *   resolved from the project's `node_modules` when the provider runs;
 * - this repository's build: `./dist/components/providers/<name>.js`, relative to the project
 *   directory, which is the working directory of both the program and the provider host;
 * - the TypeScript sources (tests under jest): the module itself, inlined by the serializer.
 */
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";

/** The provider entry points under `components/providers/` (each exports `provider`). */
export type DynamicProviderName = "intune-device-configuration" | "qualys-byol-solution" | "pricing-reset";

type AnyProvider = pulumi.dynamic.ResourceProvider;
type Method = (...args: unknown[]) => Promise<unknown>;
type Entry = { provider: Record<string, Method> };

const PACKAGE_NAME = "tenant-guardrails";
const forwarders = new Map<DynamicProviderName, AnyProvider>();

/** Where the provider host finds the entry point, or undefined to inline the module. */
function entrySpecifier(name: DynamicProviderName, file: string): string | undefined {
  const parts = file.split(path.sep);
  if (parts.includes("node_modules")) return `${PACKAGE_NAME}/providers/${name}`;
  if (!file.endsWith(".js")) return undefined;
  const relative = path.relative(process.cwd(), file).split(path.sep).join("/");
  return relative.startsWith("..") ? undefined : `./${relative}`;
}

/** Runs in the provider host, so it captures nothing: a relative specifier is the project's build. */
function callEntry(specifier: string, method: string, args: unknown[]): Promise<unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const target = specifier.startsWith("./") ? (require("path") as typeof path).resolve(specifier) : specifier;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(target) as Entry).provider[method](...args);
}

/**
 * The provider to pass to `pulumi.dynamic.Resource` for `name`: the same methods as the real
 * provider, each calling it through its entry point. One object per name, so Pulumi serializes
 * it once per process.
 */
export function forwardingProvider(name: DynamicProviderName): AnyProvider {
  const known = forwarders.get(name);
  if (known) return known;
  // Required here, not imported at the top: the entry modules import the providers, whose modules
  // declare the resources that call this function.
  const file = require.resolve(`./providers/${name}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const entry = require(file) as Entry;
  const specifier = entrySpecifier(name, file);
  const forwarder: Record<string, Method> = {};
  for (const [method, impl] of Object.entries(entry.provider)) {
    if (typeof impl !== "function") continue;
    forwarder[method] =
      specifier === undefined ? (...args: unknown[]) => entry.provider[method](...args) : (...args: unknown[]) => callEntry(specifier, method, args);
  }
  const provider = forwarder as unknown as AnyProvider;
  forwarders.set(name, provider);
  return provider;
}
