/**
 * The MediaConvert CreateJob request for one upload, and the facts we record about it. Pure: the
 * content key, clock and token are arguments.
 *
 * Like the seed, the job uses a job template (codecs, ABR ladder, segment length) and overrides only
 * what differs per upload: the input, the HLS destination and the encryption. MediaConvert applies
 * job settings over the template's; the template's first output group must be its Apple HLS group,
 * whose renditions (model/ladder.ts) the CDK template and the local emulator both take from one place.
 * https://docs.aws.amazon.com/mediaconvert/latest/ug/working-with-job-templates.html
 */
import { JOB_CREATED_BY } from "../../model/index.ts";
import { CAPTURE_GROUP_NAME, CAPTURE_GROUP_TYPE, frameCaptureOutputs } from "../../model/captures.ts";
import { HLS_GROUP_TYPE, HLS_LADDER, type FrameCaptureSettings } from "../../model/ladder.ts";
import type { CreateJobCommandInput, Job, Output } from "@aws-sdk/client-mediaconvert";
import { baseName, splitExtension } from "../shared/keys.ts";

// Moved to shared/keys.ts (faces-start and job-state use them too); re-exported for existing imports.
export { OUTPUT_FOLDER_PATTERN, baseName, splitExtension } from "../shared/keys.ts";

/** `yyyymmddHHMMSS` in UTC (the seed's `strftime('%Y%m%d%H%M%S')` on Lambda, whose clock is UTC). */
export function utcStamp(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    String(now.getUTCFullYear()).padStart(4, "0") +
    pad(now.getUTCMonth() + 1) +
    pad(now.getUTCDate()) +
    pad(now.getUTCHours()) +
    pad(now.getUTCMinutes()) +
    pad(now.getUTCSeconds())
  );
}

/**
 * The job's output folder in the output bucket: `<input key>_<UTC yyyymmddHHMMSS>/`, as the seed.
 * Computed per upload from the invocation's clock (the seed computed the suffix once per cold start,
 * so every later upload of the same file in that container reused one folder).
 */
export function outputPathFor(inputKey: string, now: Date): string {
  return `${inputKey}_${utcStamp(now)}/`;
}

/**
 * The key file name (seed: `splitext(basename(input))[0] + ".key"`). It is only the URI MediaConvert
 * writes into EXT-X-KEY, relative to the playlist; no such object is ever written to S3. The Worker
 * rewrites that URI to its authenticated key route.
 */
export function keyFileFor(inputKey: string): string {
  return `${splitExtension(baseName(inputKey))[0]}.key`;
}

/** Everything that varies per job. */
export interface JobRequestInput {
  input: { bucket: string; key: string };
  outputBucket: string;
  mediaConvert: { role: string; jobTemplate: string; queue?: string };
  /** AES-128 content key: 32 hex digits (16 random bytes). */
  keyHex: string;
  /** Deterministic per upload, ≤64 characters (deduplicates CreateJob for one minute). */
  clientRequestToken: string;
  now: Date;
  /** Frame captures to make (default: the shared ladder's); null for none. */
  frameCaptures?: FrameCaptureSettings | null;
}

/** Where the job writes and how its key is named. */
export interface PlannedOutput {
  outputBucket: string;
  /** Folder in the output bucket, ending in "/". */
  outputPath: string;
  keyFile: string;
}

