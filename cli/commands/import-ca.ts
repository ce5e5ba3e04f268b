/**
 * `tenant-guardrails import-ca <graph-export.json>...`: turn Graph exports of Conditional Access
 * policies into CorporateDeviceAccess args or azuread ConditionalAccessPolicy args, with the
 * `pulumi import` line for each. Exit 0 when every policy imported, 1 when any failed (the others
 * are still printed), 2 on usage errors (no file, unreadable file or map).
 */
import * as fs from "node:fs";
import type { Command } from "commander";
// The pure module only: importing needs no Pulumi.
import {
  combinedImportFile,
  importConditionalAccessFiles,
  normaliseEmergencyAccess,
  type EmergencyAccessIds,
  type ImportResult,
  type ImportedPolicy,
  type PolicyImportError,
} from "../../components/conditional-access/import";
import { toGraphPolicy } from "../../components/conditional-access/import/to-graph";
import { MAX_EXPORT_BYTES } from "../../components/conditional-access/import/decode";
import { EXIT_FINDING, UsageError, printLines } from "../output";
import { normaliseConditionalAccessPolicy } from "../../components/conditional-access/graph-policy/normalise";

export interface ImportCaOptions {
  json?: boolean;
  map?: string;
  importFile?: string;
  /** --emergency-access-group, repeatable. */
  emergencyAccessGroup?: string[];
  /** --emergency-access-user, repeatable. */
  emergencyAccessUser?: string[];
}

/**
 * The break-glass ids of --emergency-access-group / --emergency-access-user, each a GUID; a usage
 * error naming the flag and the value otherwise (before any file is read).
 */
export function emergencyAccessFlags(opts: Pick<ImportCaOptions, "emergencyAccessGroup" | "emergencyAccessUser">): EmergencyAccessIds | undefined {
  const groupIds = opts.emergencyAccessGroup ?? [];
  const userIds = opts.emergencyAccessUser ?? [];
  if (groupIds.length + userIds.length === 0) return undefined;
  const { value, problems } = normaliseEmergencyAccess({ userIds, groupIds });
  if (value) return value;
  const flag = (field: string) => (field.startsWith("emergencyAccess.groupIds") ? "--emergency-access-group" : "--emergency-access-user");
  throw new UsageError(
    problems
      .map((p) => `${flag(p.field)} ${JSON.stringify(p.value)}: ${p.problem}; fix: ${p.fix}`)
      .join("\nerror: "),
  );
}

function readFile(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch (err) {
    throw new UsageError(`cannot read Graph export ${file}: ${(err as Error).message}`);
  }
}

