/**
 * `tenant-guardrails import-ca` fails closed: a lockout is refused with exit 1, placeholders are
 * not printed as ids, the printed `pulumi import` lines are safe to paste into a POSIX shell, and a
 * hostile file does not lose the other files' results.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../helpers/cli";
import { corporateDevicesPolicy, TEST_BREAK_GLASS_GROUP as BREAK_GLASS_GROUP } from "../helpers/ca-fixtures";

let dir: string;
const file = (name: string, content: string | Buffer) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "import-ca-closed-"));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The DCToolbox-style "block everyone" template whose only exclusion is the break-glass placeholder. */
const BLOCK_ALL = {
  id: "11111111-1111-4111-8111-111111111111",
  displayName: "Block all",
  state: "enabled",
  conditions: {
    applications: { includeApplications: ["All"] },
    users: { includeUsers: ["All"], excludeGroups: ["ENTRAGROUP_Break glass_ENTRAGROUP"] },
    clientAppTypes: ["all"],
  },
  grantControls: { operator: "OR", builtInControls: ["block"] },
};

const CORPORATE = corporateDevicesPolicy();

describe("lockout through import", () => {
  it.each([
    ["an empty string", ""],
    ["a blank string", " "],
  ])("refuses the policy with exit 1 when the break-glass placeholder is mapped to %s", async (_label, value) => {
    const exportFile = file("block-all.json", JSON.stringify([BLOCK_ALL]));
    const map = file("map.json", JSON.stringify({ "ENTRAGROUP_Break glass_ENTRAGROUP": value }));
    const r = await runCli(["import-ca", "--map", map, exportFile]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("pulumi up creates the policy");
    expect(r.stdout).not.toContain("== Block all");
    expect(r.stdout.trimEnd().split("\n").pop()).toMatch(/^0 policies imported .*, \d+ error\(s\)$/);
    expect(r.stderr).toContain(`error: ${exportFile} #1 "Block all": conditions.users.excludeGroups: an enabled policy that blocks all users`);

    const json = await runCli(["import-ca", "--json", "--map", map, exportFile]);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.policies).toEqual([]);
    expect(doc.errors).toContainEqual(expect.objectContaining({ policy: "Block all", field: "conditions.users.excludeGroups" }));
  });
});

describe("placeholders are not printed as object ids", () => {
  it("lists each with its field path under errors, ok false, exit 1", async () => {
    const tap = {
      ...CORPORATE,
      displayName: "TAP",
      conditions: {
        applications: { includeApplications: ["All"] },
        users: { includeUsers: ["All"], excludeUsers: ["xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"], excludeGroups: [BREAK_GLASS_GROUP] },
        clientAppTypes: ["all"],
        locations: { includeLocations: ["%SvcCountryLocationId%"] },
      },
      grantControls: { operator: "OR", authenticationStrength: { id: "%TempAccessPassStrengthId%" } },
    };
    const r = await runCli(["import-ca", "--json", file("tap.json", JSON.stringify(tap))]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.policies).toEqual([]);
    expect(doc.errors.map((e: { field: string }) => e.field)).toEqual([
      "conditions.locations.includeLocations[0]",
      "grantControls.authenticationStrength.id",
      "conditions.users.excludeUsers[0]",
    ]);
  });
});

describe("the printed pulumi import lines are safe in a POSIX shell", () => {
  const HOSTILE_ID = "$(touch pwned); echo `touch pwned2` 'x' \"y\" & touch pwned3 #";

  /** A fake `pulumi` first on PATH that writes its argv (NUL-separated) to ARGV_FILE. */
  function fakePulumi(): { bin: string; argvFile: string } {
    const bin = fs.mkdtempSync(path.join(dir, "bin-"));
    const argvFile = path.join(bin, "argv");
    fs.writeFileSync(path.join(bin, "pulumi"), '#!/bin/sh\nfor a in "$@"; do printf \'%s\\0\' "$a"; done > "$ARGV_FILE"\n', { mode: 0o755 });
    return { bin, argvFile };
  }

  function runInShell(line: string): { argv: string[]; created: string[] } {
    const { bin, argvFile } = fakePulumi();
    const cwd = fs.mkdtempSync(path.join(dir, "cwd-"));
    const r = spawnSync("sh", ["-c", line], { cwd, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ARGV_FILE: argvFile }, encoding: "utf8" });
    expect(r.status).toBe(0);
    const argv = fs.readFileSync(argvFile, "utf8").split("\0").slice(0, -1);
    return { argv, created: fs.readdirSync(cwd) };
  }

  it("passes a hostile policy id as one literal argument and runs nothing else", async () => {
    const hostile = { ...CORPORATE, id: HOSTILE_ID, displayName: "Hostile", conditions: { ...CORPORATE.conditions, devices: undefined } };
    const r = await runCli(["import-ca", file("hostile.json", JSON.stringify([hostile]))]);
    expect(r.code).toBe(0);
    const line = r.stdout.split("\n").find((l) => l.startsWith("  import: "))!.slice("  import: ".length);
    const { argv, created } = runInShell(line);
    expect(argv).toEqual(["import", "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy", "hostile", `/identity/conditionalAccess/policies/${HOSTILE_ID}`]);
    expect(created).toEqual([]);

    const json = JSON.parse((await runCli(["import-ca", "--json", path.join(dir, "hostile.json")])).stdout);
    expect(runInShell(json.policies[0].importCommand).argv).toEqual(argv);
  });

  it("quotes the import file name of a component too", async () => {
    const r = await runCli(["import-ca", "--json", file("corporate.json", JSON.stringify([CORPORATE]))]);
    const { argv, created } = runInShell(JSON.parse(r.stdout).policies[0].importCommand);
    expect(argv).toEqual(["import", "--file", "block-non-corporate-devices.import.json"]);
    expect(created).toEqual([]);
  });
});

describe("hostile files", () => {
  it("reports deeply nested files per file, exit 1, and still prints the other file's policy", async () => {
    const deep = file("deep.json", "[".repeat(6000) + "]".repeat(6000));
    const pages = file("pages.json", '{"value":['.repeat(4000) + "1" + "]}".repeat(4000));
    const good = file("good.json", JSON.stringify([CORPORATE]));
    const r = await runCli(["import-ca", deep, good, pages]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("== Block non-corporate devices");
    expect(r.stderr).toMatch(new RegExp(`^error: ${deep}: \\$\\[0\\]\\[0\\].*: the JSON is nested more than 64 levels deep`, "m"));
    expect(r.stderr).toMatch(new RegExp(`^error: ${pages}: \\$\\.value\\[0\\]\\.value\\[0\\].*: the JSON is nested more than 64 levels deep`, "m"));
    expect(r.stderr).not.toMatch(/Maximum call stack/);
  });
});
