/**
 * faces-start configuration: read once at cold start (handler.ts) from the environment; a missing or
 * malformed variable fails the cold start with a ConfigError naming it. The upload filter variables
 * (`INPUT_PREFIX`, `INPUT_BUCKETS`, `OUTPUT_BUCKET`) are the ones submit-job reads, because both
 * functions react to the same uploads.
 */
import { DEFAULT_FACE_ANALYSIS_TTL_SECONDS, type TableRole } from "../../model/index.ts";
import {
  ConfigError,
  type Env,
  integerSetting,
  listSetting,
  optionalString,
  optionalUrl,
  requiredString,
  tableNames,
} from "../shared/config.ts";
import { analysisPrefixSetting } from "../shared/face-analysis.ts";
import { DEFAULT_CLAIM_TTL_SECONDS } from "../shared/idempotency.ts";

/**
 * Containers Rekognition Video reads: "H.264 encoded videos in MPEG-4 or MOV format"
 * (https://docs.aws.amazon.com/rekognition/latest/dg/limits.html).
 */
export const DEFAULT_FACE_VIDEO_EXTENSIONS = ["mp4", "mov"] as const;

/** `FaceAttributes` of StartFaceDetection: DEFAULT (bounding box, confidence, pose, quality, landmarks) or ALL. */
export type FaceAttributesSetting = "DEFAULT" | "ALL";

/** Everything faces-start needs that is not in the event. */
export interface FacesStartConfig {
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
  /** Only keys under this prefix are uploads ("" = every key). Shared with submit-job. */
  inputPrefix: string;
  /** Buckets uploads may come from; empty = any bucket the trigger sends. Shared with submit-job. */
  inputBuckets: string[];
  /** MediaConvert's output bucket, whose output folders are never uploads (optional here). */
  outputBucket?: string;
  /** Where faces-collect writes results; never analysed. */
  analysisBucket?: string;
  analysisPrefix: string;
  /** Lowercase extensions without dot that Rekognition can read. */
  videoExtensions: string[];
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
  const faceAttributes = optionalString(env, "REKOGNITION_FACE_ATTRIBUTES", "DEFAULT").toUpperCase();
  if (faceAttributes !== "DEFAULT" && faceAttributes !== "ALL") {
    throw new ConfigError(
      "REKOGNITION_FACE_ATTRIBUTES",
      `must be DEFAULT or ALL, got ${JSON.stringify(faceAttributes)}.`,
    );
  }
  const videoExtensions = listSetting(env, "FACES_VIDEO_EXTENSIONS", DEFAULT_FACE_VIDEO_EXTENSIONS).map((ext) =>
    ext.replace(/^\./, "").toLowerCase(),
  );
  if (videoExtensions.length === 0) {
    throw new ConfigError("FACES_VIDEO_EXTENSIONS", "must list at least one extension.");
  }
  const outputBucket = optionalString(env, "OUTPUT_BUCKET", "");
  const analysisBucket = optionalString(env, "ANALYSIS_BUCKET", outputBucket);
  const config: FacesStartConfig = {
    tables: tableNames(env),
    rekognition: { snsTopicArn, roleArn, faceAttributes },
    inputPrefix: optionalString(env, "INPUT_PREFIX", ""),
    // Like submit-job: INPUT_BUCKET (one name) is accepted when INPUT_BUCKETS is unset.
    inputBuckets: listSetting(env, "INPUT_BUCKETS", listSetting(env, "INPUT_BUCKET", [])),
    analysisPrefix: analysisPrefixSetting(env),
    videoExtensions,
    rowTtlSeconds: integerSetting(env, "FACES_TTL_SECONDS", DEFAULT_FACE_ANALYSIS_TTL_SECONDS, { min: 0 }),
    claimTtlSeconds: integerSetting(env, "IDEMPOTENCY_TTL_SECONDS", DEFAULT_CLAIM_TTL_SECONDS, { min: 86_400 }),
  };
  if (config.rowTtlSeconds > 0 && config.rowTtlSeconds < 86_400) {
    // Shorter than a NextToken's life and EventBridge's retry window: a late event would find no row.
    throw new ConfigError("FACES_TTL_SECONDS", `must be 0 (no expiry) or at least 86400, got ${config.rowTtlSeconds}.`);
  }
  const endpoint = optionalUrl(env, "REKOGNITION_ENDPOINT_URL");
  if (endpoint) config.rekognition.endpoint = endpoint;
  if (outputBucket) config.outputBucket = outputBucket;
  if (analysisBucket) config.analysisBucket = analysisBucket;
  return config;
}
