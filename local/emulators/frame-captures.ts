/**
 * Frame captures for the local MediaConvert emulator: the JPEG stills a FRAME_CAPTURE output writes,
 * made by the same ffmpeg run that encodes the ladder, with the ladder's interval and boxes
 * (model/ladder.ts `frameCaptures`), each still the input fitted in its box as FIT_NO_UPSCALE fits
 * it (fitWithoutUpscale: aspect ratio kept, never upscaled, never padded), named as MediaConvert
 * names them (model/captures.ts) and reported in COMPLETE as MediaConvert reports them: one
 * FILE_GROUP whose outputs list their last file.
 * https://docs.aws.amazon.com/mediaconvert/latest/ug/file-group-with-frame-capture-output.html
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { captureFileName, captureNameModifier } from "../../model/captures.ts";
import { fitWithoutUpscale, type FrameCaptureSettings, type FrameSize } from "../../model/ladder.ts";

/** Where a job's File group writes (from its FileGroupSettings destination). */
export interface CaptureDestination {
  bucket: string;
  /** Folder, ending in "/" (or ""). */
  prefix: string;
  /** File name base when the destination names one; else the input's base name. */
  baseName?: string;
}

/** What COMPLETE reports for one capture output. */
export interface CaptureOutputDetail {
  outputFilePaths: string[];
  durationInMs: number;
  videoDetails: { widthInPx: number; heightInPx: number };
}

/**
 * The size of each capture output for an input of this (displayed, rotation-corrected) size, in box
 * order: the input fitted in the box as the renditions are (the ladder's FIT_NO_UPSCALE).
 */
export function captureSizes(settings: FrameCaptureSettings, input: FrameSize): FrameSize[] {
  return settings.boxes.map((box) => fitWithoutUpscale(input, box));
}

/**
 * MediaConvert's JPEG Quality (1-100, higher is better) as ffmpeg's MJPEG -q:v (2-31, lower is
 * better); an approximation: the two encoders' scales are not the same.
 */
export function ffmpegJpegQuality(quality: number): number {
  return Math.min(31, Math.max(2, Math.round(31 - (29 * quality) / 100)));
}

/**
 * ffmpeg outputs appended to the ladder's encode: per box, the first frame and then the first frame
 * at or after every multiple of the interval ("the first frame, then one every N seconds"), as
 * `c<i>_0000000.jpg`, ... in `work`.
 */
export function captureFfmpegArgs(work: string, settings: FrameCaptureSettings, input: FrameSize): string[] {
  const interval = settings.intervalSeconds;
  const select = `select=eq(n\\,0)+gt(floor(t/${interval})\\,floor(prev_t/${interval}))`;
  return captureSizes(settings, input).flatMap((size, index) => [
    "-map",
    "0:v:0",
    "-vf",
    `${select},scale=${size.width}:${size.height}`,
    "-fps_mode",
    "vfr",
    "-frames:v",
    String(settings.maxCaptures),
    "-q:v",
    String(ffmpegJpegQuality(settings.quality)),
    "-start_number",
    "0",
    "-f",
    "image2",
    join(work, `c${index}_%07d.jpg`),
  ]);
}

/**
 * Uploads the captures ffmpeg wrote under their MediaConvert names and returns the COMPLETE event's
 * FILE_GROUP entry (undefined when ffmpeg wrote none).
 */
export async function uploadCaptures(options: {
  work: string;
  settings: FrameCaptureSettings;
  input: { width: number; height: number; durationMs: number };
  destination: CaptureDestination;
  baseName: string;
  put: (key: string, body: Buffer, contentType: string) => Promise<unknown>;
}): Promise<{ type: "FILE_GROUP"; outputDetails: CaptureOutputDetail[] } | undefined> {
  const { work, settings, input, destination, put } = options;
  const files = await readdir(work);
  const outputDetails: CaptureOutputDetail[] = [];
  const sizes = captureSizes(settings, input);
  for (const [index, box] of settings.boxes.entries()) {
    const written = files.filter((file) => new RegExp(`^c${index}_\\d{7}\\.jpg$`).test(file)).sort();
    if (written.length === 0) continue;
    const namePrefix = `${destination.prefix}${options.baseName}${captureNameModifier(box.width)}`;
    for (const [position, file] of written.entries()) {
      await put(captureFileName(namePrefix, position), await readFile(join(work, file)), "image/jpeg");
    }
    outputDetails.push({
      outputFilePaths: [`s3://${destination.bucket}/${captureFileName(namePrefix, written.length - 1)}`],
      durationInMs: input.durationMs,
      // The fitted size, as MediaConvert reports it: a 640x360 input's 1280x720 box gives 640x360.
      videoDetails: { widthInPx: sizes[index]!.width, heightInPx: sizes[index]!.height },
    });
  }
  return outputDetails.length === 0 ? undefined : { type: "FILE_GROUP", outputDetails };
}
