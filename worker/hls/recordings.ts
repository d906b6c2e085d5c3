/**
 * Time-window playlists over a recorder's archive: pure arithmetic on segment names.
 *
 * The recorder (seed 001) writes one MPEG-TS file per segment, named by its start time in UTC:
 * `<prefix>/[<stream>/]YYYYMMDDTHHMMSSZ.ts` (ffmpeg `-f segment -strftime 1 '%Y%m%dT%H%M%SZ.ts'`).
 * The names are fixed-width, so S3's ascending key order (ListObjectsV2) is time order, and a
 * window can be listed from its start with `start-after` without reading anything earlier.
 */

/** Pattern of a segment's file name (the last path segment of its key). */
export const SEGMENT_NAME_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.ts$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  return (
    era * 146_097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719_468
  );
}

/** Decimal value of `name[from, to)` when every character is a digit, else -1. */
function digits(name: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const code = name.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

/**
 * Start time (epoch seconds, UTC) encoded in a segment file name, or undefined when it does not
 * parse (SEGMENT_NAME_PATTERN, a real calendar date, 1970 or later). Written without Date or
 * regular expressions: a 24-hour window parses ~2,900 names per request.
 */
export function parseSegmentName(name: string): number | undefined {
  return parseSegmentNameAt(name, 0);
}

/**
 * parseSegmentName for the file name that starts at `offset` in `key` and runs to its end
 * (a listed key after its prefix), without cutting it out first.
 */
export function parseSegmentNameAt(key: string, offset: number): number | undefined {
  if (
    key.length - offset !== 19 ||
    key.charCodeAt(offset + 8) !== 0x54 /* T */ ||
    key.charCodeAt(offset + 15) !== 0x5a /* Z */ ||
    !key.endsWith(".ts")
  ) {
    return undefined;
  }
  const year = digits(key, offset, offset + 4);
  const month = digits(key, offset + 4, offset + 6);
  const day = digits(key, offset + 6, offset + 8);
  const hour = digits(key, offset + 9, offset + 11);
  const minute = digits(key, offset + 11, offset + 13);
  const second = digits(key, offset + 13, offset + 15);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59) {
    return undefined;
  }
  if (second < 0 || second > 59) return undefined;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return undefined;
  return daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
}

/** The segment file name for a start time (epoch seconds; fractions are floored). */
export function formatSegmentName(epochSeconds: number): string {
  const iso = new Date(Math.floor(epochSeconds) * 1000).toISOString(); // 2024-01-02T03:04:05.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z.ts`;
}

/** Largest start time a segment name can express (9999-12-31T23:59:59Z). */
export const MAX_SEGMENT_TIME = Date.UTC(9999, 11, 31, 23, 59, 59) / 1000;

// ---------------------------------------------------------------------------------------------
// Query parameters

/**
 * Parses a time parameter: epoch seconds (`1700000000`, `1700000000.5`) or ISO 8601 with an
 * explicit time zone (`2024-01-02T03:04:05Z`, `2024-01-02T12:04:05.250+09:00`, basic format
 * `20240102T030405Z`). A time without a zone is rejected: guessing the recorder's zone shifts the
 * window by hours. Returns epoch seconds, or undefined when the value is not a time.
 */
export function parseTimeParameter(value: string): number | undefined {
  if (/^\d{1,12}(\.\d{1,9})?$/.test(value)) {
    const seconds = Number(value);
    return seconds <= MAX_SEGMENT_TIME ? seconds : undefined;
  }
  // ISO 8601 extended (2024-01-02T03:04:05+09:00) or basic (20240102T030405Z) format, not mixed.
  const match =
    /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}(?::\d{2})?)$/i.exec(value) ??
    /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}(?:\d{2})?)$/i.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fraction = match[7] ?? "";
  const zone = match[8]!;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 || year < 1970) return undefined;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 31 February over into March: reject dates that do not round-trip.
  if (new Date(ms).getUTCDate() !== day) return undefined;
  if (zone.toUpperCase() !== "Z") {
    const zoneHours = Number(zone.slice(1, 3));
    const zoneMinutes = Number(zone.slice(3).replace(":", "") || "0");
    if (zoneHours > 23 || zoneMinutes > 59) return undefined;
    const offsetMs = (zoneHours * 60 + zoneMinutes) * 60_000;
    ms += zone.startsWith("+") ? -offsetMs : offsetMs;
  }
  const seconds = ms / 1000 + (fraction === "" ? 0 : Number(`0${fraction}`));
  return seconds >= 0 && seconds <= MAX_SEGMENT_TIME ? seconds : undefined;
}

/** Why a window request is rejected (each maps to a 400 with this message). */
export type WindowProblem =
  | { kind: "missing-start"; message: string }
  | { kind: "bad-time"; parameter: "start" | "end"; message: string }
  | { kind: "end-before-start"; message: string }
  | { kind: "too-long"; message: string };

