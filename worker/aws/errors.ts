/**
 * The one error the AWS adapters throw. It carries no upstream body, only what is safe to log;
 * the HTTP layer maps it to 503/504/502 (apiErrorForUpstream).
 */

/** Upstream (AWS) failures, mapped to bounded, documented answers (docs/api.md, "Errors"). */
export type UpstreamFailure =
  | "throttled" // throttling or 5xx after the retry budget -> 503 + Retry-After
  | "timeout" // no answer within the deadline -> 504
  | "unreachable" // connection failed -> 502
  | "rejected" // a non-retryable 4xx (misconfiguration, permissions) -> 502
  | "malformed"; // a 200 whose body does not parse, or a row of the wrong shape -> 502

/** Thrown by the AWS adapters; carries no upstream body, only what is safe to log. */
export class UpstreamError extends Error {
  constructor(
    readonly service: "dynamodb" | "s3",
    readonly failure: UpstreamFailure,
    /** Safe diagnostic: HTTP status and AWS error code, never a body, a value or a signature. */
    readonly diagnostic: string,
  ) {
    super(`${service} ${failure}: ${diagnostic}`);
    this.name = "UpstreamError";
  }
}
