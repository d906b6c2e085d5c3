/**
 * Structured logs: one JSON object per line on stdout (Workers Logs and `wrangler tail` index the
 * fields). Callers pass only safe fields: never a token, a key, a credential or an upstream body.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Which requests write an access-log line (ACCESS_LOG). */
export type AccessLogMode = "upstream" | "all";

/**
 * Whether a request that ended writes its access-log line. "all": every request. "upstream" (the
 * default): those that called AWS or answered 4xx/5xx, not the ones answered from the edge cache,
 * the static assets or a preflight alone. Such a line would add only its `cache` field to what
 * Workers Logs' invocation log already records for every request (method, URL, response status,
 * CPU and wall time: https://developers.cloudflare.com/workers/observability/logs/workers-logs/),
 * yet the busiest route, the status poll, is mostly such requests: there one console.log is about
 * 15% of the request's CPU (bench/worker.ts, issue 12), and one more log event each.
 */
export function writesAccessLine(mode: AccessLogMode | undefined, status: number, upstreamCalls: number): boolean {
  return mode !== "upstream" || status >= 400 || upstreamCalls > 0;
}

/** Writes one JSON log line. */
export function log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, msg: message, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
