/**
 * Realistic Entra sign-in logs, deterministic per seed, in the shapes people export them:
 * Graph `/auditLogs/signIns` objects (camelCase, beta fields included) and Log Analytics
 * `SigninLogs` / `AADNonInteractiveUserSignInLogs` rows (PascalCase; the non-interactive table
 * keeps its dynamic columns as JSON text), as JSON or CSV. A tenant of members, B2B guests,
 * break-glass and service accounts; Office 365, Azure and third-party apps; browsers, modern and
 * legacy clients; joined, hybrid joined, registered and unregistered devices with the display
 * strings the logs use (old "Azure AD ..." and new "Microsoft Entra ..." forms).
 */
import { pick, prng } from "../../bench/util";

export const TENANT_ID = "6f1b2c3d-0000-4000-8000-00000000aaaa";
export const PARTNER_TENANT_ID = "7a2b3c4d-0000-4000-8000-00000000bbbb";
export const MICROSOFT_TENANT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
export const BREAK_GLASS_IDS = ["5d2a7e3c-1f4b-4c8e-9a0d-3b6f2e1c7a10", "8e4b1c9d-2a6f-4d3e-b7c8-1f0a9e2d6b21"];

export interface GeneratedUser {
  id: string;
  upn: string;
  kind: "member" | "guest" | "breakGlass" | "service";
}

interface App {
  appId: string;
  appDisplayName: string;
  resourceId: string;
  resourceDisplayName: string;
  owner: string;
  weight: number;
}

const APPS: App[] = [
  { appId: "d3590ed6-52b3-4102-aeff-aad2292ab01c", appDisplayName: "Microsoft Office", resourceId: "00000002-0000-0ff1-ce00-000000000000", resourceDisplayName: "Office 365 Exchange Online", owner: MICROSOFT_TENANT, weight: 30 },
  { appId: "00000002-0000-0ff1-ce00-000000000000", appDisplayName: "Office 365 Exchange Online", resourceId: "00000002-0000-0ff1-ce00-000000000000", resourceDisplayName: "Office 365 Exchange Online", owner: MICROSOFT_TENANT, weight: 10 },
  { appId: "1fec8e78-bce4-4aaf-ab1b-5451cc387264", appDisplayName: "Microsoft Teams", resourceId: "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", resourceDisplayName: "Microsoft Teams Services", owner: MICROSOFT_TENANT, weight: 20 },
  { appId: "ab9b8c07-8f02-4f72-87fa-80105867a763", appDisplayName: "OneDrive SyncEngine", resourceId: "00000003-0000-0ff1-ce00-000000000000", resourceDisplayName: "Office 365 SharePoint Online", owner: MICROSOFT_TENANT, weight: 15 },
  { appId: "4765445b-32c6-49b0-83e6-1d93765276ca", appDisplayName: "OfficeHome", resourceId: "4765445b-32c6-49b0-83e6-1d93765276ca", resourceDisplayName: "OfficeHome", owner: MICROSOFT_TENANT, weight: 8 },
  { appId: "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", appDisplayName: "Azure Portal", resourceId: "797f4846-ba00-4fd7-ba43-dac1f8f63013", resourceDisplayName: "Windows Azure Service Management API", owner: MICROSOFT_TENANT, weight: 5 },
  { appId: "9b2c4d6e-1111-4222-8333-444455556666", appDisplayName: "Salesforce", resourceId: "9b2c4d6e-1111-4222-8333-444455556666", resourceDisplayName: "Salesforce", owner: "0b0e0e0e-5555-4666-8777-888899990000", weight: 6 },
];

