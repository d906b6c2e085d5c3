/**
 * Runs the Worker under `wrangler dev` (real workerd) for the local stack, end-to-end tests and
 * the bench. wrangler runs in its own process group so stopping it also stops the workerd it
 * spawned (killing only `wrangler` can orphan workerd). Variables go through an env file (mode
 * 0600), not the command line, so they do not show in `ps`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { LOCAL_HOST, assertPortFree, freePort } from "./aws.ts";

const require = createRequire(import.meta.url);

export interface WranglerDev {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface WranglerDevOptions {
  /** Fixed port (checked to be free); a free one when absent. */
  port?: number;
  /** Wrangler configuration file (default: wrangler.toml at the project root). */
  config?: string;
  /** Path answered while waiting for readiness (default: the status endpoint). */
  readyPath?: string;
  /** Variables and secrets for the Worker (over wrangler.toml [vars]). */
  vars: Record<string, string>;
  /** Local persistence (Cache API etc.); a temporary directory when absent. */
  persistTo?: string;
  /** Forward wrangler's output to this process's stdout/stderr. */
  inheritOutput?: boolean;
  /** How long to wait for the first answer. */
  readyTimeoutMs?: number;
}

/** Quotes a value for a dotenv file (double quotes; backslash, quote and newline escaped). */
function dotenvValue(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** Starts `wrangler dev` for wrangler.toml and waits until the Worker answers. */
export async function startWranglerDev(options: WranglerDevOptions): Promise<WranglerDev> {
  const port = options.port ?? (await freePort());
  if (options.port) await assertPortFree(port, "Worker (wrangler dev)");
  const inspectorPort = await freePort();
  const scratch = mkdtempSync(join(tmpdir(), "media-edge-wrangler-"));
  const envFile = join(scratch, "worker.env");
  writeFileSync(
    envFile,
    Object.entries(options.vars)
      .map(([name, value]) => `${name}=${dotenvValue(value)}`)
      .join("\n") + "\n",
    { mode: 0o600 },
  );
  const persistTo = options.persistTo ?? join(scratch, "state");
  mkdirSync(persistTo, { recursive: true });
  const wranglerBin = resolve(dirname(require.resolve("wrangler/package.json")), "bin/wrangler.js");
  const child = spawn(
    process.execPath,
    [
      wranglerBin,
      "dev",
      ...(options.config ? ["--config", options.config] : []),
      "--ip",
      LOCAL_HOST,
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--env-file",
      envFile,
      "--persist-to",
      persistTo,
      "--show-interactive-dev-session=false",
      "--log-level",
      "info",
    ],
    {
      cwd: resolve(dirname(require.resolve("../package.json"))),
      detached: true,
      stdio: options.inheritOutput ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        WRANGLER_SEND_METRICS: "false",
        WRANGLER_LOG_SANITIZE: "true",
        NO_COLOR: "1",
      },
    },
  );
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      const exited = new Promise<void>((done) => child.once("exit", () => done()));
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(scratch, { recursive: true, force: true });
  };

  const url = `http://${LOCAL_HOST}:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev exited with code ${child.exitCode}:\n${output}`);
    }
    try {
      const response = await fetch(`${url}${options.readyPath ?? "/api/media/status"}`, {
        signal: AbortSignal.timeout(2000),
      });
      await response.arrayBuffer();
      return { url, port, process: child, stop };
    } catch {
      await new Promise((done) => setTimeout(done, 250));
    }
  }
  await stop();
  throw new Error(`wrangler dev did not answer on ${url} within the timeout:\n${output}`);
}
