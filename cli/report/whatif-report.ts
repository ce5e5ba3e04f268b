/**
 * `whatif --html`: a matrix of device kinds (trust type x platform x registered or not) against a
 * stack's Conditional Access policies, the outcome in each cell, and how many inventory devices
 * fall in each kind. Pure: data in, HTML string out.
 */
import {
  compilePolicy,
  evaluateDevice,
  platformOf,
  type InventoryDevice,
  type InventoryReport,
  outcomeText,
  type EvaluatedPolicy,
  type Outcome,
} from "../../components";
import { DETAIL_ROW_LIMIT, capRows, cappedNote, esc, page, summaryCards, table, type ReportProvenance } from "../../components/common/html";

export const TRUST_TYPES = ["AzureAD", "ServerAD", "Workplace"] as const;
export const PLATFORMS = ["windows", "macOS", "iOS", "android", "linux", "unknown"] as const;
const TRUST_LABEL: Record<string, string> = { AzureAD: "Entra joined (AzureAD)", ServerAD: "Hybrid joined (ServerAD)", Workplace: "Registered (Workplace)" };
/** A Graph operatingSystem value for each platform, so the kind's representative device looks like a real one. */
const OS_OF_PLATFORM: Record<string, string | undefined> = { windows: "Windows", macOS: "MacMDM", iOS: "iOS", android: "Android", linux: "Linux", unknown: undefined };

export interface DeviceKind {
  /** "AzureAD" | "ServerAD" | "Workplace", or "" for an unregistered device. */
  trustType: string;
  platform: string;
  registered: boolean;
}

export interface PolicyCell {
  /** "block", "grant", "not applied" (the policy does not apply), for the policy alone. */
  effect: string;
  /** The policy is report-only: the effect is logged, not enforced. */
  reportOnly: boolean;
}

export interface MatrixRow {
  kind: DeviceKind;
  label: string;
  cells: PolicyCell[];
  outcome: Outcome;
  controls: string[];
  outcomeIfReportOnlyEnforced: Outcome;
  /** Inventory devices of this kind. */
  devices: number;
}

export interface DeviceMatrix {
  policies: { name: string; state: string }[];
  rows: MatrixRow[];
  /** Inventory devices that fit no kind (registered without a known trust type). */
  unclassified: number;
  totalDevices: number;
}

function kindLabel(kind: DeviceKind): string {
  return kind.registered ? `${TRUST_LABEL[kind.trustType]} · ${kind.platform}` : `Unregistered · ${kind.platform}`;
}

function kindKey(kind: DeviceKind): string {
  return `${kind.registered ? kind.trustType.toLowerCase() : "-"}|${kind.platform.toLowerCase()}`;
}

/** The kind an inventory device belongs to, or undefined when its trust type is unknown. */
export function kindOfDevice(device: InventoryDevice): DeviceKind | undefined {
  if (device === null) return { trustType: "", platform: "unknown", registered: false };
  const d = device as Record<string, unknown>;
  const platform = platformOf(typeof d.operatingSystem === "string" ? d.operatingSystem : undefined);
  const known = PLATFORMS.find((p) => p.toLowerCase() === (platform ?? "unknown").toLowerCase()) ?? "unknown";
  if (d.unregistered === true) return { trustType: "", platform: known, registered: false };
  const trust = TRUST_TYPES.find((t) => t.toLowerCase() === String(d.trustType ?? "").toLowerCase());
  return trust ? { trustType: trust, platform: known, registered: true } : undefined;
}

/** Inventory devices counted by kind, one at a time (for inventories read as a stream). */
export class DeviceKindCounts {
  readonly counts = new Map<string, number>();
  unclassified = 0;
  total = 0;

  add(device: InventoryDevice): void {
    this.total++;
    const kind = kindOfDevice(device);
    if (!kind) this.unclassified++;
    else this.counts.set(kindKey(kind), (this.counts.get(kindKey(kind)) ?? 0) + 1);
  }
}

/** Every device kind, the effect of each policy on it, the combined outcome, and inventory counts. */
export function deviceMatrix(policies: EvaluatedPolicy[], devices: InventoryDevice[] | DeviceKindCounts): DeviceMatrix {
  const compiled = policies.map(compilePolicy);
  const kinds: DeviceKind[] = [
    ...TRUST_TYPES.flatMap((trustType) => PLATFORMS.map((platform) => ({ trustType, platform, registered: true }))),
    ...PLATFORMS.map((platform) => ({ trustType: "", platform, registered: false })),
  ];
  let tally = devices;
  if (Array.isArray(tally)) {
    const counted = new DeviceKindCounts();
    for (const d of tally) counted.add(d);
    tally = counted;
  }
  const { counts, unclassified } = tally;
  const rows = kinds.map((kind) => {
    const os = OS_OF_PLATFORM[kind.platform];
    const device: InventoryDevice = kind.registered ? { trustType: kind.trustType, ...(os ? { operatingSystem: os } : {}) } : os ? { unregistered: true, operatingSystem: os } : null;
    const result = evaluateDevice(compiled, device);
    const cells = compiled.map((p) => {
      const applies = result.applying.includes(p.name);
      const granted = !applies ? "not applied" : p.block ? "block" : p.controls ? `grant: ${p.controls}` : "allow";
      // A policy with conditions not modelled may not apply at all: said in the cell.
      const effect = applies && p.notModelled.length && granted !== "allow" ? `${granted} if ${p.notModelled.join(", ")} match (not enough information)` : granted;
      return { effect, reportOnly: p.state === "enabledForReportingButNotEnforced" };
    });
    return {
      kind,
      label: kindLabel(kind),
      cells,
      outcome: result.outcome,
      controls: result.controls,
      outcomeIfReportOnlyEnforced: result.outcomeIfReportOnlyEnforced,
      devices: counts.get(kindKey(kind)) ?? 0,
    };
  });
  return { policies: compiled.map((p) => ({ name: p.name, state: p.state })), rows, unclassified, totalDevices: tally.total };
}

