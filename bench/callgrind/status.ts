/**
 * Instruction counts per request of the status route and its anchors, for CPU decisions that the
 * shared bench machine's timed CPU cannot settle (issue 12): each Worker's deploy bundle runs in
 * plain workerd under callgrind (bench/support/callgrind.ts); after a warm-up, the counters are zeroed, N
 * sequential requests are sent and, a second later, the counters dumped; the process's idle rate
 * (measured after the warm-up) times the round's wall time is taken off. The figure is the median over rounds, in thousands of
 * instructions (k Ir) per request, of the whole workerd process (every thread: the Worker's
 * isolate, workerd's HTTP handling, GC).
 *
 *   npx tsx bench/callgrind/status.ts [hit] [miss] [bare] [aws4fetch]   (all four by default)
 *
 * Env: CALLGRIND_REQUESTS (per round, default 300), CALLGRIND_ROUNDS (default 3),
 * CALLGRIND_WARMUP (default 5000: V8 still tiers the Worker up for the first few thousand requests,
 * bench/v8/tier-up.ts), CALLGRIND_KEEP=1 keeps the dumps (for callgrind_annotate), CALLGRIND_V8_FLAGS
 * (V8 flags for every workerd, space-separated; e.g. Cloudflare's own compile settings, which
 * workerd's src/workerd/jsg/setup.h says turn concurrent compilation off:
 * `--no-concurrent-recompilation --no-concurrent-sparkplug --no-maglev-build-code-on-background
 * --no-maglev-deopt-data-on-background`).
 */
import { DEFAULT_TABLES } from "../../model/index.ts";
import { ensureTables, startDynamoDbLocal } from "../../local/aws.ts";
import { callgrindSession } from "../support/callgrind.ts";
import { BENCH_ORIGIN, seedJobs, statusBenchVars } from "../support/jobs.ts";
import { median } from "../support/measure.ts";
import { startConfigInWorkerd, type PlainWorkerd } from "../support/workerd.ts";

const REQUESTS = Number(process.env.CALLGRIND_REQUESTS ?? 300);
const ROUNDS = Number(process.env.CALLGRIND_ROUNDS ?? 3);
const WARMUP = Number(process.env.CALLGRIND_WARMUP ?? 5000);
const V8_FLAGS = (process.env.CALLGRIND_V8_FLAGS ?? "").split(" ").filter(Boolean);

const callgrind = callgrindSession();

async function send(url: string, headers: Record<string, string>): Promise<void> {
  const response = await fetch(url, { headers });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${body}`);
}

interface Target {
  server: PlainWorkerd;
  url: () => string;
  headers: Record<string, string>;
}

/** Wall time after a round's last request, for the work it leaves to workerd's threads (GC, JIT). */
const SETTLE_MS = 1000;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * k instructions per request, per round: N requests and a settling second counted together (the
 * GC and compiler threads finish a round's work after its last request), minus the idle rate of
 * the same process measured after the warm-up, times the round's duration.
 */
async function countPerRequest(target: Target): Promise<number[]> {
  for (let index = 0; index < WARMUP; index++) await send(target.url(), target.headers);
  await sleep(SETTLE_MS);
  callgrind.zero(target.server.pid);
  await sleep(2 * SETTLE_MS);
  const idlePerMs = (await callgrind.dump(target.server.pid)).all / (2 * SETTLE_MS);
  const perRequest: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    callgrind.zero(target.server.pid);
    const started = performance.now();
    for (let index = 0; index < REQUESTS; index++) await send(target.url(), target.headers);
    await sleep(SETTLE_MS);
    const total = (await callgrind.dump(target.server.pid)).all;
    const idle = idlePerMs * (performance.now() - started);
    perRequest.push((total - idle) / REQUESTS / 1000);
  }
  return perRequest;
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["hit", "miss", "bare", "aws4fetch"];
  const dynamodb = await startDynamoDbLocal();
  const servers: PlainWorkerd[] = [];
  try {
    await ensureTables(dynamodb.endpoint, DEFAULT_TABLES);
    const ids = await seedJobs(dynamodb.endpoint, 2 + (WARMUP + ROUNDS * REQUESTS) + 10, "cg-job");
    let next = 2;
    const fresh = () => ids[next++]!;
    const start = async (config: string, vars: Record<string, string>, readyPath: string) => {
      const server = await startConfigInWorkerd(config, {
        vars,
        readyPath,
        wrapper: callgrind.wrapper,
        v8Flags: V8_FLAGS,
      });
      servers.push(server);
      return server;
    };
    // Under valgrind a GetItem can take longer than the 3-s default deadline (a 504 stops the count).
    const vars = statusBenchVars(dynamodb.endpoint, { UPSTREAM_DEADLINE_MS: "30000" });
    const needsMain = wanted.includes("hit") || wanted.includes("miss");
    const main = needsMain ? await start("wrangler.toml", vars.main, "/api/media/status") : undefined;
    const targets: Record<string, () => Promise<Target>> = {
      hit: async () => ({
        server: main!,
        url: () => `${main!.url}/api/media/status?job_id=${ids[0]}`,
        headers: { origin: BENCH_ORIGIN },
      }),
      miss: async () => ({
        server: main!,
        // As in bench/worker.ts: the miss without an Origin, the hit from an allowed one.
        url: () => `${main!.url}/api/media/status?job_id=${fresh()}`,
        headers: {},
      }),
      bare: async () => {
        const bare = await start("bench/anchors/bare.toml", {}, "/bare");
        return { server: bare, url: () => `${bare.url}/bare`, headers: {} };
      },
      aws4fetch: async () => {
        const anchor = await start("bench/anchors/aws4fetch-getitem.toml", vars.anchor, "/getitem?job_id=x");
        return { server: anchor, url: () => `${anchor.url}/getitem?job_id=${ids[1]}`, headers: {} };
      },
    };
    for (const name of wanted) {
      const counts = await countPerRequest(await targets[name]!());
      const shown = counts.map((count) => count.toFixed(1)).join(", ");
      console.log(`${name.padEnd(10)} ${median(counts).toFixed(1).padStart(8)} k Ir/request  (rounds: ${shown})`);
    }
  } finally {
    await Promise.all([...servers.map((server) => server.stop()), dynamodb.stop()]);
    callgrind.dispose(process.env.CALLGRIND_KEEP === "1");
  }
}

await main();
