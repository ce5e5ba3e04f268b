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
  /** How long the run may wait for what the program left outstanding before it fails; default 60 000 ms. */
  timeoutMs?: number;
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

/** How long a run may wait for the program and for what it left outstanding, by default. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** What the SDK records of one registration still being prepared (its own bookkeeping, internal). */
interface PendingRegistration {
  label?: string;
  type?: string;
  name?: string;
  phase?: string;
  inputProperty?: string;
  fail?: (err: unknown) => void;
}

/** The parts of the SDK's per-deployment store this engine reads (internal to the SDK). */
interface SdkStore {
  settings: { rpcDone: Promise<unknown> };
  pendingResourceRegistrations?: Map<unknown, PendingRegistration>;
}

/**
 * Run `program` under mocks and collect what it declares. Like Pulumi's language host, the run
 * ends only when nothing the SDK tracks is outstanding any more (registrations, component outputs,
 * and the applies that feed them), and it fails when any of them failed: the returned promise
 * rejects with the first error, in the component's own words. A run that is still waiting after
 * `timeoutMs` (default 60 s; counted from when the program's synchronous part returned) fails too,
 * naming the registrations still waiting.
 */
export async function runUnderMocks(program: () => unknown, options: RunOptions): Promise<RunResult> {
  const { MockMonitor } = await import("@pulumi/pulumi/runtime/mocks");
  const settings = await import("@pulumi/pulumi/runtime/settings");
  const { runInPulumiStack } = await import("@pulumi/pulumi/runtime/stack");
  const state = (await import("@pulumi/pulumi/runtime/state")) as unknown as { getStore(): SdkStore };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  // The first failure of the run, from whichever source hears it first.
  let failure: { error: unknown } | undefined;
  let wake: () => void = () => undefined;
  const failedOnce = new Promise<void>((resolve) => (wake = resolve));
  const fail = (error: unknown) => {
    failure ??= { error };
    wake();
  };
  /** Resolves when a failure is recorded. */
  const failed = () => failedOnce;

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
        // The engine refusing a registration (a mock that throws) fails the run, as at preview.
        if (err) fail(err);
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
  const store = state.getStore();
  // Hear a registration that fails while its inputs, dependencies or parent are resolved (an
  // apply that throws, an Output that rejects) from the SDK's own bookkeeping of registrations
  // being prepared: the SDK fails the registration there, then rethrows the error as an unhandled
  // rejection, which some hosts (jest's sandbox) do not let this listener hear.
  store.pendingResourceRegistrations = recordingFailures(store.pendingResourceRegistrations, fail);

  // Like the Pulumi language host, treat an unhandled rejection (e.g. a component's validation
  // failing inside an apply while a resource's inputs are serialised) as the program's failure.
  const onUnhandled = (reason: unknown) => fail(reason);
  process.on("unhandledRejection", onUnhandled);
  // A component's validation error heard directly: fatal only if the program then stalls (a caught
  // error lets the program finish, and then it is no failure).
  let finished = false;
  let stallTimer: NodeJS.Timeout | undefined;
  const stopListening = onInputError((err) => {
    stallTimer ??= setTimeout(() => {
      if (!finished) fail(err);
    }, 1000);
    stallTimer.unref();
  });

  let exportsValue: Record<string, unknown> = {};
  try {
    let programStarted = false;
    let programReturned: () => void = () => undefined;
    const returned = new Promise<void>((resolve) => (programReturned = resolve));
    const stackDone = runInPulumiStack(async () => {
      programStarted = true;
      try {
        const value = program();
        programReturned();
        exportsValue = ((await value) ?? {}) as Record<string, unknown>;
      } catch (err) {
        fail(err);
      }
      return exportsValue;
    });
    stackDone.catch(fail);
    // The deadline counts from the end of the program's synchronous part (loading it, e.g. through
    // ts-node, may take long); until the program starts (the stack resource registered) it counts
    // from now.
    let startTimer: NodeJS.Timeout | undefined;
    const notStarted = new Promise<void>((resolve) => {
      startTimer = setTimeout(() => {
        if (!programStarted) fail(new EngineTimeoutError(stalledMessage(store, timeoutMs)));
        resolve();
      }, timeoutMs);
    });
    try {
      await Promise.race([stackDone.then(() => undefined, () => undefined), failed(), returned, notStarted]);
    } finally {
      clearTimeout(startTimer);
    }
    const deadline = Date.now() + timeoutMs;
    await waitOrFail(stackDone.then(() => undefined), deadline, timeoutMs, store, failed, () => failure);
    finished = true;
    await drainRpcs(settings, store, deadline, timeoutMs, failed, () => failure);
    const outputs = await waitOrFail(resolveExports(exportsValue), deadline, timeoutMs, store, failed, () => failure);
    // Resolving the exports may itself have started or failed SDK work: settle that too.
    await drainRpcs(settings, store, deadline, timeoutMs, failed, () => failure);
    return { resources, outputs };
  } catch (err) {
    const reported = failure ? failure.error : err;
    // The failed registration's dependents (outputs, other children) reject a few ticks later; they
    // are the same failure. Let what the SDK still tracks settle (briefly) before reporting, and
    // keep swallowing late rejections afterwards instead of crashing the process after the report
    // or failing the next run in this process with this run's error.
    process.off("unhandledRejection", onUnhandled);
    if (!process.listeners("unhandledRejection").includes(ignoreAfterFailure)) process.on("unhandledRejection", ignoreAfterFailure);
    // After a deadline, what is still outstanding is what never resolves: no settling then.
    if (reported instanceof EngineTimeoutError) throw reported;
    const settleBy = Date.now() + Math.min(timeoutMs, SETTLE_AFTER_FAILURE_MS);
    await drainRpcs(settings, store, settleBy, timeoutMs, () => new Promise<void>(() => undefined), () => undefined).catch(() => undefined);
    throw unwrapSerialisationError(reported);
  } finally {
    stopListening();
    if (stallTimer) clearTimeout(stallTimer);
    process.off("unhandledRejection", onUnhandled);
  }
}

