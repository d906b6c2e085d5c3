import {
  CancelJobCommand,
  CreateJobCommand,
  type CreateJobCommandInput,
  MediaConvertClient,
} from "@aws-sdk/client-mediaconvert";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { memoryLog } from "../../aws-lambdas/shared/logger.ts";
import { encodeS3EventKey } from "../../aws-lambdas/shared/s3-events.ts";
import { uploadEventKey, clientRequestToken } from "../../aws-lambdas/shared/idempotency.ts";
import { readSubmitJobConfig, type SubmitJobConfig } from "../../aws-lambdas/submit-job/config.ts";
import { outputPathFor } from "../../aws-lambdas/submit-job/mediaconvert-settings.ts";
import { createSubmitJobHandler, SUBMIT_JOB_PURPOSE, SubmitJobError } from "../../aws-lambdas/submit-job/submit-job.ts";
import { DEFAULT_TABLES, epochSeconds } from "../../model/index.ts";
import { HLS_LADDER } from "../../model/ladder.ts";
import { isAddressableKey } from "../../worker/aws/s3-url.ts";
import {
  buckets,
  fakeJobId,
  fixture,
  getRow,
  listKeys,
  s3Notification,
  tables,
  testClients,
  uniquePrefix,
} from "./support.ts";

const ROLE = "arn:aws:iam::111122223333:role/MediaConvertDefaultRole";
const TEMPLATE = "media-edge-hls-abr";
const QUEUE = "arn:aws:mediaconvert:us-east-1:111122223333:queues/Default";
const baseEnv = {
  OUTPUT_BUCKET: buckets.output,
  MEDIACONVERT_ROLE: ROLE,
  MEDIACONVERT_JOB_TEMPLATE: TEMPLATE,
  MEDIACONVERT_QUEUE: QUEUE,
};

const { doc, s3 } = testClients();
const mediaConvert = new MediaConvertClient({ region: "us-east-1" });
const mc = mockClient(mediaConvert);

let clock = new Date("2026-11-21T12:34:56Z");
beforeEach(() => {
  mc.reset();
  clock = new Date("2026-11-21T12:34:56Z");
  // Like MediaConvert: a new job id, and the job echoes the settings it was created with.
  mc.on(CreateJobCommand).callsFake((input: CreateJobCommandInput) => ({
    Job: { Id: fakeJobId(), Settings: input.Settings, Role: input.Role },
  }));
});

function setup(env: Record<string, string> = {}, overrides: Partial<SubmitJobConfig> = {}) {
  const log = memoryLog();
  const config = { ...readSubmitJobConfig({ ...baseEnv, ...env }), ...overrides };
  const handler = createSubmitJobHandler({ config, clients: { dynamodb: doc, mediaConvert }, log, now: () => clock });
  return { handler, log };
}

const createJobCalls = () => mc.commandCalls(CreateJobCommand).map((call) => call.args[0].input);
const hlsOf = (input: CreateJobCommandInput) =>
  input.Settings!.OutputGroups![0]!.OutputGroupSettings!.HlsGroupSettings!;

