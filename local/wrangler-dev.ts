/**
 * Runs the Worker under `wrangler dev` (real workerd) for the local stack, end-to-end tests and
 * the bench. wrangler runs in its own process group so stopping it also stops the workerd it
 * spawned (killing only `wrangler` can orphan workerd). Variables go through an env file (mode
 * 0600), not the command line, so they do not show in `ps`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { LOCAL_HOST, assertPortFree } from "./aws.ts";

const require = createRequire(import.meta.url);

export interface WranglerDev {
  url: string;
  port: number;
  process: ChildProcess;
  /** The last 8 kB wrangler printed (diagnostics for a failing test). */
  output(): string;
  stop(): Promise<void>;
}

const READY_PATH = "/api/media/openapi.json";

export interface WranglerDevOptions {
  /** Fixed port (checked to be free); a free one when absent. */
  port?: number;
  /** Wrangler configuration file (default: wrangler.toml at the project root). */
  config?: string;
  /**
   * Path asked for while waiting for readiness; any answer will do. The default is the API
   * reference document, a 200 from the static assets with no AWS call: a status probe without a
   * job id answered 400, the first line a user saw in `npm start`'s request log.
   */
  readyPath?: string;
  /** Variables and secrets for the Worker (over wrangler.toml [vars]). */
  vars: Record<string, string>;
  /** Local persistence (Cache API etc.); a temporary directory when absent. */
  persistTo?: string;
  /** Forward wrangler's output to this process's stdout/stderr. */
  inheritOutput?: boolean;
  /** Every chunk wrangler prints (stdout and stderr), e.g. to keep the whole log of a test run. */
  onOutput?: (chunk: string) => void;
  /**
   * Called with the stop function as soon as wrangler is spawned, before it is ready, so a caller
   * interrupted during start-up (Ctrl-C in `npm start`) can still stop it: wrangler runs in its
   * own process group, which the terminal's SIGINT does not reach.
   */
  onSpawned?: (stop: () => Promise<void>) => void;
  /**
   * wrangler's log level (default "info"). The Worker's own log lines are console.log, which only
   * "log" and "debug" show.
   */
  logLevel?: "debug" | "info" | "log" | "warn" | "error" | "none";
  /** How long to wait for the first answer. */
  readyTimeoutMs?: number;
}

/** wrangler's readiness line, e.g. `[wrangler:info] Ready on http://127.0.0.1:41003` (NO_COLOR output). */
const READY_LINE = /Ready on (http:\/\/[^\s]+)/;

/**
 * The processes of a process group that are still running (zombies excluded: a reaped-late
 * zombie holds no port). Read from /proc; elsewhere the group is assumed gone once wrangler is.
 */
export function liveGroupMembers(group: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const members: number[] = [];
  for (const pid of entries) {
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) === group && state !== "Z" && state !== "X") members.push(Number(pid));
    } catch {
      // exited while we looked
    }
  }
  return members;
}

/** Quotes a value for a dotenv file (double quotes; backslash, quote and newline escaped). */
function dotenvValue(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** Spawns `wrangler dev` in its own process group, its variables in an env file under `scratch`. */
function spawnWrangler(options: WranglerDevOptions, requestedPort: number, scratch: string): ChildProcess {
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
  return spawn(
    process.execPath,
    [
      wranglerBin,
      "dev",
      ...(options.config ? ["--config", options.config] : []),
      "--ip",
      LOCAL_HOST,
      "--port",
      String(requestedPort),
      "--inspector-port",
      "0",
      "--env-file",
      envFile,
      "--persist-to",
      persistTo,
      "--show-interactive-dev-session=false",
      "--log-level",
      options.logLevel ?? "info",
    ],
    {
      cwd: resolve(dirname(require.resolve("../package.json"))),
      detached: true,
      // Always piped: the readiness line is read from it; forwarded when asked.
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        WRANGLER_SEND_METRICS: "false",
        WRANGLER_LOG_SANITIZE: "true",
        NO_COLOR: "1",
        // wrangler is one ~10 MB script that Node compiles at every start; Node 22's on-disk
        // compile cache keeps the result between starts. https://nodejs.org/api/module.html#module-compile-cache
        NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), "media-edge-node-compile-cache"),
      },
    },
  );
}

