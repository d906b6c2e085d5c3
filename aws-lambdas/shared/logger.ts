/**
 * Structured JSON logs for the Lambdas (Powertools for AWS Lambda Logger).
 * https://docs.aws.amazon.com/powertools/typescript/latest/core/logger/
 *
 * Rules every caller follows:
 * - Log identifiers (bucket, key, job id, event id), counts and reasons; never a secret. The AES-128
 *   content key (`KeyValue`), request settings that contain it (`StaticKeyValue`) and credentials are
 *   never passed to a logger. Tests assert on captured logs.
 * - Handlers take a `Log` so tests can capture it; the module-scope handler uses `createLogger`.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import type { LogAttributes } from "@aws-lambda-powertools/logger/types";

/** What the handlers need from a logger. Powertools' Logger satisfies it. */
export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/**
 * A Powertools Logger for one function, behind the `Log` interface. The level comes from
 * `POWERTOOLS_LOG_LEVEL` (or Lambda's `AWS_LAMBDA_LOG_LEVEL`), default INFO; the service name from
 * `POWERTOOLS_SERVICE_NAME`, else `serviceName`. Pass `logger` to reuse an existing one.
 */
export function createLogger(serviceName: string, logger?: Logger): Log {
  const powertools = logger ?? new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || serviceName });
  const at =
    (level: "debug" | "info" | "warn" | "error") =>
    (message: string, extra?: Record<string, unknown>): void => {
      if (extra === undefined) powertools[level](message);
      else powertools[level](message, extra as LogAttributes);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A logger that records entries in memory (tests, local tooling). */
export interface MemoryLog extends Log {
  entries: Array<{ level: "debug" | "info" | "warn" | "error"; message: string; extra?: Record<string, unknown> }>;
}

/** Creates a `MemoryLog`. */
export function memoryLog(): MemoryLog {
  const entries: MemoryLog["entries"] = [];
  const at =
    (level: MemoryLog["entries"][number]["level"]) =>
    (message: string, extra?: Record<string, unknown>): void => {
      entries.push(extra === undefined ? { level, message } : { level, message, extra });
    };
  return { entries, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A compact, loggable description of an error: name, message, AWS error code and HTTP status. Never the stack of a request. */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const meta = (error as { $metadata?: { httpStatusCode?: number; requestId?: string } }).$metadata;
  const described: Record<string, unknown> = { errorName: error.name, errorMessage: error.message };
  if (meta?.httpStatusCode) described.httpStatusCode = meta.httpStatusCode;
  if (meta?.requestId) described.awsRequestId = meta.requestId;
  return described;
}