describe("submit-job: one upload", () => {
  it("creates the job the seed created, with a fresh key, and writes the seed's rows (no key in S3 or logs)", async () => {
    const prefix = uniquePrefix("seed");
    const key = `${prefix}Big Buck Bunny.test.mp4`;
    const { handler, log } = setup();
    const result = await handler(
      s3Notification([{ key, eTag: "etag-seed", sequencer: "0055AED6DCD90281E5" }], encodeS3EventKey),
    );

    const calls = createJobCalls();
    expect(calls).toHaveLength(1);
    const input = calls[0]!;
    const outputPath = `${key}_20261121123456/`;
    const keyHex = hlsOf(input).Encryption!.StaticKeyProvider!.StaticKeyValue!;
    expect(keyHex).toMatch(/^[0-9a-f]{32}$/);
    expect(input).toEqual({
      Role: ROLE,
      JobTemplate: TEMPLATE,
      Queue: QUEUE,
      ClientRequestToken: clientRequestToken(
        uploadEventKey(SUBMIT_JOB_PURPOSE, { bucket: buckets.input, key, eTag: "etag-seed" }),
      ),
      StatusUpdateInterval: "SECONDS_10",
      UserMetadata: {
        JobCreatedBy: "media-edge",
        InputBucket: buckets.input,
        InputFile: key,
        OutputPath: outputPath,
        OutputBucket: buckets.output,
      },
      Settings: {
        Inputs: [{ FileInput: `s3://${buckets.input}/${key}`, VideoSelector: { Rotate: "AUTO" } }],
        OutputGroups: [
          {
            OutputGroupSettings: {
              Type: "HLS_GROUP_SETTINGS",
              HlsGroupSettings: {
                Destination: `s3://${buckets.output}/${outputPath}`,
                Encryption: {
                  EncryptionMethod: "AES128",
                  Type: "STATIC_KEY",
                  StaticKeyProvider: { StaticKeyValue: keyHex, Url: "Big Buck Bunny.test.key" },
                  InitializationVectorInManifest: "INCLUDE",
                },
              },
            },
          },
          {
            // The ladder's frame captures (thumbnails), beside the HLS output.
            Name: "Frame captures",
            OutputGroupSettings: {
              Type: "FILE_GROUP_SETTINGS",
              FileGroupSettings: { Destination: `s3://${buckets.output}/${outputPath}` },
            },
            Outputs: HLS_LADDER.frameCaptures!.boxes.map((box) => ({
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
                    FramerateDenominator: HLS_LADDER.frameCaptures!.intervalSeconds,
                    MaxCaptures: HLS_LADDER.frameCaptures!.maxCaptures,
                    Quality: HLS_LADDER.frameCaptures!.quality,
                  },
                },
              },
            })),
          },
        ],
      },
    });
    expect(input.ClientRequestToken!.length).toBeLessThanOrEqual(64);

    expect(result.results).toHaveLength(1);
    const submitted = result.results[0]!;
    expect(submitted).toMatchObject({ outcome: "submitted", bucket: buckets.input, key, outputPath });
    const jobId = (submitted as { jobId: string }).jobId;
    const created = epochSeconds(clock.getTime());

    expect(await getRow(doc, "jobIdToOutput", jobId)).toEqual({
      JobId: jobId,
      InputFile: key,
      InputBucket: buckets.input,
      OutputBucket: buckets.output,
      OutputPath: outputPath,
      KeyFile: "Big Buck Bunny.test.key",
      KeyValue: keyHex,
      CreationTime: created,
    });
    expect(await getRow(doc, "jobIdToStatus", jobId)).toEqual({
      JobId: jobId,
      JobStatus: "SUBMITTED",
      ProgressRate: 0,
      StatusRank: 0,
      InputFile: key,
      Warnings: {},
      CreationTime: created,
      ExpirationTime: created + 86_400,
    });
    expect(await getRow(doc, "inputFileToJobId", key)).toMatchObject({
      InputFile: key,
      JobId: jobId,
      CreationTime: created,
      ExpirationTime: created + 86_400,
    });
    expect(await listKeys(s3, buckets.output, key)).toEqual([]);
    expect(JSON.stringify(log.entries)).not.toContain(keyHex);
    expect(log.entries).toContainEqual(
      expect.objectContaining({ level: "info", message: "MediaConvert job submitted" }),
    );
  });

  it("computes the output folder per invocation (the seed reused its cold-start timestamp)", async () => {
    const prefix = uniquePrefix("per-invocation");
    const { handler } = setup();
    await handler(s3Notification([{ key: `${prefix}first.mp4` }], encodeS3EventKey));
    clock = new Date("2026-11-21T13:00:01Z");
    await handler(s3Notification([{ key: `${prefix}second.mp4` }], encodeS3EventKey));
    expect(createJobCalls().map((input) => hlsOf(input).Destination)).toEqual([
      `s3://${buckets.output}/${prefix}first.mp4_20261121123456/`,
      `s3://${buckets.output}/${prefix}second.mp4_20261121130001/`,
    ]);
    const keys = createJobCalls().map((input) => hlsOf(input).Encryption!.StaticKeyProvider!.StaticKeyValue);
    expect(new Set(keys).size).toBe(2);
  });

  it("decodes awkward keys: a b+c%2B(ü).mp4", async () => {
    const event = fixture("s3/notification-put.json") as {
      Records: Array<{ s3: { object: { key: string; eTag: string } } }>;
    };
    const prefix = uniquePrefix("awkward");
    event.Records[0]!.s3.object.key = encodeS3EventKey(prefix) + "a+b%2Bc%252B%28%C3%BC%29.mp4";
    const { handler } = setup();
    const result = await handler(event);
    const key = `${prefix}a b+c%2B(ü).mp4`;
    expect(result.results).toEqual([expect.objectContaining({ outcome: "submitted", key })]);
    const input = createJobCalls()[0]!;
    expect(input.Settings!.Inputs![0]!.FileInput).toBe(`s3://${buckets.input}/${key}`);
    expect(hlsOf(input).Encryption!.StaticKeyProvider!.Url).toBe("a b+c%2B(ü).key");
    expect(await getRow(doc, "inputFileToJobId", key)).toMatchObject({ InputFile: key });
  });

  it("rejects a malformed percent escape with a logged reason, without throwing or submitting", async () => {
    const { handler, log } = setup();
    const result = await handler(s3Notification([{ key: "broken%E0%A4%A.mp4" }], (k) => k));
    expect(result.results).toEqual([
      expect.objectContaining({ outcome: "rejected", reason: "undecodable-key", rawKey: "broken%E0%A4%A.mp4" }),
    ]);
    expect(createJobCalls()).toEqual([]);
    expect(log.entries).toContainEqual(
      expect.objectContaining({ level: "warn", extra: expect.objectContaining({ reason: "undecodable-key" }) }),
    );
  });

  it("handles multipart completion (S3 CompleteMultipartUpload and s3rver's ObjectCreated:Post) like Put", async () => {
    const multipart = fixture("s3/notification-multipart.json") as {
      Records: Array<{ s3: { object: { key: string } } }>;
    };
    const post = fixture("s3/s3rver-post.json") as { Records: Array<{ s3: { object: { key: string } } }> };
    const prefix = uniquePrefix("multipart");
    multipart.Records[0]!.s3.object.key = encodeS3EventKey(prefix) + "Big+Buck+Bunny.mp4";
    post.Records[0]!.s3.object.key = encodeS3EventKey(prefix) + "clip.mov";
    const { handler } = setup();
    const results = [...(await handler(multipart)).results, ...(await handler(post)).results];
    expect(results.map((r) => [r.outcome, "key" in r ? r.key : ""])).toEqual([
      ["submitted", `${prefix}Big Buck Bunny.mp4`],
      ["submitted", `${prefix}clip.mov`],
    ]);
    expect(createJobCalls().map((input) => input.Settings!.Inputs![0]!.FileInput)).toEqual([
      `s3://${buckets.input}/${prefix}Big Buck Bunny.mp4`,
      `s3://${buckets.input}/${prefix}clip.mov`,
    ]);
  });

  it("accepts EventBridge Object Created events", async () => {
    const event = fixture("eventbridge/s3-object-created.json") as { detail: { object: { key: string } } };
    const prefix = uniquePrefix("eventbridge");
    event.detail.object.key = encodeS3EventKey(prefix) + "holiday+2026.mov";
    const { handler } = setup();
    const result = await handler(event);
    expect(result.results).toEqual([
      expect.objectContaining({ outcome: "submitted", key: `${prefix}holiday 2026.mov` }),
    ]);
    expect(createJobCalls()[0]!.UserMetadata).toMatchObject({ InputFile: `${prefix}holiday 2026.mov` });
  });

  it("ignores the S3 test event", async () => {
    const { handler } = setup();
    expect((await handler(fixture("s3/test-event.json"))).results).toEqual([
      expect.objectContaining({ outcome: "rejected", reason: "test-event" }),
    ]);
    expect(createJobCalls()).toEqual([]);
  });
});

