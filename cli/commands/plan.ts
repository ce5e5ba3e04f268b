import * as path from "node:path";
import type { Command } from "commander";
import { PROVIDER_TYPE_TOKENS } from "../../components/common/type-tokens";
import { SECRET_MASK, type DeclaredResource } from "../engine";
import { EXIT_FINDING, printJson, printLines } from "../output";
import { findProject, runStack } from "../stack";
import { findingLines, isBlocking, loadPolicyConfig, policyFindings } from "../policy-findings";
import { shownPath, writePlanReport } from "../report/write";

/** Inputs worth a line in the human plan, per resource type; other types show their scalar inputs. */
const KEY_INPUTS: Record<string, string[]> = {
  [PROVIDER_TYPE_TOKENS.ConditionalAccessPolicy]: [
    "displayName",
    "state",
    "conditions.devices.filter.mode",
    "conditions.devices.filter.rule",
    "conditions.platforms.excludedPlatforms",
    "conditions.applications.includedApplications",
    "conditions.users.excludedUsers",
    "conditions.users.excludedGroups",
    "grantControls.builtInControls",
  ],
  "azure-native:dns:RecordSet": ["zoneName", "relativeRecordSetName", "recordType", "ttl", "txtRecords", "cnameRecord.cname"],
  // The script is long and also a stack output for review: show its first line and size only.
  "command:local:Command": ["interpreter", "create", "triggers"],
};

function at(obj: unknown, dotted: string): unknown {
  return dotted.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** One line per input: a multi-line string (a script, a description) shows its first line and size. */
function show(v: unknown): string {
  if (typeof v !== "string") return JSON.stringify(v);
  const lines = v.split("\n");
  return lines.length > 1 ? `${lines[0]} … (${lines.length} lines)` : v;
}

/** Outputs for reading: a multi-line string (e.g. a generated script) becomes its first line and size. */
function abridged(value: unknown): unknown {
  if (typeof value === "string") return value.includes("\n") ? show(value) : value;
  if (Array.isArray(value)) return value.map(abridged);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, abridged(v)]));
  return value;
}

export function keyInputs(resource: DeclaredResource): [string, unknown][] {
  const keys = KEY_INPUTS[resource.type];
  if (keys) return keys.map((k) => [k, at(resource.inputs, k)] as [string, unknown]).filter(([, v]) => v !== undefined);
  return Object.entries(resource.inputs).filter(([, v]) => v === SECRET_MASK || v === null || typeof v !== "object" || (Array.isArray(v) && v.every((x) => typeof x !== "object")));
}

export function planLines(stack: string, resources: DeclaredResource[], outputs: Record<string, unknown>): string[] {
  const lines = [`Offline plan of stack "${stack}": ${resources.filter((r) => r.type !== "pulumi:pulumi:Stack").length} resources`, ""];
  const byParent = new Map<string, DeclaredResource[]>();
  for (const r of resources) byParent.set(r.parent, [...(byParent.get(r.parent) ?? []), r]);
  const walk = (parent: string, depth: number) => {
    for (const r of byParent.get(parent) ?? []) {
      const indent = "  ".repeat(depth);
      if (r.type !== "pulumi:pulumi:Stack") {
        lines.push(`${indent}+ ${r.type}  ${r.name}`);
        for (const [k, v] of keyInputs(r)) lines.push(`${indent}      ${k}: ${show(v)}`);
      }
      walk(r.urn, r.type === "pulumi:pulumi:Stack" ? depth : depth + 1);
    }
  };
  walk("", 0);
  lines.push("", "Outputs (long text abridged; --json has it whole):");
  for (const [k, v] of Object.entries(outputs)) if (v !== undefined) lines.push(`  ${k}: ${JSON.stringify(abridged(v), null, 2).replace(/\n/g, "\n  ")}`);
  return lines;
}

export function register(program: Command): void {
  program
    .command("plan")
    .description("run a stack's program offline under the mock engine and print the resources it declares")
    .requiredOption("--stack <name>", "stack name (reads stacks/Pulumi.<name>.yaml)")
    .option("--json", "print a stable JSON document")
    .option("--policy-config <file>", "policy pack config (as for pulumi --policy-pack-config); default policies/policy-config.json")
    .option("--html <file>", "also write a self-contained HTML overview of the stack")
    .action(async (opts: { stack: string; json?: boolean; policyConfig?: string; html?: string }) => {
      const project = findProject();
      const policyConfig = loadPolicyConfig(project.root, opts.policyConfig);
      const { resources, outputs } = await runStack(opts.stack, project);
      // The policy pack, offline: exit 1 on a mandatory violation, as pulumi preview --policy-pack would fail.
      const findings = await policyFindings(resources, policyConfig.config);
      const blocked = findings.some(isBlocking);
      if (opts.html) {
        writePlanReport(
          opts.html,
          { stack: opts.stack, resources, outputs, findings },
          {
            stack: opts.stack,
            projectDir: project.root,
            files: [
              { role: "Stack config", path: shownPath(path.join(project.stackConfigDir, `Pulumi.${opts.stack}.yaml`)) },
              { role: "Policy pack config", path: shownPath(opts.policyConfig ?? path.join(project.root, "policies", "policy-config.json")) },
            ],
          },
        );
      }
      if (opts.json) {
        printJson({
          ok: !blocked,
          stack: opts.stack,
          resources: resources
            .filter((r) => r.type !== "pulumi:pulumi:Stack")
            .map((r) => ({ type: r.type, name: r.name, urn: r.urn, parent: r.parent, custom: r.custom, inputs: r.inputs })),
          outputs,
          findings: findings.map((f) => ({ policy: f.policy, enforcementLevel: f.enforcementLevel, severity: f.severity, urn: f.urn, message: f.message })),
        });
      } else {
        printLines([...planLines(opts.stack, resources, outputs), ...findingLines(findings, policyConfig.source)]);
      }
      if (opts.html && !opts.json) process.stderr.write(`HTML overview written to ${opts.html}\n`);
      if (blocked) process.exitCode = EXIT_FINDING;
    });
}
