/**
 * A fake Azure Resource Manager for the Defender BYOL calls, on 127.0.0.1 with a random port.
 * It keeps the solutions and their linked VMs, records every request, and injects faults on
 * demand: 429 with or without Retry-After, 500, 503, a dropped connection (before or after the
 * request was processed) and a slow response (processed, answered after a delay), plus the wire
 * faults of test/helpers/http-faults (redirects, HTML, empty, truncated or wrong-shape bodies,
 * 401/403/404/409, huge Retry-After, a slow body, cross-origin or cyclic next links) and solution
 * reads that lag behind links (`linkLagReads`).
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { PROCESSED_FIRST, isWireFault, sendWireFault, type WireFault } from "../helpers/http-faults";
import type { QualysByolSolutionState } from "../../components/defender/byol-provider";

/** The subscription the BYOL tests use, and the ARM id of its test VM number `n`. */
export const BYOL_TEST_SUBSCRIPTION = "11111111-1111-1111-1111-111111111111";
export const byolTestVm = (n: number) =>
  `/subscriptions/${BYOL_TEST_SUBSCRIPTION}/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm-${String(n).padStart(2, "0")}`;

/** Inputs of a Qualys BYOL solution in the test subscription, against `armEndpoint`. */
export function byolTestState(armEndpoint: string, over: Partial<QualysByolSolutionState> = {}): QualysByolSolutionState {
  return {
    armEndpoint,
    subscriptionId: BYOL_TEST_SUBSCRIPTION,
    resourceGroupName: "rg-security",
    location: "westeurope",
    solutionName: "qualys-byol",
    licenseCode: "TEST-LICENSE",
    publicKey: "TEST-PUBKEY",
    autoUpdate: false,
    linkedVmIds: [],
    ...over,
  };
}

export type FaultKind = "429" | "429-retry-after" | "500" | "503" | "drop" | "drop-after-processing" | "slow-after-processing" | WireFault;

export interface Fault {
  method: string;
  /** Matches when the request path ends with this string (after decoding). */
  pathEndsWith: string;
  kind: FaultKind;
  /** How many matching requests get the fault (default 1). */
  times?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

interface Solution {
  id: string;
  pendingReads: number;
  template: string;
  provisioningParameters: string;
  linked: string[];
}

export class FakeArm {
  readonly requests: RecordedRequest[] = [];
  readonly solutions = new Map<string, Solution>();
  /** Solution ids in the order they were first created. */
  readonly solutionsCreated: string[] = [];
  /** Every VM id each processed link request added. */
  readonly linkEvents: string[] = [];
  /** VM ids a link request sent although the solution already listed them. */
  readonly duplicateLinks: string[] = [];
  /** VMs that refuse to be unlinked (stopped). */
  readonly stoppedVms = new Set<string>();
  readonly pricingPuts: { path: string; body: unknown }[] = [];
  /** Reads that report a new or updated solution as still provisioning (then "Succeeded"; "Failed" when failProvisioning). */
  provisioningReads = 0;
  /** The subscription's Defender for Cloud home region. */
  homeRegion = "westeurope";
  failProvisioning = false;
  /** When set, error responses echo the request body (as a careless service might). */
  echoBodyInErrors = false;
  /** When set, error responses echo what this makes of the request body's text (an encoding of it). */
  errorEcho: ((requestText: string) => string) | undefined;
  /** Error responses as plain text (`<code>: <message>`) instead of an ARM JSON error. */
  errorBodyAsText = false;
  /** Every solution PUT is refused (400 InvalidLicense), with the echo above. */
  rejectSolutionPuts = false;
  slowMs = 600;
  /** A VM linked by a PUT is missing from the next `linkLagReads` reads of its solution (eventual consistency). */
  linkLagReads = 0;
  /** Another origin, used by redirect and cross-origin next-link faults. */
  foreignUrl = "http://127.0.0.1:9";
  private lagging = new Map<string, number>();
  private faults: Required<Fault>[] = [];
  private server: http.Server | undefined;
  private timers = new Set<NodeJS.Timeout>();

