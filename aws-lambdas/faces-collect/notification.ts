/**
 * Rekognition Video completion notifications, as SNS hands them to Lambda: every record's
 * `Sns.Message` is a JSON string
 *   {"JobId", "Status": "SUCCEEDED" | "FAILED" | "ERROR", "API", "JobTag", "Timestamp",
 *    "Video": {"S3ObjectName", "S3Bucket"}}
 * https://docs.aws.amazon.com/rekognition/latest/dg/video-notification-payload.html
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
 *
 * Never throws: what cannot be used becomes a rejection with a reason, logged by the caller. Throwing
 * would make Lambda retry a message that can never succeed.
 *
 * Pure.
 */
import { isRecord } from "../shared/guards.ts";

/** A parsed completion notification. */
export interface FaceJobNotification {
  jobId: string;
  status: "SUCCEEDED" | "FAILED" | "ERROR";
  /** The Start* operation, e.g. "StartFaceDetection". */
  api: string;
  jobTag?: string;
  /** When Rekognition published it (epoch ms), when present. */
  timestamp?: number;
  /** The analysed object. `S3ObjectName` is the key as sent in StartFaceDetection (not URL-encoded). */
  video: { bucket: string; key: string };
  /** SNS MessageId, for logs. */
  messageId?: string;
}

/** An SNS record that is not a usable notification. */
export interface NotificationRejection {
  reason: "not-sns" | "not-json" | "malformed";
  message: string;
  messageId?: string;
}

/** Result of `parseNotifications`. */
export interface ParsedNotifications {
  notifications: FaceJobNotification[];
  rejections: NotificationRejection[];
}

/** Rekognition job ids: 1-64 characters of `[a-zA-Z0-9-_]`. */
export const JOB_ID_PATTERN = /^[a-zA-Z0-9-_]{1,64}$/;

/** Parses every record of an SNS event. */
export function parseNotifications(event: unknown): ParsedNotifications {
  const out: ParsedNotifications = { notifications: [], rejections: [] };
  const records = isRecord(event) && Array.isArray(event.Records) ? event.Records : undefined;
  if (!records || records.length === 0) {
    out.rejections.push({ reason: "not-sns", message: "Event has no SNS Records." });
    return out;
  }
  for (const record of records) {
    const sns = isRecord(record) && isRecord(record.Sns) ? record.Sns : undefined;
    if (!sns || typeof sns.Message !== "string") {
      out.rejections.push({ reason: "not-sns", message: "Record has no Sns.Message string." });
      continue;
    }
    const messageId = typeof sns.MessageId === "string" ? sns.MessageId : undefined;
    let message: unknown;
    try {
      message = JSON.parse(sns.Message);
    } catch {
      out.rejections.push({ reason: "not-json", message: "Sns.Message is not JSON.", ...ids(messageId) });
      continue;
    }
    const parsed = parseMessage(message);
    if (typeof parsed === "string") {
      out.rejections.push({ reason: "malformed", message: parsed, ...ids(messageId) });
      continue;
    }
    out.notifications.push({ ...parsed, ...ids(messageId) });
  }
  return out;
}

function parseMessage(message: unknown): Omit<FaceJobNotification, "messageId"> | string {
  if (!isRecord(message)) return "Message is not a JSON object.";
  const { JobId, Status, API, JobTag, Timestamp, Video } = message;
  if (typeof JobId !== "string" || !JOB_ID_PATTERN.test(JobId)) return "JobId is missing or malformed.";
  if (Status !== "SUCCEEDED" && Status !== "FAILED" && Status !== "ERROR") {
    return `Status ${JSON.stringify(Status)} is not SUCCEEDED, FAILED or ERROR.`;
  }
  if (typeof API !== "string" || API === "") return "API is missing.";
  if (!isRecord(Video) || typeof Video.S3ObjectName !== "string" || Video.S3ObjectName === "") {
    return "Video.S3ObjectName is missing.";
  }
  if (typeof Video.S3Bucket !== "string" || Video.S3Bucket === "") return "Video.S3Bucket is missing.";
  const parsed: Omit<FaceJobNotification, "messageId"> = {
    jobId: JobId,
    status: Status,
    api: API,
    video: { bucket: Video.S3Bucket, key: Video.S3ObjectName },
  };
  if (typeof JobTag === "string" && JobTag !== "") parsed.jobTag = JobTag;
  const timestamp = typeof Timestamp === "number" ? Timestamp : typeof Timestamp === "string" ? Number(Timestamp) : NaN;
  if (Number.isFinite(timestamp)) parsed.timestamp = timestamp;
  return parsed;
}

function ids(messageId: string | undefined): { messageId?: string } {
  return messageId ? { messageId } : {};
}
