/**
 * The Worker's paging over a stored face result (worker/faces/results.ts) against results written by
 * faces-collect's own writer: for any faces, page sizes, chunk size, window, limit and read budget,
 * following the cursors returns exactly the faces in [from_ms, to_ms), in time order, once each.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildManifest, faceLine, prepareChunks } from "../../aws-lambdas/faces-collect/result-files.ts";
import {
  FACE_LINE_INDEX_EVERY,
  faceResultChunkKey,
  faceResultManifestKey,
  type FaceChunkLineIndex,
  type FaceCollectCheckpoint,
} from "../../model/index.ts";
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

/**
 * Writes `timestamps` (sorted) as faces-collect would: pages of `pageSize`, chunks of `chunkSize`,
 * with a line index of every `every`-th line on the chunks `indexed` says (all by default; none
 * for `every` undefined, as before issue 12).
 */
function store(
  timestamps: number[],
  pageSize: number,
  chunkSize: number,
  every?: number,
  indexed: (chunk: number) => boolean = () => true,
) {
  const files = new Map<string, string>();
  const checkpoint: FaceCollectCheckpoint = { PagesDone: true, Pages: 0, FaceCount: 0, Chunks: [], Restarts: 0 };
  const lineIndexes = new Map<number, FaceChunkLineIndex>();
  for (let start = 0; start < timestamps.length; start += pageSize) {
    const page = timestamps
      .slice(start, start + pageSize)
      .map((t, i) => ({ Timestamp: t, Face: { Confidence: start + i, Name: i % 7 === 0 ? "顔 😀" : "face" } }));
    for (const chunk of prepareChunks(page, chunkSize, every).chunks) {
      if (indexed(checkpoint.Chunks.length)) lineIndexes.set(checkpoint.Chunks.length, chunk.index);
      files.set(faceResultChunkKey(PREFIX, JOB, checkpoint.Chunks.length), chunk.body);
      checkpoint.Chunks.push([chunk.first, chunk.last, chunk.count]);
      checkpoint.FaceCount += chunk.count;
    }
  }
  const key = faceResultManifestKey(PREFIX, JOB);
  const built = buildManifest({
    prefix: PREFIX,
    jobId: JOB,
    inputFile: "f",
    inputBucket: "b",
    checkpoint,
    ...(every === undefined ? {} : { lineIndexes, lineIndexEvery: every }),
    now: 0,
  });
  const manifest = parseManifest(JSON.stringify(built), key);
  const bytesRead: number[] = [];
  /** Reads a chunk like S3: the whole object, or a byte range of its UTF-8 bytes. */
  const load = async (index: number, range?: { start: number; end: number }) => {
    const body = new TextEncoder().encode(files.get(manifest.chunks[index]!.key)!);
    const part = range ? body.subarray(range.start, range.end) : body;
    bytesRead.push(part.length);
    return new TextDecoder().decode(part);
  };
  return { files, manifest, load, bytesRead };
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
          const { manifest, load } = store(timestamps, pageSize, chunkSize);
          const window = { fromMs: from, toMs: to };
          const seen: number[] = [];
          let position = startPosition(manifest.chunks, from);
          for (let pages = 0; pages < 10_000; pages++) {
            const page = await collectPage(manifest, position, window, limit, maxReads, load);
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

  it("with a line index, every page is the one a whole-chunk read gives, from fewer bytes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 300 }).map((ts) => ts.sort((a, b) => a - b)),
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 12 }),
        fc.func(fc.boolean()),
        fc.option(fc.integer({ min: 0, max: 3100 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 3100 }), { nil: undefined }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 4 }),
        async (timestamps, pageSize, chunkSize, every, indexed, from, toOffset, limit, maxReads) => {
          const to = toOffset === undefined ? undefined : (from ?? 0) + toOffset;
          const whole = store(timestamps, pageSize, chunkSize);
          const ranged = store(timestamps, pageSize, chunkSize, every, (chunk) => indexed(chunk));
          expect(ranged.manifest.line_index?.every ?? every).toBe(every);
          const window = { fromMs: from, toMs: to };
          let position = startPosition(whole.manifest.chunks, from);
          for (let pages = 0; pages < 10_000; pages++) {
            const expected = await collectPage(whole.manifest, position, window, limit, maxReads, whole.load);
            const page = await collectPage(ranged.manifest, position, window, limit, maxReads, ranged.load);
            expect(page).toEqual(expected);
            if (!page.next) break;
            position = page.next;
          }
          const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
          expect(sum(ranged.bytesRead)).toBeLessThanOrEqual(sum(whole.bytesRead));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("a first page of 100 out of 1,000-face chunks reads exactly its 100 lines", async () => {
    const timestamps = Array.from({ length: 3000 }, (_, i) => i * 200);
    const { manifest, load, bytesRead, files } = store(timestamps, 1000, 1000, FACE_LINE_INDEX_EVERY);
    const page = await collectPage(manifest, { chunk: 0, line: 0 }, {}, 100, 4, load);
    const firstChunk = files.get(manifest.chunks[0]!.key)!.split("\n");
    expect(page.lines).toEqual(firstChunk.slice(0, 100));
    expect(page.next).toEqual({ chunk: 0, line: 100 });
    expect(bytesRead).toEqual([new TextEncoder().encode(firstChunk.slice(0, 100).join("\n") + "\n").length]);
    // A window inside the second chunk reads only the indexed blocks around it.
    bytesRead.length = 0;
    const window = { fromMs: 250_100, toMs: 262_000 };
    const inWindow = await collectPage(manifest, startPosition(manifest.chunks, 250_100), window, 1000, 4, load);
    expect(inWindow.lines.map(lineTimestamp)).toEqual(timestamps.filter((t) => t >= 250_100 && t < 262_000));
    expect(inWindow.next).toBeUndefined();
    expect(bytesRead).toHaveLength(1);
    expect(bytesRead[0]!).toBeLessThan(files.get(manifest.chunks[1]!.key)!.length / 4);
  });

  it("refuses a line index that does not fit its chunks", () => {
    const { manifest } = store([0, 10, 20, 30, 40], 5, 5, 2);
    const key = faceResultManifestKey(PREFIX, JOB);
    const entry = manifest.line_index!.chunks[0]!;
    const withEntry = (change: Partial<FaceChunkLineIndex>) =>
      JSON.stringify({ ...manifest, line_index: { every: 2, chunks: [{ ...entry, ...change }] } });
    expect(() => parseManifest(withEntry({}), key)).not.toThrow();
    for (const bad of [
      { offsets: [0, 5] },
      { offsets: [1, ...entry.offsets.slice(1)] },
      { offsets: [0, entry.offsets[2]!, entry.offsets[1]!] },
      { ms: [0, 30, 20] },
      { ms: [5, 20, 40] },
      { bytes: entry.offsets[2]! },
    ]) {
      expect(() => parseManifest(withEntry(bad), key), JSON.stringify(bad)).toThrow(ResultFormatError);
    }
    expect(() => parseManifest(JSON.stringify({ ...manifest, line_index: { every: 0, chunks: [null] } }), key)).toThrow(
      ResultFormatError,
    );
  });

  it("a line index that passes the checks but does not point at line starts is a format error", async () => {
    const { manifest, load } = store([0, 10, 20, 30, 40], 5, 5, 2);
    const entry = manifest.line_index!.chunks[0]!;
    const shifted = {
      ...manifest,
      line_index: { every: 2, chunks: [{ ...entry, offsets: [0, entry.offsets[1]! + 1, entry.offsets[2]!] }] },
    };
    await expect(collectPage(shifted, { chunk: 0, line: 2 }, {}, 1, 4, load)).rejects.toThrow(ResultFormatError);
    const wrongTime = { ...manifest, line_index: { every: 2, chunks: [{ ...entry, ms: [0, 15, 40] }] } };
    await expect(collectPage(wrongTime, { chunk: 0, line: 2 }, {}, 1, 4, load)).rejects.toThrow(ResultFormatError);
    expect(await collectPage(manifest, { chunk: 0, line: 2 }, {}, 1, 4, load)).toMatchObject({
      next: { chunk: 0, line: 3 },
    });
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
