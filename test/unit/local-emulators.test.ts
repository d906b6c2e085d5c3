/**
 * The local MediaConvert and Rekognition emulators (local/emulators/) on the wire, through the real
 * AWS SDK v3 clients: if the SDK can talk to them, the Lambdas can. Inputs live in the global setup's
 * S3 server; ffmpeg is required (the tests fail saying so without it).
 */
import { execFile } from "node:child_process";
import { createDecipheriv } from "node:crypto";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  CancelJobCommand,
  CreateJobCommand,
  DescribeEndpointsCommand,
  GetJobCommand,
  MediaConvertClient,
  type CreateJobCommandInput,
} from "@aws-sdk/client-mediaconvert";
import {
  GetFaceDetectionCommand,
  RekognitionClient,
  StartFaceDetectionCommand,
  type FaceDetection,
  type StartFaceDetectionCommandInput,
} from "@aws-sdk/client-rekognition";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { localS3Client } from "../../local/aws.ts";
import { hasTool } from "../../local/emulators/media-tools.ts";
import {
  startMediaConvertEmulator,
  type MediaConvertEmulator,
  type MediaConvertStateChangeEvent,
} from "../../local/emulators/mediaconvert.ts";
import {
  FACE_INTERVAL_MS,
  startRekognitionEmulator,
  syntheticFaces,
  type RekognitionEmulator,
  type SnsLambdaEvent,
} from "../../local/emulators/rekognition.ts";
import type { EmulatorServer } from "../../local/emulators/http.ts";
import { s3NotificationRecord, sequencerSource } from "../../local/pipeline.ts";
import { compareSequencers, normaliseS3Events } from "../../aws-lambdas/shared/s3-events.ts";
import { LOCAL_CREDENTIALS } from "../../local/constants.ts";
import { CAPTURE_GROUP_TYPE, captureFileName } from "../../model/captures.ts";
import { DEFAULT_BUCKETS } from "../../model/index.ts";
import { HLS_LADDER, fitWithoutUpscale, type AbrLadder } from "../../model/ladder.ts";

const run = promisify(execFile);
const CLIP_KEY = "emulators/wire clip.mp4";
const KEY_HEX = "00112233445566778899aabbccddeeff";
/** The shared ladder changed to two small rungs: the emulator must write exactly these renditions. */
const SMALL_LADDER: AbrLadder = {
  ...HLS_LADDER,
  renditions: [
    { nameModifier: "_180p", width: 320, height: 180, maxBitrate: 300_000, quality: 7 },
    { nameModifier: "_90p", width: 160, height: 90, maxBitrate: 200_000, quality: 7 },
  ],
};
const TOPIC = "arn:aws:sns:us-east-1:000000000000:AmazonRekognitionFaces";
const ROLE = "arn:aws:iam::000000000000:role/RekognitionSnsPublish";

let work: string;
let s3: S3Client;
let mediaConvert: MediaConvertEmulator & EmulatorServer;
let rekognition: RekognitionEmulator & EmulatorServer;
let mcClient: MediaConvertClient;
let rkClient: RekognitionClient;
const jobEvents: MediaConvertStateChangeEvent[] = [];
const notifications: SnsLambdaEvent[] = [];

function createJobInput(
  overrides: { input?: string; token?: string; includeIv?: boolean } = {},
): CreateJobCommandInput {
  return {
    Role: "arn:aws:iam::000000000000:role/MediaConvertRole",
    JobTemplate: "media-edge-local-hls",
    ClientRequestToken: overrides.token,
    StatusUpdateInterval: "SECONDS_10",
    UserMetadata: { InputFile: CLIP_KEY },
    Settings: {
      Inputs: [{ FileInput: overrides.input ?? `s3://${DEFAULT_BUCKETS.input}/${CLIP_KEY}` }],
      OutputGroups: [
        {
          OutputGroupSettings: {
            Type: "HLS_GROUP_SETTINGS",
            HlsGroupSettings: {
              Destination: `s3://${DEFAULT_BUCKETS.output}/emulators/out-${overrides.token ?? "x"}/`,
              SegmentLength: 1,
              Encryption: {
                EncryptionMethod: "AES128",
                Type: "STATIC_KEY",
                StaticKeyProvider: { StaticKeyValue: KEY_HEX, Url: "wire clip.key" },
                InitializationVectorInManifest: overrides.includeIv ? "INCLUDE" : "EXCLUDE",
              },
            },
          },
        },
      ],
    },
  };
}

