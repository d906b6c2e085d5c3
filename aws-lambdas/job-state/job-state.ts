/**
 * job-state: EventBridge "MediaConvert Job State Change" -> the job's status row (+ info.json).
 *
 * The mapping is pure (state-update.ts); this module reads the job's output row, writes info.json and
 * sends the conditional update. A failed condition is the expected answer to a duplicate or late event
 * and is a no-op. Failures (throttling, S3 errors) throw, so EventBridge/Lambda retry and, after that,
 * the dead-letter queue takes the event.
 *
 * COMPLETE is retry-safe against partial failure: info.json is written (an idempotent PUT of content
 * derived from the event) *before* the row turns COMPLETE. If the PUT fails nothing is marked and the
 * retry does both; if the row update fails after the PUT the retry rewrites the same file and then
 * marks the row; and every redelivered COMPLETE rewrites info.json even when the row is already
 * COMPLETE, so a lost or deleted info.json is restored by any redelivery. Readers that see COMPLETE
 * can rely on info.json existing.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand, type UpdateCommandInput } from "@aws-sdk/lib-dynamodb";
import {
  INFO_FILE,
  JOB_CREATED_BY,
  TABLE_KEYS,
  epochSeconds,
  type JobOutputItem,
  type TableRole,
} from "../../model/index.ts";
import { isConditionalCheckFailed } from "../shared/guards.ts";
import type { Log } from "../shared/logger.ts";
import type { S3Writer } from "../shared/s3-objects.ts";
import { enqueueWebhooks, type WebhookSender } from "../shared/webhooks.ts";
import {
  buildEnsureWarningsMap,
  buildStatusUpdate,
  buildWarningUpdate,
  completeFacts,
  infoJson,
  parseJobStateEvent,
  planJobStateUpdate,
  sanitizeErrorMessage,
  type ExtraAttributes,
  type JobStateEvent,
} from "./state-update.ts";
import { changesReportedState, jobStateWebhook } from "./webhook-event.ts";

/** job-state configuration. */
export interface JobStateConfig {
  tables: Record<TableRole, string>;
  /** Seed `OUTPUT_BUCKET`: where info.json goes when an output row predates `OutputBucket`; also scrubbed from errors. */
  outputBucket: string;
  /** Lifetime of the status row after its latest update, in seconds. */
  statusTtlSeconds: number;
}

/** What job-state needs from outside. */
export interface JobStateDeps {
  config: JobStateConfig;
  clients: { dynamodb: DynamoDBDocumentClient; s3: S3Writer };
  log: Log;
  now?: () => Date;
  /** Where applied status changes go (WEBHOOK_URLS); absent = no webhooks. */
  webhooks?: WebhookSender;
}

/** What happened to the event. */
export type JobStateResult =
  | { outcome: "applied"; jobId: string; status: string; infoFile?: string }
  | { outcome: "stale"; jobId: string; status: string; current?: string }
  | { outcome: "ignored"; jobId: string; status: string; reason: string }
  | { outcome: "unknown-job"; jobId: string; status: string }
  | { outcome: "rejected"; reason: string };

/**
 * A terminal event for a job this pipeline created (UserMetadata says so) may beat submit-job's
 * transaction by a moment. Within this window such an event is retried (thrown) instead of dropped.
 */
export const UNRECORDED_JOB_RETRY_WINDOW_MS = 5 * 60_000;

/** Thrown for a fresh terminal event of one of our jobs whose rows are not visible yet (retry later). */
export class JobNotRecordedYetError extends Error {
  override name = "JobNotRecordedYetError";
}

/** Creates the job-state handler. */
export function createJobStateHandler(deps: JobStateDeps) {
  return function jobState(event: unknown): Promise<JobStateResult> {
    return handleJobState(deps, event);
  };
}

/** Log fields that place a message in one event. */
type Where = { jobId: string; status: string; eventId?: string; inputFile?: string };

