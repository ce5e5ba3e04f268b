/**
 * The plugin exactly as the Pulumi Node.js language host starts it for `pulumi package add` and
 * for every program run: `node @pulumi/pulumi/cmd/run-plugin <package dir>` in the consumer's
 * directory. The process requires package.json `main` (dist/, so it needs `npm run build`),
 * finds the components, starts the provider gRPC server and prints its port; GetSchema over gRPC
 * must serve the checked-in schema.json. Nothing but 127.0.0.1 is involved.
 */
import * as childProcess from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "../..");

/* eslint-disable @typescript-eslint/no-require-imports */
const grpc = require("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb") as { ResourceProviderClient: new (address: string, creds: unknown) => ProviderClient };
const provproto = require("@pulumi/pulumi/proto/provider_pb") as { GetSchemaRequest: new () => object };
/* eslint-enable @typescript-eslint/no-require-imports */

interface ProviderClient {
  getSchema(req: object, cb: (err: Error | null, resp: { getSchema(): string }) => void): void;
  close(): void;
}

let child: childProcess.ChildProcess | undefined;
let consumer: string | undefined;

afterAll(() => {
  if (child?.pid !== undefined && child.exitCode === null) child.kill("SIGTERM");
  if (consumer) fs.rmSync(consumer, { recursive: true, force: true });
});

/** Start the host as the language host does; resolve with the port it prints. */
function startHost(cwd: string): Promise<{ port: number; stderr: () => string }> {
  const runPlugin = path.join(ROOT, "node_modules/@pulumi/pulumi/cmd/run-plugin");
  child = childProcess.spawn(process.execPath, [runPlugin, ROOT], { cwd, env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child!.stdout!.on("data", (d: Buffer) => {
      stdout += d.toString();
      const line = /^(\d+)\s*$/m.exec(stdout);
      if (line) resolve({ port: Number(line[1]), stderr: () => stderr });
    });
    child!.on("exit", (code) => reject(new Error(`the plugin host exited (${code}) before printing its port:\n${stderr}`)));
  });
}

describe("the plugin host process", () => {
  it("starts from a consumer directory and serves the checked-in schema.json over gRPC", async () => {
    expect(fs.existsSync(path.join(ROOT, "dist/components/index.js"))).toBe(true); // else: npm run build
    consumer = fs.mkdtempSync(path.join(os.tmpdir(), "tg-host-"));
    const { port, stderr } = await startHost(consumer);
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      const served = await new Promise<string>((resolve, reject) =>
        client.getSchema(new provproto.GetSchemaRequest(), (err, resp) => (err ? reject(new Error(`${err.message}\n${stderr()}`)) : resolve(resp.getSchema()))),
      );
      const checkedIn = JSON.parse(fs.readFileSync(path.join(ROOT, "schema.json"), "utf8"));
      expect(JSON.parse(served)).toEqual(checkedIn);
    } finally {
      client.close();
    }
  }, 180_000);
});
