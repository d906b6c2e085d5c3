/**
 * Which created objects get face detection. Pure; every "no" carries a reason.
 *
 * Two kinds of "no":
 * - `ignore`: not an upload at all (another bucket, outside the input prefix, a folder marker, this
 *   pipeline's own output). Logged only: writing a row per HLS segment or result file would flood the
 *   table.
 * - `skip`: an upload Rekognition cannot read. Recorded as AnalysisStatus SKIPPED with the reason,
 *   so a frontend asking about that upload gets an answer instead of "not found" forever.
 */
import { baseName, isMediaConvertOutput } from "../shared/keys.ts";
import type { S3ObjectCreated } from "../shared/s3-events.ts";
import { type NotAnUploadReason, notAnUpload } from "../shared/upload-batch.ts";

/**
 * Rekognition Video's limit on a stored video: "The maximum file size for a stored video is 10GB"
 * (https://docs.aws.amazon.com/rekognition/latest/dg/limits.html), read as GiB.
 */
export const MAX_REKOGNITION_VIDEO_BYTES = 10 * 1024 ** 3;

/** Why an object is not an upload. */
export type IgnoreReason = NotAnUploadReason | "analysis-output" | "mediaconvert-output";

/** Why an upload is not analysed. */
export type SkipReason = "empty-object" | "unsupported-container" | "too-large";

/** Verdict on one object. */
export type FaceInputVerdict =
  | { action: "analyse" }
  | { action: "ignore"; reason: IgnoreReason; message: string }
  | { action: "skip"; reason: SkipReason; message: string };

/** The settings the filter depends on (a subset of `FacesStartConfig`). */
export interface FaceInputSettings {
  inputBuckets: readonly string[];
  inputPrefix: string;
  outputBucket?: string;
  analysisBucket?: string;
  analysisPrefix: string;
  videoExtensions: readonly string[];
}

/** Decides what to do with `object`. */
export function classifyFaceInput(object: S3ObjectCreated, settings: FaceInputSettings): FaceInputVerdict {
  const { bucket, key } = object;
  const misplaced = notAnUpload(object, settings);
  if (misplaced) return ignore(misplaced.reason, misplaced.message);
  // With one bucket for everything, results and transcodes must never trigger another analysis.
  if (bucket === settings.analysisBucket && key.startsWith(settings.analysisPrefix)) {
    return ignore("analysis-output", "Key is a face-detection result of this pipeline.");
  }
  if (isMediaConvertOutput(object, settings.outputBucket)) {
    return ignore("mediaconvert-output", "Key is inside a MediaConvert output folder of this pipeline.");
  }
  if (object.size === 0) return skip("empty-object", "The upload is empty (0 bytes).");
  const extension = extensionOf(key);
  if (!extension || !settings.videoExtensions.includes(extension)) {
    return skip(
      "unsupported-container",
      `Rekognition Video reads H.264 in ${settings.videoExtensions.map((e) => e.toUpperCase()).join("/")} files; ` +
        `this file's extension is ${extension ? JSON.stringify(extension) : "missing"}.`,
    );
  }
  if (object.size !== undefined && object.size > MAX_REKOGNITION_VIDEO_BYTES) {
    return skip(
      "too-large",
      `The upload is ${object.size} bytes; Rekognition Video accepts at most 10 GB (${MAX_REKOGNITION_VIDEO_BYTES} bytes).`,
    );
  }
  return { action: "analyse" };
}

/**
 * Lowercase extension of the key's last path segment, without the dot; "" when there is none. Unlike
 * submit-job's `extensionOf` (Python's splitext), a name of leading dots keeps its extension ("..mp4" -> "mp4").
 */
export function extensionOf(key: string): string {
  const name = baseName(key);
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? "" : name.slice(dot + 1).toLowerCase();
}

function ignore(reason: IgnoreReason, message: string): FaceInputVerdict {
  return { action: "ignore", reason, message };
}

function skip(reason: SkipReason, message: string): FaceInputVerdict {
  return { action: "skip", reason, message };
}
