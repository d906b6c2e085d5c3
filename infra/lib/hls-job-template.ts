/**
 * The MediaConvert job template the stack creates when no existing one is named
 * (`-c mediaConvertJobTemplate=...`): the Apple HLS ABR ladder of model/ladder.ts (H.264 QVBR + AAC),
 * the same definition the local MediaConvert emulator encodes.
 *
 * submit-job overrides only what varies per upload: the input file, the HLS destination and the
 * AES-128 encryption of the first output group (aws-lambdas/submit-job/mediaconvert-settings.ts), so
 * the template's first output group must be its HLS group. The second, when the ladder has
 * `frameCaptures`, is the File group of JPEG captures (model/captures.ts), whose destination
 * submit-job sets too. MediaConvert merges job settings over the template's. https://docs.aws.amazon.com/mediaconvert/latest/ug/working-with-job-templates.html
 * Settings reference: https://docs.aws.amazon.com/mediaconvert/latest/apireference/jobtemplates.html
 *
 * Pure data. Unset fields take MediaConvert's defaults; the values below are the ones we care about.
 */

import { CAPTURE_GROUP_NAME, CAPTURE_GROUP_TYPE, frameCaptureOutputs } from "../../model/captures.ts";
import { HLS_GROUP_NAME, HLS_GROUP_TYPE, HLS_LADDER, type AbrLadder, type Rendition } from "../../model/ladder.ts";

const AUDIO_SELECTOR = "Audio Selector 1";

function output(rendition: Rendition, ladder: AbrLadder): Record<string, unknown> {
  return {
    NameModifier: rendition.nameModifier,
    ContainerSettings: { Container: "M3U8", M3u8Settings: {} },
    VideoDescription: {
      // Width x Height is a ceiling: FIT_NO_UPSCALE keeps the input's aspect ratio, never upscales
      // and never pads (MediaConvert's DEFAULT would pillarbox a portrait video into the box).
      Width: rendition.width,
      Height: rendition.height,
      ScalingBehavior: ladder.scaling,
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
          AacSettings: {
            Bitrate: ladder.audio.bitrate,
            CodingMode: "CODING_MODE_2_0",
            SampleRate: ladder.audio.sampleRate,
          },
        },
      },
    ],
  };
}

/** `SettingsJson` of the AWS::MediaConvert::JobTemplate (the shared ladder unless one is given). */
export function hlsJobTemplateSettings(ladder: AbrLadder = HLS_LADDER): Record<string, unknown> {
  return {
    Inputs: [
      {
        AudioSelectors: { [AUDIO_SELECTOR]: { DefaultSelection: "DEFAULT" } },
        VideoSelector: { Rotate: ladder.inputRotate },
        TimecodeSource: "ZEROBASED",
      },
    ],
    OutputGroups: [
      {
        Name: HLS_GROUP_NAME,
        OutputGroupSettings: {
          Type: HLS_GROUP_TYPE,
          HlsGroupSettings: {
            SegmentLength: ladder.segmentSeconds,
            MinSegmentLength: 0,
            SegmentControl: "SEGMENTED_FILES",
            DirectoryStructure: "SINGLE_DIRECTORY",
            ManifestDurationFormat: "FLOATING_POINT",
            OutputSelection: "MANIFESTS_AND_SEGMENTS",
          },
        },
        Outputs: ladder.renditions.map((rendition) => output(rendition, ladder)),
      },
      ...(ladder.frameCaptures
        ? [
            {
              Name: CAPTURE_GROUP_NAME,
              OutputGroupSettings: { Type: CAPTURE_GROUP_TYPE, FileGroupSettings: {} },
              Outputs: frameCaptureOutputs(ladder.frameCaptures, ladder.scaling),
            },
          ]
        : []),
    ],
  };
}
