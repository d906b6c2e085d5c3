/**
 * recording-index: keeps one index object per recorder stream and two-day span (format and rules
 * in worker/hls/recording-index.ts; design in docs/recording-index.md).
 *
 * Every segment the recorder uploads (or uploads late) triggers a rebuild of the index objects that
 * hold its hour (its span's, and the neighbour's that carries it when it is the first or last hour
 * of its span): the object's hours are listed (about 6 ListObjectsV2 pages of 30-s segments) and
 * the index rewritten, its hour blocks settled up to the last settled hour. Rebuilding rather than
 * appending makes the index right whatever order or number of times S3 delivers the events (at
 * least once, unordered: https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html).
 *
 * Concurrent rebuilds of one day are ordered with S3 conditional writes: the index's ETag is read
 * before listing and the write is conditional on it (If-Match, or If-None-Match: * for a new day),
 * so a rebuild that listed before another one wrote cannot overwrite it; it lists again.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
 *
 * S3 is reached through ../shared/s3-objects.ts (signed requests without the S3 client), which the
 * reindex command shares with any credentials it is given.
 */
import {
  indexCoveredUntil,
  indexObjectHours,
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

/** The spans whose index objects hold an event's segments (each once); other keys are ignored. */
export function daysToIndex(event: unknown, config: RecordingIndexConfig): IndexDay[] {
  const days = new Map<string, IndexDay>();
  for (const object of normaliseS3Events(event).objects) {
    if (!object.key.startsWith(config.recordingsFolder)) continue;
    const slash = object.key.lastIndexOf("/");
    const start = parseSegmentName(object.key.slice(slash + 1));
    if (start === undefined) continue;
    const streamPrefix = object.key.slice(0, slash + 1);
    for (const day of spansHolding(start)) {
      days.set(`${object.bucket}\n${streamPrefix}\n${day}`, { bucket: object.bucket, streamPrefix, day });
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

/** What a rebuild did: how many segments the span's object lists, and whether it was written. */
export interface RebuildResult {
  segments: number;
  written: boolean;
}

/**
 * Rebuilds one span's index object (the writer of both the Lambda and `npm run reindex`). With
 * `skipEmpty`, a span that has no segments and no index object yet is left without one (a backfill
 * over a long range would otherwise litter the bucket with empty objects): `written` is false.
 */
export async function rebuildIndexObject(
  s3: S3Objects,
  target: IndexDay,
  config: RecordingIndexConfig,
  nowSeconds: number,
  options: { skipEmpty?: boolean } = {},
): Promise<RebuildResult> {
  const key = recordingIndexKey(target.streamPrefix, target.day);
  for (let attempt = 1; ; attempt++) {
    // The index's current ETag, or undefined when the span has none yet.
    const eTag = (await s3.headObject({ bucket: target.bucket, key }))?.eTag;
    const names = await listDay(s3, target);
    if (options.skipEmpty && eTag === undefined && names.length === 0) return { segments: 0, written: false };
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
      return { segments: names.length, written: true };
    } catch (error) {
      if (!lostRace(error) || attempt >= MAX_WRITE_ATTEMPTS) throw error;
    }
  }
}

/** Rebuilds one day's index; returns how many segments it lists. */
export async function rebuildDay(
  s3: S3Objects,
  target: IndexDay,
  config: RecordingIndexConfig,
  nowSeconds: number,
): Promise<number> {
  return (await rebuildIndexObject(s3, target, config, nowSeconds)).segments;
}

/** The handler: rebuilds every day the event's segments belong to. Throws (so Lambda retries) when one fails. */
export function createRecordingIndexHandler(deps: {
  config: RecordingIndexConfig;
  s3: S3Objects;
  log: Log;
  now?: () => number;
}): (event: unknown) => Promise<{ indexed: Array<IndexDay & { segments: number }> }> {
  const now = deps.now ?? (() => Date.now() / 1000);
  return async (event) => {
    const indexed: Array<IndexDay & { segments: number }> = [];
    for (const target of daysToIndex(event, deps.config)) {
      try {
        const segments = await rebuildDay(deps.s3, target, deps.config, now());
        indexed.push({ ...target, segments });
      } catch (error) {
        deps.log.error("recording-index: rebuild failed", {
          key: recordingIndexKey(target.streamPrefix, target.day),
          ...describeError(error),
        });
        throw error;
      }
    }
    deps.log.info("recording-index: days rebuilt", { days: indexed.length });
    return { indexed };
  };
}