  get url(): string {
    const addr = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${addr.port}`;
  }

  get writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== "GET");
  }

  inject(...faults: Fault[]): void {
    this.faults.push(...faults.map((f) => ({ times: 1, ...f })));
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Add a solution as if it existed before the test. */
  seedSolution(id: string, linked: string[] = [], template = "qualys.qualysAgent"): void {
    this.solutions.set(id.toLowerCase(), { id, template, provisioningParameters: "{}", linked: [...linked], pendingReads: 0 });
  }

  linkedOf(id: string): string[] {
    return this.solutions.get(id.toLowerCase())?.linked ?? [];
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => this.handle(req, res, Buffer.concat(chunks).toString("utf8")));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private takeFault(method: string, path: string): FaultKind | undefined {
    const i = this.faults.findIndex((f) => f.method === method && path.toLowerCase().endsWith(f.pathEndsWith.toLowerCase()) && f.times > 0);
    if (i < 0) return undefined;
    const f = this.faults[i];
    f.times -= 1;
    if (f.times === 0) this.faults.splice(i, 1);
    return f.kind;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, text: string): void {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = decodeURIComponent(url.pathname);
    const method = req.method ?? "GET";
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    this.requests.push({ method, path, query: Object.fromEntries(url.searchParams), body });

    const fault = this.takeFault(method, path);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      const error = (payload as { error?: { code: string; message: string } } | undefined)?.error;
      if (this.errorBodyAsText && status >= 400 && error) {
        res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", ...headers });
        return void res.end(`${error.code}: ${error.message}`);
      }
      res.writeHead(status, { "Content-Type": "application/json", ...headers });
      res.end(payload === undefined ? "" : JSON.stringify(payload));
    };
    if (fault === "429") return send(429, { error: { code: "TooManyRequests", message: "slow down" } });
    if (fault === "429-retry-after") return send(429, { error: { code: "TooManyRequests", message: "slow down" } }, { "Retry-After": "1" });
    if (fault === "500") return send(500, { error: { code: "InternalServerError", message: "boom" } });
    if (fault === "503") return send(503, { error: { code: "ServiceUnavailable", message: "try later" } });
    if (fault === "drop") return void req.socket.destroy();
    const wire = (result?: { status: number; body?: unknown }) =>
      sendWireFault(fault as WireFault, req, res, { result, selfUrl: this.url, foreignUrl: this.foreignUrl, nextLinkKey: "nextLink", slowMs: this.slowMs, timers: this.timers });
    if (fault && isWireFault(fault) && !PROCESSED_FIRST.has(fault)) return wire();

    const [status, payload] = this.route(method, path, url.searchParams, body, text);
    if (fault && isWireFault(fault)) return wire({ status, body: payload });
    if (fault === "drop-after-processing") return void req.socket.destroy();
    if (fault === "slow-after-processing") {
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (!res.destroyed) send(status, payload);
      }, this.slowMs);
      this.timers.add(t);
      return;
    }
    send(status, payload);
  }

  /** The linked VMs a read shows: those linked within the lag are left out (one read fewer each time). */
  private visibleLinks(s: Solution): string[] {
    const visible = s.linked.filter((id) => !this.lagging.has(id.toLowerCase()));
    for (const [id, n] of this.lagging) {
      if (n <= 1) this.lagging.delete(id);
      else this.lagging.set(id, n - 1);
    }
    return visible;
  }

  private route(method: string, path: string, query: URLSearchParams, body: unknown, text: string): [number, unknown] {
    const echo = this.errorEcho ?? (this.echoBodyInErrors ? (t: string) => t : undefined);
    const error = (status: number, code: string, message: string): [number, unknown] => [status, { error: { code, message: echo ? `${message}; request was ${echo(text)}` : message } }];
    const solutionMatch = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Security\/locations\/[^/]+\/securitySolutions\/[^/]+)(\/protectedResources(?:\/(.+))?)?$/i.exec(path);
    if (/^\/subscriptions\/[^/]+\/providers\/Microsoft\.Security\/securitySolutions$/i.test(path) && method === "GET") {
      const sub = path.split("/")[2].toLowerCase();
      const value = [...this.solutions.values()]
        .filter((s) => s.id.toLowerCase().startsWith(`/subscriptions/${sub}/`))
        .map((s) => ({ id: s.id, name: s.id.split("/").pop(), properties: { securityFamily: "Va", template: s.template, provisioningState: "Succeeded", protectionStatus: "Healthy" } }));
      return [200, { value }];
    }
    if (/^\/subscriptions\/[^/]+\/providers\/Microsoft\.Security\/locations$/i.test(path) && method === "GET") {
      return [200, { value: [{ id: `${path}/${this.homeRegion}`, name: this.homeRegion, properties: { homeRegionName: this.homeRegion } }] }];
    }
    if (/\/providers\/Microsoft\.Security\/pricings\/VirtualMachines$/i.test(path) && method === "PUT") {
      this.pricingPuts.push({ path, body });
      return [200, { id: path, name: "VirtualMachines", properties: (body as { properties: unknown }).properties }];
    }
    if (!solutionMatch) return error(404, "NotFound", `no route for ${method} ${path}`);
    const [, solutionId, sub, vmId] = solutionMatch;
    const key = solutionId.toLowerCase();
    const solution = this.solutions.get(key);
    const provisioningState = (s: Solution) => {
      if (s.pendingReads > 0 && method === "GET") {
        s.pendingReads -= 1;
        return "Provisioning";
      }
      return s.pendingReads > 0 ? "Provisioning" : this.failProvisioning ? "Failed" : "Succeeded";
    };
    const view = (s: Solution) => ({
      id: s.id,
      name: s.id.split("/").pop(),
      properties: {
        securityFamily: "Va",
        template: s.template,
        provisioningState: provisioningState(s),
        ...(query.get("includeProtectedResources") === "true" ? { protectedResources: this.visibleLinks(s).map((id) => ({ ResourceAzureId: id })) } : {}),
      },
    });

    if (!sub) {
      if (method === "GET") return solution ? [200, view(solution)] : error(404, "NotFound", "solution not found");
      if (method === "PUT") {
        const props = (body as { Properties?: { Template?: string; ProvisioningParameters?: string } }).Properties ?? {};
        if (typeof props.ProvisioningParameters !== "string") return error(400, "BadRequest", "ProvisioningParameters must be a JSON string");
        const params = JSON.parse(props.ProvisioningParameters) as { licenseCode?: string };
        if (this.rejectSolutionPuts) return error(400, "InvalidLicense", "the license code is not valid");
        if (params.licenseCode === "REJECTED-LICENSE-0000") return error(400, "InvalidLicense", `license code ${params.licenseCode} is not valid`);
        if (solution) {
          solution.provisioningParameters = props.ProvisioningParameters;
          solution.pendingReads = this.provisioningReads;
          return [200, view(solution)];
        }
        const created: Solution = { id: solutionId, template: props.Template ?? "", provisioningParameters: props.ProvisioningParameters, linked: [], pendingReads: this.provisioningReads };
        this.solutions.set(key, created);
        this.solutionsCreated.push(solutionId);
        return [201, view(created)];
      }
      if (method === "DELETE") {
        if (!solution) return [404, undefined];
        if (solution.linked.length > 100) return error(400, "TooManyProtectedResources", "unlink the resources first");
        this.solutions.delete(key);
        return [200, undefined];
      }
    }
    if (!solution) return error(404, "NotFound", "solution not found");
    if (sub && !vmId && method === "PUT") {
      if (solution.pendingReads > 0) return error(409, "SolutionNotReady", "the solution is still provisioning");
      for (const item of body as { ResourceAzureId: string }[]) {
        const id = item.ResourceAzureId;
        if (solution.linked.some((x) => x.toLowerCase() === id.toLowerCase())) {
          this.duplicateLinks.push(id);
          continue;
        }
        solution.linked.push(id);
        this.linkEvents.push(id);
        if (this.linkLagReads > 0) this.lagging.set(id.toLowerCase(), this.linkLagReads);
      }
      return [200, undefined];
    }
    if (vmId && method === "DELETE") {
      if (this.stoppedVms.has(vmId)) return error(409, "VmNotRunning", `the VM ${vmId} must be running to be unlinked`);
      const before = solution.linked.length;
      solution.linked = solution.linked.filter((x) => x.toLowerCase() !== vmId.toLowerCase());
      return before === solution.linked.length ? [404, undefined] : [200, undefined];
    }
    return error(405, "MethodNotAllowed", `${method} ${path}`);
  }
}
