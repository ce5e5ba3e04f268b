/**
 * The client fails closed: an answer that is not what the call expects is an error that says what
 * came back; next links stay on the client's origin; every operation is bounded in time and pages.
 * Each test here failed on the client before these rules (it took such answers for success,
 * followed links anywhere, slept as long as Retry-After said, and listed without end).
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AzureRestClient, AzureRestError, PACKAGE_VERSION, checkResponse, retryAfterMs } from "../../components/azure-rest/client";

type Answer = { status?: number; headers?: Record<string, string>; raw?: string; json?: unknown; drop?: boolean; delayMs?: number };

/** A loopback server answering with `answer(request number, url)`; records what it receives. */
async function server(answer: (n: number, url: string) => Answer) {
  const seen: { method: string; url: string; auth?: string; ua?: string }[] = [];
  const srv = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, ua: req.headers["user-agent"] });
      const a = answer(seen.length, req.url!);
      const send = () => {
        if (a.drop) return void req.socket.destroy();
        const body = a.raw ?? JSON.stringify(a.json ?? {});
        res.writeHead(a.status ?? 200, { "content-type": "application/json", ...(a.headers ?? {}) });
        res.end(body);
      };
      if (a.delayMs) setTimeout(send, a.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => { srv.closeAllConnections(); srv.close(() => resolve()); }) };
}

const fast = { retryDelayMs: 2, maxRetryDelayMs: 10, timeoutMs: 300, deadlineMs: 3000 };
let servers: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function start(answer: (n: number, url: string) => Answer) {
  const s = await server(answer);
  servers.push(s);
  return s;
}