/** The placeholder map: a JSON object of token -> value. */
function readPlaceholderMap(file: string | undefined): Record<string, string> | undefined {
  if (!file) return undefined;
  let map: unknown;
  try {
    map = JSON.parse(readFile(file, "placeholder map").toString("utf8").replace(/^\uFEFF/, ""));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`placeholder map ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (map === null || typeof map !== "object" || Array.isArray(map) || !Object.values(map).every((v) => typeof v === "string")) {
    throw new UsageError(`placeholder map ${file} must be a JSON object of "token": "value" strings`);
  }
  return map as Record<string, string>;
}

/**
 * Read and import Graph export files (shared with `whatif`, `coverage` and `replay --policies`).
 * Every policy that imports is returned, of either kind: the evaluators read it in the Graph shape
 * ({@link importedPolicyGraph}).
 */
export function importPolicyFiles(files: string[], mapFile?: string, emergencyAccess?: EmergencyAccessIds): ImportResult {
  if (files.length === 0) throw new UsageError("give at least one Graph export file");
  const placeholderValues = readPlaceholderMap(mapFile);
  // A file over the size limit is reported (with the others still imported), not read.
  const contents = files.map((name) => {
    const sizeBytes = fileSize(name);
    return { name, sizeBytes, content: sizeBytes > MAX_EXPORT_BYTES ? new Uint8Array(0) : readFile(name, "Graph export") };
  });
  return importConditionalAccessFiles(contents, { placeholderValues, emergencyAccess });
}

/**
 * An imported policy in Graph's `conditionalAccessPolicy` shape: a Graph-native one as its resource
 * sends it (the normaliser's payload, its emergencyAccess added to the exclusions), or the azuread
 * args through the importer's inverse.
 */
export function importedPolicyGraph(p: ImportedPolicy): Record<string, unknown> {
  if (p.kind !== "graph" || !p.graph) return toGraphPolicy(p.resource);
  // The importer accepted it only once it normalised, so the value is there.
  return normaliseConditionalAccessPolicy(p.graph).value!.policy;
}

/** Where an error is, for people: file, position and policy name. */
export function errorLocation(e: PolicyImportError): string {
  const where = e.index === undefined ? e.source : `${e.source} #${e.index + 1}`;
  return e.policy === undefined ? where : `${where} "${e.policy}"`;
}

/** An import error as lines: location, field and message, fix, and a caret under rule faults. */
export function errorLines(e: PolicyImportError): string[] {
  const lines = [`error: ${errorLocation(e)}: ${e.field ? `${e.field}: ` : ""}${e.message}`];
  if (e.rule !== undefined && e.position !== undefined) {
    lines.push(`    ${e.rule.replace(/[\t\r\n]/g, " ")}`, `    ${" ".repeat(e.position)}^`);
  }
  if (e.fix) lines.push(`  fix: ${e.fix}`);
  return lines;
}

function indent(text: string, by = "    "): string[] {
  return text.split("\n").map((l) => by + l);
}

function policyLines(p: ImportedPolicy): string[] {
  const kind =
    p.kind === "component"
      ? "CorporateDeviceAccess component"
      : p.kind === "graph"
        ? `Graph-native ConditionalAccessPolicy resource (Graph ${p.apiVersion})`
        : "azuread.ConditionalAccessPolicy resource";
  const lines = [`== ${p.displayName}  (${p.source} #${p.index + 1})`, `  kind: ${kind}`, `  resource name: ${p.resourceName}`];
  if (p.notes.length) {
    lines.push("  notes:");
    for (const n of p.notes) lines.push(`    - ${n.message}`);
  }
  lines.push("  TypeScript:", ...indent(p.typescript));
  lines.push(`  import: ${p.importCommand ?? "(no id in the export: pulumi up creates the policy)"}`);
  if (p.importFile) lines.push(`  ${p.resourceName}.import.json:`, ...indent(JSON.stringify(p.importFile, null, 2)));
  return lines;
}

/** Every documented key present (null when not applicable): a stable document. */
const keepUndefinedAsNull = (_k: string, v: unknown) => (v === undefined ? null : v);

/**
 * Print `doc` exactly as printJson would (2-space indent, undefined as null), one array element
 * at a time: a large import is never held as one JSON string.
 */
function printJsonStreamed(doc: Record<string, unknown>): void {
  const keys = Object.keys(doc);
  process.stdout.write("{\n");
  keys.forEach((key, k) => {
    const value = doc[key];
    const end = k < keys.length - 1 ? ",\n" : "\n";
    if (!Array.isArray(value) || value.length === 0) {
      process.stdout.write(`  ${JSON.stringify(key)}: ${(JSON.stringify(value, keepUndefinedAsNull, 2) ?? "null").replace(/\n/g, "\n  ")}${end}`);
      return;
    }
    process.stdout.write(`  ${JSON.stringify(key)}: [\n`);
    value.forEach((element, i) => {
      // JSON text has no raw line breaks inside strings, so re-indenting by lines is exact.
      const text = (JSON.stringify(element, keepUndefinedAsNull, 2) ?? "null").replace(/\n/g, "\n    ");
      process.stdout.write(`    ${text}${i < value.length - 1 ? ",\n" : "\n"}`);
    });
    process.stdout.write(`  ]${end}`);
  });
  process.stdout.write("}\n");
}

export function importCa(files: string[], opts: ImportCaOptions): number {
  const emergencyAccess = emergencyAccessFlags(opts);
  const result = importPolicyFiles(files, opts.map, emergencyAccess);
  const withEmergencyAccess = result.policies.filter((p) => p.emergencyAccessAdded).length;
  const code = result.errors.length ? EXIT_FINDING : 0;
  if (opts.importFile) {
    try {
      fs.writeFileSync(opts.importFile, JSON.stringify(combinedImportFile(result.policies), null, 2) + "\n");
    } catch (err) {
      throw new UsageError(`cannot write import file ${opts.importFile}: ${(err as Error).message}`);
    }
  }
  if (opts.json) {
    printJsonStreamed({ ok: code === 0, files: result.files, policies: result.policies, errors: result.errors, emergencyAccessAdded: withEmergencyAccess });
    return code;
  }
  if (result.policies.length) {
    printLines(['The TypeScript below assumes: import * as azuread from "@pulumi/azuread"; import { CorporateDeviceAccess, ConditionalAccessPolicy } from "tenant-guardrails";', ""]);
  }
  for (const p of result.policies) printLines([...policyLines(p), ""]);
  const components = result.policies.filter((p) => p.kind === "component").length;
  const graph = result.policies.filter((p) => p.kind === "graph").length;
  printLines([
    `${result.policies.length} polic${result.policies.length === 1 ? "y" : "ies"} imported (${components} as CorporateDeviceAccess, ${result.policies.length - components - graph} as azuread resources, ${graph} as Graph-native resources` +
      (emergencyAccess ? `; ${withEmergencyAccess} with the emergency-access exclusion added` : "") +
      `), ${result.errors.length} error(s)`,
  ]);
  for (const e of result.errors) process.stderr.write(errorLines(e).join("\n") + "\n");
  return code;
}

/** Commander's accumulator for a repeatable option. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function register(program: Command): void {
  program
    .command("import-ca")
    .description("convert Graph exports of Conditional Access policies into CorporateDeviceAccess, azuread or Graph-native ConditionalAccessPolicy args, with pulumi import commands")
    .argument("<graph-export.json...>", "Graph exports: one policy, an array, or { value: [...] } pages; UTF-8 or UTF-16 with BOM")
    .option("--map <placeholders.json>", 'values for template placeholders, e.g. {"ENTRAGROUP_Break glass_ENTRAGROUP": "<group id>"}')
    .option("--import-file <path>", "also write one `pulumi import --file` document adopting every imported policy that has an id")
    .option(
      "--emergency-access-group <objectId>",
      "object id of your break-glass group (repeatable): added to the exclusions of every enabled all-users policy that excludes no user or group (refused otherwise)",
      collect,
      [],
    )
    .option("--emergency-access-user <objectId>", "object id of a break-glass account (repeatable); as --emergency-access-group", collect, [])
    .option("--json", "print a stable JSON document: { ok, files, policies, errors, emergencyAccessAdded }")
    .action((files: string[], opts: ImportCaOptions) => {
      const code = importCa(files, opts);
      if (code !== 0) process.exitCode = code;
    });
}
