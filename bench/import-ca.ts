/**
 * import-ca throughput: every Conditional Access fixture file (the repository's own, plus the shared
 * third-party exports when they are beside the repository; `fixtures_source` says which), a large synthetic tenant
 * export (UTF-16LE with BOM, one `{ value: [...] }` page) mixing the fixture policies with legacy
 * device conditions and corporate-device filters, and a 10 MB export of the same mix: MB/s in
 * process, and the peak RSS of `tenant-guardrails import-ca --json` on it in a child process.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { allConditionalAccessFixtures, fixturesSource } from "./fixtures";
import { importConditionalAccessFiles, importConditionalAccessPolicies } from "../components/conditional-access/import";
import { medianMs } from "./util";

const LARGE_EXPORT_POLICIES = 1000;
const MB = 1024 * 1024;
const TEN_MB_EXPORT_BYTES = 10 * MB;

function fixtureFiles(): { name: string; content: Buffer }[] {
  return allConditionalAccessFixtures().map((f) => ({ name: `${f.origin}/${f.name}`, content: fs.readFileSync(f.path) }));
}

/** The policy objects of an export: a { value } page, an array (of policies or pages), or one policy. */
function policyObjects(json: unknown): unknown[] {
  if (Array.isArray(json)) return json.flatMap(policyObjects);
  if (json && typeof json === "object" && Array.isArray((json as { value?: unknown }).value)) return policyObjects((json as { value: unknown[] }).value);
  return json && typeof json === "object" && "conditions" in json ? [json] : [];
}

function largeExport(policies: unknown[], count = LARGE_EXPORT_POLICIES): unknown[] {
  const extra = (i: number, devices: unknown) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    displayName: `synthetic ${i}`,
    state: "enabled",
    conditions: {
      applications: { includeApplications: ["All"] },
      users: { includeUsers: ["All"], excludeGroups: ["a881d286-2b5c-417b-8d7e-c48b516aef83"] },
      clientAppTypes: ["all"],
      devices,
    },
    grantControls: { operator: "OR", builtInControls: ["block"] },
  });
  return Array.from({ length: count }, (_, i) => {
    if (i % 3 === 0) return extra(i, { includeDevices: ["All"], excludeDevices: ["Compliant", "DomainJoined"] });
    if (i % 3 === 1) return extra(i, { deviceFilter: { mode: "include", rule: 'device.trustType -ne "AzureAD" -and device.trustType -ne "ServerAD"' } });
    // A copy of a fixture policy under its own id and name: a tenant's display names are unique
    // (the Graph-native resource finds its policy by name, so import-ca refuses a repeated one).
    const copy = policies[i % policies.length] as { displayName?: string };
    return { ...copy, id: `00000000-0000-4000-9000-${String(i).padStart(12, "0")}`, displayName: `${copy.displayName ?? "policy"} #${i}` };
  });
}

const utf16Page = (value: unknown[]) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify({ value }), "utf16le")]);

/** A UTF-8 `{ value: [...] }` page of the same mix, at least `bytes` long. */
function exportOfSize(policies: unknown[], bytes: number): Buffer {
  const sample = Buffer.byteLength(JSON.stringify({ value: largeExport(policies, 300) }));
  const count = Math.ceil((bytes / sample) * 300);
  return Buffer.from(JSON.stringify({ value: largeExport(policies, count) }), "utf8");
}

/** Peak RSS (MB) of the built CLI importing `file` with --json (output discarded), in a child process. */
function cliPeakRssMb(file: string): number {
  const cli = path.join(__dirname, "../cli/main.js");
  const script =
    `require(${JSON.stringify(cli)}).main(["import-ca", "--json", process.env.EXPORT_FILE])` +
    `.then(() => process.stderr.write("maxRSS=" + process.resourceUsage().maxRSS + "\\n"))`;
  const r = spawnSync(process.execPath, ["-e", script], { env: { ...process.env, EXPORT_FILE: file }, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const kb = /maxRSS=(\d+)/.exec(r.stderr ?? "")?.[1];
  if (!kb) throw new Error(`import-ca child gave no peak RSS: ${r.stderr}`);
  return Number(kb) / 1024;
}

export async function run(): Promise<Record<string, unknown>> {
  const files = fixtureFiles();
  const once = importConditionalAccessFiles(files);
  const fixturePolicies = once.policies.length;
  const fixtureMs = await medianMs(20, () => importConditionalAccessFiles(files));

  // The fixture policies that import (some caOptics demo policies are refused by the lockout rule).
  const rawPolicies = files
    .flatMap((f) => policyObjects(JSON.parse(f.content.toString("utf8").replace(/^\uFEFF/, "")) as unknown))
    .filter((p) => importConditionalAccessPolicies([p]).errors.length === 0);
  const large = utf16Page(largeExport(rawPolicies));
  const largeResult = importConditionalAccessPolicies(large);
  if (largeResult.errors.length) throw new Error(`bench export failed to import: ${largeResult.errors[0].message}`);
  const largeMs = await medianMs(5, () => importConditionalAccessPolicies(large));

  const tenMb = exportOfSize(rawPolicies, TEN_MB_EXPORT_BYTES);
  const tenMbResult = importConditionalAccessPolicies(tenMb);
  if (tenMbResult.errors.length) throw new Error(`10 MB bench export failed to import: ${tenMbResult.errors[0].message}`);
  const tenMbMs = await medianMs(3, () => importConditionalAccessPolicies(tenMb));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-import-ca-"));
  let peakRssMb: number;
  try {
    const file = path.join(tmp, "export.json");
    fs.writeFileSync(file, tenMb);
    peakRssMb = cliPeakRssMb(file);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  return {
    fixtures_source: fixturesSource(),
    import_ca_fixture_files: files.length,
    import_ca_fixture_policies: fixturePolicies,
    import_ca_fixtures_ms: Number(fixtureMs.toFixed(2)),
    import_ca_large_export_policies: LARGE_EXPORT_POLICIES,
    import_ca_large_export_components: largeResult.policies.filter((p) => p.kind === "component").length,
    import_ca_large_export_utf16_ms: Number(largeMs.toFixed(1)),
    import_ca_per_policy_us: Number(((largeMs * 1000) / LARGE_EXPORT_POLICIES).toFixed(1)),
    import_ca_10mb_export_policies: tenMbResult.policies.length,
    import_ca_10mb_export_ms: Number(tenMbMs.toFixed(0)),
    import_ca_mb_per_s: Number((tenMb.length / MB / (tenMbMs / 1000)).toFixed(2)),
    import_ca_peak_rss_mb: Number(peakRssMb.toFixed(0)),
  };
}
