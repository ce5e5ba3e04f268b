import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { AzureRestClient, AzureRestError } from "../../components/azure-rest/client";

type Step = { status?: number; headers?: Record<string, string>; body?: unknown; drop?: boolean; delayMs?: number };

/** A loopback server that answers each request with the next scripted step (then 200 {}). */
async function scriptedServer(steps: Step[]) {
  const seen: { method: string; url: string; auth?: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      const step = steps.shift() ?? { status: 200, body: { ok: true } };
      const answer = () => {
        if (step.drop) {
          req.socket.destroy();
          return;
        }
        res.writeHead(step.status ?? 200, { "content-type": "application/json", ...(step.headers ?? {}) });
        res.end(JSON.stringify(step.body ?? {}));
      };
      if (step.delayMs) setTimeout(answer, step.delayMs).unref();
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

const fast = { retryDelayMs: 5, maxRetryDelayMs: 20, timeoutMs: 300 };

describe("AzureRestClient", () => {
  it("refuses plain http to anything but loopback", () => {
    expect(() => new AzureRestClient({ baseUrl: "http://graph.microsoft.com" })).toThrow(/must be https/);
  });

  it("retries a GET through 429 with and without Retry-After, 503, a dropped connection and a timeout", async () => {
    const s = await scriptedServer([
      { status: 429, headers: { "Retry-After": "0" } },
      { status: 429 },
      { status: 503 },
      { drop: true },
      { delayMs: 1000 },
      { status: 200, body: { value: 42 } },
    ]);
    try {
      const client = new AzureRestClient({ baseUrl: s.url, ...fast, maxRetries: 8 });
      const r = await client.get<{ value: number }>("/things/1");
      expect(r.body.value).toBe(42);
      expect(s.seen).toHaveLength(6);
      expect(s.seen.every((x) => x.auth === "Bearer loopback-test-token")).toBe(true);
    } finally {
      await s.close();
    }
  });

  it("retries a POST only when throttled, and says a failed POST may have been processed", async () => {
    const s = await scriptedServer([{ status: 429 }, { status: 500, body: { error: { code: "InternalServerError", message: "boom" } } }]);
    try {
      const client = new AzureRestClient({ baseUrl: s.url, ...fast });
      const err = await client.post("/things", { a: 1 }).catch((e) => e);
      expect(err).toBeInstanceOf(AzureRestError);
      expect(err.status).toBe(500);
      expect(err.mayHaveSucceeded).toBe(true);
      expect(err.message).toMatch(/POST .*\/things failed with HTTP 500 \(InternalServerError\): boom\. The request may have been processed/);
      expect(s.seen.map((x) => x.method)).toEqual(["POST", "POST"]);
      expect(JSON.parse(s.seen[1].body)).toEqual({ a: 1 });
    } finally {
      await s.close();
    }
  });

  it("does not repeat a POST whose connection dropped", async () => {
    const s = await scriptedServer([{ drop: true }]);
    try {
      const client = new AzureRestClient({ baseUrl: s.url, ...fast });
      const err = await client.post("/things", {}).catch((e) => e);
      expect(err).toBeInstanceOf(AzureRestError);
      expect(err.mayHaveSucceeded).toBe(true);
      expect(s.seen).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it("does not repeat a POST that timed out, and says it may have been processed", async () => {
    const s = await scriptedServer([{ delayMs: 1000 }]);
    try {
      const err = await new AzureRestClient({ baseUrl: s.url, ...fast }).post("/things", {}).catch((e) => e);
      expect(err).toBeInstanceOf(AzureRestError);
      expect(err.code).toBe("ETIMEDOUT");
      expect(err.mayHaveSucceeded).toBe(true);
      expect(s.seen).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it("gives up after maxRetries with the service's error, and returns allowed statuses", async () => {
    const s = await scriptedServer([{ status: 503 }, { status: 503 }, { status: 503, body: { error: { code: "ServiceUnavailable", message: "try later" } } }, { status: 404, body: { error: { code: "NotFound", message: "gone" } } }]);
    try {
      const client = new AzureRestClient({ baseUrl: s.url, ...fast, maxRetries: 2 });
      await expect(client.get("/x")).rejects.toThrow(/GET .*\/x failed with HTTP 503 \(ServiceUnavailable\): try later/);
      const r = await client.get("/y", { allowStatus: [404] });
      expect(r.status).toBe(404);
    } finally {
      await s.close();
    }
  });

  it("follows Graph nextLink pages", async () => {
    const steps: Step[] = [];
    const s = await scriptedServer(steps);
    steps.push({ body: { value: [1, 2], "@odata.nextLink": `${s.url}/items?$skiptoken=2` } }, { body: { value: [3] } });
    try {
      const items = await new AzureRestClient({ baseUrl: s.url, ...fast }).list<number>("/items", { query: { $top: "2" } });
      expect(items).toEqual([1, 2, 3]);
      expect(s.seen.map((x) => x.url)).toEqual(["/items?%24top=2", "/items?$skiptoken=2"]);
    } finally {
      await s.close();
    }
  });
});
