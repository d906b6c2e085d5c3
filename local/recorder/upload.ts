/**
 * Uploads segments to the recordings bucket (the S3 client is an argument: the local S3 server or
 * real S3). uploadWithRetry retries one object; createUploadQueue is the live recorder's bounded
 * backlog: segments wait on disk, go up one at a time in the order they were recorded, and are
 * deleted locally only once S3 has them.
 */
import { readFile, rm } from "node:fs/promises";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { backlogOverflow, isRetryableUploadError, retryDelayMs } from "./backlog.ts";
import { describeError, type Report } from "./events.ts";

export interface UploadDeps {
  sleep(ms: number): Promise<void>;
  /** In [0, 1): retry jitter. */
  random(): number;
  /** Milliseconds, for the upload time in progress lines. */
  now(): number;
  report: Report;
}

/** One object to upload. */
export interface SegmentUpload {
  key: string;
  bytes: number;
  late: boolean;
  /** Media seconds of a segment cut short by a stop. */
  partial?: number;
}

/**
 * Puts one segment, retrying failures that may pass (see isRetryableUploadError) with backoff,
 * at most `maxAttempts` times. Reports every retry and the final upload; throws the last error.
 */
export async function uploadWithRetry(
  client: S3Client,
  bucket: string,
  segment: SegmentUpload,
  body: Uint8Array,
  deps: UploadDeps,
  maxAttempts = Number.POSITIVE_INFINITY,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const started = deps.now();
    try {
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: segment.key, Body: body, ContentType: "video/mp2t" }),
      );
      const ms = Math.round(deps.now() - started);
      deps.report({ type: "uploaded", key: segment.key, bytes: segment.bytes, ms, attempts: attempt, late: segment.late, partial: segment.partial }); // prettier-ignore
      return;
    } catch (error) {
      if (!isRetryableUploadError(error) || attempt >= maxAttempts) throw error;
      const delayMs = retryDelayMs(attempt, deps.random());
      deps.report({ type: "retry", key: segment.key, attempt, delayMs, reason: describeError(error) });
      await deps.sleep(delayMs);
    }
  }
}

/** A segment waiting on local disk. */
export interface QueuedSegment extends SegmentUpload {
  file: string;
}

export interface UploadQueue {
  add(segment: QueuedSegment): void;
  /** Resolves once every added segment is uploaded (or dropped); rejects on a permanent failure. */
  drained(): Promise<void>;
  /** Segments not uploaded yet, oldest first (the one in flight included). */
  waiting(): readonly QueuedSegment[];
}

/**
 * The live backlog. At most `maxBytes` wait (the one in flight not counted); past that the
 * oldest waiting segments are dropped and reported. A permanent upload error (AccessDenied,
 * NoSuchBucket, ...) fails the queue: nothing later could succeed.
 */
export function createUploadQueue(options: {
  client: S3Client;
  bucket: string;
  maxBytes: number;
  deps: UploadDeps;
  /** Called once, with the error, when an upload fails for good. */
  onFailure?: (error: unknown) => void;
}): UploadQueue {
  const { client, bucket, deps } = options;
  const waiting: QueuedSegment[] = [];
  let inFlight: QueuedSegment | undefined;
  let failure: unknown;
  let idle: { promise: Promise<void>; resolve(): void; reject(error: unknown): void } | undefined;

  const settleIdle = () => {
    if (idle === undefined || (failure === undefined && (inFlight !== undefined || waiting.length > 0))) return;
    if (failure !== undefined) idle.reject(failure);
    else idle.resolve();
    idle = undefined;
  };

  const pump = async () => {
    while (inFlight === undefined && waiting.length > 0 && failure === undefined) {
      inFlight = waiting.shift()!;
      try {
        await uploadWithRetry(client, bucket, inFlight, await readFile(inFlight.file), deps);
        await rm(inFlight.file, { force: true });
      } catch (error) {
        failure = error;
        options.onFailure?.(error);
      }
      inFlight = undefined;
    }
    settleIdle();
  };

  return {
    add(segment) {
      const drop = backlogOverflow(
        waiting.map((entry) => entry.bytes),
        segment.bytes,
        options.maxBytes,
      );
      for (const dropped of waiting.splice(0, drop)) {
        void rm(dropped.file, { force: true });
        deps.report({ type: "dropped", key: dropped.key, reason: "the upload backlog is full (--backlog)" });
      }
      waiting.push(segment);
      void pump();
    },
    drained() {
      if (idle === undefined) {
        let resolve!: () => void;
        let reject!: (error: unknown) => void;
        const promise = new Promise<void>((yes, no) => ((resolve = yes), (reject = no)));
        idle = { promise, resolve, reject };
      }
      const current = idle.promise;
      settleIdle();
      return current;
    },
    waiting: () => (inFlight === undefined ? [...waiting] : [inFlight, ...waiting]),
  };
}
