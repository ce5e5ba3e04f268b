/**
 * The offline engine: runs a Pulumi program under the SDK's mock monitor and records every resource
 * it declares, with its inputs (secrets masked), so `plan`, `whatif --stack` and tests see exactly
 * what `pulumi preview` would send to the engine — without the Pulumi CLI, plugins or a tenant.
 */
import * as pulumi from "@pulumi/pulumi";
import { onInputError } from "../components/errors";

export const SECRET_MASK = "[secret]";

export interface DeclaredResource {
  urn: string;
  type: string;
  name: string;
  /** URN of the parent, or "" for the stack itself. */
  parent: string;
  custom: boolean;
  /** Inputs as the engine receives them, secrets masked as "[secret]". */
  inputs: Record<string, unknown>;
  /** Inputs with secrets revealed: for evaluation only, never printed. */
  plainInputs: Record<string, unknown>;
  /** URNs the resource depends on (`dependsOn` and the resources its inputs come from). */
  dependencies?: string[];
}

export interface RunOptions {
  project: string;
  stack: string;
  /** Fully qualified config keys ("project:key") to string values, as Pulumi stores them. */
  config?: Record<string, string>;
  secretKeys?: string[];
  /** Computed outputs a mocked resource returns besides its inputs. */
  outputs?: (type: string, name: string, inputs: Record<string, unknown>) => Record<string, unknown>;
  /** Keep a dynamic resource's serialised provider (`__provider`) in `plainInputs` (tests of the provider text); default: dropped. */
  keepDynamicProvider?: boolean;
}

export interface RunResult {
  resources: DeclaredResource[];
  /** The program's module exports, resolved (secret outputs masked). */
  outputs: Record<string, unknown>;
}

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Inputs as the engine received them, without the SDK's wire wrappers: a secret becomes
 * "[secret]" (for printing) or its value (for evaluation); other signed values (output values)
 * become their value. The serialised dynamic provider (`__provider`) is dropped.
 */
function fromWire(value: unknown, revealSecrets: boolean, keepProvider = false): unknown {
  if (Array.isArray(value)) return value.map((v) => fromWire(v, revealSecrets));
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) return revealSecrets ? fromWire(obj.value, true) : SECRET_MASK;
    if (obj[SIG_KEY] !== undefined && "value" in obj) return fromWire(obj.value, revealSecrets);
    return Object.fromEntries(Object.entries(obj).filter(([k]) => keepProvider || k !== "__provider").map(([k, v]) => [k, fromWire(v, revealSecrets)]));
  }
  return value;
}

/**
 * Run `program` under mocks and collect what it declares. Errors thrown by the program or by a
 * component's validation reject the returned promise with the original message.
 */
