/**
 * Runs a bundled Worker in plain workerd (the binary wrangler ships), for the bench: no wrangler
 * proxy in front, no inspector attached, console output to a pipe. That is as close to a deployed
 * Worker's CPU as a laptop gets. Under `wrangler dev` the same request costs more: two workerd
 * processes (proxy and runtime), and every console.log goes through wrangler's log pipe.
 *
 * The config is workerd's Cap'n Proto format
 * (https://github.com/cloudflare/workerd/blob/main/src/workerd/server/workerd.capnp).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { LOCAL_HOST, reservePort, stopChild } from "../../local/aws.ts";
import { buildDeployBundle } from "./bundle.ts";

const require = createRequire(import.meta.url);

export interface PlainWorkerd {
  url: string;
  /** The workerd process itself: its CPU is the Worker's CPU (plus workerd's HTTP handling). */
  pid: number;
  /** The last 4 kB workerd printed. */
  output(): string;
  stop(): Promise<void>;
}

const bundles = new Map<string, { dir: string; main: string }>();
let bundleRoot: string | undefined;

/**
 * The deploy bundle of a wrangler config (its directory and main module), built once per bench
 * process and set of `wranglerArgs` (more `wrangler deploy` options, e.g. `--minify=false`): the
 * worker and hls modules both run the main Worker's. Removed when the process exits.
 */
export function deployBundle(
  config = "wrangler.toml",
  wranglerArgs: readonly string[] = [],
): { dir: string; main: string } {
  const cacheKey = JSON.stringify([config, ...wranglerArgs]);
  let bundle = bundles.get(cacheKey);
  if (bundle === undefined) {
    if (bundleRoot === undefined) {
      const root = mkdtempSync(join(tmpdir(), "media-edge-bundles-"));
      process.once("exit", () => rmSync(root, { recursive: true, force: true }));
      bundleRoot = root;
    }
    const dir = join(bundleRoot, String(bundles.size));
    bundle = { dir, main: buildDeployBundle(dir, config, undefined, wranglerArgs) };
    bundles.set(cacheKey, bundle);
  }
  return bundle;
}

/** The compatibility date of a wrangler config file (the bench runs the bundle with the same). */
export function compatibilityDateOf(wranglerToml: string): string {
  const match = /^compatibility_date\s*=\s*"(\d{4}-\d{2}-\d{2})"/m.exec(readFileSync(wranglerToml, "utf8"));
  if (!match) throw new Error(`${wranglerToml} has no compatibility_date`);
  return match[1]!;
}

/** The compatibility flags of a wrangler config file (`compatibility_flags = ["a", "b"]`), if any. */
export function compatibilityFlagsOf(wranglerToml: string): string[] {
  const match = /^compatibility_flags\s*=\s*(\[[^\]]*\])/m.exec(readFileSync(wranglerToml, "utf8"));
  return match ? (JSON.parse(match[1]!) as string[]) : [];
}

/**
 * The `[vars]` of a wrangler config (flat `NAME = "value"` lines, as ours are), which wrangler
 * would bind as text; plain workerd gets them as bindings like any other variable.
 */
