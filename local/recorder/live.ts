/**
 * Live recording: ffmpeg encodes in real time, each segment it closes is named by its wall-clock
 * start, moved to the backlog directory and queued for upload. A window of the stream plays while
 * it records and grows by one segment per upload. stop() (Ctrl-C) lets ffmpeg finish the segment
 * in progress, which is uploaded and marked partial; segments left in the backlog directory by
 * an interrupted run are uploaded first the next time.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { parseSegmentName } from "../../worker/hls/recordings.ts";
import { diskReserveBytes } from "./backlog.ts";
import { ffmpegArgs, ffmpegFailure, startSegmenter } from "./ffmpeg.ts";
import { segmentKey, segmentStartTime, type SegmentListEntry } from "./naming.ts";
import type { RecorderOptions } from "./options.ts";
import { segmentFate } from "./plan.ts";
import { createUploadQueue, type QueuedSegment, type UploadDeps } from "./upload.ts";

export interface RecorderDeps extends UploadDeps {
  client: S3Client;
  /** Free bytes on the file system holding `dir`. */
  freeBytes(dir: string): number;
}

export interface LiveRecording {
  /** Epoch seconds of the first segment's start. */
  startSeconds: number;
  /** Finish the segment in progress, upload everything, then resolve `done`. */
  stop(): void;
  /** Resolves with the number of segments uploaded; rejects when recording or uploading failed. */
  done: Promise<{ uploaded: number }>;
  /** Segments still waiting for upload (what an abort would leave in the backlog directory). */
  waiting(): readonly QueuedSegment[];
}

type LiveOptions = Pick<
  RecorderOptions,
  "input" | "stream" | "bucket" | "prefix" | "segmentSeconds" | "durationSeconds" | "gap" | "late" | "backlogBytes"
> & { workDir: string };

/** Queues the segments an earlier run left in the backlog directory, oldest first. */
function resumeBacklog(
  pending: string,
  options: LiveOptions,
  add: (segment: QueuedSegment) => void,
  deps: RecorderDeps,
) {
  for (const name of readdirSync(pending).sort()) {
    const start = parseSegmentName(name);
    if (start === undefined) continue;
    const key = segmentKey(options.prefix, options.stream, start);
    deps.report({ type: "resumed", key });
    add({ key, file: join(pending, name), bytes: statSync(join(pending, name)).size, late: false });
  }
}

/** Starts a live recording. */
export function recordLive(options: LiveOptions, deps: RecorderDeps): LiveRecording {
  const pending = join(options.workDir, "pending");
  const encoding = join(options.workDir, "encoding");
  rmSync(encoding, { recursive: true, force: true });
  mkdirSync(pending, { recursive: true });
  mkdirSync(encoding, { recursive: true });

  let fatal: unknown;
  let uploaded = 0;
  const report: RecorderDeps["report"] = (event) => {
    if (event.type === "uploaded") uploaded++;
    deps.report(event);
  };
  const queue = createUploadQueue({
    client: deps.client,
    bucket: options.bucket,
    maxBytes: options.backlogBytes,
    deps: { ...deps, report },
    onFailure: (error) => ((fatal ??= error), segmenter.stop()),
  });
  resumeBacklog(pending, options, (segment) => queue.add(segment), { ...deps, report });

  const startSeconds = Math.floor(deps.now() / 1000);
  const held = new Set<QueuedSegment>();
  let firstMediaStart: number | undefined;
  const onSegment = (entry: SegmentListEntry) => {
    firstMediaStart ??= entry.start;
    const start = segmentStartTime(startSeconds, firstMediaStart, entry);
    const key = segmentKey(options.prefix, options.stream, start);
    const file = join(pending, key.slice(key.lastIndexOf("/") + 1));
    renameSync(join(encoding, entry.file.slice(entry.file.lastIndexOf("/") + 1)), file);
    const bytes = statSync(file).size;
    const media = entry.end - entry.start;
    const partial = media < options.segmentSeconds - 0.5 ? media : undefined;
    const freeBytes = deps.freeBytes(options.workDir);
    if (freeBytes < diskReserveBytes(bytes) && fatal === undefined) {
      report({ type: "disk-full", freeBytes, reserveBytes: diskReserveBytes(bytes) });
      fatal = new Error(`The disk holding ${options.workDir} is full`);
      segmenter.stop();
    }
    const fate = segmentFate(start, options.segmentSeconds, options.gap, options.late);
    if (fate.kind === "gap") {
      rmSync(file, { force: true });
      return report({ type: "gap", key });
    }
    const segment: QueuedSegment = { key, file, bytes, late: fate.kind === "late", partial };
    if (fate.kind === "upload") return queue.add(segment);
    report({ type: "held", key, delaySeconds: fate.delaySeconds });
    held.add(segment);
    void deps.sleep(fate.delaySeconds * 1000).then(() => held.delete(segment) && queue.add(segment));
  };
  const segmenter = startSegmenter(
    ffmpegArgs({ ...options, outDir: encoding, realtime: true, clockStart: startSeconds }),
    onSegment,
  );

  let stopping = false;
  const done = (async () => {
    const exit = await segmenter.exited;
    // A stop releases segments held back by --late: they are uploaded late, but not lost.
    for (const segment of held) queue.add(segment);
    held.clear();
    const failed = exit.code !== 0 && !stopping;
    await queue.drained();
    if (fatal !== undefined) throw fatal;
    if (failed) throw ffmpegFailure(exit, options.input);
    return { uploaded };
  })();
  return {
    startSeconds,
    stop: () => ((stopping = true), segmenter.stop()),
    done,
    waiting: () => [...held, ...queue.waiting()],
  };
}
