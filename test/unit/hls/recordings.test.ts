/**
 * Window arithmetic over recorder segment names (worker/hls/recordings.ts), with fast-check
 * properties for the parts that must hold for every archive and window.
 */
import fc from "fast-check";
import { Parser } from "m3u8-parser";
import { describe, expect, it } from "vitest";
import { serializeMediaPlaylist } from "../../../worker/hls/playlist.ts";
import {
  formatSegmentName,
  pastWindow,
  isValidStreamName,
  joinAtBoundary,
  LIVE_HEAD_GRANULARITY_SECONDS,
  listingStartAfter,
  liveHeadBoundary,
  maxSegmentSpan,
  mediaSequenceFor,
  parseSegmentName,
  parseTimeParameter,
  placeSegments,
  resolveWindow,
  type ArchivedSegment,
  type RecordingWindow,
} from "../../../worker/hls/recordings.ts";
import { windowPlaylist } from "./window-model.ts";

const SEG = 30;
const LIMITS = { segmentSeconds: SEG, maxWindowSeconds: 86_400 };
const T0 = Date.UTC(2024, 0, 2, 3, 0, 0) / 1000; // 2024-01-02T03:00:00Z

/** An archive: sorted unique segment starts, as listed keys under `movie/`. */
function archive(starts: number[]): ArchivedSegment[] {
  return [...new Set(starts)]
    .sort((a, b) => a - b)
    .map((start) => ({ key: `movie/${formatSegmentName(start)}`, start }));
}

/** What the route does: list keys after start-after, stop at the window's end, keep one look-ahead. */
function listFrom(all: ArchivedSegment[], window: { start: number; end: number }): ArchivedSegment[] {
  const startAfter = listingStartAfter("movie/", window.start, SEG);
  const listed: ArchivedSegment[] = [];
  const isPastWindow = pastWindow("movie/", window.end);
  for (const segment of all) {
    if (segment.key <= startAfter) continue;
    listed.push(segment);
    // Like listWindowSegments: the first segment past the end is kept as a look-ahead.
    if (isPastWindow(segment.key)) break;
  }
  return listed;
}

describe("segment names", () => {
  it("parses the recorder's names and rejects everything else", () => {
    expect(parseSegmentName("20240102T030405Z.ts")).toBe(Date.UTC(2024, 0, 2, 3, 4, 5) / 1000);
    for (const bad of [
      "20240231T000000Z.ts", // 31 February
      "20241301T000000Z.ts",
      "20240101T240000Z.ts",
      "20240101T000060Z.ts",
      "20240101T000000.ts",
      "20240101T000000Z.mp4",
      "2024-01-01T000000Z.ts",
      "x20240101T000000Z.ts",
      "20240101T000000Z.ts.tmp",
      "19691231T235959Z.ts",
    ]) {
      expect(parseSegmentName(bad), bad).toBeUndefined();
    }
  });

  it("format and parse round-trip for every second from 1970 to 9999", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_300_799 }), (seconds) => {
        expect(parseSegmentName(formatSegmentName(seconds))).toBe(seconds);
      }),
    );
  });

  it("names sort in time order (so S3's key order is time order)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 253_402_300_799 }),
        fc.integer({ min: 0, max: 253_402_300_799 }),
        (a, b) => {
          const byName = formatSegmentName(a) < formatSegmentName(b);
          expect(byName).toBe(a < b);
        },
      ),
    );
  });
});

describe("time parameters", () => {
  it.each([
    ["1704168000", T0 + 3600],
    ["1704168000.75", T0 + 3600.75],
    ["2024-01-02T04:00:00Z", T0 + 3600],
    ["2024-01-02T13:00:00+09:00", T0 + 3600],
    ["2024-01-02T13:00:00+0900", undefined], // extended date with basic zone: not one ISO format
    ["2024-01-01T23:30:00-04:30", T0 + 3600],
    ["20240102T040000Z", T0 + 3600],
    ["20240102T130000+0900", T0 + 3600],
    ["2024-01-02T04:00:00.500Z", T0 + 3600.5],
  ])("%s", (value, expected) => {
    expect(parseTimeParameter(value)).toBe(expected);
  });

  it.each([
    "",
    "NaN",
    "-1",
    "1e9",
    "0x10",
    " 1704164400",
    "2024-01-02T04:00:00", // no zone: refused rather than guessed
    "2024-01-02 04:00:00Z",
    "2024-02-30T00:00:00Z",
    "2024-01-02T24:00:00Z",
    "2024-01-02T04:00:00+25:00",
    "20240102T04:00:00Z",
    "99999999999999",
    "Infinity",
  ])("rejects %j", (value) => {
    expect(parseTimeParameter(value)).toBeUndefined();
  });
});

