/**
 * Which stored capture answers a thumbnail, poster or storyboard request. Pure: the captures come
 * from the job's status row or info.json (model/captures.ts), the answer is a file of the job's
 * output. The edge never resizes: a request gets one of the generated sets. A set's width is the
 * stills' actual width (the input fitted in the capture box without upscaling, model/ladder.ts), so
 * a small upload may have two sets of one size and a portrait one narrow sets (100x180, 360x640).
 */
import { captureFileName, type CaptureSet, type FrameCaptures } from "../../model/captures.ts";

/** One capture file, relative to the job's OutputPath. */
export interface CaptureChoice {
  path: string;
  width: number;
  height?: number;
  index: number;
  /** When it was taken, in seconds from the start. */
  timeSeconds: number;
}

/**
 * The set for a requested width: the smallest at least that wide (a client scales down, never up),
 * else the widest; of sets with equal widths, the first listed (the capture boxes' order). Without
 * a width: `fallback` ("largest" for thumbnails and posters, "smallest" for storyboards, whose tiles
 * are small).
 */
export function captureSetFor(
  captures: FrameCaptures,
  width: number | undefined,
  fallback: "largest" | "smallest",
): CaptureSet {
  const sets = [...captures.sets].sort((a, b) => a.width - b.width);
  const widest = sets.at(-1)!;
  if (width === undefined) return fallback === "largest" ? widest : sets[0]!;
  return sets.find((set) => set.width >= width) ?? widest;
}

function choice(captures: FrameCaptures, set: CaptureSet, index: number): CaptureChoice {
  return {
    path: captureFileName(set.name_prefix, index),
    width: set.width,
    ...(set.height === undefined ? {} : { height: set.height }),
    index,
    timeSeconds: index * captures.interval_seconds,
  };
}

/** The capture nearest `timeSeconds` (≥ 0); a time past the end gets the last capture. */
export function nearestCapture(captures: FrameCaptures, timeSeconds: number, width?: number): CaptureChoice {
  const set = captureSetFor(captures, width, "largest");
  const index = Math.min(set.count - 1, Math.max(0, Math.round(timeSeconds / captures.interval_seconds)));
  return choice(captures, set, index);
}

/**
 * The poster: like Mux's default thumbnail, the capture at the middle of the video (the first frame
 * is often black or a title card).
 */
export function posterCapture(captures: FrameCaptures, width?: number): CaptureChoice {
  const set = captureSetFor(captures, width, "largest");
  return choice(captures, set, Math.floor((set.count - 1) / 2));
}

/** Every capture of the storyboard's set, in time order. */
export function storyboardCaptures(captures: FrameCaptures, width?: number): CaptureChoice[] {
  const set = captureSetFor(captures, width, "smallest");
  return Array.from({ length: set.count }, (_, index) => choice(captures, set, index));
}
