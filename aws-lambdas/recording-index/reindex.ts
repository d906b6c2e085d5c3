/**
 * Rebuilding the recording index over a stretch of the archive (`npm run reindex`, local/reindex.ts):
 * after an upgrade from index formats 1/2 (refused by the Worker, so listed), and for footage
 * recorded before the indexer ran or while it was failing (never indexed: only an ObjectCreated
 * event rebuilds a span). Every span is rebuilt by the indexer's own writer (`rebuildIndexObject`:
 * the same listing, settled-hour rule and conditional write as the Lambda), so a reindexed object
 * is byte for byte what the Lambda writes for the same listing and clock.
 *
 * The plan is pure (`planReindex`); the reads that feed it (`discoverStreams`, `firstSegment`,
 * `isIndexCurrent`) and the run (`runReindex`) take their S3 access as an argument.
 *
 * That access is the Lambda's own (`S3Objects`, ../shared/s3-objects.ts), for the reads here as well
 * as for the rebuild, although this module never runs in a Lambda: the rebuild must be the
 * indexer's (same requests, retries and errors), and one kind of S3 access for the whole command
 * means one way its failures read and one thing for tests to stand in for. The command gives it the
 * credentials it finds (local/aws.ts: the SDK's providers for `--aws`, as the AWS CLI finds them).
 */
import {
  blockHour,
  indexBlockLines,
  indexCoveredUntil,
  indexObjectHours,
  INDEX_BLOCK_SECONDS,
  INDEX_FOLDER,
  isOpenBlock,
  readIndexBlock,
  recordingIndexKey,
  spansBetween,
} from "../../worker/hls/recording-index.ts";
import { parseSegmentName } from "../../worker/hls/recordings.ts";
import type { S3Objects } from "../shared/s3-objects.ts";
import type { RecordingIndexConfig } from "./config.ts";
import { readSpanBlocks, rebuildIndexObject, type IndexDay } from "./recording-index.ts";

/** A stream of the archive: its key prefix and the start of its first segment (none: no segment found). */
export interface ArchiveStream {
  /** `<RECORDINGS_PREFIX>/[<stream>/]` */
  streamPrefix: string;
  firstSegment?: number;
}

/** Names directly in a folder of the bucket, one delimiter listing page at a time. */
async function* folderPages(
  s3: S3Objects,
  bucket: string,
  folder: string,
  firstPageKeys?: number,
): AsyncGenerator<{ names: string[]; folders: string[] }> {
  let token: string | undefined;
  let first = true;
  do {
    const page = await s3.listObjectsV2({
      bucket,
      prefix: folder,
      delimiter: "/",
      ...(first && firstPageKeys !== undefined ? { maxKeys: firstPageKeys } : {}),
      ...(token ? { continuationToken: token } : {}),
    });
    first = false;
    yield {
      names: page.objects.map((object) => object.key.slice(folder.length)),
      folders: page.commonPrefixes.filter((prefix) => prefix !== ""),
    };
    token = page.isTruncated ? page.nextContinuationToken : undefined;
  } while (token);
}

/**
 * The start of the first segment directly under `streamPrefix` (S3 lists keys in UTF-8 binary
 * order, which for segment names is time order), or undefined when it holds none. One
 * ListObjectsV2 of one key when the stream's first key is a segment, as it is for a recorder's.
 */
export async function firstSegment(s3: S3Objects, bucket: string, streamPrefix: string): Promise<number | undefined> {
  for await (const page of folderPages(s3, bucket, streamPrefix, 1)) {
    for (const name of page.names) {
      const start = parseSegmentName(name);
      if (start !== undefined) return start;
    }
  }
  return undefined;
}

/**
 * Every stream under `recordingsFolder`: each folder (the folder itself too: the unnamed stream,
 * segments directly under RECORDINGS_PREFIX) that directly holds a segment, found by delimiter
 * listings of the folder and of every folder below it (stream names may hold "/"), skipping the
 * index folders. A listing pages through the segments directly in its folder (one call per 1,000
 * keys), so on a large archive name the streams with `--stream` instead.
 */
export async function discoverStreams(
  s3: S3Objects,
  bucket: string,
  recordingsFolder: string,
): Promise<ArchiveStream[]> {
  const streams: ArchiveStream[] = [];
  const folders = [recordingsFolder];
  while (folders.length > 0) {
    const folder = folders.shift()!;
    let first: number | undefined;
    for await (const page of folderPages(s3, bucket, folder)) {
      for (const name of page.names) first ??= parseSegmentName(name);
      folders.push(...page.folders.filter((sub) => sub !== folder + INDEX_FOLDER));
    }
    if (first !== undefined) streams.push({ streamPrefix: folder, firstSegment: first });
  }
  return streams.sort((a, b) => (a.streamPrefix < b.streamPrefix ? -1 : a.streamPrefix > b.streamPrefix ? 1 : 0));
}

/** One span of one stream to rebuild. */
export type ReindexTarget = IndexDay;

/**
 * The spans to rebuild: for each stream, every span holding a segment that starts in [from, to)
 * (`spansBetween`), `from` defaulting to the stream's first segment and `to` to now. A stream with
 * no segment and no `from` has nothing to index. Pure.
 */
export function planReindex(
  bucket: string,
  streams: readonly ArchiveStream[],
  range: { from?: number; to?: number; nowSeconds: number },
): ReindexTarget[] {
  const targets: ReindexTarget[] = [];
  for (const stream of streams) {
    const from = range.from ?? stream.firstSegment;
    if (from === undefined) continue;
    for (const day of spansBetween(from, range.to ?? range.nowSeconds)) {
      targets.push({ bucket, streamPrefix: stream.streamPrefix, day });
    }
  }
  return targets;
}

