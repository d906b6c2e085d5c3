/**
 * submit-job: S3 upload -> MediaConvert CreateJob -> the seed's DynamoDB rows.
 *
 * `createSubmitJobHandler` takes its clients and configuration (handler.ts wires the real ones at
 * module scope; tests pass local ones). Per object of the event:
 *   normalise -> filter (logged skip) -> claim (duplicates stop here) -> CreateJob with a fresh key
 *   -> record the rows in one transaction (claim DONE with them).
 * Expected rejections (undecodable key, skipped object, duplicate) are logged and returned. Failures
 * release the claim and throw once every record has been tried, so Lambda retries the event and,
 * after its retries, hands it to the dead-letter destination; records that did succeed are
 * duplicates on the retry and are not submitted twice.
 */
import { randomBytes } from "node:crypto";
import { CancelJobCommand, CreateJobCommand, type MediaConvertClient } from "@aws-sdk/client-mediaconvert";
import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { TABLE_KEYS } from "../../model/index.ts";
import { clientRequestToken, type InvocationContext, leaseForInvocation, releaseClaim } from "../shared/idempotency.ts";
import { describeError, type Log } from "../shared/logger.ts";
import type { S3ObjectCreated } from "../shared/s3-events.ts";
import { claimOrReportDuplicate, forEachUpload } from "../shared/upload-batch.ts";
import type { SubmitJobConfig } from "./config.ts";
import { buildCreateJobRequest, recordedOutput } from "./mediaconvert-settings.ts";
import { recordReupload, recordSubmittedJob } from "./records.ts";
import { classifyUpload, type SkipReason } from "./upload-filter.ts";

/** Claim purpose for this function in the uploadEvents table. */
export const SUBMIT_JOB_PURPOSE = "mediaconvert";

/** What submit-job needs from outside. */
export interface SubmitJobDeps {
  config: SubmitJobConfig;
  clients: { dynamodb: DynamoDBDocumentClient; mediaConvert: MediaConvertClient };
  log: Log;
  /** Clock (tests). */
  now?: () => Date;
}

/** What happened to one entry of the event. */
export type SubmitOutcome =
  | { outcome: "submitted"; bucket: string; key: string; jobId: string; outputPath: string }
  | { outcome: "duplicate"; bucket: string; key: string; jobId?: string }
  | { outcome: "in-progress"; bucket: string; key: string }
  | { outcome: "skipped"; bucket: string; key: string; reason: SkipReason; message: string }
  | { outcome: "rejected"; reason: string; message: string; bucket?: string; rawKey?: string }
  | { outcome: "failed"; bucket: string; key: string; error: string };

/** The handler's return value: one outcome per entry, in event order (rejections first). */
export interface SubmitJobResult {
  results: SubmitOutcome[];
}

/** Thrown after every record was tried when at least one failed; Lambda then retries the event. */
export class SubmitJobError extends Error {
  override name = "SubmitJobError";
  constructor(
    readonly result: SubmitJobResult,
    readonly causes: unknown[],
  ) {
    const failed = result.results.filter((r) => r.outcome === "failed");
    super(`${failed.length} of ${result.results.length} event entries failed; the event will be retried.`, {
      cause: causes[0],
    });
  }
}

/** Creates the submit-job handler. */
export function createSubmitJobHandler(deps: SubmitJobDeps) {
  return async function submitJob(event: unknown, context?: InvocationContext): Promise<SubmitJobResult> {
    const { results, causes } = await forEachUpload(event, deps.log, {
      handleOne: (object) => submitOne(deps, object, context),
      failureMessage: "Upload could not be submitted; the event will be retried",
    });
    const result = { results };
    if (causes.length > 0) throw new SubmitJobError(result, causes);
    return result;
  };
}

const clockOf = (deps: SubmitJobDeps) => deps.now ?? (() => new Date());

async function submitOne(
  deps: SubmitJobDeps,
  object: S3ObjectCreated,
  context: InvocationContext | undefined,
): Promise<SubmitOutcome> {
  const { config, clients, log } = deps;
  const where = { bucket: object.bucket, key: object.key };
  const verdict = classifyUpload(object, config);
  if (!verdict.accept) {
    log.info("Object skipped", { ...where, reason: verdict.reason, detail: verdict.message, size: object.size });
    return { outcome: "skipped", ...where, reason: verdict.reason, message: verdict.message };
  }

  const claimed = await claimOrReportDuplicate(clients.dynamodb, log, object, {
    tableName: config.tables.uploadEvents,
    purpose: SUBMIT_JOB_PURPOSE,
    leaseMs: leaseForInvocation(context),
    ttlSeconds: config.claimTtlSeconds,
    now: clockOf(deps)().getTime(),
    messages: {
      done: "Duplicate upload event: job already submitted",
      inProgress: "Duplicate upload event: another invocation is submitting it",
    },
  });
  if ("duplicate" in claimed) {
    if (claimed.duplicate.outcome === "duplicate") await reuploaded(deps, object, claimed.duplicate.jobId);
    return claimed.duplicate;
  }
  return submitClaimed(deps, object, claimed.claim);
}

/**
 * A duplicate may be a new upload of bytes already transcoded (unversioned buckets identify an upload
 * by its ETag: idempotency.ts): if it is the key's latest upload, its job becomes the file's latest
 * again (records.ts recordReupload). A redelivered event writes nothing.
 */
