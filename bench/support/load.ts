/**
 * A bounded closed-loop load on loopback: `connections` clients, each sending its next request as
 * soon as the last one answered, for a fixed time. Gives requests per second, latency percentiles
 * and, when a server pid is given, that process's CPU per request under the load. The client runs
 * in the bench's own Node process on the same cores, so req/s is a floor set by both sides: compare
 * a route with the bare anchor measured the same way in the same run, not with other machines.
 */
import { processCpuMs } from "./measure.ts";

/** The connection counts of every load in the bench (issue 12: "under 8 and 64 connections"). */
export const LOAD_CONNECTIONS = [8, 64] as const;
/** How long each load runs (bounded, so a slow route costs the bench time, not a hang). */
export const LOAD_MS = 3000;

export interface LoadResult {
  connections: number;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** The server's CPU time per request during the load (ms); NaN without a pid. */
  cpuPerRequestMs: number;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? NaN;
}

/** Runs the load for `durationMs` and returns its figures; a non-200 answer fails the run. */
export async function runLoad(options: {
  url: () => string;
  connections: number;
  durationMs: number;
  headers?: Record<string, string>;
  pid?: number;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  const cpuBefore = options.pid === undefined ? NaN : processCpuMs(options.pid);
  const started = performance.now();
  const deadline = started + options.durationMs;
  const client = async () => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      const response = await fetch(options.url(), { headers: options.headers ?? {} });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`load request answered ${response.status}: ${body}`);
      latencies.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: options.connections }, client));
  const elapsed = performance.now() - started;
  const cpuAfter = options.pid === undefined ? NaN : processCpuMs(options.pid);
  latencies.sort((a, b) => a - b);
  return {
    connections: options.connections,
    requests: latencies.length,
    requestsPerSecond: (latencies.length * 1000) / elapsed,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    cpuPerRequestMs: (cpuAfter - cpuBefore) / latencies.length,
  };
}
