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
  blocksBetween,
  decodeRecordingIndex,
  indexObjectHours,
  indexReads,
  INDEX_LINE_BYTES,
  INDEX_SPAN_SECONDS,
  indexBlockBytes,
  indexBlockLines,
  indexByteRange,
  isOpenBlock,
  keyIndexText,
  planArchiveReads,
  readIndexBlock,
  recordingIndexKey,
  serializeRecordingIndex,
  settledHour,
  spansBetween,
  spansHolding,
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

describe("index format: hour blocks", () => {
  const options = (coveredUntil: number) => ({ span: T0, coveredUntil, segmentSeconds: SEG });
  const BLOCK = indexBlockBytes(SEG);

  it("50 fixed-size hour blocks (the span's 48 and a carried one each side), each a header and its hour's names; the key names the stream and the span's first UTC day", () => {
    const body = serializeRecordingIndex(names([T0 - 30, T0, T0 + 30, T0 + 95, T0 + 3600 + 5]), options(T0 + 3600));
    expect(indexBlockLines(SEG)).toBe(151);
    expect(body.length).toBe(50 * BLOCK);
    // Block 0: the last hour of the span before, carried.
    expect(body.slice(0, 2 * INDEX_LINE_BYTES)).toBe(`#3 ${T0 - 3600} S0001\n20240101T235930Z.ts\n`);
    expect(body.slice(BLOCK, BLOCK + 3 * INDEX_LINE_BYTES)).toBe(
      `#3 ${T0} S0003\n20240102T000000Z.ts\n20240102T000030Z.ts\n`,
    );
    // The second hour had not settled when the index was built: open.
    expect(body.slice(2 * BLOCK, 2 * BLOCK + 2 * INDEX_LINE_BYTES)).toBe(
      `#3 ${T0 + 3600} O0001\n20240102T010005Z.ts\n`,
    );
    // Block 49: the first hour of the span after, carried.
    expect(body.slice(49 * BLOCK, 49 * BLOCK + INDEX_LINE_BYTES)).toBe(`#3 ${T0 + 2 * DAY} O0000\n`);
    expect(decodeRecordingIndex(body, T0, SEG)).toEqual({
      coveredUntil: T0 + 3600,
      names: names([T0 - 30, T0, T0 + 30, T0 + 95, T0 + 3600 + 5]),
    });
    expect(indexObjectHours(T0)).toEqual({ from: T0 - 3600, to: T0 + 2 * DAY + 3600 });
    expect(recordingIndexKey(PREFIX, T0 + 86_399)).toBe("movie/cam/~index/20240102.txt");
    // Spans of two days from an even day since 1970: 2023-12-31 and 2024-01-01 share one.
    expect(recordingIndexKey("", T0 - 1)).toBe("~index/20231231.txt");
    expect(recordingIndexKey("", T0 + 2 * DAY - 1)).toBe("~index/20240102.txt");
    expect(() => serializeRecordingIndex(names([T0 - 3601]), options(T0))).toThrow(/not a segment of this span/);
    expect(() => serializeRecordingIndex(names([T0 + 2 * DAY + 3600]), options(T0))).toThrow(/not a segment/);
  });

  it("a window's hours are one byte range of whole blocks", () => {
    expect(blocksBetween(T0, T0 + 3600 - 45, T0 + 2 * 3600 + 45)).toEqual({ first: 1, end: 4 });
    expect(blocksBetween(T0, T0 + 3600, T0 + 7200)).toEqual({ first: 2, end: 3 });
    expect(blocksBetween(T0, T0 - 45, T0 + DAY + 45)).toEqual({ first: 0, end: 26 });
    expect(indexByteRange(1, 2, SEG)).toBe(`bytes=${BLOCK}-${2 * BLOCK - 1}`);
  });

  it("objects to read: a lookback or look-ahead into a neighbouring span comes from the carried hours", () => {
    // A 24 h window from a span's start with its 45-s lookback and look-ahead: one object.
    expect(indexReads(T0 - 45, T0 + DAY + 45)).toEqual([{ span: T0, from: T0 - 45, to: T0 + DAY + 45 }]);
    // Two days ending at the next span's start: the look-ahead from this span's carried hour after.
    expect(indexReads(T0 - 45, T0 + 2 * DAY + 45)).toEqual([{ span: T0, from: T0 - 45, to: T0 + 2 * DAY + 45 }]);
    // More than an hour into a neighbour: that neighbour is read for its part.
    expect(indexReads(T0 - 3601, T0 + 3601)).toEqual([
      { span: T0 - 2 * DAY, from: T0 - 3601, to: T0 },
      { span: T0, from: T0, to: T0 + 3601 },
    ]);
    expect(indexReads(T0 - 3601, T0 + 60)).toEqual([{ span: T0 - 2 * DAY, from: T0 - 3601, to: T0 + 60 }]);
    expect(indexReads(T0 + 60, T0 + 2 * DAY + 3601)).toEqual([
      { span: T0, from: T0 + 60, to: T0 + 2 * DAY },
      { span: T0 + 2 * DAY, from: T0 + 2 * DAY, to: T0 + 2 * DAY + 3601 },
    ]);
    // Inside one span's last hour: that span, not the neighbour's carried copy.
    expect(indexReads(T0 - 60, T0 - 30)).toEqual([{ span: T0 - 2 * DAY, from: T0 - 60, to: T0 - 30 }]);
    // A segment's hour is held by its span and, in a span's first or last hour, by the neighbour carrying it.
    expect(spansHolding(T0 + 3599)).toEqual([T0, T0 - 2 * DAY]);
    expect(spansHolding(T0 + 3600)).toEqual([T0]);
    expect(spansHolding(T0 - 3600)).toEqual([T0 - 2 * DAY, T0]);
    expect(spansHolding(T0 - 3601)).toEqual([T0 - 2 * DAY]);
  });

  it("spans to rebuild for a range: every span holding one of its times, with the neighbours carrying its edge hours", () => {
    // One span's own hours, away from its edges: that span alone.
    expect(spansBetween(T0 + 3600, T0 + 2 * DAY - 3600)).toEqual([T0]);
    // Reaching into the first hour (held by the span before too) or the last (held by the one after).
    expect(spansBetween(T0 + 3599, T0 + 3600)).toEqual([T0 - 2 * DAY, T0]);
    expect(spansBetween(T0 + 2 * DAY - 3600, T0 + 2 * DAY - 3599)).toEqual([T0, T0 + 2 * DAY]);
    // [to) is open: a range ending at the next span's first second does not reach into it.
    expect(spansBetween(T0 + 3600, T0 + 2 * DAY - 3600 + 1)).toEqual([T0, T0 + 2 * DAY]);
    expect(spansBetween(T0 - 3600, T0)).toEqual([T0 - 2 * DAY, T0]);
    expect(spansBetween(T0 - 3601, T0 - 3600)).toEqual([T0 - 2 * DAY]);
    // A whole span from boundary to boundary: its neighbours carry its first and last hours.
    expect(spansBetween(T0, T0 + 2 * DAY)).toEqual([T0 - 2 * DAY, T0, T0 + 2 * DAY]);
    expect(spansBetween(T0, T0)).toEqual([]);
    expect(spansBetween(T0 + 60, T0)).toEqual([]);
    // Property: the union of spansHolding over the range (it changes only on whole hours).
    fc.assert(
      fc.property(
        fc.integer({ min: -3 * DAY, max: 3 * DAY }),
        fc.integer({ min: 1, max: 7 * DAY }),
        (offset, length) => {
          const from = T0 + offset;
          const to = from + length;
          const times = [from];
          for (let hour = Math.floor(from / 3600) * 3600 + 3600; hour < to; hour += 3600) times.push(hour);
          const union = [...new Set(times.flatMap(spansHolding))].sort((a, b) => a - b);
          expect(spansBetween(from, to)).toEqual(union);
        },
      ),
    );
  });

  it("reads a settled block's segments; refuses open, overfull, foreign-hour, format-1 and damaged blocks", () => {
    const starts = [T0, T0 + 30, T0 + 60, T0 + 200, T0 + 230];
    const body = serializeRecordingIndex(names(starts), options(T0 + DAY));
    const lines = indexBlockLines(SEG);
    // Hour T0 is block 1 (block 0 is the carried hour before the span).
    expect(readIndexBlock(keyIndexText(body, PREFIX), lines, T0, lines)).toEqual(
      starts.map((start) => ({ key: PREFIX + formatSegmentName(start), start })),
    );
    expect(readIndexBlock(keyIndexText(body, PREFIX), 0, T0 - 3600, lines)).toEqual([]);
    expect(readIndexBlock(keyIndexText(body, PREFIX), 2 * lines, T0 + 3600, lines)).toEqual([]);
    expect(readIndexBlock(keyIndexText(body, PREFIX), 2 * lines, T0, lines)).toBeUndefined(); // another hour's block
    const cut = body.slice(0, lines * INDEX_LINE_BYTES + 3 * INDEX_LINE_BYTES);
    expect(readIndexBlock(keyIndexText(cut, PREFIX), lines, T0, lines)).toBeUndefined(); // cut short
    const open = serializeRecordingIndex(names(starts), options(T0));
    expect(readIndexBlock(keyIndexText(open, PREFIX), lines, T0, lines)).toBeUndefined();
    // The indexer's check of what an object lists (acceptOpen) reads an open block's names too.
    expect(readIndexBlock(keyIndexText(open, PREFIX), lines, T0, lines, true)).toEqual(
      starts.map((start) => ({ key: PREFIX + formatSegmentName(start), start })),
    );
    expect(isOpenBlock(keyIndexText(open, PREFIX), lines, T0)).toBe(true);
    expect(isOpenBlock(keyIndexText(body, PREFIX), lines, T0)).toBe(false);
    const damaged = body.replace("20240102T000030Z.ts", "20240102T0000xxZ.ts");
    expect(readIndexBlock(keyIndexText(damaged, PREFIX), lines, T0, lines)).toBeUndefined();
    const unsorted = body.replace("20240102T000100Z.ts", "20240102T000010Z.ts");
    expect(readIndexBlock(keyIndexText(unsorted, PREFIX), lines, T0, lines)).toBeUndefined();
    // Format 1 (a header, then all names): no block header where a block starts.
    const format1 = `#1 ${String(T0 + DAY).padStart(16, "0")}\n${names(starts).join("\n")}\n`;
    expect(readIndexBlock(keyIndexText(format1, PREFIX), lines, T0, lines)).toBeUndefined();
    expect(decodeRecordingIndex(format1, T0, SEG)).toBeUndefined();
    // Format 2 (the span's 48 blocks at offset 0, `#2` headers): refused wherever a block is read.
    const format2 = body.slice(BLOCK, 49 * BLOCK).replaceAll(`#3 `, `#2 `);
    expect(readIndexBlock(keyIndexText(format2, PREFIX), 0, T0, lines)).toBeUndefined();
    expect(readIndexBlock(keyIndexText(format2, PREFIX), lines, T0, lines)).toBeUndefined();
    expect(decodeRecordingIndex(format2, T0, SEG)).toBeUndefined();
    // More segments than a block holds (2-s segments in an index for 30-s ones): open, listed.
    const crowded = Array.from({ length: 1800 }, (_, i) => T0 + 2 * i);
    const overfull = serializeRecordingIndex(names(crowded), options(T0 + DAY));
    expect(overfull.length).toBe(50 * BLOCK);
    expect(overfull.slice(BLOCK).startsWith(`#3 ${T0} O0000\n`)).toBe(true);
    expect(readIndexBlock(keyIndexText(overfull, PREFIX), lines, T0, lines)).toBeUndefined();
  });

  it("plans: each hour with a settled block from it (cut to the range), every other hour listed (adjacent ones merged), tiling the range", () => {
    const seg = (start: number) => ({ key: PREFIX + formatSegmentName(start), start });
    const blocks = new Map([
      [T0 - 3600, [seg(T0 - 3600 + 10), seg(T0 - 60), seg(T0 - 30)]],
      [T0, [seg(T0), seg(T0 + 30)]],
      [T0 + 2 * 3600, [seg(T0 + 2 * 3600)]],
    ]);
    expect(planArchiveReads(T0 - 45, T0 + 3 * 3600 + 60, (hour) => blocks.get(hour))).toEqual([
      { source: "index", segments: [seg(T0 - 30)] },
      { source: "index", segments: [seg(T0), seg(T0 + 30)] },
      { source: "list", from: T0 + 3600, to: T0 + 2 * 3600 },
      { source: "index", segments: [seg(T0 + 2 * 3600)] },
      { source: "list", from: T0 + 3 * 3600, to: T0 + 3 * 3600 + 60 },
    ]);
    expect(planArchiveReads(T0, T0 + 60, () => undefined)).toEqual([{ source: "list", from: T0, to: T0 + 60 }]);
    expect(planArchiveReads(T0 - 3600, T0 + 2 * 3600, () => undefined)).toEqual([
      { source: "list", from: T0 - 3600, to: T0 + 2 * 3600 },
    ]);
    // A whole hour's block is taken as it is (no copy per window).
    expect(planArchiveReads(T0, T0 + 3600, (hour) => blocks.get(hour))[0]).toEqual({
      source: "index",
      segments: blocks.get(T0),
    });
    expect((planArchiveReads(T0, T0 + 3600, (hour) => blocks.get(hour))[0] as { segments: unknown }).segments).toBe(
      blocks.get(T0),
    );
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
      const hours = indexObjectHours(day);
      const seen = starts.filter((s) => s >= hours.from && s < hours.to && s + SEG <= state.builtAt);
      const covered = Math.min(hours.to, Math.max(hours.from, settledHour(state.builtAt, SEG)));
      const body = serializeRecordingIndex(names(seen), { span: day, coveredUntil: covered, segmentSeconds: SEG });
      // Damaged: every name unreadable, so every settled block that holds one is refused and listed.
      objects.set(recordingIndexKey(PREFIX, day), state.damaged ? body.replaceAll("Z.ts", "Z.tx") : body);
    });
  };

  it("property: index + listed parts + live tail == one full listing (segments, gaps, discontinuities, placement)", async () => {
    await fc.assert(
      fc.asyncProperty(
        // Steps between segment starts: nominal, drift, one or more missing, long outages.
        fc.array(fc.constantFrom(30, 30, 30, 31, 29, 90, 1800, 7200), { minLength: 0, maxLength: 400 }),
        fc.integer({ min: 0, max: 3 * DAY }),
        fc.array(fc.option(fc.record({ built: fc.integer({ min: 0, max: 2 * DAY }), damaged: fc.boolean() })), {
          minLength: 3,
          maxLength: 3,
        }),
        fc.integer({ min: 0, max: 3 * DAY }),
        fc.integer({ min: 1, max: 2 * DAY }),
        // Also windows that start or end within an hour of a span boundary, where the lookback or
        // look-ahead is read from a neighbour's carried hours.
        fc.record({
          edge: fc.constantFrom("none", "start", "end"),
          boundary: fc.constantFrom(T0, T0 + INDEX_SPAN_SECONDS),
          delta: fc.integer({ min: -3700, max: 3700 }),
        }),
        async (steps, nowOffset, dayStates, startOffset, length, aim) => {
          const now = T0 + nowOffset;
          const starts: number[] = [];
          // Windows aimed at a span boundary read an archive that begins two hours before it.
          const first = aim.edge === "none" ? T0 - DAY + 7 : aim.boundary - 7200 + 7;
          for (let t = first, i = 0; i < steps.length && t + SEG <= now; t += steps[i++]!) starts.push(t);
          // An index is written after its span began and never after now.
          const days = dayStates.map((state, i) =>
            state === null
              ? null
              : { builtAt: Math.min(now, FIRST_SPAN + i * INDEX_SPAN_SECONDS + state.built), damaged: state.damaged },
          );
          store(starts, days);
          const all = starts.map((start) => ({ key: PREFIX + formatSegmentName(start), start }));
          // Windows start within the archive's reach (up to an hour past its last segment), so most hold segments.
          const reach = (starts[starts.length - 1] ?? T0 - DAY) - (T0 - DAY) + 3600;
          let windowStart = T0 - DAY + (startOffset % reach);
          if (aim.edge === "start") windowStart = aim.boundary + aim.delta;
          if (aim.edge === "end") windowStart = aim.boundary + aim.delta - length;
          const window = { start: windowStart, end: windowStart + length };
          const got = await windowArchive(source(now, true), window, now);
          expect(got).toEqual(all.filter((s) => s.start >= window.start - SPAN && s.start < window.end + SPAN));
          const listing = oneListing(all, window);
          expect(placeSegments(got, window, SEG)).toEqual(placeSegments(listing, window, SEG));
          // Without the index: the parallel slices give exactly what one listing gives.
          expect((await listWindow(source(now, false), window)).map((s) => s.key)).toEqual(listing.map((s) => s.key));
        },
      ),
      { numRuns: 100 },
    );
  });

  /** Every span's index object for the archive `starts` (segments from FIRST_SPAN on), as the indexer writes it once all settled. */
  const storeSettled = (starts: number[], untilSpan: number) => {
    store(starts, []);
    for (let span = FIRST_SPAN; span <= untilSpan; span += INDEX_SPAN_SECONDS) {
      const hours = indexObjectHours(span);
      const held = starts.filter((s) => s >= hours.from && s < hours.to);
      objects.set(
        recordingIndexKey(PREFIX, span),
        serializeRecordingIndex(names(held), { span, coveredUntil: hours.to, segmentSeconds: SEG }),
      );
    }
  };

  it("reads only the blocks of the window's hours, however full the span is", async () => {
    // Two full days of 30-s segments in one span, all settled.
    const starts = Array.from({ length: (2 * DAY) / SEG }, (_, i) => T0 + i * SEG);
    storeSettled(starts, T0);
    const now = T0 + 3 * DAY;
    const window = { start: T0 + 10 * 3600, end: T0 + 11 * 3600 };
    fake.s3Calls = 0;
    fake.s3ObjectBytes = 0;
    const got = await windowArchive(source(now, true), window, now);
    expect(got.map((s) => s.start)).toEqual(starts.filter((s) => s >= window.start - SPAN && s < window.end + SPAN));
    // The hour, the one before (45-s lookback) and the one after (look-ahead): 3 of 50 blocks, one GET.
    expect(fake.s3Calls).toBe(1);
    expect(fake.s3ObjectBytes).toBe(3 * indexBlockBytes(SEG));
  });

  it("a window from a span's start to its end: one GET, the lookback and look-ahead from the carried hours", async () => {
    const starts = Array.from({ length: (6 * DAY) / SEG }, (_, i) => FIRST_SPAN + i * SEG);
    storeSettled(starts, T0 + 2 * DAY);
    const now = T0 + 5 * DAY;
    for (const window of [
      { start: T0, end: T0 + DAY },
      { start: T0, end: T0 + 2 * DAY },
    ]) {
      fake.s3Calls = 0;
      const got = await windowArchive(source(now, true), window, now);
      expect(got.map((s) => s.start)).toEqual(starts.filter((s) => s >= window.start - SPAN && s < window.end + SPAN));
      expect(fake.s3Calls).toBe(1);
    }
  });

  it("a carried hour that had not settled when its neighbour's index was written is listed, not trusted", async () => {
    const starts = Array.from({ length: (4 * DAY) / SEG }, (_, i) => FIRST_SPAN + i * SEG);
    // The span before T0 was indexed just before T0: its carried copy of T0's first hour is open.
    store(starts, [{ builtAt: T0 - 100, damaged: false }, null]);
    const now = T0 + DAY;
    const window = { start: T0 - 7200, end: T0 + 600 };
    const got = await windowArchive(source(now, true), window, now);
    expect(got.map((s) => s.start)).toEqual(starts.filter((s) => s >= window.start - SPAN && s < window.end + SPAN));
  });

  it("an indexed settled week: at most 5 index GETs in one round, no listing; unindexed: parallel slices", async () => {
    // From the middle of a span's second day: the week touches 5 two-day spans.
    const weekStart = T0 - DAY + 12 * 3600;
    const starts = Array.from({ length: (7 * DAY) / SEG }, (_, i) => weekStart + i * SEG);
    const now = weekStart + 9 * DAY;
    storeSettled(starts, weekStart + 8 * DAY);
    const window = { start: weekStart, end: weekStart + 7 * DAY };
    // 5 GETs, within Workers' 6 simultaneous connections. S3 answers only once all 5 are in
    // flight, so a sequential reader never finishes.
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
