/**
 * The recorder archive's index: one small object per stream and two UTC days (INDEX_SPAN_SECONDS)
 * that lists their segment names, so a settled window is read with one GET per span instead of one
 * ListObjectsV2 page per 1,000 segments, all in parallel (docs/recording-index.md).
 *
 * Object: `<stream prefix>~index/YYYYMMDD.txt` (the span's first day) (`~` cannot occur in a stream name, so the index
 * folder is never a stream, and it sorts after every segment name, so it never enters a window's
 * listing). Body: fixed-width lines of INDEX_LINE_BYTES bytes. Line 0 is the header
 * `#1 <covered-until, epoch seconds, 16 digits>`; every other line is one segment file name
 * (`YYYYMMDDTHHMMSSZ.ts`, 19 characters), ascending. The index is trusted for the segments that
 * start in [day start, covered-until) only: the indexer sets covered-until to the last whole hour
 * that had settled (see settledHour) when it listed the day, and rewrites the day whenever a
 * segment of it is created, so a late upload makes it list the day again.
 *
 * Pure: written by aws-lambdas/recording-index, read by the Worker (worker/recordings/archive.ts).
 */
import { formatSegmentName, parseSegmentNameAt, type ArchivedSegment } from "./recordings.ts";

export { settledHour } from "./recordings.ts";

/** Bytes per line: 19 characters + "\n". Fixed width, so a line's offset is its number times this. */
export const INDEX_LINE_BYTES = 20;
const HEADER_TAG = "#1 ";
/**
 * Each index object covers two UTC days (starting on an even day number since 1970): a week's
 * window (up to 8 days with its lookback and look-ahead) then touches at most 5 of them, which fit
 * in one round of Workers' 6 simultaneous connections per request together with the live tail's
 * listing. https://developers.cloudflare.com/workers/platform/limits/#simultaneous-open-connections
 */
export const INDEX_SPAN_SECONDS = 2 * 86_400;

/** Folder of the index objects inside a stream's prefix. */
export const INDEX_FOLDER = "~index/";

/** The index object of the span holding `epochSeconds` (named by its first day), for the stream at `streamPrefix`. */
export function recordingIndexKey(streamPrefix: string, epochSeconds: number): string {
  const iso = new Date(spanStart(epochSeconds) * 1000).toISOString();
  return `${streamPrefix}${INDEX_FOLDER}${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}.txt`;
}

/** Start of the index span holding `epochSeconds`. */
export function spanStart(epochSeconds: number): number {
  return Math.floor(epochSeconds / INDEX_SPAN_SECONDS) * INDEX_SPAN_SECONDS;
}

/** Starts of the index spans that [from, to) touches. */
export function spansBetween(from: number, to: number): number[] {
  const spans: number[] = [];
  for (let span = spanStart(from); span < to; span += INDEX_SPAN_SECONDS) spans.push(span);
  return spans;
}

/** The body of a day's index: the header, then the sorted segment file names. */
export function serializeRecordingIndex(names: readonly string[], coveredUntil: number): string {
  let body = `${HEADER_TAG}${String(Math.floor(coveredUntil)).padStart(16, "0")}\n`;
  for (const name of names) {
    if (name.length !== INDEX_LINE_BYTES - 1) throw new Error(`not a segment file name: ${JSON.stringify(name)}`);
    body += `${name}\n`;
  }
  return body;
}

/** A day's index as read: until when it is trusted, and its text (lines cut lazily). */
export interface RecordingIndex {
  coveredUntil: number;
  text: string;
}

/** Reads an index body; undefined when it is not one (wrong header or width): the day is then listed. */
export function parseRecordingIndex(text: string): RecordingIndex | undefined {
  if (text.length % INDEX_LINE_BYTES !== 0 || !text.startsWith(HEADER_TAG)) return undefined;
  const digits = text.slice(HEADER_TAG.length, INDEX_LINE_BYTES - 1);
  if (!/^\d{16}$/.test(digits)) return undefined;
  return { coveredUntil: Number(digits), text };
}

/** Number of the first line (>= 1) whose name is >= `name` (binary search over the fixed-width lines). */
function lowerLine(text: string, name: string): number {
  let low = 1;
  let high = text.length / INDEX_LINE_BYTES;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const offset = mid * INDEX_LINE_BYTES;
    if (text.slice(offset, offset + INDEX_LINE_BYTES - 1) < name) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The index's segments that start in [from, to), as keys under `streamPrefix`; undefined when a
 * line in that range is not a segment name (a damaged index: the caller lists instead). Only the
 * lines in range are parsed; they are found by binary search, as the lines are fixed-width.
 */
export function indexSegments(
  index: RecordingIndex,
  streamPrefix: string,
  from: number,
  to: number,
): ArchivedSegment[] | undefined {
  const { text } = index;
  const first = lowerLine(text, formatSegmentName(from));
  const last = lowerLine(text, formatSegmentName(to));
  const segments = new Array<ArchivedSegment>(Math.max(0, last - first));
  for (let line = first; line < last; line++) {
    const offset = line * INDEX_LINE_BYTES;
    const name = text.slice(offset, offset + INDEX_LINE_BYTES - 1);
    const start = parseSegmentNameAt(name, 0);
    if (start === undefined) return undefined;
    segments[line - first] = { key: streamPrefix + name, start };
  }
  return segments;
}

/** One part of a range: read from a day's index, or listed. */
export type ArchivePiece =
  { source: "index"; day: number; from: number; to: number } | { source: "list"; from: number; to: number };

/**
 * How to read [from, to) given the day indexes that were found (`coveredUntil` per day start;
 * absent = no usable index) and the settled hour: each day's trusted part, [day, min(day end,
 * covered-until, settled hour)), from its index; everything else (untrusted parts, days without an
 * index, the live tail) listed, adjacent listed parts merged. Pieces are in time order and tile [from, to).
 */
export function planArchiveReads(
  from: number,
  to: number,
  settled: number,
  coveredUntil: ReadonlyMap<number, number>,
): ArchivePiece[] {
  const pieces: ArchivePiece[] = [];
  const list = (a: number, b: number) => {
    if (a >= b) return;
    const previous = pieces[pieces.length - 1];
    if (previous?.source === "list" && previous.to === a) previous.to = b;
    else pieces.push({ source: "list", from: a, to: b });
  };
  for (const day of spansBetween(from, to)) {
    const a = Math.max(from, day);
    const b = Math.min(to, day + INDEX_SPAN_SECONDS);
    const trusted = Math.min(b, settled, coveredUntil.get(day) ?? day);
    if (trusted > a) pieces.push({ source: "index", day, from: a, to: trusted });
    list(Math.max(a, trusted), b);
  }
  return pieces;
}