/**
 * Stops wrangler's whole process group, even when wrangler itself is gone (a workerd it left
 * behind is still in it), and removes `scratch`.
 */
function groupStopper(child: ChildProcess, scratch: string, onStopping: () => void): () => Promise<void> {
  return async () => {
    onStopping();
    if (child.pid === undefined) return rmSync(scratch, { recursive: true, force: true });
    const group = child.pid;
    const running = child.exitCode === null && child.signalCode === null;
    const exited = running ? new Promise<void>((done) => child.once("exit", () => done())) : Promise.resolve();
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-group, signal);
      } catch {
        // nothing left in the group
      }
    };
    signalGroup("SIGTERM");
    const timer = setTimeout(() => signalGroup("SIGKILL"), 5000);
    await exited;
    // wrangler exits before its workerd children do; wait for those too, so a caller that stops
    // the Worker and then checks the port or the process table sees them gone.
    const deadline = Date.now() + 7000;
    while (liveGroupMembers(group).length > 0 && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 50));
    }
    clearTimeout(timer);
    if (liveGroupMembers(group).length > 0) signalGroup("SIGKILL");
    rmSync(scratch, { recursive: true, force: true });
  };
}

/** Waits for wrangler's "Ready on <url>" and a first answer there; the URL. */
async function waitUntilReady(
  child: ChildProcess,
  options: WranglerDevOptions,
  announced: () => string | undefined,
  output: () => string,
): Promise<string> {
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`wrangler dev exited (code ${child.exitCode}, signal ${child.signalCode}):\n${output()}`);
    }
    const url = announced();
    if (url === undefined) {
      await new Promise((done) => setTimeout(done, 100));
      continue;
    }
    try {
      const response = await fetch(`${url}${options.readyPath ?? READY_PATH}`, {
        signal: AbortSignal.timeout(2000),
      });
      await response.arrayBuffer();
      return url;
    } catch {
      await new Promise((done) => setTimeout(done, 250));
    }
  }
  throw new Error(`wrangler dev did not answer on ${announced() ?? "any port"} within the timeout:\n${output()}`);
}

/** Starts `wrangler dev` for wrangler.toml and waits until the Worker answers. */
export async function startWranglerDev(options: WranglerDevOptions): Promise<WranglerDev> {
  // Port 0 lets the OS pick a port at bind time and wrangler announce it ("Ready on <url>").
  // Picking a free port first and passing it on is a race: between the check and wrangler's bind,
  // another server or an outgoing connection can take it, and the readiness probe then talks to
  // that other server while this Worker is gone (a CI run failed exactly so).
  const requestedPort = options.port ?? 0;
  if (options.port) await assertPortFree(options.port, "Worker (wrangler dev)");
  const scratch = mkdtempSync(join(tmpdir(), "media-edge-wrangler-"));
  const child = spawnWrangler(options, requestedPort, scratch);
  let output = "";
  let announcedUrl: string | undefined;
  const keep = (chunk: Buffer) => {
    options.onOutput?.(chunk.toString());
    output = (output + chunk.toString()).slice(-8000);
    announcedUrl ??= READY_LINE.exec(output)?.[1];
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  if (options.inheritOutput) {
    child.stdout?.pipe(process.stdout);
    child.stderr?.pipe(process.stderr);
  }
  let stopping = false;
  // A Worker that dies under a running test otherwise shows only as ECONNREFUSED; say why.
  child.once("exit", (code, signal) => {
    if (stopping || options.inheritOutput) return;
    process.stderr.write(
      `wrangler dev (${announcedUrl ?? "not ready yet"}) exited unexpectedly (code ${code}, signal ${signal}). Its last output:\n${output}\n`,
    );
  });
  const stop = groupStopper(child, scratch, () => (stopping = true));
  options.onSpawned?.(stop);
  try {
    const url = await waitUntilReady(
      child,
      options,
      () => announcedUrl,
      () => output,
    );
    return { url, port: Number(new URL(url).port), process: child, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
