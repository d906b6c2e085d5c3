/**
 * faces-collect's reads and writes of the analysis row, including the collection checkpoint.
 *
 * A collection is owned through a lease stored in the row (`Collect.LeaseId`, `Collect.LeaseExpiresAt`):
 * every checkpoint write is conditioned on still holding it, and renews it. Only one invocation pages a
 * job at a time; a duplicate SNS delivery that arrives meanwhile sees a live lease. If the holder dies
 * (timeout, out of memory) its lease runs out after at most `LEASE_MS` and the next delivery or retry
 * resumes from the checkpoint. Two holders can overlap only if one stalls past its lease; both then
 * write identical chunk files (the keys are deterministic) and the stalled one stops at its next
 * checkpoint, whose condition fails.
 *
 * Ordering rules are faces-start's (rows.ts there): a newer upload's row is never overwritten, and within
 * one upload the status only moves up; reserved words (Status-like names, TTL) go through `#names`.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand, type UpdateCommandInput } from "@aws-sdk/lib-dynamodb";
import {
  FACE_ANALYSIS_STATUS_RANK,
  TABLE_KEYS,
  TTL_ATTRIBUTE,
  epochSeconds,
  type FaceAnalysisItem,
  type FaceCollectCheckpoint,
} from "../../model/index.ts";
import { isConditionalCheckFailed } from "../shared/guards.ts";
import { ROW_NAMES, uploadOrderFromJobTag } from "../shared/face-analysis.ts";
import type { FaceJobNotification } from "./notification.ts";

/** Longest a lease lasts without a checkpoint renewing it. */
export const LEASE_MS = 120_000;

const RANK = FACE_ANALYSIS_STATUS_RANK;

/** What to do with a notification, given the row as it was read. */
export type CollectionPlan =
  /** Start collecting (no checkpoint yet) for this upload order. */
  | { action: "begin"; order: string }
  /** Continue the checkpoint in the row. */
  | { action: "resume"; order: string }
  /** The row already holds this job's final state. */
  | { action: "duplicate"; status: string }
  /** The row belongs to a newer upload, or to another job of this upload. */
  | { action: "superseded"; rowJobId?: string }
  /** Not a job this pipeline started (no JobTag of ours and no row naming the job). */
  | { action: "foreign" };

/**
 * Decides from the row (read consistently) what a notification means. The conditional write that
 * follows re-checks the same rules, so a race between read and write cannot break them.
 */
export function planCollection(row: FaceAnalysisItem | undefined, notification: FaceJobNotification): CollectionPlan {
  const tagOrder = uploadOrderFromJobTag(notification.jobTag);
  if (row && row.JobId === notification.jobId) {
    if ((row.StatusRank ?? 0) >= RANK.SUCCEEDED) return { action: "duplicate", status: row.AnalysisStatus };
    const order = row.UploadOrder ?? tagOrder ?? "";
    return row.AnalysisStatus === "COLLECTING" && row.Collect
      ? { action: "resume", order }
      : { action: "begin", order };
  }
  if (tagOrder === undefined) return { action: "foreign" };
  if (!row || row.UploadOrder === undefined || row.UploadOrder < tagOrder) return { action: "begin", order: tagOrder };
  if (row.UploadOrder > tagOrder || row.JobId !== undefined) {
    return { action: "superseded", ...(row.JobId ? { rowJobId: row.JobId } : {}) };
  }
  // Same upload, no job recorded yet (faces-start's row write has not happened or is WAITING).
  return { action: "begin", order: tagOrder };
}

/** Reads the row for an input key (strongly consistent), or undefined. */
export async function readRow(
  doc: DynamoDBDocumentClient,
  table: string,
  inputFile: string,
): Promise<FaceAnalysisItem | undefined> {
  const result = await doc.send(
    new GetCommand({ TableName: table, Key: { [TABLE_KEYS.faceAnalysis]: inputFile }, ConsistentRead: true }),
  );
  return result.Item as FaceAnalysisItem | undefined;
}

/** Identifies the row and the job a write is for. */
export interface RowTarget {
  table: string;
  notification: FaceJobNotification;
  order: string;
  /** 0 = no TTL. */
  ttlSeconds: number;
  /** epoch ms */
  now: number;
}

/** A new, empty checkpoint. */
export function freshCheckpoint(leaseId: string, leaseExpiresAt: number, restarts = 0): FaceCollectCheckpoint {
  return {
    LeaseId: leaseId,
    LeaseExpiresAt: leaseExpiresAt,
    PagesDone: false,
    Pages: 0,
    FaceCount: 0,
    Chunks: [],
    Restarts: restarts,
  };
}

