/**
 * recording-index: keeps one index object per recorder stream and two-day span (format and rules
 * in worker/hls/recording-index.ts; design in docs/recording-index.md).
 *
 * Every segment the recorder uploads (or uploads late), and every segment deleted or expired by a
 * lifecycle rule (an index that listed it would send players to a segment that is gone), triggers
 * a rebuild of the index objects that hold its hour (its span's, and the neighbour's that carries
 * it when it is the first or last hour of its span): the object's hours are listed (about 6
 * ListObjectsV2 pages of 30-s segments) and the index rewritten, its hour blocks settled up to the
 * last settled hour. Rebuilding rather than appending makes the index right whatever order or
 * number of times S3 delivers the events (at least once, unordered:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html).
 *
 * Concurrent rebuilds of one day are ordered with S3 conditional writes: the index's ETag is read
 * before listing and the write is conditional on it (If-Match, or If-None-Match: * for a new day),
 * so a rebuild that listed before another one wrote cannot overwrite it. The rebuild that lost
 * then reads what the winner wrote (the blocks of its event's segments, one Range GET): if that
 * already says what the event says (lists the created segments, not the removed ones), its work
 * is done; else it lists again. A burst of uploads (a recorder sending the hour it buffered while
 * offline) is a burst of concurrent rebuilds of one span. Each finds its segments as its event
 * says after its second lost race at the latest: the rebuild that beat its second attempt had read
 * the object after the first winner wrote, so after this segment was uploaded (or removed), and
 * listed what was there (S3's ETag is the body's MD5: this holds unless a write brings back a body
 * the object had before, docs/recording-index.md). Before, a rebuild gave up after three lost
 * races, and in such a burst many did: their events were retried, then landed in the function's
 * failure queue.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
 *
 * S3 is reached through ../shared/s3-objects.ts (signed requests without the S3 client), which the
 * reindex command shares with any credentials it is given.
 */
import {
  blockHour,
  blocksBetween,
  indexBlockLines,
  indexByteRange,
  indexCoveredUntil,
  indexObjectHours,
  keyIndexText,
  type KeyedIndexText,
  readIndexBlock,
  recordingIndexKey,
  serializeRecordingIndex,
  spansHolding,
} from "../../worker/hls/recording-index.ts";
import { formatSegmentName, parseSegmentName } from "../../worker/hls/recordings.ts";
import { describeError, type Log } from "../shared/logger.ts";
import { S3RequestError, type S3Objects } from "../shared/s3-objects.ts";
import { normaliseS3Events } from "../shared/s3-events.ts";
import type { RecordingIndexConfig } from "./config.ts";

/** Rebuilds of one day that lost a conditional write before giving up (Lambda then retries the event). */
const MAX_WRITE_ATTEMPTS = 3;

/** One index span (two days, named by its first) of one stream to rebuild. */
export interface IndexDay {
  bucket: string;
  /** `<RECORDINGS_PREFIX>/[<stream>/]` */
  streamPrefix: string;
  day: number;
}

/** What an event says of a span's segments (start times): these were created, those removed. */
export interface SegmentChanges {
  listed: number[];
  removed: number[];
}

/** A span an event asks to rebuild, with what the event says of the segments it holds. */
export interface EventSpan extends IndexDay {
  changes: SegmentChanges;
}

/**
 * The spans whose index objects hold an event's segments (each once), created or removed (deleted,
 * or expired by a lifecycle rule: a removed segment must leave the index); other keys are ignored.
 */
export function daysToIndex(event: unknown, config: RecordingIndexConfig): EventSpan[] {
  const days = new Map<string, EventSpan>();
  const { objects, removed } = normaliseS3Events(event, { removals: true });
  const records = [
    ...objects.map((object) => ({ object, change: "listed" as const })),
    ...removed.map((object) => ({ object, change: "removed" as const })),
  ];
  for (const { object, change } of records) {
    if (!object.key.startsWith(config.recordingsFolder)) continue;
    const slash = object.key.lastIndexOf("/");
    const start = parseSegmentName(object.key.slice(slash + 1));
    if (start === undefined) continue;
    const streamPrefix = object.key.slice(0, slash + 1);
    for (const day of spansHolding(start)) {
      const id = `${object.bucket}\n${streamPrefix}\n${day}`;
      const span = days.get(id) ?? { bucket: object.bucket, streamPrefix, day, changes: { listed: [], removed: [] } };
      if (!span.changes[change].includes(start)) span.changes[change].push(start);
      days.set(id, span);
    }
  }
  return [...days.values()];
}

