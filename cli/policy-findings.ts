/**
 * The policy pack over a stack's offline run: the same policy objects `pulumi preview
 * --policy-pack policies` serves, evaluated on the engine's recorded resources (plainInputs), with
 * any secret value scrubbed from the messages (in every encoding) before they are printed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { PolicyPackConfig } from "@pulumi/policy";
import { SECRET_MASK, type DeclaredResource } from "./engine";
import { scrubSecrets } from "../components/secret-scrub";
import { evaluatePolicies, isBlocking, readPolicyConfig, type PolicyFinding } from "../policies/evaluate";
import { InputError, UsageError } from "./output";

export type { PolicyFinding };
export { isBlocking };

/** The pack's config: `--policy-config <file>`, else `<project>/policies/policy-config.json` when present, else the policies' defaults. */
export function loadPolicyConfig(projectRoot: string, file?: string): { config: PolicyPackConfig; source: string } {
  const chosen = file ?? path.join(projectRoot, "policies", "policy-config.json");
  if (!fs.existsSync(chosen)) {
    if (file) throw new UsageError(`cannot read policy config ${file}: no such file`);
    return { config: {}, source: "(policy defaults)" };
  }
  try {
    return { config: readPolicyConfig(chosen), source: path.relative(process.cwd(), chosen) || chosen };
  } catch (err) {
    throw new InputError(`policy config ${chosen}: ${(err as Error).message}`);
  }
}

/** Every secret value the resources carry (revealed in plainInputs, masked in inputs). */
function secretValues(resources: DeclaredResource[]): string[] {
  const found = new Set<string>();
  const leaves = (v: unknown) => {
    if (typeof v === "string" || typeof v === "number") found.add(String(v));
    else if (Array.isArray(v)) v.forEach(leaves);
    else if (v && typeof v === "object") Object.values(v).forEach(leaves);
  };
  const walk = (masked: unknown, plain: unknown) => {
    if (masked === SECRET_MASK && plain !== SECRET_MASK) return leaves(plain);
    if (Array.isArray(masked) && Array.isArray(plain)) masked.forEach((m, i) => walk(m, plain[i]));
    else if (masked && typeof masked === "object" && plain && typeof plain === "object") {
      for (const [k, m] of Object.entries(masked)) walk(m, (plain as Record<string, unknown>)[k]);
    }
  };
  for (const r of resources) walk(r.inputs, r.plainInputs);
  return [...found].filter((s) => s.length >= 4);
}

/** Run the policy pack over a stack's declared resources; messages never quote a secret. */
export async function policyFindings(resources: DeclaredResource[], config: PolicyPackConfig): Promise<PolicyFinding[]> {
  const findings = await evaluatePolicies(
    resources.map((r) => ({ type: r.type, urn: r.urn, name: r.name, parent: r.parent, props: r.plainInputs })),
    config,
  );
  const secrets = secretValues(resources);
  // Every form a secret can take in a message (escaped, quoted in JSON, URL-encoded, ...), not only the raw one.
  return findings.map((f) => ({ ...f, message: scrubSecrets(f.message, secrets) }));
}

/** Human lines for the findings, printed under the resource list. */
export function findingLines(findings: PolicyFinding[], source: string): string[] {
  const mandatory = findings.filter(isBlocking).length;
  const lines = ["", `Policy findings (policy pack tenant-guardrails, config ${source}): ${mandatory} mandatory, ${findings.length - mandatory} advisory`];
  if (findings.length === 0) lines.push("  none");
  for (const f of findings) {
    lines.push(`  [${f.enforcementLevel}] ${f.policy}${f.urn ? `  ${f.urn.split("::").pop()}` : ""}`);
    lines.push(`      ${f.message}`);
  }
  return lines;
}