export function wranglerVars(wranglerToml: string): Record<string, string> {
  const section = /^\[vars\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(readFileSync(wranglerToml, "utf8"));
  const vars: Record<string, string> = {};
  for (const line of (section?.[1] ?? "").split("\n")) {
    const entry = /^([A-Z0-9_]+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(line.trim());
    if (entry) vars[entry[1]!] = JSON.parse(`"${entry[2]!}"`) as string;
  }
  return vars;
}

const NOOP_CACHE_WORKER = `export default {
  async fetch(request) {
    if (request.method === "GET") return new Response(null, { status: 504, headers: { "cf-cache-status": "MISS" } });
    if (request.method === "PUT") { await request.arrayBuffer(); return new Response(null, { status: 204 }); }
    return new Response(null, { status: request.method === "PURGE" ? 404 : 405 });
  },
};`;

function workerdBinary(): string {
  const packageJson = require.resolve(
    `@cloudflare/workerd-${process.platform}-${process.arch === "x64" ? "64" : process.arch}/package.json`,
  );
  return join(dirname(packageJson), "bin", "workerd");
}

/**
 * A command that runs workerd (e.g. `["valgrind", "--tool=callgrind"]` to count instructions,
 * bench/support/callgrind.ts); workerd then starts far slower, hence its own start timeout.
 */
export interface WorkerdWrapper {
  command: string[];
  startTimeoutMs: number;
}

/** How startPlainWorkerd serves a bundle. */
export interface WorkerdOptions {
  /** The bundle's main module (from `wrangler deploy --dry-run --outdir`). */
  mainModule: string;
  compatibilityDate: string;
  /** e.g. nodejs_compat for a bundle that imports Node built-ins. */
  compatibilityFlags?: string[];
  vars: Record<string, string>;
  readyPath: string;
  /** Extra workerd arguments (e.g. `--inspector-addr=127.0.0.1:9229` to profile with DevTools). */
  extraArgs?: string[];
  /** workerd run under another command (WorkerdWrapper). */
  wrapper?: WorkerdWrapper;
  /**
   * V8 flags for the process (workerd's config field `v8Flags`, workerd.capnp: "use at your own
   * risk"), e.g. `--trace-opt` to see what V8 compiles (bench/v8/tier-up.ts).
   */
  v8Flags?: string[];
  /** Called with each whole line workerd prints (stdout and stderr, each split on its own), besides the kept tail. */
  onLine?: (line: string) => void;
}

/**
 * The capnp config of plain workerd serving `mainModule` on `port`, with the Worker's text bindings.
 * https://github.com/cloudflare/workerd/blob/main/src/workerd/server/workerd.capnp
 */
function workerdConfig(
  options: Pick<WorkerdOptions, "mainModule" | "compatibilityDate" | "compatibilityFlags" | "vars" | "v8Flags">,
  port: number,
): string {
  const bindings = Object.entries(options.vars)
    .map(([name, value]) => `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(value)})`)
    .join(",\n    ");
  // The default "internet" service allows public addresses only; the bench's DynamoDB Local is on
  // loopback, so outbound fetches go through a network service that allows it.
  // The Cache API needs a backing service in plain workerd. This one is a no-op cache, like the
  // Cache API on *.workers.dev (workerd's HTTP cache protocol as miniflare's cache-entry-noop
  // worker speaks it): every match misses, every put is accepted and dropped. The Worker's own
  // isolate-memory tier still serves repeated lookups. It runs in the same workerd process, so
  // its CPU is counted with the Worker's: it reads a put's body natively (arrayBuffer) rather
  // than through a JS stream, to add as little as a real cache service would to the figure.
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "outbound", network = (allow = ["public", "private", "local"])),
    (name = "cache", worker = .noopCache),
  ],
  sockets = [(name = "http", address = "${LOCAL_HOST}:${port}", http = (), service = "main")],
  v8Flags = ${JSON.stringify(options.v8Flags ?? [])},
);
const worker :Workerd.Worker = (
  modules = [(name = ${JSON.stringify(basename(options.mainModule))}, esModule = embed ${JSON.stringify(basename(options.mainModule))})],
  compatibilityDate = ${JSON.stringify(options.compatibilityDate)},
  compatibilityFlags = ${JSON.stringify(options.compatibilityFlags ?? [])},
  globalOutbound = "outbound",
  cacheApiOutbound = "cache",
  bindings = [
    ${bindings}
  ],
);
const noopCache :Workerd.Worker = (
  modules = [(name = "cache.js", esModule = ${JSON.stringify(NOOP_CACHE_WORKER)})],
  compatibilityDate = ${JSON.stringify(options.compatibilityDate)},
);
`;
}

/** Starts workerd serving one ES-module bundle with text bindings, and waits until it answers. */
export async function startPlainWorkerd(options: WorkerdOptions): Promise<PlainWorkerd> {
  const scratch = mkdtempSync(join(tmpdir(), "media-edge-workerd-"));
  const port = await reservePort();
  const config = workerdConfig(options, port);
  // `embed` paths are resolved next to the config file, so the module is copied there.
  copyFileSync(options.mainModule, join(scratch, basename(options.mainModule)));
  const configPath = join(scratch, "config.capnp");
  writeFileSync(configPath, config, { mode: 0o600 });
  const workerd = [workerdBinary(), "serve", configPath, ...(options.extraArgs ?? [])];
  const [command, ...args] = [...(options.wrapper?.command ?? []), ...workerd];
  const child: ChildProcess = spawn(command!, args, { stdio: ["ignore", "pipe", "pipe"] });
  // The pipes are drained (the Worker's logs would otherwise fill them) and their tail kept.
  let tail = "";
  const drain = (pipe: NodeJS.ReadableStream) => {
    // Each pipe's unfinished line: a line of one never joins a chunk of the other.
    let partial = "";
    pipe.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      if (!options.onLine) return;
      const lines = (partial + text).split("\n");
      partial = lines.pop()!;
      for (const line of lines) options.onLine(line);
    });
  };
  drain(child.stdout!);
  drain(child.stderr!);
  const stop = async () => {
    await stopChild(child);
    rmSync(scratch, { recursive: true, force: true });
  };
  const url = `http://${LOCAL_HOST}:${port}`;
  const deadline = Date.now() + (options.wrapper?.startTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      await (await fetch(`${url}${options.readyPath}`, { signal: AbortSignal.timeout(2000) })).arrayBuffer();
      return { url, pid: child.pid!, output: () => tail, stop };
    } catch {
      await new Promise((done) => setTimeout(done, 100));
    }
  }
  await stop();
  throw new Error(`workerd did not start (exit code ${child.exitCode}):\n${tail}`);
}

/**
 * Builds a wrangler config's deploy bundle (once per process and `wranglerArgs`, see deployBundle)
 * and serves it in plain workerd.
 */
export function startConfigInWorkerd(
  config: string,
  {
    wranglerArgs,
    ...options
  }: Omit<WorkerdOptions, "mainModule" | "compatibilityDate" | "compatibilityFlags"> & {
    wranglerArgs?: readonly string[];
  },
): Promise<PlainWorkerd> {
  return startPlainWorkerd({
    ...options,
    mainModule: deployBundle(config, wranglerArgs).main,
    compatibilityDate: compatibilityDateOf(config),
    compatibilityFlags: compatibilityFlagsOf(config),
  });
}