describe("submit-job: batches and filters", () => {
  it("handles every record of a batch and skips non-uploads with logged reasons", async () => {
    const prefix = uniquePrefix("batch");
    const { handler, log } = setup({ INPUT_PREFIX: prefix, VIDEO_EXTENSIONS: "mp4, .MOV mkv" });
    const result = await handler(
      s3Notification(
        [
          { key: `${prefix}one.mp4` },
          { key: `${prefix}folder/`, size: 0 },
          { key: `${prefix}two.MOV` },
          { key: `${prefix}empty.mp4`, size: 0 },
          { key: `elsewhere/three.mp4` },
          { key: `${prefix}notes.txt` },
          { key: `${prefix}README` },
          { key: `${prefix}four.mkv` },
        ],
        encodeS3EventKey,
      ),
    );
    expect(result.results.map((r) => (r.outcome === "skipped" ? r.reason : r.outcome))).toEqual([
      "submitted",
      "folder-marker",
      "submitted",
      "empty-object",
      "outside-input-prefix",
      "not-a-video",
      "not-a-video",
      "submitted",
    ]);
    expect(createJobCalls().map((input) => input.UserMetadata!.InputFile)).toEqual([
      `${prefix}one.mp4`,
      `${prefix}two.MOV`,
      `${prefix}four.mkv`,
    ]);
    const skips = log.entries.filter((entry) => entry.message === "Object skipped").map((entry) => entry.extra?.reason);
    expect(skips).toEqual(["folder-marker", "empty-object", "outside-input-prefix", "not-a-video", "not-a-video"]);
  });

  it('skips a key with a "." or ".." segment: its output folder could never be written to or served', async () => {
    const prefix = uniquePrefix("dots");
    const { handler, log } = setup();
    const keys = [`${prefix}../movie.mp4`, `${prefix}./movie.mp4`, `${prefix}a/../b/movie.mp4`];
    const result = await handler(
      s3Notification(
        keys.map((key) => ({ key })),
        encodeS3EventKey,
      ),
    );
    // S3 accepts such keys, but a URL drops the segment (WHATWG URL), so job-state's PutObject of
    // <output folder>info.json and the Worker's reads refuse them: COMPLETE would be retried into the
    // failure queue and the row would never complete.
    expect(keys.every((key) => !isAddressableKey(outputPathFor(key, clock)))).toBe(true);
    expect(result.results.map((r) => (r.outcome === "skipped" ? r.reason : r.outcome))).toEqual([
      "unaddressable-key",
      "unaddressable-key",
      "unaddressable-key",
    ]);
    expect(createJobCalls()).toEqual([]);
    expect(log.entries.filter((entry) => entry.message === "Object skipped")).toHaveLength(3);
    // A name that merely contains dots is an upload like any other.
    await handler(s3Notification([{ key: `${prefix}..movie..mp4` }], encodeS3EventKey));
    expect(createJobCalls()).toHaveLength(1);
  });

  it("never transcodes its own output when input and output share a bucket, nor unexpected buckets", async () => {
    const prefix = uniquePrefix("loop");
    const { handler } = setup({ INPUT_BUCKETS: `${buckets.input},${buckets.output}` });
    const result = await handler(
      s3Notification(
        [
          { bucket: buckets.output, key: `${prefix}movie.mp4_20261121123456/movie_1080p.mp4` },
          { bucket: "someone-elses-bucket", key: `${prefix}movie.mp4` },
        ],
        encodeS3EventKey,
      ),
    );
    expect(result.results.map((r) => (r.outcome === "skipped" ? r.reason : r.outcome))).toEqual([
      "inside-output-folder",
      "unexpected-bucket",
    ]);
    expect(createJobCalls()).toEqual([]);
  });
});

