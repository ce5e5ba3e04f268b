/**
 * Runs a Pulumi program under the SDK's mock monitor and records what every registered resource
 * was given: inputs (with `__provider`, the serialized dynamic provider) and its dependencies
 * (`dependsOn`), which `pulumi.runtime.setMocks` does not expose.
 */
import * as pulumi from "@pulumi/pulumi";

export interface Registered {
  type: string;
  name: string;
  urn: string;
  parent: string;
  inputs: Record<string, unknown>;
  dependencies: string[];
}

export async function runProgram(program: () => unknown, project = "tenant-guardrails", stack = "dev"): Promise<{ resources: Registered[]; result: unknown }> {
  const { MockMonitor } = await import("@pulumi/pulumi/runtime/mocks");
  const settings = await import("@pulumi/pulumi/runtime/settings");
  const { runInPulumiStack } = await import("@pulumi/pulumi/runtime/stack");
  const resources: Registered[] = [];
  const mocks: pulumi.runtime.Mocks = {
    newResource: (args) => ({ id: args.custom ? `${args.name}-id` : undefined, state: { ...args.inputs, profileId: `${args.name}-id` } }),
    call: (args) => {
      throw new Error(`Mock not implemented: ${args.token}`);
    },
  };
  class Recording extends MockMonitor {
    override async registerResource(req: any, callback: (err: any, resp: any) => void) {
      const inputs = req.getObject().toJavaScript() as Record<string, unknown>;
      super.registerResource(req, (err: any, resp: any) => {
        if (!err && resp) {
          resources.push({
            type: req.getType(),
            name: req.getName(),
            urn: resp.getUrn(),
            parent: req.getParent(),
            inputs,
            dependencies: req.getDependenciesList(),
          });
        }
        callback(err, resp);
      });
    }
  }
  settings.setMockOptions(new Recording(mocks), project, stack, false);
  let result: unknown;
  let failure: unknown;
  await runInPulumiStack(async () => {
    try {
      result = await program();
    } catch (err) {
      failure = err;
    }
    return {};
  });
  // waitForRPCs is internal to the SDK but exported: it resolves once every registration has settled.
  await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  if (failure) throw failure;
  return { resources, result };
}

export const promiseOf = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply(resolve));
