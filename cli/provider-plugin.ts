#!/usr/bin/env node
/**
 * `pulumi-resource-tenant-guardrails`: the package's provider plugin, started by the Pulumi engine
 * with the engine's address. A project finds it through Pulumi.yaml:
 *
 *   plugins:
 *     providers:
 *       - name: tenant-guardrails
 *         path: ./node_modules/.bin
 */
import * as provider from "@pulumi/pulumi/provider";
import { packageProvider } from "../components/plugin/provider";

provider.main(packageProvider(), process.argv.slice(2)).catch((err: unknown) => {
  console.error(`pulumi-resource-tenant-guardrails: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
