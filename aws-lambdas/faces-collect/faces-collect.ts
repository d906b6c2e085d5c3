/**
 * faces-collect: Rekognition's completion notification (SNS) -> every page of GetFaceDetection ->
 * result files in S3 -> the summary row.
 *
 * `createFacesCollectHandler` takes its clients and configuration (handler.ts wires the real ones at
 * module scope; tests pass local ones). Per notification:
 *   parse -> read the row and decide (duplicate / superseded / foreign stop here) ->
 *   FAILED|ERROR: FAILED row with Rekognition's StatusMessage;
 *   SUCCEEDED: take the collection lease -> page GetFaceDetection (MaxResults 1000, NextToken), writing
 *   each page's chunk files and a checkpoint -> manifest -> SUCCEEDED row.
 *
 * Long results (continuation): before each page after the first, the handler checks
 * `context.getRemainingTimeInMillis()`. With less than FACES_COLLECT_RESERVE_MS left it gives up its
 * lease and throws `CollectionContinuesError`. Everything read so far is already in S3 and in the
 * row's checkpoint (pages, chunk summaries, NextToken), so Lambda's async retry of the same SNS message
 * (1 minute later, then 2 more minutes later) resumes from the checkpoint instead of starting over.
 * After the retries, the message goes to the on-failure destination / dead-letter queue; redriving it
 * resumes the same way. NextToken lives 24 hours: a checkpoint older than 23 hours, or a token that
 * Rekognition rejects (InvalidPaginationTokenException), restarts the collection from the first page
 * (chunk keys are deterministic, so the files are simply rewritten).
 * https://docs.aws.amazon.com/rekognition/latest/dg/limits.html (NextToken 24 h),
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 */
import { randomUUID } from "node:crypto";
import {
  GetFaceDetectionCommand,
  type GetFaceDetectionCommandOutput,
  type RekognitionClient,
} from "@aws-sdk/client-rekognition";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import {
  FACE_ANALYSIS_STATUS_RANK,
  faceResultChunkKey,
  faceResultManifestKey,
  type FaceChunkLineIndex,
  type FaceCollectCheckpoint,
} from "../../model/index.ts";
import type { InvocationContext } from "../shared/idempotency.ts";
import { describeError, type Log } from "../shared/logger.ts";
import type { S3Writer } from "../shared/s3-objects.ts";
import { enqueueWebhooks, type WebhookSender } from "../shared/webhooks.ts";
import { MAX_FACES_PER_PAGE, type FacesCollectConfig } from "./config.ts";
import { type FaceJobNotification, parseNotifications } from "./notification.ts";
import { buildManifest, prepareChunks } from "./result-files.ts";
import {
  LEASE_MS,
  type RowTarget,
  acquireCollection,
  finishCollection,
  planCollection,
  readRow,
  recordJobFailed,
  releaseLease,
  restartCheckpoint,
  saveCheckpoint,
} from "./rows.ts";
import { facesWebhook } from "./webhook-event.ts";

/** A checkpointed NextToken older than this is not tried; Rekognition's tokens expire after 24 h. */
export const NEXT_TOKEN_MAX_AGE_MS = 23 * 3_600_000;

/** Restarts from the first page before the job is given up as FAILED. */
export const MAX_RESTARTS = 3;

/** Most chunks one result may have: the checkpoint (≈30 bytes per chunk) must fit a 400 KB item. */
export const MAX_CHUNKS = 10_000;

/** What faces-collect needs from outside. */
export interface FacesCollectDeps {
  config: FacesCollectConfig;
  clients: { dynamodb: DynamoDBDocumentClient; rekognition: RekognitionClient; s3: S3Writer };
  log: Log;
  /** Clock (tests). */
  now?: () => number;
  /** Where recorded results go (WEBHOOK_URLS); absent = no webhooks. */
  webhooks?: WebhookSender;
}

