/**
 * Device filter evaluation throughput: 100,000 synthetic Graph devices x 50 realistic filter
 * rules, the inner loop of `whatif`. Data is generated from a fixed seed so every run measures
 * the same work. Figures:
 * - whatif_evals_per_sec: device-rule evaluations per second (5,000,000 / median seconds).
 * - filter_parse_per_sec: DeviceFilter.parse calls per second over the 50 rules (parse, validate,
 *   print and compile), median of repeated passes.
 * - scenario_compiled_vs_handwritten: for the scenario rule alone, compiled evaluations per second
 *   divided by those of a hand-written closure, measured alternately in the same process (a ratio
 *   that holds up when the machine is busy; 1.0 = as fast as hand-written).
 */
import { performance } from "node:perf_hooks";
import { DeviceFilter, type GraphDevice } from "../components/conditional-access/device-filter";
import { median, medianMs, pick, prng } from "./util";

export const DEVICE_COUNT = 100_000;
const RUNS = 7;


const OS: [string, string[]][] = [
  ["Windows", ["10.0.19045.4291", "10.0.22631.3447", "10.0.26100.1"]],
  ["iOS", ["17.4.1", "16.7.8"]],
  ["Android", ["14", "13"]],
  ["MacMDM", ["14.4.1"]],
  ["Linux", ["22.04"]],
];

/**
 * Synthetic inventory: ~8% unregistered (null), Graph casing of trust types (`AzureAd`,
 * `ServerAd`), attributes missing at random, extension attributes nested (Graph) or flat (CSV).
 */
export function syntheticDevices(count: number, seed = 20261123): (GraphDevice | null)[] {
  return [...generateDevices(count, seed)];
}

/** The devices of syntheticDevices one at a time, so a large inventory can be written without holding it. */
export function* generateDevices(count: number, seed = 20261123): Generator<GraphDevice | null> {
  const rand = prng(seed);
  for (let i = 0; i < count; i++) {
    if (rand() < 0.08) {
      yield null;
      continue;
    }
    const [os, versions] = pick(rand, OS);
    const windows = os === "Windows";
    const trustType = windows ? pick(rand, ["AzureAd", "ServerAd", "ServerAd", "Workplace", null]) : pick(rand, ["Workplace", "Workplace", null]);
    const corporate = trustType === "AzureAd" || trustType === "ServerAd";
    const ext1 = rand() < 0.1 ? "SAW" : rand() < 0.3 ? pick(rand, ["Kiosk", "Standard", "Lab"]) : null;
    const device: GraphDevice = {
      id: `obj-${i}`,
      deviceId: `${(i * 2654435761 >>> 0).toString(16).padStart(8, "0")}-0000-4000-8000-${i.toString(16).padStart(12, "0")}`,
      displayName: corporate ? `${pick(rand, ["CORP-", "LAPTOP-", "DESKTOP-"])}${i}` : pick(rand, [`iPhone-${i}`, `Galaxy-${i}`, `home-pc-${i}`]),
      trustType,
      isCompliant: rand() < 0.15 ? null : rand() < 0.6,
      deviceOwnership: corporate ? "Company" : pick(rand, ["Personal", "Company", "unknown"]),
      operatingSystem: os,
      operatingSystemVersion: pick(rand, versions),
      manufacturer: pick(rand, ["Microsoft Corporation", "Dell Inc.", "LENOVO", "Apple", "samsung", null]),
      model: pick(rand, ["Surface Laptop 5", "Latitude 7440", "ThinkPad T14", "iPhone 15", "Galaxy S24", null]),
      physicalIds: corporate ? [`[ZTDId]:${i}`, `[OrderId]:${pick(rand, ["PO-1001", "PO-2002", "PO-3003"])}`, `[HWID]:h:${i}`] : [],
      systemLabels: rand() < 0.05 ? ["M365Managed"] : rand() < 0.02 ? ["AzureResource", "MultiUser"] : [],
      profileType: rand() < 0.02 ? "Printer" : "RegisteredDevice",
      mdmAppId: corporate && rand() < 0.7 ? "0000000a-0000-0000-c000-000000000000" : null,
      enrollmentProfileName: corporate && rand() < 0.3 ? pick(rand, ["AutoPilot Profile Corp", "AutoPilot Profile Kiosk"]) : null,
      extensionAttributes: rand() < 0.9 ? { extensionAttribute1: ext1, extensionAttribute2: rand() < 0.2 ? "Finance" : null } : null,
    };
    if (device.extensionAttributes === null && ext1 !== null) device.extensionAttribute1 = ext1; // CSV-style flat
    yield device;
  }
}

