/**
 * The recorder window's direct writer (worker/hls/window-playlist.ts) against the general
 * serializer it stands in for: the same text for any placed window, and the same URI checks and
 * errors when the URIs are not plain printable ASCII.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PlaylistError, serializeMediaPlaylist } from "../../../worker/hls/playlist.ts";
import {
  formatSegmentName,
  placeSegments,
  type RecordingWindow,
  type WindowSegment,
} from "../../../worker/hls/recordings.ts";
import { windowPlaylist } from "./window-model.ts";
import { serializeWindowPlaylist, type WindowUris } from "../../../worker/hls/window-playlist.ts";

const SEG = 30;
const T0 = Date.UTC(2024, 0, 2) / 1000;
const PREFIX = "movie/cam/";

const general = (segments: WindowSegment[], window: RecordingWindow, uris: WindowUris) =>
  serializeMediaPlaylist(
    windowPlaylist(segments, window, SEG, (s) => uris.base + s.key.slice(uris.nameOffset) + uris.suffix),
  );

/**
 * Places segments starting at `starts` (ascending) in `window` and checks that the direct writer
 * gives the general serializer's text; a settled window with nothing placed is skipped (fc.pre).
 */
function expectGeneralText(starts: number[], window: RecordingWindow, suffix: string): void {
  const segments = starts.map((start) => ({ key: PREFIX + formatSegmentName(start), start }));
  const placed = placeSegments(segments, window, SEG);
  fc.pre(placed.length > 0 || !window.settled);
  const uris = { base: "https://edge.example/api/media/segments/recordings/cam/", nameOffset: PREFIX.length, suffix };
  expect(serializeWindowPlaylist(placed, window, SEG, uris)).toBe(general(placed, window, uris));
}