/** Over no row, an older upload, or this upload before collection (with no job or this job). */
const MAY_BEGIN =
  "attribute_not_exists(#pk) OR attribute_not_exists(#order) OR #order < :order OR " +
  "(#order = :order AND #rank < :limit AND (attribute_not_exists(#jobId) OR #jobId = :jobId))";

function rowFields(target: RowTarget, status: FaceAnalysisItem["AnalysisStatus"]) {
  const names: Record<string, string> = {
    "#pk": ROW_NAMES["#pk"],
    "#order": ROW_NAMES["#order"],
    "#rank": ROW_NAMES["#rank"],
    "#jobId": ROW_NAMES["#jobId"],
    "#status": ROW_NAMES["#status"],
    "#bucket": "InputBucket",
    "#updated": "UpdateTime",
    "#created": "CreationTime",
  };
  const values: Record<string, unknown> = {
    ":order": target.order,
    ":jobId": target.notification.jobId,
    ":status": status,
    ":rankValue": RANK[status],
    ":bucket": target.notification.video.bucket,
    ":updated": epochSeconds(target.now),
  };
  const set = [
    "#jobId = :jobId",
    "#status = :status",
    "#rank = :rankValue",
    "#order = :order",
    "#bucket = :bucket",
    "#updated = :updated",
    "#created = if_not_exists(#created, :updated)",
  ];
  if (target.notification.jobTag) {
    names["#tag"] = "JobTag";
    values[":tag"] = target.notification.jobTag;
    set.push("#tag = :tag");
  }
  if (target.ttlSeconds > 0) {
    names["#ttl"] = TTL_ATTRIBUTE;
    values[":ttl"] = epochSeconds(target.now) + target.ttlSeconds;
    set.push("#ttl = :ttl");
  }
  return { names, values, set };
}

/** Result of `acquireCollection`. */
export type Acquired =
  { ok: true; checkpoint: FaceCollectCheckpoint; row: FaceAnalysisItem } | { ok: false; row?: FaceAnalysisItem };

/**
 * Takes the collection lease. `begin` writes COLLECTING with a fresh checkpoint; `resume` renews the
 * lease of an existing checkpoint of this job whose previous holder's lease has run out.
 */
export async function acquireCollection(
  doc: DynamoDBDocumentClient,
  target: RowTarget,
  plan: "begin" | "resume",
  lease: { id: string; expiresAt: number },
): Promise<Acquired> {
  const key = { [TABLE_KEYS.faceAnalysis]: target.notification.video.key };
  try {
    if (plan === "begin") {
      const { names, values, set } = rowFields(target, "COLLECTING");
      names["#collect"] = "Collect";
      values[":collect"] = freshCheckpoint(lease.id, lease.expiresAt);
      values[":limit"] = RANK.COLLECTING;
      const result = await doc.send(
        new UpdateCommand(
          pruned({
            TableName: target.table,
            Key: key,
            UpdateExpression:
              `SET ${set.join(", ")}, #collect = :collect ` +
              "REMOVE StatusMessage, FaceCount, VideoDurationMs, ResultKey, ResultBucket, CapacityAttempts",
            ConditionExpression: MAY_BEGIN,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: "ALL_NEW",
          }),
        ),
      );
      const row = result.Attributes as FaceAnalysisItem;
      return { ok: true, checkpoint: row.Collect!, row };
    }
    const result = await doc.send(
      new UpdateCommand(
        pruned({
          TableName: target.table,
          Key: key,
          UpdateExpression: "SET #collect.#leaseId = :leaseId, #collect.#expires = :expires, #updated = :updated",
          ConditionExpression:
            "#jobId = :jobId AND #rank = :collecting AND attribute_exists(#collect) AND " +
            "(attribute_not_exists(#collect.#expires) OR #collect.#expires < :now)",
          ExpressionAttributeNames: {
            "#jobId": ROW_NAMES["#jobId"],
            "#rank": ROW_NAMES["#rank"],
            "#collect": "Collect",
            "#leaseId": "LeaseId",
            "#expires": "LeaseExpiresAt",
            "#updated": "UpdateTime",
          },
          ExpressionAttributeValues: {
            ":jobId": target.notification.jobId,
            ":collecting": RANK.COLLECTING,
            ":leaseId": lease.id,
            ":expires": lease.expiresAt,
            ":now": target.now,
            ":updated": epochSeconds(target.now),
          },
          ReturnValues: "ALL_NEW",
        }),
      ),
    );
    const row = result.Attributes as FaceAnalysisItem;
    return { ok: true, checkpoint: row.Collect!, row };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    // Re-read rather than ReturnValuesOnConditionCheckFailure: the document client does not
    // unmarshall the exception's Item.
    const row = await readRow(doc, target.table, target.notification.video.key);
    return row ? { ok: false, row } : { ok: false };
  }
}

