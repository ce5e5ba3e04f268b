/**
 * Tests that declare components run them through the CLI's own offline engine (`runUnderMocks`),
 * with the serialised dynamic provider kept so tests can load it. One runner for tests and CLI.
 */
import * as pulumi from "@pulumi/pulumi";
import { runUnderMocks, type DeclaredResource, type RunResult } from "../../cli/engine";

export type { DeclaredResource };

/**
 * Run `program` under the engine's mocks; every mocked resource also gets a `profileId` output (as
 * the Intune provider returns). The program's return value is not taken as stack exports.
 */
export function runProgram(program: () => unknown, project = "tenant-guardrails", stack = "dev", config?: Record<string, string>): Promise<RunResult> {
  const run = async () => {
    await program();
  };
  return runUnderMocks(run, { project, stack, config, keepDynamicProvider: true, outputs: (_type, name) => ({ profileId: `${name}-id` }) });
}

export const promiseOf = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply(resolve));
