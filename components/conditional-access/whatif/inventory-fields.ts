/**
 * What the device inventory reader knows about field names and values: the Graph `device`
 * property each export's column or key stands for, the properties it reads past without a word,
 * and the display strings of join types. Pure data and small functions, no I/O.
 */

/** The device properties the evaluator reads (Graph names), plus the inventory's own markers. */
export type DeviceField =
  | "deviceId"
  | "displayName"
  | "trustType"
  | "isCompliant"
  | "deviceOwnership"
  | "operatingSystem"
  | "operatingSystemVersion"
  | "manufacturer"
  | "model"
  | "physicalIds"
  | "systemLabels"
  | "profileType"
  | "mdmAppId"
  | "enrollmentProfileName"
  | "extensionAttributes"
  | "id"
  | "accountEnabled"
  /** CSV: `false` marks an unregistered device. */
  | "registered"
  /** JSON: `true` marks an unregistered device. */
  | "unregistered";

/** A column or key name folded for lookup: lower case, letters and digits only. */
export function foldName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}

const FIELD_ALIASES: Record<string, DeviceField> = {
  deviceid: "deviceId",
  displayname: "displayName",
  trusttype: "trustType",
  // Entra admin center "Download devices": `joinType (trustType)`. A plain `joinType` / `Join type`
  // header is accepted too (the header is documented; other spellings are not seen, UNVERIFIED).
  jointypetrusttype: "trustType",
  jointype: "trustType",
  // AzureAD / MSOnline PowerShell modules and dynamic-group rules name it deviceTrustType.
  devicetrusttype: "trustType",
  iscompliant: "isCompliant",
  deviceownership: "deviceOwnership",
  operatingsystem: "operatingSystem",
  deviceostype: "operatingSystem",
  operatingsystemversion: "operatingSystemVersion",
  deviceosversion: "operatingSystemVersion",
  manufacturer: "manufacturer",
  model: "model",
  physicalids: "physicalIds",
  devicephysicalids: "physicalIds",
  systemlabels: "systemLabels",
  profiletype: "profileType",
  mdmappid: "mdmAppId",
  enrollmentprofilename: "enrollmentProfileName",
  extensionattributes: "extensionAttributes",
  id: "id",
  objectid: "id",
  accountenabled: "accountEnabled",
  registered: "registered",
  unregistered: "unregistered",
};

/**
 * Properties of Graph devices, Get-MgDevice / Get-EntraDevice / Get-AzureADDevice objects and the
 * admin center download that the evaluator does not need. Read past silently; anything else is
 * reported as an unknown column.
 */
const IGNORED = new Set(
  [
    // Graph device (v1.0 and beta), its relationships, and SDK object members
    "alternativeSecurityIds", "approximateLastSignInDateTime", "complianceExpirationDateTime", "deletedDateTime",
    "deviceCategory", "deviceMetadata", "deviceVersion", "enrollmentType", "isManaged", "isManagementRestricted",
    "isRooted", "managementType", "onPremisesLastSyncDateTime", "onPremisesSecurityIdentifier", "onPremisesSyncEnabled",
    "registrationDateTime", "extensions", "memberOf", "registeredOwners", "registeredUsers", "transitiveMemberOf",
    "usageRights", "hostnames", "kind", "name", "platform", "status", "deviceTemplate", "commands",
    "domainName", "complianceGracePeriodExpirationDateTime", "externalSourceName", "sourceType",
    // Entra admin center "Download devices"
    "userNames", "mdmDisplayName", "registrationTime",
    // Get-AzureADDevice / Get-MsolDevice / Get-EntraDevice
    "approximateLastLogonTimeStamp", "dirSyncEnabled", "lastDirSyncTime", "complianceExpiryTime", "deviceObjectVersion",
    "objectType", "deletionTimestamp", "deviceKey", "enabled", "registeredOwnersDisplayName",
    // Windows PowerShell 5.1 ConvertTo-Json of an array: { "value": [...], "Count": n }
    "count",
  ].map(foldName),
);