/** What happened to one record of the event. */
export type FacesCollectOutcome =
  | { outcome: "rejected"; reason: string; message: string }
  | { outcome: "ignored"; jobId: string; reason: string }
  | { outcome: "duplicate"; jobId: string; status: string }
  | { outcome: "superseded"; jobId: string; rowJobId?: string }
  | { outcome: "job-failed"; jobId: string; message: string }
  | { outcome: "succeeded"; jobId: string; faceCount: number; chunks: number; resultKey: string; pagesRead: number }
  | { outcome: "continues"; jobId: string; pagesRead: number; pagesTotal: number }
  | { outcome: "busy"; jobId: string }
  | { outcome: "lease-lost"; jobId: string }
  | { outcome: "failed"; jobId: string; error: string };

/** The handler's return value. */
export interface FacesCollectResult {
  results: FacesCollectOutcome[];
}

/**
 * Thrown when a record must run again: the collection stopped early to continue on the retry, another
 * invocation holds the lease, or a call failed. Lambda's async retry then redelivers the message.
 */
export class CollectionContinuesError extends Error {
  override name = "CollectionContinuesError";
  constructor(
    readonly result: FacesCollectResult,
    readonly causes: unknown[],
  ) {
    const pending = result.results.filter((r) => ["continues", "busy", "failed"].includes(r.outcome));
    super(
      `${pending.length} of ${result.results.length} notifications are not finished ` +
        `(${pending.map((r) => r.outcome).join(", ")}); progress is checkpointed and the retry continues.`,
      { cause: causes[0] },
    );
  }
}

/** Creates the faces-collect handler. */
export function createFacesCollectHandler(deps: FacesCollectDeps) {
  return function facesCollect(event: unknown, context?: InvocationContext): Promise<FacesCollectResult> {
    return handleNotifications(deps, event, context);
  };
}

const clockOf = (deps: FacesCollectDeps) => deps.now ?? (() => Date.now());

async function handleNotifications(
  deps: FacesCollectDeps,
  event: unknown,
  context: InvocationContext | undefined,
): Promise<FacesCollectResult> {
  const { log } = deps;
  const { notifications, rejections } = parseNotifications(event);
  const results: FacesCollectOutcome[] = [];
  const causes: unknown[] = [];
  for (const rejection of rejections) {
    log.warn("Notification rejected", {
      reason: rejection.reason,
      detail: rejection.message,
      messageId: rejection.messageId,
    });
    results.push({ outcome: "rejected", reason: rejection.reason, message: rejection.message });
  }
  for (const notification of notifications) {
    const where = { jobId: notification.jobId, bucket: notification.video.bucket, key: notification.video.key };
    try {
      const outcome = await collectOne(deps, notification, context);
      if (outcome.outcome === "continues" || outcome.outcome === "busy") causes.push(new Error(outcome.outcome));
      results.push(outcome);
      // After the row write was applied; other outcomes give no payload.
      const payload = facesWebhook(notification, outcome, clockOf(deps)());
      if (payload) await enqueueWebhooks(deps.webhooks, payload, log);
    } catch (error) {
      causes.push(error);
      log.error("Face detection results could not be collected; the notification will be retried", {
        ...where,
        ...describeError(error),
      });
      results.push({ outcome: "failed", jobId: notification.jobId, error: String(error) });
    }
  }
  const result = { results };
  if (causes.length > 0) throw new CollectionContinuesError(result, causes);
  return result;
}

/** Log fields that place a message in one notification. */
type Where = { jobId: string; bucket: string; key: string; status?: string };

