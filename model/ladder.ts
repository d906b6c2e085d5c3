/**
 * The ABR ladder: the one definition of the HLS renditions every upload is transcoded to. The CDK
 * job template (infra/lib/hls-job-template.ts) builds its outputs from it, submit-job's CreateJob
 * overrides the template's first output group (the HLS group defined here), and the local
 * MediaConvert emulator (local/emulators/mediaconvert.ts) encodes these renditions under
 * `npm start`, standing in for the template it cannot resolve.
 *
 * Further per-job output settings belong here too, as new fields of `AbrLadder`, so the template,
 * submit-job and the emulator keep reading one definition; the frame captures (thumbnails, posters,
 * storyboards) are one: `frameCaptures`, named and read by model/captures.ts.
 *
 * Pure data: loads in workerd, in Node and in the CDK app.
 * https://docs.aws.amazon.com/mediaconvert/latest/ug/working-with-job-templates.html
 */

/**
 * How every rendition is sized from the input (MediaConvert's VideoDescription.ScalingBehavior).
 * FIT_NO_UPSCALE: the input is scaled down until it fits inside the rung's width x height, keeping
 * its aspect ratio; it is never scaled up and never padded. A rung's size is a ceiling: a portrait
 * phone video stays portrait (no pillarbox bars, as MediaConvert's DEFAULT "fit with padding" would
 * add), and a 640x360 upload is not upscaled into 540p and 720p renditions (bits spent on no
 * detail), like Mux and Cloudflare Stream. It is not allowed with Automated ABR, which we do not use.
 * https://docs.aws.amazon.com/mediaconvert/latest/ug/video-scaling-fit-without-upscaling.html
 */
export type ScalingBehavior = "FIT_NO_UPSCALE";

/**
 * How the input is turned upright (MediaConvert's VideoSelector.Rotate). AUTO: by the rotation the
 * container states, as phones store portrait video (landscape frames and a 90° displaymatrix).
 * MediaConvert's default is no rotation "even if your input video has rotation metadata", which
 * would encode a phone's portrait video lying on its side.
 * https://docs.aws.amazon.com/mediaconvert/latest/apireference/jobs.html#jobs-prop-videoselector-rotate
 */
export type InputRotate = "AUTO";

/** One rung of the ladder. */
export interface Rendition {
  /** Appended to the input's base name: `<name><modifier>.m3u8`, `<name><modifier>_00001.ts`. */
  nameModifier: string;
  /** The largest output width: the rendition fits inside width x height (`AbrLadder.scaling`). */
  width: number;
  /** The largest output height; the name modifier says this ceiling (`_720p`), not the output's size. */
  height: number;
  /** QVBR ceiling, bits per second (the emulator caps its VBR encode at it). */
  maxBitrate: number;
  /** QVBR quality level 1-10. */
  quality: number;
}

/** Everything the job template fixes about the HLS output. */
export interface AbrLadder {
  /** Highest first is not required: the master lists variants in output order. */
  renditions: readonly Rendition[];
  /** How each rendition is sized from the input: within its rung, never upscaled, never padded. */
  scaling: ScalingBehavior;
  /** How the input is turned upright first (the job's and the template's VideoSelector.Rotate). */
  inputRotate: InputRotate;
  /** AAC audio of every rendition. */
  audio: { bitrate: number; sampleRate: number };
  /** HLS segment length in seconds. */
  segmentSeconds: number;
  /** JPEG frame captures in a second (File) output group; none when absent. */
  frameCaptures?: FrameCaptureSettings;
}

/** A frame size, or a box a frame is fitted into, in pixels. */
export interface FrameSize {
  width: number;
  height: number;
}

/**
 * The size MediaConvert's FIT_NO_UPSCALE scaling (`AbrLadder.scaling`) gives an input in a box (a
 * rung, a capture size): scaled by min(1, box.width / input.width, box.height / input.height),
 * keeping the aspect ratio, never upscaled, never padded; each dimension then rounded down to an
 * even number, at least 2 (4:2:0 chroma). E.g. 1080x1920 in 1280x720 -> 404x720 (405 rounded down);
 * 640x360 in any larger box -> 640x360. An input of unknown size (0) gets the box. The local
 * emulator sizes its renditions and captures with it; tests compute their expectations with it.
 * https://docs.aws.amazon.com/mediaconvert/latest/ug/video-scaling-fit-without-upscaling.html
 */
