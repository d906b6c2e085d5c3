/**
 * The frame captures a COMPLETE event reports. Pure.
 *
 * Each FRAME_CAPTURE output of a File group lists only its last file (`.../<name>_thumb320.0000036.jpg`),
 * from which every name follows (model/captures.ts). The interval is not in the event: it is the
 * ladder's (model/ladder.ts), the one submit-job asked for.
 * https://docs.aws.amazon.com/mediaconvert/latest/ug/file-group-with-frame-capture-output.html
 */
import { parseCaptureFileName, readCaptures, type CaptureSet, type FrameCaptures } from "../../model/captures.ts";
import { HLS_LADDER, type FrameCaptureSettings } from "../../model/ladder.ts";
import { isRecord } from "../shared/guards.ts";

const isString = (value: unknown): value is string => typeof value === "string";

const pixels = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;

/** One capture set from an output's last file; undefined for outputs that are not captures. */
function captureSet(out: Record<string, unknown>, relative: (path: string) => string): CaptureSet | undefined {
  const files = Array.isArray(out.outputFilePaths) ? out.outputFilePaths.filter(isString) : [];
  const last = files.map((file) => parseCaptureFileName(relative(file))).find(Boolean);
  if (!last) return undefined;
  const video = isRecord(out.videoDetails) ? out.videoDetails : {};
  // The name modifier says which width was asked for when the event does not.
  const width = pixels(video.widthInPx) ?? Number(/_thumb(\d+)$/.exec(last.namePrefix)?.[1] ?? NaN);
  const height = pixels(video.heightInPx);
  return {
    name_prefix: last.namePrefix,
    width,
    ...(height === undefined ? {} : { height }),
    count: last.index + 1,
  };
}

/**
 * The captures of a COMPLETE event's File groups, paths relative to the job's folder; undefined when
 * the job made none (a template without them, or a job from before them).
 */
export function completeCaptures(
  detail: Record<string, unknown>,
  relative: (path: string) => string,
  settings: FrameCaptureSettings | undefined = HLS_LADDER.frameCaptures,
): FrameCaptures | undefined {
  if (!settings) return undefined;
  const groups = Array.isArray(detail.outputGroupDetails) ? detail.outputGroupDetails.filter(isRecord) : [];
  const sets: CaptureSet[] = [];
  for (const group of groups.filter((g) => g.type === "FILE_GROUP")) {
    const outputs = Array.isArray(group.outputDetails) ? group.outputDetails.filter(isRecord) : [];
    for (const out of outputs) {
      const set = captureSet(out, relative);
      if (set && Number.isInteger(set.width)) sets.push(set);
    }
  }
  // readCaptures drops what does not validate (e.g. no width): a bad set never reaches the row.
  return sets.length === 0 ? undefined : readCaptures({ interval_seconds: settings.intervalSeconds, sets });
}
