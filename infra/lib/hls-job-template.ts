/**
 * The MediaConvert job template the stack creates when no existing one is named
 * (`-c mediaConvertJobTemplate=...`): an Apple HLS ABR ladder (360p, 540p, 720p H.264 QVBR + AAC)
 * with 6-second segments.
 *
 * submit-job overrides only what varies per upload: the input file, the HLS destination and the
 * AES-128 encryption of the first output group (aws-lambdas/submit-job/mediaconvert-settings.ts), so
 * the template's first output group must be its HLS group. MediaConvert merges job settings over the
 * template's. https://docs.aws.amazon.com/mediaconvert/latest/ug/working-with-job-templates.html
 * Settings reference: https://docs.aws.amazon.com/mediaconvert/latest/apireference/jobtemplates.html
 *
 * Pure data. Unset fields take MediaConvert's defaults; the values below are the ones we care about.
 */

/** One rung of the ladder. */
interface Rendition {
  width: number;
  height: number;
  /** QVBR ceiling, bits per second. */
  maxBitrate: number;
  /** QVBR quality level 1-10. */
  quality: number;
}

export const HLS_LADDER: readonly Rendition[] = [
  { width: 640, height: 360, maxBitrate: 1_200_000, quality: 7 },
  { width: 960, height: 540, maxBitrate: 3_500_000, quality: 8 },
  { width: 1280, height: 720, maxBitrate: 5_000_000, quality: 8 },
];

/** Segment length in seconds; the Worker's playlist windows work in whole segments. */
export const HLS_SEGMENT_SECONDS = 6;

const AUDIO_SELECTOR = "Audio Selector 1";

function output(rendition: Rendition): Record<string, unknown> {
  return {
    NameModifier: `_${rendition.height}p`,
    ContainerSettings: { Container: "M3U8", M3u8Settings: {} },
    VideoDescription: {
      Width: rendition.width,
      Height: rendition.height,
      CodecSettings: {
        Codec: "H_264",
        H264Settings: {
          RateControlMode: "QVBR",
          QvbrSettings: { QvbrQualityLevel: rendition.quality },
          MaxBitrate: rendition.maxBitrate,
          CodecProfile: "HIGH",
          // A key frame at every segment boundary: segments must start with one (RFC 8216 §3).
          GopSize: 2,
          GopSizeUnits: "SECONDS",
          SceneChangeDetect: "TRANSITION_DETECTION",
          QualityTuningLevel: "SINGLE_PASS_HQ",
          FramerateControl: "INITIALIZE_FROM_SOURCE",
        },
      },
    },
    AudioDescriptions: [
      {
        AudioSourceName: AUDIO_SELECTOR,
        CodecSettings: {
          Codec: "AAC",
          AacSettings: { Bitrate: 96_000, CodingMode: "CODING_MODE_2_0", SampleRate: 48_000 },
        },
      },
    ],
  };
}

/** `SettingsJson` of the AWS::MediaConvert::JobTemplate. */
export function hlsJobTemplateSettings(): Record<string, unknown> {
  return {
    Inputs: [
      {
        AudioSelectors: { [AUDIO_SELECTOR]: { DefaultSelection: "DEFAULT" } },
        VideoSelector: {},
        TimecodeSource: "ZEROBASED",
      },
    ],
    OutputGroups: [
      {
        Name: "Apple HLS",
        OutputGroupSettings: {
          Type: "HLS_GROUP_SETTINGS",
          HlsGroupSettings: {
            SegmentLength: HLS_SEGMENT_SECONDS,
            MinSegmentLength: 0,
            SegmentControl: "SEGMENTED_FILES",
            DirectoryStructure: "SINGLE_DIRECTORY",
            ManifestDurationFormat: "FLOATING_POINT",
            OutputSelection: "MANIFESTS_AND_SEGMENTS",
          },
        },
        Outputs: HLS_LADDER.map(output),
      },
    ],
  };
}
