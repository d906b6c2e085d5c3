/**
 * Upload retry and local backlog policy (pure). Segments wait on local disk until their upload
 * succeeds; retries back off exponentially with jitter, as AWS recommends for S3 5xx/SlowDown
 * (https://docs.aws.amazon.com/general/latest/gr/api-retries.html). The backlog is bounded in
 * bytes: past the bound the oldest waiting segments are dropped, and said so, rather than the
 * disk filling up; a disk that fills anyway stops the recording with an error.
 */

/** Longest pause between two attempts at one upload. */
export const MAX_RETRY_DELAY_MS = 30_000;

/** Delay before attempt `attempt + 1` (attempt >= 1): 0.5 s doubling to 30 s, "equal jitter". */
export function retryDelayMs(attempt: number, random: number): number {
  const ceiling = Math.min(MAX_RETRY_DELAY_MS, 500 * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

/**
 * Whether an upload error may pass with time: no HTTP answer (network, DNS, timeout), 5xx,
 * 408 and 429, and S3's own throttling/timeouts. Anything else (AccessDenied, NoSuchBucket,
 * InvalidAccessKeyId, ExpiredToken) will fail the same way forever: the recording stops.
 */
export function isRetryableUploadError(error: unknown): boolean {
  const failure = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const status = failure?.$metadata?.httpStatusCode;
  if (["SlowDown", "RequestTimeout", "RequestTimeTooSkewed", "ServiceUnavailable"].includes(failure?.name ?? "")) {
    return true;
  }
  // No credentials or no region: configuration, not the network.
  if (failure?.name === "CredentialsProviderError" || /Region is missing/.test(String((error as Error)?.message))) {
    return false;
  }
  return status === undefined || status >= 500 || status === 408 || status === 429;
}

/**
 * How many of the oldest waiting segments to drop so that `incomingBytes` more fit in
 * `maxBytes`. `waitingBytes` are the sizes of the segments not yet being uploaded, oldest first.
 * The newest segment is always kept, even alone over the bound.
 */
export function backlogOverflow(waitingBytes: readonly number[], incomingBytes: number, maxBytes: number): number {
  let total = incomingBytes + waitingBytes.reduce((sum, bytes) => sum + bytes, 0);
  let drop = 0;
  while (total > maxBytes && drop < waitingBytes.length) total -= waitingBytes[drop++]!;
  return drop;
}

/** Free space below which the recorder stops: room for a few more segments, and never under 64 MiB. */
export function diskReserveBytes(segmentBytes: number): number {
  return Math.max(64 * 2 ** 20, 4 * segmentBytes);
}
