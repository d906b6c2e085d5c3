/**
 * faces-start: an upload (EventBridge "Object Created" or S3 notification) -> Rekognition
 * StartFaceDetection -> the analysis row.
 *
 * `createFacesStartHandler` takes its clients and configuration (handler.ts wires the real ones at
 * module scope; tests pass local ones). Per object of the event:
 *   normalise -> filter (ignored: logged; unreadable by Rekognition: SKIPPED row) -> claim (duplicates
 *   stop here) -> StartFaceDetection -> IN_PROGRESS row -> claim DONE.
 *
 * Failures:
 * - capacity (LimitExceeded at 20 concurrent jobs, throttling): WAITING_FOR_CAPACITY row, claim
 *   released, and the event throws once every record was tried, so Lambda's async retries (1 min,
 *   then 2 min later) and then the on-failure destination / dead-letter queue take over. The released
 *   claim is what lets the retry start the job; records that did succeed are duplicates on the retry.
 * - the video cannot be started (InvalidS3Object, VideoTooLarge, ...): FAILED row with the reason, claim
 *   DONE, no retry (retrying could never succeed: no retry storm).
 * - anything else: claim released, thrown, retried.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 */
import { type RekognitionClient, StartFaceDetectionCommand } from "@aws-sdk/client-rekognition";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { jobTagFor, uploadOrder } from "../shared/face-analysis.ts";
import {
  clientRequestToken,
  completeClaim,
  type InvocationContext,
  leaseForInvocation,
  releaseClaim,
} from "../shared/idempotency.ts";
import { describeError, type Log } from "../shared/logger.ts";
import type { S3ObjectCreated } from "../shared/s3-events.ts";
import { claimOrReportDuplicate, forEachUpload } from "../shared/upload-batch.ts";
import type { FacesStartConfig } from "./config.ts";
import { classifyFaceInput } from "./input-filter.ts";
import {
  type RowUpload,
  type RowWrite,
  recordSkipped,
  recordStartFailed,
  recordStarted,
  recordWaiting,
} from "./rows.ts";
import { buildStartFaceDetection, classifyStartError, errorSummary } from "./start-request.ts";

/** Claim purpose of this function in the uploadEvents table (independent of submit-job's). */
export const FACES_START_PURPOSE = "rekognition-faces";

/** What faces-start needs from outside. */
export interface FacesStartDeps {
  config: FacesStartConfig;
  clients: { dynamodb: DynamoDBDocumentClient; rekognition: RekognitionClient };
  log: Log;
  /** Clock (tests). */
  now?: () => number;
}

/** What happened to one entry of the event. */
export type FacesStartOutcome =
  | { outcome: "started"; bucket: string; key: string; jobId: string; row: "written" | "superseded" }
  | { outcome: "duplicate"; bucket: string; key: string; jobId?: string }
  | { outcome: "in-progress"; bucket: string; key: string }
  | { outcome: "skipped"; bucket: string; key: string; reason: string; message: string }
  | { outcome: "ignored"; bucket: string; key: string; reason: string; message: string }
  | { outcome: "rejected"; reason: string; message: string; bucket?: string; rawKey?: string }
  | { outcome: "start-failed"; bucket: string; key: string; message: string }
  | { outcome: "waiting-for-capacity"; bucket: string; key: string; message: string }
  | { outcome: "failed"; bucket: string; key: string; error: string };

/** The handler's return value: one outcome per entry (rejections first, then objects in event order). */
export interface FacesStartResult {
  results: FacesStartOutcome[];
}

/** Thrown after every record was tried when at least one must be retried. */
export class FacesStartError extends Error {
  override name = "FacesStartError";
  constructor(
    readonly result: FacesStartResult,
    readonly causes: unknown[],
  ) {
    const retried = result.results.filter((r) => r.outcome === "failed" || r.outcome === "waiting-for-capacity");
    super(`${retried.length} of ${result.results.length} event entries must be retried; the event will be retried.`, {
      cause: causes[0],
    });
  }
}

/** Creates the faces-start handler. */
export function createFacesStartHandler(deps: FacesStartDeps) {
  return async function facesStart(event: unknown, context?: InvocationContext): Promise<FacesStartResult> {
    const { results, causes } = await forEachUpload(event, deps.log, {
      handleOne: (object) => startOne(deps, object, context),
      failureMessage: "Face detection could not be started; the event will be retried",
      // At capacity the row says WAITING_FOR_CAPACITY and the event must come back later.
      retryCause: (outcome) => (outcome.outcome === "waiting-for-capacity" ? new Error(outcome.message) : undefined),
    });
    const result = { results };
    if (causes.length > 0) throw new FacesStartError(result, causes);
    return result;
  };
}