/**
 * The segment file names of a span's index object (its hours and the carried ones), ascending (S3
 * lists keys in UTF-8 binary order, which is time order).
 */
export async function listDay(s3: S3Objects, target: IndexDay): Promise<string[]> {
  const { bucket, streamPrefix, day } = target;
  const hours = indexObjectHours(day);
  // Every name of the first hour starts with "YYYYMMDDTHH" + "MMSS...": listing starts right before them.
  const startAfter = streamPrefix + formatSegmentName(hours.from).slice(0, 11);
  const endKey = streamPrefix + formatSegmentName(hours.to);
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.listObjectsV2({
      bucket,
      prefix: streamPrefix,
      delimiter: "/",
      ...(token ? { continuationToken: token } : { startAfter }),
    });
    for (const { key } of page.objects) {
      if (key >= endKey) return names;
      const name = key.slice(streamPrefix.length);
      const start = parseSegmentName(name);
      if (start !== undefined && start >= hours.from) names.push(name);
    }
    token = page.isTruncated ? page.nextContinuationToken : undefined;
  } while (token);
  return names;
}

/** Whether a write lost a race: its condition failed (412) or a concurrent conditional write won (409). */
function lostRace(error: unknown): boolean {
  return error instanceof S3RequestError && (error.status === 412 || error.status === 409);
}

/** Whether a read failed because the range is not there (416: a shorter object, of an older format). */
function rangeAbsent(error: unknown): boolean {
  return error instanceof S3RequestError && error.status === 416;
}

/**
 * Blocks [first, end) of a span's index object, read with one Range GET (the indexer's race check,
 * `npm run reindex --only-stale`); undefined when there is no object, or it is too short to hold
 * them (an older format).
 */
export async function readSpanBlocks(
  s3: S3Objects,
  target: IndexDay,
  blocks: { first: number; end: number },
  segmentSeconds: number,
): Promise<KeyedIndexText | undefined> {
  try {
    const text = await s3.getObjectText({
      bucket: target.bucket,
      key: recordingIndexKey(target.streamPrefix, target.day),
      range: indexByteRange(blocks.first, blocks.end, segmentSeconds),
    });
    return text === undefined ? undefined : keyIndexText(text, "");
  } catch (error) {
    if (rangeAbsent(error)) return undefined;
    throw error;
  }
}

/**
 * Whether the span's object, as it is now, says what `changes` say: it lists every segment of
 * `listed` and none of `removed` (start times within the object's hours). One Range GET of the
 * blocks that hold them, each read settled or open (an hour with more segments than a block holds
 * is written open and empty: it lists none, and as the Worker never trusts an open block, what one
 * lists does not matter to playback). Nothing can be told from a block that does not read (an
 * older format, damage) or a missing object.
 */
export async function indexReflects(
  s3: S3Objects,
  target: IndexDay,
  changes: SegmentChanges,
  segmentSeconds: number,
): Promise<boolean> {
  const starts = [...changes.listed, ...changes.removed];
  const blockOf = (start: number) => blocksBetween(target.day, start, start).first;
  const first = Math.min(...starts.map(blockOf));
  const end = Math.max(...starts.map(blockOf)) + 1;
  const keyed = await readSpanBlocks(s3, target, { first, end }, segmentSeconds);
  if (keyed === undefined) return false;
  const lines = indexBlockLines(segmentSeconds);
  /** Whether the object lists the segment; undefined when its block does not read. */
  const lists = (start: number) => {
    const block = blockOf(start);
    const segments = readIndexBlock(keyed, (block - first) * lines, blockHour(target.day, block), lines, true);
    return segments?.some((segment) => segment.start === start);
  };
  return (
    changes.listed.every((start) => lists(start) === true) && changes.removed.every((start) => lists(start) === false)
  );
}

