/**
 * Wire faults shared by the fake Graph and the fake ARM: answers a real service (or something in
 * between: a proxy, a captive portal, a load balancer) may give that a client must not take for
 * success. Each fault is either answered instead of the request (not processed) or after it was
 * processed (the work is done, the answer is broken).
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export type WireFault =
  | "redirect"
  | "html"
  | "empty"
  | "truncated"
  | "wrong-shape"
  | "401"
  | "403"
  | "404"
  | "404-html"
  | "409"
  | "429-huge"
  | "429-overflow"
  | "slow-body"
  | "cross-origin-next"
  | "cyclic-next";

export const WIRE_FAULTS: readonly WireFault[] = [
  "redirect",
  "html",
  "empty",
  "truncated",
  "wrong-shape",
  "401",
  "403",
  "404",
  "404-html",
  "409",
  "429-huge",
  "429-overflow",
  "slow-body",
  "cross-origin-next",
  "cyclic-next",
];

/** Faults answered after the service processed the request. */
export const PROCESSED_FIRST: ReadonlySet<string> = new Set<WireFault>(["empty", "truncated", "slow-body", "cross-origin-next", "cyclic-next"]);

export function isWireFault(kind: string): kind is WireFault {
  return (WIRE_FAULTS as readonly string[]).includes(kind);
}

export interface WireFaultContext {
  /** What the service answered (for faults applied after processing). */
  result?: { status: number; body?: unknown };
  /** This server's origin (for the cyclic next link). */
  selfUrl: string;
  /** Another origin (for redirects and cross-origin next links). */
  foreignUrl: string;
  /** Key of the next link in a list page: "@odata.nextLink" (Graph) or "nextLink" (ARM). */
  nextLinkKey: string;
  /** How long the slow body trickles (ms). */
  slowMs: number;
  /** Timers to clear when the server stops. */
  timers?: Set<NodeJS.Timeout>;
}

const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };

function jsonError(res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...JSON_TYPE, ...headers });
  res.end(JSON.stringify({ error: { code, message } }));
}

