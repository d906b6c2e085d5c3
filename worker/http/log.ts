/**
 * Structured logs: one JSON object per line on stdout (Workers Logs and `wrangler tail` index the
 * fields). Callers pass only safe fields: never a token, a key, a credential or an upstream body.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Writes one JSON log line. */
export function log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
  // The same text as JSON.stringify({ level, msg: message, ...fields }) without the spread's copy of
  // every field (one log line per request: issue 12). No caller passes a "level" or "msg" field.
  const rest = JSON.stringify(fields);
  const line = `{"level":"${level}","msg":${JSON.stringify(message)}${rest === "{}" ? "}" : `,${rest.slice(1)}`}`;
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