async function collectOne(
  deps: FacesCollectDeps,
  notification: FaceJobNotification,
  context: InvocationContext | undefined,
): Promise<FacesCollectOutcome> {
  const { config, clients, log } = deps;
  const clock = clockOf(deps);
  const { jobId } = notification;
  const where: Where = {
    jobId,
    bucket: notification.video.bucket,
    key: notification.video.key,
    status: notification.status,
  };
  if (notification.api !== "StartFaceDetection") {
    log.info("Notification ignored: not a face detection job", { ...where, api: notification.api });
    return { outcome: "ignored", jobId, reason: `API ${notification.api}` };
  }
  const row = await readRow(clients.dynamodb, config.tables.faceAnalysis, notification.video.key);
  const plan = planCollection(row, notification);
  if (plan.action === "duplicate" || plan.action === "superseded" || plan.action === "foreign") {
    return skipped(deps, plan, notification, where);
  }
  const target: RowTarget = {
    table: config.tables.faceAnalysis,
    notification,
    order: plan.order,
    ttlSeconds: config.rowTtlSeconds,
    now: clock(),
  };
  if (notification.status !== "SUCCEEDED") {
    const message = await failureMessage(deps, notification);
    const written = await recordJobFailed(clients.dynamodb, target, message);
    log.warn("Face detection job failed", { ...where, detail: message, row: written ? "written" : "superseded" });
    return written ? { outcome: "job-failed", jobId, message } : { outcome: "superseded", jobId };
  }
  const leaseId = randomUUID();
  const acquired = await acquireCollection(clients.dynamodb, target, plan.action, {
    id: leaseId,
    expiresAt: clock() + LEASE_MS,
  });
  if (!acquired.ok) return leaseRefused(deps, acquired.row, jobId, where);
  if (acquired.checkpoint.Pages > 0) {
    log.info("Resuming a checkpointed collection", {
      ...where,
      pages: acquired.checkpoint.Pages,
      faces: acquired.checkpoint.FaceCount,
      pagesDone: acquired.checkpoint.PagesDone,
    });
  }
  const checkpoint: FaceCollectCheckpoint = { ...acquired.checkpoint, Chunks: [...acquired.checkpoint.Chunks] };
  const collection: Collection = {
    deps,
    notification,
    target,
    leaseId,
    checkpoint,
    pagesRead: 0,
    lineIndexes: new Map(),
  };
  try {
    return await collectPages(collection, context);
  } catch (error) {
    // Hand the lease back so the retry can resume at once, then let the retry happen.
    await releaseLease(clients.dynamodb, target.table, notification.video.key, leaseId, clock()).catch(() => false);
    throw error;
  }
}

/** The outcome of a notification the row says not to collect. */
function skipped(
  { log }: FacesCollectDeps,
  plan: Extract<ReturnType<typeof planCollection>, { action: "duplicate" | "superseded" | "foreign" }>,
  notification: FaceJobNotification,
  where: Where,
): FacesCollectOutcome {
  const { jobId } = notification;
  switch (plan.action) {
    case "duplicate":
      log.info("Duplicate notification: the result is already recorded", { ...where, rowStatus: plan.status });
      return { outcome: "duplicate", jobId, status: plan.status };
    case "superseded":
      log.info("Notification superseded: the row describes a newer upload or another job", {
        ...where,
        rowJobId: plan.rowJobId,
      });
      return { outcome: "superseded", jobId, ...(plan.rowJobId ? { rowJobId: plan.rowJobId } : {}) };
    case "foreign":
      log.warn("Notification ignored: not a job this pipeline started", { ...where, jobTag: notification.jobTag });
      return { outcome: "ignored", jobId, reason: "foreign job" };
  }
}

/** The outcome when the collection lease was refused: recorded meanwhile, held by another, or superseded. */
function leaseRefused(
  { log }: FacesCollectDeps,
  current: Awaited<ReturnType<typeof readRow>>,
  jobId: string,
  where: Where,
): FacesCollectOutcome {
  if (current?.JobId === jobId && (current.StatusRank ?? 0) >= FACE_ANALYSIS_STATUS_RANK.SUCCEEDED) {
    log.info("Duplicate notification: the result was recorded meanwhile", where);
    return { outcome: "duplicate", jobId, status: current.AnalysisStatus };
  }
  if (current?.JobId === jobId && current.AnalysisStatus === "COLLECTING") {
    // Someone holds a live lease. Retry later rather than return: if that holder died (out of
    // memory), its lease runs out and this message's retry is what finishes the job.
    log.info("Another invocation is collecting this job; retrying later", {
      ...where,
      leaseExpiresAt: current.Collect?.LeaseExpiresAt,
    });
    return { outcome: "busy", jobId };
  }
  log.info("Notification superseded while taking the lease", { ...where, rowJobId: current?.JobId });
  return { outcome: "superseded", jobId, ...(current?.JobId ? { rowJobId: current.JobId } : {}) };
}