describe("serializeWindowPlaylist", () => {
  it("property: the same text as serializeMediaPlaylist(windowPlaylist(...)), written in one pass", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(30, 30, 30, 31, 29, 44, 46, 90, 1800), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.boolean(),
        fc.constantFrom("", "?token=abc.DEF-_1"),
        (steps, startOffset, length, settled, suffix) => {
          const starts: number[] = [];
          for (let t = T0, i = 0; i < steps.length; t += steps[i++]!) starts.push(t);
          expectGeneralText(starts, { start: T0 + startOffset, end: T0 + startOffset + length, settled }, suffix);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("property: regular runs written from an hour's template match the general serializer (gaps, drift, late segments)", () => {
    // An archive as a recorder leaves it: long runs `step` apart (so runs reach the template's
    // threshold and cross hours), broken by a gap (a discontinuity), a drift (a step one second
    // short or long: a new phase), a late segment between two others, or a long cut (44-46 s).
    const piece = fc.record({
      run: fc.integer({ min: 1, max: 400 }),
      step: fc.constantFrom(30, 30, 30, 10, 6),
      then: fc.constantFrom("gap", "drift-", "drift+", "late", "long", "none"),
      size: fc.integer({ min: 1, max: 200 }),
    });
    fc.assert(
      fc.property(
        fc.array(piece, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 3599 }),
        fc.integer({ min: 0, max: 7200 }),
        fc.integer({ min: 1, max: 6 * 3600 }),
        fc.boolean(),
        fc.constantFrom("", "?token=abc.DEF-_1"),
        (pieces, phase, startOffset, length, settled, suffix) => {
          const starts: number[] = [];
          let t = T0 + phase;
          for (const { run, step, then, size } of pieces) {
            for (let i = 0; i < run; i++, t += step) starts.push(t);
            if (then === "gap") t += size * step;
            else if (then === "drift-") t -= 1;
            else if (then === "drift+") t += 1;
            else if (then === "late") starts.push(t - step + 1 + (size % (step - 1)));
            else if (then === "long") t += 14 + (size % 3);
          }
          const sorted = [...new Set(starts)].sort((a, b) => a - b);
          expectGeneralText(sorted, { start: T0 + startOffset, end: T0 + startOffset + length, settled }, suffix);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("writes a settled day of 30-s segments with a gap and a drift as the general serializer does", () => {
    // Hours 0-9 regular, a 10-minute gap, then one second late (a new phase) to the day's end.
    const starts: number[] = [];
    for (let t = T0; t < T0 + 10 * 3600; t += 30) starts.push(t);
    for (let t = T0 + 10 * 3600 + 601; t < T0 + 86_400; t += 30) starts.push(t);
    const segments = starts.map((start) => ({ key: PREFIX + formatSegmentName(start), start }));
    const window = { start: T0 + 1800, end: T0 + 86_400 - 900, settled: true };
    const placed = placeSegments(segments, window, SEG);
    const uris = { base: "https://edge.example/cam/", nameOffset: PREFIX.length, suffix: "?token=t" };
    const body = serializeWindowPlaylist(placed, window, SEG, uris);
    expect(body).toBe(general(placed, window, uris));
    expect(body).toContain(
      "#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:2024-01-02T10:10:01.000Z\n" +
        "#EXTINF:30.000,\nhttps://edge.example/cam/20240102T101001Z.ts?token=t\n",
    );
  });

  /** 80 segments 30 s apart from T0 (40 minutes, one hour's run), each changed by `edit`. */
  const regularRun = (edit: (segment: WindowSegment, index: number) => WindowSegment) =>
    Array.from({ length: 80 }, (_, i) =>
      edit({ key: PREFIX + formatSegmentName(T0 + i * 30), start: T0 + i * 30, duration: 30, discontinuity: false }, i),
    );
  const RUN_WINDOW = { start: T0, end: T0 + 2400, settled: true };
  const RUN_URIS = { base: "https://e/", nameOffset: PREFIX.length, suffix: "" };

  it("ends a run at a discontinuity it is given, even between segments a step apart", () => {
    // placeSegments marks no gap between segments a step apart; the writer still follows its input.
    const placed = regularRun((segment, i) => ({ ...segment, discontinuity: i === 50 }));
    const body = serializeWindowPlaylist(placed, RUN_WINDOW, SEG, RUN_URIS);
    expect(body).toBe(general(placed, RUN_WINDOW, RUN_URIS));
    expect(body).toContain("#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:2024-01-02T00:25:00.000Z\n");
  });

  it("writes a key of another length as it is, inside what would otherwise be a run", () => {
    // Not a name any reader makes (they parse the start from the name); the writer still writes the key.
    const placed = regularRun((segment, i) => ({ ...segment, key: segment.key + (i === 50 ? "x" : "") }));
    const body = serializeWindowPlaylist(placed, RUN_WINDOW, SEG, RUN_URIS);
    expect(body).toBe(general(placed, RUN_WINDOW, RUN_URIS));
    expect(body).toContain("https://e/20240102T002500Z.tsx\n");
  });

  it("writes URIs that are not plain printable ASCII as the general serializer does, and refuses what it refuses", () => {
    const window = { start: T0, end: T0 + 60, settled: true };
    const placed = placeSegments(
      [T0, T0 + 30].map((start) => ({ key: PREFIX + formatSegmentName(start), start })),
      window,
      SEG,
    );
    const unicode = { base: "https://edge.example/カメラ/", nameOffset: PREFIX.length, suffix: "" };
    expect(serializeWindowPlaylist(placed, window, SEG, unicode)).toBe(general(placed, window, unicode));
    for (const base of ["https://edge.example/a b/", "#tag/", 'https://edge.example/"/']) {
      expect(() =>
        serializeWindowPlaylist(placed, window, SEG, { base, nameOffset: PREFIX.length, suffix: "" }),
      ).toThrow(PlaylistError);
    }
    // A key whose name is not a segment name (none is, by construction) has its own URI checked.
    const odd = [...placed, { ...placed[1]!, key: `${PREFIX}a b.ts` }];
    const ascii = { base: "https://e/", nameOffset: PREFIX.length, suffix: "" };
    expect(() => serializeWindowPlaylist(odd, window, SEG, ascii)).toThrow(PlaylistError);
    expect(() => general(odd, window, ascii)).toThrow(PlaylistError);
    // A settled window with no segment is refused as the general serializer refuses it (§4.3.3.4).
    expect(() => serializeWindowPlaylist([], window, SEG, { ...unicode, base: "https://e/" })).toThrow(PlaylistError);
  });
});