describe("submit-job: idempotency", () => {
  it("submits one job for an event redelivered hours later, and for the same upload seen via EventBridge", async () => {
    const prefix = uniquePrefix("dup");
    const key = `${prefix}movie.mp4`;
    const { handler, log } = setup();
    const event = s3Notification([{ key, eTag: "0123456789abcdef0123456789abcdef" }], encodeS3EventKey);
    const first = await handler(event);
    const jobId = (first.results[0] as { jobId: string }).jobId;

    clock = new Date(clock.getTime() + 5 * 3_600_000);
    const again = await handler(structuredClone(event));
    const viaEventBridge = fixture("eventbridge/s3-object-created.json") as {
      detail: { object: { key: string; etag: string } };
    };
    viaEventBridge.detail.object.key = encodeS3EventKey(key);
    viaEventBridge.detail.object.etag = "0123456789abcdef0123456789abcdef";
    const third = await handler(viaEventBridge);

    expect(createJobCalls()).toHaveLength(1);
    expect(again.results).toEqual([{ outcome: "duplicate", bucket: buckets.input, key, jobId }]);
    expect(third.results).toEqual([{ outcome: "duplicate", bucket: buckets.input, key, jobId }]);
    expect(log.entries.filter((e) => e.message.startsWith("Duplicate upload event"))).toHaveLength(2);
  });

  it("treats a new version (or new content) of the same key as a new upload", async () => {
    const prefix = uniquePrefix("versions");
    const key = `${prefix}movie.mp4`;
    const { handler } = setup();
    await handler(s3Notification([{ key, versionId: "v1", sequencer: "0A" }], encodeS3EventKey));
    await handler(s3Notification([{ key, versionId: "v2", sequencer: "0B" }], encodeS3EventKey));
    expect(createJobCalls()).toHaveLength(2);
  });

  it("keeps the InputFile row on the newest upload when events arrive out of order (S3 sequencer)", async () => {
    const prefix = uniquePrefix("sequencer");
    const key = `${prefix}movie.mp4`;
    const { handler } = setup();
    const newer = await handler(
      s3Notification([{ key, eTag: "new", sequencer: "0055AED6DCD90281F0" }], encodeS3EventKey),
    );
    const older = await handler(
      s3Notification([{ key, eTag: "old", sequencer: "0055AED6DCD90281E5" }], encodeS3EventKey),
    );
    const newerJob = (newer.results[0] as { jobId: string }).jobId;
    const olderJob = (older.results[0] as { jobId: string }).jobId;
    expect(olderJob).not.toBe(newerJob);
    expect((await getRow(doc, "inputFileToJobId", key))?.JobId).toBe(newerJob);
    // The older upload's job is still fully recorded.
    expect(await getRow(doc, "jobIdToStatus", olderJob)).toMatchObject({ JobStatus: "SUBMITTED" });
    expect(await getRow(doc, "jobIdToOutput", olderJob)).toMatchObject({ InputFile: key });
  });

  it("points the InputFile row back at the first job when content A, then B, then A again is uploaded", async () => {
    const prefix = uniquePrefix("aba");
    const key = `${prefix}movie.mp4`;
    const { handler } = setup();
    const upload = (eTag: string, sequencer: string) =>
      handler(s3Notification([{ key, eTag, sequencer }], encodeS3EventKey));
    const first = await upload("aaaa", "0055AED6DCD90281E5");
    await upload("bbbb", "0055AED6DCD90281F0");
    const third = await upload("aaaa", "0055AED6DCD9028200");
    const firstJob = (first.results[0] as { jobId: string }).jobId;
    // The same bytes as the first upload: no third transcode...
    expect(createJobCalls()).toHaveLength(2);
    expect(third.results).toEqual([{ outcome: "duplicate", bucket: buckets.input, key, jobId: firstJob }]);
    // ...but the key holds A again, so its latest job is A's, not B's.
    expect(await getRow(doc, "inputFileToJobId", key)).toMatchObject({ JobId: firstJob });
    // A redelivery of B's event changes nothing.
    await upload("bbbb", "0055AED6DCD90281F0");
    expect(await getRow(doc, "inputFileToJobId", key)).toMatchObject({ JobId: firstJob });
  });

  it("leaves a live claim alone and takes over an expired one (a crashed attempt)", async () => {
    const prefix = uniquePrefix("lease");
    const key = `${prefix}movie.mp4`;
    const eventKey = uploadEventKey(SUBMIT_JOB_PURPOSE, { bucket: buckets.input, key, eTag: "e1" });
    await doc.send(
      new PutCommand({
        TableName: tables.uploadEvents,
        Item: {
          EventKey: eventKey,
          ClaimState: "IN_PROGRESS",
          LeaseId: "crashed",
          LeaseExpiresAt: clock.getTime() + 60_000,
        },
      }),
    );
    const { handler, log } = setup();
    const event = s3Notification([{ key, eTag: "e1" }], encodeS3EventKey);
    expect((await handler(event)).results).toEqual([{ outcome: "in-progress", bucket: buckets.input, key }]);
    expect(createJobCalls()).toEqual([]);

    clock = new Date(clock.getTime() + 61_000);
    const result = await handler(event);
    expect(result.results).toEqual([expect.objectContaining({ outcome: "submitted", key })]);
    expect(log.entries).toContainEqual(
      expect.objectContaining({ level: "warn", message: expect.stringContaining("Took over") }),
    );
    expect(await getRow(doc, "uploadEvents", eventKey)).toMatchObject({
      ClaimState: "DONE",
      Result: { JobId: (result.results[0] as { jobId: string }).jobId },
    });
  });

  it("records the key MediaConvert really uses when a repeated token returns an earlier job", async () => {
    const prefix = uniquePrefix("replay");
    const key = `${prefix}movie.mp4`;
    const earlierKey = "00112233445566778899aabbccddeeff";
    const earlierPath = `${key}_20261121123400/`;
    mc.on(CreateJobCommand).resolves({
      Job: {
        Id: "1763728496000-replay",
        Role: ROLE,
        Settings: {
          OutputGroups: [
            {
              OutputGroupSettings: {
                Type: "HLS_GROUP_SETTINGS",
                HlsGroupSettings: {
                  Destination: `s3://${buckets.output}/${earlierPath}`,
                  Encryption: { StaticKeyProvider: { StaticKeyValue: earlierKey, Url: "movie.key" } },
                },
              },
            },
          ],
        },
      },
    });
    const { handler } = setup();
    await handler(s3Notification([{ key, eTag: "r1" }], encodeS3EventKey));
    expect(await getRow(doc, "jobIdToOutput", "1763728496000-replay")).toMatchObject({
      OutputPath: earlierPath,
      KeyValue: earlierKey,
    });
  });
});