/** One collection in progress: this invocation holds the lease `leaseId` and advances `checkpoint`. */
interface Collection {
  deps: FacesCollectDeps;
  notification: FaceJobNotification;
  target: RowTarget;
  leaseId: string;
  checkpoint: FaceCollectCheckpoint;
  /** Pages read by this invocation. */
  pagesRead: number;
  /**
   * Line indexes of the chunks this invocation wrote, by chunk number, for the manifest. Chunks that
   * an earlier invocation wrote (a resumed collection) get none and are read whole by the Worker:
   * the checkpoint item has no room for them (MAX_CHUNKS).
   */
  lineIndexes: Map<number, FaceChunkLineIndex>;
}

const whereOf = ({ notification }: Collection): Where => ({
  jobId: notification.jobId,
  bucket: notification.video.bucket,
  key: notification.video.key,
});

async function collectPages(run: Collection, context: InvocationContext | undefined): Promise<FacesCollectOutcome> {
  const { deps, checkpoint, notification, leaseId } = run;
  const clock = clockOf(deps);
  const jobId = notification.jobId;
  if (
    !checkpoint.PagesDone &&
    checkpoint.NextToken !== undefined &&
    clock() - (checkpoint.NextTokenAt ?? 0) > NEXT_TOKEN_MAX_AGE_MS
  ) {
    const stopped = await restart(run, "the checkpointed NextToken is older than 23 hours");
    if (stopped) return stopped;
  }
  while (!checkpoint.PagesDone) {
    const remaining = context?.getRemainingTimeInMillis?.();
    if (run.pagesRead > 0 && typeof remaining === "number" && remaining < deps.config.reserveMs) {
      await releaseLease(deps.clients.dynamodb, run.target.table, notification.video.key, leaseId, clock());
      deps.log.info("Time is running short: checkpointed, the retry continues", {
        ...whereOf(run),
        pagesRead: run.pagesRead,
        pagesTotal: checkpoint.Pages,
        faces: checkpoint.FaceCount,
        remainingMs: remaining,
      });
      return { outcome: "continues", jobId, pagesRead: run.pagesRead, pagesTotal: checkpoint.Pages };
    }
    const page = await readPage(run);
    if (page === "restarted") continue;
    if (!("page" in page)) return page;
    const stopped = await storePage(run, page.page);
    if (stopped) return stopped;
  }
  return finishResult(run);
}

/** Starts over from the first page, or gives the job up as FAILED after MAX_RESTARTS. */
async function restart(run: Collection, reason: string): Promise<FacesCollectOutcome | undefined> {
  const { deps, checkpoint, notification, target, leaseId } = run;
  const clock = clockOf(deps);
  const jobId = notification.jobId;
  const restarts = checkpoint.Restarts + 1;
  if (restarts > MAX_RESTARTS) {
    const message = `Face detection results could not be read: ${reason} (after ${MAX_RESTARTS} restarts).`;
    if (!(await recordJobFailed(deps.clients.dynamodb, target, message, leaseId)))
      return { outcome: "lease-lost", jobId };
    deps.log.error("Giving up on a collection", { ...whereOf(run), detail: message });
    return { outcome: "job-failed", jobId, message };
  }
  deps.log.warn("Restarting the collection from the first page", { ...whereOf(run), reason, restarts });
  const inputFile = notification.video.key;
  const leaseUntil = clock() + LEASE_MS;
  if (
    !(await restartCheckpoint(deps.clients.dynamodb, target.table, inputFile, leaseId, restarts, leaseUntil, clock()))
  ) {
    return { outcome: "lease-lost", jobId };
  }
  Object.assign(checkpoint, { PagesDone: false, Pages: 0, FaceCount: 0, Chunks: [], Restarts: restarts });
  run.lineIndexes.clear();
  delete checkpoint.NextToken;
  delete checkpoint.NextTokenAt;
  delete checkpoint.VideoMetadata;
  return undefined;
}

