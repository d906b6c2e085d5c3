/**
 * faces-start's writes to the analysis row (RekognitionFaceAnalysis, keyed by the input key).
 *
 * Every write is conditional, never read-then-write:
 * - a newer upload of the key (greater UploadOrder) is never overwritten by an older one's event;
 * - within one upload the status only moves up (FACE_ANALYSIS_STATUS_RANK), so a late faces-start
 *   retry cannot put IN_PROGRESS over the SUCCEEDED that faces-collect already wrote.
 * A write whose condition fails is not an error: the row is already ahead of us.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 */
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  FACE_ANALYSIS_STATUS_RANK,
  TTL_ATTRIBUTE,
  epochSeconds,
  type FaceAnalysisItem,
  type FaceAnalysisStatus,
} from "../../model/index.ts";
import { isConditionalCheckFailed } from "../shared/guards.ts";
import { ROW_NAMES } from "../shared/face-analysis.ts";

/** The upload a row describes. */
export interface RowUpload {
  bucket: string;
  key: string;
  /** `uploadOrder(sequencer)`. */
  order: string;
  jobTag: string;
  /** When S3 finished the upload (epoch ms), else the invocation's clock. */
  uploadedAt: number;
}

/** Common settings of a write. */
export interface RowWrite {
  table: string;
  /** 0 = no TTL. */
  ttlSeconds: number;
  /** epoch ms */
  now: number;
}

/** Whether the row now says what we wrote (`written`) or was already ahead (`superseded`). */
export type RowOutcome = "written" | "superseded";

/** A newer upload, an unordered legacy row, or no row: overwrite. */
const NEWER_UPLOAD = "attribute_not_exists(#pk) OR attribute_not_exists(#order) OR #order < :order";

function baseItem(upload: RowUpload, write: RowWrite, status: FaceAnalysisStatus): FaceAnalysisItem {
  const item: FaceAnalysisItem = {
    InputFile: upload.key,
    InputBucket: upload.bucket,
    AnalysisStatus: status,
    StatusRank: FACE_ANALYSIS_STATUS_RANK[status],
    UploadOrder: upload.order,
    JobTag: upload.jobTag,
    CreationTime: epochSeconds(upload.uploadedAt),
    UpdateTime: epochSeconds(write.now),
  };
  if (write.ttlSeconds > 0) item[TTL_ATTRIBUTE] = epochSeconds(write.now) + write.ttlSeconds;
  return item;
}

async function conditionalPut(
  doc: DynamoDBDocumentClient,
  write: RowWrite,
  item: FaceAnalysisItem,
  sameUploadCondition: string,
  values: Record<string, unknown>,
): Promise<RowOutcome> {
  try {
    await doc.send(
      new PutCommand({
        TableName: write.table,
        Item: item,
        ConditionExpression: `${NEWER_UPLOAD} OR (#order = :order AND (${sameUploadCondition}))`,
        ExpressionAttributeNames: {
          "#pk": ROW_NAMES["#pk"],
          "#order": ROW_NAMES["#order"],
          "#rank": ROW_NAMES["#rank"],
        },
        ExpressionAttributeValues: { ":order": item.UploadOrder, ...values },
      }),
    );
    return "written";
  } catch (error) {
    if (isConditionalCheckFailed(error)) return "superseded";
    throw error;
  }
}

/** SKIPPED with the reason: only over nothing, an older upload, or a pre-job row of this upload. */
export function recordSkipped(
  doc: DynamoDBDocumentClient,
  write: RowWrite,
  upload: RowUpload,
  message: string,
): Promise<RowOutcome> {
  const item = { ...baseItem(upload, write, "SKIPPED"), StatusMessage: message };
  return conditionalPut(doc, write, item, "#rank = :zero", { ":zero": 0 });
}

/** IN_PROGRESS with the job id: over anything of this upload that is not yet collecting or finished. */
export function recordStarted(
  doc: DynamoDBDocumentClient,
  write: RowWrite,
  upload: RowUpload,
  jobId: string,
): Promise<RowOutcome> {
  const item = { ...baseItem(upload, write, "IN_PROGRESS"), JobId: jobId };
  return conditionalPut(doc, write, item, "#rank <= :inProgress", {
    ":inProgress": FACE_ANALYSIS_STATUS_RANK.IN_PROGRESS,
  });
}

/** FAILED because StartFaceDetection refused the video: only before any job of this upload exists. */
export function recordStartFailed(
  doc: DynamoDBDocumentClient,
  write: RowWrite,
  upload: RowUpload,
  message: string,
): Promise<RowOutcome> {
  const item = { ...baseItem(upload, write, "FAILED"), StatusMessage: message };
  return conditionalPut(doc, write, item, "#rank = :zero", { ":zero": 0 });
}

/**
 * WAITING_FOR_CAPACITY, counting the refused attempts of this upload. Two steps because one expression
 * cannot both add to this upload's count and reset an older upload's: first the same-upload update,
 * then, if there is no pre-job row of this upload, a put over nothing or an older upload.
 */
export async function recordWaiting(
  doc: DynamoDBDocumentClient,
  write: RowWrite,
  upload: RowUpload,
  message: string,
): Promise<RowOutcome> {
  const item = { ...baseItem(upload, write, "WAITING_FOR_CAPACITY"), StatusMessage: message };
  try {
    const names: Record<string, string> = {
      "#order": ROW_NAMES["#order"],
      "#rank": ROW_NAMES["#rank"],
      "#status": ROW_NAMES["#status"],
      "#message": "StatusMessage",
      "#updated": "UpdateTime",
      "#attempts": "CapacityAttempts",
    };
    const values: Record<string, unknown> = {
      ":order": upload.order,
      ":zero": 0,
      ":one": 1,
      ":status": item.AnalysisStatus,
      ":message": message,
      ":updated": item.UpdateTime,
    };
    let set = "#status = :status, #message = :message, #updated = :updated";
    if (item[TTL_ATTRIBUTE] !== undefined) {
      names["#ttl"] = TTL_ATTRIBUTE;
      values[":ttl"] = item[TTL_ATTRIBUTE];
      set += ", #ttl = :ttl";
    }
    await doc.send(
      new UpdateCommand({
        TableName: write.table,
        Key: { InputFile: upload.key },
        UpdateExpression: `SET ${set} ADD #attempts :one`,
        ConditionExpression: "#order = :order AND #rank = :zero",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return "written";
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
  try {
    await doc.send(
      new PutCommand({
        TableName: write.table,
        Item: { ...item, CapacityAttempts: 1 },
        ConditionExpression: NEWER_UPLOAD,
        ExpressionAttributeNames: { "#pk": ROW_NAMES["#pk"], "#order": ROW_NAMES["#order"] },
        ExpressionAttributeValues: { ":order": upload.order },
      }),
    );
    return "written";
  } catch (error) {
    if (isConditionalCheckFailed(error)) return "superseded";
    throw error;
  }
}
