/**
 * One ABR ladder (model/ladder.ts): the CDK job template's outputs are built from it, and
 * submit-job's CreateJob overrides exactly the template group that carries them. (That the local
 * MediaConvert emulator encodes it is shown on its output in local-emulators.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { buildCreateJobRequest } from "../../aws-lambdas/submit-job/mediaconvert-settings.ts";
import { hlsJobTemplateSettings } from "../../infra/lib/hls-job-template.ts";
import { CAPTURE_GROUP_NAME, captureFileName, parseCaptureFileName } from "../../model/captures.ts";
import { HLS_LADDER, type AbrLadder } from "../../model/ladder.ts";

/** The fields of a template output this test reads. */
interface Output {
  NameModifier: string;
  VideoDescription: {
    Width: number;
    Height: number;
    ScalingBehavior?: string;
    CodecSettings: { H264Settings: { MaxBitrate: number } };
  };
}
type Group = { Name?: string; OutputGroupSettings: Record<string, unknown>; Outputs?: Output[] };

function templateGroups(ladder?: AbrLadder): Group[] {
  return (hlsJobTemplateSettings(ladder) as { OutputGroups: Group[] }).OutputGroups;
}

function createJobSettings() {
  return buildCreateJobRequest({
    input: { bucket: "in", key: "uploads/clip.mp4" },
    outputBucket: "out",
    mediaConvert: { role: "arn:aws:iam::000000000000:role/mc", jobTemplate: "media-edge-hls" },
    keyHex: "00112233445566778899aabbccddeeff",
    clientRequestToken: "token",
    now: new Date(Date.UTC(2026, 11, 5)),
  }).request.Settings!;
}

describe("the ABR ladder reaches the CDK job template", () => {
  it("the template's first output group lists the shared ladder's renditions, in order, with its segment length", () => {
    const [hls] = templateGroups();
    expect(hls!.Outputs!.map((o) => o.NameModifier)).toEqual(HLS_LADDER.renditions.map((r) => r.nameModifier));
    expect(hls!.Outputs!.map((o) => [o.VideoDescription.Width, o.VideoDescription.Height])).toEqual(
      HLS_LADDER.renditions.map((r) => [r.width, r.height]),
    );
    expect(hls!.Outputs!.map((o) => o.VideoDescription.CodecSettings.H264Settings.MaxBitrate)).toEqual(
      HLS_LADDER.renditions.map((r) => r.maxBitrate),
    );
    expect(hls!.OutputGroupSettings).toMatchObject({
      HlsGroupSettings: { SegmentLength: HLS_LADDER.segmentSeconds },
    });
  });

  it("every rendition is scaled FIT_NO_UPSCALE: within its rung, keeping the aspect ratio, never upscaled or padded", () => {
    const [hls] = templateGroups();
    expect(HLS_LADDER.scaling).toBe("FIT_NO_UPSCALE");
    expect(hls!.Outputs!.length).toBe(HLS_LADDER.renditions.length);
    for (const output of hls!.Outputs!) expect(output.VideoDescription.ScalingBehavior).toBe("FIT_NO_UPSCALE");
  });

  it("the input is turned upright by its rotation metadata (Rotate AUTO) in the template (submit-job's job: test/lambdas/submit-job.test.ts)", () => {
    const template = hlsJobTemplateSettings() as { Inputs: Array<{ VideoSelector: { Rotate?: string } }> };
    expect(HLS_LADDER.inputRotate).toBe("AUTO");
    expect(template.Inputs[0]!.VideoSelector.Rotate).toBe("AUTO");
  });

  it("a changed ladder changes the template's renditions and audio", () => {
    const ladder: AbrLadder = {
      renditions: [{ nameModifier: "_1080p", width: 1920, height: 1080, maxBitrate: 8_000_000, quality: 9 }],
      scaling: "FIT_NO_UPSCALE",
      inputRotate: "AUTO",
      audio: { bitrate: 128_000, sampleRate: 44_100 },
      segmentSeconds: 4,
    };
    const [hls] = templateGroups(ladder);
    expect(hls!.Outputs).toHaveLength(1);
    expect(hls!.Outputs![0]).toMatchObject({
      NameModifier: "_1080p",
      VideoDescription: { Width: 1920, Height: 1080, ScalingBehavior: "FIT_NO_UPSCALE" },
      AudioDescriptions: [{ CodecSettings: { AacSettings: { Bitrate: 128_000, SampleRate: 44_100 } } }],
    });
    expect(hls!.OutputGroupSettings).toMatchObject({ HlsGroupSettings: { SegmentLength: 4 } });
  });
});

describe("submit-job's CreateJob overrides the template's ladder group", () => {
  it("its first output group has the type of the template's first group and carries no outputs of its own", () => {
    const [override] = createJobSettings().OutputGroups!;
    const [hls] = templateGroups();
    expect(createJobSettings().OutputGroups).toHaveLength(2);
    expect(override!.OutputGroupSettings!.Type).toBe(hls!.OutputGroupSettings.Type);
    // MediaConvert merges the job's first group over the template's: the renditions stay the ladder's.
    expect(override!.Outputs).toBeUndefined();
  });
});

describe("the ladder's frame captures reach the template, CreateJob and their names", () => {
  it("the template's second group is a File group of one FRAME_CAPTURE output per box (FIT_NO_UPSCALE, named by the box's width) at the ladder's interval", () => {
    const [, captures] = templateGroups();
    const settings = HLS_LADDER.frameCaptures!;
    expect(captures).toMatchObject({ Name: CAPTURE_GROUP_NAME, OutputGroupSettings: { Type: "FILE_GROUP_SETTINGS" } });
    expect(captures!.Outputs).toEqual(
      settings.boxes.map((box) => ({
        NameModifier: `_thumb${box.width}`,
        ContainerSettings: { Container: "RAW" },
        VideoDescription: {
          Width: box.width,
          Height: box.height,
          ScalingBehavior: "FIT_NO_UPSCALE",
          CodecSettings: {
            Codec: "FRAME_CAPTURE",
            FrameCaptureSettings: {
              FramerateNumerator: 1,
              FramerateDenominator: settings.intervalSeconds,
              MaxCaptures: settings.maxCaptures,
              Quality: settings.quality,
            },
          },
        },
      })),
    );
  });

  it("CreateJob's second group is the same File group with the job's folder as destination", () => {
    const [, captures] = createJobSettings().OutputGroups!;
    const [, template] = templateGroups();
    expect(captures!.OutputGroupSettings).toEqual({
      Type: "FILE_GROUP_SETTINGS",
      FileGroupSettings: { Destination: "s3://out/uploads/clip.mp4_20261205000000/" },
    });
    expect(captures!.Outputs).toEqual(template!.Outputs);
  });

  it("a ladder without captures gives a one-group template; captures are named <prefix>.NNNNNNN.jpg from 0", () => {
    expect(templateGroups({ ...HLS_LADDER, frameCaptures: undefined })).toHaveLength(1);
    expect(captureFileName("movie_thumb320", 0)).toBe("movie_thumb320.0000000.jpg");
    expect(captureFileName("a/b c_thumb1280", 1234)).toBe("a/b c_thumb1280.0001234.jpg");
    expect(parseCaptureFileName("a/b c_thumb1280.0001234.jpg")).toEqual({ namePrefix: "a/b c_thumb1280", index: 1234 });
    expect(parseCaptureFileName("movie_720p_00001.ts")).toBeUndefined();
    expect(parseCaptureFileName("movie.000001.jpg")).toBeUndefined();
  });
});