/** Devices: OS string from the user agent, the trust type display string, and whether compliant. */
const DEVICES: { os: string; trust: string; compliant: boolean; weight: number }[] = [
  { os: "Windows 10", trust: "Hybrid Azure AD joined", compliant: true, weight: 20 },
  { os: "Windows 10", trust: "Azure AD joined", compliant: true, weight: 15 },
  { os: "Windows", trust: "Microsoft Entra joined", compliant: true, weight: 10 },
  { os: "Windows", trust: "Microsoft Entra hybrid joined", compliant: false, weight: 5 },
  { os: "Windows 10", trust: "Azure AD registered", compliant: false, weight: 5 },
  { os: "Windows 10", trust: "", compliant: false, weight: 8 },
  { os: "MacOs", trust: "Microsoft Entra registered", compliant: true, weight: 5 },
  { os: "MacOs", trust: "", compliant: false, weight: 4 },
  { os: "Ios", trust: "Azure AD registered", compliant: true, weight: 10 },
  { os: "Android", trust: "", compliant: false, weight: 6 },
  { os: "Linux", trust: "", compliant: false, weight: 2 },
  { os: "", trust: "", compliant: false, weight: 2 },
];

const CLIENTS: { used: string; weight: number }[] = [
  { used: "Browser", weight: 40 },
  { used: "Mobile Apps and Desktop clients", weight: 50 },
  { used: "Exchange ActiveSync", weight: 3 },
  { used: "IMAP4", weight: 2 },
  { used: "SMTP", weight: 1 },
  { used: "Other clients", weight: 1 },
];

const PLACES: { country: string; city: string; ip: (r: () => number) => string; weight: number }[] = [
  { country: "DE", city: "Berlin", ip: (r) => `203.0.113.${Math.floor(r() * 250) + 1}`, weight: 50 },
  { country: "US", city: "Seattle", ip: (r) => `198.51.100.${Math.floor(r() * 250) + 1}`, weight: 30 },
  { country: "FR", city: "Paris", ip: (r) => `2001:db8:10::${Math.floor(r() * 65535).toString(16)}`, weight: 15 },
  { country: "KP", city: "Pyongyang", ip: (r) => `175.45.176.${Math.floor(r() * 250) + 1}`, weight: 1 },
];

function weighted<T extends { weight: number }>(r: () => number, items: readonly T[]): T {
  const total = items.reduce((n, i) => n + i.weight, 0);
  let x = r() * total;
  for (const i of items) if ((x -= i.weight) < 0) return i;
  return items[items.length - 1];
}

function uuid(r: () => number): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join("");
  return `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
}

export function generateUsers(seed: number, members = 200, guests = 20): GeneratedUser[] {
  const r = prng(seed);
  const users: GeneratedUser[] = [];
  for (let i = 0; i < members; i++) users.push({ id: uuid(r), upn: `user${i}@contoso.com`, kind: "member" });
  for (let i = 0; i < guests; i++) users.push({ id: uuid(r), upn: `guest${i}_fabrikam.com#EXT#@contoso.onmicrosoft.com`, kind: "guest" });
  BREAK_GLASS_IDS.forEach((id, i) => users.push({ id, upn: `breakglass${i}@contoso.onmicrosoft.com`, kind: "breakGlass" }));
  for (let i = 0; i < 3; i++) users.push({ id: uuid(r), upn: `svc-sync${i}@contoso.com`, kind: "service" });
  return users;
}

export type LogShape = "graph" | "signinlogs" | "noninteractive";

export interface GeneratorOptions {
  seed?: number;
  users?: GeneratedUser[];
  /** First day (UTC) and the number of days sign-ins spread over. */
  start?: string;
  days?: number;
  /** What Entra recorded, per record (e.g. report-only results of a policy). */
  applied?: (record: GeneratedFacts) => { id?: string; displayName: string; result: string }[];
}

/** The facts of one generated sign-in, before they are written in a log shape. */
export interface GeneratedFacts {
  id: string;
  time: string;
  user: GeneratedUser;
  app: App;
  clientAppUsed: string;
  os: string;
  trust: string;
  deviceId: string;
  deviceName: string;
  compliant: boolean;
  ip: string;
  country: string;
  city: string;
  risk: string;
  interactive: boolean;
  deviceCode: boolean;
}

