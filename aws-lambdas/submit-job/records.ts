/**
 * The DynamoDB rows submit-job writes for a created job, as one transaction:
 * - JobIdToOutput: JobId -> OutputPath, KeyFile, KeyValue, ... (no TTL: the key must outlive playback);
 * - JobIdToStatus: the initial SUBMITTED row (progress 0, TTL), so the status API answers at once
 *   (MediaConvert emits no SUBMITTED event);
 * - InputFileToJobId: InputFile -> the latest job for that file (TTL like the seed);
 * - the upload event's claim -> DONE.
 * All or nothing: a half-recorded job would have a key without a status or a claim that says "done"
 * for a job nobody can find.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html
 */
import { randomUUID } from "node:crypto";
import { type DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { isConditionalCheckFailed } from "../shared/guards.ts";
import {
  JOB_STATUS_RANK,
  TABLE_KEYS,
  TTL_ATTRIBUTE,
  epochSeconds,
  type InputFileToJobIdItem,
  type JobOutputItem,
  type JobStatusItem,
  type TableRole,
} from "../../model/index.ts";
import { completeClaimItem, type TransactItem } from "../shared/idempotency.ts";
import { sortableSequencer } from "../shared/s3-events.ts";
import type { RecordedOutput } from "./mediaconvert-settings.ts";

/** What is known once CreateJob has answered. */
export interface SubmittedJob {
  jobId: string;
  input: { bucket: string; key: string; sequencer?: string };
  output: RecordedOutput;
  claim: { eventKey: string; leaseId: string };
  /** ms */
  now: number;
  statusTtlSeconds: number;
}

/** Outcome of `recordSubmittedJob`. */
export interface RecordOutcome {
  /** False when a newer upload of the same key already owns the InputFile row. */
  inputFileUpdated: boolean;
}

/** Builds the transaction items; `withInputFile: false` leaves the InputFile row alone. */
export function submittedJobItems(
  tables: Record<TableRole, string>,
  job: SubmittedJob,
  withInputFile: boolean,
): TransactItem[] {
  const created = epochSeconds(job.now);
  const expires = created + job.statusTtlSeconds;
  const outputItem: JobOutputItem & { InputBucket: string } = {
    JobId: job.jobId,
    InputFile: job.input.key,
    InputBucket: job.input.bucket,
    OutputBucket: job.output.outputBucket,
    OutputPath: job.output.outputPath,
    KeyFile: job.output.keyFile,
    KeyValue: job.output.keyHex,
    CreationTime: created,
  };
  const statusItem: JobStatusItem = {
    JobId: job.jobId,
    JobStatus: "SUBMITTED",
    ProgressRate: 0,
    StatusRank: JOB_STATUS_RANK.SUBMITTED,
    InputFile: job.input.key,
    // An empty map so job-state can SET Warnings.<code> without a read (a nested path needs its parent).
    Warnings: {},
    CreationTime: created,
    ExpirationTime: expires,
  };
  const items: TransactItem[] = [
    {
      Put: {
        TableName: tables.jobIdToOutput,
        Item: outputItem,
        ConditionExpression: "attribute_not_exists(#pk)",
        ExpressionAttributeNames: { "#pk": TABLE_KEYS.jobIdToOutput },
      },
    },
    {
      Put: {
        TableName: tables.jobIdToStatus,
        Item: statusItem,
        ConditionExpression: "attribute_not_exists(#pk)",
        ExpressionAttributeNames: { "#pk": TABLE_KEYS.jobIdToStatus },
      },
    },
    completeClaimItem(
      tables.uploadEvents,
      job.claim.eventKey,
      job.claim.leaseId,
      { JobId: job.jobId, OutputPath: job.output.outputPath },
      job.now,
    ),
  ];
  if (withInputFile) items.splice(2, 0, { Put: inputFilePut(tables, job) });
  return items;
}

/** The InputFile row naming `job` as the file's latest, over an older upload's only (when the event has a sequencer). */
export function inputFilePut(
  tables: Record<TableRole, string>,
  job: Pick<SubmittedJob, "jobId" | "input" | "now" | "statusTtlSeconds">,
): NonNullable<TransactItem["Put"]> {
  const created = epochSeconds(job.now);
  const inputItem: InputFileToJobIdItem & { InputBucket: string; Sequencer?: string } = {
    InputFile: job.input.key,
    JobId: job.jobId,
    InputBucket: job.input.bucket,
    CreationTime: created,
    [TTL_ATTRIBUTE]: created + job.statusTtlSeconds,
  };
  const put: NonNullable<TransactItem["Put"]> = { TableName: tables.inputFileToJobId, Item: inputItem };
  if (job.input.sequencer) {
    // "Latest job for the file" means the latest upload, not the latest invocation: events arrive
    // out of order, and S3's sequencer orders uploads of one key.
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
    inputItem.Sequencer = sortableSequencer(job.input.sequencer);
    put.ConditionExpression = "attribute_not_exists(#pk) OR attribute_not_exists(#seq) OR #seq < :seq";
    put.ExpressionAttributeNames = { "#pk": TABLE_KEYS.inputFileToJobId, "#seq": "Sequencer" };
    put.ExpressionAttributeValues = { ":seq": inputItem.Sequencer };
  }
  return put;
}

/**
 * A later upload of bytes already transcoded (same ETag: the claim's "done", no new job) makes that
 * job the file's latest again, when it is the latest upload: after content A, then B, then A again,
 * the key holds A and its latest job must be A's, not B's. A redelivered event (same sequencer) or an
 * older upload's changes nothing. Returns whether the row was written.
 */
export async function recordReupload(
  doc: DynamoDBDocumentClient,
  tables: Record<TableRole, string>,
  upload: Pick<SubmittedJob, "jobId" | "now" | "statusTtlSeconds"> & {
    input: { bucket: string; key: string; sequencer: string };
  },
): Promise<boolean> {
  try {
    await doc.send(new PutCommand(inputFilePut(tables, upload)));
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/**
 * Writes the rows in one transaction. If only the InputFile condition failed (a newer upload of the
 * same key is already recorded), writes the rest without it. The transaction's ClientRequestToken
 * (the claim's lease id) makes the SDK's own retries of a committed-but-unanswered call idempotent.
 */
export async function recordSubmittedJob(
  doc: DynamoDBDocumentClient,
  tables: Record<TableRole, string>,
  job: SubmittedJob,
): Promise<RecordOutcome> {
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: submittedJobItems(tables, job, true),
        ClientRequestToken: job.claim.leaseId,
      }),
    );
    return { inputFileUpdated: true };
  } catch (error) {
    if (!onlyInputFileConditionFailed(error, job.input.sequencer !== undefined)) throw error;
  }
  await doc.send(
    new TransactWriteCommand({
      TransactItems: submittedJobItems(tables, job, false),
      // A different transaction, so a different token (DynamoDB limits it to 36 characters).
      ClientRequestToken: randomUUID(),
    }),
  );
  return { inputFileUpdated: false };
}

/** True for a TransactionCanceledException whose only failed item is the InputFile put (index 2). */
function onlyInputFileConditionFailed(error: unknown, hadCondition: boolean): boolean {
  const cancelled = error as { name?: string; CancellationReasons?: Array<{ Code?: string }> };
  if (!hadCondition || cancelled?.name !== "TransactionCanceledException" || !cancelled.CancellationReasons)
    return false;
  return cancelled.CancellationReasons.every((reason, index) =>
    index === 2 ? reason.Code === "ConditionalCheckFailed" : !reason.Code || reason.Code === "None",
  );
}
