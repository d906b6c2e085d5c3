/**
 * `npm start` started and stopped the ways it meets outside a terminal's Ctrl-C.
 *
 * While another one runs: it must stop at the taken port before it writes anything
 * into the Worker's assets directory (dist/page, the page and the API reference), which the running
 * one's `wrangler dev` watches: a rewrite there reloads the Worker of the stack that works. Other
 * test files build the same assets meanwhile (global setup, the bundle-size check), but a build that
 * changes no byte rewrites no file (scripts/static-assets.ts), so the document's identity is this
 * `npm start`'s to change.
 *
 * Stopped by SIGTERM to its process group: everything it started stops, the Worker too. With the
 * tsx command in package.json's script, one run in three left wrangler dev serving (local/start.ts
 * says why); the race cannot be forced from here, so this check fails only sometimes on that code.
 */
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LOCAL_HOST, assertPortFree, reservePort } from "../../local/aws.ts";
import { ASSETS_DIR } from "../../scripts/static-assets.ts";

const dataDir = mkdtempSync(join(tmpdir(), "media-edge-local-start-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A server on a port of its own, standing for the `npm start` already running. */
async function occupied(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, LOCAL_HOST, () => resolve());
  });
  return { server, port: (server.address() as { port: number }).port };
}

/** The API reference document as the file system has it: a rewrite (write, then rename) changes it. */
function documentFile(): { ino: number; mtimeMs: number } | undefined {
  const stats = statSync(join(ASSETS_DIR, "api/media/openapi.json"), { throwIfNoEntry: false });
  return stats && { ino: stats.ino, mtimeMs: stats.mtimeMs };
}

/** Every port `npm start` listens on, each free, with these overrides. */
async function startPorts(ports: Record<string, number> = {}): Promise<Record<string, number>> {
  const free = {
    DYNAMODB_PORT: await reservePort(),
    S3_PORT: await reservePort(),
    WORKER_PORT: await reservePort(),
    EMULATOR_PORT: await reservePort(),
    WEBHOOK_RECEIVER_PORT: await reservePort(),
  };
  return { ...free, ...ports };
}

/** The environment of an `npm start` on these ports, with the test's data directory. */
function startEnv(ports: Record<string, number>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    LOCAL_DATA_DIR: dataDir,
  };
}

/** `npm start` with these port variables (every other port free); its exit code and output. */
async function npmStart(ports: Record<string, number>): Promise<{ code: number; output: string }> {
  const env = startEnv(await startPorts(ports));
  return new Promise((resolve) => {
    execFile("npm", ["start"], { env, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe("npm start next to a running one", () => {
  it.each([
    ["DYNAMODB_PORT", "DynamoDB Local"],
    ["WEBHOOK_RECEIVER_PORT", "webhook receiver"],
  ])(
    "fails on a taken %s, naming it, before building the page or the API reference",
    async (variable, purpose) => {
      const taken = await occupied();
      try {
        const before = documentFile();
        const { code, output } = await npmStart({ [variable]: taken.port });
        expect(code, output).not.toBe(0);
        expect(output).toContain(`Port ${taken.port} (${purpose}, ${variable}) is already in use.`);
        expect(documentFile()).toEqual(before);
      } finally {
        taken.server.close();
      }
    },
    90_000,
  );
});

/** Whether a port can be listened on again, polled until it can or `attempts` run out. */
async function becomesFree(port: number, attempts = 100): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      await assertPortFree(port, "test");
      return true;
    } catch {
      await new Promise((done) => setTimeout(done, 200));
    }
  }
  return false;
}

describe("npm start stopped by its process group's SIGTERM (a process manager, a terminal closing, timeout)", () => {
  it("logs a 200 for its readiness probe, and stops everything it started: the ports are free again", async () => {
    const ports = await startPorts();
    // Its own process group, as a shell job: the signal reaches npm, the script's node and DynamoDB
    // Local at once, and wrangler (in a group of its own) only through npm start's stop.
    const child = spawn("npm", ["start"], { env: startEnv(ports), detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("is running locally")) resolve();
      });
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.once("exit", () => reject(new Error(`npm start exited before it was ready:\n${output}`)));
    });
    await ready;
    const untilReady = output;
    const exited = once(child, "exit");
    process.kill(-child.pid!, "SIGTERM");
    await exited;
    // Checked once stopped, so a failure leaves nothing running. The readiness probe is the first
    // line of the request log a user reads: a 200, not an error.
    expect(untilReady).toMatch(/GET \/api\/media\/openapi\.json 200/);
    expect(untilReady).not.toMatch(/"status":[45]\d\d/);
    expect(await becomesFree(ports.WORKER_PORT!), `the Worker's port is still taken:\n${output}`).toBe(true);
    expect(await becomesFree(ports.DYNAMODB_PORT!), output).toBe(true);
  }, 120_000);
});