describe("submit-job: failures", () => {
  it("throws when CreateJob fails, releases the claim, and the retry submits exactly one job", async () => {
    const prefix = uniquePrefix("fail");
    const key = `${prefix}movie.mp4`;
    mc.on(CreateJobCommand)
      .rejectsOnce(Object.assign(new Error("Too many requests"), { name: "TooManyRequestsException" }))
      .callsFake((input: CreateJobCommandInput) => ({ Job: { Id: fakeJobId(), Settings: input.Settings } }));
    const { handler } = setup();
    const event = s3Notification([{ key: `${prefix}ok.mp4` }, { key, eTag: "f1" }], encodeS3EventKey);
    // The first record consumes the rejection; the second still succeeds; the event throws.
    const error = await handler(event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubmitJobError);
    const failure = (error as SubmitJobError).result.results;
    expect(failure.map((r) => r.outcome)).toEqual(["failed", "submitted"]);

    const retry = await handler(event);
    expect(retry.results.map((r) => r.outcome)).toEqual(["submitted", "duplicate"]);
    expect(createJobCalls()).toHaveLength(3);
  });

  it("never lets the content key out through a CreateJob error that quotes the settings", async () => {
    const prefix = uniquePrefix("quote");
    mc.on(CreateJobCommand).callsFake((input: CreateJobCommandInput) => {
      const key = hlsOf(input).Encryption!.StaticKeyProvider!.StaticKeyValue!;
      throw Object.assign(new Error(`/outputGroups/0: invalid staticKeyValue [${key.toUpperCase()}]`), {
        name: "BadRequestException",
      });
    });
    const { handler, log } = setup();
    const error = await handler(s3Notification([{ key: `${prefix}movie.mp4` }], encodeS3EventKey)).catch(
      (e: unknown) => e,
    );
    const key = hlsOf(createJobCalls()[0]!).Encryption!.StaticKeyProvider!.StaticKeyValue!;
    const everything = JSON.stringify(log.entries) + JSON.stringify((error as SubmitJobError).result) + String(error);
    expect(everything).toContain("[content key]");
    expect(everything.toLowerCase()).not.toContain(key.toLowerCase());
  });

  it("cancels a job it could not record and releases the claim", async () => {
    const prefix = uniquePrefix("unrecorded");
    const key = `${prefix}movie.mp4`;
    mc.on(CancelJobCommand).resolves({});
    const { handler } = setup({}, { tables: { ...DEFAULT_TABLES, jobIdToOutput: "MissingTable" } });
    const error = await handler(s3Notification([{ key, eTag: "u1" }], encodeS3EventKey)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubmitJobError);
    const jobId = (await mc.commandCalls(CreateJobCommand)[0]!.returnValue)?.Job?.Id;
    expect(mc.commandCalls(CancelJobCommand).map((call) => call.args[0].input)).toEqual([{ Id: jobId }]);
    const eventKey = uploadEventKey(SUBMIT_JOB_PURPOSE, { bucket: buckets.input, key, eTag: "u1" });
    expect(await getRow(doc, "uploadEvents", eventKey)).toBeUndefined();
    expect(await getRow(doc, "jobIdToStatus", jobId!)).toBeUndefined();
  });
});

