/**
 * One small REST client for the Microsoft Graph and Azure Resource Manager calls that the dynamic
 * providers make, on Azure's own HTTP pipeline (`@azure/core-rest-pipeline`, built with
 * `createPipelineFromOptions`: proxy from HTTPS_PROXY / HTTP_PROXY / NO_PROXY, user agent,
 * request ids, decompression and logging stay as Azure ships them). Only the retry policy is the
 * project's own, and redirects are not followed (a 3xx is an unexpected answer).
 *
 * Fail closed: every call says what it expects (status, JSON object, list page); anything else is
 * an `AzureRestError` that says what came back (status, content type, a short excerpt), never a
 * success and never an empty answer.
 *
 * Safety rule: a request that may create something (`idempotent: false`, the default for POST) is
 * retried only when the service answered 429 (or 503 with Retry-After: the request was not
 * processed) or the connection was refused. A dropped connection, a timeout, a 5xx or an
 * unreadable 2xx after a POST is surfaced with `mayHaveSucceeded`, and the caller must look for
 * what it may have created (by a stable marker) before trying again. GET, PUT, PATCH and DELETE
 * are idempotent and are also retried on 408, 5xx, timeouts and dropped connections.
 *
 * Bounded: everything done through one client (providers make one per operation) shares one
 * deadline (`deadlineMs`, default 5 minutes, or TENANT_GUARDRAILS_HTTP_DEADLINE_MS); a
 * Retry-After longer than what is left fails at once; a listing follows at most `maxPages` pages,
 * never the same page twice, and only next links on the client's own origin.
 *
 * Credentials: a `TokenCredential` from `@azure/identity` (DefaultAzureCredential: environment,
 * workload identity / OIDC, managed identity, Azure CLI), created lazily inside the call so it is
 * never captured into a serialized dynamic provider or into state.
 */
import type { TokenCredential, AccessToken } from "@azure/core-auth";
import type { Pipeline, PipelinePolicy, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { scrubSecrets } from "../secret-scrub";

export const GRAPH_ENDPOINT = "https://graph.microsoft.com";
export const ARM_ENDPOINT = "https://management.azure.com";

/** The package version (a test keeps it equal to package.json's). */
export const PACKAGE_VERSION = "0.1.0";
/** Sent before Azure's own user agent on every request. */
export const USER_AGENT = `tenant-guardrails/${PACKAGE_VERSION}`;

/** Default total time of one operation (everything done through one client). */
export const DEFAULT_DEADLINE_MS = 300_000;
/** Environment variable that sets the default deadline (milliseconds). */
export const DEADLINE_ENV = "TENANT_GUARDRAILS_HTTP_DEADLINE_MS";
/** Default most pages one listing follows. */
export const DEFAULT_MAX_PAGES = 1000;
/** Longest wait Node's timers can represent; longer deadlines are refused. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface AzureRestClientOptions {
  /** Service root, e.g. https://graph.microsoft.com. Plain http is accepted for loopback test servers only. */
  baseUrl: string;
  /** OAuth scope for tokens, e.g. https://graph.microsoft.com/.default. Defaults to `<baseUrl>/.default`. */
  scope?: string;
  /** Credential to use; by default DefaultAzureCredential (a fixed fake token for loopback test servers). */
  credential?: TokenCredential;
  /** Retries after the first attempt (default 5). */
  maxRetries?: number;
  /** First back-off delay in ms (default 800); grows exponentially with jitter. */
  retryDelayMs?: number;
  /** Cap on one back-off delay in ms (default 30000). */
  maxRetryDelayMs?: number;
  /** Per-attempt timeout in ms (default 60000), body included; a timed-out idempotent request is retried. */
  timeoutMs?: number;
  /**
   * Total time in ms for everything done through this client, retries and waits included, counted
   * from its construction (default: TENANT_GUARDRAILS_HTTP_DEADLINE_MS, else 300000).
   */
  deadlineMs?: number;
  /** Most pages one `list()` follows (default 1000). */
  maxPages?: number;
  /**
   * Secrets this client's requests carry (e.g. a license code in a request body). A service may
   * echo the request in an error; every excerpt of an answer has them masked (see secret-scrub)
   * before it is shortened to one line, since a shortened or re-spaced echo is no longer
   * recognisable. Callers still mask their own messages.
   */
  secrets?: readonly (string | undefined)[];
}