/** 50 rules of the kinds real policies use. */
export const BENCH_RULES: readonly string[] = [
  'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"',
  'device.trustType -eq "AzureAD" -or device.trustType -eq "ServerAD"',
  'device.trustType -eq "ServerAD"',
  'device.trustType -eq "ServerAD" -or device.isCompliant -eq True',
  'device.isCompliant -eq True -and device.deviceOwnership -eq "Company"',
  'device.deviceOwnership -eq "Company" -or device.isCompliant -eq True',
  "device.isCompliant -eq True",
  'device.isCompliant -ne True -and device.trustType -ne "ServerAD"',
  'device.operatingSystem -eq "Windows" -and device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"',
  'device.operatingSystem -in ["iOS", "Android"]',
  'device.operatingSystem -notIn ["Windows", "MacMDM"]',
  'device.operatingSystemVersion -startsWith "10.0.19"',
  'device.operatingSystemVersion -notStartsWith "10.0.22" -and device.operatingSystem -eq "Windows"',
  'device.extensionAttribute1 -eq "SAW"',
  'device.extensionAttribute1 -ne "SAW"',
  'device.extensionAttribute1 -in ["Kiosk", "Lab"] -and device.trustType -eq "AzureAD"',
  'device.extensionAttribute2 -eq "Finance" -and device.isCompliant -eq True',
  'device.displayName -startsWith "CORP-" -and device.trustType -eq "ServerAD"',
  'device.displayName -notStartsWith "LAPTOP-" -and device.deviceOwnership -eq "Company"',
  'device.displayName -contains "home" -and device.trustType -eq "Workplace"',
  'device.displayName -endsWith "7" -and device.isCompliant -ne True',
  'device.physicalIds -contains "[OrderId]:PO-1001"',
  'device.physicalIds -notContains "[OrderId]:PO-2002" -and device.trustType -eq "AzureAD"',
  'device.systemLabels -contains "M365Managed"',
  'device.systemLabels -notContains "AzureResource" -and device.profileType -ne "Printer"',
  'device.profileType -eq "Printer" -or device.profileType -eq "Shared"',
  'device.manufacturer -eq "Microsoft Corporation" -and device.model -startsWith "Surface"',
  'device.model -notContains "Surface" -and device.trustType -eq "AzureAD"',
  'device.manufacturer -in ["Dell Inc.", "LENOVO"] -and device.isCompliant -eq True',
  'device.mdmAppId -eq "0000000a-0000-0000-c000-000000000000"',
  'device.mdmAppId -notIn ["0000000a-0000-0000-c000-000000000000"]',
  'device.enrollmentProfileName -startsWith "AutoPilot Profile"',
  'device.enrollmentProfileName -notStartsWith "AutoPilot Profile Kiosk" -and device.trustType -eq "AzureAD"',
  '-not (device.trustType -eq "AzureAD" -or device.trustType -eq "ServerAD")',
  '-not device.isCompliant -eq True',
  '-not (device.operatingSystem -eq "Windows" -and device.isCompliant -eq True)',
  '(device.trustType -eq "AzureAD" -or device.trustType -eq "ServerAD") -and device.isCompliant -eq True',
  '(device.operatingSystem -eq "iOS" -or device.operatingSystem -eq "Android") -and device.deviceOwnership -ne "Company"',
  'device.deviceOwnership -ne "Company" -and device.trustType -ne "ServerAD" -and device.isCompliant -ne True',
  'device.trustType -eq "Workplace" -and device.operatingSystem -eq "Windows"',
  'device.trustType -eq "Workplace" -or device.trustType -eq "AzureAD" -or device.trustType -eq "ServerAD"',
  'device.extensionAttribute1 -eq "SAW" -or (device.trustType -eq "ServerAD" -and device.isCompliant -eq True)',
  'device.operatingSystem -startsWith "Win" -and device.extensionAttribute1 -notIn ["Kiosk", "Lab"]',
  'device.operatingSystem -endsWith "OS" -and device.operatingSystemVersion -notStartsWith "17"',
  'device.operatingSystem -notContains "Mac" -and device.trustType -ne "Workplace"',
  'device.displayName -notEndsWith "0" -and device.operatingSystem -eq "Windows" -and device.trustType -eq "ServerAD"',
  'device.deviceId -in ["0000abcd-0000-4000-8000-000000000001", "0000abcd-0000-4000-8000-000000000002"]',
  'device.physicalIds -contains "[ZTDId]:42" -or device.physicalIds -contains "[ZTDId]:4242"',
  'device.isCompliant -eq False -and (device.operatingSystem -eq "Windows" -or device.operatingSystem -eq "MacMDM")',
  'device.trustType -ne "ServerAD" -and -not device.extensionAttribute1 -eq "SAW"',
];

