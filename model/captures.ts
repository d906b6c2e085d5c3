/**
 * Frame captures (thumbnails, posters, storyboards): how MediaConvert names them, the output group
 * that makes them (from the ladder's `frameCaptures`, model/ladder.ts), and the one shape that lists
 * a job's captures in its status row (`Captures`), its info.json (`captures`) and the status body.
 *
 * Naming: a FRAME_CAPTURE output writes `<destination base><name modifier>.NNNNNNN.jpg`, "N is the
 * 0-based frame sequence number zero padded to 7 decimal places", capture n being taken n intervals
 * after the first frame; the COMPLETE event lists only the last file of each output, "you can infer
 * all the image names from the final one".
 * https://docs.aws.amazon.com/mediaconvert/latest/apireference/jobs.html#jobs-model-framecapturesettings
 * https://docs.aws.amazon.com/mediaconvert/latest/ug/file-group-with-frame-capture-output.html
 * (The user guide's example counts from .0000001; the API reference, which defines the setting, says
 * 0-based, and a 0-based count errs towards one capture more, which `time` past the end clamps.)
 *
 * Pure data and functions: loads in workerd, in Node and in the CDK app.
 */
import type { FrameCaptureSettings, ScalingBehavior } from "./ladder.ts";

/** The `Name` of the job template's second output group, the one that holds the captures. */
export const CAPTURE_GROUP_NAME = "Frame captures";

/** A File group: frame captures are RAW outputs of one. */
export const CAPTURE_GROUP_TYPE = "FILE_GROUP_SETTINGS";

/**
 * The capture output of one box, named by the box's width: `<name>_thumb320.0000000.jpg`. The name
 * stays the box's whatever size the input gives (a 640x360 upload's `_thumb1280` stills are
 * 640x360), so names are stable for existing jobs.
 */
export function captureNameModifier(width: number): string {
  return `_thumb${width}`;
}

/** File name of capture `index` (0-based) of the output whose files start with `namePrefix`. */
export function captureFileName(namePrefix: string, index: number): string {
  return `${namePrefix}.${String(index).padStart(7, "0")}.jpg`;
}

/** `<prefix>.NNNNNNN.jpg` -> its prefix and index; undefined for any other name. */
export function parseCaptureFileName(path: string): { namePrefix: string; index: number } | undefined {
  const match = /^(.+)\.(\d{7})\.jpg$/.exec(path);
  return match ? { namePrefix: match[1]!, index: Number(match[2]) } : undefined;
}

/**
 * The MediaConvert outputs of the capture group (no audio, RAW container, FRAME_CAPTURE codec), one
 * per box: Width and Height are the box, `scaling` (the ladder's, FIT_NO_UPSCALE) fits the input
 * inside it as it fits the renditions, aspect ratio kept, never upscaled, never padded.
 * https://docs.aws.amazon.com/mediaconvert/latest/ug/file-group-with-frame-capture-output.html
 * https://docs.aws.amazon.com/mediaconvert/latest/ug/video-scaling-fit-without-upscaling.html
 */
export function frameCaptureOutputs(
  settings: FrameCaptureSettings,
  scaling: ScalingBehavior,
): Array<Record<string, unknown>> {
  return settings.boxes.map((box) => ({
    NameModifier: captureNameModifier(box.width),
    ContainerSettings: { Container: "RAW" },
    VideoDescription: {
      Width: box.width,
      Height: box.height,
      ScalingBehavior: scaling,
      CodecSettings: {
        Codec: "FRAME_CAPTURE",
        FrameCaptureSettings: {
          // The first frame, then one every Denominator/Numerator seconds.
          FramerateNumerator: 1,
          FramerateDenominator: settings.intervalSeconds,
          MaxCaptures: settings.maxCaptures,
          Quality: settings.quality,
        },
      },
    },
  }));
}

/** The captures of one output (one box). */
export interface CaptureSet {
  /** Relative to the job's OutputPath: every file of the set is `<name_prefix>.NNNNNNN.jpg`. */
  name_prefix: string;
  /** The stills' actual width (COMPLETE's widthInPx): the input fitted in the box, at most the box's. */
  width: number;
  /** The stills' actual height, when COMPLETE reported it. */
  height?: number;
  /** Files `.0000000` to `.<count - 1>`. */
  count: number;
}

/** A job's captures: stored as the status row's `Captures`, info.json's `captures`, shown by the status route. */
export interface FrameCaptures {
  /** Capture n was taken at n × interval_seconds. */
  interval_seconds: number;
  /** Ascending actual width; equal widths (a small upload fills no box) keep the ladder's box order. */
  sets: CaptureSet[];
}

const positive = (value: unknown): value is number => typeof value === "number" && value > 0 && value < 1e9;

/** Whether a set is well formed; its name_prefix stays inside the job's folder (no "/..", "..", "\\", controls). */
function isCaptureSet(set: unknown): boolean {
  const { name_prefix: prefix, width, height, count } = (set ?? {}) as Record<string, unknown>;
  return (
    typeof prefix === "string" &&
    // eslint-disable-next-line no-control-regex
    /^(?!\/)(?!.*(?:^|\/)\.\.?(?:\/|$))[^\\\u0000-\u001f\u007f]{1,1024}$/.test(prefix) &&
    Number.isInteger(width) &&
    positive(width) &&
    (height === undefined || positive(height)) &&
    Number.isInteger(count) &&
    positive(count)
  );
}

/**
 * Problem with a stored captures value (the row decoder names the attribute with it), or undefined
 * when it is a FrameCaptures. Never quotes the value.
 */
export function capturesProblem(value: unknown): string | undefined {
  const { interval_seconds: interval, sets } = (value ?? {}) as Record<string, unknown>;
  const ok =
    positive(interval) && Array.isArray(sets) && sets.length > 0 && sets.length <= 20 && sets.every(isCaptureSet);
  return ok ? undefined : "is not a list of frame captures";
}

/** `value` as FrameCaptures (sets sorted by width) when it is one, else undefined. */
export function readCaptures(value: unknown): FrameCaptures | undefined {
  if (capturesProblem(value) !== undefined) return undefined;
  const captures = value as FrameCaptures;
  return { interval_seconds: captures.interval_seconds, sets: [...captures.sets].sort((a, b) => a.width - b.width) };
}