/** Builds the CreateJob request and the output it plans. */
export function buildCreateJobRequest(input: JobRequestInput): {
  request: CreateJobCommandInput;
  planned: PlannedOutput;
} {
  if (!/^[0-9a-f]{32}$/i.test(input.keyHex)) throw new Error("keyHex must be 32 hex digits (a 16-byte AES key).");
  const outputPath = outputPathFor(input.input.key, input.now);
  const keyFile = keyFileFor(input.input.key);
  const request: CreateJobCommandInput = {
    Role: input.mediaConvert.role,
    JobTemplate: input.mediaConvert.jobTemplate,
    ...(input.mediaConvert.queue ? { Queue: input.mediaConvert.queue } : {}),
    // https://docs.aws.amazon.com/mediaconvert/latest/apireference/idempotency.html
    ClientRequestToken: input.clientRequestToken,
    // STATUS_UPDATE every 10 s instead of 60 s (the seed set this by hand in the console).
    // https://docs.aws.amazon.com/mediaconvert/latest/ug/ev_status_status_update.html
    StatusUpdateInterval: "SECONDS_10",
    // Ties every job state event back to its upload (events carry detail.userMetadata). OutputBucket
    // names the stack: another media-edge stack in the account tags its jobs JobCreatedBy too.
    UserMetadata: {
      JobCreatedBy: JOB_CREATED_BY,
      InputBucket: input.input.bucket,
      InputFile: input.input.key,
      OutputPath: outputPath,
      OutputBucket: input.outputBucket,
    },
    Settings: {
      // MediaConvert takes the S3 URL with the key unencoded (its own error messages quote it so).
      // Set here as well as in the template: it must hold with a template of the user's own too.
      Inputs: [
        {
          FileInput: `s3://${input.input.bucket}/${input.input.key}`,
          VideoSelector: { Rotate: HLS_LADDER.inputRotate },
        },
      ],
      OutputGroups: [
        {
          OutputGroupSettings: {
            Type: HLS_GROUP_TYPE,
            HlsGroupSettings: {
              Destination: `s3://${input.outputBucket}/${outputPath}`,
              // https://docs.aws.amazon.com/mediaconvert/latest/apireference/jobs.html#jobs-model-hlsencryptionsettings
              Encryption: {
                EncryptionMethod: "AES128",
                Type: "STATIC_KEY",
                StaticKeyProvider: { StaticKeyValue: input.keyHex.toLowerCase(), Url: keyFile },
                // Write IV= into every EXT-X-KEY. Without it the IV is the segment's media sequence
                // number (RFC 8216 §5.2), so any playlist that renumbers EXT-X-MEDIA-SEQUENCE (the
                // Worker's time windows, clips joined from several jobs) would silently decrypt to
                // garbage. With explicit IVs each segment stays decryptable wherever it is listed.
                InitializationVectorInManifest: "INCLUDE",
              },
            },
          },
        },
        ...captureGroups(input, outputPath),
      ],
    },
  };
  return { request, planned: { outputBucket: input.outputBucket, outputPath, keyFile } };
}

/**
 * The second output group: the ladder's JPEG frame captures, written beside the HLS output. Given
 * whole (not only its destination) so a job made from a template without it (an existing template
 * named in the stack's context) still gets its thumbnails. The Worker serves them (docs/api.md).
 */
function captureGroups(
  input: JobRequestInput,
  outputPath: string,
): NonNullable<NonNullable<CreateJobCommandInput["Settings"]>["OutputGroups"]> {
  const settings = input.frameCaptures === undefined ? HLS_LADDER.frameCaptures : input.frameCaptures;
  if (!settings) return [];
  return [
    {
      Name: CAPTURE_GROUP_NAME,
      OutputGroupSettings: {
        Type: CAPTURE_GROUP_TYPE,
        FileGroupSettings: { Destination: `s3://${input.outputBucket}/${outputPath}` },
      },
      Outputs: frameCaptureOutputs(settings, HLS_LADDER.scaling) as Output[],
    },
  ];
}

/** What we record about a created job (the JobIdToOutput row minus ids and times). */
export interface RecordedOutput extends PlannedOutput {
  keyHex: string;
  /** True when MediaConvert returned an earlier job for the same ClientRequestToken with other settings. */
  replayed: boolean;
}

/**
 * The output and key the job will really use. Normally what we planned; but when MediaConvert
 * answers a repeated ClientRequestToken with the job it created earlier (a takeover after a crash,
 * within a minute), that job's destination and key are what the segments will have, so record those.
 */
export function recordedOutput(job: Job | undefined, planned: PlannedOutput, keyHex: string): RecordedOutput {
  const hls = job?.Settings?.OutputGroups?.find((group) => group.OutputGroupSettings?.Type === HLS_GROUP_TYPE)
    ?.OutputGroupSettings?.HlsGroupSettings;
  const destination = hls?.Destination;
  const returnedKey = hls?.Encryption?.StaticKeyProvider?.StaticKeyValue;
  const match = destination ? /^s3:\/\/([^/]+)\/(.*)$/.exec(destination) : null;
  if (!match || !returnedKey || !/^[0-9a-f]{32}$/i.test(returnedKey)) {
    return { ...planned, keyHex, replayed: false };
  }
  const replayed =
    match[1] !== planned.outputBucket ||
    match[2] !== planned.outputPath ||
    returnedKey.toLowerCase() !== keyHex.toLowerCase();
  if (!replayed) return { ...planned, keyHex, replayed: false };
  return {
    outputBucket: match[1]!,
    outputPath: match[2]!,
    keyFile: hls?.Encryption?.StaticKeyProvider?.Url || planned.keyFile,
    keyHex: returnedKey.toLowerCase(),
    replayed: true,
  };
}