describe("submit-job: configuration", () => {
  it("fails the cold start naming the missing variable", async () => {
    vi.resetModules();
    vi.stubEnv("OUTPUT_BUCKET", "");
    vi.stubEnv("MEDIACONVERT_ROLE", ROLE);
    vi.stubEnv("MEDIACONVERT_JOB_TEMPLATE", TEMPLATE);
    await expect(import("../../aws-lambdas/submit-job/handler.ts")).rejects.toThrow(/OUTPUT_BUCKET/);
    vi.stubEnv("OUTPUT_BUCKET", buckets.output);
    vi.stubEnv("MEDIACONVERT_JOB_TEMPLATE", "");
    vi.resetModules();
    await expect(import("../../aws-lambdas/submit-job/handler.ts")).rejects.toThrow(/MEDIACONVERT_JOB_TEMPLATE/);
    vi.unstubAllEnvs();
  });

  it("validates numbers, lists and URLs", () => {
    expect(() => readSubmitJobConfig({ ...baseEnv, STATUS_TTL_SECONDS: "a day" })).toThrow(/STATUS_TTL_SECONDS/);
    expect(() => readSubmitJobConfig({ ...baseEnv, MEDIACONVERT_ENDPOINT_URL: "not a url" })).toThrow(
      /MEDIACONVERT_ENDPOINT_URL/,
    );
    expect(() => readSubmitJobConfig({ ...baseEnv, VIDEO_EXTENSIONS: " , " })).toThrow(/VIDEO_EXTENSIONS/);
    const config = readSubmitJobConfig({
      ...baseEnv,
      TABLE_JOB_ID_TO_STATUS: "Custom",
      MEDIACONVERT_ENDPOINT_URL: "https://abcd1234.mediaconvert.us-east-1.amazonaws.com/",
    });
    expect(config.tables.jobIdToStatus).toBe("Custom");
    expect(config.mediaConvert.endpoint).toBe("https://abcd1234.mediaconvert.us-east-1.amazonaws.com");
    expect(config.statusTtlSeconds).toBe(86_400);
    expect(config.inputPrefix).toBe("");
  });
});
