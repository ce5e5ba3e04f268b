/**
 * The client honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY as Azure's pipeline does (its proxy
 * policy, not Node: Node's own http client ignores these variables unless NODE_USE_ENV_PROXY is
 * set). A local proxy on 127.0.0.1 records what reaches it; nothing leaves the machine: the CONNECT
 * to a non-loopback host is refused by the proxy.
 *
 * Azure's policy reads the proxy variables when a pipeline is built (each client builds its own)
 * but NO_PROXY once per process, at the first pipeline; it does not exempt loopback by itself, and
 * matches NO_PROXY entries to the host name exactly or as a ".suffix" (no ports, CIDR or "*").
 * So each test here loads the modules afresh (jest.resetModules) with the environment it wants.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

type ClientModule = typeof import("../../components/azure-rest/client");

const PROXY_VARS = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"];
let saved: Record<string, string | undefined> = {};
const closers: (() => Promise<void>)[] = [];

beforeEach(() => {
  saved = Object.fromEntries(PROXY_VARS.map((k) => [k, process.env[k]]));
  for (const k of PROXY_VARS) delete process.env[k];
  jest.resetModules();
});
afterEach(async () => {
  for (const k of PROXY_VARS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await Promise.all(closers.splice(0).map((c) => c()));
});

/** The client module loaded afresh (after jest.resetModules), with Azure's pipeline module. */
function loadClient(): Promise<ClientModule> {
  return import("../../components/azure-rest/client");
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A forward proxy that answers plain-http requests itself and refuses every CONNECT. */
async function startProxy() {
  const seen: { method: string; target: string; ua?: string }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method!, target: req.url!, ua: req.headers["user-agent"] });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ via: "proxy" }));
  });
  server.on("connect", (req, socket) => {
    seen.push({ method: "CONNECT", target: req.url!, ua: req.headers["user-agent"] });
    socket.end("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
  });
  return { url: await listen(server), seen };
}

async function startTarget() {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url!);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ via: "direct" }));
  });
  return { url: await listen(server), seen };
}

const fast = { retryDelayMs: 2, maxRetryDelayMs: 10, timeoutMs: 2000, deadlineMs: 5000, maxRetries: 0 };

it("HTTP_PROXY: a plain-http (loopback) request goes through the proxy, with the user agent", async () => {
  const proxy = await startProxy();
  const target = await startTarget();
  process.env.HTTP_PROXY = proxy.url;
  const { AzureRestClient } = await loadClient();
  const res = await new AzureRestClient({ baseUrl: target.url, ...fast }).get<{ via: string }>("/v1.0/thing");
  expect(res.body.via).toBe("proxy");
  expect(proxy.seen).toEqual([{ method: "GET", target: `${target.url}/v1.0/thing`, ua: expect.stringMatching(/^tenant-guardrails\/\d+\.\d+\.\d+ /) }]);
  expect(target.seen).toEqual([]);
});

it("HTTPS_PROXY: an https request opens a CONNECT tunnel through the proxy (refused here, and the error says so)", async () => {
  const proxy = await startProxy();
  process.env.HTTPS_PROXY = proxy.url;
  const { AzureRestClient } = await loadClient();
  const credential = { getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 3600_000 }) };
  const err = await new AzureRestClient({ baseUrl: "https://graph.example.test", credential, ...fast }).get("/v1.0/thing").catch((e) => e);
  expect(proxy.seen).toEqual([expect.objectContaining({ method: "CONNECT", target: "graph.example.test:443" })]);
  expect(err.message).toMatch(/^GET https:\/\/graph\.example\.test\/v1\.0\/thing failed with HTTP 403: content-type \(none\), empty body/);
});

it("NO_PROXY naming the host sends the request directly", async () => {
  const proxy = await startProxy();
  const target = await startTarget();
  process.env.HTTP_PROXY = proxy.url;
  process.env.NO_PROXY = "127.0.0.1,localhost";
  const { AzureRestClient } = await loadClient();
  const res = await new AzureRestClient({ baseUrl: target.url, ...fast }).get<{ via: string }>("/v1.0/thing");
  expect(res.body.via).toBe("direct");
  expect(proxy.seen).toEqual([]);
});
