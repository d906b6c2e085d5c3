/**
 * Exactly-once side effects for at-least-once upload events.
 *
 * S3 notifications and EventBridge deliver at least once, and Lambda's async invoke may deliver a
 * duplicate even without errors, hours later (retries for up to 6 h; EventBridge retries for 24 h).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 * Service-side tokens do not cover that: MediaConvert's `ClientRequestToken` deduplicates for one
 * minute only. So each consumer ("purpose") claims an upload event with a conditional put on the
 * uploadEvents table, keyed on the object's identity: bucket + key + version id (or ETag).
 *
 * A claim is a lease, not a flag, so a failure never loses the upload:
 * 1. `claimUploadEvent` puts `IN_PROGRESS` with a lease that ends when the invocation must have ended
 *    (the Lambda's remaining time plus a margin). A duplicate that arrives meanwhile sees `in-progress`
 *    and returns; a duplicate after a crash (timeout, OOM) finds the lease expired and takes over.
 * 2. On success the caller marks the claim `DONE` (`completeClaimItem`, ideally in the same
 *    transaction as its own writes). Later duplicates see `done`, with the recorded result.
 * 3. On a failure it can report, the caller calls `releaseClaim` and rethrows; Lambda's retry claims
 *    afresh.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 */
import { createHash, randomUUID } from "node:crypto";
import type { TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { MAX_PARTITION_KEY_BYTES, TABLE_KEYS, TTL_ATTRIBUTE, epochSeconds } from "../../model/index.ts";
import { lambdaDefault } from "../../model/settings.ts";
import { isConditionalCheckFailed } from "./guards.ts";

/** What identifies one upload of one object. */
export interface ObjectIdentity {
  bucket: string;
  key: string;
  versionId?: string;
  eTag?: string;
  sequencer?: string;
}

/** Partition key attribute of the uploadEvents table. */
const EVENT_KEY = TABLE_KEYS.uploadEvents;

/** Default lifetime of a claim row: 7 days, beyond every redelivery window (Lambda 6 h, EventBridge 24 h). */
export const DEFAULT_CLAIM_TTL_SECONDS = lambdaDefault("IDEMPOTENCY_TTL_SECONDS");

/**
 * The claim key for `purpose` and an object: `<purpose>#<bucket>#<v:version | e:etag | s:sequencer | k>#<key>`.
 * The version id identifies an upload in a versioned bucket; otherwise the ETag (content hash) does,
 * so re-uploading identical bytes to the same key counts as the same upload, which is what we want
 * for transcoding. Keys longer than DynamoDB's 2048-byte partition-key limit are hashed.
 */
export function uploadEventKey(purpose: string, object: ObjectIdentity): string {
  const version = object.versionId
    ? `v:${object.versionId}`
    : object.eTag
      ? `e:${object.eTag}`
      : object.sequencer
        ? `s:${object.sequencer}`
        : "k";
  const readable = `${purpose}#${object.bucket}#${version}#${object.key}`;
  if (Buffer.byteLength(readable, "utf8") <= MAX_PARTITION_KEY_BYTES) return readable;
  return `${purpose}#sha256:${sha256Hex(readable)}`;
}

/**
 * A deterministic idempotency token for an AWS API (MediaConvert CreateJob, Rekognition Start*):
 * 64 lowercase hex digits (SHA-256 of the claim key), within both services' limits
 * (≤64 characters; Rekognition also requires `^[a-zA-Z0-9-_]+$`).
 * https://docs.aws.amazon.com/mediaconvert/latest/apireference/idempotency.html
 */
export function clientRequestToken(eventKey: string): string {
  return sha256Hex(eventKey);
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Outcome of `claimUploadEvent`. */
export type Claim =
  /** Ours to process. `takenOver`: a previous holder's lease had expired (it crashed or timed out). */
  | { status: "claimed"; eventKey: string; leaseId: string; takenOver: boolean }
  /** Already processed; `result` is what the processor recorded. */
  | { status: "done"; eventKey: string; result?: Record<string, unknown> }
  /** Another invocation holds a live lease on it right now. */
  | { status: "in-progress"; eventKey: string; leaseExpiresAt: number };

/** Options of `claimUploadEvent`. */
export interface ClaimOptions {
  tableName: string;
  purpose: string;
  object: ObjectIdentity;
  /** How long the claim may stay IN_PROGRESS before another invocation may take over, in ms. */
  leaseMs: number;
  /** Lifetime of the claim row, in seconds (default 7 days). */
  ttlSeconds?: number;
  /** Clock, in ms (tests). */
  now?: number;
}

/** Claims an upload event for `purpose`. At most one caller at a time gets `claimed`. */
export async function claimUploadEvent(doc: DynamoDBDocumentClient, options: ClaimOptions): Promise<Claim> {
  const eventKey = uploadEventKey(options.purpose, options.object);
  const now = options.now ?? Date.now();
  // A claim can vanish between our failed put and our read (its holder released it): try again, briefly.
  for (let attempt = 0; attempt < 3; attempt++) {
    const leaseId = randomUUID();
    try {
      const put = await doc.send(
        new PutCommand({
          TableName: options.tableName,
          Item: {
            [EVENT_KEY]: eventKey,
            Purpose: options.purpose,
            Bucket: options.object.bucket,
            ObjectKey: options.object.key,
            VersionId: options.object.versionId,
            ETag: options.object.eTag,
            Sequencer: options.object.sequencer,
            ClaimState: "IN_PROGRESS",
            LeaseId: leaseId,
            LeaseExpiresAt: now + options.leaseMs,
            ClaimedAt: epochSeconds(now),
            [TTL_ATTRIBUTE]: epochSeconds(now) + (options.ttlSeconds ?? DEFAULT_CLAIM_TTL_SECONDS),
          },
          ConditionExpression: "attribute_not_exists(#pk) OR (#state = :inProgress AND #lease < :now)",
          ExpressionAttributeNames: { "#pk": EVENT_KEY, "#state": "ClaimState", "#lease": "LeaseExpiresAt" },
          ExpressionAttributeValues: { ":inProgress": "IN_PROGRESS", ":now": now },
          ReturnValues: "ALL_OLD",
        }),
      );
      return { status: "claimed", eventKey, leaseId, takenOver: put.Attributes !== undefined };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const existing = await doc.send(
      new GetCommand({ TableName: options.tableName, Key: { [EVENT_KEY]: eventKey }, ConsistentRead: true }),
    );
    const item = existing.Item;
    if (!item) continue;
    if (item.ClaimState === "DONE") {
      const result = item.Result as Record<string, unknown> | undefined;
      return result === undefined ? { status: "done", eventKey } : { status: "done", eventKey, result };
    }
    return { status: "in-progress", eventKey, leaseExpiresAt: Number(item.LeaseExpiresAt) };
  }
  throw new Error(`Could not claim upload event ${eventKey}: the claim kept changing.`);
}

/** One item of a TransactWriteItems call. */
export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/**
 * The transaction item that marks a claim `DONE` with `result` — only if we still hold the lease,
 * so a holder whose lease was taken over cannot overwrite the new holder's work.
 */
export function completeClaimItem(
  tableName: string,
  eventKey: string,
  leaseId: string,
  result: Record<string, unknown>,
  now: number = Date.now(),
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: { [EVENT_KEY]: eventKey },
      UpdateExpression: "SET #state = :done, #result = :result, #completed = :completed REMOVE #lease",
      ConditionExpression: "#leaseId = :leaseId AND #state = :inProgress",
      ExpressionAttributeNames: {
        "#state": "ClaimState",
        "#result": "Result",
        "#completed": "CompletedAt",
        "#lease": "LeaseExpiresAt",
        "#leaseId": "LeaseId",
      },
      ExpressionAttributeValues: {
        ":done": "DONE",
        ":inProgress": "IN_PROGRESS",
        ":result": result,
        ":completed": epochSeconds(now),
        ":leaseId": leaseId,
      },
    },
  };
}

/** Marks a claim `DONE` on its own (when the caller has no transaction to add it to). */
export async function completeClaim(
  doc: DynamoDBDocumentClient,
  tableName: string,
  eventKey: string,
  leaseId: string,
  result: Record<string, unknown>,
  now: number = Date.now(),
): Promise<void> {
  const update = completeClaimItem(tableName, eventKey, leaseId, result, now).Update!;
  await doc.send(new UpdateCommand(update));
}

/**
 * Gives a claim back after a failure, so Lambda's retry can claim it again. Only deletes a claim we
 * still hold; never throws (the lease expires on its own if this fails), returns whether it deleted.
 */
export async function releaseClaim(
  doc: DynamoDBDocumentClient,
  tableName: string,
  eventKey: string,
  leaseId: string,
): Promise<boolean> {
  try {
    await doc.send(
      new DeleteCommand({
        TableName: tableName,
        Key: { [EVENT_KEY]: eventKey },
        ConditionExpression: "#leaseId = :leaseId AND #state = :inProgress",
        ExpressionAttributeNames: { "#leaseId": "LeaseId", "#state": "ClaimState" },
        ExpressionAttributeValues: { ":leaseId": leaseId, ":inProgress": "IN_PROGRESS" },
      }),
    );
    return true;
  } catch {
    return false;
  }
}

/** Lambda's context, as far as we use it. */
export interface InvocationContext {
  awsRequestId?: string;
  getRemainingTimeInMillis?: () => number;
}

/**
 * A lease length for an invocation: the time Lambda still gives it plus a margin, so a duplicate can
 * only take over once this invocation has certainly stopped. Without a Lambda context (local tools),
 * `fallbackMs`.
 */
export function leaseForInvocation(
  context: { getRemainingTimeInMillis?: () => number } | undefined,
  fallbackMs = 60_000,
  marginMs = 5_000,
): number {
  const remaining = context?.getRemainingTimeInMillis?.();
  return (
    (typeof remaining === "number" && Number.isFinite(remaining) && remaining > 0 ? remaining : fallbackMs) + marginMs
  );
}