/** The HTTP settings a Graph provider's inputs carry (tests point them at a local fake server). */
export interface GraphHttpSettings {
  /** Graph service root, e.g. https://graph.microsoft.com. */
  graphEndpoint: string;
  /** Per-attempt HTTP timeout in ms (default 60000). */
  httpTimeoutMs?: number;
  /** First retry back-off in ms (default 800). */
  httpRetryDelayMs?: number;
  /** Total time of one provider operation in ms (default 300000, or TENANT_GUARDRAILS_HTTP_DEADLINE_MS). */
  httpDeadlineMs?: number;
}

/** A client for Microsoft Graph with the settings a provider's inputs carry; made per provider call. */
export function graphClientFor(settings: GraphHttpSettings): AzureRestClient {
  return new AzureRestClient({
    baseUrl: settings.graphEndpoint,
    timeoutMs: settings.httpTimeoutMs,
    retryDelayMs: settings.httpRetryDelayMs,
    deadlineMs: settings.httpDeadlineMs,
  });
}

/** What a successful answer to one call looks like. */
export interface Expectation {
  /** Statuses that mean success (default: GET 200; PUT/POST 200, 201; PATCH, DELETE 200, 204). */
  status?: number[];
  /**
   * "object": a JSON object is required (default for GET, PUT, POST);
   * "object-or-empty": an empty body or a JSON object (default for PATCH, DELETE).
   */
  body?: "object" | "object-or-empty";
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** Whether repeating the request cannot duplicate anything. Defaults to `method !== "POST"`. */
  idempotent?: boolean;
  /**
   * Statuses returned to the caller instead of thrown (e.g. 404 "already gone"). Such an answer
   * must still be the service's own (an empty body or a JSON object): a 404 HTML page from
   * something in between is an error, not "gone".
   */
  allowStatus?: number[];
  /** What success looks like for this call. */
  expect?: Expectation;
}

export interface RestResponse<T> {
  status: number;
  body: T;
  headers: Record<string, string>;
}

export type AzureRestErrorKind = "status" | "unexpected" | "transport" | "deadline" | "paging" | "origin";

export interface AzureRestErrorInit {
  kind: AzureRestErrorKind;
  method: string;
  url: string;
  status?: number;
  code?: string;
  /** What the service said, or what came back. */
  detail: string;
  mayHaveSucceeded: boolean;
}

/** An HTTP call to Graph or ARM that did not end as the caller expects, with what happened. */
export class AzureRestError extends Error {
  readonly kind: AzureRestErrorKind;
  readonly method: string;
  readonly url: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly serviceMessage: string;
  readonly mayHaveSucceeded: boolean;