/**
 * Whether a span's index object is already what a rebuild now would trust: format 3, and settled
 * up to the last hour that has settled. Blocks are settled in hour order up to one hour
 * (`serializeRecordingIndex`), so one Range GET of one block (3 KB) tells: the block of the last
 * hour that should be settled is a valid settled block of that hour (or, when no hour of the object
 * can be settled yet, its first block is a valid open one). A block marked open because its hour
 * held more segments than a block can is never "current": that span is rebuilt every time (rare,
 * and only extra work). It cannot see a segment uploaded late into an hour already settled while
 * the indexer was failing: rebuild such a stretch without `--only-stale`.
 */
export async function isIndexCurrent(
  s3: S3Objects,
  target: ReindexTarget,
  config: RecordingIndexConfig,
  nowSeconds: number,
): Promise<boolean> {
  const hours = indexObjectHours(target.day);
  const coveredUntil = indexCoveredUntil(target.day, nowSeconds, config.segmentSeconds);
  const settledBlocks = Math.floor((coveredUntil - hours.from) / INDEX_BLOCK_SECONDS);
  const block = Math.max(0, settledBlocks - 1);
  const keyed = await readSpanBlocks(s3, target, { first: block, end: block + 1 }, config.segmentSeconds);
  // No object (404), or one too short for the block (an older format): nothing is current.
  if (keyed === undefined) return false;
  const hour = blockHour(target.day, block);
  if (settledBlocks === 0) return isOpenBlock(keyed, 0, hour);
  return readIndexBlock(keyed, 0, hour, indexBlockLines(config.segmentSeconds)) !== undefined;
}

/** What became of one span. */
export type SpanOutcome =
  | { outcome: "planned"; key: string }
  | { outcome: "rebuilt"; key: string; segments: number }
  | { outcome: "skipped"; key: string; reason: "no segments" | "up to date" }
  | { outcome: "failed"; key: string; error: string };

/** The run's totals, printed as JSON by `npm run reindex`. */
export interface ReindexSummary {
  dryRun: boolean;
  /** The streams' key prefixes. */
  streams: string[];
  spans: number;
  /** Dry run: spans a run would rebuild (spans without segments or index object are skipped then). */
  planned: number;
  rebuilt: number;
  segments: number;
  skipped: { noSegments: number; upToDate: number };
  failed: number;
  failures: Array<{ key: string; error: string }>;
}

/** An error as one line: its name and message (an S3RequestError's: the status and S3's code, never S3's body). */
function describeFailure(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** How a run goes. */
export interface ReindexOptions {
  config: RecordingIndexConfig;
  nowSeconds: number;
  /** Skip spans whose object is already current (isIndexCurrent). */
  onlyStale: boolean;
  /** Read only: report the spans a run would rebuild. */
  dryRun: boolean;
  /** Spans rebuilt at once. */
  concurrency: number;
  /** Called as each span ends (progress). */
  onSpan?: (outcome: SpanOutcome) => void;
}

/** One span: checked (with `onlyStale`), then rebuilt by the indexer's writer. Never throws. */
async function reindexSpan(s3: S3Objects, target: ReindexTarget, options: ReindexOptions): Promise<SpanOutcome> {
  const key = recordingIndexKey(target.streamPrefix, target.day);
  try {
    if (options.onlyStale && (await isIndexCurrent(s3, target, options.config, options.nowSeconds))) {
      return { outcome: "skipped", key, reason: "up to date" };
    }
    if (options.dryRun) return { outcome: "planned", key };
    const result = await rebuildIndexObject(s3, target, options.config, options.nowSeconds, { skipEmpty: true });
    return result.outcome === "written"
      ? { outcome: "rebuilt", key, segments: result.segments }
      : { outcome: "skipped", key, reason: "no segments" };
  } catch (error) {
    return { outcome: "failed", key, error: describeFailure(error) };
  }
}

/**
 * Rebuilds the targets, at most `concurrency` at a time, reporting each span's outcome as it ends;
 * a span that fails does not stop the others. Returns the totals.
 */
export async function runReindex(
  s3: S3Objects,
  streams: readonly ArchiveStream[],
  targets: readonly ReindexTarget[],
  options: ReindexOptions,
): Promise<ReindexSummary> {
  const outcomes: SpanOutcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const outcome = await reindexSpan(s3, targets[next++]!, options);
      outcomes.push(outcome);
      options.onSpan?.(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, targets.length)) }, worker));
  return summarise(
    outcomes,
    streams.map((stream) => stream.streamPrefix),
    options.dryRun,
  );
}

function summarise(outcomes: readonly SpanOutcome[], streams: string[], dryRun: boolean): ReindexSummary {
  const summary: ReindexSummary = {
    dryRun,
    streams,
    spans: outcomes.length,
    planned: 0,
    rebuilt: 0,
    segments: 0,
    skipped: { noSegments: 0, upToDate: 0 },
    failed: 0,
    failures: [],
  };
  for (const span of outcomes) {
    if (span.outcome === "planned") summary.planned++;
    else if (span.outcome === "rebuilt") {
      summary.rebuilt++;
      summary.segments += span.segments;
    } else if (span.outcome === "skipped") {
      if (span.reason === "no segments") summary.skipped.noSegments++;
      else summary.skipped.upToDate++;
    } else {
      summary.failed++;
      summary.failures.push({ key: span.key, error: span.error });
    }
  }
  summary.failures.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return summary;
}
