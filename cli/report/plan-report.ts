/**
 * `plan --html`: an overview of a stack — policy findings first, then the choices made per system
 * (the components' persisted inputs), every resource, and the stack outputs. Pure: data in, HTML
 * string out. Only masked inputs are rendered (secrets show as "[secret]").
 */
import type { DeclaredResource } from "../engine";
import type { PolicyFinding } from "../policy-findings";
import { esc, page, summaryCards, table, text, type ReportProvenance } from "../../components/common/html";
import { COMPONENT_TOKEN_PREFIX } from "../../components/common/type-tokens";
import { inputLabel } from "./labels";

export interface PlanReportInput {
  stack: string;
  resources: DeclaredResource[];
  outputs: Record<string, unknown>;
  findings: PolicyFinding[];
  /** When, by which version, from which commit and config the page was made; omitted in pure tests. */
  provenance?: ReportProvenance;
}

const COMPONENT_PREFIX = COMPONENT_TOKEN_PREFIX;
const SYSTEM_OF: Record<string, string> = {
  CorporateDeviceAccess: "Conditional Access",
  VulnerabilityAssessment: "Defender for Cloud vulnerability assessment",
  FipsDeviceConfiguration: "Intune FIPS mode and BitLocker",
  EmailAuthentication: "Email authentication (DMARC, SPF, DKIM)",
};
const LONG = 240;

/** Leaf values of a nested object as [dotted path, text] pairs. */
export function flatten(value: unknown, prefix = ""): [string, string][] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== "object")) return [[prefix, value.join(", ")]];
    return value.flatMap((v, i) => flatten(v, `${prefix}[${i}]`));
  }
  if (typeof value === "object") {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, String(value)]];
}

function shorten(s: string): string {
  return s.length > LONG ? `${s.slice(0, LONG)}… (${s.length} characters)` : s;
}

/** A definition list; with `labelled`, known input keys show their human label (the raw key stays in `title`). */
function dl(pairs: [string, string][], labelled = false): string {
  if (pairs.length === 0) return `<p class="na">no inputs (defaults)</p>`;
  const term = (k: string) => {
    const label = labelled ? inputLabel(k) : undefined;
    return label ? `<dt title="${esc(k)}" data-key="${esc(k)}">${esc(label)}</dt>` : `<dt data-key="${esc(k)}">${esc(k)}</dt>`;
  };
  return `<dl>${pairs.map(([k, v]) => `${term(k)}<dd class="mono">${esc(shorten(v))}</dd>`).join("")}</dl>`;
}

type Inputs = Record<string, unknown>;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** One line per system saying what was chosen, from the component's (masked) inputs. */
export function systemHeadline(kind: string, inputs: Inputs): string {
  const sub = (k: string) => (inputs[k] && typeof inputs[k] === "object" ? (inputs[k] as Inputs) : {});
  switch (kind) {
    case "CorporateDeviceAccess": {
      const state = String(inputs.state ?? "reportOnly");
      const platforms = list(inputs.allowedPlatforms);
      return `${/^enabled$/i.test(state) ? "Enforced" : /^disabled$/i.test(state) ? "Disabled" : "Report-only"}: ${list(inputs.applications).join(", ") || "All"} only from ${
        list(inputs.trustedTrustTypes).join(" or ") || "ServerAD or AzureAD"
      } devices${platforms.length ? ` on ${platforms.join(", ")}` : ""}`;
    }
    case "VulnerabilityAssessment":
      return inputs.provider === "qualysByol"
        ? `Qualys BYOL for ${list(inputs.machines).length} machine(s)`
        : `Built-in MDVM on Defender for Servers ${String(sub("builtIn").subPlan ?? "")} for ${list(inputs.machines).length} machine(s)`;
    case "FipsDeviceConfiguration":
      return `${inputs.fipsProfile === false ? "" : "FIPS mode"}${inputs.bitLocker ? " then FIPS-compatible BitLocker" : ""} for ${list(sub("assignment").includeGroupIds).length} device group(s)`;
    case "EmailAuthentication": {
      const domains = list(inputs.domains) as Inputs[];
      const parked = domains.filter((d) => d.parked === true).length;
      return `DMARC p=${String(inputs.dmarcPolicy ?? "(per domain)")} for ${domains.length} domain(s)${parked ? `, ${parked} parked` : ""}${inputs.inbound ? "; inbound DMARC handling in Exchange Online" : ""}`;
    }
    default:
      return "";
  }
}