async function handleJobState(deps: JobStateDeps, event: unknown): Promise<JobStateResult> {
  const { config, log } = deps;
  const parsed = parseJobStateEvent(event);
  if (!parsed.ok) {
    log.warn("Event rejected", { reason: parsed.message });
    return { outcome: "rejected", reason: parsed.message };
  }
  const evt = parsed.event;
  const where: Where = {
    jobId: evt.jobId,
    status: evt.status,
    eventId: evt.eventId,
    inputFile: evt.userMetadata.InputFile,
  };
  const plan = planJobStateUpdate(evt);
  const now = (deps.now ?? (() => new Date()))();

  if (plan.kind === "ignore") {
    log.info("Event does not change the status row", { ...where, reason: plan.reason });
    return { outcome: "ignored", jobId: evt.jobId, status: evt.status, reason: plan.reason };
  }

  if (plan.kind === "warning") {
    const update = buildWarningUpdate(config.tables.jobIdToStatus, evt.jobId, plan.warnings);
    const applied = await sendUpdate(deps, update, true);
    if (applied === "missing") return unknownJob(deps, evt, where, now);
    log.info("Warning recorded", { ...where, warnings: plan.warnings });
    return { outcome: "applied", jobId: evt.jobId, status: evt.status };
  }

  let extra: ExtraAttributes = {};
  let infoFile: string | undefined;
  if (plan.status === "COMPLETE") {
    const complete = await recordCompletion(deps, evt);
    if (!complete) return unknownJob(deps, evt, where, now);
    ({ extra, infoFile } = complete);
  } else if (plan.status === "ERROR") {
    extra = errorAttributes(config, evt);
  }

  const update = buildStatusUpdate({
    tableName: config.tables.jobIdToStatus,
    jobId: evt.jobId,
    plan,
    timestampMs: evt.timestampMs,
    expirationTime: epochSeconds(now.getTime()) + config.statusTtlSeconds,
    extra,
  });
  const applied = await sendUpdate(deps, update, Object.keys(plan.warnings).length > 0);
  if (applied === "missing") return unknownJob(deps, evt, where, now);
  if (!("previous" in applied)) {
    log.info("Stale or duplicate event: the row is already at or past it", { ...where, current: applied.current });
    return {
      outcome: "stale",
      jobId: evt.jobId,
      status: evt.status,
      ...(applied.current ? { current: applied.current } : {}),
    };
  }
  log.info("Status updated", {
    ...where,
    jobStatus: plan.status,
    progress: plan.progress,
    ...(infoFile ? { infoFile } : {}),
    ...(plan.status === "ERROR" ? { errorCode: extra.ErrorCode } : {}),
  });
  // Only now, after the conditional update was applied: stale and duplicate events never get here,
  // and an event that changed neither status nor progress (the next STATUS_UPDATE of a stalled job)
  // sends nothing either.
  if (changesReportedState(applied.previous, plan)) {
    await enqueueWebhooks(deps.webhooks, jobStateWebhook(evt, plan, extra), log);
  }
  return { outcome: "applied", jobId: evt.jobId, status: evt.status, ...(infoFile ? { infoFile } : {}) };
}

/**
 * COMPLETE: writes info.json (before the row update: see the module comment) and returns the row's
 * extra attributes; undefined when the job has no output row (not ours, or not recorded yet).
 */
async function recordCompletion(
  { config, clients }: JobStateDeps,
  evt: JobStateEvent,
): Promise<{ extra: ExtraAttributes; infoFile: string } | undefined> {
  const output = await readOutputRow(clients.dynamodb, config.tables.jobIdToOutput, evt.jobId);
  if (!output) return undefined;
  const bucket = output.OutputBucket || config.outputBucket;
  const facts = completeFacts(evt.detail, { bucket, path: output.OutputPath });
  const infoFile = output.OutputPath + INFO_FILE;
  await clients.s3.putObject({
    bucket,
    key: infoFile,
    body: infoJson(facts),
    contentType: "application/json",
    cacheControl: "no-cache",
  });
  const extra: ExtraAttributes = {
    OutputPath: output.OutputPath,
    Playlists: facts.playlists,
    PlaylistPaths: facts.playlistPaths,
    Renditions: facts.renditions,
  };
  if (facts.durationMs !== undefined) extra.DurationMs = facts.durationMs;
  if (facts.widthPx !== undefined) extra.WidthPx = facts.widthPx;
  if (facts.heightPx !== undefined) extra.HeightPx = facts.heightPx;
  if (facts.captures) extra.Captures = { ...facts.captures };
  return { extra, infoFile };
}

/** ERROR: the code and the message with our bucket names scrubbed. */
function errorAttributes(config: JobStateConfig, evt: JobStateEvent): ExtraAttributes {
  const code = Number(evt.detail.errorCode);
  const buckets = [config.outputBucket, evt.userMetadata.InputBucket ?? ""];
  return {
    ErrorCode: Number.isFinite(code) ? code : 0,
    ErrorMessage: sanitizeErrorMessage(String(evt.detail.errorMessage ?? ""), buckets),
  };
}

