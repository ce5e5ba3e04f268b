/**
 * A fake Microsoft Graph for Intune device configurations, on 127.0.0.1 (random port). It keeps
 * profiles and assignments in memory, behaves like Graph where it matters to the provider (adds
 * defaults and read-only fields, can mask string OMA values, returns assignments in its own order,
 * pages collections) and injects faults on demand: 429 with and without Retry-After, 5xx, a
 * dropped connection and a slow response — optionally after processing the request, as a real
 * service may do before the connection fails — plus the wire faults of test/helpers/http-faults
 * (redirects, HTML, empty, truncated or wrong-shape bodies, 401/403/404/409, huge Retry-After, a
 * slow body, cross-origin or cyclic next links) and a listing that lags behind creates (`lagReads`).
 * Used by test/intune, the fault matrix and bench.
 */
import { randomUUID } from "node:crypto";
import { serveFakeGraph, type GraphFault, type GraphFaultKind } from "../helpers/http-faults";

export type FaultKind = GraphFaultKind;
export type Fault = GraphFault;

export interface StoredAssignment {
  id: string;
  target: Record<string, unknown>;
}

export interface FakeProfile {
  id: string;
  body: Record<string, unknown>;
  assignments: StoredAssignment[];
}

export interface FakeGraph {
  url: string;
  /** Profiles by id: tests edit this to simulate changes made in the portal. */
  store: Map<string, FakeProfile>;
  /** Every request received, in order (faulted ones included). */
  requests: { method: string; path: string; query: string; body?: unknown }[];
  /** Faults to inject, consumed in order by the first matching request. */
  faults: Fault[];
  /** Mask string OMA values on read ("****" + isEncrypted), as Graph beta does. */
  maskStrings: boolean;
  /** Page size of collection GETs (to exercise @odata.nextLink). */
  pageSize: number;
  /** Ignore `$expand=assignments` (as a service that does not support it would). */
  ignoreExpand: boolean;
  /** A profile created by POST is missing from the next `lagReads` collection GETs (eventual consistency). */
  lagReads: number;
  /** Another origin, used by redirect and cross-origin next-link faults. */
  foreignUrl: string;
  close(): Promise<void>;
}

const BASE = "/v1.0/deviceManagement/deviceConfigurations";

export async function startFakeGraph(): Promise<FakeGraph> {
  const store = new Map<string, FakeProfile>();
  const requests: FakeGraph["requests"] = [];
  const faults: Fault[] = [];
  // The settings tests change live on the returned object itself; url and close are set once it listens.
  const fake: FakeGraph = { url: "", store, requests, faults, maskStrings: false, pageSize: 50, ignoreExpand: false, lagReads: 0, foreignUrl: "http://127.0.0.1:9", close: async () => undefined };
  /** Profiles still hidden from listings, with the listings left to hide them from. */
  const lagging = new Map<string, number>();

  const view = (p: FakeProfile, select?: string[]): Record<string, unknown> => {
    const body: Record<string, unknown> = { ...p.body, id: p.id };
    if (Array.isArray(body.omaSettings)) {
      body.omaSettings = (body.omaSettings as Record<string, unknown>[]).map((s) => {
        const isString = s["@odata.type"] === "#microsoft.graph.omaSettingString";
        return isString && fake.maskStrings ? { ...s, value: "****", isEncrypted: true } : { ...s, isEncrypted: false };
      });
    }
    if (!select) return body;
    return Object.fromEntries(Object.entries(body).filter(([k]) => k === "@odata.type" || select.includes(k)));
  };

  const withDefaults = (input: Record<string, unknown>, previous?: Record<string, unknown>): Record<string, unknown> => {
    const now = new Date().toISOString();
    const oma = Array.isArray(input.omaSettings) ? (input.omaSettings as Record<string, unknown>[]) : [];
    return {
      ...previous,
      ...input,
      description: input.description ?? previous?.description ?? null,
      omaSettings: oma.map((s) => ({ description: null, isReadOnly: false, secretReferenceValueId: null, ...s })),
      createdDateTime: previous?.createdDateTime ?? now,
      lastModifiedDateTime: now,
      version: ((previous?.version as number | undefined) ?? 0) + 1,
      roleScopeTagIds: ["0"],
      supportsScopeTags: true,
    };
  };

  // Returns the response to send, or null when the request was answered (404 etc.).
  const handle = (method: string, path: string, query: URLSearchParams, body: unknown): { status: number; body?: unknown } => {
    if (path === BASE && method === "GET") {
      const select = query.get("$select")?.split(",");
      const skip = Number(query.get("$skiptoken") ?? "0");
      const all = [...store.values()].filter((p) => !lagging.has(p.id));
      for (const [id, n] of lagging) {
        if (n <= 1) lagging.delete(id);
        else lagging.set(id, n - 1);
      }
      const page = all.slice(skip, skip + fake.pageSize).map((p) => view(p, select));
      const next = skip + fake.pageSize < all.length ? `${fake.url}${BASE}?$skiptoken=${skip + fake.pageSize}${select ? `&$select=${select.join(",")}` : ""}` : undefined;
      return { status: 200, body: { value: page, ...(next ? { "@odata.nextLink": next } : {}) } };
    }
    if (path === BASE && method === "POST") {
      const id = randomUUID();
      store.set(id, { id, body: withDefaults(body as Record<string, unknown>), assignments: [] });
      if (fake.lagReads > 0) lagging.set(id, fake.lagReads);
      return { status: 201, body: view(store.get(id)!) };
    }
    const m = /^\/v1\.0\/deviceManagement\/deviceConfigurations\/([^/]+)(\/assign|\/assignments)?$/.exec(path);
    const profile = m ? store.get(decodeURIComponent(m[1])) : undefined;
    if (!m) return { status: 400, body: { error: { code: "BadRequest", message: `no route for ${method} ${path}` } } };
    if (!profile) return { status: 404, body: { error: { code: "ResourceNotFound", message: "not found" } } };
    const assignmentsView = () =>
      // Graph returns assignments in its own order: newest first here.
      [...profile.assignments].reverse().map((a) => ({ id: a.id, target: { deviceAndAppManagementAssignmentFilterId: null, deviceAndAppManagementAssignmentFilterType: "none", ...a.target } }));
    if (!m[2] && method === "GET") {
      const result = view(profile);
      if (query.get("$expand") === "assignments" && !fake.ignoreExpand) result.assignments = assignmentsView();
      return { status: 200, body: result };
    }
    if (!m[2] && method === "PATCH") {
      profile.body = withDefaults(body as Record<string, unknown>, profile.body);
      return { status: 204 };
    }
    if (!m[2] && method === "DELETE") {
      store.delete(profile.id);
      return { status: 204 };
    }
    if (m[2] === "/assignments" && method === "GET") return { status: 200, body: { value: assignmentsView() } };
    if (m[2] === "/assign" && method === "POST") {
      const list = ((body as { assignments?: { target: Record<string, unknown> }[] }).assignments ?? []).map((a) => ({ id: randomUUID(), target: a.target }));
      profile.assignments = list;
      return { status: 200, body: { value: assignmentsView() } };
    }
    return { status: 405, body: { error: { code: "MethodNotAllowed", message: `${method} ${path}` } } };
  };

  const served = await serveFakeGraph(handle, { requests, faults, foreignUrl: () => fake.foreignUrl });
  return Object.assign(fake, served);
}