/** After a failure, how long the run waits at most for the SDK's outstanding work to settle. */
const SETTLE_AFTER_FAILURE_MS = 2_000;

/** One turn of the event loop: Node delivers the unhandled rejections of settled promises before it. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Wait until nothing the SDK tracks is outstanding, as the language host does before it ends a
 * program: `waitForRPCs` (the SDK's chain of every registration, component-outputs RPC and invoke
 * still running), then one turn of the event loop, so that a rejection the last of them left
 * unhandled is delivered; again while that turn started new work. Fails with the run's first
 * failure, or at `deadline`.
 */
async function drainRpcs(
  settings: unknown,
  store: SdkStore,
  deadline: number,
  timeoutMs: number,
  failed: () => Promise<void>,
  failure: () => { error: unknown } | undefined,
): Promise<void> {
  const waitForRPCs = () => (settings as { waitForRPCs(): Promise<void> }).waitForRPCs();
  for (;;) {
    await waitOrFail(waitForRPCs(), deadline, timeoutMs, store, failed, failure);
    const drained = store.settings.rpcDone;
    await waitOrFail(nextTurn(), deadline, timeoutMs, store, failed, failure);
    const f = failure();
    if (f) throw f.error;
    if (store.settings.rpcDone === drained) return;
  }
}

/** `work`, unless the run fails first (its first failure) or the deadline passes (a clear error). */
async function waitOrFail<T>(
  work: Promise<T>,
  deadline: number,
  timeoutMs: number,
  store: SdkStore,
  failed: () => Promise<void>,
  failure: () => { error: unknown } | undefined,
): Promise<T> {
  const f = failure();
  if (f) throw f.error;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EngineTimeoutError(stalledMessage(store, timeoutMs))), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([
      work,
      late,
      failed().then(() => {
        throw failure()!.error;
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A run that was still waiting at its deadline. */
export class EngineTimeoutError extends Error {
  override name = "EngineTimeoutError";
}

/** The deadline's error: what the SDK says is still waiting, and what to look for. */
function stalledMessage(store: SdkStore, timeoutMs: number): string {
  const pending = [...(store.pendingResourceRegistrations?.values() ?? [])];
  const waiting = pending.map((p) => `${p.name ?? p.label ?? "?"} [${p.type ?? "?"}] (waiting for ${p.inputProperty ? `its input "${p.inputProperty}"` : `its ${p.phase ?? "registration"}`})`);
  const seconds = `${Number((timeoutMs / 1000).toFixed(1))} s`;
  return (
    `offline engine: the program did not finish within ${seconds}` +
    (waiting.length > 0 ? `; still waiting: ${waiting.slice(0, 10).join(", ")}${waiting.length > 10 ? `, and ${waiting.length - 10} more` : ""}` : "; a registration, component output or exported value never resolved") +
    ". Fix: look for an input, dependsOn, parent or export that depends on a promise or Output that never resolves, or on a cycle between resources"
  );
}

/**
 * The SDK's map of registrations being prepared, with each entry's `fail` (called by the SDK when
 * the registration fails) also reporting the error to this run.
 */
function recordingFailures(original: Map<unknown, PendingRegistration> | undefined, fail: (err: unknown) => void): Map<unknown, PendingRegistration> {
  class RecordingMap extends Map<unknown, PendingRegistration> {
    override set(key: unknown, value: PendingRegistration): this {
      const sdkFail = value?.fail;
      if (typeof sdkFail === "function") {
        value.fail = (err: unknown) => {
          fail(err);
          sdkFail(err);
        };
      }
      return super.set(key, value);
    }
  }
  return new RecordingMap(original ?? []);
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