async function startOne(
  deps: FacesStartDeps,
  object: S3ObjectCreated,
  context: InvocationContext | undefined,
): Promise<FacesStartOutcome> {
  const { config, clients, log } = deps;
  const where = { bucket: object.bucket, key: object.key };
  const verdict = classifyFaceInput(object, config);
  if (verdict.action === "ignore") {
    log.info("Object ignored", { ...where, reason: verdict.reason, detail: verdict.message });
    return { outcome: "ignored", ...where, reason: verdict.reason, message: verdict.message };
  }

  // Only uploads get a row: no JobTag hash for the output files and results that are ignored.
  const now = (deps.now ?? (() => Date.now()))();
  const upload: RowUpload = {
    ...where,
    order: uploadOrder(object.sequencer),
    jobTag: jobTagFor(object),
    uploadedAt: uploadTime(object, now),
  };
  const write: RowWrite = { table: config.tables.faceAnalysis, ttlSeconds: config.rowTtlSeconds, now };
  if (verdict.action === "skip") {
    // No claim needed: the conditional write is idempotent and never overwrites a newer upload.
    const row = await recordSkipped(clients.dynamodb, write, upload, verdict.message);
    log.info("Upload skipped: Rekognition cannot read it", {
      ...where,
      reason: verdict.reason,
      detail: verdict.message,
      row,
    });
    return { outcome: "skipped", ...where, reason: verdict.reason, message: verdict.message };
  }

  const claimed = await claimOrReportDuplicate(clients.dynamodb, log, object, {
    tableName: config.tables.uploadEvents,
    purpose: FACES_START_PURPOSE,
    leaseMs: leaseForInvocation(context),
    ttlSeconds: config.claimTtlSeconds,
    now,
    messages: {
      done: "Duplicate upload event: face detection already started",
      inProgress: "Duplicate upload event: another invocation is starting it",
    },
  });
  if ("duplicate" in claimed) return claimed.duplicate;
  const started = await startJob(deps, { object, upload, write, claim: claimed.claim });
  if (typeof started !== "string") return started;
  const jobId = started;
  const { claim } = claimed;
  try {
    const row = await recordStarted(clients.dynamodb, write, upload, jobId);
    await completeClaim(clients.dynamodb, config.tables.uploadEvents, claim.eventKey, claim.leaseId, {
      JobId: jobId,
    });
    log.info("Face detection started", { ...where, jobId, jobTag: upload.jobTag, eventName: object.eventName, row });
    return { outcome: "started", ...where, jobId, row };
  } catch (error) {
    // The retry reuses the token, so Rekognition hands back this same job: nothing is started twice.
    await releaseClaim(clients.dynamodb, config.tables.uploadEvents, claim.eventKey, claim.leaseId);
    throw error;
  }
}

/** One claimed upload about to be started. */
interface ClaimedUpload {
  object: S3ObjectCreated;
  upload: RowUpload;
  write: RowWrite;
  claim: { eventKey: string; leaseId: string };
}

/** Calls StartFaceDetection: the JobId, or the outcome when Rekognition refused (throws to retry). */
async function startJob(deps: FacesStartDeps, claimed: ClaimedUpload): Promise<string | FacesStartOutcome> {
  const { config, clients } = deps;
  const { object, upload, claim } = claimed;
  const request = buildStartFaceDetection({
    bucket: object.bucket,
    key: object.key,
    ...(object.versionId ? { versionId: object.versionId } : {}),
    // Same upload -> same token -> Rekognition returns the same JobId instead of a second job, which
    // covers a crash between StartFaceDetection and the claim update.
    clientRequestToken: clientRequestToken(claim.eventKey),
    jobTag: upload.jobTag,
    snsTopicArn: config.rekognition.snsTopicArn,
    roleArn: config.rekognition.roleArn,
    faceAttributes: config.rekognition.faceAttributes,
  });
  try {
    const started = await clients.rekognition.send(new StartFaceDetectionCommand(request));
    if (!started.JobId) throw new Error("StartFaceDetection answered without a JobId.");
    return started.JobId;
  } catch (error) {
    return startRefused(deps, claimed, error);
  }
}

/** A failed StartFaceDetection: a permanent refusal or no capacity is recorded on the row; anything else throws. */
async function startRefused(
  { config, clients, log }: FacesStartDeps,
  { object, upload, write, claim }: ClaimedUpload,
  error: unknown,
): Promise<FacesStartOutcome> {
  const where = { bucket: object.bucket, key: object.key };
  const kind = classifyStartError(error);
  const summary = errorSummary(error);
  if (kind === "permanent") {
    const message = `Rekognition refused the video: ${summary}`;
    const row = await recordStartFailed(clients.dynamodb, write, upload, message).catch(async (writeError) => {
      await releaseClaim(clients.dynamodb, config.tables.uploadEvents, claim.eventKey, claim.leaseId);
      throw writeError;
    });
    await completeClaim(clients.dynamodb, config.tables.uploadEvents, claim.eventKey, claim.leaseId, {
      Failed: summary,
    });
    log.warn("Face detection refused for this upload; not retrying", { ...where, ...describeError(error), row });
    return { outcome: "start-failed", ...where, message };
  }
  // Give the claim back first: the retry must be able to claim it again.
  await releaseClaim(clients.dynamodb, config.tables.uploadEvents, claim.eventKey, claim.leaseId);
  if (kind === "capacity") {
    const message =
      `Waiting for Rekognition capacity (${summary}); the upload is retried automatically ` +
      `(Lambda async retries, then the dead-letter queue).`;
    const row = await recordWaiting(clients.dynamodb, write, upload, message);
    log.warn("Rekognition capacity exhausted; the event will be retried", {
      ...where,
      ...describeError(error),
      row,
    });
    return { outcome: "waiting-for-capacity", ...where, message };
  }
  throw error;
}

/** The upload's time from the event (S3's eventTime / EventBridge's time), else `fallback`. */
function uploadTime(object: S3ObjectCreated, fallback: number): number {
  const parsed = object.eventTime ? Date.parse(object.eventTime) : Number.NaN;
  return Number.isFinite(parsed) ? parsed : fallback;
}