const STATE_LABEL: Record<string, string> = { enabled: "enabled", enabledForReportingButNotEnforced: "report-only", disabled: "disabled" };

function cellHtml(cell: PolicyCell): string {
  if (cell.effect === "not applied") return `<span class="na">not applied</span>`;
  const cls = cell.effect.endsWith("(not enough information)") ? "unknown" : cell.effect === "block" ? "block" : cell.effect.startsWith("grant") ? "grant" : "allow";
  if (cell.reportOnly) return `<span class="cell ro">report-only: ${esc(cell.effect)}</span>`;
  return `<span class="cell ${cls}">${esc(cell.effect)}</span>`;
}

function outcomeHtml(row: MatrixRow): string {
  const main = row.outcome === "grant" ? `grant: ${row.controls.join("; ")}` : outcomeText(row.outcome);
  const extra = row.outcomeIfReportOnlyEnforced !== row.outcome ? ` <span class="cell ro">report-only would: ${esc(outcomeText(row.outcomeIfReportOnlyEnforced))}</span>` : "";
  return `<span class="cell ${esc(row.outcome)}">${esc(main)}</span>${extra}`;
}

export interface WhatifReportInput {
  stack: string;
  inventory: string;
  matrix: DeviceMatrix;
  report: InventoryReport;
  provenance?: ReportProvenance;
  /** Devices listed one by one at most (default DETAIL_ROW_LIMIT); the matrix and totals always cover them all. */
  detailLimit?: number;
  /** When report.devices holds only the first devices of a streamed inventory: how many there are in all. */
  deviceCount?: number;
}

/** The whole page. */
export function renderWhatifReport(input: WhatifReportInput): string {
  const { matrix, report } = input;
  const t = report.totals;
  const summary = summaryCards([
    { value: t.devices, label: "devices in the inventory" },
    { value: t.block, label: "blocked", muteZero: true },
    { value: t.grant, label: "granted with controls", muteZero: true },
    { value: t.allow, label: "allowed" },
    { value: t.unknown, label: "not enough information (a condition not modelled)", muteZero: true },
    { value: t.blockIfReportOnlyEnforced, label: "blocked once report-only policies are enforced", muteZero: true },
  ]);
  const policyHeaders = matrix.policies.map((p) => `${p.name} [${STATE_LABEL[p.state] ?? p.state}]`);
  const rows = matrix.rows.map((r) => [
    r.kind.registered ? "registered" : `<span class="na">unregistered</span>`,
    r.kind.registered ? esc(TRUST_LABEL[r.kind.trustType]) : `<span class="na">none</span>`,
    esc(r.kind.platform),
    ...r.cells.map(cellHtml),
    outcomeHtml(r),
    r.devices ? String(r.devices) : `<span class="zero">0</span>`,
  ]);
  const matrixTable = table(["Registration", "Trust type", "Platform", ...policyHeaders, "Outcome", "Devices"], rows, {
    id: "matrix",
    numeric: [policyHeaders.length + 4],
  });
  const allDevices = input.deviceCount ?? report.devices.length;
  const capped = capRows(report.devices, input.detailLimit ?? DETAIL_ROW_LIMIT);
  const devices = { shown: capped.shown, omitted: allDevices - capped.shown.length };
  const deviceRows = devices.shown.map((d) => [
    esc(d.label),
    `<span class="cell ${esc(d.outcome)}">${esc(d.outcome === "grant" ? `grant: ${d.controls.join("; ")}` : outcomeText(d.outcome))}</span>` +
      (d.outcomeIfReportOnlyEnforced !== d.outcome ? ` <span class="cell ro">report-only would: ${esc(outcomeText(d.outcomeIfReportOnlyEnforced))}</span>` : ""),
    esc(d.applying.join(" | ") || "none"),
  ]);
  const body = `<h1>What-if: Conditional Access of stack ${esc(input.stack)}</h1>
<p class="sub">Inventory <code>${esc(input.inventory)}</code> · ${matrix.policies.length} policies · evaluated offline (device filter and platform; the sign-in is assumed to be by a user and to an app every policy targets)</p>
${summary}
<h2>Device kinds × policies</h2>
<p class="legend"><span><span class="cell block">block</span> enforced block</span><span><span class="cell grant">grant</span> access with controls</span><span><span class="cell ro">report-only</span> logged, not enforced</span><span class="na">not applied</span> — each kind is evaluated for a device with only that trust type and platform; unregistered devices have no attributes.</p>
${matrixTable}
${matrix.unclassified ? `<p>${matrix.unclassified} registered device(s) without a known trust type are counted in no row.</p>` : ""}
<h2>Devices of the inventory</h2>
${table(["Device", "Outcome", "Policies that apply"], deviceRows, { id: "devices" })}
${
  devices.omitted
    ? cappedNote(
        devices.shown.length,
        allDevices,
        "devices",
        "The totals and the matrix above count every device. For the full list run whatif --json, or narrow the run: a smaller inventory (one department, one site) or fewer policies.",
      )
    : ""
}
`;
  return page(`What-if ${input.stack}`, body, input.provenance);
}
