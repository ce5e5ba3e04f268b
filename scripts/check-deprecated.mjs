#!/usr/bin/env node
// Fails when a direct dependency's installed version is marked deprecated in the npm registry
// (as @pulumi/command 4.5.0, an erroneous release, was). Run by CI after `npm ci`.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);
const manifest = JSON.parse(readFileSync("package.json", "utf8"));
const names = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });

async function deprecation(name) {
  const installed = JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8")).version;
  const { stdout } = await run("npm", ["view", `${name}@${installed}`, "deprecated", "--json"], {
    timeout: 60_000,
  });
  const message = stdout.trim() ? JSON.parse(stdout) : undefined;
  return { name, installed, message };
}

const results = await Promise.all(names.map(deprecation));
const deprecated = results.filter((r) => r.message);
for (const r of deprecated) console.error(`deprecated: ${r.name}@${r.installed}: ${r.message}`);
console.log(`${results.length} direct dependencies checked, ${deprecated.length} deprecated`);
process.exit(deprecated.length ? 1 : 0);