/** What a rebuild did. */
export type RebuildResult =
  /** It wrote the span's object, which lists `segments` segments. */
  | { outcome: "written"; segments: number }
  /** `skipEmpty`: the span has no segments and no object, and still has none. */
  | { outcome: "empty" }
  /** A concurrent rebuild wrote first, and its object already says what the `changes` say. */
  | { outcome: "covered" };

/** How a rebuild goes. */
export interface RebuildOptions {
  /**
   * Leave a span that has no segments and no index object without one (a backfill over a long
   * range would otherwise litter the bucket with empty objects).
   */
  skipEmpty?: boolean;
  /**
   * What the rebuild is for (an event's segments, created or removed). After a lost race, the
   * rebuild ends when the winner's object already says so. Without them (`npm run reindex`), it
   * lists again.
   */
  changes?: SegmentChanges;
}

/** Rebuilds one span's index object: the writer of both the Lambda and `npm run reindex`. */
export async function rebuildIndexObject(
  s3: S3Objects,
  target: IndexDay,
  config: RecordingIndexConfig,
  nowSeconds: number,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const key = recordingIndexKey(target.streamPrefix, target.day);
  const changes = options.changes ?? { listed: [], removed: [] };
  const awaitsChanges = changes.listed.length + changes.removed.length > 0;
  for (let attempt = 1; ; attempt++) {
    // The index's current ETag, or undefined when the span has none yet.
    const eTag = (await s3.headObject({ bucket: target.bucket, key }))?.eTag;
    const names = await listDay(s3, target);
    if (options.skipEmpty && eTag === undefined && names.length === 0) return { outcome: "empty" };
    const coveredUntil = indexCoveredUntil(target.day, nowSeconds, config.segmentSeconds);
    try {
      await s3.putObject({
        bucket: target.bucket,
        key,
        body: serializeRecordingIndex(names, {
          span: target.day,
          coveredUntil,
          segmentSeconds: config.segmentSeconds,
        }),
        contentType: "text/plain; charset=utf-8",
        ...(eTag === undefined ? { ifNoneMatch: "*" } : { ifMatch: eTag }),
      });
      return { outcome: "written", segments: names.length };
    } catch (error) {
      if (!lostRace(error)) throw error;
      if (awaitsChanges && (await indexReflects(s3, target, changes, config.segmentSeconds))) {
        return { outcome: "covered" };
      }
      if (attempt >= MAX_WRITE_ATTEMPTS) throw error;
    }
  }
}

/** What the handler did with an event's spans: written, already written by a concurrent rebuild, or left without an object. */
export interface IndexerResult {
  indexed: Array<IndexDay & { segments: number }>;
  covered: IndexDay[];
  /** Spans with no segments left and no index object (their segments were removed before it was written). */
  empty: IndexDay[];
}

/**
 * The handler: rebuilds every day the event's segments belong to. Each span is rebuilt on its own, so
 * one that fails (a segment of a span's first or last hour is in two objects) neither hides nor
 * blocks the others; then it throws the first failure, so Lambda retries the event (the rebuilds that
 * succeeded are repeated, harmlessly: a rebuild lists what is there) and, after its retries, hands
 * it to the failure queue. https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 */
export function createRecordingIndexHandler(deps: {
  config: RecordingIndexConfig;
  s3: S3Objects;
  log: Log;
  now?: () => number;
}): (event: unknown) => Promise<IndexerResult> {
  const now = deps.now ?? (() => Date.now() / 1000);
  return async (event) => {
    const result: IndexerResult = { indexed: [], covered: [], empty: [] };
    const failures: unknown[] = [];
    for (const { changes, ...target } of daysToIndex(event, deps.config)) {
      try {
        const rebuild = await rebuildIndexObject(deps.s3, target, deps.config, now(), { changes, skipEmpty: true });
        if (rebuild.outcome === "written") result.indexed.push({ ...target, segments: rebuild.segments });
        else result[rebuild.outcome].push(target);
      } catch (error) {
        deps.log.error("recording-index: rebuild failed", {
          key: recordingIndexKey(target.streamPrefix, target.day),
          ...describeError(error),
        });
        failures.push(error);
      }
    }
    deps.log.info("recording-index: days rebuilt", {
      days: result.indexed.length,
      covered: result.covered.length,
      empty: result.empty.length,
      failed: failures.length,
    });
    if (failures.length > 0) throw failures[0];
    return result;
  };
}