describe("resolveWindow", () => {
  const now = T0 + 10 * 86_400;

  it("requires start, rejects bad times, end <= start and windows over the maximum", () => {
    expect(resolveWindow({}, now, LIMITS)).toMatchObject({ kind: "missing-start" });
    expect(resolveWindow({ start: "yesterday" }, now, LIMITS)).toMatchObject({ kind: "bad-time", parameter: "start" });
    expect(resolveWindow({ start: String(T0), end: "soon" }, now, LIMITS)).toMatchObject({
      kind: "bad-time",
      parameter: "end",
    });
    expect(resolveWindow({ start: String(T0), end: String(T0) }, now, LIMITS)).toMatchObject({
      kind: "end-before-start",
    });
    expect(resolveWindow({ start: String(T0), end: String(T0 - 1) }, now, LIMITS)).toMatchObject({
      kind: "end-before-start",
    });
    expect(resolveWindow({ start: String(T0), end: String(T0 + 86_401) }, now, LIMITS)).toMatchObject({
      kind: "too-long",
    });
  });

  it("accepts exactly the maximum; widens fractions to whole seconds", () => {
    expect(resolveWindow({ start: String(T0), end: String(T0 + 86_400) }, now, LIMITS)).toEqual({
      start: T0,
      end: T0 + 86_400,
      settled: true,
    });
    expect(resolveWindow({ start: `${T0}.9`, end: `${T0 + 10}.1` }, now, LIMITS)).toMatchObject({
      start: T0,
      end: T0 + 11,
    });
  });

  it("settles two segment lengths after the end; no end means start + maximum (live until then)", () => {
    const window = { start: String(T0), end: String(T0 + 600) };
    expect(resolveWindow(window, T0 + 600 + 2 * SEG - 1, LIMITS)).toMatchObject({ settled: false });
    expect(resolveWindow(window, T0 + 600 + 2 * SEG, LIMITS)).toMatchObject({ settled: true });
    expect(resolveWindow({ start: String(T0) }, T0 + 100, LIMITS)).toEqual({
      start: T0,
      end: T0 + 86_400,
      settled: false,
    });
  });
});

