/**
 * One shape for "an object was created in S3", whichever way the news arrives.
 *
 * Lambdas that react to uploads (submit-job, faces-start, ...) accept:
 * - S3 event notifications (`{Records: [{eventSource: "aws:s3", s3: {...}}]}`), every record of a batch;
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 * - the same notifications wrapped by SNS (`Records[].Sns.Message`) or SQS (`Records[].body`), as
 *   delivered when a bucket fans out to several consumers;
 * - EventBridge "Object Created" events (`source: "aws.s3"`);
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
 * - the local S3 server's (s3rver) events, which name multipart completion `ObjectCreated:Post`.
 *
 * A Lambda that also follows deletions (recording-index: a deleted or expired segment must leave
 * its index) asks for them (`{ removals: true }`): ObjectRemoved and LifecycleExpiration
 * notifications and EventBridge "Object Deleted" events then come back in `removed`.
 *
 * `normaliseS3Events` never throws on bad input: what cannot be used becomes a typed rejection with a
 * reason, so the caller logs it and returns. Throwing would make Lambda retry an event that can never
 * succeed (twice for async invokes, then the dead-letter queue), which is the "retry storm" we avoid.
 *
 * Pure: no I/O, no clock.
 */
import { isRecord } from "./guards.ts";

/** An object-created event, normalised. */
export interface S3ObjectCreated {
  bucket: string;
  /** The object key, decoded (S3 notifications form-encode it: "red flower.jpg" arrives as "red+flower.jpg"). */
  key: string;
  /** Object size in bytes when the event carries it (it does for every ObjectCreated event). */
  size?: number;
  /** ETag without surrounding quotes; multipart uploads have the `<md5>-<parts>` form. */
  eTag?: string;
  /** Present when the bucket is versioned. */
  versionId?: string;
  /**
   * Orders events for the same key only (greater = later); hex, of varying length. Compare with
   * `compareSequencers`, never with `<` on the raw strings.
   */
  sequencer?: string;
  /** S3 notification style, without the `s3:` prefix: `ObjectCreated:Put`, `ObjectCreated:CompleteMultipartUpload`, ... */
  eventName: string;
  /** When S3 finished the request (ISO 8601), when the event says. */
  eventTime?: string;
  /** Where the event came from, for logs. */
  origin: "s3-notification" | "eventbridge";
}

/** An object-removed event (a delete, a delete marker, a lifecycle expiration), normalised. */
export type S3ObjectRemoved = Pick<
  S3ObjectCreated,
  "bucket" | "key" | "versionId" | "sequencer" | "eventTime" | "origin"
> & {
  /** `ObjectRemoved:Delete`, `ObjectRemoved:DeleteMarkerCreated`, `LifecycleExpiration:Delete`, ... */
  eventName: string;
};

/** Why an entry of an event could not be used. */
export type S3EventRejectionReason =
  /** The key has a malformed percent escape (e.g. `%E0%A4%A` or a lone `%`). */
  | "undecodable-key"
  /** An S3 event, but not an object creation (ObjectRemoved, Restore, ...). */
  | "not-object-created"
  /** `s3:TestEvent`, sent once when a notification configuration is saved. */
  | "test-event"
  /** An S3-looking record that lacks the bucket or the key, or has fields of the wrong type. */
  | "malformed-record"
  /** Not an S3 event in any shape we know. */
  | "unrecognised-event";

/** An entry that was not turned into an `S3ObjectCreated`, with enough context to log it. */
export interface S3EventRejection {
  reason: S3EventRejectionReason;
  message: string;
  bucket?: string;
  /** The key exactly as it arrived (still encoded); safe to log, it is what S3 sent. */
  rawKey?: string;
  eventName?: string;
}

/** Result of `normaliseS3Events`: usable objects, and everything else with a reason. */
export interface NormalisedS3Events {
  objects: S3ObjectCreated[];
  /** Objects removed; only with `{ removals: true }` (else removals are rejections, "not-object-created"). */
  removed: S3ObjectRemoved[];
  rejections: S3EventRejection[];
}

/** What `normaliseS3Events` accepts beyond object creations. */
export interface NormaliseOptions {
  removals?: boolean;
}

/** Result of decoding one key. */
export type DecodedKey = { ok: true; key: string } | { ok: false; message: string };

/**
 * Decodes a key the way S3 encodes it in notifications: `application/x-www-form-urlencoded`, so `+`
 * is a space and a literal `+` arrives as `%2B`.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
export function decodeS3EventKey(raw: string): DecodedKey {
  try {
    return { ok: true, key: decodeURIComponent(raw.replace(/\+/g, " ")) };
  } catch (error) {
    return { ok: false, message: `Key is not valid form-encoding: ${(error as Error).message}` };
  }
}

/**
 * Encodes a key the way S3 does in notifications (the inverse of `decodeS3EventKey`). Use it to turn
 * events from a server that sends raw keys (s3rver) into real S3-shaped events. `/` stays readable,
 * as in S3's own events.
 */
