/**
 * The pure parts of thumbnails, posters and storyboards: which capture answers a time and width
 * (worker/thumbnails/select.ts), the WebVTT storyboard (worker/thumbnails/storyboard.ts), and the
 * validation of a stored captures list (model/captures.ts).
 */
import { describe, expect, it } from "vitest";
import { capturesProblem, readCaptures, type FrameCaptures } from "../../model/captures.ts";
import { captureSetFor, nearestCapture, posterCapture, storyboardCaptures } from "../../worker/thumbnails/select.ts";
import { storyboardCues, storyboardVtt, vttTimestamp } from "../../worker/thumbnails/storyboard.ts";

/** 12 captures every 5 s (0..55 s) in 320 and 1280 px, listed widest first as a row might. */
const CAPTURES: FrameCaptures = {
  interval_seconds: 5,
  sets: [
    { name_prefix: "movie_thumb1280", width: 1280, height: 720, count: 12 },
    { name_prefix: "movie_thumb320", width: 320, height: 180, count: 12 },
  ],
};

describe("nearest capture", () => {
  it("rounds the time to the nearest interval and clamps past the end to the last capture", () => {
    const at = (time: number) => nearestCapture(CAPTURES, time).path;
    expect(at(0)).toBe("movie_thumb1280.0000000.jpg");
    expect(at(2.49)).toBe("movie_thumb1280.0000000.jpg");
    expect(at(2.5)).toBe("movie_thumb1280.0000001.jpg");
    expect(at(12)).toBe("movie_thumb1280.0000002.jpg");
    expect(at(55)).toBe("movie_thumb1280.0000011.jpg");
    expect(at(56.2)).toBe("movie_thumb1280.0000011.jpg");
    expect(at(1e9)).toBe("movie_thumb1280.0000011.jpg");
    expect(nearestCapture(CAPTURES, 12)).toMatchObject({ index: 2, timeSeconds: 10, width: 1280, height: 720 });
  });

  it("a width gets the smallest generated set at least that wide, else the widest; never another size", () => {
    const width = (w: number | undefined) => nearestCapture(CAPTURES, 0, w).width;
    expect(width(undefined)).toBe(1280);
    expect(width(1)).toBe(320);
    expect(width(320)).toBe(320);
    expect(width(321)).toBe(1280);
    expect(width(5000)).toBe(1280);
    expect(captureSetFor(CAPTURES, undefined, "smallest").width).toBe(320);
  });

  it("the poster is the middle capture; the storyboard lists every capture of the smallest set", () => {
    expect(posterCapture(CAPTURES)).toMatchObject({ path: "movie_thumb1280.0000005.jpg", timeSeconds: 25 });
    expect(posterCapture(CAPTURES, 200).path).toBe("movie_thumb320.0000005.jpg");
    expect(posterCapture({ interval_seconds: 5, sets: [{ name_prefix: "a", width: 1, count: 1 }] }).index).toBe(0);
    const board = storyboardCaptures(CAPTURES);
    expect(board.map((capture) => capture.timeSeconds)).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55]);
    expect(new Set(board.map((capture) => capture.width))).toEqual(new Set([320]));
  });
});

describe("captures fitted in their boxes (FIT_NO_UPSCALE): selected by their actual width", () => {
  /** A 320x180 upload: both boxes (320x180, 1280x720) give 320x180 stills, listed in box order. */
  const SMALL: FrameCaptures = readCaptures({
    interval_seconds: 5,
    sets: [
      { name_prefix: "small_thumb320", width: 320, height: 180, count: 3 },
      { name_prefix: "small_thumb1280", width: 320, height: 180, count: 3 },
    ],
  })!;
  /** A portrait 360x640 upload: 100x180 in the small box, 360x640 (not upscaled) in the large one. */
  const PORTRAIT: FrameCaptures = readCaptures({
    interval_seconds: 5,
    sets: [
      { name_prefix: "phone_thumb1280", width: 360, height: 640, count: 12 },
      { name_prefix: "phone_thumb320", width: 100, height: 180, count: 12 },
    ],
  })!;

  it("two sets of equal size: any width gets one of them (320x180), the storyboard the first, and its URLs' width picks it again", () => {
    for (const width of [undefined, 1, 320, 321, 1280, 5000]) {
      expect(nearestCapture(SMALL, 5, width)).toMatchObject({ width: 320, height: 180, index: 1 });
      expect(posterCapture(SMALL, width)).toMatchObject({ width: 320, height: 180, index: 1 });
    }
    // Equal widths keep their listed (box) order: the storyboard takes the first...
    expect(SMALL.sets.map((set) => set.name_prefix)).toEqual(["small_thumb320", "small_thumb1280"]);
    const board = storyboardCaptures(SMALL);
    expect(board.map((capture) => capture.path)).toEqual([0, 1, 2].map((n) => `small_thumb320.000000${n}.jpg`));
    // ...and a thumbnail request with a storyboard image's width (its URL's &width=) gets that very file.
    for (const image of board) expect(nearestCapture(SMALL, image.timeSeconds, image.width).path).toBe(image.path);
  });

  it("portrait sets: sorted by actual width; a width gets the narrowest at least that wide, else the widest", () => {
    expect(PORTRAIT.sets.map((set) => set.width)).toEqual([100, 360]);
    const at = (width: number | undefined) => nearestCapture(PORTRAIT, 0, width);
    expect(at(undefined)).toMatchObject({ path: "phone_thumb1280.0000000.jpg", width: 360, height: 640 });
    expect(at(100)).toMatchObject({ path: "phone_thumb320.0000000.jpg", width: 100, height: 180 });
    // 320 asked: the 100-px still would be upscaled by the client, so the 360-px one.
    expect(at(320)).toMatchObject({ path: "phone_thumb1280.0000000.jpg", width: 360 });
    expect(at(1280).width).toBe(360);
    expect(posterCapture(PORTRAIT)).toMatchObject({ path: "phone_thumb1280.0000005.jpg", width: 360, height: 640 });
    const board = storyboardCaptures(PORTRAIT);
    expect(new Set(board.map((capture) => `${capture.width}x${capture.height}`))).toEqual(new Set(["100x180"]));
    for (const image of board) expect(nearestCapture(PORTRAIT, image.timeSeconds, image.width).path).toBe(image.path);
    expect(storyboardCaptures(PORTRAIT, 200)[0]).toMatchObject({ width: 360, height: 640 });
  });
});

