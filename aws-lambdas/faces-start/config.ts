/**
 * faces-start configuration: read once at cold start (handler.ts) from the environment; a missing or
 * malformed variable fails the cold start with a ConfigError naming it. The upload filter variables
 * (`INPUT_PREFIX`, `INPUT_BUCKETS`, `OUTPUT_BUCKET`) are the ones submit-job reads, because both
 * functions react to the same uploads.
 */
import type { TableRole } from "../../model/index.ts";
import {
  claimTtlSetting,
  ConfigError,
  type Env,
  optionalString,
  optionalUrl,
  requiredString,
  tableNames,
  type UploadSelection,
  uploadSelection,
} from "../shared/config.ts";
import { analysisBucketSetting, analysisPrefixSetting, faceRowTtlSetting } from "../shared/face-analysis.ts";
import { lambdaDefault } from "../../model/settings.ts";

/**
 * Containers Rekognition Video reads: "H.264 encoded videos in MPEG-4 or MOV format"
 * (https://docs.aws.amazon.com/rekognition/latest/dg/limits.html).
 */
export const DEFAULT_FACE_VIDEO_EXTENSIONS = lambdaDefault("FACES_VIDEO_EXTENSIONS");

/** `FaceAttributes` of StartFaceDetection: DEFAULT (bounding box, confidence, pose, quality, landmarks) or ALL. */
export type FaceAttributesSetting = "DEFAULT" | "ALL";

/**
 * Everything faces-start needs that is not in the event. The upload selection is submit-job's;
 * `videoExtensions` (`FACES_VIDEO_EXTENSIONS`) are the containers Rekognition can read.
 */
export interface FacesStartConfig extends UploadSelection {
  tables: Record<TableRole, string>;
  rekognition: {
    /** `REKOGNITION_ENDPOINT_URL`; unset = the SDK's regional endpoint. */
    endpoint?: string;
    /** SNS topic Rekognition publishes the completion status to (faces-collect subscribes to it). */
    snsTopicArn: string;
    /** IAM role Rekognition assumes to publish to the topic. */
    roleArn: string;
    faceAttributes: FaceAttributesSetting;
  };
  /** MediaConvert's output bucket, whose output folders are never uploads (optional here). */
  outputBucket?: string;
  /** Where faces-collect writes results; never analysed. */
  analysisBucket?: string;
  analysisPrefix: string;
  /** Lifetime of the analysis row, seconds; 0 = no expiry. */
  rowTtlSeconds: number;
  /** Lifetime of the idempotency claim rows, seconds. */
  claimTtlSeconds: number;
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** Reads and validates the configuration; throws `ConfigError` naming the first bad variable. */
export function readFacesStartConfig(env: Env): FacesStartConfig {
  const snsTopicArn = requiredString(env, "REKOGNITION_SNS_TOPIC_ARN");
  if (!SNS_TOPIC_ARN.test(snsTopicArn)) {
    throw new ConfigError("REKOGNITION_SNS_TOPIC_ARN", `must be an SNS topic ARN, got ${JSON.stringify(snsTopicArn)}.`);
  }
  const roleArn = requiredString(env, "REKOGNITION_ROLE_ARN");
  if (!ROLE_ARN.test(roleArn)) {
    throw new ConfigError("REKOGNITION_ROLE_ARN", `must be an IAM role ARN, got ${JSON.stringify(roleArn)}.`);
  }
  const faceAttributes = optionalString(
    env,
    "REKOGNITION_FACE_ATTRIBUTES",
    lambdaDefault("REKOGNITION_FACE_ATTRIBUTES"),
  ).toUpperCase();
  if (faceAttributes !== "DEFAULT" && faceAttributes !== "ALL") {
    throw new ConfigError(
      "REKOGNITION_FACE_ATTRIBUTES",
      `must be DEFAULT or ALL, got ${JSON.stringify(faceAttributes)}.`,
    );
  }
  const uploads = uploadSelection(env, "FACES_VIDEO_EXTENSIONS", DEFAULT_FACE_VIDEO_EXTENSIONS);
  const outputBucket = optionalString(env, "OUTPUT_BUCKET", "");
  const analysisBucket = analysisBucketSetting(env);
  const config: FacesStartConfig = {
    ...uploads,
    tables: tableNames(env),
    rekognition: { snsTopicArn, roleArn, faceAttributes },
    analysisPrefix: analysisPrefixSetting(env),
    rowTtlSeconds: faceRowTtlSetting(env),
    claimTtlSeconds: claimTtlSetting(env),
  };
  const endpoint = optionalUrl(env, "REKOGNITION_ENDPOINT_URL");
  if (endpoint) config.rekognition.endpoint = endpoint;
  if (outputBucket) config.outputBucket = outputBucket;
  if (analysisBucket) config.analysisBucket = analysisBucket;
  return config;
}