describe("stream names", () => {
  it("accepts plain names and nested folders, refuses path tricks", () => {
    for (const good of ["cam1", "site-a/cam_2", "a.b"]) expect(isValidStreamName(good), good).toBe(true);
    for (const bad of [
      "",
      "..",
      "../x",
      "a/../b",
      "a//b",
      "/a",
      "a/",
      ".",
      "a%2Fb",
      "a b",
      "a\nb",
      "a\u0000",
      "ü",
      "a?b",
    ]) {
      expect(isValidStreamName(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});

describe("placeSegments", () => {
  it("takes durations from the next start, the configured length for the last and before gaps", () => {
    const all = archive([T0, T0 + 30, T0 + 61, T0 + 150, T0 + 180]);
    const placed = placeSegments(all, { start: T0, end: T0 + 1000 }, SEG);
    expect(placed.map((s) => [s.start - T0, s.duration, s.discontinuity])).toEqual([
      [0, 30, false],
      [30, 31, false],
      [61, 30, false], // next is 89 s later: a gap, so the configured length
      [150, 30, true],
      [180, 30, false],
    ]);
  });

  it("includes the segment a window starts inside, and no segment that ends before it", () => {
    const all = archive([T0, T0 + 30, T0 + 60]);
    expect(placeSegments(all, { start: T0 + 45, end: T0 + 50 }, SEG).map((s) => s.start - T0)).toEqual([30]);
    expect(placeSegments(all, { start: T0 + 30, end: T0 + 60 }, SEG).map((s) => s.start - T0)).toEqual([30]);
    expect(placeSegments(all, { start: T0 + 29, end: T0 + 31 }, SEG).map((s) => s.start - T0)).toEqual([0, 30]);
  });

  it("gives the last segment inside the window its real duration from the look-ahead segment", () => {
    // fast-check's counterexample before the look-ahead existed: segments at +0 s and +1 s,
    // window [+0, +1): the +0 segment lasts 1 s, not the nominal 30 s.
    const all = archive([T0 + 1, T0]);
    const window = { start: T0, end: T0 + 1 };
    const placed = placeSegments(listFrom(all, window), window, SEG);
    expect(placed.map((s) => [s.start - T0, s.duration])).toEqual([[0, 1]]);
  });

  it("property: listing from start-after and stopping at the end gives what the whole archive gives", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4000 }), { minLength: 0, maxLength: 120 }),
        fc.integer({ min: -100, max: 4100 }),
        fc.integer({ min: 1, max: 2000 }),
        (offsets, startOffset, length) => {
          const all = archive(offsets.map((o) => T0 + o));
          const window = { start: T0 + startOffset, end: T0 + startOffset + length };
          const fromListing = placeSegments(listFrom(all, window), window, SEG);
          // Reference: every segment whose [start, start + duration) overlaps the window, with
          // durations computed on the whole archive.
          const reference = placeSegments(all, { start: 0, end: Number.MAX_SAFE_INTEGER }, SEG).filter(
            (s) => s.start < window.end && s.start + s.duration > window.start,
          );
          expect(fromListing.map((s) => [s.key, s.duration])).toEqual(reference.map((s) => [s.key, s.duration]));
          // Discontinuities: exactly at gaps inside the window, never on the first segment.
          fromListing.forEach((s, i) => {
            const gap = i > 0 && s.start - fromListing[i - 1]!.start > maxSegmentSpan(SEG);
            expect(s.discontinuity).toBe(gap);
          });
        },
      ),
    );
  });

  it("property: a live window only ever appends, and keeps its media sequence across reloads", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 25, max: 100 }), { minLength: 2, maxLength: 60 }),
        fc.integer({ min: 1, max: 59 }),
        (deltas, cut) => {
          let t = T0 + 7;
          const starts = deltas.map((d) => (t += d));
          const all = archive(starts);
          const window = { start: starts[0]!, end: starts[0]! + 86_400 };
          const earlier = all.slice(0, Math.min(cut, all.length));
          const render = (segments: ArchivedSegment[]) => {
            const placed = placeSegments(listFrom(segments, window), window, SEG);
            return windowPlaylist(placed, { ...window, settled: false }, SEG, (s) => s.key);
          };
          const before = render(earlier);
          const after = render(all);
          expect(after.mediaSequence).toBe(before.mediaSequence);
          // All but the last segment of the earlier reload are unchanged (the last one's duration
          // was provisional: it becomes exact once its successor exists).
          const stable = before.segments.slice(0, -1);
          expect(after.segments.slice(0, stable.length)).toEqual(stable);
          expect(after.segments.map((s) => s.uri).slice(0, before.segments.length)).toEqual(
            before.segments.map((s) => s.uri),
          );
        },
      ),
    );
  });

  it("media sequence comes from time: the same segment has the same number in every window", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 200 }), (a, b) => {
        const all = archive(Array.from({ length: 300 }, (_, i) => T0 + i * SEG));
        const first = (offset: number) => {
          const window = { start: T0 + offset * SEG, end: T0 + offset * SEG + 600 };
          const placed = placeSegments(listFrom(all, window), window, SEG);
          return windowPlaylist(placed, { ...window, settled: true }, SEG, (s) => s.key);
        };
        const [pa, pb] = [first(a), first(b)];
        expect(pb.mediaSequence! - pa.mediaSequence!).toBe(b - a);
        expect(pa.mediaSequence).toBe(mediaSequenceFor(T0 + a * SEG, SEG));
      }),
    );
  });

  it("property: every window playlist serialises to valid RFC 8216 that m3u8-parser reads back", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 150 }),
        fc.boolean(),
        (offsets, settled) => {
          const all = archive(offsets.map((o) => T0 + o));
          const window: RecordingWindow = { start: T0, end: T0 + 20_100, settled };
          const placed = placeSegments(all, window, SEG);
          const text = serializeMediaPlaylist(windowPlaylist(placed, window, SEG, (s) => `https://cdn.test/${s.key}`));
          const parser = new Parser();
          parser.push(text);
          parser.end();
          const manifest = parser.manifest;
          expect(manifest.segments.length).toBe(placed.length);
          expect(manifest.endList === true).toBe(settled);
          for (const segment of manifest.segments) {
            expect(Math.round(segment.duration)).toBeLessThanOrEqual(manifest.targetDuration!);
          }
          // PROGRAM-DATE-TIME is monotonic and matches the names.
          const times = manifest.segments.map((s) => s.programDateTime);
          times.forEach((time, i) => {
            expect(time).toBe(placed[i]!.start * 1000);
            if (i > 0) expect(time!).toBeGreaterThan(times[i - 1]!);
          });
          expect(manifest.discontinuityStarts).toEqual(placed.flatMap((s, i) => (s.discontinuity ? [i] : [])));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("live windows: a cached settled head joined to a fresh tail", () => {
  const HOUR = LIVE_HEAD_GRANULARITY_SECONDS;

  it("liveHeadBoundary: the last whole hour two segments behind now, when it lies inside the window", () => {
    const hour = Math.floor(T0 / HOUR) * HOUR + 10 * HOUR;
    const window = { start: hour - 5 * HOUR, end: hour + HOUR };
    // Two segments (60 s) after the hour, the hour has settled; one second earlier it has not.
    expect(liveHeadBoundary(window, hour + 2 * SEG, SEG)).toBe(hour);
    expect(liveHeadBoundary(window, hour + 2 * SEG - 1, SEG)).toBe(hour - HOUR);
    expect(liveHeadBoundary(window, hour + 0.5 * HOUR, SEG)).toBe(hour);
    // No settled whole hour inside the window: listed whole.
    expect(liveHeadBoundary({ start: hour, end: hour + HOUR }, hour + 0.5 * HOUR, SEG)).toBeUndefined();
    expect(liveHeadBoundary({ start: hour + 1, end: hour + HOUR }, hour + 0.9 * HOUR, SEG)).toBeUndefined();
    // A boundary at or after the window's end would be a settled window, not a live one.
    expect(liveHeadBoundary({ start: hour - HOUR, end: hour }, hour + HOUR, SEG)).toBeUndefined();
  });

  it("property: head listing + tail listing joined at the boundary = one listing of the whole window", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 * 3600 }), { minLength: 0, maxLength: 150 }),
        fc.integer({ min: -100, max: 3 * 3600 }),
        fc.integer({ min: 1, max: 3 * 3600 }),
        fc.integer({ min: 1, max: 3 * 3600 }),
        // Recorders cut on the hour, so a segment starting exactly at the boundary is the usual case.
        fc.boolean(),
        (offsets, startOffset, headLength, tailLength, segmentAtBoundary) => {
          const boundary = T0 + startOffset + headLength;
          const all = archive([...offsets.map((o) => T0 + o), ...(segmentAtBoundary ? [boundary] : [])]);
          const window = { start: T0 + startOffset, end: boundary + tailLength };
          const joined = joinAtBoundary(
            listFrom(all, { start: window.start, end: boundary }),
            listFrom(all, { start: boundary, end: window.end }),
            boundary,
          );
          const whole = listFrom(all, window);
          // The same segments in the same order, except that the whole listing's look-ahead past
          // the window's end is the tail's look-ahead too.
          expect(joined.map((s) => s.key)).toEqual(whole.map((s) => s.key));
          // And so the same playlist entries: durations, discontinuities.
          expect(placeSegments(joined, window, SEG)).toEqual(placeSegments(whole, window, SEG));
        },
      ),
      { numRuns: 500 },
    );
  });
});