/** The next page; "restarted" when the collection started over, or the outcome that ends it. */
async function readPage(
  run: Collection,
): Promise<{ page: GetFaceDetectionCommandOutput } | "restarted" | FacesCollectOutcome> {
  const { deps, checkpoint, target, leaseId } = run;
  const jobId = run.notification.jobId;
  let page: GetFaceDetectionCommandOutput;
  try {
    page = await deps.clients.rekognition.send(
      new GetFaceDetectionCommand({
        JobId: jobId,
        MaxResults: MAX_FACES_PER_PAGE,
        ...(checkpoint.NextToken !== undefined ? { NextToken: checkpoint.NextToken } : {}),
      }),
    );
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === "InvalidPaginationTokenException" && checkpoint.NextToken !== undefined) {
      const stopped = await restart(run, "Rekognition rejected the NextToken (expired after 24 hours or invalid)");
      return stopped ?? "restarted";
    }
    if (name === "ResourceNotFoundException" || name === "InvalidParameterException") {
      const message = `Rekognition no longer has this job's results (${name}).`;
      if (!(await recordJobFailed(deps.clients.dynamodb, target, message, leaseId))) {
        return { outcome: "lease-lost", jobId };
      }
      deps.log.error("Face detection results are gone", { ...whereOf(run), ...describeError(error) });
      return { outcome: "job-failed", jobId, message };
    }
    throw error;
  }
  if (page.JobStatus === "SUCCEEDED") return { page };
  if (page.JobStatus === "FAILED") {
    const message = `Rekognition job FAILED: ${page.StatusMessage ?? "no reason given"}`;
    if (!(await recordJobFailed(deps.clients.dynamodb, target, message, leaseId)))
      return { outcome: "lease-lost", jobId };
    return { outcome: "job-failed", jobId, message };
  }
  throw new Error(`GetFaceDetection reports JobStatus ${String(page.JobStatus)} after a SUCCEEDED notification.`);
}

/** Writes a page's chunk files and checkpoints it; the outcome when the collection must stop. */
async function storePage(
  run: Collection,
  page: GetFaceDetectionCommandOutput,
): Promise<FacesCollectOutcome | undefined> {
  const { deps, checkpoint, target, leaseId } = run;
  const { config, clients, log } = deps;
  const jobId = run.notification.jobId;
  const where = whereOf(run);
  const prepared = prepareChunks(page.Faces, config.chunkSize);
  if (prepared.dropped > 0) log.warn("Faces without a timestamp were dropped", { ...where, dropped: prepared.dropped });
  const base = checkpoint.Chunks.length;
  if (base + prepared.chunks.length > MAX_CHUNKS) {
    const message = `The result has more than ${MAX_CHUNKS} chunks of faces; it is too large to index.`;
    if (!(await recordJobFailed(clients.dynamodb, target, message, leaseId))) return { outcome: "lease-lost", jobId };
    return { outcome: "job-failed", jobId, message };
  }
  const lastBefore = checkpoint.Chunks[base - 1]?.[1];
  const firstNow = prepared.chunks[0]?.first;
  if (lastBefore !== undefined && firstNow !== undefined && firstNow < lastBefore) {
    log.warn("A page starts before the previous one ended; Rekognition documents time order", {
      ...where,
      page: checkpoint.Pages,
    });
  }
  await Promise.all(
    prepared.chunks.map((chunk, index) =>
      clients.s3.putObject({
        bucket: config.analysisBucket,
        key: faceResultChunkKey(config.analysisPrefix, jobId, base + index),
        body: chunk.body,
        contentType: "application/x-ndjson; charset=utf-8",
      }),
    ),
  );
  const chunkSummaries = prepared.chunks.map((c): [number, number, number] => [c.first, c.last, c.count]);
  const stopped = await advanceCheckpoint(run, page, chunkSummaries);
  if (!stopped) prepared.chunks.forEach((chunk, index) => run.lineIndexes.set(base + index, chunk.index));
  return stopped;
}

