/**
 * Reading a recorder window's segments from S3: the index's settled hour blocks where there are
 * some (worker/hls/recording-index.ts), ListObjectsV2 elsewhere. Every read of one phase runs in
 * parallel, so a window costs one S3 round trip of latency whatever its length when it is indexed
 * (Range GETs of its hours and the live tail's listing together), and two when parts the index
 * should have held must be listed.
 *
 * Listings of long ranges are cut into slices of at most LIST_SLICE_SEGMENTS expected segments,
 * each listed from a start key computed from its start time (segment names are times), all at
 * once: the continuation tokens of one long listing would make them sequential.
 */
import type { AwsEdgeClient } from "../aws/client.ts";
import { getObjectRangeText, listObjectsUntil, type ListedObject, type PageBudget } from "../aws/s3.ts";
import { ApiError } from "../http/errors.ts";
import { log } from "../http/log.ts";
import {
  blockHour,
  blocksBetween,
  indexBlockLines,
  indexByteRange,
  indexReads,
  isOpenBlock,
  keyIndexText,
  planArchiveReads,
  readIndexBlock,
  recordingIndexKey,
  settledHour,
} from "../hls/recording-index.ts";
import {
  formatSegmentName,
  listingPageSize,
  listingStartAfter,
  maxSegmentSpan,
  parseSegmentNameAt,
  pastWindow,
  type ArchivedSegment,
} from "../hls/recordings.ts";

/** Where a stream's archive is and how to read it. */
export interface ArchiveSource {
  aws: AwsEdgeClient;
  bucket: string;
  /** The stream's key prefix (`<RECORDINGS_PREFIX>/[<stream>/]`). */
  prefix: string;
  segmentSeconds: number;
  /** Read the day indexes (RECORDINGS_INDEX=on); off: list everything. */
  useIndex: boolean;
  /** The request's clock: no segment starts after it, so the future part of a live window is one slice. */
  nowSeconds: number;
  requestId?: string;
}

/**
 * Expected segments per listing slice: a slice plus its lookback, look-ahead and a few strays fits
 * one 1,000-key page, so each slice is usually one call.
 */
export const LIST_SLICE_SEGMENTS = 992;

/** A listed range: keys after `afterKey`, segments before time `until`, plus the first at/after it when `lookAhead`. */
interface ListRange {
  after: number;
  /** Exclusive start key of the first slice; later slices start at their own time. */
  afterKey: string;
  until: number;
  lookAhead: boolean;
}

/** One slice: keys > startAfter and < the key of `until`; `minKey` drops keys an earlier slice holds. */
async function listSlice(
  source: ArchiveSource,
  slice: { startAfter: string; minKey?: string; from: number; until: number; lookAhead: boolean },
  budget: PageBudget,
  maxPages: number,
): Promise<ListedObject[]> {
  const { prefix, segmentSeconds } = source;
  const maxKeys = listingPageSize({ start: slice.from, end: slice.until }, segmentSeconds);
  const { objects, next, exhausted } = await listObjectsUntil(
    source.aws,
    // Sub-streams are folders under the prefix: "/" keeps their keys out of this stream's listing.
    { bucket: source.bucket, prefix, delimiter: "/", startAfter: slice.startAfter, maxKeys },
    pastWindow(prefix, slice.until),
    budget,
  );
  if (exhausted) {
    log("warn", "recordings: listing stopped at its page limit", {
      request_id: source.requestId,
      prefix,
      max_pages: maxPages,
    });
    throw new ApiError(422, "Window holds too many objects.", {
      details: { reason: `more than ${maxPages} listing pages; objects other than segments crowd this range` },
    });
  }
  const kept = slice.minKey === undefined ? objects : objects.filter((object) => object.key >= slice.minKey!);
  if (slice.lookAhead && next !== undefined) kept.push(next);
  return kept;
}

/**
 * The segments of a range, listed in parallel slices. Keys whose names do not parse are skipped
 * and counted in one log line (not one per key).
 */
async function listRange(source: ArchiveSource, range: ListRange): Promise<ArchivedSegment[]> {
  const sliceSeconds = LIST_SLICE_SEGMENTS * source.segmentSeconds;
  // Slices cut the past only: the future part of a live window (empty, but for a recorder whose
  // clock runs ahead) is left to the last slice.
  const sliced = Math.min(range.until, Math.max(range.after + 1, Math.floor(source.nowSeconds)));
  const sliceCount = Math.max(1, Math.ceil((sliced - range.after) / sliceSeconds));
  // The range's pages: one per slice, plus two for the lookback, look-ahead and a few stray
  // objects, shared by the slices (a crowded slice may read more while the others need one).
  const maxPages = sliceCount + 2;
  const budget: PageBudget = { pages: maxPages - sliceCount };
  const slices: Array<Promise<ListedObject[]>> = [];
  for (let slice = 0; slice < sliceCount; slice++) {
    const from = range.after + slice * sliceSeconds;
    const last = slice === sliceCount - 1;
    const until = last ? range.until : from + sliceSeconds;
    const first = slice === 0;
    // A later slice lists from the name of the second before its start, and keeps keys from its start's name.
    const minKey = first ? undefined : source.prefix + formatSegmentName(from);
    const startAfter = first ? range.afterKey : source.prefix + formatSegmentName(from - 1);
    const lookAhead = last && range.lookAhead;
    slices.push(listSlice(source, { startAfter, minKey, from, until, lookAhead }, budget, maxPages));
  }
  const segments: ArchivedSegment[] = [];
  const skipped: string[] = [];
  for (const objects of await Promise.all(slices)) {
    for (const object of objects) {
      const start = parseSegmentNameAt(object.key, source.prefix.length);
      if (start === undefined) skipped.push(object.key);
      else segments.push({ key: object.key, start });
    }
  }
  if (skipped.length > 0) {
    log("warn", "recordings: skipped objects whose names are not segment names", {
      request_id: source.requestId,
      count: skipped.length,
      // A few examples are enough to find the writer; JSON escaping keeps odd characters harmless.
      examples: skipped.slice(0, 3),
      expected: "<prefix>/[<stream>/]YYYYMMDDTHHMMSSZ.ts",
    });
  }
  return segments;
}

