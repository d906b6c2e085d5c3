/**
 * The recorder archive's day index (worker/hls/recording-index.ts) and the window reader built on
 * it (worker/recordings/archive.ts), the latter over real HTTP against the bench's in-memory S3
 * (ListObjectsV2 with start-after and continuation tokens, GetObject), with aws4fetch signing.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAws, type FakeAws } from "../../../bench/hls.ts";
import { createAwsEdgeClient } from "../../../worker/aws/client.ts";
import {
  INDEX_LINE_BYTES,
  INDEX_SPAN_SECONDS,
  indexSegments,
  parseRecordingIndex,
  planArchiveReads,
  recordingIndexKey,
  serializeRecordingIndex,
  settledHour,
} from "../../../worker/hls/recording-index.ts";
import {
  formatSegmentName,
  maxSegmentSpan,
  placeSegments,
  type ArchivedSegment,
} from "../../../worker/hls/recordings.ts";
import { listWindow, windowArchive, type ArchiveSource } from "../../../worker/recordings/archive.ts";

const SEG = 30;
const SPAN = maxSegmentSpan(SEG);
const DAY = 86_400;
const T0 = Date.UTC(2024, 0, 2) / 1000; // 2024-01-02T00:00:00Z
const PREFIX = "movie/cam/";
const names = (starts: number[]) => starts.map(formatSegmentName);
// T0 starts an index span (an even day since 1970); the archive below begins a day before it.
const FIRST_SPAN = T0 - INDEX_SPAN_SECONDS;

describe("day index format", () => {
  it("fixed-width lines behind a header; the key names the stream and the span's first UTC day", () => {
    const body = serializeRecordingIndex(names([T0, T0 + 30, T0 + 95]), T0 + 3600);
    expect(body.split("\n")[0]).toBe(`#1 ${String(T0 + 3600).padStart(16, "0")}`);
    expect(body.length).toBe(4 * INDEX_LINE_BYTES);
    expect(parseRecordingIndex(body)).toEqual({ coveredUntil: T0 + 3600, text: body });
    expect(recordingIndexKey(PREFIX, T0 + 86_399)).toBe("movie/cam/~index/20240102.txt");
    // Spans of two days from an even day since 1970: 2023-12-31 and 2024-01-01 share one.
    expect(recordingIndexKey("", T0 - 1)).toBe("~index/20231231.txt");
    expect(recordingIndexKey("", T0 + 2 * DAY - 1)).toBe("~index/20240102.txt");
  });

  it("cuts [from, to) by binary search over the lines, parsing only those", () => {
    const starts = [T0, T0 + 30, T0 + 60, T0 + 200, T0 + 230];
    const index = parseRecordingIndex(serializeRecordingIndex(names(starts), T0 + DAY))!;
    const cut = (from: number, to: number) => indexSegments(index, PREFIX, from, to)!.map((s) => s.start);
    expect(cut(T0 + 30, T0 + 201)).toEqual([T0 + 30, T0 + 60, T0 + 200]);
    expect(cut(T0 + 31, T0 + 200)).toEqual([T0 + 60]);
    expect(cut(T0 - 100, T0 + DAY)).toEqual(starts);
    expect(cut(T0 + 61, T0 + 199)).toEqual([]);
    expect(indexSegments(index, PREFIX, T0, T0 + 1)).toEqual([{ key: `${PREFIX}20240102T000000Z.ts`, start: T0 }]);
  });

  it("refuses what it did not write: another header, another width, a damaged line", () => {
    const body = serializeRecordingIndex(names([T0, T0 + 30]), T0 + 3600);
    expect(parseRecordingIndex(body.replace("#1 ", "#2 "))).toBeUndefined();
    expect(parseRecordingIndex(`${body}x`)).toBeUndefined();
    expect(parseRecordingIndex("")).toBeUndefined();
    const damaged = parseRecordingIndex(body.replace("20240102T000030Z.ts", "20240102T0000xxZ.ts"))!;
    expect(indexSegments(damaged, PREFIX, T0, T0 + 60)).toBeUndefined();
    expect(() => serializeRecordingIndex(["short.ts"], T0)).toThrow(/not a segment file name/);
  });

  it("plans: each span's trusted part from its index, the rest listed and merged, tiling the range", () => {
    const covered = new Map([
      [T0 - INDEX_SPAN_SECONDS, T0], // the whole previous span
      [T0, T0 + 5 * 3600], // five hours of this one
    ]);
    expect(planArchiveReads(T0 - 3600, T0 + INDEX_SPAN_SECONDS + 3600, T0 + 10 * 3600, covered)).toEqual([
      { source: "index", day: T0 - INDEX_SPAN_SECONDS, from: T0 - 3600, to: T0 },
      { source: "index", day: T0, from: T0, to: T0 + 5 * 3600 },
      { source: "list", from: T0 + 5 * 3600, to: T0 + INDEX_SPAN_SECONDS + 3600 },
    ]);
    // Nothing settled yet: all listed, whatever the indexes say.
    expect(planArchiveReads(T0, T0 + 60, T0 - 3600, covered)).toEqual([{ source: "list", from: T0, to: T0 + 60 }]);
  });
});

describe("window reads: index + listing", () => {
  const keys: string[] = [];
  const objects = new Map<string, string>();
  let fake: FakeAws;
  beforeAll(async () => {
    fake = await startFakeAws(keys, objects);
  });
  afterAll(() => fake.stop());

  const source = (nowSeconds: number, useIndex: boolean): ArchiveSource => ({
    aws: createAwsEdgeClient({
      credentials: { region: "us-east-1", accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" },
      endpoints: { dynamodb: fake.url, s3: { endpoint: fake.url, pathStyle: true } },
      policy: { deadlineMs: 10_000, maxAttempts: 1, idleMs: 10_000 },
    }),
    bucket: "media-recordings",
    prefix: PREFIX,
    segmentSeconds: SEG,
    useIndex,
    nowSeconds,
  });

  /** What one listing of the window holds (start-after one span before the start, the look-ahead). */
  const oneListing = (all: ArchivedSegment[], window: { start: number; end: number }) => {
    const inside = all.filter((s) => s.start > window.start - SPAN && s.start < window.end);
    const lookAhead = all.find((s) => s.start >= window.end);
    return lookAhead ? [...inside, lookAhead] : inside;
  };

  /** Stores the archive and, per index span, an index as the indexer wrote it at `builtAt` (or a damaged one). */
  const store = (starts: number[], spans: Array<{ builtAt: number; damaged: boolean } | null>) => {
    keys.length = 0;
    objects.clear();
    for (const start of starts) keys.push(PREFIX + formatSegmentName(start));
    spans.forEach((state, i) => {
      const day = FIRST_SPAN + i * INDEX_SPAN_SECONDS;
      if (state === null) return;
      // Segments are uploaded when they end: the indexer saw those that ended before it ran.
      const end = day + INDEX_SPAN_SECONDS;
      const seen = starts.filter((s) => s >= day && s < end && s + SEG <= state.builtAt);
      const covered = Math.min(end, Math.max(day, settledHour(state.builtAt, SEG)));
      const body = serializeRecordingIndex(names(seen), covered);
      objects.set(recordingIndexKey(PREFIX, day), state.damaged ? body.slice(0, -3) : body);
    });
  };

  it("property: index + listed parts + live tail == one full listing (segments, gaps, discontinuities, placement)", async () => {
    await fc.assert(
      fc.asyncProperty(
        // Steps between segment starts: nominal, drift, one or more missing, long outages.
        fc.array(fc.constantFrom(30, 30, 30, 31, 29, 90, 1800, 7200), { minLength: 0, maxLength: 250 }),
        fc.integer({ min: 0, max: 2 * DAY }),
        fc.array(fc.option(fc.record({ built: fc.integer({ min: 0, max: 2 * DAY }), damaged: fc.boolean() })), {
          minLength: 3,
          maxLength: 3,
        }),
        fc.integer({ min: 0, max: 3 * DAY }),
        fc.integer({ min: 1, max: 2 * DAY }),
        async (steps, nowOffset, dayStates, startOffset, length) => {
          const now = T0 + nowOffset;
          const starts: number[] = [];
          for (let t = T0 - DAY + 7, i = 0; i < steps.length && t + SEG <= now; t += steps[i++]!) starts.push(t);
          // An index is written after its span began and never after now.
          const days = dayStates.map((state, i) =>
            state === null
              ? null
              : { builtAt: Math.min(now, FIRST_SPAN + i * INDEX_SPAN_SECONDS + state.built), damaged: state.damaged },
          );
          store(starts, days);
          const all = starts.map((start) => ({ key: PREFIX + formatSegmentName(start), start }));
          const window = { start: T0 - DAY + startOffset, end: T0 - DAY + startOffset + length };
          const got = await windowArchive(source(now, true), window, now);
          expect(got.map((s) => s.key)).toEqual(
            all.filter((s) => s.start >= window.start - SPAN && s.start < window.end + SPAN).map((s) => s.key),
          );
          const listing = oneListing(all, window);
          expect(placeSegments(got, window, SEG)).toEqual(placeSegments(listing, window, SEG));
          // Without the index: the parallel slices give exactly what one listing gives.
          expect((await listWindow(source(now, false), window)).map((s) => s.key)).toEqual(listing.map((s) => s.key));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("an indexed settled week: 5 index GETs in one round, no listing; unindexed: parallel slices", async () => {
    const weekStart = T0 - DAY;
    const starts = Array.from({ length: (7 * DAY) / SEG }, (_, i) => weekStart + i * SEG);
    const now = weekStart + 9 * DAY;
    store(starts, []);
    for (let span = FIRST_SPAN; span < weekStart + 8 * DAY; span += INDEX_SPAN_SECONDS) {
      const seen = starts.filter((s) => s >= span && s < span + INDEX_SPAN_SECONDS);
      objects.set(recordingIndexKey(PREFIX, span), serializeRecordingIndex(names(seen), span + INDEX_SPAN_SECONDS));
    }
    const window = { start: weekStart, end: weekStart + 7 * DAY };
    // The week with its lookback and look-ahead touches 5 two-day index spans: 5 GETs, within
    // Workers' 6 simultaneous connections. S3 answers only once all 5 are in flight, so a
    // sequential reader never finishes.
    fake.s3Calls = 0;
    fake.s3Barrier = 5;
    try {
      const got = await windowArchive(source(now, true), window, now);
      expect(got).toHaveLength(starts.length);
      expect(fake.s3Calls).toBe(5);
      // 20,160 segments in slices of 992: 21 ListObjectsV2 calls, all in flight together.
      fake.s3Calls = 0;
      fake.s3Barrier = 21;
      const listed = await listWindow(source(now, false), window);
      expect(listed).toHaveLength(starts.length);
      expect(fake.s3Calls).toBe(21);
    } finally {
      fake.s3Barrier = 0;
    }
  });
});