/** A resolved window: [start, end) in epoch seconds. */
export interface RecordingWindow {
  start: number;
  end: number;
  /** False while segments may still be added: the window reaches now (or ended too recently). */
  settled: boolean;
}

export interface WindowLimits {
  segmentSeconds: number;
  maxWindowSeconds: number;
}

/**
 * Resolves `start`/`end` query values into a window. `start` is required; without `end` the
 * window is `start + maxWindowSeconds` (a live window that ends - with EXT-X-ENDLIST - once that
 * much has been recorded). Fractions are widened to whole seconds (start floored, end ceiled),
 * the resolution of segment names.
 *
 * A window is settled (final, cacheable, VOD) once `now >= end + 2 * segmentSeconds`: by then
 * the segment that was being recorded at `end` has been closed and uploaded.
 */
export function resolveWindow(
  query: { start?: string; end?: string },
  nowSeconds: number,
  limits: WindowLimits,
): RecordingWindow | WindowProblem {
  if (query.start === undefined || query.start === "") {
    return {
      kind: "missing-start",
      message: "Parameter start is required (ISO 8601 with a time zone, or epoch seconds).",
    };
  }
  const startValue = parseTimeParameter(query.start);
  if (startValue === undefined) {
    return {
      kind: "bad-time",
      parameter: "start",
      message: "Parameter start is not a time (ISO 8601 with a time zone, or epoch seconds).",
    };
  }
  let endValue: number;
  if (query.end === undefined || query.end === "") {
    endValue = startValue + limits.maxWindowSeconds;
  } else {
    const parsed = parseTimeParameter(query.end);
    if (parsed === undefined) {
      return {
        kind: "bad-time",
        parameter: "end",
        message: "Parameter end is not a time (ISO 8601 with a time zone, or epoch seconds).",
      };
    }
    endValue = parsed;
  }
  if (endValue <= startValue) return { kind: "end-before-start", message: "Parameter end must be after start." };
  const start = Math.floor(startValue);
  const end = Math.ceil(endValue);
  if (end - start > limits.maxWindowSeconds) {
    return {
      kind: "too-long",
      message: `The window is longer than the maximum of ${limits.maxWindowSeconds} seconds.`,
    };
  }
  return { start, end, settled: nowSeconds >= end + 2 * limits.segmentSeconds };
}

/** Type guard for resolveWindow's result. */
export function isWindowProblem(value: RecordingWindow | WindowProblem): value is WindowProblem {
  return "kind" in value;
}

// ---------------------------------------------------------------------------------------------
// Listing bounds

/**
 * The longest duration a segment is given from its successor's start; a longer distance to the
 * next segment means segments are missing (a gap). 1.5 segment lengths tolerates the recorder
 * cutting late on a keyframe while still catching one missing segment.
 */
export function maxSegmentSpan(segmentSeconds: number): number {
  return Math.floor(segmentSeconds * 1.5);
}

/**
 * ListObjectsV2 `start-after` for a window: the name of a segment that would start one (maximum)
 * segment span before the window. start-after is exclusive, so the first key listed is the first
 * segment that can still contain the window's start: a window that starts inside a segment
 * includes that segment, and nothing earlier in the archive is read.
 */
export function listingStartAfter(keyPrefix: string, windowStart: number, segmentSeconds: number): string {
  return keyPrefix + formatSegmentName(Math.max(0, windowStart - maxSegmentSpan(segmentSeconds)));
}

/**
 * The first key at or after which listing can stop: the name of a segment starting at the
 * window's end. Keys sort as names do, so any key >= this one starts at or after the end (or is
 * not a segment at all, and keys after it can only be later still).
 */
function windowEndKey(keyPrefix: string, windowEnd: number): string {
  return keyPrefix + formatSegmentName(windowEnd);
}

/** Whether listing can stop at a key (see windowEndKey), with the end key built once per window. */
export function pastWindow(keyPrefix: string, windowEnd: number): (key: string) => boolean {
  const endKey = windowEndKey(keyPrefix, windowEnd);
  return (key) => !key.startsWith(keyPrefix) || key >= endKey;
}

/** ListObjectsV2 MaxKeys for a window: its expected segment count plus the lookback and margin, at most 1000. */
export function listingPageSize(window: { start: number; end: number }, segmentSeconds: number): number {
  return Math.min(1000, Math.ceil((window.end - window.start) / segmentSeconds) + 4);
}

// ---------------------------------------------------------------------------------------------
// Window -> playlist

/** A listed segment object. */
export interface ArchivedSegment {
  key: string;
  /** Start time from the name (epoch seconds). */
  start: number;
}

/** A segment placed in a window, with its duration and whether a gap precedes it. */
export interface WindowSegment extends ArchivedSegment {
  duration: number;
  discontinuity: boolean;
}

