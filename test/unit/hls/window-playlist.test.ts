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
          const segments = starts.map((start) => ({ key: PREFIX + formatSegmentName(start), start }));
          const window = { start: T0 + startOffset, end: T0 + startOffset + length, settled };
          const placed = placeSegments(segments, window, SEG);
          fc.pre(placed.length > 0 || !settled);
          const uris = {
            base: "https://edge.example/api/media/segments/recordings/cam/",
            nameOffset: PREFIX.length,
            suffix,
          };
          const body = serializeWindowPlaylist(placed, window, SEG, uris);
          expect(body).toBe(general(placed, window, uris));
        },
      ),
      { numRuns: 200 },
    );
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