export function fitWithoutUpscale(input: FrameSize, box: FrameSize): FrameSize {
  const even = (n: number) => Math.max(2, 2 * Math.floor(n / 2));
  if (!(input.width > 0 && input.height > 0)) return { width: even(box.width), height: even(box.height) };
  // The factor as a fraction num/den of integers, so that an exact fit (1920 -> 1280) stays exact.
  let num = 1;
  let den = 1;
  if (box.width * den < input.width * num) [num, den] = [box.width, input.width];
  if (box.height * den < input.height * num) [num, den] = [box.height, input.height];
  return {
    width: even(Math.floor((input.width * num) / den)),
    height: even(Math.floor((input.height * num) / den)),
  };
}

/**
 * JPEG stills of the video, MediaConvert's FRAME_CAPTURE codec: the first frame, then one every
 * `intervalSeconds`, once per box. Each box is a ceiling, sized like the renditions (the ladder's
 * `scaling`, FIT_NO_UPSCALE): the input scaled down to fit inside it, aspect ratio kept, never
 * upscaled, never padded. So a 1920x1080 upload gets 320x180 and 1280x720 stills, a 640x360 one
 * 320x180 and 640x360, a portrait 360x640 one 100x180 and 360x640. The Worker serves them as
 * thumbnails, the poster and the storyboard (docs/api.md); it never resizes, so the fitted sizes
 * of `boxes` are every size a client can get.
 * https://docs.aws.amazon.com/mediaconvert/latest/apireference/jobs.html#jobs-model-framecapturesettings
 */
export interface FrameCaptureSettings {
  /** Seconds between two captures (FramerateNumerator 1 / FramerateDenominator interval). */
  intervalSeconds: number;
  /**
   * One output per box (Width, Height; name modifier `_thumb<box width>`, stable whatever size the
   * input gives), ascending width.
   */
  boxes: readonly FrameSize[];
  /** JPEG quality, 1-100 (MediaConvert `Quality`). */
  quality: number;
  /** Most captures per box (MediaConvert `MaxCaptures`): bounds the stills of a very long upload. */
  maxCaptures: number;
}

/** The `Name` of the template's first output group, the one submit-job overrides. */
export const HLS_GROUP_NAME = "Apple HLS";

/** The output group type submit-job's override and the template's first group share. */
export const HLS_GROUP_TYPE = "HLS_GROUP_SETTINGS";

const rung = (width: number, height: number, maxBitrate: number, quality: number): Rendition => ({
  nameModifier: `_${height}p`,
  width,
  height,
  maxBitrate,
  quality,
});

/**
 * H.264 QVBR + AAC in 6-second segments, in renditions of at most 640x360, 960x540 and 1280x720
 * (360p, 540p, 720p ceilings): each keeps the input's aspect ratio and none is larger than the input
 * (FIT_NO_UPSCALE), so a 640x360 upload gives three 640x360 renditions and a 1080x1920 portrait one
 * 202x360, 302x540 and 404x720; like Mux, a still every few seconds (5 s:
 * 720 per hour) in a storyboard size (at most 320x180) and a poster size (at most the top rung's
 * 1280x720), fitted like the renditions.
 */
export const HLS_LADDER: AbrLadder = {
  renditions: [rung(640, 360, 1_200_000, 7), rung(960, 540, 3_500_000, 8), rung(1280, 720, 5_000_000, 8)],
  scaling: "FIT_NO_UPSCALE",
  inputRotate: "AUTO",
  audio: { bitrate: 96_000, sampleRate: 48_000 },
  segmentSeconds: 6,
  frameCaptures: {
    intervalSeconds: 5,
    boxes: [
      { width: 320, height: 180 },
      { width: 1280, height: 720 },
    ],
    quality: 80,
    maxCaptures: 10_000,
  },
};