/**
 * Sends a conditional update. Applied: the `previous` values of the attributes it set (when the
 * update asks for them); "missing" (no row: not our job); or the current status when the condition
 * refused it (stale/duplicate). Rows without a Warnings map get one, once.
 */
async function sendUpdate(
  { config, clients }: JobStateDeps,
  update: UpdateCommandInput,
  usesWarnings: boolean,
): Promise<{ previous: Record<string, unknown> } | "missing" | { current?: string }> {
  let rowAppeared = false;
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await clients.dynamodb.send(new UpdateCommand(update));
      return { previous: result.Attributes ?? {} };
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        const item = (error as { Item?: Record<string, { S?: string }> }).Item;
        if (item) return { ...(item.JobStatus?.S ? { current: item.JobStatus.S } : {}) };
        // DynamoDB returns the old item on a failed condition when it exists; double-check without it.
        const row = await clients.dynamodb.send(
          new GetCommand({
            TableName: config.tables.jobIdToStatus,
            Key: { [TABLE_KEYS.jobIdToStatus]: update.Key![TABLE_KEYS.jobIdToStatus] },
            ConsistentRead: true,
          }),
        );
        if (!row.Item) return "missing";
        // The row did not exist when the condition ran but does now: submit-job's transaction
        // committed in between (an early PROGRESSING can race it). Apply the update once more.
        if (!rowAppeared) {
          rowAppeared = true;
          continue;
        }
        return { ...(typeof row.Item.JobStatus === "string" ? { current: row.Item.JobStatus } : {}) };
      }
      const invalidPath =
        (error as { name?: string }).name === "ValidationException" && /document path/i.test(String(error));
      if (!usesWarnings || !invalidPath || attempt > 0) throw error;
      const key = update.Key![TABLE_KEYS.jobIdToStatus] as string;
      try {
        await clients.dynamodb.send(new UpdateCommand(buildEnsureWarningsMap(config.tables.jobIdToStatus, key)));
      } catch (ensureError) {
        if (isConditionalCheckFailed(ensureError)) return "missing";
        throw ensureError;
      }
    }
  }
}

async function readOutputRow(
  dynamodb: DynamoDBDocumentClient,
  tableName: string,
  jobId: string,
): Promise<JobOutputItem | undefined> {
  const row = await dynamodb.send(
    new GetCommand({
      TableName: tableName,
      Key: { [TABLE_KEYS.jobIdToOutput]: jobId },
      // Only what info.json needs: never pull the content key into this function.
      ProjectionExpression: "#id, #path, #bucket",
      ExpressionAttributeNames: { "#id": "JobId", "#path": "OutputPath", "#bucket": "OutputBucket" },
      ConsistentRead: true,
    }),
  );
  const item = row.Item as JobOutputItem | undefined;
  return item && typeof item.OutputPath === "string" ? item : undefined;
}

function unknownJob({ config, log }: JobStateDeps, evt: JobStateEvent, where: Where, now: Date): JobStateResult {
  const ours = isOurJob(evt.userMetadata, config.outputBucket);
  const age = now.getTime() - evt.timestampMs;
  const terminal = evt.status === "COMPLETE" || evt.status === "ERROR" || evt.status === "CANCELED";
  if (ours && terminal && evt.timestampMs > 0 && age >= 0 && age < UNRECORDED_JOB_RETRY_WINDOW_MS) {
    log.warn("Terminal event for one of our jobs that is not recorded yet; retrying later", where);
    throw new JobNotRecordedYetError(`Job ${evt.jobId} is not recorded yet; retry the ${evt.status} event.`);
  }
  log.info("Event for a job this pipeline did not record; ignored", {
    ...where,
    createdBy: evt.userMetadata.JobCreatedBy,
  });
  return { outcome: "unknown-job", jobId: evt.jobId, status: evt.status };
}

/**
 * Whether submit-job of this stack created the job, by its UserMetadata: JobCreatedBy, and the
 * OutputBucket it writes to. Every media-edge stack of an account receives every media-edge job's
 * events (EventBridge's default bus; the rule matches on JobCreatedBy), so without the bucket another
 * stack's jobs would be retried here into the failure queue. Jobs created before OutputBucket was set
 * have none and count as ours.
 * https://docs.aws.amazon.com/mediaconvert/latest/ug/cloudwatch_events.html
 */
export function isOurJob(userMetadata: Record<string, string>, outputBucket: string): boolean {
  if (userMetadata.JobCreatedBy !== JOB_CREATED_BY) return false;
  return userMetadata.OutputBucket === undefined || userMetadata.OutputBucket === outputBucket;
}