/** `count` sign-ins' facts, deterministic per seed. */
export function* generateFacts(count: number, options: GeneratorOptions = {}): Generator<GeneratedFacts> {
  const r = prng(options.seed ?? 1);
  const users = options.users ?? generateUsers(options.seed ?? 1);
  const start = Date.parse(`${options.start ?? "2026-10-01"}T00:00:00Z`);
  const span = (options.days ?? 30) * 86_400_000;
  for (let i = 0; i < count; i++) {
    const user = r() < 0.02 ? pick(r, users.filter((u) => u.kind !== "member")) : pick(r, users);
    const device = weighted(r, DEVICES);
    const place = user.kind === "guest" ? weighted(r, PLACES.slice(1)) : weighted(r, PLACES);
    const registered = device.trust !== "";
    yield {
      id: uuid(r),
      time: new Date(start + Math.floor((i / count) * span) + Math.floor(r() * 60_000)).toISOString().replace(/\.\d+Z$/, "Z"),
      user,
      app: weighted(r, APPS),
      clientAppUsed: user.kind === "service" ? pick(r, ["SMTP", "IMAP4", "Mobile Apps and Desktop clients"]) : weighted(r, CLIENTS).used,
      os: device.os,
      trust: device.trust,
      deviceId: registered ? uuid(r) : "",
      deviceName: registered ? `PC-${Math.floor(r() * 9000) + 1000}` : "",
      compliant: device.compliant,
      ip: place.ip(r),
      country: place.country,
      city: place.city,
      risk: r() < 0.97 ? "none" : pick(r, ["low", "medium", "high", "hidden"]),
      interactive: r() < 0.4,
      deviceCode: r() < 0.005,
    };
  }
}

/** A Graph `signIn` object (beta fields included). */
export function graphRecord(f: GeneratedFacts, applied: { id?: string; displayName: string; result: string }[] = []): Record<string, unknown> {
  const guest = f.user.kind === "guest";
  return {
    id: f.id,
    createdDateTime: f.time,
    userDisplayName: f.user.upn.split("@")[0],
    userPrincipalName: f.user.upn,
    userId: f.user.id,
    userType: guest ? "guest" : "member",
    homeTenantId: guest ? PARTNER_TENANT_ID : TENANT_ID,
    resourceTenantId: TENANT_ID,
    crossTenantAccessType: guest ? "b2bCollaboration" : "none",
    appId: f.app.appId,
    appDisplayName: f.app.appDisplayName,
    resourceId: f.app.resourceId,
    resourceDisplayName: f.app.resourceDisplayName,
    resourceOwnerTenantId: f.app.owner,
    ipAddress: f.ip,
    clientAppUsed: f.clientAppUsed,
    isInteractive: f.interactive,
    signInEventTypes: [f.interactive ? "interactiveUser" : "nonInteractiveUser"],
    authenticationProtocol: f.deviceCode ? "deviceCode" : "none",
    originalTransferMethod: f.deviceCode ? "deviceCodeFlow" : "none",
    correlationId: f.id,
    conditionalAccessStatus: applied.some((a) => a.result === "failure") ? "failure" : applied.some((a) => a.result === "success") ? "success" : "notApplied",
    riskLevelDuringSignIn: f.risk,
    riskLevelAggregated: f.risk,
    riskState: "none",
    status: { errorCode: 0, failureReason: "Other.", additionalDetails: null },
    deviceDetail: { deviceId: f.deviceId, displayName: f.deviceName, operatingSystem: f.os, browser: f.clientAppUsed === "Browser" ? "Edge 131.0.0" : "", isCompliant: f.compliant, isManaged: f.trust !== "", trustType: f.trust },
    location: { city: f.city, state: "", countryOrRegion: f.country, geoCoordinates: { altitude: null, latitude: 0, longitude: 0 } },
    networkLocationDetails: [],
    appliedConditionalAccessPolicies: applied.map((a) => ({ id: a.id ?? "", displayName: a.displayName, enforcedGrantControls: [], enforcedSessionControls: [], result: a.result })),
  };
}

