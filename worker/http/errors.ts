/**
 * Errors the Worker answers with. Routes throw `ApiError` (an HTTPException); `app.onError` in
 * worker/index.ts renders every error as JSON in one place. Bodies follow the seed's shape
 * `{"success": false, "message": ...}`; extra fields may follow, upstream bodies never do.
 */
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { UpstreamError } from "../aws/errors.ts";

export interface ApiErrorOptions {
  /** Extra JSON fields after `success` and `message` (e.g. the job status for a 409). */
  details?: Record<string, unknown>;
  /** Extra response headers, e.g. Retry-After. */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class ApiError extends HTTPException {
  readonly details: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(status: ContentfulStatusCode, message: string, options: ApiErrorOptions = {}) {
    super(status, { message, cause: options.cause });
    this.name = "ApiError";
    this.details = options.details ?? {};
    this.headers = options.headers ?? {};
  }
}

/** The seed's messages, verbatim: frontends written for the seed may compare them. */
export const SEED_MESSAGES = {
  noParameters: "Not found parameter.",
  missingParameter: (name: string) => `Not found parameter ${name}.`,
  emptyParameter: (name: string) => `Not exist parameter ${name}.`,
  notFoundItem: "Not found item.",
  invalidOrigin: "ORIGIN is invalid.",
  noRoute: "No route matches.",
} as const;

/** Seconds a client should wait after a 503 for throttling. */
export const RETRY_AFTER_SECONDS = 2;

/** The ApiError a route answers with for an upstream failure. */
export function apiErrorForUpstream(error: UpstreamError): ApiError {
  switch (error.failure) {
    case "throttled":
      return new ApiError(503, "Service busy, retry later.", {
        headers: { "retry-after": String(RETRY_AFTER_SECONDS) },
        cause: error,
      });
    case "timeout":
      return new ApiError(504, "Upstream timed out.", { cause: error });
    case "unreachable":
    case "rejected":
    case "malformed":
      return new ApiError(502, "Upstream error.", { cause: error });
  }
}