export function encodeS3EventKey(key: string): string {
  // S3 also escapes the characters encodeURIComponent leaves alone (e.g. "(" arrives as "%28").
  return encodeURIComponent(key)
    .replace(/[!'()~*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, "+")
    .replace(/%2F/gi, "/");
}

/**
 * Orders two sequencers of the same key: negative when `a` is earlier. S3 sequencers may differ in
 * length; AWS says to right-pad the shorter with zeros, then compare as hex strings.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
export function compareSequencers(a: string, b: string): number {
  const width = Math.max(a.length, b.length);
  const left = a.toUpperCase().padEnd(width, "0");
  const right = b.toUpperCase().padEnd(width, "0");
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * A sequencer padded to a fixed width (uppercase), so that plain string comparison — e.g. in a
 * DynamoDB condition expression — orders it like `compareSequencers`. Sequencers seen in practice are
 * 16-18 hex digits; 64 leaves ample room.
 */
export function sortableSequencer(sequencer: string, width = 64): string {
  return sequencer.toUpperCase().padEnd(width, "0");
}

/**
 * Event names we treat as "a new object": every ObjectCreated variant. s3rver names multipart
 * completion `ObjectCreated:Post`; real S3 uses `ObjectCreated:CompleteMultipartUpload`, and
 * `ObjectCreated:Post` for browser form uploads. All of them mean the object is complete.
 */
export function isObjectCreated(eventName: string): boolean {
  return eventName.replace(/^s3:/, "").startsWith("ObjectCreated:");
}

/**
 * Event names that mean "the object is gone from listings": a delete, a delete marker (versioned
 * buckets), a lifecycle expiration.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html
 */
export function isObjectRemoved(eventName: string): boolean {
  return /^(ObjectRemoved|LifecycleExpiration):/.test(eventName.replace(/^s3:/, ""));
}

/** EventBridge `detail.reason` -> the S3 notification event name. */
const EVENTBRIDGE_REASONS: Record<string, string> = {
  PutObject: "ObjectCreated:Put",
  "POST Object": "ObjectCreated:Post",
  CopyObject: "ObjectCreated:Copy",
  CompleteMultipartUpload: "ObjectCreated:CompleteMultipartUpload",
};

/**
 * Turns any supported event into objects and rejections. Every record of a batch is examined; the
 * order of `objects` follows the order of the records.
 */
export function normaliseS3Events(event: unknown, options: NormaliseOptions = {}): NormalisedS3Events {
  const result: NormalisedS3Events = { objects: [], removed: [], rejections: [] };
  collect(event, result, 0, options);
  return result;
}

function collect(event: unknown, out: NormalisedS3Events, depth: number, options: NormaliseOptions): void {
  if (!isRecord(event)) {
    out.rejections.push({ reason: "unrecognised-event", message: "Event is not a JSON object." });
    return;
  }
  // S3's test notification: {"Service":"Amazon S3","Event":"s3:TestEvent",...}
  if (event.Event === "s3:TestEvent") {
    out.rejections.push({
      reason: "test-event",
      message: "S3 test event (sent when a notification configuration is saved).",
      bucket: typeof event.Bucket === "string" ? event.Bucket : undefined,
    });
    return;
  }
  if (event.source === "aws.s3" && isRecord(event.detail)) {
    fromEventBridge(event, out, options);
    return;
  }
  if (Array.isArray(event.Records)) {
    if (event.Records.length === 0) {
      out.rejections.push({ reason: "unrecognised-event", message: "Event has an empty Records array." });
    }
    for (const record of event.Records) fromRecord(record, out, depth, options);
    return;
  }
  out.rejections.push({
    reason: "unrecognised-event",
    message: "Neither S3 notification records nor an EventBridge aws.s3 event.",
  });
}

function fromRecord(record: unknown, out: NormalisedS3Events, depth: number, options: NormaliseOptions): void {
  if (!isRecord(record)) {
    out.rejections.push({ reason: "malformed-record", message: "Record is not a JSON object." });
    return;
  }
  // SNS and SQS wrap the S3 notification as a JSON string; unwrap one level (never recurse further).
  const wrapped = isRecord(record.Sns)
    ? record.Sns.Message
    : record.eventSource === "aws:sqs"
      ? record.body
      : undefined;
  if (wrapped !== undefined) {
    if (depth > 0 || typeof wrapped !== "string") {
      out.rejections.push({ reason: "malformed-record", message: "Nested or non-string SNS/SQS message." });
      return;
    }
    let inner: unknown;
    try {
      inner = JSON.parse(wrapped);
    } catch {
      out.rejections.push({ reason: "malformed-record", message: "SNS/SQS message is not JSON." });
      return;
    }
    collect(inner, out, depth + 1, options);
    return;
  }
  const s3 = record.s3;
  const eventName = typeof record.eventName === "string" ? record.eventName.replace(/^s3:/, "") : undefined;
  if (!isRecord(s3) || !isRecord(s3.bucket) || !isRecord(s3.object)) {
    out.rejections.push({ reason: "malformed-record", message: "Record has no s3.bucket/s3.object.", eventName });
    return;
  }
  const bucket = s3.bucket.name;
  const rawKey = s3.object.key;
  if (typeof bucket !== "string" || bucket === "" || typeof rawKey !== "string" || rawKey === "") {
    out.rejections.push({ reason: "malformed-record", message: "Record lacks the bucket name or the key.", eventName });
    return;
  }
  const removal = options.removals === true && eventName !== undefined && isObjectRemoved(eventName);
  if (eventName === undefined || (!removal && !isObjectCreated(eventName))) {
    out.rejections.push({
      reason: "not-object-created",
      message: `Event ${String(eventName)} is not an object creation.`,
      bucket,
      rawKey,
      eventName,
    });
    return;
  }
  pushObject(out, {
    bucket,
    rawKey,
    size: s3.object.size,
    eTag: s3.object.eTag,
    versionId: s3.object.versionId,
    sequencer: s3.object.sequencer,
    eventName,
    eventTime: record.eventTime,
    origin: "s3-notification",
    removal,
  });
}

/** EventBridge `detail.reason` of an "Object Deleted" event -> the S3 notification event name. */
const EVENTBRIDGE_DELETE_REASONS: Record<string, string> = {
  DeleteObject: "ObjectRemoved:Delete",
  "Lifecycle Expiration": "LifecycleExpiration:Delete",
};

function fromEventBridge(event: Record<string, unknown>, out: NormalisedS3Events, options: NormaliseOptions): void {
  const detail = event.detail as Record<string, unknown>;
  const detailType = event["detail-type"];
  const bucket = isRecord(detail.bucket) ? detail.bucket.name : undefined;
  const object = isRecord(detail.object) ? detail.object : undefined;
  const rawKey = object?.key;
  if (typeof bucket !== "string" || bucket === "" || typeof rawKey !== "string" || rawKey === "") {
    out.rejections.push({
      reason: "malformed-record",
      message: "EventBridge event lacks detail.bucket.name or detail.object.key.",
    });
    return;
  }
  const removal = options.removals === true && detailType === "Object Deleted";
  if (detailType !== "Object Created" && !removal) {
    out.rejections.push({
      reason: "not-object-created",
      message: `EventBridge detail-type ${JSON.stringify(detailType)} is not "Object Created".`,
      bucket,
      rawKey,
      eventName: typeof detailType === "string" ? detailType : undefined,
    });
    return;
  }
  const reason = typeof detail.reason === "string" ? detail.reason : removal ? "DeleteObject" : "PutObject";
  pushObject(out, {
    bucket,
    rawKey,
    size: object?.size,
    eTag: object?.etag,
    versionId: object?.["version-id"],
    sequencer: object?.sequencer,
    eventName: removal
      ? (EVENTBRIDGE_DELETE_REASONS[reason] ?? `ObjectRemoved:${reason}`)
      : (EVENTBRIDGE_REASONS[reason] ?? `ObjectCreated:${reason}`),
    eventTime: event.time,
    origin: "eventbridge",
    removal,
  });
}

function pushObject(
  out: NormalisedS3Events,
  raw: {
    bucket: string;
    rawKey: string;
    size: unknown;
    eTag: unknown;
    versionId: unknown;
    sequencer: unknown;
    eventName: string;
    eventTime: unknown;
    origin: S3ObjectCreated["origin"];
    /** A removal (`removed`) rather than a creation (`objects`). */
    removal: boolean;
  },
): void {
  const decoded = decodeS3EventKey(raw.rawKey);
  if (!decoded.ok) {
    out.rejections.push({
      reason: "undecodable-key",
      message: decoded.message,
      bucket: raw.bucket,
      rawKey: raw.rawKey,
      eventName: raw.eventName,
    });
    return;
  }
  const versionId = nonEmptyString(raw.versionId);
  const sequencer = nonEmptyString(raw.sequencer);
  const eventTime = nonEmptyString(raw.eventTime);
  const common: S3ObjectRemoved = {
    bucket: raw.bucket,
    key: decoded.key,
    eventName: raw.eventName,
    origin: raw.origin,
  };
  // "null" is the version id S3 reports for objects written while versioning was never enabled/suspended.
  if (versionId && versionId !== "null") common.versionId = versionId;
  if (sequencer) common.sequencer = sequencer;
  if (eventTime) common.eventTime = eventTime;
  if (raw.removal) {
    out.removed.push(common);
    return;
  }
  const size = typeof raw.size === "number" ? raw.size : typeof raw.size === "string" ? Number(raw.size) : undefined;
  if (size !== undefined && (!Number.isFinite(size) || size < 0)) {
    out.rejections.push({
      reason: "malformed-record",
      message: `Object size ${JSON.stringify(raw.size)} is not a byte count.`,
      bucket: raw.bucket,
      rawKey: raw.rawKey,
      eventName: raw.eventName,
    });
    return;
  }
  const object: S3ObjectCreated = { ...common };
  if (size !== undefined) object.size = size;
  const eTag = nonEmptyString(raw.eTag)?.replace(/^"|"$/g, "");
  if (eTag) object.eTag = eTag;
  out.objects.push(object);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
