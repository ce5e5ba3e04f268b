/**
 * Retry-After is obeyed: the client's own back-off for 429 without Retry-After (and for 5xx) must
 * not pre-empt the wait the service asked for. Asserts a lower bound on the gap the server sees
 * between the throttled request and its retry (a wait cannot be shorter than asked).
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { AzureRestClient } from "../../components/azure-rest/client";

async function serverAnswering(first: { status: number; headers: Record<string, string> }) {
  const arrivals: number[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      arrivals.push(Date.now());
      if (arrivals.length === 1) res.writeHead(first.status, { "content-type": "application/json", ...first.headers });
      else res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, arrivals, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

describe("AzureRestClient and Retry-After", () => {
  it.each([
    ["429 on GET", "GET", 429],
    ["429 on POST", "POST", 429],
    ["503 on GET", "GET", 503],
  ] as const)("waits the Retry-After seconds of a %s instead of its own short back-off", async (_label, method, status) => {
    const s = await serverAnswering({ status, headers: { "Retry-After": "1" } });
    try {
      const client = new AzureRestClient({ baseUrl: s.url, retryDelayMs: 1, maxRetryDelayMs: 5 });
      await client.request(method, "/throttled", method === "POST" ? { body: {} } : {});
      expect(s.arrivals).toHaveLength(2);
      expect(s.arrivals[1] - s.arrivals[0]).toBeGreaterThanOrEqual(950);
    } finally {
      await s.close();
    }
  });
});