  constructor(init: AzureRestErrorInit) {
    const { kind, method, url, status, code, detail, mayHaveSucceeded } = init;
    const head =
      kind === "status"
        ? `${method} ${url} failed with HTTP ${status}` + (code ? ` (${code})` : "") + (detail ? `: ${detail}` : "")
        : kind === "unexpected"
          ? `${method} ${url} returned an unexpected response: ${detail}`
          : kind === "transport"
            ? `${method} ${url} failed` + (code ? ` (${code})` : "") + `: ${detail}`
            : `${method} ${url} stopped: ${detail}`;
    super(head + (mayHaveSucceeded ? ". The request may have been processed before the failure; the caller must check before repeating it." : ""));
    this.name = "AzureRestError";
    this.kind = kind;
    this.method = method;
    this.url = url;
    this.status = status;
    this.code = code;
    this.serviceMessage = detail;
    this.mayHaveSucceeded = mayHaveSucceeded;
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

export function isLoopbackUrl(url: string): boolean {
  return LOOPBACK.test(new URL(url).hostname);
}

/** A fixed token for local fake servers: they never see a real credential. */
const loopbackCredential: TokenCredential = {
  getToken: async () => ({ token: "loopback-test-token", expiresOnTimestamp: Date.now() + 3600_000 }),
};

async function defaultCredential(baseUrl: string): Promise<TokenCredential> {
  if (isLoopbackUrl(baseUrl)) return loopbackCredential;
  const { DefaultAzureCredential } = await import("@azure/identity");
  return new DefaultAzureCredential();
}

/** A short, single-line excerpt of a body, with anything token-like masked. */
export function safeExcerpt(text: string, max = 120): string {
  const oneLine = text
    .replace(/[\u0000-\u001f\u007f]+/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g, "[token]")
    .replace(/\b(bearer|basic)\s+[\w.~+/=-]{8,}/gi, "$1 [token]");
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

/**
 * Raw characters of an answer that are searched for secrets before an excerpt is taken. An
 * excerpt shows at most a few hundred characters; the margin covers a secret that starts inside
 * it, in its longest encodings. Masking is thorough, hence slow (about 0.1 ms per character).
 */
const SECRET_SCAN_CHARS = 4096;

/** `safeExcerpt` of an answer's text, with `secrets` masked first (on the raw text: the excerpt re-spaces and cuts). */
function excerptOf(text: string, max: number, secrets: readonly (string | undefined)[] | undefined): string {
  if (!secrets || secrets.every((x) => !x)) return safeExcerpt(text, max);
  const scanned = text.length > SECRET_SCAN_CHARS ? text.slice(0, SECRET_SCAN_CHARS) : text;
  const excerpt = safeExcerpt(scrubSecrets(scanned, secrets), max);
  return scanned.length < text.length && !excerpt.endsWith("…") ? `${excerpt}…` : excerpt;
}

function isJsonContentType(contentType: string): boolean {
  return /^application\/([\w.-]+\+)?json\b/i.test(contentType.trim());
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describeStatuses(statuses: number[]): string {
  return statuses.length === 1 ? `HTTP ${statuses[0]}` : `HTTP ${statuses.slice(0, -1).join(", ")} or ${statuses[statuses.length - 1]}`;
}

const DEFAULT_EXPECT: Record<string, Required<Expectation>> = {
  GET: { status: [200], body: "object" },
  PUT: { status: [200, 201], body: "object" },
  POST: { status: [200, 201], body: "object" },
  PATCH: { status: [200, 204], body: "object-or-empty" },
  DELETE: { status: [200, 204], body: "object-or-empty" },
};

/** What came back, in a few words: status, content type, excerpt. */
function whatCameBack(
  status: number | undefined,
  contentType: string,
  text: string,
  headers?: { get(name: string): string | undefined },
  secrets?: readonly (string | undefined)[],
): string {
  const parts = [...(status === undefined ? [] : [`HTTP ${status}`]), `content-type ${contentType || "(none)"}`, text.length === 0 ? "empty body" : `body "${excerptOf(text, 120, secrets)}"`];
  const location = headers?.get("location");
  if (status !== undefined && status >= 300 && status < 400 && location) {
    try {
      const l = new URL(location, "http://relative.invalid");
      parts.push(`redirect to ${l.origin === "http://relative.invalid" ? "" : l.origin}${l.pathname} (redirects are not followed)`);
    } catch {
      parts.push("redirect (not followed)");
    }
  }
  return parts.join(", ");
}

/**
 * Checks one response against what the call expects; returns the parsed body or throws an
 * `AzureRestError` that says what came back. Pure: exported for tests.
 */
export function checkResponse(
  method: string,
  url: string,
  response: { status: number; contentType: string; text: string; headers?: { get(name: string): string | undefined } },
  opts: { expect?: Expectation; allowStatus?: number[]; idempotent: boolean; secrets?: readonly (string | undefined)[] },
): unknown {
  const { status, contentType, text } = response;
  const expect = { ...(DEFAULT_EXPECT[method] ?? DEFAULT_EXPECT.GET), ...(opts.expect ?? {}) };
  const allowed = opts.allowStatus ?? [];
  // Unknown outcome for a request that may create something: a 2xx/3xx we cannot read, a 408 or a 5xx.
  const unknownOutcome = !opts.idempotent && (status < 400 || status === 408 || status >= 500);
  const unexpected = (why: string) =>
    new AzureRestError({
      kind: "unexpected",
      method,
      url,
      status,
      detail: `${whatCameBack(status, contentType, text, response.headers, opts.secrets)}; ${why}`,
      mayHaveSucceeded: unknownOutcome,
    });

  let parsed: unknown = undefined;
  let parseError = false;
  const json = isJsonContentType(contentType);
  if (text.length > 0 && json) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parseError = true;
    }
  }

  if (status >= 400 && !allowed.includes(status)) {
    const err = isPlainObject(parsed) && isPlainObject(parsed.error) ? (parsed.error as { code?: unknown; message?: unknown }) : undefined;
    const code = typeof err?.code === "string" ? err.code : undefined;
    const message = typeof err?.message === "string" ? excerptOf(err.message, 300, opts.secrets) : whatCameBack(undefined, contentType, text, undefined, opts.secrets);
    return failWithStatus(method, url, status, code, message, unknownOutcome);
  }
  if (allowed.includes(status)) {
    // The service's own answer: empty, or JSON. Anything else came from something in between.
    if (text.length > 0 && (!json || parseError)) throw unexpected(`HTTP ${status} counts only as the service's own answer (empty or JSON)`);
    return parsed;
  }
  const expected = `expected ${describeStatuses(expect.status)} with ${expect.body === "object" ? "a JSON object" : "no body or a JSON object"}`;
  if (!expect.status.includes(status)) throw unexpected(expected);
  if (text.length === 0) {
    if (expect.body === "object") throw unexpected(expected);
    return undefined;
  }
  if (!json) throw unexpected(expected);
  if (parseError) throw unexpected(`the JSON body is incomplete or invalid; ${expected}`);
  if (!isPlainObject(parsed)) throw unexpected(expected);
  return parsed;
}

function failWithStatus(method: string, url: string, status: number, code: string | undefined, message: string, mayHaveSucceeded: boolean): never {
  throw new AzureRestError({ kind: "status", method, url, status, code, detail: message, mayHaveSucceeded });
}

/** The operation's clock: everything done through one client shares it. */
class Deadline {
  readonly at: number;
  constructor(readonly totalMs: number) {
    this.at = Date.now() + totalMs;
  }
  remaining(): number {
    return this.at - Date.now();
  }
  describe(): string {
    return `the operation's deadline of ${formatMs(this.totalMs)} (deadlineMs / ${DEADLINE_ENV})`;
  }
}

function formatMs(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

function resolveDeadlineMs(option: number | undefined): number {
  const fromEnv = process.env[DEADLINE_ENV];
  const value = option ?? (fromEnv !== undefined && fromEnv !== "" ? Number(fromEnv) : DEFAULT_DEADLINE_MS);
  if (!Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS) {
    const source = option !== undefined ? "deadlineMs" : DEADLINE_ENV;
    throw new Error(`AzureRestClient: ${source} ${option ?? fromEnv} is not a usable deadline. Fix: give a number of milliseconds between 1 and ${MAX_TIMER_MS} (default ${DEFAULT_DEADLINE_MS}).`);
  }
  return value;
}

/**
 * Adds the bearer token. Azure's bearerTokenAuthenticationPolicy refuses plain http, which local
 * fake servers use, so this small policy caches the token itself and refreshes it 2 minutes early.
 * It signs only requests to the client's own origin.
 */
function bearerPolicy(getCredential: () => Promise<TokenCredential>, scope: string, origin: string): PipelinePolicy {
  let cached: AccessToken | null = null;
  return {
    name: "tenantGuardrailsBearer",
    async sendRequest(request: PipelineRequest, next) {
      if (new URL(request.url).origin !== origin) throw new Error(`refusing to send the access token to ${new URL(request.url).origin} (not ${origin})`);
      if (!cached || cached.expiresOnTimestamp - Date.now() < 120_000) {
        const credential = await getCredential();
        cached = await credential.getToken(scope);
        if (!cached) throw new Error(`no access token for scope ${scope}`);
      }
      request.headers.set("Authorization", `Bearer ${cached.token}`);
      return next(request);
    },
  };
}

type RestErrorCtor = typeof import("@azure/core-rest-pipeline").RestError;

/**
 * A per-attempt timeout, never past the deadline. The pipeline's own `timeout` aborts the request,
 * and aborts are never retried (they mean "cancelled"); this policy sits inside the retry loop and
 * turns a silent server (or a body that trickles) into an ETIMEDOUT transport error, which the
 * idempotent strategy retries, or into EDEADLINE when the operation's time is up.
 */
function attemptTimeoutPolicy(timeoutMs: number, deadline: Deadline, RestError: RestErrorCtor): PipelinePolicy {
  return {
    name: "tenantGuardrailsAttemptTimeout",
    async sendRequest(request, next) {
      const left = deadline.remaining();
      if (left <= 0) throw new RestError(`${deadline.describe()} passed before the request was sent`, { code: "EDEADLINE_BEFORE_SEND", request });
      const byDeadline = left < timeoutMs;
      const limit = Math.min(timeoutMs, left);
      const outer = request.abortSignal;
      const controller = new AbortController();
      const forward = () => controller.abort();
      outer?.addEventListener("abort", forward);
      const timer = setTimeout(() => controller.abort(), limit);
      request.abortSignal = controller.signal;
      try {
        return await next(request);
      } catch (err) {
        if (controller.signal.aborted && !outer?.aborted) {
          if (byDeadline) throw new RestError(`${deadline.describe()} passed while waiting for the response`, { code: "EDEADLINE", request });
          throw new RestError(`no complete response within ${timeoutMs} ms`, { code: "ETIMEDOUT", request });
        }
        throw err;
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener("abort", forward);
        request.abortSignal = outer;
      }
    },
  };
}

function backoff(attempt: number, baseMs: number, capMs: number): number {
  const exp = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

/** Retry-After (seconds or an HTTP date), retry-after-ms or x-ms-retry-after-ms, in ms; undefined when absent or unreadable. */
export function retryAfterMs(headers: { get(name: string): string | undefined }, now = Date.now()): number | undefined {
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const v = headers.get(name);
    if (v !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  }
  const v = headers.get("retry-after");
  if (v === undefined) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Transport errors where the request certainly never reached the service. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EDEADLINE_BEFORE_SEND"]);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The project's retry rules (replacing the pipeline's default retry policy):
 * - 429, and 503 with Retry-After: not processed; retried for every method, waiting Retry-After
 *   when given (exponential back-off otherwise). A wait longer than the time left fails at once.
 * - 408, 5xx (but 501, 505), timeouts and dropped connections: retried for idempotent requests only.
 * - a refused connection: retried for every method (nothing was sent).
 */
function retryPolicy(opts: { idempotent: boolean; maxRetries: number; baseMs: number; capMs: number; deadline: Deadline; RestError: RestErrorCtor }): PipelinePolicy {
  const { idempotent, maxRetries, baseMs, capMs, deadline, RestError } = opts;
  return {
    name: "tenantGuardrailsRetry",
    async sendRequest(request, next) {
      for (let attempt = 0; ; attempt++) {
        let response: PipelineResponse | undefined;
        try {
          response = await next(request);
        } catch (err) {
          const code = (err as { code?: string }).code ?? "";
          const aborted = (err as { name?: string }).name === "AbortError";
          if (code.startsWith("EDEADLINE") || aborted || attempt >= maxRetries) throw err;
          if (!idempotent && !NOT_SENT.has(code)) throw err;
          const delay = backoff(attempt, baseMs, capMs);
          if (delay >= deadline.remaining()) throw err;
          await sleep(delay);
          continue;
        }
        const status = response.status;
        const asked = retryAfterMs(response.headers);
        const throttled = status === 429 || (status === 503 && asked !== undefined);
        const transient = idempotent && (status === 408 || (status >= 500 && status !== 501 && status !== 505));
        if ((!throttled && !transient) || attempt >= maxRetries) return response;
        const delay = throttled && asked !== undefined ? asked : backoff(attempt, baseMs, capMs);
        const left = deadline.remaining();
        if (delay >= left) {
          const message =
            throttled && asked !== undefined
              ? `the service answered HTTP ${status} and asked to wait ${formatMs(Math.round(delay))} (Retry-After), longer than the ${formatMs(Math.max(0, left))} left of ${deadline.describe()}`
              : `the service answered HTTP ${status}; the next retry (after ${formatMs(delay)}) would pass ${deadline.describe()} (${formatMs(Math.max(0, left))} left)`;
          throw new RestError(message, { code: "EDEADLINE_RETRY_AFTER", statusCode: status, request });
        }
        await sleep(delay);
      }
    },
  };
}

type Pipelines = { idempotent: Pipeline; create: Pipeline };

export class AzureRestClient {
  private readonly baseUrl: string;
  private readonly origin: string;
  private readonly scope: string;
  private readonly options: AzureRestClientOptions;
  private readonly deadline: Deadline;
  private pipelines: Pipelines | undefined;
  private credential: Promise<TokenCredential> | undefined;

  constructor(options: AzureRestClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackUrl(options.baseUrl))) {
      throw new Error(`AzureRestClient: baseUrl ${options.baseUrl} must be https (plain http is allowed for 127.0.0.1 test servers only)`);
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.origin = url.origin;
    this.scope = options.scope ?? `${this.baseUrl}/.default`;
    this.options = options;
    this.deadline = new Deadline(resolveDeadlineMs(options.deadlineMs));
  }

  /** Milliseconds left of this client's deadline. */
  remainingMs(): number {
    return this.deadline.remaining();
  }

  /** Throws when waiting `ms` more would pass the deadline (for callers that poll). */
  assertTimeFor(ms: number, what: string): void {
    const left = this.deadline.remaining();
    if (ms >= left) throw new Error(`${what} stopped: ${formatMs(Math.max(0, left))} left of ${this.deadline.describe()}, not enough to wait ${formatMs(ms)} more`);
  }

  private getCredential(): Promise<TokenCredential> {
    this.credential ??= this.options.credential ? Promise.resolve(this.options.credential) : defaultCredential(this.baseUrl);
    return this.credential;
  }

  private async getPipelines(): Promise<Pipelines> {
    if (this.pipelines) return this.pipelines;
    const rp = await import("@azure/core-rest-pipeline");
    const maxRetries = this.options.maxRetries ?? 5;
    const baseMs = this.options.retryDelayMs ?? 800;
    const capMs = this.options.maxRetryDelayMs ?? 30_000;
    const build = (idempotent: boolean) => {
      // Azure's standard pipeline: proxy (HTTPS_PROXY/HTTP_PROXY/NO_PROXY), decompression, user
      // agent, client request id, tracing, logging.
      const pipeline = rp.createPipelineFromOptions({ userAgentOptions: { userAgentPrefix: USER_AGENT } });
      // Replaced: the default retry policy (by the project's rules below) and redirects (never followed).
      pipeline.removePolicy({ phase: "Retry" });
      pipeline.removePolicy({ name: rp.redirectPolicyName });
      pipeline.addPolicy(retryPolicy({ idempotent, maxRetries, baseMs, capMs, deadline: this.deadline, RestError: rp.RestError }), { phase: "Retry" });
      pipeline.addPolicy(bearerPolicy(() => this.getCredential(), this.scope, this.origin), { phase: "Sign" });
      pipeline.addPolicy(attemptTimeoutPolicy(this.options.timeoutMs ?? 60_000, this.deadline, rp.RestError), { afterPhase: "Sign" });
      return pipeline;
    };
    this.pipelines = { idempotent: build(true), create: build(false) };
    return this.pipelines;
  }

  /** The absolute URL of a path or of a link; links must stay on the client's own origin. */
  url(path: string, query?: Record<string, string>, method = "GET"): string {
    const url = /^https?:/i.test(path) ? new URL(path) : new URL(`${this.baseUrl}${path.startsWith("/") ? "" : "/"}${path}`);
    if (url.origin !== this.origin) {
      throw new AzureRestError({
        kind: "origin",
        method,
        url: `${url.origin}${url.pathname}`,
        detail: `the link points outside ${this.origin}; the client sends its access token only to its own origin (https, or http on loopback for tests)`,
        mayHaveSucceeded: false,
      });
    }
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    return url.toString();
  }

  async request<T = unknown>(method: "GET" | "PUT" | "PATCH" | "POST" | "DELETE", path: string, opts: RequestOptions = {}): Promise<RestResponse<T>> {
    const rp = await import("@azure/core-rest-pipeline");
    const idempotent = opts.idempotent ?? method !== "POST";
    const pipelines = await this.getPipelines();
    const url = this.url(path, opts.query, method);
    const headers = rp.createHttpHeaders({ Accept: "application/json", ...(opts.headers ?? {}) });
    if (opts.body !== undefined) headers.set("Content-Type", "application/json");
    const request = rp.createPipelineRequest({
      url,
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      allowInsecureConnection: url.startsWith("http:"),
    });
    let response: PipelineResponse;
    try {
      response = await (idempotent ? pipelines.idempotent : pipelines.create).sendRequest(rp.createDefaultHttpClient(), request);
    } catch (err) {
      const e = err as { statusCode?: number; code?: string; message?: string; response?: PipelineResponse };
      const code = e.code;
      if (code?.startsWith("EDEADLINE")) {
        const sent = code !== "EDEADLINE_BEFORE_SEND" && code !== "EDEADLINE_RETRY_AFTER";
        throw new AzureRestError({ kind: "deadline", method, url, status: e.statusCode, code, detail: e.message ?? String(err), mayHaveSucceeded: !idempotent && sent });
      }
      if (e.response && e.statusCode !== undefined) {
        response = e.response;
      } else {
        throw new AzureRestError({ kind: "transport", method, url, status: e.statusCode, code, detail: e.message ?? String(err), mayHaveSucceeded: !idempotent && !NOT_SENT.has(code ?? "") });
      }
    }
    const body = checkResponse(
      method,
      url,
      { status: response.status, contentType: response.headers.get("content-type") ?? "", text: response.bodyAsText ?? "", headers: response.headers },
      { expect: opts.expect, allowStatus: opts.allowStatus, idempotent, secrets: this.options.secrets },
    );
    return { status: response.status, body: body as T, headers: response.headers.toJSON() };
  }

  get<T = unknown>(path: string, opts?: RequestOptions) {
    return this.request<T>("GET", path, opts);
  }
  put<T = unknown>(path: string, body: unknown, opts?: RequestOptions) {
    return this.request<T>("PUT", path, { ...opts, body });
  }
  patch<T = unknown>(path: string, body: unknown, opts?: RequestOptions) {
    return this.request<T>("PATCH", path, { ...opts, body });
  }
  post<T = unknown>(path: string, body: unknown, opts?: RequestOptions) {
    return this.request<T>("POST", path, { ...opts, body });
  }
  delete<T = unknown>(path: string, opts?: RequestOptions) {
    return this.request<T>("DELETE", path, opts);
  }

  /**
   * GET every page of a Graph collection (`value` + `@odata.nextLink`) or an ARM list (`nextLink`).
   * Each page must be a JSON object with an array `value`; next links must stay on the client's
   * origin; a page seen twice (a cycle) or more than `maxPages` pages stop with an error. Never
   * returns a partial list.
   */
  async list<T>(path: string, opts?: Omit<RequestOptions, "allowStatus" | "expect">): Promise<T[]> {
    const maxPages = this.options.maxPages ?? DEFAULT_MAX_PAGES;
    const items: T[] = [];
    const seen = new Set<string>();
    let next: string | undefined = path;
    let query = opts?.query;
    for (let page = 1; next !== undefined; page++) {
      const url = this.url(next, query);
      const pageError = (detail: string, kind: AzureRestErrorKind = "paging") => new AzureRestError({ kind, method: "GET", url, detail, mayHaveSucceeded: false });
      if (seen.has(url)) throw pageError(`page ${page} of the listing links back to a page already read (a nextLink cycle); the listing is incomplete`);
      if (page > maxPages) throw pageError(`the listing has more than ${maxPages} pages (maxPages); stopped rather than return part of it`);
      seen.add(url);
      const res: RestResponse<Record<string, unknown>> = await this.get(url, { ...opts, query: undefined });
      const value = res.body.value;
      if (!Array.isArray(value)) {
        throw new AzureRestError({
          kind: "unexpected",
          method: "GET",
          url,
          status: res.status,
          detail: `HTTP ${res.status}, a JSON object without an array "value" (keys: ${Object.keys(res.body).slice(0, 5).join(", ") || "none"}); expected a list page`,
          mayHaveSucceeded: false,
        });
      }
      items.push(...(value as T[]));
      const link = res.body["@odata.nextLink"] ?? res.body.nextLink;
      if (link !== undefined && link !== null && (typeof link !== "string" || link === "")) throw pageError(`page ${page} has a next link that is not a URL string`);
      if (typeof link === "string") {
        let resolved: URL;
        try {
          resolved = new URL(link, url);
        } catch {
          throw pageError(`page ${page} has a next link that is not a URL`);
        }
        if (resolved.origin !== this.origin) {
          throw pageError(`page ${page} links to ${resolved.origin}${resolved.pathname}, outside ${this.origin}; next links are followed only on the client's own origin (https, or http on loopback for tests)`, "origin");
        }
        next = resolved.toString();
      } else {
        next = undefined;
      }
      query = undefined; // next links carry their own query
    }
    return items;
  }
}
