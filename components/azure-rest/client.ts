/**
 * One small REST client for the Microsoft Graph and Azure Resource Manager calls that the dynamic
 * providers make. Retries and throttling come from Azure's own HTTP pipeline
 * (`@azure/core-rest-pipeline`), not from hand-rolled loops.
 *
 * Safety rule: a request that may create something (`idempotent: false`, the default for POST) is
 * retried only when the service answered 429 (throttled: the request was not processed). A dropped
 * connection, a timeout or a 5xx after a POST is surfaced to the caller, which must look for what it
 * may have created (by a stable marker) before trying again. GET, PUT, PATCH and DELETE are
 * idempotent and are retried on 429, 5xx, timeouts and dropped connections.
 *
 * Credentials: a `TokenCredential` from `@azure/identity` (DefaultAzureCredential: environment,
 * workload identity / OIDC, managed identity, Azure CLI), created lazily inside the call so it is
 * never captured into a serialized dynamic provider or into state.
 */
import type { TokenCredential, AccessToken } from "@azure/core-auth";
import type { PipelinePolicy, PipelineRequest, PipelineResponse, RetryStrategy } from "@azure/core-rest-pipeline";

export const GRAPH_ENDPOINT = "https://graph.microsoft.com";
export const ARM_ENDPOINT = "https://management.azure.com";

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
  /** Per-attempt timeout in ms (default 60000); a timed-out idempotent request is retried. */
  timeoutMs?: number;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** Whether repeating the request cannot duplicate anything. Defaults to `method !== "POST"`. */
  idempotent?: boolean;
  /** Statuses returned to the caller instead of thrown (e.g. 404 on read). */
  allowStatus?: number[];
}

export interface RestResponse<T> {
  status: number;
  body: T;
  headers: Record<string, string>;
}

