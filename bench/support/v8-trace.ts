/**
 * Reads V8's `--trace-opt --trace-deopt` lines (printed by workerd when its config sets
 * `v8Flags`, bench/support/workerd.ts) into tier-up events, each tagged with the number of requests
 * answered when it was printed, and summarises them: when V8 stops compiling the Worker, what it
 * deoptimised and why, and which compile jobs waited long to be installed (issue 12,
 * bench/v8/tier-up.ts). The line formats are V8's (src/codegen/compiler.cc, CompilerTracer, and
 * src/deoptimizer/deoptimizer.cc); they carry no stability guarantee across V8 versions.
 */

/** Maglev (V8's mid tier) or Turbofan (its top tier). */
export type Tier = "MAGLEV" | "TURBOFAN_JS";

export type TierUpEvent =
  /** The tiering manager chose the function for a compile ("hot and stable"). */
  | { kind: "marked"; fn: string; tier: Tier }
  /** The compile job was queued (concurrent) or ran (synchronous). */
  | { kind: "queued"; fn: string; tier: Tier }
  /** The job's code was installed on the main thread ("completed compiling"). */
  | { kind: "installed"; fn: string; tier: Tier }
  /** The job was dropped unfinished or uninstalled, at shutdown or on a GC flush. */
  | { kind: "flushed"; fn: string; tier: Tier }
  /** Optimised code was thrown away; the function runs in the interpreter again. */
  | { kind: "deoptimised"; fn: string; reason: string };

/** A function's name as V8 prints it, with its SharedFunctionInfo address: anonymous functions stay apart. */
function functionOf(line: string): string | undefined {
  const match = /<JSFunction ?([^ >]*) \(sfi = (0x[0-9a-f]+)\)>/.exec(line);
  if (!match) return undefined;
  return `${match[1] || "(anonymous)"}@${match[2]!.slice(-5)}`;
}

/** The tier-up event one line of V8's trace output reports, if any. */
export function tierUpEvent(line: string): TierUpEvent | undefined {
  const fn = functionOf(line);
  if (fn === undefined) return undefined;
  const deopt = /^\[bailout \(kind: [^,]+, reason: ([^)]*)\)/.exec(line);
  if (deopt) return { kind: "deoptimised", fn, reason: deopt[1]! };
  const tier = /(?:target|optimization to) (MAGLEV|TURBOFAN_JS)/.exec(line)?.[1] as Tier | undefined;
  if (tier === undefined) return undefined;
  if (line.startsWith("[marking ")) return { kind: "marked", fn, tier };
  if (line.startsWith("[compiling method ")) return { kind: "queued", fn, tier };
  if (line.startsWith("[completed compiling ")) return { kind: "installed", fn, tier };
  if (line.startsWith("[flushed compiling ")) return { kind: "flushed", fn, tier };
  return undefined;
}

/** An event and the number of requests answered when it was printed. */
export type TaggedEvent = TierUpEvent & { request: number };

/** A compile job from queue to install (or to its flush: `installed` undefined). */
export interface CompileJob {
  fn: string;
  tier: Tier;
  queued: number;
  installed: number | undefined;
}

export interface TierUpSummary {
  /** Events per bucket of requests, keyed by the bucket's first request number (flushes left out: they come at shutdown). */
  perBucket: Map<number, number>;
  /** The request count at the last event other than a flush, 0 without one. */
  lastEvent: number;
  jobs: CompileJob[];
  deopts: Array<{ fn: string; reason: string; request: number }>;
}

/** Groups tagged events: per-bucket counts, compile jobs (queue to install) and deoptimisations. */
export function summariseTierUp(events: readonly TaggedEvent[], bucket: number): TierUpSummary {
  const perBucket = new Map<number, number>();
  const jobs: CompileJob[] = [];
  const pending = new Map<string, CompileJob>();
  const deopts: TierUpSummary["deopts"] = [];
  let lastEvent = 0;
  for (const event of events) {
    if (event.kind !== "flushed") {
      const start = Math.floor(event.request / bucket) * bucket;
      perBucket.set(start, (perBucket.get(start) ?? 0) + 1);
      lastEvent = event.request;
    }
    if (event.kind === "deoptimised") {
      deopts.push({ fn: event.fn, reason: event.reason, request: event.request });
      continue;
    }
    const key = `${event.fn} ${event.tier}`;
    if (event.kind === "queued") {
      const job: CompileJob = { fn: event.fn, tier: event.tier, queued: event.request, installed: undefined };
      jobs.push(job);
      pending.set(key, job);
    } else if (event.kind === "installed" || event.kind === "flushed") {
      const job = pending.get(key);
      pending.delete(key);
      if (job && event.kind === "installed") job.installed = event.request;
    }
  }
  return { perBucket, lastEvent, jobs, deopts };
}
