/**
 * The loop every upload consumer (submit-job, faces-start) runs over one invocation's event:
 * normalise it, log and report entries that are not uploads, then handle each upload on its own so
 * one failure neither hides nor blocks the others. Failed uploads are reported and their causes
 * returned; the caller throws after the whole batch was tried, so Lambda's async retry and
 * dead-letter destination take over for the event (the idempotency claims make the retry skip the
 * uploads that succeeded).
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type Claim, type ClaimOptions, claimUploadEvent } from "./idempotency.ts";
import { describeError, type Log } from "./logger.ts";
import { normaliseS3Events, type S3ObjectCreated } from "./s3-events.ts";

/** Why a created object is not an upload at all. */
export type NotAnUploadReason = "unexpected-bucket" | "folder-marker" | "outside-input-prefix";

/**
 * The checks every upload consumer makes first, in this order, so submit-job and faces-start agree on
 * what an upload is: one of `inputBuckets` (when set), not a folder marker, under `inputPrefix`.
 * Undefined for an upload.
 */
export function notAnUpload(
  object: { bucket: string; key: string },
  selection: { inputBuckets: readonly string[]; inputPrefix: string },
): { reason: NotAnUploadReason; message: string } | undefined {
  const { bucket, key } = object;
  if (selection.inputBuckets.length > 0 && !selection.inputBuckets.includes(bucket)) {
    return {
      reason: "unexpected-bucket",
      message: `Bucket ${bucket} is not one of INPUT_BUCKETS (${selection.inputBuckets.join(", ")}).`,
    };
  }
  // The console's "Create folder" writes a zero-byte object whose key ends in "/".
  if (key.endsWith("/")) return { reason: "folder-marker", message: "Key ends in '/': a folder marker, not a file." };
  if (!key.startsWith(selection.inputPrefix)) {
    return {
      reason: "outside-input-prefix",
      message: `Key is outside INPUT_PREFIX ${JSON.stringify(selection.inputPrefix)}.`,
    };
  }
  return undefined;
}

/** An event entry that is not an upload we can read (bad key, other event). */
export type RejectedEntry = { outcome: "rejected"; reason: string; message: string; bucket?: string; rawKey?: string };

/** An upload whose handling threw. */
export type FailedUpload = { outcome: "failed"; bucket: string; key: string; error: string };

export interface UploadBatch<T> {
  /** One outcome per entry: rejections first, then uploads in event order. */
  results: Array<T | RejectedEntry | FailedUpload>;
  /** Why the event must be retried; empty when it must not. */
  causes: unknown[];
}

/**
 * Handles every upload in `event` with `handleOne`. `retryCause` marks outcomes that did not
 * throw but still need the event retried (e.g. Rekognition at capacity).
 */
export async function forEachUpload<T>(
  event: unknown,
  log: Log,
  options: {
    handleOne: (object: S3ObjectCreated) => Promise<T>;
    failureMessage: string;
    retryCause?: (outcome: T) => Error | undefined;
  },
): Promise<UploadBatch<T>> {
  const { objects, rejections } = normaliseS3Events(event);
  const results: UploadBatch<T>["results"] = [];
  const causes: unknown[] = [];
  for (const rejection of rejections) {
    const level = rejection.reason === "undecodable-key" || rejection.reason === "unrecognised-event" ? "warn" : "info";
    log[level]("Event entry rejected", {
      reason: rejection.reason,
      detail: rejection.message,
      bucket: rejection.bucket,
      rawKey: rejection.rawKey,
      eventName: rejection.eventName,
    });
    results.push({
      outcome: "rejected",
      reason: rejection.reason,
      message: rejection.message,
      ...(rejection.bucket ? { bucket: rejection.bucket } : {}),
      ...(rejection.rawKey ? { rawKey: rejection.rawKey } : {}),
    });
  }
  for (const object of objects) {
    try {
      const outcome = await options.handleOne(object);
      const cause = options.retryCause?.(outcome);
      if (cause) causes.push(cause);
      results.push(outcome);
    } catch (error) {
      causes.push(error);
      log.error(options.failureMessage, { bucket: object.bucket, key: object.key, ...describeError(error) });
      results.push({ outcome: "failed", bucket: object.bucket, key: object.key, error: String(error) });
    }
  }
  return { results, causes };
}

/** A claim this invocation holds: the upload is its to process. */
export type HeldClaim = Extract<Claim, { status: "claimed" }>;

/** The outcome of an upload another delivery of the event has handled or is handling. */
export type DuplicateUpload =
  | { outcome: "duplicate"; bucket: string; key: string; jobId?: string }
  | { outcome: "in-progress"; bucket: string; key: string };

/**
 * Claims `object` for `options.purpose` (see idempotency.ts). A duplicate delivery is logged with the
 * caller's `messages` and returned as its outcome; a takeover of an expired claim is logged and
 * returned as the held claim.
 */
export async function claimOrReportDuplicate(
  doc: DynamoDBDocumentClient,
  log: Log,
  object: S3ObjectCreated,
  options: Omit<ClaimOptions, "object"> & { messages: { done: string; inProgress: string } },
): Promise<{ claim: HeldClaim } | { duplicate: DuplicateUpload }> {
  const where = { bucket: object.bucket, key: object.key };
  const { messages, ...claimOptions } = options;
  const claim = await claimUploadEvent(doc, { ...claimOptions, object });
  if (claim.status === "done") {
    const jobId = typeof claim.result?.JobId === "string" ? claim.result.JobId : undefined;
    log.info(messages.done, { ...where, jobId, eventName: object.eventName });
    return { duplicate: { outcome: "duplicate", ...where, ...(jobId ? { jobId } : {}) } };
  }
  if (claim.status === "in-progress") {
    log.info(messages.inProgress, { ...where, leaseExpiresAt: new Date(claim.leaseExpiresAt).toISOString() });
    return { duplicate: { outcome: "in-progress", ...where } };
  }
  if (claim.takenOver) log.warn("Took over an expired claim (a previous attempt stopped mid-way)", where);
  return { claim };
}