function startFaces(overrides: Partial<StartFaceDetectionCommandInput> = {}): StartFaceDetectionCommandInput {
  return {
    Video: { S3Object: { Bucket: DEFAULT_BUCKETS.input, Name: CLIP_KEY } },
    NotificationChannel: { SNSTopicArn: TOPIC, RoleArn: ROLE },
    FaceAttributes: "DEFAULT",
    JobTag: "media-edge:faces:0:wire",
    ...overrides,
  };
}

async function text(key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: DEFAULT_BUCKETS.output, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

/** A test-pattern H.264 clip of `size` (WxH) and `seconds` at `path`, made with ffmpeg. */
async function encodeTestClip(path: string, size: string, seconds: number): Promise<void> {
  await run("ffmpeg", [
    "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
    "-f", "lavfi", "-i", `testsrc=size=${size}:rate=25`, "-t", String(seconds),
    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path,
  ]); // prettier-ignore
}

async function rejection(promise: Promise<unknown>): Promise<{ name: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const failure = error as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: failure.name, status: failure.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to fail");
}

beforeAll(async () => {
  if (!(await hasTool("ffmpeg")) || !(await hasTool("ffprobe"))) {
    throw new Error("ffmpeg and ffprobe are required by the emulator tests: apt-get install -y ffmpeg.");
  }
  work = mkdtempSync(join(tmpdir(), "media-edge-emulators-"));
  const clip = join(work, "clip.mp4");
  await encodeTestClip(clip, "320x180", 3);
  s3 = localS3Client(inject("s3Endpoint"));
  await s3.send(new PutObjectCommand({ Bucket: DEFAULT_BUCKETS.input, Key: CLIP_KEY, Body: readFileSync(clip) }));
  mediaConvert = await startMediaConvertEmulator({
    s3,
    onEvent: (event) => jobEvents.push(event),
    ladder: SMALL_LADDER,
    startDelayMs: 50,
    statusUpdateMs: 100,
  });
  rekognition = await startRekognitionEmulator({
    s3,
    publish: (event) => notifications.push(event),
    processingDelayMs: 300,
    maxConcurrentJobs: 2,
  });
  const config = { region: "us-east-1", credentials: LOCAL_CREDENTIALS, maxAttempts: 1 };
  mcClient = new MediaConvertClient({ ...config, endpoint: mediaConvert.endpoint });
  rkClient = new RekognitionClient({ ...config, endpoint: rekognition.endpoint });
}, 60_000);

afterAll(async () => {
  mcClient?.destroy();
  rkClient?.destroy();
  await Promise.all([mediaConvert?.stop(), rekognition?.stop()]);
  s3?.destroy();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("MediaConvert emulator through @aws-sdk/client-mediaconvert", () => {
  it("CreateJob answers 201 with the job (id, ARN, queue, settings, metadata); the same token returns the same job", async () => {
    const first = await mcClient.send(new CreateJobCommand(createJobInput({ token: "wire-token-1" })));
    expect(first.$metadata.httpStatusCode).toBe(201);
    expect(first.Job).toMatchObject({
      Status: "SUBMITTED",
      Arn: `arn:aws:mediaconvert:us-east-1:000000000000:jobs/${first.Job!.Id}`,
      Queue: "arn:aws:mediaconvert:us-east-1:000000000000:queues/Default",
      JobTemplate: "media-edge-local-hls",
      UserMetadata: { InputFile: CLIP_KEY },
    });
    expect(first.Job!.Id).toMatch(/^\d{13}-[a-z0-9]{6}$/);
    expect(first.Job!.CreatedAt).toBeInstanceOf(Date);
    const hls = first.Job!.Settings!.OutputGroups![0]!.OutputGroupSettings!.HlsGroupSettings!;
    expect(hls.Destination).toBe(`s3://${DEFAULT_BUCKETS.output}/emulators/out-wire-token-1/`);
    const again = await mcClient.send(new CreateJobCommand(createJobInput({ token: "wire-token-1" })));
    expect(again.Job!.Id).toBe(first.Job!.Id);
    const other = await mcClient.send(new CreateJobCommand(createJobInput({ token: "wire-token-2" })));
    expect(other.Job!.Id).not.toBe(first.Job!.Id);
    await mediaConvert.idle();
  });

  it("EXCLUDE: one EXT-X-KEY without IV; each segment decrypts with its media sequence number as IV", async () => {
    const created = await mcClient.send(new CreateJobCommand(createJobInput({ token: "wire-exclude" })));
    await mediaConvert.idle();
    const job = await mcClient.send(new GetJobCommand({ Id: created.Job!.Id }));
    expect(job.Job).toMatchObject({ Status: "COMPLETE" });
    expect(job.Job!.OutputGroupDetails![0]!.OutputDetails![0]).toMatchObject({
      DurationInMs: 3000,
      VideoDetails: { WidthInPx: 320, HeightInPx: 180 },
    });
    const folder = "emulators/out-wire-exclude/";
    const master = (await text(`${folder}wire clip.m3u8`)).toString();
    expect(master).toContain("\nwire clip_180p.m3u8\n");
    expect(master).toContain('CODECS="avc1.4d401f"'); // no audio stream in this clip
    const playlist = (await text(`${folder}wire clip_180p.m3u8`)).toString();
    expect(playlist.match(/#EXT-X-KEY/g)).toEqual(["#EXT-X-KEY"]);
    expect(playlist).toContain('#EXT-X-KEY:METHOD=AES-128,URI="wire clip.key"\n');
    expect(playlist).not.toContain("IV=");
    const segments = playlist.split("\n").filter((line) => line.endsWith(".ts"));
    expect(segments).toEqual(["wire clip_180p_00001.ts", "wire clip_180p_00002.ts", "wire clip_180p_00003.ts"]);
    for (const [index, segment] of segments.entries()) {
      const iv = Buffer.alloc(16);
      iv.writeUInt32BE(index + 1, 12); // RFC 8216 §5.2: the media sequence number, big-endian
      const decipher = createDecipheriv("aes-128-cbc", Buffer.from(KEY_HEX, "hex"), iv);
      const clear = Buffer.concat([decipher.update(await text(folder + segment)), decipher.final()]);
      expect(clear[0]).toBe(0x47);
      expect(clear[188]).toBe(0x47);
    }
    const mine = jobEvents.filter((event) => event.detail.jobId === created.Job!.Id);
    expect(mine.map((event) => event.detail.status)).toEqual(
      expect.arrayContaining(["PROGRESSING", "INPUT_INFORMATION", "STATUS_UPDATE", "COMPLETE"]),
    );
    const complete = mine.at(-1)!;
    expect(complete).toMatchObject({
      version: "0",
      "detail-type": "MediaConvert Job State Change",
      source: "aws.mediaconvert",
      account: "000000000000",
      region: "us-east-1",
      resources: [created.Job!.Arn],
      detail: {
        status: "COMPLETE",
        jobId: created.Job!.Id,
        queue: "arn:aws:mediaconvert:us-east-1:000000000000:queues/Default",
        userMetadata: { InputFile: CLIP_KEY },
        outputGroupDetails: [
          {
            type: "HLS_GROUP",
            playlistFilePaths: [`s3://${DEFAULT_BUCKETS.output}/${folder}wire clip.m3u8`],
            outputDetails: [
              {
                outputFilePaths: [`s3://${DEFAULT_BUCKETS.output}/${folder}wire clip_180p.m3u8`],
                durationInMs: 3000,
                videoDetails: { widthInPx: 320, heightInPx: 180 },
              },
              { videoDetails: { widthInPx: 160, heightInPx: 90 } },
            ],
          },
        ],
      },
    });
    expect(complete.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const updates = mine.filter((event) => event.detail.status === "STATUS_UPDATE");
    expect(updates.length).toBeGreaterThanOrEqual(2);
    const percents = updates.map(
      (event) => (event.detail.jobProgress as { jobPercentComplete: number }).jobPercentComplete,
    );
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(JSON.stringify(mine)).not.toContain(KEY_HEX);
  });

  it("an input that does not exist ends in ERROR 1010 naming the s3:// path; GetJob says so too", async () => {
    const input = `s3://${DEFAULT_BUCKETS.input}/emulators/missing file.mp4`;
    const created = await mcClient.send(new CreateJobCommand(createJobInput({ input, token: "wire-missing" })));
    await mediaConvert.idle();
    const job = await mcClient.send(new GetJobCommand({ Id: created.Job!.Id }));
    expect(job.Job).toMatchObject({ Status: "ERROR", ErrorCode: 1010 });
    expect(job.Job!.ErrorMessage).toBe(
      `Unable to open input file [${input}]: [Failed probe/open: [The specified key does not exist.]]`,
    );
    const error = jobEvents.find((event) => event.detail.jobId === created.Job!.Id && event.detail.status === "ERROR");
    expect(error?.detail).toMatchObject({ errorCode: 1010, errorMessage: job.Job!.ErrorMessage });
  });

  it("CancelJob (DELETE) cancels a queued job and emits CANCELED; cancelling again is a ConflictException", async () => {
    const slow = await startMediaConvertEmulator({ s3, onEvent: (event) => jobEvents.push(event), startDelayMs: 5000 });
    const client = new MediaConvertClient({
      region: "us-east-1",
      credentials: LOCAL_CREDENTIALS,
      endpoint: slow.endpoint,
    });
    try {
      const created = await client.send(new CreateJobCommand(createJobInput({ token: "wire-cancel" })));
      const cancelled = await client.send(new CancelJobCommand({ Id: created.Job!.Id }));
      expect(cancelled.$metadata.httpStatusCode).toBe(202);
      expect((await client.send(new GetJobCommand({ Id: created.Job!.Id }))).Job!.Status).toBe("CANCELED");
      expect(await rejection(client.send(new CancelJobCommand({ Id: created.Job!.Id })))).toMatchObject({
        name: "ConflictException",
        status: 409,
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(jobEvents.filter((e) => e.detail.jobId === created.Job!.Id).map((e) => e.detail.status)).toEqual([
        "CANCELED",
      ]);
    } finally {
      client.destroy();
      await slow.stop();
    }
  });

  it("errors are typed like AWS's: NotFoundException, BadRequestException; DescribeEndpoints names the emulator", async () => {
    expect(await rejection(mcClient.send(new GetJobCommand({ Id: "1700000000000-nosuch" })))).toEqual({
      name: "NotFoundException",
      status: 404,
    });
    const noRole = { ...createJobInput(), Role: undefined } as unknown as CreateJobCommandInput;
    expect(await rejection(mcClient.send(new CreateJobCommand(noRole)))).toEqual({
      name: "BadRequestException",
      status: 400,
    });
    const endpoints = await mcClient.send(new DescribeEndpointsCommand({}));
    expect(endpoints.Endpoints).toEqual([{ Url: mediaConvert.endpoint }]);
  });

  // A phone records portrait video as landscape frames with a rotation in the container
  // (displaymatrix): MediaConvert's input Rotate AUTO (the job template's) turns it upright, as ffmpeg does.
  it.each([
    { label: "a portrait input", name: "portrait", size: "90x160", rotated: false },
    { label: "a phone's rotated landscape frames", name: "rotated", size: "160x90", rotated: true },
  ])(
    "FIT_NO_UPSCALE: $label stays portrait, is never upscaled, and is reported at its encoded size",
    async ({ name, size, rotated }) => {
      // 90x160 in the 320x180 rung: kept as is (no upscale); in the 160x90 rung: 50.6x90, rounded to 50x90.
      const portrait = join(work, `${name}.mp4`);
      await encodeTestClip(portrait, size, 1);
      if (rotated) {
        // ffmpeg 5 writes the displaymatrix only when copying, not when encoding.
        const stored = join(work, `${name}-stored.mp4`);
        renameSync(portrait, stored);
        await run("ffmpeg", [
          "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
          "-i", stored, "-c", "copy", "-metadata:s:v:0", "rotate=90", portrait,
        ]); // prettier-ignore
      }
      const key = `emulators/${name} clip.mp4`;
      await s3.send(new PutObjectCommand({ Bucket: DEFAULT_BUCKETS.input, Key: key, Body: readFileSync(portrait) }));
      const input = `s3://${DEFAULT_BUCKETS.input}/${key}`;
      const created = await mcClient.send(new CreateJobCommand(createJobInput({ input, token: `wire-${name}` })));
      await mediaConvert.idle();
      const expected = SMALL_LADDER.renditions.map((rung) => fitWithoutUpscale({ width: 90, height: 160 }, rung));
      expect(expected).toEqual([
        { width: 90, height: 160 },
        { width: 50, height: 90 },
      ]);
      const folder = `emulators/out-wire-${name}/`;
      const master = (await text(`${folder}${name} clip.m3u8`)).toString();
      const resolutions = [...master.matchAll(/RESOLUTION=(\d+x\d+)/g)].map((match) => match[1]);
      expect(resolutions).toEqual(expected.map((size) => `${size.width}x${size.height}`));
      const job = await mcClient.send(new GetJobCommand({ Id: created.Job!.Id }));
      expect(job.Job!.OutputGroupDetails![0]!.OutputDetails!.map((detail) => detail.VideoDetails)).toEqual(
        expected.map((size) => ({ WidthInPx: size.width, HeightInPx: size.height })),
      );
      // What ffmpeg really encoded: the first segment of each rendition, decrypted (IV = sequence 1).
      for (const [index, rung] of SMALL_LADDER.renditions.entries()) {
        const iv = Buffer.alloc(16);
        iv.writeUInt32BE(1, 12);
        const decipher = createDecipheriv("aes-128-cbc", Buffer.from(KEY_HEX, "hex"), iv);
        const segment = await text(`${folder}${name} clip${rung.nameModifier}_00001.ts`);
        const clear = join(work, `${name}${index}.ts`);
        writeFileSync(clear, Buffer.concat([decipher.update(segment), decipher.final()]));
        const { stdout } = await run("ffprobe", [
        "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "json", clear,
      ]); // prettier-ignore
        const [stream] = (JSON.parse(stdout) as { streams: Array<{ width: number; height: number }> }).streams;
        expect(stream).toEqual(expected[index]);
      }
    },
  );

  it("without a ladder option it encodes the shared ladder (model/ladder.ts), the one the CDK template is built from", async () => {
    const shared = await startMediaConvertEmulator({ s3, onEvent: () => undefined, startDelayMs: 0 });
    try {
      const client = new MediaConvertClient({
        region: "us-east-1",
        credentials: LOCAL_CREDENTIALS,
        maxAttempts: 1,
        endpoint: shared.endpoint,
      });
      const created = await client.send(new CreateJobCommand(createJobInput({ token: "wire-shared-ladder" })));
      client.destroy();
      await shared.idle();
      const master = (await text("emulators/out-wire-shared-ladder/wire clip.m3u8")).toString();
      const listed = master.split("\n").filter((line) => line.endsWith(".m3u8"));
      expect(listed).toEqual(HLS_LADDER.renditions.map((r) => `wire clip${r.nameModifier}.m3u8`));
      // The 320x180 clip is smaller than every rung: FIT_NO_UPSCALE keeps it 320x180 in each.
      const resolutions = [...master.matchAll(/RESOLUTION=(\d+x\d+)/g)].map((match) => match[1]);
      expect(resolutions).toEqual(HLS_LADDER.renditions.map(() => "320x180"));
      expect(created.Job!.Id).toBeTruthy();
    } finally {
      await shared.stop();
    }
  });
});

describe("MediaConvert emulator: frame captures (a FILE_GROUP_SETTINGS second group)", () => {
  /**
   * The ladder's captures changed to a 1-second interval, a box smaller than the 320x180 clip and one
   * larger (which FIT_NO_UPSCALE must not upscale it into).
   */
  const CAPTURE_LADDER: AbrLadder = {
    ...SMALL_LADDER,
    frameCaptures: {
      intervalSeconds: 1,
      boxes: [
        { width: 96, height: 54 },
        { width: 640, height: 360 },
      ],
      quality: 60,
      maxCaptures: 100,
    },
  };

  async function runWithCaptures(ladder: AbrLadder, token: string, inputKey?: string) {
    const events: MediaConvertStateChangeEvent[] = [];
    const emulator = await startMediaConvertEmulator({ s3, onEvent: (e) => events.push(e), ladder, startDelayMs: 0 });
    const client = new MediaConvertClient({ region: "us-east-1", credentials: LOCAL_CREDENTIALS, maxAttempts: 1, endpoint: emulator.endpoint }); // prettier-ignore
    try {
      const input = createJobInput({
        token,
        ...(inputKey ? { input: `s3://${DEFAULT_BUCKETS.input}/${inputKey}` } : {}),
      });
      input.Settings!.OutputGroups!.push({
        OutputGroupSettings: {
          Type: CAPTURE_GROUP_TYPE,
          FileGroupSettings: { Destination: `s3://${DEFAULT_BUCKETS.output}/emulators/out-${token}/` },
        },
      });
      await client.send(new CreateJobCommand(input));
      await emulator.idle();
    } finally {
      client.destroy();
      await emulator.stop();
    }
    const complete = events.find((event) => event.detail.status === "COMPLETE");
    expect(complete, JSON.stringify(events.map((e) => e.detail.errorMessage ?? e.detail.status))).toBeDefined();
    return complete!.detail.outputGroupDetails as Array<{
      type: string;
      outputDetails: Array<Record<string, unknown>>;
    }>;
  }

  async function jpegSize(key: string): Promise<string> {
    const file = join(work, key.replaceAll("/", "_"));
    writeFileSync(file, await text(key));
    const { stdout } = await run("ffprobe", [
      "-v",
      "error",
      "-show_entries",
      "stream=width,height",
      "-of",
      "csv=p=0",
      file,
    ]);
    return stdout.trim();
  }

  it("one JPEG per interval (first frame, then every 1 s of the 3-s clip) per ladder box, fitted without upscaling, named and reported as MediaConvert does", async () => {
    const groups = await runWithCaptures(CAPTURE_LADDER, "wire-captures");
    const folder = "emulators/out-wire-captures/";
    const files = groups.find((group) => group.type === "FILE_GROUP")!;
    expect(groups.map((group) => group.type)).toEqual(["HLS_GROUP", "FILE_GROUP"]);
    // The 320x180 clip: 96x54 in the small box, kept 320x180 (not upscaled) in the 640x360 one,
    // whose name still says the box (_thumb640).
    const expected = [
      { box: 96, width: 96, height: 54 },
      { box: 640, width: 320, height: 180 },
    ];
    for (const [index, { box, width, height }] of expected.entries()) {
      expect(fitWithoutUpscale({ width: 320, height: 180 }, CAPTURE_LADDER.frameCaptures!.boxes[index]!)).toEqual({
        width,
        height,
      });
      const prefix = `${folder}wire clip_thumb${box}`;
      // 25 fps for 3 s: captures at 0, 1 and 2 s; COMPLETE lists only the last file.
      expect(files.outputDetails[index]).toMatchObject({
        outputFilePaths: [`s3://${DEFAULT_BUCKETS.output}/${captureFileName(prefix, 2)}`],
        videoDetails: { widthInPx: width, heightInPx: height },
      });
      for (const n of [0, 1, 2]) expect(await jpegSize(captureFileName(prefix, n))).toBe(`${width},${height}`);
      await expect(text(captureFileName(prefix, 3))).rejects.toMatchObject({ name: "NoSuchKey" });
    }
  }, 60_000);

  it("a portrait input's captures are portrait and never upscaled (30x54 and 90x160 for a 90x160 clip)", async () => {
    const clip = join(work, "captures-portrait.mp4");
    await encodeTestClip(clip, "90x160", 1);
    const key = "emulators/captures portrait clip.mp4";
    await s3.send(new PutObjectCommand({ Bucket: DEFAULT_BUCKETS.input, Key: key, Body: readFileSync(clip) }));
    const groups = await runWithCaptures(CAPTURE_LADDER, "wire-captures-portrait", key);
    const files = groups.find((group) => group.type === "FILE_GROUP")!;
    const sizes = CAPTURE_LADDER.frameCaptures!.boxes.map((box) => fitWithoutUpscale({ width: 90, height: 160 }, box));
    // 90x160 in 96x54: 30.4x54, rounded down to even; in 640x360: kept 90x160.
    expect(sizes).toEqual([
      { width: 30, height: 54 },
      { width: 90, height: 160 },
    ]);
    for (const [index, box] of CAPTURE_LADDER.frameCaptures!.boxes.entries()) {
      const { width, height } = sizes[index]!;
      expect(height).toBeGreaterThan(width);
      const prefix = `emulators/out-wire-captures-portrait/captures portrait clip_thumb${box.width}`;
      expect(files.outputDetails[index]).toMatchObject({
        outputFilePaths: [`s3://${DEFAULT_BUCKETS.output}/${captureFileName(prefix, 0)}`],
        videoDetails: { widthInPx: width, heightInPx: height },
      });
      expect(await jpegSize(captureFileName(prefix, 0))).toBe(`${width},${height}`);
    }
  }, 60_000);

  it("the shared ladder's interval (5 s) gives the 3-s clip one capture per box; no File group, no captures", async () => {
    const groups = await runWithCaptures({ ...SMALL_LADDER }, "wire-captures-shared");
    const files = groups.find((group) => group.type === "FILE_GROUP")!;
    expect(files.outputDetails.map((detail) => detail.outputFilePaths)).toEqual(
      HLS_LADDER.frameCaptures!.boxes.map((box) => [
        `s3://${DEFAULT_BUCKETS.output}/${captureFileName(`emulators/out-wire-captures-shared/wire clip_thumb${box.width}`, 0)}`,
      ]),
    );
    // The 320x180 clip fits the 320x180 box and is not upscaled into the 1280x720 one.
    expect(files.outputDetails.map((detail) => detail.videoDetails)).toEqual(
      HLS_LADDER.frameCaptures!.boxes.map(() => ({ widthInPx: 320, heightInPx: 180 })),
    );
    await mediaConvert.idle();
    const plain = await mcClient.send(new CreateJobCommand(createJobInput({ token: "wire-no-captures" })));
    await mediaConvert.idle();
    const done = jobEvents.find((e) => e.detail.jobId === plain.Job!.Id && e.detail.status === "COMPLETE")!;
    expect((done.detail.outputGroupDetails as Array<{ type: string }>).map((group) => group.type)).toEqual([
      "HLS_GROUP",
    ]);
    await expect(text(`emulators/out-wire-no-captures/wire clip_thumb320.0000000.jpg`)).rejects.toMatchObject({
      name: "NoSuchKey",
    });
  }, 60_000);
});

describe("Rekognition emulator through @aws-sdk/client-rekognition", () => {
  it("StartFaceDetection: a 64-hex JobId; the same token and parameters give the same job, other parameters a mismatch", async () => {
    const first = await rkClient.send(
      new StartFaceDetectionCommand(startFaces({ ClientRequestToken: "wire-faces-1" })),
    );
    expect(first.JobId).toMatch(/^[0-9a-f]{64}$/);
    const again = await rkClient.send(
      new StartFaceDetectionCommand(startFaces({ ClientRequestToken: "wire-faces-1" })),
    );
    expect(again.JobId).toBe(first.JobId);
    expect(
      await rejection(
        rkClient.send(
          new StartFaceDetectionCommand(startFaces({ ClientRequestToken: "wire-faces-1", JobTag: "other" })),
        ),
      ),
    ).toEqual({ name: "IdempotentParameterMismatchException", status: 400 });
    // While it runs: IN_PROGRESS, no faces.
    const running = await rkClient.send(new GetFaceDetectionCommand({ JobId: first.JobId }));
    expect(running).toMatchObject({ JobStatus: "IN_PROGRESS" });
    expect(running.Faces).toBeUndefined();
    await rekognition.idle();
  });

  it("publishes the documented SNS notification, then pages every face with MaxResults/NextToken in time order", async () => {
    const started = await rkClient.send(
      new StartFaceDetectionCommand(startFaces({ ClientRequestToken: "wire-faces-2" })),
    );
    await rekognition.idle();
    const event = notifications.find((n) => n.Records[0]!.Sns.Message.includes(started.JobId!))!;
    expect(event.Records[0]).toMatchObject({ EventSource: "aws:sns", Sns: { Type: "Notification", TopicArn: TOPIC } });
    expect(JSON.parse(event.Records[0]!.Sns.Message)).toEqual({
      JobId: started.JobId,
      Status: "SUCCEEDED",
      API: "StartFaceDetection",
      JobTag: "media-edge:faces:0:wire",
      Timestamp: expect.any(Number),
      Video: { S3ObjectName: CLIP_KEY, S3Bucket: DEFAULT_BUCKETS.input },
    });

    const faces: FaceDetection[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await rkClient.send(
        new GetFaceDetectionCommand({ JobId: started.JobId, MaxResults: 4, NextToken: token }),
      );
      expect(page).toMatchObject({
        JobStatus: "SUCCEEDED",
        VideoMetadata: { Codec: "h264", DurationMillis: 3000, FrameWidth: 320, FrameHeight: 180, FrameRate: 25 },
      });
      expect(page.Faces!.length).toBeLessThanOrEqual(4);
      faces.push(...page.Faces!);
      token = page.NextToken;
      pages++;
    } while (token);
    const expected = syntheticFaces({ bucket: DEFAULT_BUCKETS.input, key: CLIP_KEY }, 3000);
    expect(faces).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 4));
    expect(new Set(faces.map((face) => face.Timestamp)).size).toBe(3000 / FACE_INTERVAL_MS);
    expect(faces.map((face) => face.Timestamp)).toEqual(faces.map((face) => face.Timestamp).sort((a, b) => a! - b!));
    // MaxResults above 1000 returns at most 1000 ("a maximum of 1000 results is returned").
    const all = await rkClient.send(new GetFaceDetectionCommand({ JobId: started.JobId, MaxResults: 5000 }));
    expect(all.Faces).toHaveLength(expected.length);
    expect(all.NextToken).toBeUndefined();
  });

  it("rejects tampered or foreign NextTokens, unknown jobs, missing objects, and a start beyond the concurrency limit", async () => {
    const a = await rkClient.send(new StartFaceDetectionCommand(startFaces({ ClientRequestToken: "wire-faces-3" })));
    const b = await rkClient.send(new StartFaceDetectionCommand(startFaces({ ClientRequestToken: "wire-faces-4" })));
    // maxConcurrentJobs is 2 in this test (AWS: 20).
    expect(
      await rejection(rkClient.send(new StartFaceDetectionCommand(startFaces({ ClientRequestToken: "wire-faces-5" })))),
    ).toEqual({ name: "LimitExceededException", status: 400 });
    await rekognition.idle();
    const page = await rkClient.send(new GetFaceDetectionCommand({ JobId: a.JobId, MaxResults: 1 }));
    expect(page.NextToken).toBeDefined();
    for (const [jobId, nextToken] of [
      [b.JobId, page.NextToken],
      [a.JobId, `${page.NextToken}x`],
      [a.JobId, "not-a-token"],
    ]) {
      expect(
        await rejection(rkClient.send(new GetFaceDetectionCommand({ JobId: jobId, NextToken: nextToken }))),
      ).toEqual({ name: "InvalidPaginationTokenException", status: 400 });
    }
    expect(await rejection(rkClient.send(new GetFaceDetectionCommand({ JobId: "f".repeat(64) })))).toEqual({
      name: "ResourceNotFoundException",
      status: 400,
    });
    const missing = startFaces({ Video: { S3Object: { Bucket: DEFAULT_BUCKETS.input, Name: "emulators/none.mp4" } } });
    expect(await rejection(rkClient.send(new StartFaceDetectionCommand(missing)))).toEqual({
      name: "InvalidS3ObjectException",
      status: 400,
    });
  });

  it("the synthetic faces are deterministic and well-formed", () => {
    const video = { bucket: "b", key: "k.mp4" };
    expect(syntheticFaces(video, 2000)).toEqual(syntheticFaces(video, 2000));
    for (const { Face } of syntheticFaces(video, 5000, "ALL")) {
      const box = Face.BoundingBox as { Width: number; Height: number; Left: number; Top: number };
      expect(box.Left + box.Width).toBeLessThanOrEqual(1);
      expect(box.Top + box.Height).toBeLessThanOrEqual(1);
      expect(Face).toHaveProperty("AgeRange");
    }
  });
});

describe("s3rver events become real-shaped S3 notification records (local/pipeline.ts)", () => {
  const s3rverRecord = (eventName: string, key: string) => ({
    eventName,
    eventTime: "2026-11-21T12:06:00.000Z",
    s3: {
      bucket: { name: "media-input" },
      object: { key, size: 4096, eTag: '"5d41402abc4b2a76b9719d911017c592"', sequencer: "17A1B2C3D4E" },
    },
  });

  it("form-encodes the key like S3, fixes the ARN and names multipart completion; the Lambdas decode it back", () => {
    const key = "uploads/a b+c%2B(ü).mp4";
    const record = s3NotificationRecord(s3rverRecord("ObjectCreated:Post", key), {
      sequencer: "0000018F00000000AB",
      region: "us-east-1",
    });
    expect(record).toMatchObject({
      eventSource: "aws:s3",
      eventName: "ObjectCreated:CompleteMultipartUpload",
      s3: {
        bucket: { name: "media-input", arn: "arn:aws:s3:::media-input" },
        object: {
          // encodeS3EventKey (aws-lambdas/shared) leaves "(" and ")" as they are; S3 writes %28/%29.
          // Both decode to the same key, which is what the Lambdas rely on.
          key: expect.stringMatching(/^uploads\/a\+b%2Bc%252B(\(|%28)%C3%BC(\)|%29)\.mp4$/),
          size: 4096,
          eTag: "5d41402abc4b2a76b9719d911017c592",
          sequencer: "0000018F00000000AB",
        },
      },
    });
    const { objects, rejections } = normaliseS3Events({ Records: [record] });
    expect(rejections).toEqual([]);
    expect(objects[0]).toMatchObject({
      bucket: "media-input",
      key,
      eventName: "ObjectCreated:CompleteMultipartUpload",
    });
    expect(
      s3NotificationRecord(s3rverRecord("ObjectCreated:Put", "k.mp4"), { sequencer: "1", region: "us-east-1" }),
    ).toMatchObject({ eventName: "ObjectCreated:Put" });
  });

  it("sequencers are fixed-width and strictly increasing, even within one millisecond", () => {
    const next = sequencerSource();
    const values = Array.from({ length: 1000 }, () => next());
    expect(new Set(values.map((value) => value.length))).toEqual(new Set([18]));
    for (let i = 1; i < values.length; i++) expect(compareSequencers(values[i - 1]!, values[i]!)).toBe(-1);
  });
});
