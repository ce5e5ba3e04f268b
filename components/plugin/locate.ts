/**
 * Whether the Pulumi engine will find the package's plugin, `pulumi-resource-tenant-guardrails`.
 * Without it the engine looks for a release of "pulumi-tenant-guardrails" on GitHub and fails with
 * a message that does not say what to do; the program says it first, in the engine's own order.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** The plugin's executable name, as the engine looks it up. */
export const PLUGIN_EXECUTABLE = "pulumi-resource-tenant-guardrails";
const PACKAGE = "tenant-guardrails";

/** What to add to Pulumi.yaml, said in every message about a missing plugin. */
export const PLUGIN_FIX = `add to Pulumi.yaml: "plugins: { providers: [ { name: ${PACKAGE}, path: ./node_modules/.bin } ] }" (npm installs the plugin there with the package)`;

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The `plugins.providers` path Pulumi.yaml (or .yml) of `projectDir` names for the package, if any. */
function projectPluginDir(projectDir: string): string | undefined {
  for (const file of ["Pulumi.yaml", "Pulumi.yml"]) {
    const full = path.join(projectDir, file);
    if (!fs.existsSync(full)) continue;
    let project: unknown;
    try {
      project = parse(fs.readFileSync(full, "utf8"));
    } catch {
      return undefined; // the engine reports a bad project file itself
    }
    const providers = (project as { plugins?: { providers?: { name?: unknown; path?: unknown }[] } } | null)?.plugins?.providers;
    const entry = Array.isArray(providers) ? providers.find((p) => p?.name === PACKAGE && typeof p.path === "string") : undefined;
    return entry ? path.resolve(projectDir, entry.path as string) : undefined;
  }
  return undefined;
}

/** Where the plugin is (`file`, undefined when the engine would not find it) and where it was looked for. */
export interface PluginLookup {
  file: string | undefined;
  looked: string[];
}

/**
 * Where the engine would start the plugin from: the project's `plugins.providers` entry (alone,
 * when there is one), else `PATH` (unless PULUMI_IGNORE_AMBIENT_PLUGINS), else a plugin installed
 * under PULUMI_HOME (`~/.pulumi/plugins/resource-tenant-guardrails-v<version>`).
 */
export function findPackagePlugin(projectDir: string, env: NodeJS.ProcessEnv, home = env.HOME ?? ""): PluginLookup {
  const fromProject = projectPluginDir(projectDir);
  if (fromProject !== undefined) {
    const file = path.join(fromProject, PLUGIN_EXECUTABLE);
    return { file: isExecutable(file) ? file : undefined, looked: [`${file} (Pulumi.yaml plugins)`] };
  }
  const looked: string[] = [`Pulumi.yaml plugins of ${projectDir} (no ${PACKAGE} entry)`];
  if (!/^(1|true)$/i.test(env.PULUMI_IGNORE_AMBIENT_PLUGINS ?? "")) {
    looked.push("PATH");
    for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
      const file = path.join(dir, PLUGIN_EXECUTABLE);
      if (isExecutable(file)) return { file, looked };
    }
  }
  const plugins = path.join(env.PULUMI_HOME || path.join(home, ".pulumi"), "plugins");
  looked.push(plugins);
  const installed = fs.existsSync(plugins) ? fs.readdirSync(plugins).filter((d) => d.startsWith(`resource-${PACKAGE}-v`)) : [];
  for (const dir of installed) {
    const file = path.join(plugins, dir, PLUGIN_EXECUTABLE);
    if (isExecutable(file)) return { file, looked };
  }
  return { file: undefined, looked };
}

/**
 * The warning for a program about to need the plugin, or undefined when the engine will find it.
 * Said once per program run, before the engine's own error.
 */
export function missingPluginWarning(component: string, name: string, lookup: PluginLookup): string | undefined {
  if (lookup.file !== undefined) return undefined;
  return `${component} "${name}" is served by the package's plugin ${PLUGIN_EXECUTABLE}, which the Pulumi engine will not find (looked in: ${lookup.looked.join("; ")}). Fix: ${PLUGIN_FIX}.`;
}
