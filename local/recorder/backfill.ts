/**
 * `--backfill <duration>`: an archive ending now, written in minutes. A few segments are encoded
 * once (the content of an archive used to try windows and listings does not matter) and uploaded
 * again under every start time of the plan, several at a time, each copy's timestamps moved to its
 * place; `--gap` holes are left out and `--late` segments go up after all the others.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ffmpegArgs, ffmpegFailure, redactInput, startSegmenter } from "./ffmpeg.ts";
import { segmentKey } from "./naming.ts";
import type { RecorderOptions } from "./options.ts";
import { backfillPlan } from "./plan.ts";
import { shiftTimestamps } from "./timestamps.ts";
import { uploadWithRetry, type UploadDeps } from "./upload.ts";
import type { RecorderDeps } from "./live.ts";

/** Attempts per object in a backfill: a backfill can be run again, a live recording cannot. */
export const BACKFILL_MAX_ATTEMPTS = 8;

type BackfillOptions = Pick<
  RecorderOptions,
  "input" | "stream" | "bucket" | "prefix" | "segmentSeconds" | "gap" | "late" | "concurrency"
> & { backfillSeconds: number; sourceSegments?: number };

/** Encodes `count` segments of the input (fast, not real time) and returns their bytes in order. */
export async function encodeSourceSegments(
  options: Pick<RecorderOptions, "input" | "segmentSeconds">,
  count: number,
  clockStart: number,
): Promise<Buffer[]> {
  const dir = mkdtempSync(join(tmpdir(), "media-edge-backfill-"));
  try {
    const segmenter = startSegmenter(
      ffmpegArgs({
        ...options,
        outDir: dir,
        realtime: false,
        light: true,
        durationSeconds: count * options.segmentSeconds,
        clockStart,
      }),
      () => undefined,
    );
    const exit = await segmenter.exited;
    if (exit.code !== 0) throw ffmpegFailure(exit, options.input);
    const files = readdirSync(dir)
      .filter((name) => name.endsWith(".ts"))
      .sort();
    if (files.length === 0)
      throw new Error(`ffmpeg wrote no segment from ${redactInput(options.input, options.input)}`);
    return files.slice(0, count).map((name) => readFileSync(join(dir, name)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the archive; resolves with what was uploaded and left out. */
export async function backfill(
  options: BackfillOptions,
  deps: Pick<RecorderDeps, "client"> & UploadDeps,
): Promise<{ uploaded: number; gaps: number }> {
  const plan = backfillPlan({ ...options, durationSeconds: options.backfillSeconds, nowSeconds: deps.now() / 1000 });
  for (const start of plan.gaps) deps.report({ type: "gap", key: segmentKey(options.prefix, options.stream, start) });
  if (plan.uploads.length === 0) return { uploaded: 0, gaps: plan.gaps.length };
  const first = plan.uploads.reduce((earliest, upload) => Math.min(earliest, upload.start), Number.POSITIVE_INFINITY);
  const sources = await encodeSourceSegments(
    options,
    Math.min(options.sourceSegments ?? 3, plan.uploads.length),
    first,
  );

  let next = 0;
  const worker = async () => {
    while (next < plan.uploads.length) {
      const index = next++;
      const { start, late } = plan.uploads[index]!;
      // Source k was encoded at media time k * S; the copy starting at `start` moves to its place
      // in the archive, so timestamps rise through it (90 kHz clock).
      const position = (start - first) / options.segmentSeconds;
      const source = position % sources.length;
      const body = shiftTimestamps(sources[source]!, (position - source) * options.segmentSeconds * 90_000);
      const segment = { key: segmentKey(options.prefix, options.stream, start), bytes: body.length, late };
      try {
        await uploadWithRetry(deps.client, options.bucket, segment, body, deps, BACKFILL_MAX_ATTEMPTS);
      } catch (error) {
        next = plan.uploads.length; // the other workers stop after their current upload
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, plan.uploads.length) }, worker));
  return { uploaded: plan.uploads.length, gaps: plan.gaps.length };
}
