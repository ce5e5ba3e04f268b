/**
 * One sign-in log record to a SignIn: Graph `/auditLogs/signIns` objects (camelCase, v1.0 and
 * beta) and Log Analytics `SigninLogs` / `AADNonInteractiveUserSignInLogs` rows (PascalCase
 * columns; dynamic columns as objects in JSON exports and as JSON text in CSV exports and in the
 * non-interactive table). Display strings are mapped to the values policies use.
 */
import { parseIpv4, parseIpv6 } from "./locations";
import { DEVICE_PROP_BITS, SignIn, SignInDevice, type AppliedPolicyResult, type GuestKind } from "./signin";

type Rec = Record<string, unknown>;

/** `deviceDetail.trustType` display strings (and the Graph device values) to filter values. */
const TRUST_TYPES: Readonly<Record<string, string>> = {
  "azure ad joined": "AzureAD",
  "microsoft entra joined": "AzureAD",
  "entra joined": "AzureAD",
  azuread: "AzureAD",
  "hybrid azure ad joined": "ServerAD",
  "microsoft entra hybrid joined": "ServerAD",
  "hybrid microsoft entra joined": "ServerAD",
  "entra hybrid joined": "ServerAD",
  "domain joined": "ServerAD",
  serverad: "ServerAD",
  "azure ad registered": "Workplace",
  "microsoft entra registered": "Workplace",
  "entra registered": "Workplace",
  "workplace joined": "Workplace",
  workplace: "Workplace",
};

/** The filter value of a logged trust type: AzureAD, ServerAD, Workplace; "" when empty; undefined when unrecognised. */
export function trustTypeOf(logged: string | undefined): string | undefined {
  if (logged === undefined) return undefined;
  const t = logged.trim().toLowerCase();
  if (t === "") return "";
  return TRUST_TYPES[t];
}

/** `clientAppUsed` display strings to Conditional Access client app types. */
export function clientAppTypeOf(used: string | undefined): string | undefined {
  if (used === undefined) return undefined;
  const u = used.trim().toLowerCase();
  if (u === "") return undefined;
  if (u === "browser") return "browser";
  if (u === "mobile apps and desktop clients") return "mobileAppsAndDesktopClients";
  if (u === "exchange activesync") return "exchangeActiveSync";
  // Every other value the log documents is a legacy authentication client ("other clients" in policies).
  return "other";
}

/** `deviceDetail.operatingSystem` (from the user agent) to a Conditional Access platform. */
export function platformOfSignIn(os: string | undefined): string | undefined {
  if (os === undefined) return undefined;
  const o = os.trim().toLowerCase();
  if (o === "") return undefined;
  if (o.startsWith("windows phone") || o.startsWith("windowsphone")) return "windowsPhone";
  if (o.startsWith("windows")) return "windows";
  if (o === "ios" || o.startsWith("ios ") || o.startsWith("ipados") || o === "iphone" || o === "ipad") return "iOS";
  if (o.startsWith("android")) return "android";
  if (o.startsWith("macos") || o.startsWith("mac os") || o === "osx" || o === "macmdm") return "macOS";
  if (o.startsWith("linux") || o === "ubuntu") return "linux";
  return "unsupported";
}

/** Apps through which security information and devices are registered: their sign-ins may be user actions. */
const USER_ACTION_APPS = new Set(["19db86c3-b2b9-44cc-b339-36da233a3be2", "0000000c-0000-0000-c000-000000000000", "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9"]);

/** Field `camel` or its PascalCase column. */
function field(r: Rec, camel: string): unknown {
  const v = r[camel];
  if (v !== undefined) return v;
  return r[camel.charAt(0).toUpperCase() + camel.slice(1)];
}

