/**
 * `npm run test:engine`: a Python program (examples/python-consumer) consumes the component package
 * through a Python SDK generated from the package plugin's schema, under the real Pulumi CLI. Its
 * preview must plan the same children, with the same inputs checked by the PROVIDER DOUBLES
 * (test/engine/doubles; they prove the engine path, not Microsoft's behaviour), as a TypeScript
 * program constructing the components of examples/yaml-consumer, which the Python program repeats.
 *
 * Everything is set up in a temporary directory: the schema from `pulumi package get-schema`, the
 * SDK from `pulumi-sdkgen-python` (built by .ci/build-engine: the v3.68 Python host has no
 * GeneratePackage, so `pulumi package gen-sdk --language python` cannot run here), a virtualenv
 * with the example's requirements.txt from PyPI (pulumi pinned to PYTHON_SDK_VERSION).
 *
 * Skipped with one line when the engine is not built; CI=true fails. Needs python3 with venv.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { REPO_ROOT } from "./harness";
import { requireEngine } from "./require-engine";
import { expectSameAsTypeScriptTwin } from "./twin-assertions";
import { createProjectsWorkspace, writeTypeScriptTwin, type ComponentDeclarations, type ProjectsWorkspace } from "./doubles";

const { bin, built } = requireEngine(["pulumi-language-python", "pulumi-language-python-exec", "pulumi-sdkgen-python"]);

const EXAMPLE = path.join(REPO_ROOT, "examples", "python-consumer");
const YAML_EXAMPLE = path.join(REPO_ROOT, "examples", "yaml-consumer", "Pulumi.yaml");
/** The Pulumi Python SDK the test installs (the generated SDK needs 3.269 or later). */
const PYTHON_SDK_VERSION = "3.272.0";

/** `command args` in `cwd`, with a deadline; rejects with the output when it fails. */
function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<{ stdout: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const line = `${command} ${args.join(" ")}`;
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${line}: no answer within ${options.timeoutMs / 1000}s\n${stdout}\n${stderr}`));
    }, options.timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`${line}: ${err.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, ms: Date.now() - started });
      else reject(new Error(`${line} exited with ${code}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
    });
  });
}

(built ? describe : describe.skip)("a Python program consuming the component package under the real engine", () => {
  let ws: ProjectsWorkspace;

  beforeAll(() => {
    ws = createProjectsWorkspace(bin);
  });

  afterAll(() => {
    ws?.dispose();
  });

  it("examples/python-consumer previews the same children, with the same inputs, as a TypeScript program", async () => {
    const times: Record<string, number> = {};
    const plugins = path.dirname(ws.launcher);
    const dir = path.join(ws.root, "python");
    const venv = path.join(dir, "venv");
    // The virtualenv is activated (first on PATH): the v3.68 Python host reads `virtualenv` only
    // from its command line, and the 3.276 CLI passes runtime options over gRPC instead.
    const venvPath = [path.join(venv, "bin"), bin, plugins, process.env.PATH ?? ""].join(path.delimiter);
    const python = ws.project("python", "python-doubles.jsonl", { PATH: venvPath, VIRTUAL_ENV: venv });
    for (const f of ["Pulumi.yaml", "__main__.py", "requirements.txt"]) fs.copyFileSync(path.join(EXAMPLE, f), path.join(dir, f));

    // The SDK, as the example's README generates it: the plugin's schema, then the code generator.
    const schemaFile = path.join(ws.root, "tenant-guardrails.schema.json");
    const schema = await python.pulumiOk(["package", "get-schema", ws.launcher]);
    fs.writeFileSync(schemaFile, schema.stdout);
    times.sdkgen = (await run(path.join(bin, "pulumi-sdkgen-python"), [schemaFile, path.join(dir, "sdks", "python")], { cwd: dir, timeoutMs: 60_000 })).ms;

    // The virtualenv, from PyPI (pip's own deadline per request, and one for the whole install).
    times.venv = (await run("python3", ["-m", "venv", venv], { cwd: dir, timeoutMs: 120_000 })).ms;
    fs.writeFileSync(path.join(ws.root, "constraints.txt"), `pulumi==${PYTHON_SDK_VERSION}\n`);
    const pip = [path.join(venv, "bin", "pip"), "install", "--disable-pip-version-check", "--no-input", "--timeout", "30", "--retries", "2"];
    times.pip = (await run(pip[0], [...pip.slice(1), "-c", path.join(ws.root, "constraints.txt"), "-r", "requirements.txt"], { cwd: dir, timeoutMs: 300_000 })).ms;
    const installed = (await run(path.join(venv, "bin", "python"), ["-c", "import importlib.metadata as m; print(m.version('pulumi'), m.version('pulumi_tenant_guardrails'))"], { cwd: dir, timeoutMs: 60_000 })).stdout.trim();
    expect(installed).toBe(`${PYTHON_SDK_VERSION} 0.1.0`);

    await python.pulumiOk(["stack", "init", "dev"]);
    const pythonRun = await python.pulumiOk(["preview", "--json"]);
    times.preview = pythonRun.ms;

    // The TypeScript twin: the components of examples/yaml-consumer, which the Python program repeats.
    const program = parseYaml(fs.readFileSync(YAML_EXAMPLE, "utf8")) as { resources: ComponentDeclarations };
    const tsProject = ws.project("typescript", "ts-doubles.jsonl");
    await writeTypeScriptTwin(tsProject, program.resources, "examples/yaml-consumer");
    const tsRun = await tsProject.pulumiOk(["preview", "--json"]);
    process.stderr.write(`python-consumer: ${Object.entries(times).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(", ")} (typescript preview ${(tsRun.ms / 1000).toFixed(1)} s)\n`);

    expectSameAsTypeScriptTwin({ run: pythonRun, calls: python.calls() }, { run: tsRun, calls: tsProject.calls() });
  }, 600_000);
});
