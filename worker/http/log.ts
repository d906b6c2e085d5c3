/**
 * Structured logs: one JSON object per line on stdout (Workers Logs and `wrangler tail` index the
 * fields). Callers pass only safe fields: never a token, a key, a credential or an upstream body.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Writes one JSON log line. */
export function log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, msg: message, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