function str(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

/** A non-empty string, or undefined. */
function text(v: unknown): string | undefined {
  const s = str(v);
  return s === undefined || s.trim() === "" ? undefined : s.trim();
}

/** A dynamic column: an object, or JSON text of one (CSV, non-interactive table). */
function obj(v: unknown): Rec | undefined {
  if (v && typeof v === "object" && !Array.isArray(v)) return v as Rec;
  if (typeof v === "string" && v.trim().startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(v);
      return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Rec) : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function arr(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (typeof v === "string" && v.trim().startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(v);
      return Array.isArray(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (typeof v === "string") {
    const t = v.trim().toLowerCase();
    if (t === "true") return true;
    if (t === "false") return false;
  }
  return undefined;
}

function lower(v: string | undefined): string | undefined {
  return v === undefined ? undefined : v.toLowerCase();
}

/** The guest kind from userType, crossTenantAccessType and the home and resource tenants. */
export function guestKindOf(userType: string | undefined, crossTenant: string | undefined, home: string | undefined, resource: string | undefined): GuestKind | undefined {
  const type = userType?.toLowerCase();
  const cross = crossTenant?.toLowerCase();
  const guest = type === "guest";
  if (type !== "member" && type !== "guest") return undefined;
  switch (cross) {
    case "b2bcollaboration":
      return guest ? "b2bCollaborationGuest" : "b2bCollaborationMember";
    case "b2bdirectconnect":
      return "b2bDirectConnectUser";
    case "serviceprovider":
      return "serviceProvider";
    case "passthrough":
      return "otherExternalUser";
    case "none":
    case undefined:
    case "":
      break;
    default:
      return undefined; // microsoftSupport and future values: not decidable
  }
  if (home === undefined || resource === undefined) return cross === "none" ? (guest ? "internalGuest" : "member") : undefined;
  if (home === resource) return guest ? "internalGuest" : "member";
  // Another home tenant without an access type (UNVERIFIED): B2B collaboration is the common case.
  return guest ? "b2bCollaborationGuest" : "b2bCollaborationMember";
}

function applied(v: unknown): AppliedPolicyResult[] | undefined {
  const list = arr(v);
  if (!list) return undefined;
  const out: AppliedPolicyResult[] = [];
  for (const item of list) {
    const o = obj(item);
    const result = o ? text(field(o, "result")) : undefined;
    if (!o || !result) continue;
    out.push({ id: lower(text(field(o, "id"))), displayName: text(field(o, "displayName")), result });
  }
  return out;
}

/** The non-interactive table's name, as Log Analytics writes it in `Category` / `Type`. */
const NON_INTERACTIVE = /noninteractive/i;

/**
 * Map one record (Graph or Log Analytics, JSON or CSV) to a SignIn. Fields the record lacks stay
 * undefined; nothing is guessed.
 */
export function signInFromRecord(r: Rec, index: number): SignIn {
  const s = new SignIn();
  s.index = index;
  s.id = text(field(r, "id")) ?? text(r.Id) ?? text(r.OriginalRequestId) ?? "";
  const time = text(field(r, "createdDateTime")) ?? text(r.TimeGenerated) ?? text(r["TimeGenerated [UTC]"]) ?? text(r["CreatedDateTime [UTC]"]);
  if (time) {
    s.time = time;
    // ISO with a zone (Graph), ISO without one, or the Log Analytics portal's "10/1/2026, 1:05:38.123 PM" (all UTC).
    const t = time.replace(/(\.\d{3})\d+/, "$1");
    const d = new Date(/[zZ]$|[+-]\d\d:?\d\d$/.test(t) ? t : `${t} UTC`);
    s.day = Number.isNaN(d.getTime()) ? "" : d.toISOString().slice(0, 10);
  }

  const eventTypes = arr(field(r, "signInEventTypes"))?.map(String);
  const isInteractive = bool(field(r, "isInteractive"));
  const category = text(r.Category) ?? text(r.Type);
  s.interactive = isInteractive ?? (eventTypes ? eventTypes.includes("interactiveUser") : category ? !NON_INTERACTIVE.test(category) : undefined);
  s.isServicePrincipal =
    (eventTypes !== undefined && eventTypes.some((t) => t === "servicePrincipal" || t === "managedIdentity")) ||
    (category !== undefined && /ServicePrincipal|ManagedIdentity/i.test(category)) ||
    (text(field(r, "servicePrincipalId")) !== undefined && text(field(r, "userId")) === undefined);

  s.userId = lower(text(field(r, "userId")));
  s.userPrincipalName = text(field(r, "userPrincipalName"));
  s.homeTenantId = lower(text(field(r, "homeTenantId")));
  const resourceTenant = lower(text(field(r, "resourceTenantId")) ?? text(r.AADTenantId) ?? text(r.TenantId));
  s.guestKind = s.isServicePrincipal ? undefined : guestKindOf(text(field(r, "userType")), text(field(r, "crossTenantAccessType")), s.homeTenantId, resourceTenant);

  s.appId = lower(text(field(r, "appId")));
  s.appDisplayName = text(field(r, "appDisplayName"));
  s.resourceId = lower(text(field(r, "resourceId")) ?? text(r.ResourceIdentity) ?? text(field(r, "resourceIdentity")));
  s.resourceDisplayName = text(field(r, "resourceDisplayName"));
  s.resourceOwnerTenantId = lower(text(field(r, "resourceOwnerTenantId")));
  const target = s.resourceId ?? s.appId;
  s.userAction = target === undefined ? undefined : USER_ACTION_APPS.has(target) ? undefined : "";
  const contexts = arr(field(r, "authenticationContextClassReferences"));
  if (contexts) s.authContexts = contexts.flatMap((c) => (typeof c === "string" ? [c.toLowerCase()] : text(obj(c)?.id) ? [text(obj(c)!.id)!.toLowerCase()] : []));

  s.clientAppUsed = text(field(r, "clientAppUsed"));
  s.clientAppType = clientAppTypeOf(s.clientAppUsed);

  const device = obj(field(r, "deviceDetail"));
  if (device) {
    s.operatingSystem = text(device.operatingSystem);
    s.platform = platformOfSignIn(s.operatingSystem);
    const deviceId = text(device.deviceId);
    s.trustTypeLogged = str(device.trustType) ?? "";
    const trust = trustTypeOf(s.trustTypeLogged);
    const compliant = bool(device.isCompliant);
    if (deviceId === undefined && trust === "") {
      // No device id and no trust type: a device not registered in Entra ID.
      s.device = null;
      s.trustType = "";
    } else {
      const d = new SignInDevice();
      let props = 0;
      if (deviceId !== undefined) {
        d.deviceId = deviceId;
        props |= DEVICE_PROP_BITS.deviceId;
      }
      const name = text(device.displayName);
      if (name !== undefined) {
        d.displayName = name;
        props |= DEVICE_PROP_BITS.displayName;
      }
      if (trust) {
        d.trustType = trust;
        props |= DEVICE_PROP_BITS.trustType;
        s.trustType = trust;
      }
      if (compliant !== undefined) {
        d.isCompliant = compliant;
        props |= DEVICE_PROP_BITS.isCompliant;
        s.isCompliant = compliant;
      }
      s.device = d;
      s.deviceProps = props;
    }
  }

  s.ipAddress = text(field(r, "ipAddress"));
  if (s.ipAddress !== undefined) {
    s.ipv4 = parseIpv4(s.ipAddress);
    if (s.ipv4 < 0) s.ipv6 = parseIpv6(s.ipAddress);
  }
  const location = obj(field(r, "location")) ?? obj(r.LocationDetails);
  if (location) s.country = (text(location.countryOrRegion) ?? "").toUpperCase();
  else if (typeof r.Location === "string") s.country = r.Location.trim().toUpperCase();
  const network = arr(field(r, "networkLocationDetails"));
  if (network) {
    const types = network.map((n) => String(obj(n)?.networkType ?? ""));
    s.trustedNetwork = types.some((t) => /trusted/i.test(t));
    s.networkNames = network.flatMap((n) => (arr(obj(n)?.networkNames) ?? []).map((x) => String(x).toLowerCase()));
  }

  s.signInRisk = lower(text(field(r, "riskLevelDuringSignIn")));
  s.userRisk = lower(text(field(r, "userRiskLevel")));
  const transfer = text(field(r, "originalTransferMethod"));
  const protocol = text(field(r, "authenticationProtocol"))?.toLowerCase();
  if (transfer !== undefined) s.transferMethod = transfer === "none" || transfer === "deviceCodeFlow" || transfer === "authenticationTransfer" ? transfer : undefined;
  else if (protocol === "devicecode") s.transferMethod = "deviceCodeFlow";

  s.applied = applied(field(r, "appliedConditionalAccessPolicies") ?? r.ConditionalAccessPolicies);
  s.conditionalAccessStatus = text(field(r, "conditionalAccessStatus"));
  return s;
}