export function sendWireFault(kind: WireFault, req: http.IncomingMessage, res: http.ServerResponse, ctx: WireFaultContext): void {
  const realText = ctx.result?.body === undefined ? '{"id":"00000000-0000-0000-0000-000000000000","value":[{"id":"x"}]}' : JSON.stringify(ctx.result.body);
  switch (kind) {
    case "redirect":
      res.writeHead(302, { location: `${ctx.foreignUrl}/moved${req.url ?? "/"}`, "content-type": "text/html" });
      res.end("<html><body>Moved</body></html>");
      return;
    case "html":
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body><form>Please sign in to continue</form></body></html>");
      return;
    case "empty":
      res.writeHead(200, JSON_TYPE);
      res.end("");
      return;
    case "truncated":
      res.writeHead(200, JSON_TYPE);
      res.end(realText.slice(0, Math.max(1, Math.floor(realText.length / 2))));
      return;
    case "wrong-shape":
      res.writeHead(200, JSON_TYPE);
      res.end(JSON.stringify([{ unexpected: true }]));
      return;
    case "401":
      return jsonError(res, 401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.");
    case "403":
      return jsonError(res, 403, "AuthorizationFailed", "The client does not have authorization to perform this action.");
    case "404":
      return jsonError(res, 404, "ResourceNotFound", "The resource was not found.");
    case "404-html":
      res.writeHead(404, { "content-type": "text/html" });
      res.end("<html><body><h1>404 Not Found</h1><p>nginx</p></body></html>");
      return;
    case "409":
      return jsonError(res, 409, "Conflict", "Another operation on this resource is in progress.");
    case "429-huge":
      return jsonError(res, 429, "TooManyRequests", "throttled", { "Retry-After": "3600" });
    case "429-overflow":
      // 2,147,484 s is more than 2^31 ms: a naive setTimeout fires at once.
      return jsonError(res, 429, "TooManyRequests", "throttled", { "Retry-After": "2147484" });
    case "slow-body": {
      const text = realText;
      res.writeHead(ctx.result?.status ?? 200, { ...JSON_TYPE, "content-length": String(Buffer.byteLength(text)) });
      res.write(text.slice(0, 1));
      const t = setTimeout(() => {
        ctx.timers?.delete(t);
        if (!res.destroyed) res.end(text.slice(1));
      }, ctx.slowMs);
      ctx.timers?.add(t);
      return;
    }
    case "cross-origin-next":
    case "cyclic-next": {
      const body = (ctx.result?.body ?? { value: [] }) as Record<string, unknown>;
      const link = kind === "cyclic-next" ? `${ctx.selfUrl}${req.url ?? "/"}` : `${ctx.foreignUrl}/next-page?$skiptoken=1`;
      res.writeHead(ctx.result?.status ?? 200, JSON_TYPE);
      res.end(JSON.stringify({ ...body, [ctx.nextLinkKey]: link }));
      return;
    }
  }
}

/** A fault a fake Graph serves: the wire faults plus throttling, server errors, a dropped connection and a slow answer. */
export type GraphFaultKind = "429" | "429-retry-after" | "500" | "503" | "drop" | "slow" | WireFault;

/** A queued fault and the requests it applies to. */
export interface GraphFault {
  kind: GraphFaultKind;
  /** Method to match (default any). */
  method?: string;
  /** Path (without query) to match (default any). */
  path?: RegExp;
  /** Handle the request (e.g. store what it creates) before dropping, stalling or failing it. */
  processFirst?: boolean;
  /** Delay for "slow" and "slow-body" (ms, default 2000). */
  delayMs?: number;
  /** How many matching requests get the fault (default 1). */
  times?: number;
}

/** Takes the first queued fault that matches the request, counting down its `times`. */
export function takeFault(faults: GraphFault[], method: string, pathname: string): GraphFault | undefined {
  const index = faults.findIndex((f) => (!f.method || f.method === method) && (!f.path || f.path.test(pathname)));
  if (index < 0) return undefined;
  const fault = faults[index];
  if ((fault.times ?? 1) <= 1) faults.splice(index, 1);
  else faults[index] = { ...fault, times: (fault.times ?? 1) - 1 };
  return fault;
}

type ServiceResult = { status: number; body?: unknown };

/**
 * Answers a request under `fault` as a Graph-like service would: `run` processes the request (when
 * the fault lets it), `send` writes the service's own answer.
 */
export function answerWithFault(
  fault: GraphFault,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  run: () => ServiceResult,
  send: (result: ServiceResult) => void,
  ctx: { selfUrl: string; foreignUrl: string; timers: Set<NodeJS.Timeout> },
): void {
  if (isWireFault(fault.kind)) {
    const result = PROCESSED_FIRST.has(fault.kind) || fault.processFirst ? run() : undefined;
    sendWireFault(fault.kind, req, res, { ...ctx, result, nextLinkKey: "@odata.nextLink", slowMs: fault.delayMs ?? 2000 });
    return;
  }
  switch (fault.kind) {
    case "429":
      return jsonError(res, 429, "TooManyRequests", "throttled (no Retry-After)");
    case "429-retry-after":
      return jsonError(res, 429, "TooManyRequests", "throttled", { "Retry-After": "1" });
    case "500":
      if (fault.processFirst) run();
      return jsonError(res, 500, "InternalServerError", "injected 500");
    case "503":
      return jsonError(res, 503, "ServiceUnavailable", "injected 503");
    case "drop":
      if (fault.processFirst) run();
      req.socket.destroy();
      return;
    case "slow": {
      const result = fault.processFirst ? run() : undefined;
      setTimeout(() => send(result ?? run()), fault.delayMs ?? 2000).unref();
      return;
    }
  }
}

/** A request a fake Graph received, faulted ones included. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  body?: unknown;
}

/**
 * Serves `handle` on 127.0.0.1 as a Graph-like service: records every request, answers the queued
 * faults (`faults` and `foreignUrl` are read per request, so tests can change them), and closes with
 * every pending timer and connection.
 */
export async function serveFakeGraph(
  handle: (method: string, path: string, query: URLSearchParams, body: unknown) => ServiceResult,
  opts: { requests: RecordedRequest[]; faults: GraphFault[]; foreignUrl: () => string },
): Promise<{ url: string; close: () => Promise<void> }> {
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const parsed = new URL(req.url ?? "/", "http://127.0.0.1");
      const method = req.method ?? "GET";
      opts.requests.push({ method, path: parsed.pathname, query: parsed.search, body: raw ? (JSON.parse(raw) as unknown) : undefined });
      const fault = takeFault(opts.faults, method, parsed.pathname);
      const run = () => handle(method, parsed.pathname, parsed.searchParams, raw ? JSON.parse(raw) : undefined);
      const send = (result: ServiceResult) => {
        if (res.writableEnded || req.socket.destroyed) return;
        res.writeHead(result.status, result.body === undefined ? {} : { "content-type": "application/json" });
        res.end(result.body === undefined ? undefined : JSON.stringify(result.body));
      };
      if (!fault) return send(run());
      answerWithFault(fault, req, res, run, send, { selfUrl: url, foreignUrl: opts.foreignUrl(), timers });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url, close };
}