/** What a checkpoint write records after a page. */
export interface CheckpointUpdate {
  /** Chunks written for this page: [first ms, last ms, count]. */
  chunks: Array<[number, number, number]>;
  faces: number;
  nextToken?: string;
  /** When the token was received (epoch ms). */
  nextTokenAt: number;
  videoMetadata?: Record<string, unknown>;
  /** New lease end. */
  leaseExpiresAt: number;
}

const CHECKPOINT_NAMES = {
  "#collect": "Collect",
  "#leaseId": "LeaseId",
  "#expires": "LeaseExpiresAt",
  "#updated": "UpdateTime",
} as const;

/**
 * Records one more page (chunks appended, counters advanced, NextToken replaced) and renews the lease.
 * Returns false when the lease is no longer ours (another invocation took over): stop.
 */
export async function saveCheckpoint(
  doc: DynamoDBDocumentClient,
  table: string,
  inputFile: string,
  leaseId: string,
  update: CheckpointUpdate,
  now: number,
): Promise<boolean> {
  const names: Record<string, string> = {
    ...CHECKPOINT_NAMES,
    "#chunks": "Chunks",
    "#pages": "Pages",
    "#faces": "FaceCount",
    "#done": "PagesDone",
    "#token": "NextToken",
    "#tokenAt": "NextTokenAt",
  };
  const values: Record<string, unknown> = {
    ":leaseId": leaseId,
    ":expires": update.leaseExpiresAt,
    ":updated": epochSeconds(now),
    ":chunks": update.chunks,
    ":one": 1,
    ":faces": update.faces,
    ":done": update.nextToken === undefined,
    ":tokenAt": update.nextTokenAt,
  };
  const set = [
    "#collect.#chunks = list_append(#collect.#chunks, :chunks)",
    "#collect.#pages = #collect.#pages + :one",
    "#collect.#faces = #collect.#faces + :faces",
    "#collect.#done = :done",
    "#collect.#tokenAt = :tokenAt",
    "#collect.#expires = :expires",
    "#updated = :updated",
  ];
  let remove = "";
  if (update.nextToken !== undefined) {
    values[":token"] = update.nextToken;
    set.push("#collect.#token = :token");
  } else {
    remove = " REMOVE #collect.#token";
  }
  if (update.videoMetadata) {
    names["#video"] = "VideoMetadata";
    values[":video"] = update.videoMetadata;
    set.push("#collect.#video = if_not_exists(#collect.#video, :video)");
  }
  return leasedUpdate(doc, table, inputFile, `SET ${set.join(", ")}${remove}`, names, values);
}

/** Starts the checkpoint over (NextToken expired or rejected); the lease stays ours. */
export function restartCheckpoint(
  doc: DynamoDBDocumentClient,
  table: string,
  inputFile: string,
  leaseId: string,
  restarts: number,
  leaseExpiresAt: number,
  now: number,
): Promise<boolean> {
  return leasedUpdate(
    doc,
    table,
    inputFile,
    "SET #collect = :fresh, #updated = :updated",
    { ...CHECKPOINT_NAMES },
    {
      ":leaseId": leaseId,
      ":fresh": freshCheckpoint(leaseId, leaseExpiresAt, restarts),
      ":updated": epochSeconds(now),
    },
  );
}

/** Lets the next delivery or retry take over at once (we stop before our lease would end). */
export function releaseLease(
  doc: DynamoDBDocumentClient,
  table: string,
  inputFile: string,
  leaseId: string,
  now: number,
): Promise<boolean> {
  return leasedUpdate(
    doc,
    table,
    inputFile,
    "SET #collect.#expires = :expires, #updated = :updated",
    { ...CHECKPOINT_NAMES },
    { ":leaseId": leaseId, ":expires": 0, ":updated": epochSeconds(now) },
  );
}

