/**
 * The StartFaceDetection request for one upload, and how its errors are treated. Pure.
 * https://docs.aws.amazon.com/rekognition/latest/APIReference/API_StartFaceDetection.html
 */
import type { StartFaceDetectionCommandInput } from "@aws-sdk/client-rekognition";
import type { FaceAttributesSetting } from "./config.ts";

/** What the request is built from. */
export interface StartRequestInput {
  bucket: string;
  key: string;
  versionId?: string;
  /** 1-64 characters of `[a-zA-Z0-9-_]`: the same token returns the same JobId. */
  clientRequestToken: string;
  jobTag: string;
  snsTopicArn: string;
  roleArn: string;
  faceAttributes: FaceAttributesSetting;
}

const CLIENT_REQUEST_TOKEN = /^[a-zA-Z0-9-_]{1,64}$/;

/** The StartFaceDetection input. Throws if the token does not match Rekognition's pattern. */
export function buildStartFaceDetection(input: StartRequestInput): StartFaceDetectionCommandInput {
  if (!CLIENT_REQUEST_TOKEN.test(input.clientRequestToken)) {
    throw new Error("ClientRequestToken must be 1-64 characters of [a-zA-Z0-9-_].");
  }
  return {
    Video: {
      S3Object: {
        Bucket: input.bucket,
        Name: input.key,
        // In a versioned bucket, analyse exactly the upload that triggered us, not a later overwrite.
        ...(input.versionId ? { Version: input.versionId } : {}),
      },
    },
    ClientRequestToken: input.clientRequestToken,
    NotificationChannel: { SNSTopicArn: input.snsTopicArn, RoleArn: input.roleArn },
    FaceAttributes: input.faceAttributes,
    JobTag: input.jobTag,
  };
}

/** How a StartFaceDetection failure is handled. */
export type StartErrorKind =
  /** Account-wide capacity: 20 concurrent jobs (LimitExceeded) or request rate. Retry later. */
  | "capacity"
  /** This video (or this request) can never be started: record FAILED, do not retry. */
  | "permanent"
  /** Anything else (permissions, 5xx, network): retry, and let the dead-letter destination keep it. */
  | "retry";

/**
 * Classifies an error from StartFaceDetection by its name.
 * https://docs.aws.amazon.com/rekognition/latest/dg/limits.html ("20 concurrent jobs"),
 * https://docs.aws.amazon.com/rekognition/latest/APIReference/API_StartFaceDetection.html#API_StartFaceDetection_Errors
 */
export function classifyStartError(error: unknown): StartErrorKind {
  switch ((error as { name?: unknown } | null)?.name) {
    case "LimitExceededException":
    case "ThrottlingException":
    case "ProvisionedThroughputExceededException":
      return "capacity";
    case "InvalidS3ObjectException":
    case "VideoTooLargeException":
    case "InvalidParameterException":
    case "IdempotentParameterMismatchException":
      return "permanent";
    default:
      return "retry";
  }
}

/** A short, storable description of a Rekognition error (name and message, capped). */
export function errorSummary(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  const message = (error as { message?: unknown } | null)?.message;
  const text = `${typeof name === "string" ? name : "Error"}: ${typeof message === "string" ? message : String(error)}`;
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}