export type FieldLookup = { kind: "field"; field: DeviceField } | { kind: "extension"; field: `extensionAttribute${number}` } | { kind: "ignored" } | { kind: "unknown" };

const lookups = new Map<string, FieldLookup>();

/** What a column header or JSON key stands for (memoised: inventories repeat the same names). */
export function lookupField(name: string): FieldLookup {
  let found = lookups.get(name);
  if (found === undefined) {
    found = lookupUncached(name);
    if (lookups.size < 10_000) lookups.set(name, found);
  }
  return found;
}

function lookupUncached(name: string): FieldLookup {
  // An empty header: the trailing delimiter spreadsheet programs leave behind.
  if (name.trim() === "" || name.startsWith("@odata") || name.startsWith("#") || name.includes("@odata.")) return { kind: "ignored" };
  const folded = foldName(name);
  // extensionAttribute7, extensionAttributes.extensionAttribute7, ExtensionAttributes_ExtensionAttribute7
  const ext = /^(?:extensionattributes)?extensionattribute(\d+)$/.exec(folded);
  if (ext) {
    const n = Number(ext[1]);
    if (n >= 1 && n <= 15) return { kind: "extension", field: `extensionAttribute${n}` };
    return { kind: "unknown" };
  }
  const field = FIELD_ALIASES[folded];
  if (field) return { kind: "field", field };
  if (IGNORED.has(folded)) return { kind: "ignored" };
  return { kind: "unknown" };
}

/** The trust type values of Graph and of device filters, in the casing device filters use. */
export const FILTER_TRUST_TYPES = ["AzureAD", "ServerAD", "Workplace"] as const;
export type FilterTrustType = (typeof FILTER_TRUST_TYPES)[number];

/**
 * Display strings of join types (admin center, older Azure portal, MSOnline) and the filter value
 * each one means. Graph's own values (`AzureAd`, `ServerAd`, `Workplace`) are kept as they are.
 */
const DISPLAY_TRUST_TYPES: Record<string, FilterTrustType> = {
  "microsoft entra joined": "AzureAD",
  "microsoft entra id joined": "AzureAD",
  "azure ad joined": "AzureAD",
  "microsoft entra hybrid joined": "ServerAD",
  "microsoft entra id hybrid joined": "ServerAD",
  "hybrid azure ad joined": "ServerAD",
  // MSOnline's Get-MsolDevice DeviceTrustType: "Domain Joined" is a hybrid-joined device.
  "domain joined": "ServerAD",
  "microsoft entra registered": "Workplace",
  "microsoft entra id registered": "Workplace",
  "azure ad registered": "Workplace",
  "workplace joined": "Workplace",
};

/**
 * Read a trust type cell: Graph's values stay as they are (compared case-insensitively), display
 * strings become the filter value. `undefined` for an unknown value.
 */
export function trustTypeOf(value: string): string | undefined {
  const clean = value.trim().replace(/\s+/g, " ");
  const graph = FILTER_TRUST_TYPES.find((t) => t.toLowerCase() === clean.toLowerCase());
  if (graph) return clean;
  return DISPLAY_TRUST_TYPES[clean.toLowerCase()];
}

/** `true`/`false` in the spellings exports use ("True", "false", "Yes", "No"); undefined otherwise. */
export function booleanOf(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (v === "true" || v === "yes") return true;
  if (v === "false" || v === "no") return false;
  return undefined;
}

/**
 * A cell or JSON string where Windows PowerShell wrote a .NET type name instead of the value
 * (`Export-Csv` on a list or an object; `ConvertTo-Json` past its `-Depth`).
 */
export function isDotNetTypeName(value: string): boolean {
  return /^(?:System\.[A-Za-z.]+(?:\[\])?|System\.Collections\.Generic\.[A-Za-z]+`\d\[.*\]|Microsoft\.Graph\.(?:Beta\.)?PowerShell\.Models\.[A-Za-z.]+(?:\[\])?)$/.test(value.trim());
}