export async function runUnderMocks(program: () => unknown, options: RunOptions): Promise<RunResult> {
  const { MockMonitor } = await import("@pulumi/pulumi/runtime/mocks");
  const settings = await import("@pulumi/pulumi/runtime/settings");
  const { runInPulumiStack } = await import("@pulumi/pulumi/runtime/stack");

  const resources: DeclaredResource[] = [];
  const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
      const extra = options.outputs?.(args.type, args.name, args.inputs) ?? {};
      const id = args.custom ? `${args.name}-id` : undefined;
      return { id, state: { ...args.inputs, ...extra } };
    },
    call(args) {
      throw new Error(`offline plan: the function ${args.token} is not available without a tenant; pass its result as config instead`);
    },
  };

  // The gRPC request/response of the mock monitor, as far as this recorder reads them.
  interface RegisterRequest {
    getObject(): { toJavaScript(): unknown };
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getDependenciesList(): string[];
  }
  type RegisterCallback = (err: unknown, resp: { getUrn(): string } | undefined) => void;

  class RecordingMonitor extends MockMonitor {
    override async registerResource(req: RegisterRequest, callback: RegisterCallback) {
      const raw = req.getObject().toJavaScript() as Record<string, unknown>;
      const type: string = req.getType();
      const name: string = req.getName();
      const parent: string = req.getParent();
      super.registerResource(req, (err: unknown, resp: { getUrn(): string } | undefined) => {
        if (!err && resp) {
          resources.push({
            urn: resp.getUrn(),
            type,
            name,
            parent,
            custom: req.getCustom(),
            inputs: fromWire(raw, false) as Record<string, unknown>,
            plainInputs: fromWire(raw, true, options.keepDynamicProvider === true) as Record<string, unknown>,
            dependencies: req.getDependenciesList(),
          });
        }
        callback(err, resp);
      });
    }

    // A component whose constructor threw in an earlier run (a test) still completes its outputs
    // asynchronously; its URN belongs to that run's monitor, so ignore it here instead of crashing.
    override registerResourceOutputs(req: { getUrn(): string }, callback: (err: unknown, resp: unknown) => void) {
      const known = (this as unknown as { resources: Map<string, unknown> }).resources.has(req.getUrn());
      if (!known) return callback(null, {});
      return super.registerResourceOutputs(req, callback);
    }
  }

  pulumi.runtime.setAllConfig(options.config ?? {}, options.secretKeys ?? []);
  settings.setMockOptions(new RecordingMonitor(mocks), options.project, options.stack, false);

  // Like the Pulumi language host, treat an unhandled rejection (e.g. a component's validation
  // failing inside an apply while a resource's inputs are serialised) as the program's failure.
  let failed: (err: unknown) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  failure.catch(() => undefined);
  const onUnhandled = (reason: unknown) => failed(reason);
  process.on("unhandledRejection", onUnhandled);
  // A component's validation error heard directly: fatal only if the program then stalls (a caught
  // error lets the program finish, and then it is no failure).
  let stalled: (err: unknown) => void = () => undefined;
  const stall = new Promise<never>((_, reject) => (stalled = reject));
  stall.catch(() => undefined);
  const stopListening = onInputError((err) => setTimeout(() => stalled(err), 1000));

  let exportsValue: Record<string, unknown> = {};
  let finished = false;
  const rpcsDrained = () => (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  try {
    const stackDone = runInPulumiStack(async () => {
      try {
        exportsValue = ((await program()) ?? {}) as Record<string, unknown>;
      } catch (err) {
        failed(err);
      }
      return exportsValue;
    }).then((value) => {
      finished = true;
      return value;
    });
    // waitForRPCs (internal to the SDK, but exported) resolves once every registration has settled.
    // When a registration fails its dependents never resolve: the failure wins the race instead.
    const stalledFailure = stall.catch((err) => (finished ? new Promise<never>(() => undefined) : Promise.reject(err)));
    await Promise.race([failure, stalledFailure, stackDone.then(rpcsDrained)]);
  } catch (err) {
    stopListening();
    // The failed registration's dependents (outputs, other children) reject a few ticks later; they
    // are the same failure. Let them settle before reporting, and keep swallowing them afterwards
    // instead of crashing the process after the report.
    process.off("unhandledRejection", onUnhandled);
    if (!process.listeners("unhandledRejection").includes(ignoreAfterFailure)) process.on("unhandledRejection", ignoreAfterFailure);
    await new Promise((resolve) => setTimeout(resolve, 100));
    throw unwrapSerialisationError(err);
  }
  stopListening();
  process.off("unhandledRejection", onUnhandled);
  const outputs = await resolveExports(exportsValue);
  return { resources, outputs };
}

function ignoreAfterFailure(): void {
  // intentionally empty: see runUnderMocks
}

/**
 * The SDK prefixes errors raised while serialising inputs ("error serializing property ...") by
 * mutating the error object itself; strip the prefix so the user reads the component's message.
 */
function unwrapSerialisationError(reason: unknown): unknown {
  if (reason instanceof Error) reason.message = reason.message.replace(/^(error serializing property "[^"]*": )+/, "");
  return reason;
}

async function resolveExports(value: Record<string, unknown>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === "function") continue;
    out[key] = await resolveValue(v);
  }
  return out;
}

async function resolveValue(v: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(v)) {
    const output = v as pulumi.Output<unknown>;
    const isSecret = await (output as unknown as { isSecret: Promise<boolean> }).isSecret;
    if (isSecret) return SECRET_MASK;
    return resolveValue(await new Promise((resolve) => output.apply(resolve)));
  }
  if (pulumi.Resource.isInstance(v)) return undefined;
  if (Array.isArray(v)) return Promise.all(v.map(resolveValue));
  if (v && typeof v === "object") {
    const entries = await Promise.all(Object.entries(v).map(async ([k, x]) => [k, await resolveValue(x)] as const));
    return Object.fromEntries(entries);
  }
  return v;
}
