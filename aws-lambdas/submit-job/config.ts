/**
 * submit-job configuration: read once at cold start (handler.ts) from the environment. Variable names
 * follow the seed (`OUTPUT_BUCKET`, `MEDIACONVERT_*`) so an existing deployment keeps its settings.
 */
import type { TableRole } from "../../model/index.ts";
import {
  claimTtlSetting,
  type Env,
  optionalString,
  optionalUrl,
  requiredString,
  statusTtlSetting,
  tableNames,
  type UploadSelection,
  uploadSelection,
} from "../shared/config.ts";
import { lambdaDefault } from "../../model/settings.ts";

/**
 * Extensions MediaConvert reads as video containers (lowercase, no dot).
 * https://docs.aws.amazon.com/mediaconvert/latest/ug/reference-codecs-containers-input.html
 */
export const DEFAULT_VIDEO_EXTENSIONS = lambdaDefault("VIDEO_EXTENSIONS");

/** Everything submit-job needs to know that is not in the event (`videoExtensions`: `VIDEO_EXTENSIONS`). */
export interface SubmitJobConfig extends UploadSelection {
  tables: Record<TableRole, string>;
  /** Bucket MediaConvert writes HLS output to (seed `OUTPUT_BUCKET`). */
  outputBucket: string;
  mediaConvert: {
    /** Account endpoint (seed `MEDIACONVERT_ENDPOINT_URL`); unset = the SDK's regional endpoint. */
    endpoint?: string;
    /** IAM role ARN MediaConvert assumes to read the input and write the output. */
    role: string;
    /** Job template name or ARN; its first output group must be the Apple HLS group. */
    jobTemplate: string;
    /** Queue name or ARN; unset = the template's queue, else the account's Default queue. */
    queue?: string;
  };
  /** Lifetime of the status and InputFile rows, in seconds (seed: one day). */
  statusTtlSeconds: number;
  /** Lifetime of the idempotency claim rows, in seconds. */
  claimTtlSeconds: number;
}

/** Reads and validates the configuration; throws `ConfigError` naming the first bad variable. */
export function readSubmitJobConfig(env: Env): SubmitJobConfig {
  const config: SubmitJobConfig = {
    ...uploadSelection(env, "VIDEO_EXTENSIONS", DEFAULT_VIDEO_EXTENSIONS),
    tables: tableNames(env),
    outputBucket: requiredString(env, "OUTPUT_BUCKET"),
    mediaConvert: {
      role: requiredString(env, "MEDIACONVERT_ROLE"),
      jobTemplate: requiredString(env, "MEDIACONVERT_JOB_TEMPLATE"),
    },
    statusTtlSeconds: statusTtlSetting(env),
    claimTtlSeconds: claimTtlSetting(env),
  };
  const endpoint = optionalUrl(env, "MEDIACONVERT_ENDPOINT_URL");
  if (endpoint) config.mediaConvert.endpoint = endpoint;
  const queue = optionalString(env, "MEDIACONVERT_QUEUE", "");
  if (queue) config.mediaConvert.queue = queue;
  return config;
}