function shortName(urn: string): string {
  return urn ? (urn.split("::").pop() ?? urn) : "";
}

export function renderPlanReport(input: PlanReportInput): string {
  const resources = input.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
  const components = resources.filter((r) => r.type.startsWith(COMPONENT_PREFIX));
  const children = (urn: string): number => resources.filter((r) => r.parent === urn).length;
  const mandatory = input.findings.filter((f) => f.enforcementLevel === "mandatory");
  const advisory = input.findings.filter((f) => f.enforcementLevel !== "mandatory");

  const summary = summaryCards([
    { value: components.length, label: "components" },
    { value: resources.length - components.length, label: "resources they declare" },
    { value: mandatory.length, label: "mandatory findings", id: "mandatory-count", muteZero: true },
    { value: advisory.length, label: "advisory findings", id: "advisory-count", muteZero: true },
  ]);

  const findingRows = input.findings.map((f) => [
    `<span class="badge ${esc(f.enforcementLevel)}">${esc(f.enforcementLevel)}</span>`,
    `<code>${esc(f.policy)}</code>`,
    esc(shortName(f.urn)),
    esc(f.message),
  ]);
  const findings = input.findings.length
    ? table(["Level", "Policy", "Resource", "Finding"], findingRows, { id: "findings" })
    : `<p id="findings">No findings: every policy of the pack passes.</p>`;

  const choices = components
    .map((c) => {
      const kind = c.type.slice(COMPONENT_PREFIX.length);
      return `<section class="system" data-component="${esc(kind)}">
<h3>${esc(SYSTEM_OF[kind] ?? kind)} <span class="badge">${esc(kind)} "${esc(c.name)}" · ${children(c.urn)} resource(s)</span></h3>
<p class="headline">${esc(systemHeadline(kind, c.inputs))}</p>
${dl(flatten(c.inputs), true)}
</section>`;
    })
    .join("\n");

  const resourceRows = resources.map((r) => [
    `<code>${esc(r.type)}</code>`,
    esc(r.name),
    esc(shortName(r.parent)),
    esc(
      flatten(r.inputs)
        .filter(([k]) => !k.startsWith("metadata."))
        .slice(0, 4)
        .map(([k, v]) => `${k}: ${v.length > 120 ? `${v.slice(0, 120)}…` : v}`)
        .join("\n"),
    ).replace(/\n/g, "<br>"),
  ]);

  // Outputs: the short values (decisions, ids, records); long ones (scripts) stay in plan --json.
  let omitted = 0;
  const outputs = Object.entries(input.outputs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => {
      const pairs = flatten(v).map(([p, s]) => [p, text(s)] as [string, string]);
      const short = pairs.filter(([, s]) => s.length <= LONG);
      omitted += pairs.length - short.length;
      return `<h3>${esc(k)}</h3>${dl(short)}`;
    })
    .join("\n");

  const body = `<h1>Plan of stack ${esc(input.stack)}</h1>
<p class="sub">Offline plan (mock engine, no tenant contacted) with the tenant-guardrails policy pack</p>
${summary}
<h2>Policy findings</h2>
${findings}
<h2>Choices per system</h2>
<div id="choices">${choices || `<p class="na">This stack declares no component.</p>`}</div>
<h2>Resources</h2>
${table(["Type", "Name", "Parent", "Key inputs"], resourceRows, { id: "resources" })}
<h2>Stack outputs</h2>
${outputs || `<p class="na">none</p>`}
${omitted ? `<p class="na">${omitted} long value(s) not shown: see plan --json.</p>` : ""}
`;
  return page(`Plan ${input.stack}`, body, input.provenance);
}
