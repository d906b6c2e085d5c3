/**
 * Which created objects are uploads to transcode. Pure; every "no" carries a reason the handler logs.
 */
import type { S3ObjectCreated } from "../shared/s3-events.ts";
import { baseName, isMediaConvertOutput, splitExtension } from "../shared/keys.ts";
import { type NotAnUploadReason, notAnUpload } from "../shared/upload-batch.ts";
import { isAddressableKey } from "../../worker/aws/s3-url.ts";
import { outputPathFor } from "./mediaconvert-settings.ts";

/** Why an object is not transcoded. */
export type SkipReason =
  NotAnUploadReason | "inside-output-folder" | "empty-object" | "not-a-video" | "key-too-long" | "unaddressable-key";

/** Verdict on one object. */
export type UploadVerdict = { accept: true } | { accept: false; reason: SkipReason; message: string };

/** The settings the filter depends on (a subset of `SubmitJobConfig`). */
export interface UploadFilterSettings {
  inputBuckets: readonly string[];
  inputPrefix: string;
  outputBucket: string;
  videoExtensions: readonly string[];
}

/** S3's limit on a key, in UTF-8 bytes. https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html */
const MAX_S3_KEY_BYTES = 1024;
/** Room for what MediaConvert appends inside the output folder: name modifier, segment number, extension. */
const OUTPUT_NAME_HEADROOM_BYTES = 64;

/** Decides whether `object` is an upload to transcode. */
export function classifyUpload(object: S3ObjectCreated, settings: UploadFilterSettings): UploadVerdict {
  const { key } = object;
  const misplaced = notAnUpload(object, settings);
  if (misplaced) return skip(misplaced.reason, misplaced.message);
  // With one bucket for input and output (the seed's first set-up), our own output must never
  // trigger another job: MediaConvert writes it under "<input>_<yyyymmddHHMMSS>/".
  if (isMediaConvertOutput(object, settings.outputBucket)) {
    return skip("inside-output-folder", "Key is inside a MediaConvert output folder of this pipeline.");
  }
  if (object.size === 0) return skip("empty-object", "Object is empty (0 bytes).");
  const extension = extensionOf(key);
  if (!extension || !settings.videoExtensions.includes(extension)) {
    return skip(
      "not-a-video",
      `Extension ${extension ? JSON.stringify(extension) : "(none)"} is not in VIDEO_EXTENSIONS.`,
    );
  }
  const outputPath = outputPathFor(key, new Date(0));
  // S3 takes "a/../b.mp4" as a key, but a URL drops "." and ".." segments (WHATWG URL), so neither
  // job-state (info.json) nor the Worker could address the output folder: the job would never be
  // marked COMPLETE nor played. https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
  if (!isAddressableKey(outputPath)) {
    return skip("unaddressable-key", 'Key has a "." or ".." path segment, which S3 URLs cannot address.');
  }
  const outputKeyBytes = Buffer.byteLength(outputPath + baseName(key), "utf8");
  if (outputKeyBytes + OUTPUT_NAME_HEADROOM_BYTES > MAX_S3_KEY_BYTES) {
    return skip("key-too-long", `Output keys would exceed S3's ${MAX_S3_KEY_BYTES}-byte key limit.`);
  }
  return { accept: true };
}

/** Lowercase extension of the last path segment, without the dot; "" when there is none. */
export function extensionOf(key: string): string {
  return splitExtension(baseName(key))[1].replace(/^\./, "").toLowerCase();
}

function skip(reason: SkipReason, message: string): UploadVerdict {
  return { accept: false, reason, message };
}