async function reuploaded(deps: SubmitJobDeps, object: S3ObjectCreated, jobId: string | undefined): Promise<void> {
  if (!jobId || !object.sequencer) return;
  const { config, clients, log } = deps;
  const written = await recordReupload(clients.dynamodb, config.tables, {
    jobId,
    input: { bucket: object.bucket, key: object.key, sequencer: object.sequencer },
    now: clockOf(deps)().getTime(),
    statusTtlSeconds: config.statusTtlSeconds,
  });
  if (written) {
    log.info("Same bytes uploaded again: their job is the file's latest again", {
      bucket: object.bucket,
      key: object.key,
      jobId,
    });
  }
}

/** Creates and records the job of a claimed upload; on failure cancels it, releases the claim and throws. */
async function submitClaimed(
  deps: SubmitJobDeps,
  object: S3ObjectCreated,
  claim: { eventKey: string; leaseId: string },
): Promise<SubmitOutcome> {
  const { config, clients, log } = deps;
  const where = { bucket: object.bucket, key: object.key };
  let jobId: string | undefined;
  // A fresh AES-128 content key per job, from the OS CSPRNG. Never logged, never written to S3.
  const keyHex = randomBytes(16).toString("hex");
  try {
    const now = clockOf(deps)();
    const { request, planned } = buildCreateJobRequest({
      input: where,
      outputBucket: config.outputBucket,
      mediaConvert: config.mediaConvert,
      keyHex,
      clientRequestToken: clientRequestToken(claim.eventKey),
      now,
    });
    const created = await clients.mediaConvert.send(new CreateJobCommand(request));
    jobId = created.Job?.Id;
    if (!jobId) throw new Error("MediaConvert CreateJob answered without a job id.");
    const output = recordedOutput(created.Job, planned, keyHex);
    if (output.replayed) {
      log.warn("MediaConvert returned an earlier job for this upload's token; recording that job's output", {
        ...where,
        jobId,
        outputPath: output.outputPath,
      });
    }
    const recorded = await recordOrVerify(deps, {
      jobId,
      input: { ...where, ...(object.sequencer ? { sequencer: object.sequencer } : {}) },
      output,
      claim: { eventKey: claim.eventKey, leaseId: claim.leaseId },
      now: now.getTime(),
      statusTtlSeconds: config.statusTtlSeconds,
    });
    log.info("MediaConvert job submitted", {
      ...where,
      jobId,
      outputBucket: output.outputBucket,
      outputPath: output.outputPath,
      eventName: object.eventName,
      ...(recorded.inputFileUpdated ? {} : { note: "a newer upload of this key is the file's latest job" }),
    });
    return { outcome: "submitted", ...where, jobId, outputPath: output.outputPath };
  } catch (error) {
    if (jobId) await cancelOrphan(deps, jobId, where);
    await releaseClaim(clients.dynamodb, config.tables.uploadEvents, claim.eventKey, claim.leaseId);
    throw withoutKey(error, keyHex);
  }
}

/**
 * Records the job; if the transaction reports an error, checks whether it committed anyway (a lost
 * response) before treating the job as unrecorded.
 */
async function recordOrVerify({ config, clients }: SubmitJobDeps, job: Parameters<typeof recordSubmittedJob>[2]) {
  try {
    return await recordSubmittedJob(clients.dynamodb, config.tables, job);
  } catch (error) {
    const row = await clients.dynamodb
      .send(
        new GetCommand({
          TableName: config.tables.uploadEvents,
          Key: { [TABLE_KEYS.uploadEvents]: job.claim.eventKey },
          ConsistentRead: true,
        }),
      )
      .catch(() => undefined);
    const result = row?.Item?.Result as { JobId?: unknown } | undefined;
    if (row?.Item?.ClaimState === "DONE" && result?.JobId === job.jobId) return { inputFileUpdated: true };
    throw error;
  }
}

/**
 * A job we could not record would transcode into a folder nobody can find, with a key nobody has:
 * cancel it (best effort) so the retry starts clean.
 */
async function cancelOrphan(
  { clients, log }: SubmitJobDeps,
  jobId: string,
  where: { bucket: string; key: string },
): Promise<void> {
  try {
    await clients.mediaConvert.send(new CancelJobCommand({ Id: jobId }));
    log.warn("Cancelled a MediaConvert job that could not be recorded", { ...where, jobId });
  } catch (error) {
    log.error("Could not cancel an unrecorded MediaConvert job", { ...where, jobId, ...describeError(error) });
  }
}

/**
 * The error with the content key removed from its message. A validation error from CreateJob may
 * quote the request's settings, and this error is logged, returned and kept in the dead-letter
 * queue; the key must reach none of them.
 */
export function withoutKey(error: unknown, keyHex: string): unknown {
  if (!(error instanceof Error)) return error;
  // keyHex is 32 hex digits: nothing to escape. "i": MediaConvert may echo it in upper case.
  const pattern = new RegExp(keyHex, "gi");
  const quoted = `${error.message}\n${error.stack ?? ""}`.toLowerCase().includes(keyHex.toLowerCase());
  if (!quoted) return error;
  const redacted = new Error(error.message.replace(pattern, "[content key]"));
  redacted.name = error.name;
  redacted.stack = (error.stack ?? "").replace(pattern, "[content key]");
  return redacted;
}
