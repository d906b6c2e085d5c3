/**
 * MediaConvert's FIT_NO_UPSCALE sizing (the ladder's `scaling`, fitWithoutUpscale in model/ladder.ts):
 * the size the local emulator encodes and reports each rendition and each frame capture at,
 * computed from the input's size.
 * https://docs.aws.amazon.com/mediaconvert/latest/ug/video-scaling-fit-without-upscaling.html
 */
import { describe, expect, it } from "vitest";
import { captureSizes } from "../../local/emulators/frame-captures.ts";
import { renditionSizes } from "../../local/emulators/mediaconvert.ts";
import { HLS_LADDER, fitWithoutUpscale } from "../../model/ladder.ts";

const size = (width: number, height: number) => ({ width, height });

describe("fitWithoutUpscale: MediaConvert's FIT_NO_UPSCALE output size", () => {
  it("never upscales: a 640x360 input stays 640x360 in every rung of the shared ladder", () => {
    expect(renditionSizes(HLS_LADDER, size(640, 360))).toEqual([size(640, 360), size(640, 360), size(640, 360)]);
    expect(renditionSizes(HLS_LADDER, size(320, 180))).toEqual([size(320, 180), size(320, 180), size(320, 180)]);
  });

  it("a 16:9 input larger than every rung gets each rung's size exactly", () => {
    expect(renditionSizes(HLS_LADDER, size(1920, 1080))).toEqual([size(640, 360), size(960, 540), size(1280, 720)]);
    expect(renditionSizes(HLS_LADDER, size(3840, 2160))).toEqual(
      HLS_LADDER.renditions.map((r) => size(r.width, r.height)),
    );
  });

  it("a portrait input stays portrait and fits inside each box, widths rounded down to even (no padding)", () => {
    // 1080 x 360/1920 = 202.5 -> 202; x 540/1920 = 303.75 -> 302; x 720/1920 = 405 -> 404.
    expect(renditionSizes(HLS_LADDER, size(1080, 1920))).toEqual([size(202, 360), size(302, 540), size(404, 720)]);
  });

  it("the limiting side is whichever overflows more; wider than 16:9 is limited by the width", () => {
    expect(fitWithoutUpscale(size(2560, 1080), size(1280, 720))).toEqual(size(1280, 540));
    expect(fitWithoutUpscale(size(1440, 1080), size(1280, 720))).toEqual(size(960, 720));
    expect(fitWithoutUpscale(size(1280, 800), size(1280, 720))).toEqual(size(1152, 720));
  });

  it("odd sizes are rounded down to even numbers, at least 2, with or without scaling", () => {
    expect(fitWithoutUpscale(size(321, 181), size(640, 360))).toEqual(size(320, 180));
    expect(fitWithoutUpscale(size(1921, 1081), size(1280, 720))).toEqual(size(1278, 720));
    expect(fitWithoutUpscale(size(1, 1), size(640, 360))).toEqual(size(2, 2));
    expect(fitWithoutUpscale(size(4000, 3), size(640, 360))).toEqual(size(640, 2));
  });

  it("an input of unknown size (0 from the probe) gets the box", () => {
    expect(fitWithoutUpscale(size(0, 0), size(1280, 720))).toEqual(size(1280, 720));
  });

  it("frame captures are fitted like the renditions: boxes, never upscaled, portrait stays portrait", () => {
    const captures = HLS_LADDER.frameCaptures!;
    expect(captures.boxes).toEqual([size(320, 180), size(1280, 720)]);
    expect(captureSizes(captures, size(1920, 1080))).toEqual([size(320, 180), size(1280, 720)]);
    expect(captureSizes(captures, size(640, 360))).toEqual([size(320, 180), size(640, 360)]);
    expect(captureSizes(captures, size(320, 180))).toEqual([size(320, 180), size(320, 180)]);
    // 360x640 in 320x180: 101.25x180, rounded down to even.
    expect(captureSizes(captures, size(360, 640))).toEqual([size(100, 180), size(360, 640)]);
    expect(captureSizes(captures, size(1080, 1920))).toEqual([size(100, 180), size(404, 720)]);
  });
});