/** A Log Analytics row (`SigninLogs`, or `AADNonInteractiveUserSignInLogs` with dynamic columns as JSON text). */
export function logAnalyticsRecord(f: GeneratedFacts, shape: "signinlogs" | "noninteractive", applied: { id?: string; displayName: string; result: string }[] = []): Record<string, unknown> {
  const g = graphRecord(f, applied);
  const dyn = (v: unknown) => (shape === "noninteractive" ? JSON.stringify(v) : v);
  return {
    TenantId: TENANT_ID,
    TimeGenerated: f.time,
    OperationName: "Sign-in activity",
    Category: shape === "noninteractive" ? "NonInteractiveUserSignInLogs" : "SignInLogs",
    ResultType: "0",
    Identity: f.user.upn.split("@")[0],
    Location: f.country,
    AppDisplayName: f.app.appDisplayName,
    AppId: f.app.appId,
    AuthenticationProtocol: g.authenticationProtocol,
    ClientAppUsed: f.clientAppUsed,
    ConditionalAccessPolicies: dyn(g.appliedConditionalAccessPolicies),
    ConditionalAccessStatus: g.conditionalAccessStatus,
    CorrelationId: f.id,
    CreatedDateTime: f.time,
    CrossTenantAccessType: g.crossTenantAccessType,
    DeviceDetail: dyn(g.deviceDetail),
    HomeTenantId: g.homeTenantId,
    IPAddress: f.ip,
    IsInteractive: shape !== "noninteractive",
    Id: f.id,
    LocationDetails: dyn(g.location),
    NetworkLocationDetails: dyn([]),
    OriginalTransferMethod: g.originalTransferMethod,
    ResourceDisplayName: f.app.resourceDisplayName,
    ResourceIdentity: f.app.resourceId,
    ResourceOwnerTenantId: f.app.owner,
    ResourceTenantId: TENANT_ID,
    RiskLevelDuringSignIn: f.risk,
    UserId: f.user.id,
    UserPrincipalName: f.user.upn,
    UserType: f.user.kind === "guest" ? "Guest" : "Member",
    Type: shape === "noninteractive" ? "AADNonInteractiveUserSignInLogs" : "SigninLogs",
  };
}

export function record(f: GeneratedFacts, shape: LogShape, options: GeneratorOptions = {}): Record<string, unknown> {
  const applied = options.applied?.(f) ?? [];
  return shape === "graph" ? graphRecord(f, applied) : logAnalyticsRecord(f, shape, applied);
}

/** Graph pages (`{ "@odata.context", value, "@odata.nextLink" }`), one JSON document per page, concatenated. */
export function graphPages(count: number, pageSize: number, options: GeneratorOptions = {}): string {
  const pages: string[] = [];
  let page: unknown[] = [];
  let n = 0;
  const flush = (last: boolean) => {
    pages.push(
      JSON.stringify({
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns",
        value: page,
        ...(last ? {} : { "@odata.nextLink": `https://graph.microsoft.com/beta/auditLogs/signIns?$skiptoken=${n}` }),
      }),
    );
    page = [];
  };
  for (const f of generateFacts(count, options)) {
    page.push(record(f, "graph", options));
    if (++n % pageSize === 0 && n < count) flush(false);
  }
  flush(true);
  return pages.join("\n");
}

function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A Log Analytics portal CSV export: `TimeGenerated [UTC]`, dynamic columns as JSON text. */
export function logAnalyticsCsv(count: number, shape: "signinlogs" | "noninteractive", options: GeneratorOptions = {}): string {
  const rows: string[] = [];
  let header: string[] | undefined;
  for (const f of generateFacts(count, options)) {
    const rec = record(f, shape, options);
    if (!header) {
      header = Object.keys(rec);
      rows.push(header.map((h) => (h === "TimeGenerated" || h === "CreatedDateTime" ? `${h} [UTC]` : h)).join(","));
    }
    rows.push(header.map((h) => csvCell(rec[h])).join(","));
  }
  return rows.join("\r\n") + "\r\n";
}