export async function run(): Promise<Record<string, unknown>> {
  const devices = syntheticDevices(DEVICE_COUNT);
  const filters = BENCH_RULES.map((r) => DeviceFilter.parse(r));
  const parseMs = await medianMs(RUNS * 3, () => BENCH_RULES.map((r) => DeviceFilter.parse(r)));
  const evaluations = devices.length * filters.length;

  let matched = 0;
  const loop = (): number => {
    let count = 0;
    for (let i = 0; i < devices.length; i++) {
      const d = devices[i];
      for (let j = 0; j < filters.length; j++) if (filters[j].matches(d)) count++;
    }
    return count;
  };
  loop(); // warm-up
  const seconds: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    matched = loop();
    seconds.push((performance.now() - t0) / 1000);
  }
  const sec = median(seconds);

  // The scenario rule, compiled vs written by hand (toLowerCase per call, as one would write it).
  const scenario = DeviceFilter.parse(BENCH_RULES[0]);
  const handwritten = (d: GraphDevice | null): boolean => {
    if (d == null) return true;
    const t = d.trustType;
    if (typeof t !== "string") return true;
    const lower = t.toLowerCase();
    return lower !== "azuread" && lower !== "serverad";
  };
  const count = (fn: (d: GraphDevice | null) => boolean): number => {
    let c = 0;
    for (let k = 0; k < 10; k++) for (let i = 0; i < devices.length; i++) if (fn(devices[i])) c++;
    return c;
  };
  const compiledFn = (d: GraphDevice | null): boolean => scenario.matches(d);
  if (count(compiledFn) !== count(handwritten)) throw new Error("bench: compiled and hand-written scenario rules disagree");
  const compiledMs: number[] = [];
  const handMs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let t0 = performance.now();
    count(compiledFn);
    compiledMs.push(performance.now() - t0);
    t0 = performance.now();
    count(handwritten);
    handMs.push(performance.now() - t0);
  }

  return {
    whatif_evals_per_sec: Math.round(evaluations / sec),
    whatif_devices: devices.length,
    whatif_rules: filters.length,
    whatif_matches: matched,
    filter_parse_per_sec: Math.round(filters.length / (parseMs / 1000)),
    scenario_compiled_vs_handwritten: Math.round((median(handMs) / median(compiledMs)) * 100) / 100,
  };
}
