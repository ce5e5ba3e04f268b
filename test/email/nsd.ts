/**
 * A real authoritative DNS server for end-to-end tests: NSD (Debian package "nsd"), started on
 * 127.0.0.1 at a free high port with a generated configuration and zone files, stopped by stop().
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as dgram from "node:dgram";
import { promises as dnsp } from "node:dns";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export interface ZoneRecord {
  /** Name relative to the zone ("@" for the apex). */
  name: string;
  type: "TXT" | "CNAME" | "A" | "NS";
  ttl: number;
  /** TXT: the character-strings of one record; others: one value. */
  data: string[];
}

export interface Zone {
  name: string;
  records: ZoneRecord[];
}

export function findNsd(): string | undefined {
  for (const candidate of ["/usr/sbin/nsd", "/usr/local/sbin/nsd"]) if (fs.existsSync(candidate)) return candidate;
  const which = spawnSync("sh", ["-c", "command -v nsd"], { encoding: "utf8" });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : undefined;
}

function quoteTxt(s: string): string {
  return '"' + s.replace(/[\\"]/g, (c) => "\\" + c) + '"';
}

export function zoneFile(zone: Zone): string {
  const lines = [
    `$ORIGIN ${zone.name}.`,
    "$TTL 300",
    `@ IN SOA ns1.${zone.name}. hostmaster.${zone.name}. 1 3600 600 86400 300`,
    `@ IN NS ns1.${zone.name}.`,
    "ns1 IN A 127.0.0.1",
  ];
  for (const r of zone.records) {
    const data = r.type === "TXT" ? r.data.map(quoteTxt).join(" ") : r.type === "CNAME" || r.type === "NS" ? `${r.data[0]}.` : r.data[0];
    lines.push(`${r.name} ${r.ttl} IN ${r.type} ${data}`);
  }
  return lines.join("\n") + "\n";
}

async function portIsFree(port: number): Promise<boolean> {
  const tcp = await new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
  if (!tcp) return false;
  return new Promise<boolean>((resolve) => {
    const socket = dgram.createSocket("udp4");
    socket.once("error", () => resolve(false));
    socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    if (await portIsFree(port)) return port;
  }
  throw new Error("no free port found for the DNS server");
}

export interface RunningNsd {
  port: number;
  /** A resolver that asks only this server. */
  resolver: dnsp.Resolver;
  stop(): Promise<void>;
  log(): string;
}

/** Start NSD serving `zones`; resolves once it answers the first zone's SOA. Retries on a new port (a port can be taken between the check and NSD's bind). */
export async function startNsd(binary: string, zones: Zone[]): Promise<RunningNsd> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startNsdOnce(binary, zones);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startNsdOnce(binary: string, zones: Zone[]): Promise<RunningNsd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tg-nsd-"));
  const port = await freePort();
  const conf = [
    "server:",
    `  ip-address: 127.0.0.1@${port}`,
    `  port: ${port}`,
    "  do-ip6: no",
    '  username: ""',
    '  chroot: ""',
    `  zonesdir: "${dir}"`,
    '  database: ""',
    `  zonelistfile: "${dir}/zone.list"`,
    `  xfrdfile: "${dir}/xfrd.state"`,
    `  xfrdir: "${dir}"`,
    `  pidfile: "${dir}/nsd.pid"`,
    `  logfile: "${dir}/nsd.log"`,
    "  server-count: 1",
    "  verbosity: 1",
    "remote-control:",
    "  control-enable: no",
    ...zones.flatMap((z) => ["zone:", `  name: "${z.name}"`, `  zonefile: "${z.name}.zone"`]),
  ].join("\n");
  fs.writeFileSync(path.join(dir, "nsd.conf"), conf + "\n");
  for (const z of zones) fs.writeFileSync(path.join(dir, `${z.name}.zone`), zoneFile(z));

  const child: ChildProcess = spawn(binary, ["-d", "-c", path.join(dir, "nsd.conf")], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  let exited = false;
  child.once("exit", () => (exited = true));
  const log = () => output + (fs.existsSync(path.join(dir, "nsd.log")) ? fs.readFileSync(path.join(dir, "nsd.log"), "utf8") : "");

  const resolver = new dnsp.Resolver({ timeout: 500, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  const stop = async () => {
    if (!exited) {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await gone;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // Bounded wait for readiness: at most 40 attempts, 100 ms apart.
  for (let attempt = 0; attempt < 40; attempt++) {
    if (exited) break;
    try {
      await resolver.resolveSoa(zones[0].name);
      return { port, resolver, stop, log };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const text = log();
  await stop();
  throw new Error(`NSD did not start on 127.0.0.1:${port}:\n${text}`);
}