/** Saves the checkpoint after a page (the row first, then the in-memory copy). */
async function advanceCheckpoint(
  run: Collection,
  page: GetFaceDetectionCommandOutput,
  chunkSummaries: Array<[number, number, number]>,
): Promise<FacesCollectOutcome | undefined> {
  const { deps, checkpoint, leaseId } = run;
  const faces = chunkSummaries.reduce((sum, [, , count]) => sum + count, 0);
  const videoMetadata =
    checkpoint.VideoMetadata === undefined && page.VideoMetadata
      ? (JSON.parse(JSON.stringify(page.VideoMetadata)) as Record<string, unknown>)
      : undefined;
  const now = clockOf(deps)();
  const saved = await saveCheckpoint(
    deps.clients.dynamodb,
    run.target.table,
    run.notification.video.key,
    leaseId,
    {
      chunks: chunkSummaries,
      faces,
      ...(page.NextToken ? { nextToken: page.NextToken } : {}),
      nextTokenAt: now,
      ...(videoMetadata ? { videoMetadata } : {}),
      leaseExpiresAt: now + LEASE_MS,
    },
    now,
  );
  if (!saved) {
    deps.log.warn("Lost the collection lease to another invocation; stopping", {
      ...whereOf(run),
      pagesRead: run.pagesRead,
    });
    return { outcome: "lease-lost", jobId: run.notification.jobId };
  }
  checkpoint.Chunks.push(...chunkSummaries);
  checkpoint.FaceCount += faces;
  checkpoint.Pages += 1;
  checkpoint.PagesDone = !page.NextToken;
  checkpoint.NextTokenAt = now;
  if (page.NextToken) checkpoint.NextToken = page.NextToken;
  else delete checkpoint.NextToken;
  if (videoMetadata) checkpoint.VideoMetadata = videoMetadata;
  run.pagesRead++;
  return undefined;
}

/** Every page is in: writes the manifest and records SUCCEEDED. */
async function finishResult(run: Collection): Promise<FacesCollectOutcome> {
  const { deps, checkpoint, notification, leaseId } = run;
  const { config, clients, log } = deps;
  const clock = clockOf(deps);
  const { jobId } = notification;
  const inputFile = notification.video.key;
  const resultKey = faceResultManifestKey(config.analysisPrefix, jobId);
  const manifest = buildManifest({
    prefix: config.analysisPrefix,
    jobId,
    inputFile,
    inputBucket: notification.video.bucket,
    checkpoint,
    lineIndexes: run.lineIndexes,
    now: clock(),
  });
  await clients.s3.putObject({
    bucket: config.analysisBucket,
    key: resultKey,
    body: JSON.stringify(manifest),
    contentType: "application/json; charset=utf-8",
  });
  const duration = checkpoint.VideoMetadata?.DurationMillis;
  const finished = await finishCollection(clients.dynamodb, run.target.table, inputFile, leaseId, {
    faceCount: checkpoint.FaceCount,
    ...(typeof duration === "number" ? { videoDurationMs: duration } : {}),
    resultBucket: config.analysisBucket,
    resultKey,
    now: clock(),
  });
  if (!finished) {
    log.warn("Lost the collection lease before recording the result; the holder records it", whereOf(run));
    return { outcome: "lease-lost", jobId };
  }
  const { pagesRead } = run;
  log.info("Face detection results collected", {
    ...whereOf(run),
    faces: checkpoint.FaceCount,
    chunks: checkpoint.Chunks.length,
    pagesRead,
    resultBucket: config.analysisBucket,
    resultKey,
  });
  const chunks = checkpoint.Chunks.length;
  return { outcome: "succeeded", jobId, faceCount: checkpoint.FaceCount, chunks, resultKey, pagesRead };
}

/**
 * The notification says only FAILED/ERROR; GetFaceDetection's StatusMessage says why. Best effort:
 * the row gets a generic message if that call fails.
 */
async function failureMessage({ clients, log }: FacesCollectDeps, notification: FaceJobNotification): Promise<string> {
  try {
    const response = await clients.rekognition.send(
      new GetFaceDetectionCommand({ JobId: notification.jobId, MaxResults: 1 }),
    );
    if (response.StatusMessage) return `Rekognition job ${notification.status}: ${response.StatusMessage}`;
  } catch (error) {
    log.warn("Could not read the failed job's StatusMessage", { jobId: notification.jobId, ...describeError(error) });
  }
  return `Rekognition job ${notification.status}: no reason given.`;
}