/** The summary row of a finished collection: SUCCEEDED, counts, result location; checkpoint removed. */
export function finishCollection(
  doc: DynamoDBDocumentClient,
  table: string,
  inputFile: string,
  leaseId: string,
  summary: { faceCount: number; videoDurationMs?: number; resultBucket: string; resultKey: string; now: number },
): Promise<boolean> {
  const names: Record<string, string> = {
    ...CHECKPOINT_NAMES,
    "#status": ROW_NAMES["#status"],
    "#rank": ROW_NAMES["#rank"],
    "#count": "FaceCount",
    "#resultKey": "ResultKey",
    "#resultBucket": "ResultBucket",
  };
  const values: Record<string, unknown> = {
    ":leaseId": leaseId,
    ":status": "SUCCEEDED",
    ":rank": RANK.SUCCEEDED,
    ":count": summary.faceCount,
    ":resultKey": summary.resultKey,
    ":resultBucket": summary.resultBucket,
    ":updated": epochSeconds(summary.now),
  };
  let set =
    "#status = :status, #rank = :rank, #count = :count, #resultKey = :resultKey, #resultBucket = :resultBucket, #updated = :updated";
  if (summary.videoDurationMs !== undefined) {
    names["#duration"] = "VideoDurationMs";
    values[":duration"] = summary.videoDurationMs;
    set += ", #duration = :duration";
  }
  return leasedUpdate(doc, table, inputFile, `SET ${set} REMOVE #collect, StatusMessage`, names, values);
}

function leasedUpdate(
  doc: DynamoDBDocumentClient,
  table: string,
  inputFile: string,
  expression: string,
  names: Record<string, string>,
  values: Record<string, unknown>,
): Promise<boolean> {
  return conditionalUpdate(doc, {
    TableName: table,
    Key: { [TABLE_KEYS.faceAnalysis]: inputFile },
    UpdateExpression: expression,
    ConditionExpression: "#collect.#leaseId = :leaseId",
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  });
}

/** Sends a conditional update (unused names and values pruned); false when its condition failed. */
async function conditionalUpdate(doc: DynamoDBDocumentClient, input: UpdateCommandInput): Promise<boolean> {
  try {
    await doc.send(new UpdateCommand(pruned(input)));
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/**
 * FAILED with a message, for a job Rekognition reports FAILED/ERROR or whose results cannot be read.
 * Written over anything of this upload that is not final yet. With `leaseId`, only while that lease is
 * ours (a failure found while collecting). Returns false when the row had moved on.
 */
export function recordJobFailed(
  doc: DynamoDBDocumentClient,
  target: RowTarget,
  message: string,
  leaseId?: string,
): Promise<boolean> {
  const { names, values, set } = rowFields(target, "FAILED");
  names["#message"] = "StatusMessage";
  values[":message"] = message.length > 1000 ? `${message.slice(0, 997)}...` : message;
  values[":limit"] = RANK.SUCCEEDED;
  let condition = MAY_BEGIN;
  if (leaseId !== undefined) {
    names["#collect"] = "Collect";
    names["#leaseId"] = "LeaseId";
    values[":leaseId"] = leaseId;
    condition = "#jobId = :jobId AND #collect.#leaseId = :leaseId";
  }
  return conditionalUpdate(doc, {
    TableName: target.table,
    Key: { [TABLE_KEYS.faceAnalysis]: target.notification.video.key },
    UpdateExpression:
      `SET ${set.join(", ")}, #message = :message ` +
      "REMOVE Collect, FaceCount, VideoDurationMs, ResultKey, ResultBucket",
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  });
}

/**
 * Drops `#names` and `:values` the expressions do not use: DynamoDB rejects a request that defines
 * unused ones, and the builders above share their name and value sets between variants.
 */
function pruned<T extends UpdateCommandInput>(input: T): T {
  const text = [input.UpdateExpression, input.ConditionExpression].filter(Boolean).join(" ");
  // Names and values are "#" or ":" followed by word characters, so no escaping is needed.
  const used = (token: string) => new RegExp(`${token}(?![A-Za-z0-9_])`).test(text);
  const names = Object.fromEntries(Object.entries(input.ExpressionAttributeNames ?? {}).filter(([name]) => used(name)));
  const values = Object.fromEntries(
    Object.entries(input.ExpressionAttributeValues ?? {}).filter(([name]) => used(name)),
  );
  return {
    ...input,
    ExpressionAttributeNames: Object.keys(names).length > 0 ? names : undefined,
    ExpressionAttributeValues: Object.keys(values).length > 0 ? values : undefined,
  };
}
