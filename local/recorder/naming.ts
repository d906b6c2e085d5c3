/**
 * Where a recorder segment goes: `<RECORDINGS_PREFIX>/<stream>/<YYYYMMDDTHHMMSSZ>.ts`, the layout the
 * Worker's window route lists and its segment route serves. The name and the stream rules are the
 * Worker's own (worker/hls/recordings.ts), imported rather than copied, so the two cannot drift.
 */
import { folderPrefix } from "../../worker/config.ts";
import { formatSegmentName, isValidStreamName } from "../../worker/hls/recordings.ts";

export { isValidStreamName };

/** The key prefix of a stream's segments (the Worker's streamKeyPrefix, from plain values). */
export function streamKeyPrefix(recordingsPrefix: string, stream: string): string {
  return folderPrefix(recordingsPrefix.replace(/^\/+|\/+$/g, "")) + folderPrefix(stream);
}

/** The object key of the segment that starts at `startSeconds` (epoch seconds, floored). */
export function segmentKey(recordingsPrefix: string, stream: string, startSeconds: number): string {
  return streamKeyPrefix(recordingsPrefix, stream) + formatSegmentName(startSeconds);
}

/** One completed segment as ffmpeg's segment muxer reports it (`-segment_list_type csv`). */
export interface SegmentListEntry {
  file: string;
  /** Media time of the segment's first and last frame, seconds. */
  start: number;
  end: number;
}

/**
 * Parses a line of ffmpeg's CSV segment list: `file,start,end` (the file name is quoted when it
 * holds a comma or a quote; ours never do). Undefined for anything else.
 * https://ffmpeg.org/ffmpeg-formats.html#segment_002c-stream_005fsegment_002c-ssegment
 */
export function parseSegmentListLine(line: string): SegmentListEntry | undefined {
  const match = /^(?:"((?:[^"]|"")*)"|([^,"]*)),(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)\s*$/.exec(line);
  if (!match) return undefined;
  const file = match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2]!;
  const start = Number(match[3]);
  const end = Number(match[4]);
  if (file === "" || !(end >= start)) return undefined;
  return { file, start, end };
}

/**
 * The wall-clock start of a segment: the recording's start plus the segment's media offset from
 * the first segment (a camera's timestamps need not start at 0). Rounded to the millisecond
 * first, so 2.0799999 s of media never names a segment one second early.
 */
export function segmentStartTime(recordingStart: number, firstMediaStart: number, entry: SegmentListEntry): number {
  return Math.floor(Math.round((recordingStart + entry.start - firstMediaStart) * 1000) / 1000);
}
