/**
 * When does V8 stop compiling the Worker? Serves the deploy bundle in plain workerd with V8's
 * `--trace-opt --trace-deopt` (workerd's `v8Flags`), sends sequential status misses (or hits, or
 * the aws4fetch anchor's GetItem) against DynamoDB Local as bench/callgrind/status.ts does, tags each
 * trace line with the number of requests answered, and prints: events per bucket of requests, the
 * request of the last event, every deoptimisation with V8's reason, and the compile jobs that were
 * installed late or never (issue 12: the timed bench warms up with 50 requests only).
 *
 *   npx tsx bench/v8/tier-up.ts [miss|hit|anchor]   (miss by default)
 *
 * Env: TIERUP_REQUESTS (default 8000), TIERUP_BUCKET (default 500), TIERUP_NAMES=1 builds the
 * bundle unminified so the trace names our functions (the code V8 compiles is otherwise the same),
 * TIERUP_V8_FLAGS adds V8 flags (e.g. `--single-threaded`: compiles on the main thread, so each
 * job is installed when it is queued), TIERUP_LOG=<file> keeps the raw trace.
 */
import { createWriteStream } from "node:fs";
import { DEFAULT_TABLES } from "../../model/index.ts";
import { ensureTables, startDynamoDbLocal } from "../../local/aws.ts";
import { BENCH_ORIGIN, seedJobs, statusBenchVars } from "../support/jobs.ts";
import { summariseTierUp, tierUpEvent, type TaggedEvent, type TierUpSummary } from "../support/v8-trace.ts";
import { startConfigInWorkerd, type PlainWorkerd } from "../support/workerd.ts";

const REQUESTS = Number(process.env.TIERUP_REQUESTS ?? 8000);
const BUCKET = Number(process.env.TIERUP_BUCKET ?? 500);
const EXTRA_FLAGS = (process.env.TIERUP_V8_FLAGS ?? "").split(" ").filter(Boolean);
/** A job installed more than this many requests after it was queued is listed as late. */
const LATE_AFTER_REQUESTS = 100;

type Mode = "miss" | "hit" | "anchor";

/** The mode's wrangler config, vars and request URL (as in bench/callgrind/status.ts). */
function targetOf(mode: Mode, dynamodbEndpoint: string, ids: string[]) {
  const vars = statusBenchVars(dynamodbEndpoint);
  if (mode === "anchor") {
    return {
      config: "bench/anchors/aws4fetch-getitem.toml",
      vars: vars.anchor,
      readyPath: "/getitem?job_id=x",
      path: () => `/getitem?job_id=${ids[0]}`,
      headers: {},
    };
  }
  let next = 1;
  // As in bench/worker.ts: the miss without an Origin (a new job each time), the hit from an allowed one.
  const path =
    mode === "hit" ? () => `/api/media/status?job_id=${ids[0]}` : () => `/api/media/status?job_id=${ids[next++]}`;
  const headers: Record<string, string> = mode === "hit" ? { origin: BENCH_ORIGIN } : {};
  return { config: "wrangler.toml", vars: vars.main, readyPath: "/api/media/status", path, headers };
}

/** Prints the summary: counts, buckets, deoptimisations, late and never-installed jobs. */
function report(mode: Mode, summary: TierUpSummary): void {
  const byTier = (tier: string) => summary.jobs.filter((job) => job.tier === tier).length;
  console.log(
    `${mode}: ${REQUESTS} requests, ${summary.jobs.length} compile jobs (${byTier("MAGLEV")} Maglev, ` +
      `${byTier("TURBOFAN_JS")} Turbofan), ${summary.deopts.length} deoptimisations; last event at request ${summary.lastEvent}`,
  );
  const buckets = [...summary.perBucket].map(([start, count]) => `${start}: ${count}`).join(", ");
  console.log(`events per ${BUCKET} requests (from request): ${buckets}`);
  for (const deopt of summary.deopts) console.log(`deoptimised  ${deopt.fn} at ${deopt.request}: ${deopt.reason}`);
  for (const job of summary.jobs) {
    if (job.installed === undefined) console.log(`never installed  ${job.fn} ${job.tier}, queued at ${job.queued}`);
    else if (job.installed - job.queued > LATE_AFTER_REQUESTS) {
      console.log(`installed late  ${job.fn} ${job.tier}, queued at ${job.queued}, installed at ${job.installed}`);
    }
  }
}

async function main(): Promise<void> {
  const mode = (process.argv[2] ?? "miss") as Mode;
  if (!["miss", "hit", "anchor"].includes(mode)) throw new Error(`mode ${mode}: expected miss, hit or anchor`);
  const dynamodb = await startDynamoDbLocal();
  const log = process.env.TIERUP_LOG ? createWriteStream(process.env.TIERUP_LOG) : undefined;
  let server: PlainWorkerd | undefined;
  const events: TaggedEvent[] = [];
  let answered = 0;
  try {
    await ensureTables(dynamodb.endpoint, DEFAULT_TABLES);
    const ids = await seedJobs(dynamodb.endpoint, REQUESTS + 2, "tierup-job");
    const target = targetOf(mode, dynamodb.endpoint, ids);
    server = await startConfigInWorkerd(target.config, {
      wranglerArgs: process.env.TIERUP_NAMES === "1" ? ["--minify=false"] : [],
      vars: target.vars,
      readyPath: target.readyPath,
      v8Flags: ["--trace-opt", "--trace-deopt", ...EXTRA_FLAGS],
      // Line-buffered output (coreutils' stdbuf), so that each line arrives when V8 prints it,
      // tagged with the requests answered by then, rather than with a pipe buffer's 4 KB.
      wrapper: { command: ["stdbuf", "-oL", "-eL"], startTimeoutMs: 30_000 },
      onLine: (line) => {
        log?.write(`${line}\n`);
        const event = tierUpEvent(line);
        if (event) events.push({ ...event, request: answered });
      },
    });
    // The readiness probe's request is not counted: V8 has compiled nothing optimised by then.
    events.length = 0;
    for (; answered < REQUESTS;) {
      const response = await fetch(`${server.url}${target.path()}`, { headers: target.headers });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`${target.path()} answered ${response.status}: ${body}`);
      answered++;
    }
  } finally {
    // Stopping workerd flushes the jobs still queued: they are reported as never installed.
    await server?.stop();
    await dynamodb.stop();
    log?.end();
  }
  report(mode, summariseTierUp(events, BUCKET));
}

await main();
