/**
 * Whether the engine will find `pulumi-resource-tenant-guardrails`, in the engine's order: the
 * project's Pulumi.yaml `plugins` entry, PATH, then PULUMI_HOME's plugins.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findPackagePlugin, missingPluginWarning } from "../../components/plugin/locate";

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "tg-locate-"));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function executable(dir: string, mode = 0o755): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "pulumi-resource-tenant-guardrails");
  fs.writeFileSync(file, "#!/bin/sh\n", { mode });
  return file;
}
const project = (yaml: string) => {
  const dir = path.join(root, "project");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yaml);
  return dir;
};
const PLUGINS = "name: p\nruntime: nodejs\nplugins:\n  providers:\n    - name: tenant-guardrails\n      path: ./node_modules/.bin\n";

describe("findPackagePlugin", () => {
  it("finds the plugin where the project's Pulumi.yaml says, relative to the project", () => {
    const dir = project(PLUGINS);
    const file = executable(path.join(dir, "node_modules", ".bin"));
    expect(findPackagePlugin(dir, { PATH: "" }, root)).toEqual({ file, looked: [`${file} (Pulumi.yaml plugins)`] });
  });

  it("with a Pulumi.yaml entry, looks nowhere else (as the engine): a plugin on PATH does not count", () => {
    const dir = project(PLUGINS);
    const onPath = path.dirname(executable(path.join(root, "bin")));
    expect(findPackagePlugin(dir, { PATH: onPath }, root).file).toBeUndefined();
  });

  it("finds an ambient plugin on PATH, unless PULUMI_IGNORE_AMBIENT_PLUGINS", () => {
    const dir = project("name: p\nruntime: nodejs\n");
    const file = executable(path.join(root, "bin"));
    expect(findPackagePlugin(dir, { PATH: `/nonexistent${path.delimiter}${path.dirname(file)}` }, root).file).toBe(file);
    expect(findPackagePlugin(dir, { PATH: path.dirname(file), PULUMI_IGNORE_AMBIENT_PLUGINS: "true" }, root).file).toBeUndefined();
  });

  it("finds a plugin installed under PULUMI_HOME, and ignores a file that is not executable", () => {
    const dir = project("name: p\nruntime: nodejs\n");
    const home = path.join(root, "pulumi-home");
    executable(path.join(home, "plugins", "resource-tenant-guardrails-v0.1.0"), 0o644);
    expect(findPackagePlugin(dir, { PATH: "", PULUMI_HOME: home }, root).file).toBeUndefined();
    const file = executable(path.join(home, "plugins", "resource-tenant-guardrails-v0.2.0"));
    expect(findPackagePlugin(dir, { PATH: "", PULUMI_HOME: home }, root).file).toBe(file);
  });

  it("says where it looked and what to add when the engine will not find it", () => {
    const dir = project("name: p\nruntime: nodejs\n");
    const lookup = findPackagePlugin(dir, { PATH: "" }, root);
    expect(lookup.file).toBeUndefined();
    expect(missingPluginWarning("ConditionalAccessPolicy", "mfa", lookup)).toBe(
      `ConditionalAccessPolicy "mfa" is served by the package's plugin pulumi-resource-tenant-guardrails, which the Pulumi engine will not find ` +
        `(looked in: Pulumi.yaml plugins of ${dir} (no tenant-guardrails entry); PATH; ${path.join(root, ".pulumi", "plugins")}). ` +
        `Fix: add to Pulumi.yaml: "plugins: { providers: [ { name: tenant-guardrails, path: ./node_modules/.bin } ] }" (npm installs the plugin there with the package).`,
    );
    expect(missingPluginWarning("ConditionalAccessPolicy", "mfa", { file: "/x", looked: [] })).toBeUndefined();
  });
});