describe("an answer the call does not expect is an error that says what came back", () => {
  it.each([
    ["a 302 redirect", { status: 302, headers: { location: "https://login.example.test/start?code=abc", "content-type": "text/html" }, raw: "<html>moved</html>" }, /returned an unexpected response: HTTP 302, content-type text\/html, body "<html>moved<\/html>", redirect to https:\/\/login\.example\.test\/start \(redirects are not followed\); expected HTTP 200 with a JSON object/],
    ["an HTML page with 200", { headers: { "content-type": "text/html; charset=utf-8" }, raw: "<html><title>Sign in</title></html>" }, /HTTP 200, content-type text\/html; charset=utf-8, body "<html><title>Sign in<\/title><\/html>"; expected HTTP 200 with a JSON object/],
    ["an empty body", { raw: "" }, /HTTP 200, content-type application\/json, empty body; expected HTTP 200 with a JSON object/],
    ["a truncated JSON body", { raw: '{"id":"abc","displayName":"FI' }, /body "\{"id":"abc","displayName":"FI"; the JSON body is incomplete or invalid/],
    ["JSON that is not an object", { raw: "[1,2]" }, /body "\[1,2\]"; expected HTTP 200 with a JSON object/],
  ] as [string, Answer, RegExp][])("GET answered with %s", async (_label, answer, says) => {
    const s = await start(() => answer);
    const err = await new AzureRestClient({ baseUrl: s.url, ...fast }).get("/thing").catch((e) => e);
    expect(err).toBeInstanceOf(AzureRestError);
    expect(err.message).toMatch(says);
    expect(err.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/thing returned an unexpected response/);
    expect(s.seen).toHaveLength(1); // not retried: repeating would not change the answer
  });

  it("a list page without an array value is an error, not an empty list", async () => {
    const s = await start(() => ({ json: { items: [] } }));
    await expect(new AzureRestClient({ baseUrl: s.url, ...fast }).list("/things")).rejects.toThrow(/a JSON object without an array "value" \(keys: items\); expected a list page/);
  });

  it("an HTML 404 (from something in between) is not the service's 'gone'", async () => {
    const s = await start(() => ({ status: 404, headers: { "content-type": "text/html" }, raw: "<h1>Not Found</h1>" }));
    await expect(new AzureRestClient({ baseUrl: s.url, ...fast }).delete("/thing", { allowStatus: [404] })).rejects.toThrow(/HTTP 404, content-type text\/html.*counts only as the service's own answer/);
  });

  it("a 2xx a POST cannot read may have created something: the error says so", async () => {
    const s = await start(() => ({ status: 201, raw: "" }));
    const err = await new AzureRestClient({ baseUrl: s.url, ...fast }).post("/things", {}).catch((e) => e);
    expect(err.mayHaveSucceeded).toBe(true);
    expect(err.message).toMatch(/HTTP 201, content-type application\/json, empty body; expected HTTP 200 or 201 with a JSON object\. The request may have been processed/);
  });

  it("excerpts are short, on one line, and mask tokens", () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2lnbmF0dXJl";
    expect(() =>
      checkResponse("GET", "https://x.test/a", { status: 200, contentType: "text/plain", text: `Authorization: Bearer ${jwt}\n${"x".repeat(500)}` }, { idempotent: true }),
    ).toThrow(/body "Authorization: Bearer \[token\] x+…"/);
  });

  it("secrets the client's requests carry are masked before the excerpt re-spaces or cuts them", () => {
    const secret = "LIC\r\nline-0123456789";
    const messageOf = (response: { contentType: string; text: string }, secrets?: string[]) => {
      try {
        checkResponse("PUT", "https://x.test/a", { status: 400, ...response }, { idempotent: true, secrets });
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error("no error");
    };
    // The service echoes it in its JSON error: the excerpt would print it as "LIC line-0123456789".
    const echoed = { contentType: "application/json", text: JSON.stringify({ error: { code: "InvalidLicense", message: `license ${secret} is not valid` } }) };
    expect(messageOf(echoed)).toContain("license LIC line-0123456789 is not valid");
    expect(messageOf(echoed, [secret])).toBe("PUT https://x.test/a failed with HTTP 400 (InvalidLicense): license [secret] is not valid");
    // Where the excerpt's cut falls inside the secret, the part before the cut is not shown either.
    const cut = { contentType: "text/plain", text: `${"x".repeat(110)} ${secret}` };
    expect(messageOf(cut)).toContain(" LIC line-…");
    expect(messageOf(cut, [secret])).toMatch(/x{110} \[sec/);
    expect(messageOf(cut, [secret])).not.toMatch(/LIC/);
  });
});

describe("next links", () => {
  it("are followed only on the client's origin: a link elsewhere is an error and nothing is sent there", async () => {
    const elsewhere = await start(() => ({ json: { value: ["stolen"] } }));
    const s = await start(() => ({ json: { value: [1], "@odata.nextLink": `${elsewhere.url}/page2` } }));
    await expect(new AzureRestClient({ baseUrl: s.url, ...fast }).list("/things")).rejects.toThrow(
      new RegExp(`page 1 links to ${elsewhere.url}/page2, outside ${s.url}; next links are followed only on the client's own origin`),
    );
    expect(elsewhere.seen).toEqual([]);
  });

  it("a link that cycles back stops at once, saying so", async () => {
    // Cycles for 50 pages, then ends (so a client without cycle detection ends too).
    const s = await start((n, url) => ({ json: { value: [n], nextLink: n < 50 ? `${url.split("?")[0]}?page=1` : undefined } }));
    await expect(new AzureRestClient({ baseUrl: s.url, ...fast }).list("/things", { query: { page: "1" } })).rejects.toThrow(/page 2 of the listing links back to a page already read \(a nextLink cycle\)/);
    expect(s.seen.length).toBeLessThanOrEqual(2);
  });

  it("more pages than maxPages stop with an error, never a partial list", async () => {
    const s = await start((n) => ({ json: { value: [n], nextLink: `/things?page=${n + 1}` } }));
    await expect(new AzureRestClient({ baseUrl: s.url, ...fast, maxPages: 5 }).list("/things")).rejects.toThrow(/more than 5 pages \(maxPages\)/);
    expect(s.seen).toHaveLength(5);
  });
});

describe("every operation is bounded in time", () => {
  it("a Retry-After longer than the deadline fails at once, saying so", async () => {
    const s = await start(() => ({ status: 429, headers: { "Retry-After": "3600" }, json: { error: { code: "TooManyRequests", message: "slow down" } } }));
    const started = Date.now();
    const err = await new AzureRestClient({ baseUrl: s.url, ...fast }).get("/thing").catch((e) => e);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err.message).toMatch(/stopped: the service answered HTTP 429 and asked to wait 3600 s \(Retry-After\), longer than the \d+ ms left of the operation's deadline of 3000 ms/);
  }, 5000);

  it("a Retry-After beyond Node's timer range (2^31 ms) is not taken as 'retry now'", async () => {
    const s = await start((n) => (n === 1 ? { status: 429, headers: { "Retry-After": "2147484" } } : { json: { ok: true } }));
    await expect(new AzureRestClient({ baseUrl: s.url, ...fast }).get("/thing")).rejects.toThrow(/asked to wait 2147484 s \(Retry-After\)/);
    expect(s.seen).toHaveLength(1);
  });

  it("retries stop at the deadline, which covers all calls made through the client", async () => {
    const s = await start(() => ({ status: 503, delayMs: 150 }));
    const client = new AzureRestClient({ baseUrl: s.url, retryDelayMs: 50, maxRetryDelayMs: 50, maxRetries: 100, timeoutMs: 1000, deadlineMs: 700 });
    const started = Date.now();
    const err = await client.get("/thing").catch((e) => e);
    const took = Date.now() - started;
    expect(took).toBeLessThan(1000);
    expect(err).toBeInstanceOf(AzureRestError);
    expect(err.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/thing stopped: .*deadline of 700 ms/);
    // The second call shares the first one's budget: it stops at the same deadline (before it is
    // sent, or while it waits when the first call gave up early because no retry fitted), instead
    // of retrying for another 700 ms.
    await expect(client.get("/other")).rejects.toThrow(/the operation's deadline of 700 ms \(deadlineMs \/ TENANT_GUARDRAILS_HTTP_DEADLINE_MS\) passed (before the request was sent|while waiting for the response)/);
    expect(Date.now() - started).toBeLessThan(1100);
  });

  it("a slow answer is cut at the deadline with a message naming it", async () => {
    const s = await start(() => ({ delayMs: 2000, json: {} }));
    const err = await new AzureRestClient({ baseUrl: s.url, ...fast, timeoutMs: 5000, deadlineMs: 300 }).get("/thing").catch((e) => e);
    expect(err.message).toMatch(/stopped: the operation's deadline of 300 ms .* passed while waiting for the response/);
  });

  it("the deadline comes from TENANT_GUARDRAILS_HTTP_DEADLINE_MS when not given, and a bad value is refused by name", () => {
    const before = process.env.TENANT_GUARDRAILS_HTTP_DEADLINE_MS;
    try {
      process.env.TENANT_GUARDRAILS_HTTP_DEADLINE_MS = "soon";
      expect(() => new AzureRestClient({ baseUrl: "https://graph.microsoft.com" })).toThrow(/TENANT_GUARDRAILS_HTTP_DEADLINE_MS soon is not a usable deadline\. Fix: give a number of milliseconds/);
      process.env.TENANT_GUARDRAILS_HTTP_DEADLINE_MS = "1234";
      expect(new AzureRestClient({ baseUrl: "https://graph.microsoft.com" }).remainingMs()).toBeLessThanOrEqual(1234);
    } finally {
      if (before === undefined) delete process.env.TENANT_GUARDRAILS_HTTP_DEADLINE_MS;
      else process.env.TENANT_GUARDRAILS_HTTP_DEADLINE_MS = before;
    }
  });

  it("reads Retry-After as seconds, an HTTP date or milliseconds", () => {
    const h = (o: Record<string, string>) => ({ get: (n: string) => o[n] });
    expect(retryAfterMs(h({ "retry-after": "2" }))).toBe(2000);
    expect(retryAfterMs(h({ "retry-after-ms": "150" }))).toBe(150);
    expect(retryAfterMs(h({ "retry-after": new Date(10_000).toUTCString() }), 4_000)).toBe(6000);
    expect(retryAfterMs(h({ "retry-after": "soon" }))).toBeUndefined();
  });
});

describe("Azure's standard pipeline", () => {
  it("sends the user agent tenant-guardrails/<version> (before Azure's own)", async () => {
    const s = await start(() => ({ json: {} }));
    await new AzureRestClient({ baseUrl: s.url, ...fast }).get("/thing");
    expect(s.seen[0].ua).toMatch(new RegExp(`^tenant-guardrails/${PACKAGE_VERSION.replace(/\./g, "\\.")} core-rest-pipeline/`));
  });

  it("the version in the user agent is the package's", () => {
    expect(PACKAGE_VERSION).toBe(JSON.parse(readFileSync(join(__dirname, "../../package.json"), "utf8")).version);
  });
});
