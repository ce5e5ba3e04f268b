#!/usr/bin/env node
/**
 * A PROVIDER DOUBLE for the engine suite (test/engine): a small resource-provider plugin that
 * speaks the Pulumi provider protocol in place of a provider whose plugin cannot be had here
 * (azuread, azure-native, command). It proves the engine path (registration, check, diff, create,
 * update, delete under the real CLI), not the provider's or Microsoft's behaviour: it calls no
 * service and its outputs are its inputs.
 *
 *   node provider-double.js <provider name> <engine address>   (started by a pulumi-resource-<name> launcher)
 *
 * - check: refuses input names the provider's schema does not know and missing required inputs
 *   (schema-extract.json, top-level names only), as the real provider's Check would.
 * - outputs are the inputs, plus the one output-only value the stack program reads: a resource that
 *   asks for a SystemAssigned identity gets identity.principalId "double-principal-<id>" (the
 *   policy assignment's identity, which the Security Admin role assignment is given to).
 * - read with no state (an import) answers from TG_PROVIDER_DOUBLE_EXISTING, a JSON file of
 *   { "<id>": <inputs> }; an id not in it is an error naming the id.
 * - every call (method, type, urn, inputs) is appended as one JSON line to the file named by
 *   TG_PROVIDER_DOUBLE_LOG (nothing is written without it).
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const name = process.argv[2];
const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "schema-extract.json"), "utf8"));
if (!schema.source[name]) {
  process.stderr.write(`provider double: unknown provider ${name}\n`);
  process.exit(2);
}
// @pulumi/pulumi is resolved from the repository (or TG_PROVIDER_DOUBLE_SDK, a node_modules dir).
const sdkDir = process.env.TG_PROVIDER_DOUBLE_SDK || path.resolve(__dirname, "..", "..", "..", "node_modules");
const { main } = require(path.join(sdkDir, "@pulumi", "pulumi", "provider"));

const logFile = process.env.TG_PROVIDER_DOUBLE_LOG;
function record(method, urn, inputs, extra) {
  if (!logFile) return;
  const type = String(urn).split("::")[2]?.split("$").pop();
  fs.appendFileSync(logFile, JSON.stringify({ provider: name, method, type, urn, inputs, ...extra }) + "\n");
}

function typeOf(urn) {
  return String(urn).split("::")[2]?.split("$").pop();
}

function checkInputs(urn, news) {
  const type = typeOf(urn);
  const known = schema.resources[type];
  if (!known) return [{ property: "", reason: `provider double ${name}: resource type ${type} is not in the schema extract (test/engine/doubles/schema-extract.json)` }];
  const failures = [];
  for (const key of Object.keys(news ?? {})) {
    if (key.startsWith("__")) continue; // engine-internal keys (e.g. __defaults)
    if (!known.inputs.includes(key)) failures.push({ property: key, reason: `${type} has no input property "${key}" in the ${name} ${schema.source[name].pluginVersion} schema (provider double)` });
  }
  for (const key of known.required) {
    if (news?.[key] === undefined) failures.push({ property: key, reason: `missing required property "${key}" of ${type} (provider double)` });
  }
  return failures;
}

/** The outputs: the inputs, with a principal id for a SystemAssigned identity (see the header). */
function outputsOf(id, inputs) {
  const identity = inputs?.identity;
  if (identity && typeof identity === "object" && identity.type === "SystemAssigned") {
    return { ...inputs, identity: { ...identity, principalId: `double-principal-${id}`, tenantId: "double-tenant" } };
  }
  return inputs;
}

/** JSON with object keys sorted: the engine hands properties back in its own order. */
function canonical(value) {
  return JSON.stringify(value, (_key, v) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

let counter = 0;
const provider = {
  version: schema.source[name].pluginVersion,
  async check(urn, olds, news) {
    const failures = checkInputs(urn, news);
    record("check", urn, news, failures.length ? { failures } : {});
    return { inputs: news, failures };
  },
  async diff(id, urn, olds, news) {
    // Compared as outputs (the SDK's server may hand over the old inputs or the stored outputs).
    const had = outputsOf(id, olds);
    const wanted = outputsOf(id, news);
    const changed = [...new Set([...Object.keys(had ?? {}), ...Object.keys(wanted ?? {})])].filter((k) => !k.startsWith("__") && canonical(had?.[k]) !== canonical(wanted?.[k]));
    record("diff", urn, news, { id, olds, changed });
    return { changes: changed.length > 0 };
  },
  async create(urn, inputs) {
    counter += 1;
    const id = `double-${name}-${process.pid}-${counter}`;
    record("create", urn, inputs, { id });
    return { id, outs: outputsOf(id, inputs) };
  },
  async read(id, urn, props) {
    record("read", urn, props, { id });
    if (props && Object.keys(props).length > 0) return { id, props }; // a refresh: the state as it is
    // An import (`pulumi import`): the engine has only the id. The double answers from the file
    // named by TG_PROVIDER_DOUBLE_EXISTING ({ "<id>": <inputs> }, what the tenant is said to hold),
    // with the inputs too, which the engine needs to adopt a resource; an unknown id is an error.
    const existing = process.env.TG_PROVIDER_DOUBLE_EXISTING ? JSON.parse(fs.readFileSync(process.env.TG_PROVIDER_DOUBLE_EXISTING, "utf8")) : {};
    const inputs = existing[id];
    if (inputs === undefined) throw new Error(`provider double ${name}: no ${typeOf(urn)} with id ${id} to import (not in TG_PROVIDER_DOUBLE_EXISTING)`);
    return { id, props: outputsOf(id, inputs), inputs };
  },
  async update(id, urn, olds, news) {
    record("update", urn, news, { id });
    return { outs: outputsOf(id, news) };
  },
  async delete(id, urn, props) {
    record("delete", urn, props, { id });
  },
};

main(provider, process.argv.slice(3)).catch((err) => {
  process.stderr.write(`provider double ${name}: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
