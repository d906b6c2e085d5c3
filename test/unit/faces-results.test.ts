/**
 * The Worker's paging over a stored face result (worker/faces/results.ts) against results written by
 * faces-collect's own writer: for any faces, page sizes, chunk size, window, limit and read budget,
 * following the cursors returns exactly the faces in [from_ms, to_ms), in time order, once each.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildManifest, faceLine, prepareChunks } from "../../aws-lambdas/faces-collect/result-files.ts";
import { faceResultChunkKey, faceResultManifestKey, type FaceCollectCheckpoint } from "../../model/index.ts";
import {
  CursorError,
  chunkLines,
  collectPage,
  decodeCursor,
  encodeCursor,
  jobFingerprint,
  lineTimestamp,
  parseManifest,
  ResultFormatError,
  startPosition,
} from "../../worker/faces/results.ts";

const JOB = "job0123456789";
const PREFIX = "analysis/faces/";

/** Writes `timestamps` (sorted) as faces-collect would: pages of `pageSize`, chunks of `chunkSize`. */
function store(timestamps: number[], pageSize: number, chunkSize: number) {
  const files = new Map<string, string>();
  const checkpoint: FaceCollectCheckpoint = { PagesDone: true, Pages: 0, FaceCount: 0, Chunks: [], Restarts: 0 };
  for (let start = 0; start < timestamps.length; start += pageSize) {
    const page = timestamps
      .slice(start, start + pageSize)
      .map((t, i) => ({ Timestamp: t, Face: { Confidence: start + i } }));
    for (const chunk of prepareChunks(page, chunkSize).chunks) {
      files.set(faceResultChunkKey(PREFIX, JOB, checkpoint.Chunks.length), chunk.body);
      checkpoint.Chunks.push([chunk.first, chunk.last, chunk.count]);
      checkpoint.FaceCount += chunk.count;
    }
  }
  const key = faceResultManifestKey(PREFIX, JOB);
  const manifest = parseManifest(
    JSON.stringify(buildManifest({ prefix: PREFIX, jobId: JOB, inputFile: "f", inputBucket: "b", checkpoint, now: 0 })),
    key,
  );
  return { files, manifest };
}

describe("face result paging", () => {
  it("walks exactly the window's faces, in order, within limit and read budget", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 400 }).map((ts) => ts.sort((a, b) => a - b)),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 60 }),
        fc.option(fc.integer({ min: 0, max: 5200 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 5200 }), { nil: undefined }),
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 1, max: 4 }),
        async (timestamps, pageSize, chunkSize, from, toOffset, limit, maxReads) => {
          const to = toOffset === undefined ? undefined : (from ?? 0) + toOffset;
          const { files, manifest } = store(timestamps, pageSize, chunkSize);
          const load = async (index: number) =>
            chunkLines(files.get(manifest.chunks[index]!.key)!, manifest.chunks[index]!.count);
          const window = { fromMs: from, toMs: to };
          const seen: number[] = [];
          let position = startPosition(manifest.chunks, from);
          for (let pages = 0; pages < 10_000; pages++) {
            const page = await collectPage(manifest.chunks, position, window, limit, maxReads, load);
            expect(page.lines.length).toBeLessThanOrEqual(limit);
            expect(page.chunkReads).toBeLessThanOrEqual(maxReads);
            seen.push(...page.lines.map(lineTimestamp));
            if (!page.next) break;
            expect(page.lines.length).toBeGreaterThan(0); // progress: the walk terminates
            const cursor = decodeCursor(encodeCursor({ ...page.next, jobFingerprint: jobFingerprint(JOB), ...window }));
            position = { chunk: cursor.chunk, line: cursor.line };
          }
          const expected = timestamps.filter((t) => (from === undefined || t >= from) && (to === undefined || t < to));
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("cursors round-trip and reject anything else", () => {
    const state = { chunk: 3, line: 17, jobFingerprint: jobFingerprint(JOB), fromMs: 5, toMs: 900 };
    expect(decodeCursor(encodeCursor(state))).toEqual(state);
    expect(decodeCursor(encodeCursor({ chunk: 0, line: 0, jobFingerprint: "00000000" }))).toEqual({
      chunk: 0,
      line: 0,
      jobFingerprint: "00000000",
    });
    for (const bad of [
      "",
      "x".repeat(201),
      "a+b",
      btoa('[2,"00000000",0,0,null,null]'),
      btoa('[1,"zz",0,0,null,null]'),
      btoa('[1,"00000000",-1,0,null,null]'),
    ]) {
      expect(() => decodeCursor(bad)).toThrow(CursorError);
    }
  });

  it("refuses manifests whose chunk keys leave the job folder, and malformed lines", () => {
    const key = faceResultManifestKey(PREFIX, JOB);
    const manifest = (chunkKey: string) =>
      JSON.stringify({ version: 1, face_count: 1, chunks: [{ key: chunkKey, first_ms: 0, last_ms: 0, count: 1 }] });
    expect(() => parseManifest(manifest(`${PREFIX}${JOB}/faces-00000.ndjson`), key)).not.toThrow();
    expect(() => parseManifest(manifest("private/keys.json"), key)).toThrow(ResultFormatError);
    expect(() => parseManifest(manifest(`${PREFIX}${JOB}/sub/x.ndjson`), key)).toThrow(ResultFormatError);
    expect(() => parseManifest("{", key)).toThrow(ResultFormatError);
    expect(lineTimestamp(faceLine(1234, { a: 1 }))).toBe(1234);
    expect(() => lineTimestamp('{"face":{}}')).toThrow(ResultFormatError);
    expect(() => chunkLines("a\nb\n", 3)).toThrow(ResultFormatError);
  });
});