/**
 * What one listing of a window holds: the segments from start-after (one maximum segment span
 * before the start: the first segment that can still contain it) to the end, plus the first
 * segment at or after the end (the look-ahead that gives the last segment its real duration).
 */
export function listWindow(source: ArchiveSource, window: { start: number; end: number }): Promise<ArchivedSegment[]> {
  const { prefix, segmentSeconds } = source;
  return listRange(source, {
    after: Math.max(0, window.start - maxSegmentSpan(segmentSeconds)),
    afterKey: listingStartAfter(prefix, window.start, segmentSeconds),
    until: window.end,
    lookAhead: true,
  });
}

/**
 * The settled blocks of one span's object for [from, to) (inside its hours, carried ones
 * included), by hour: one Range GET of exactly those hours' blocks. A missing object, a range past
 * its end or a block that does not read (formats 1 and 2, damage) leaves its hours out: they are
 * listed.
 */
async function readIndexBlocks(
  source: ArchiveSource,
  span: number,
  range: { from: number; to: number },
): Promise<Map<number, ArchivedSegment[]>> {
  const { first, end } = blocksBetween(span, range.from, range.to);
  const key = recordingIndexKey(source.prefix, span);
  const text = await getObjectRangeText(source.aws, {
    bucket: source.bucket,
    key,
    range: indexByteRange(first, end, source.segmentSeconds),
  });
  const blocks = new Map<number, ArchivedSegment[]>();
  if (text === undefined) return blocks;
  const lines = indexBlockLines(source.segmentSeconds);
  const keyed = keyIndexText(text.text, source.prefix);
  // A server that ignores Range sends the whole object (200): its blocks start at their own offsets.
  const base = text.whole ? 0 : first * lines;
  let unreadable = 0;
  for (let block = first; block < end; block++) {
    const hour = blockHour(span, block);
    const segments = readIndexBlock(keyed, block * lines - base, hour, lines);
    if (segments !== undefined) blocks.set(hour, segments);
    // An open block (the indexer has not rewritten the span since the hour settled) is normal.
    else if (!isOpenBlock(keyed, block * lines - base, hour)) unreadable++;
  }
  if (unreadable > 0) {
    log("warn", "recordings: ignoring index blocks that do not read (format 1, damage); listing those hours", {
      request_id: source.requestId,
      key,
      unreadable,
    });
  }
  return blocks;
}

/** The segments starting in [from, to): listed from the key of `from` on, no look-ahead. */
function listBetween(source: ArchiveSource, from: number, to: number): Promise<ArchivedSegment[]> {
  return listRange(source, {
    after: from,
    afterKey: source.prefix + formatSegmentName(Math.max(0, from - 1)),
    until: to,
    lookAhead: false,
  });
}

/**
 * The segments a window's playlist needs: those starting in [start - span, end + span), which
 * place exactly as one listing of the window does (placeSegments skips a segment ending before
 * the start and takes durations only from a successor at most a span later). With the index:
 * phase one Range-GETs the settled hours' blocks of the spans the range touches (at most 5 for
 * a week; a lookback or look-ahead that crosses into another span is read from the carried hours
 * of the others, indexReads) and, in parallel, lists the live tail; phase two lists whatever no
 * settled block covers (nothing when the indexer kept up). Without it, listWindow.
 * `lookAhead: false` reads up to the end only (a live head, whose tail is read separately).
 */
export async function windowArchive(
  source: ArchiveSource,
  window: { start: number; end: number },
  nowSeconds: number,
  lookAhead = true,
): Promise<ArchivedSegment[]> {
  if (!source.useIndex) return listWindow(source, window);
  const span = maxSegmentSpan(source.segmentSeconds);
  const from = Math.max(0, window.start - span);
  const to = lookAhead ? window.end + span : window.end;
  const settled = settledHour(nowSeconds, source.segmentSeconds);
  const indexedTo = Math.max(from, Math.min(to, settled));
  const reads = from < indexedTo ? indexReads(from, indexedTo) : [];
  const [read, tail] = await Promise.all([
    Promise.all(reads.map((part) => readIndexBlocks(source, part.span, part))),
    indexedTo < to ? listBetween(source, indexedTo, to) : Promise.resolve([]),
  ]);
  const blocks = new Map<number, ArchivedSegment[]>();
  for (const spanBlocks of read) for (const [hour, segments] of spanBlocks) blocks.set(hour, segments);
  const pieces = planArchiveReads(from, indexedTo, (hour) => blocks.get(hour));
  const parts = await Promise.all(
    pieces.map((piece) => (piece.source === "list" ? listBetween(source, piece.from, piece.to) : piece.segments)),
  );
  // One copy of every segment into the result (a week is ~170 hour blocks).
  return ([] as ArchivedSegment[]).concat(...parts, tail);
}