describe("storyboard WebVTT", () => {
  it("timestamps are hh:mm:ss.ttt", () => {
    expect(vttTimestamp(0)).toBe("00:00:00.000");
    expect(vttTimestamp(5.0005)).toBe("00:00:05.001");
    expect(vttTimestamp(3725.25)).toBe("01:02:05.250");
    expect(vttTimestamp(-1)).toBe("00:00:00.000");
  });

  it("one cue per image until the next; the last ends at the video's end (or one interval on)", () => {
    const images = [0, 5, 10].map((t) => ({ timeSeconds: t, url: `https://e.test/t.jpg?time=${t}` }));
    expect(storyboardCues(images, 5, 12.5).map((cue) => [cue.startSeconds, cue.endSeconds])).toEqual([
      [0, 5],
      [5, 10],
      [10, 12.5],
    ]);
    expect(storyboardCues(images, 5).at(-1)!.endSeconds).toBe(15);
    // A duration that ends before the last capture (rounding) does not give an empty cue.
    expect(storyboardCues(images, 5, 9).at(-1)!.endSeconds).toBe(15);
  });

  it("writes a WEBVTT file whose cue texts are the image URLs", () => {
    const vtt = storyboardVtt([
      { startSeconds: 0, endSeconds: 5, url: "https://e.test/a.jpg?time=0&width=320" },
      { startSeconds: 5, endSeconds: 7.5, url: "https://e.test/a.jpg?time=5&width=320" },
    ]);
    expect(vtt).toBe(
      "WEBVTT\n\n" +
        "00:00:00.000 --> 00:00:05.000\nhttps://e.test/a.jpg?time=0&width=320\n\n" +
        "00:00:05.000 --> 00:00:07.500\nhttps://e.test/a.jpg?time=5&width=320\n",
    );
    expect(() => storyboardVtt([{ startSeconds: 0, endSeconds: 1, url: "a\n-->b" }])).toThrow();
  });
});

describe("stored captures are validated before use", () => {
  it("accepts a well-formed list (sorted by width) and names what is wrong with a bad one, never its value", () => {
    expect(readCaptures(CAPTURES)!.sets.map((set) => set.width)).toEqual([320, 1280]);
    const bad = (change: Record<string, unknown>) => capturesProblem({ ...CAPTURES, ...change });
    const set = (fields: Record<string, unknown>) => ({
      sets: [{ name_prefix: "x", width: 320, count: 1, ...fields }],
    });
    expect(bad({})).toBeUndefined();
    expect(bad(set({ name_prefix: "a/b c_thumb320" }))).toBeUndefined();
    for (const change of [
      { interval_seconds: 0 },
      { interval_seconds: "5" },
      { sets: [] },
      { sets: "x" },
      set({ name_prefix: "../x" }),
      set({ name_prefix: "a/../x" }),
      set({ name_prefix: "/x" }),
      set({ name_prefix: "a\\b" }),
      set({ name_prefix: "a\nb" }),
      set({ name_prefix: "" }),
      set({ count: 0 }),
      set({ count: 1.5 }),
      set({ width: 32.5 }),
      set({ height: -1 }),
    ]) {
      expect(bad(change), JSON.stringify(change)).toBe("is not a list of frame captures");
    }
    expect(capturesProblem("secret-ish")).not.toContain("secret");
    expect(readCaptures(null)).toBeUndefined();
  });
});