/**
 * A live window's listing is split at the last whole hour that has settled (see liveHeadBoundary):
 * the head before it never changes and is listed once per hour from the edge cache, so a player
 * reloading a day-long live window every 15 s costs one S3 call for the tail, not the whole day.
 */
export const LIVE_HEAD_GRANULARITY_SECONDS = 3600;

/**
 * The last whole hour before which every segment has been closed and uploaded: now minus two
 * segment lengths (the rule a settled window uses), floored to the hour. One definition for the
 * live head below and the day indexes' covered-until (./recording-index.ts).
 */
export function settledHour(nowSeconds: number, segmentSeconds: number): number {
  const settledUntil = Math.floor(nowSeconds) - 2 * segmentSeconds;
  return Math.floor(settledUntil / LIVE_HEAD_GRANULARITY_SECONDS) * LIVE_HEAD_GRANULARITY_SECONDS;
}

/**
 * Where a live window's settled head ends: the last whole hour at or before which every segment
 * has been closed and uploaded (now minus two segment lengths, the rule a settled window uses),
 * when that lies inside the window. Undefined when the window has no settled whole hour; it is
 * then listed whole.
 */
export function liveHeadBoundary(
  window: { start: number; end: number },
  nowSeconds: number,
  segmentSeconds: number,
): number | undefined {
  const boundary = settledHour(nowSeconds, segmentSeconds);
  return boundary > window.start && boundary < window.end ? boundary : undefined;
}

/**
 * The segments of a window listed in two parts at `boundary`: those of the head (its listing of
 * [start, boundary)) that start before the boundary, then those of the tail (its listing of
 * [boundary, end)) that start at or after it. Each listing also holds neighbours of its range
 * (the head a look-ahead past the boundary, the tail a look-back before it); each segment is
 * taken from the one listing whose range holds it, so the result is what one listing of the
 * whole window holds. Both inputs are sorted by start, and so is the result.
 */
export function joinAtBoundary(
  head: readonly ArchivedSegment[],
  tail: readonly ArchivedSegment[],
  boundary: number,
): ArchivedSegment[] {
  const joined: ArchivedSegment[] = [];
  for (const segment of head) {
    if (segment.start >= boundary) break;
    joined.push(segment);
  }
  for (const segment of tail) if (segment.start >= boundary) joined.push(segment);
  return joined;
}

/**
 * Places sorted segments into a window: durations from the next segment's start (the configured
 * length for the last one, and before a gap), a discontinuity after each gap, and only segments
 * that overlap [start, end). `segments` must be sorted by start and unique.
 */
export function placeSegments(
  segments: readonly ArchivedSegment[],
  window: { start: number; end: number },
  segmentSeconds: number,
): WindowSegment[] {
  const span = maxSegmentSpan(segmentSeconds);
  const placed: WindowSegment[] = [];
  let previousKept: WindowSegment | undefined;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment.start >= window.end) break;
    const next = segments[i + 1];
    const delta = next === undefined ? undefined : next.start - segment.start;
    const duration = delta !== undefined && delta > 0 && delta <= span ? delta : segmentSeconds;
    if (segment.start + duration <= window.start) continue;
    // RFC 8216 §4.3.2.3: a discontinuity is required where the timestamp sequence changes, which
    // is what a missing segment is. The first segment of the playlist needs none.
    const discontinuity = previousKept !== undefined && segment.start - previousKept.start > span;
    // Written out rather than spread: a spread copy is several times slower per segment.
    const entry: WindowSegment = { key: segment.key, start: segment.start, duration, discontinuity };
    placed.push(entry);
    previousKept = entry;
  }
  return placed;
}

/**
 * Media sequence number of a segment from its start time (not its list position), so the same
 * segment keeps the same number in every window and across live reloads (§6.2.2, §6.3.5).
 */
export function mediaSequenceFor(start: number, segmentSeconds: number): number {
  return Math.floor(start / segmentSeconds);
}

/** EXT-X-TARGETDURATION of a window: its longest duration (at least the configured length), rounded up (§4.3.3.1). */
export function windowTargetDuration(segments: readonly WindowSegment[], segmentSeconds: number): number {
  let longest = segmentSeconds;
  // Indexed, not for-of: a week's ~20,000 segments, and the loop is not always inlined (callgrind).
  for (let i = 0; i < segments.length; i++) if (segments[i]!.duration > longest) longest = segments[i]!.duration;
  return Math.max(1, Math.ceil(longest));
}

/**
 * Validates a `stream` parameter (a camera's sub-prefix): one or more path segments of letters,
 * digits, `.`, `_` and `-`, separated by `/`, none of them `.` or `..`. Anything else (path
 * tricks like `../`, encoded slashes, control characters, spaces) is refused rather than cleaned.
 */
export function isValidStreamName(stream: string): boolean {
  if (stream.length === 0 || stream.length > 200) return false;
  return stream.split("/").every((part) => /^[A-Za-z0-9._-]+$/.test(part) && part !== "." && part !== "..");
}
