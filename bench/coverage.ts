/**
 * Coverage analysis at scale: 50 realistic Conditional Access policies whose device filter rules
 * use 200 distinct constants in total, generated deterministically (no randomness: the same
 * policies every run). Figures:
 * - coverage_ms_50x200: median wall time of analyseCoverage over the 50 policies (classes,
 *   witnesses, and the exactness check of every witness against evaluateDevice).
 * - coverage_classes_50x200: how many device classes it needed.
 * - coverage_constants_50x200 / coverage_policies_50x200: what the generator produced (checked).
 *
 * The policy set is shaped like a large tenant's: corporate gating on trust type and platform
 * (repeated per app group with exempt lab devices), department apps gated on a device category
 * kept in extensionAttribute1, Tier-0 admin portals only from SAWs on an approved device list,
 * kiosks by category and Autopilot profile, MFA on outdated builds.
 */
import { analyseCoverage, DeviceFilter, type PlainConditionalAccessPolicy } from "../components/conditional-access";
import { medianMs } from "./util";

const RUNS = 5;

function guid(n: number, salt: number): string {
  const hex = (v: number, width: number) => (v >>> 0).toString(16).padStart(width, "0").slice(-width);
  const a = Math.imul(n + 1, 2654435761) ^ salt;
  return `${hex(a, 8)}-${hex(a >>> 7, 4)}-4${hex(n, 3)}-a${hex(salt, 3)}-${hex(Math.imul(a, 40503), 8)}${hex(n, 4)}`;
}

function policy(displayName: string, rule: string | undefined, options: { mode?: "include" | "exclude"; apps?: string[]; controls?: string[]; state?: string; platforms?: { includedPlatforms: string[]; excludedPlatforms?: string[] } } = {}): PlainConditionalAccessPolicy {
  return {
    displayName,
    state: options.state ?? "enabled",
    conditions: {
      applications: { includedApplications: options.apps ?? ["All"] },
      clientAppTypes: ["all"],
      users: { includedUsers: ["All"], excludedGroups: ["00000000-0000-0000-0000-00000000b001"] },
      ...(rule ? { devices: { filter: { mode: options.mode ?? "include", rule } } } : {}),
      ...(options.platforms ? { platforms: options.platforms } : {}),
    },
    grantControls: { operator: "OR", builtInControls: options.controls ?? ["block"] },
  };
}

const q = (v: string) => `"${v}"`;
const list = (vs: string[]) => `[${vs.map(q).join(", ")}]`;

/**
 * The 50 policies. Like a real tenant's, they are a few device-filter patterns repeated per app
 * with different constants, coupled through the attributes they share (a device category in
 * extensionAttribute1, the trust type), rather than 50 unrelated tests on 50 attributes.
 */
export function benchPolicies(): PlainConditionalAccessPolicy[] {
  const out: PlainConditionalAccessPolicy[] = [];
  const untrusted = 'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"';
  // Corporate gating (2).
  out.push(policy("CA001 block untrusted devices for Office 365", untrusted, { apps: ["Office365"] }));
  out.push(policy("CA002 block platforms other than Windows and macOS", undefined, { platforms: { includedPlatforms: ["all"], excludedPlatforms: ["windows", "macOS"] } }));
  // The same gate for five more app groups, with the tenant's 8 exempt lab devices (8 GUIDs).
  const lab = Array.from({ length: 8 }, (_, i) => guid(i, 0x500));
  for (let a = 0; a < 5; a++) {
    out.push(policy(`CA01${a} block untrusted devices for app group ${a} (lab devices exempt)`, `${untrusted} -and device.deviceId -notIn ${list(lab)}`, { apps: [guid(a, 0x600)] }));
  }
  // Department apps (20): only devices of the department's categories (extensionAttribute1), 5 each: 100 constants.
  for (let d = 0; d < 20; d++) {
    const categories = Array.from({ length: 5 }, (_, k) => `DEPT-${String(d).padStart(2, "0")}-${["FIN", "HR", "ENG", "OPS", "LAB"][k]}`);
    out.push(policy(`CA1${String(d).padStart(2, "0")} department app ${d} from its device categories`, `device.extensionAttribute1 -notIn ${list(categories)}`, { apps: [guid(d, 0x100)] }));
  }
  // Tier-0 admin portals (10): the SAW category and the portal's approved SAW list (6 devices each): 61 constants.
  for (let s = 0; s < 10; s++) {
    const devices = Array.from({ length: 6 }, (_, k) => guid(s * 6 + k, 0x200));
    out.push(policy(`CA2${String(s).padStart(2, "0")} admin portal ${s} only from approved SAWs`, `device.extensionAttribute1 -ne "SAW-T0" -or device.deviceId -notIn ${list(devices)}`, { apps: [guid(s, 0x300)] }));
  }
  // Kiosks (8): a device in a site's kiosk category must come from one of the site's two Autopilot profiles: 24 constants.
  for (let k = 0; k < 8; k++) {
    const site = `S${String(k + 10)}`;
    out.push(
      policy(
        `CA3${String(k).padStart(2, "0")} kiosks at site ${site} from the site profiles`,
        `device.extensionAttribute1 -eq "KIOSK-${site}" -and device.enrollmentProfileName -notStartsWith "AP-KIOSK-${site}-A" -and device.enrollmentProfileName -notStartsWith "AP-KIOSK-${site}-B"`,
      ),
    );
  }
  // Outdated Windows builds (5): MFA for hybrid devices on old builds: 5 constants.
  ["6.1.", "6.2.", "6.3.", "10.0.10", "10.0.14"].forEach((build, i) =>
    out.push(policy(`CA40${i} MFA for hybrid devices on build ${build}`, `device.trustType -eq "ServerAD" -and device.operatingSystemVersion -startsWith "${build}"`, { controls: ["mfa"] })),
  );
  return out;
}

/** Distinct constants (case-insensitive) across the policies' rules. */
export function distinctConstants(policies: PlainConditionalAccessPolicy[]): number {
  const seen = new Set<string>();
  for (const p of policies) {
    const rule = p.conditions.devices?.filter.rule;
    if (!rule) continue;
    for (const c of DeviceFilter.parse(rule).comparisons) {
      const values = typeof c.value === "string" || typeof c.value === "boolean" ? [c.value] : c.value;
      for (const v of values) seen.add(String(v).toLowerCase());
    }
  }
  return seen.size;
}

export async function run(): Promise<Record<string, unknown>> {
  const policies = benchPolicies();
  let classes = 0;
  const ms = await medianMs(RUNS, () => {
    classes = analyseCoverage(policies).classes.length;
  });
  return {
    coverage_ms_50x200: Math.round(ms),
    coverage_classes_50x200: classes,
    coverage_policies_50x200: policies.length,
    coverage_constants_50x200: distinctConstants(policies),
  };
}
