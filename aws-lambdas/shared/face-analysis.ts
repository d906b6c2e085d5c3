/**
 * What faces-start and faces-collect agree on about a Rekognition face-detection job: the JobTag that
 * carries an upload's order from StartFaceDetection to the completion notification, and the shape of
 * the analysis row's ordering attributes.
 *
 * Why the order travels in the JobTag: S3 and EventBridge deliver out of order and more than once, and
 * jobs of two uploads of the same key can finish in any order. The analysis row (keyed by the input
 * key) must describe the latest upload, so every write is conditioned on the upload's S3 `sequencer`
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html). The
 * notification carries only JobId, Status, API, JobTag, Timestamp and Video
 * (https://docs.aws.amazon.com/rekognition/latest/dg/video-notification-payload.html), so the JobTag
 * is how faces-collect learns which upload a job belongs to, even when faces-start's row is missing.
 *
 * Pure: no I/O.
 */
import { createHash } from "node:crypto";
import { lambdaDefault } from "../../model/settings.ts";
import { folderPrefix } from "../../model/settings-reader.ts";
import { ConfigError, type Env, integerSetting, lambdaSettings, optionalString } from "./config.ts";
import { sortableSequencer } from "./s3-events.ts";

/** Prefix of every JobTag this pipeline sets; a notification without it is for someone else's job. */
export const FACES_JOB_TAG_PREFIX = "media-edge:faces:";

/** StartFaceDetection's JobTag limit: 1-256 characters of `[a-zA-Z0-9_.\-:]`. */
export const MAX_JOB_TAG_LENGTH = 256;
const JOB_TAG_PATTERN = /^[a-zA-Z0-9_.\-:]{1,256}$/;
const SEQUENCER_PATTERN = /^[0-9A-F]{1,64}$/;

/** Fixed-width upload order for a sequencer; all zeros when the event had none (orders first). */
export function uploadOrder(sequencer: string | undefined): string {
  const upper = sequencer?.toUpperCase();
  return sortableSequencer(upper && SEQUENCER_PATTERN.test(upper) ? upper : "");
}

/**
 * The JobTag for an upload: `media-edge:faces:<sequencer or 0>:<h>:<readable key>`, where `<h>` is 12
 * hex digits of SHA-256 over bucket and key (two keys that sanitise alike still differ) and the
 * readable part is the key with every character outside the JobTag alphabet replaced by "_", cut from
 * the left so the file name survives. Only for people reading the Rekognition console; nothing parses
 * the key part.
 * https://docs.aws.amazon.com/rekognition/latest/APIReference/API_StartFaceDetection.html#rekognition-StartFaceDetection-request-JobTag
 */
export function jobTagFor(object: { bucket: string; key: string; sequencer?: string }): string {
  const upper = object.sequencer?.toUpperCase();
  const sequencer = upper && SEQUENCER_PATTERN.test(upper) ? upper : "0";
  const hash = createHash("sha256").update(`${object.bucket}\n${object.key}`, "utf8").digest("hex").slice(0, 12);
  const head = `${FACES_JOB_TAG_PREFIX}${sequencer}:${hash}:`;
  const readable = object.key.replace(/[^a-zA-Z0-9_.\-:]/g, "_");
  const room = MAX_JOB_TAG_LENGTH - head.length;
  const tag = head + (readable.length > room ? readable.slice(readable.length - room) : readable);
  if (!JOB_TAG_PATTERN.test(tag)) throw new Error(`Derived JobTag is invalid: ${tag}`);
  return tag;
}

/** The upload order a JobTag of ours carries, or undefined for a tag this pipeline did not write. */
export function uploadOrderFromJobTag(tag: unknown): string | undefined {
  if (typeof tag !== "string" || !tag.startsWith(FACES_JOB_TAG_PREFIX)) return undefined;
  const sequencer = tag.slice(FACES_JOB_TAG_PREFIX.length).split(":", 1)[0] ?? "";
  if (!SEQUENCER_PATTERN.test(sequencer)) return undefined;
  return uploadOrder(sequencer === "0" ? undefined : sequencer);
}

/** Attribute names of the analysis row used in condition expressions (with `#names`: some are reserved words). */
export const ROW_NAMES = {
  "#pk": "InputFile",
  "#jobId": "JobId",
  "#status": "AnalysisStatus",
  "#rank": "StatusRank",
  "#order": "UploadOrder",
} as const;

/**
 * `ANALYSIS_PREFIX` normalised to end in "/" (or "" for the bucket root), shared with faces-collect and
 * the Worker, read by the shared prefix rule (`model/settings-reader.ts`): the same value means the same
 * folder in every runtime.
 */
export function analysisPrefixSetting(env: Env): string {
  return folderPrefix(lambdaSettings(env).prefix("ANALYSIS_PREFIX", lambdaDefault("ANALYSIS_PREFIX")));
}

/**
 * `ANALYSIS_BUCKET`, else `OUTPUT_BUCKET`, else "" (unset): where faces-collect writes results. One
 * reader for both functions, because faces-start must ignore exactly the result files faces-collect
 * writes.
 */
export function analysisBucketSetting(env: Env): string {
  return optionalString(env, "ANALYSIS_BUCKET", optionalString(env, "OUTPUT_BUCKET", ""));
}

/**
 * `FACES_TTL_SECONDS`, the analysis row's lifetime shared with faces-collect: 0 (no expiry) or at
 * least a day. Shorter than a NextToken's life and EventBridge's retry window, a late event would
 * find no row.
 */
export function faceRowTtlSetting(env: Env): number {
  const seconds = integerSetting(env, "FACES_TTL_SECONDS", lambdaDefault("FACES_TTL_SECONDS"));
  if (seconds > 0 && seconds < 86_400) {
    throw new ConfigError("FACES_TTL_SECONDS", `must be 0 (no expiry) or at least 86400, got ${seconds}.`);
  }
  return seconds;
}