/** An HTTP error from Graph or ARM, with what the service said. */
export class AzureRestError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number | undefined,
    readonly code: string | undefined,
    readonly serviceMessage: string,
    readonly mayHaveSucceeded: boolean,
  ) {
    super(
      `${method} ${url} failed` +
        (status !== undefined ? ` with HTTP ${status}` : "") +
        (code ? ` (${code})` : "") +
        (serviceMessage ? `: ${serviceMessage}` : "") +
        (mayHaveSucceeded
          ? ". The request may have been processed before the failure; the caller must check before repeating it."
          : ""),
    );
    this.name = "AzureRestError";
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

/**
 * Adds the bearer token. Azure's bearerTokenAuthenticationPolicy refuses plain http, which local
 * fake servers use, so this small policy caches the token itself and refreshes it 2 minutes early.
 */
function bearerPolicy(getCredential: () => Promise<TokenCredential>, scope: string): PipelinePolicy {
  let cached: AccessToken | null = null;
  return {
    name: "tenantGuardrailsBearer",
    async sendRequest(request: PipelineRequest, next) {
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

/**
 * A per-attempt timeout. The pipeline's own `timeout` aborts the request, and aborts are never
 * retried (they mean "cancelled"); this policy sits inside the retry loop and turns a silent
 * server into an ETIMEDOUT transport error, which the idempotent strategy retries.
 */
function attemptTimeoutPolicy(timeoutMs: number, RestError: typeof import("@azure/core-rest-pipeline").RestError): PipelinePolicy {
  return {
    name: "tenantGuardrailsAttemptTimeout",
    async sendRequest(request, next) {
      const outer = request.abortSignal;
      const controller = new AbortController();
      const forward = () => controller.abort();
      outer?.addEventListener("abort", forward);
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      request.abortSignal = controller.signal;
      try {
        return await next(request);
      } catch (err) {
        if (controller.signal.aborted && !outer?.aborted) {
          throw new RestError(`no response within ${timeoutMs} ms`, { code: "ETIMEDOUT", request });
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

const RETRY_AFTER_HEADERS = ["retry-after", "retry-after-ms", "x-ms-retry-after-ms"];

/** 429 without any Retry-After header: the service did not process it; back off exponentially. */
function throttledWithoutRetryAfter(baseMs: number, capMs: number): RetryStrategy {
  return {
    name: "throttledWithoutRetryAfter",
    retry({ retryCount, response }) {
      if (response?.status !== 429) return { skipStrategy: true };
      // With a Retry-After header, leave it to throttlingRetryPolicy (outside this policy), which waits as told.
      if (RETRY_AFTER_HEADERS.some((h) => response.headers.has(h))) return { skipStrategy: true };
      return { retryAfterInMs: backoff(retryCount, baseMs, capMs) };
    },
  };
}

/** 5xx, 408, timeouts and dropped connections: retried only for idempotent requests. */
function transientFailure(baseMs: number, capMs: number): RetryStrategy {
  return {
    name: "transientFailure",
    retry({ retryCount, response, responseError }) {
      const status = response?.status;
      const transientStatus = status !== undefined && (status === 408 || (status >= 500 && status !== 501 && status !== 505));
      const transportError = !response && responseError !== undefined;
      if (!transientStatus && !transportError) return { skipStrategy: true };
      // A 503 with Retry-After is waited out by throttlingRetryPolicy, as the service asked.
      if (status === 503 && RETRY_AFTER_HEADERS.some((h) => response?.headers.has(h))) return { skipStrategy: true };
      return { retryAfterInMs: backoff(retryCount, baseMs, capMs) };
    },
  };
}

type Pipelines = { idempotent: import("@azure/core-rest-pipeline").Pipeline; create: import("@azure/core-rest-pipeline").Pipeline };

export class AzureRestClient {
  private readonly baseUrl: string;
  private readonly scope: string;
  private readonly options: AzureRestClientOptions;
  private pipelines: Pipelines | undefined;
  private credential: Promise<TokenCredential> | undefined;

  constructor(options: AzureRestClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackUrl(options.baseUrl))) {
      throw new Error(`AzureRestClient: baseUrl ${options.baseUrl} must be https (plain http is allowed for 127.0.0.1 test servers only)`);
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.scope = options.scope ?? `${this.baseUrl}/.default`;
    this.options = options;
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
      const pipeline = rp.createEmptyPipeline();
      // Retry-After (429 and 503) is honoured by Azure's own strategy. A 503 with Retry-After is
      // treated as "not processed" (Graph and ARM send it when shedding load before doing work).
      const strategies: RetryStrategy[] = [throttledWithoutRetryAfter(baseMs, capMs)];
      if (idempotent) strategies.push(transientFailure(baseMs, capMs));
      pipeline.addPolicy(rp.throttlingRetryPolicy({ maxRetries }), { phase: "Retry" });
      pipeline.addPolicy(rp.retryPolicy(strategies, { maxRetries }), { phase: "Retry" });
      pipeline.addPolicy(bearerPolicy(() => this.getCredential(), this.scope), { phase: "Sign" });
      pipeline.addPolicy(attemptTimeoutPolicy(this.options.timeoutMs ?? 60_000, rp.RestError), { afterPhase: "Sign" });
      return pipeline;
    };
    this.pipelines = { idempotent: build(true), create: build(false) };
    return this.pipelines;
  }

  url(path: string, query?: Record<string, string>): string {
    const url = new URL(path.startsWith("http") ? path : `${this.baseUrl}${path.startsWith("/") ? "" : "/"}${path}`);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    return url.toString();
  }

  async request<T = unknown>(method: "GET" | "PUT" | "PATCH" | "POST" | "DELETE", path: string, opts: RequestOptions = {}): Promise<RestResponse<T>> {
    const rp = await import("@azure/core-rest-pipeline");
    const idempotent = opts.idempotent ?? method !== "POST";
    const pipelines = await this.getPipelines();
    const url = this.url(path, opts.query);
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
      if (e.response) {
        response = e.response;
      } else {
        throw new AzureRestError(method, url, e.statusCode, e.code, e.message ?? String(err), !idempotent);
      }
    }
    const text = response.bodyAsText ?? "";
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const status = response.status;
    if (status >= 400 && !(opts.allowStatus ?? []).includes(status)) {
      const err = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
      const mayHaveSucceeded = !idempotent && status >= 500;
      throw new AzureRestError(method, url, status, err?.code, err?.message ?? (typeof body === "string" ? body : ""), mayHaveSucceeded);
    }
    return { status, body: body as T, headers: response.headers.toJSON() };
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

  /** GET every page of a Graph collection (`value` + `@odata.nextLink`) or an ARM list (`nextLink`). */
  async list<T>(path: string, opts?: RequestOptions): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    let query = opts?.query;
    while (next) {
      const page: RestResponse<{ value?: T[]; "@odata.nextLink"?: string; nextLink?: string }> = await this.get(next, { ...opts, query });
      items.push(...(page.body?.value ?? []));
      next = page.body?.["@odata.nextLink"] ?? page.body?.nextLink;
      query = undefined; // next links carry their own query
    }
    return items;
  }
}
