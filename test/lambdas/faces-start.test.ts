/**
 * faces-start against real DynamoDB Local, with Rekognition mocked at the SDK client. Every test uses
 * its own key prefix, so files can share the tables.
 */
import { StartFaceDetectionCommand, type StartFaceDetectionCommandInput } from "@aws-sdk/client-rekognition";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { beforeEach, describe, expect, it } from "vitest";
import {
  createFacesStartHandler,
  FACES_START_PURPOSE,
  FacesStartError,
} from "../../aws-lambdas/faces-start/faces-start.ts";
import { readFacesStartConfig } from "../../aws-lambdas/faces-start/config.ts";
import { recordStarted } from "../../aws-lambdas/faces-start/rows.ts";
import {
  FACES_JOB_TAG_PREFIX,
  jobTagFor,
  uploadOrder,
  uploadOrderFromJobTag,
} from "../../aws-lambdas/shared/face-analysis.ts";
import { ConfigError } from "../../aws-lambdas/shared/config.ts";
import { clientRequestToken, uploadEventKey } from "../../aws-lambdas/shared/idempotency.ts";
import { memoryLog } from "../../aws-lambdas/shared/logger.ts";
import { encodeS3EventKey } from "../../aws-lambdas/shared/s3-events.ts";
import { DEFAULT_FACE_ANALYSIS_TTL_SECONDS, epochSeconds } from "../../model/index.ts";
import { mockedRekognition, serviceError } from "./faces-support.ts";
import { fixture, getRow, s3Notification, testClients, uniquePrefix } from "./support.ts";

const ENV = {
  REKOGNITION_SNS_TOPIC_ARN: "arn:aws:sns:us-east-1:111122223333:media-edge-faces",
  REKOGNITION_ROLE_ARN: "arn:aws:iam::111122223333:role/media-edge-rekognition-sns",
  OUTPUT_BUCKET: "media-output",
};

const { doc } = testClients();

function setup(env: Record<string, string> = {}) {
  const { client, mock } = mockedRekognition();
  let clock = Date.parse("2026-11-21T12:00:05Z");
  const log = memoryLog();
  const handler = createFacesStartHandler({
    config: readFacesStartConfig({ ...ENV, ...env }),
    clients: { dynamodb: doc, rekognition: client },
    log,
    now: () => clock,
  });
  let jobs = 0;
  const started: StartFaceDetectionCommandInput[] = [];
  mock.on(StartFaceDetectionCommand).callsFake(async (input: StartFaceDetectionCommandInput) => {
    started.push(input);
    return { JobId: `job${String(++jobs).padStart(4, "0")}${"a".repeat(56)}` };
  });
  return {
    handler,
    mock,
    log,
    started,
    advance: (ms: number) => (clock += ms),
    now: () => clock,
  };
}

/** The EventBridge fixture for an .mp4, moved to `key`. */
function eventBridgeEvent(key: string, overrides: Record<string, unknown> = {}) {
  const event = fixture<{ detail: { object: Record<string, unknown> } }>("eventbridge/s3-object-created-mp4.json");
  event.detail.object = { ...event.detail.object, key: encodeS3EventKey(key), ...overrides };
  return event;
}

const startCalls = (mock: ReturnType<typeof mockedRekognition>["mock"]) =>
  mock.commandCalls(StartFaceDetectionCommand).map((call) => call.args[0].input);

describe("faces-start: StartFaceDetection request", () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup();
  });

  it("starts one job with the documented parameters and writes the IN_PROGRESS row", async () => {
    const key = `${uniquePrefix("start")}holiday 2026.mp4`;
    const event = eventBridgeEvent(key);
    const result = await t.handler(event);
    expect(result.results).toEqual([
      expect.objectContaining({ outcome: "started", bucket: "media-input", key, row: "written" }),
    ]);

    const [input] = startCalls(t.mock);
    expect(startCalls(t.mock)).toHaveLength(1);
    const eventKey = uploadEventKey(FACES_START_PURPOSE, {
      bucket: "media-input",
      key,
      eTag: "9b2cf535f27731c974343645a3985328",
      sequencer: "0055AED6DCD90281E5",
    });
    expect(input).toEqual({
      Video: { S3Object: { Bucket: "media-input", Name: key } },
      ClientRequestToken: clientRequestToken(eventKey),
      NotificationChannel: { SNSTopicArn: ENV.REKOGNITION_SNS_TOPIC_ARN, RoleArn: ENV.REKOGNITION_ROLE_ARN },
      FaceAttributes: "DEFAULT",
      JobTag: jobTagFor({ bucket: "media-input", key, sequencer: "0055AED6DCD90281E5" }),
    });
    expect(input!.ClientRequestToken).toMatch(/^[a-zA-Z0-9-_]{1,64}$/);
    expect(input!.JobTag).toMatch(/^[a-zA-Z0-9_.\-:]{1,256}$/);
    expect(input!.JobTag!.startsWith(`${FACES_JOB_TAG_PREFIX}0055AED6DCD90281E5:`)).toBe(true);

    const row = await getRow(doc, "faceAnalysis", key);
    expect(row).toMatchObject({
      InputFile: key,
      InputBucket: "media-input",
      JobId: `job0001${"a".repeat(56)}`,
      AnalysisStatus: "IN_PROGRESS",
      StatusRank: 1,
      UploadOrder: uploadOrder("0055AED6DCD90281E5"),
      JobTag: input!.JobTag,
      CreationTime: epochSeconds(Date.parse("2026-11-21T12:00:00Z")),
      UpdateTime: epochSeconds(t.now()),
      ExpirationTime: epochSeconds(t.now()) + DEFAULT_FACE_ANALYSIS_TTL_SECONDS,
    });
  });

  it("decodes S3 notification keys and passes the version id of a versioned bucket", async () => {
    const key = `${uniquePrefix("awkward")}a b+c%2B(ü).MOV`;
    const event = s3Notification([{ key, versionId: "3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY" }], encodeS3EventKey);
    await t.handler(event);
    expect(startCalls(t.mock)[0]!.Video).toEqual({
      S3Object: { Bucket: "media-input", Name: key, Version: "3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY" },
    });
    expect((await getRow(doc, "faceAnalysis", key))?.AnalysisStatus).toBe("IN_PROGRESS");
  });

  it("uses FaceAttributes ALL when configured", async () => {
    const all = setup({ REKOGNITION_FACE_ATTRIBUTES: "all" });
    await all.handler(eventBridgeEvent(`${uniquePrefix("all")}x.mp4`));
    expect(startCalls(all.mock)[0]!.FaceAttributes).toBe("ALL");
  });

  it("keeps JobTag within 256 characters of the allowed alphabet for any key", () => {
    const tag = jobTagFor({ bucket: "b", key: `${"ü/".repeat(300)}très long name (1).mp4`, sequencer: "00ab" });
    expect(tag.length).toBeLessThanOrEqual(256);
    expect(tag).toMatch(/^[a-zA-Z0-9_.\-:]+$/);
    expect(tag.endsWith("tr_s_long_name__1_.mp4")).toBe(true);
    expect(uploadOrderFromJobTag(tag)).toBe(uploadOrder("00AB"));
    expect(uploadOrderFromJobTag("someone-else:job")).toBeUndefined();
    expect(uploadOrderFromJobTag(jobTagFor({ bucket: "b", key: "k.mp4" }))).toBe(uploadOrder(undefined));
  });
});

describe("faces-start: idempotency", () => {
  it("starts no second job for a redelivered event, even hours later and in the other event shape", async () => {
    const t = setup();
    const key = `${uniquePrefix("dup")}clip.mp4`;
    await t.handler(eventBridgeEvent(key));
    t.advance(5 * 3_600_000);
    const again = await t.handler(eventBridgeEvent(key));
    expect(again.results).toEqual([
      expect.objectContaining({ outcome: "duplicate", jobId: `job0001${"a".repeat(56)}` }),
    ]);
    // The same upload as an S3 notification (same ETag): still the same upload.
    const asNotification = s3Notification(
      [{ key, eTag: "9b2cf535f27731c974343645a3985328", sequencer: "0055AED6DCD90281E5" }],
      encodeS3EventKey,
    );
    expect((await t.handler(asNotification)).results[0]).toMatchObject({ outcome: "duplicate" });
    expect(startCalls(t.mock)).toHaveLength(1);
  });

  it("handles every record of a batch, and a retry repeats only the failed one", async () => {
    const t = setup();
    const prefix = uniquePrefix("batch");
    let refuse = true;
    t.mock.on(StartFaceDetectionCommand).callsFake(async (input: StartFaceDetectionCommandInput) => {
      if (input.Video?.S3Object?.Name?.endsWith("b.mp4") && refuse) {
        throw serviceError("LimitExceededException", "Too many concurrent jobs");
      }
      return { JobId: `job-${input.Video!.S3Object!.Name!.slice(-5, -4)}` };
    });
    const event = s3Notification(
      [{ key: `${prefix}a.mp4` }, { key: `${prefix}b.mp4`, eTag: "bbbb" }],
      encodeS3EventKey,
    );
    const error = await t.handler(event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FacesStartError);
    expect((error as FacesStartError).result.results.map((r) => r.outcome)).toEqual([
      "started",
      "waiting-for-capacity",
    ]);
    refuse = false;
    const retry = await t.handler(event);
    expect(retry.results.map((r) => r.outcome)).toEqual(["duplicate", "started"]);
    const names = startCalls(t.mock).map((input) => input.Video!.S3Object!.Name);
    expect(names).toEqual([`${prefix}a.mp4`, `${prefix}b.mp4`, `${prefix}b.mp4`]);
  });
});

describe("faces-start: capacity", () => {
  it.each(["LimitExceededException", "ThrottlingException", "ProvisionedThroughputExceededException"])(
    "%s: records WAITING_FOR_CAPACITY, throws for the async retry, and the retry starts the job",
    async (name) => {
      const t = setup();
      const key = `${uniquePrefix("limit")}big.mp4`;
      let refusals = 2;
      t.mock.on(StartFaceDetectionCommand).callsFake(async () => {
        if (refusals-- > 0) throw serviceError(name, "Rekognition capacity");
        return { JobId: "job-after-wait" };
      });
      const event = eventBridgeEvent(key);

      await expect(t.handler(event)).rejects.toBeInstanceOf(FacesStartError);
      expect(await getRow(doc, "faceAnalysis", key)).toMatchObject({
        AnalysisStatus: "WAITING_FOR_CAPACITY",
        CapacityAttempts: 1,
        StatusMessage: expect.stringContaining(name),
      });
      t.advance(60_000);
      await expect(t.handler(event)).rejects.toBeInstanceOf(FacesStartError);
      expect((await getRow(doc, "faceAnalysis", key))?.CapacityAttempts).toBe(2);
      t.advance(120_000);
      const third = await t.handler(event);
      expect(third.results[0]).toMatchObject({ outcome: "started", jobId: "job-after-wait" });

      const row = await getRow(doc, "faceAnalysis", key);
      expect(row).toMatchObject({ AnalysisStatus: "IN_PROGRESS", JobId: "job-after-wait" });
      expect(row?.StatusMessage).toBeUndefined();
      const tokens = startCalls(t.mock).map((input) => input.ClientRequestToken);
      expect(tokens).toHaveLength(3);
      expect(new Set(tokens).size).toBe(1);
    },
  );

  it("an unknown failure releases the claim and throws without touching the row", async () => {
    const t = setup();
    const key = `${uniquePrefix("5xx")}x.mp4`;
    t.mock
      .on(StartFaceDetectionCommand)
      .rejectsOnce(serviceError("InternalServerError", "boom", 500))
      .resolves({ JobId: "job-2nd" });
    await expect(t.handler(eventBridgeEvent(key))).rejects.toBeInstanceOf(FacesStartError);
    expect(await getRow(doc, "faceAnalysis", key)).toBeUndefined();
    expect((await t.handler(eventBridgeEvent(key))).results[0]).toMatchObject({ outcome: "started", jobId: "job-2nd" });
  });
});

describe("faces-start: inputs Rekognition cannot read", () => {
  it.each([
    ["movie.mkv", 1_000_000, "unsupported-container", /MP4\/MOV/],
    ["movie.mp4", 11 * 1024 ** 3, "too-large", /10 GB/],
    ["movie.mp4", 0, "empty-object", /empty/],
    ["no-extension", 5, "unsupported-container", /missing/],
  ])("%s of %d bytes: SKIPPED with the reason, no job, no retry", async (name, size, reason, message) => {
    const t = setup();
    const key = `${uniquePrefix("skip")}${name}`;
    const result = await t.handler(eventBridgeEvent(key, { size }));
    expect(result.results).toEqual([expect.objectContaining({ outcome: "skipped", reason })]);
    expect(startCalls(t.mock)).toHaveLength(0);
    const row = await getRow(doc, "faceAnalysis", key);
    expect(row).toMatchObject({ AnalysisStatus: "SKIPPED", StatusRank: 0 });
    expect(row?.StatusMessage).toMatch(message);
  });

  it("ignores folder markers, keys outside INPUT_PREFIX and the pipeline's own output, without a row", async () => {
    const t = setup({ INPUT_PREFIX: "uploads/" });
    const prefix = uniquePrefix("ignore");
    const event = s3Notification(
      [
        { key: `uploads/${prefix}` },
        { key: `other/${prefix}x.mp4` },
        { key: `uploads/analysis/faces/${prefix}x.mp4`, bucket: "media-output" },
        { key: `uploads/${prefix}x.mp4_20261121120000/x.mp4`, bucket: "media-output" },
      ],
      encodeS3EventKey,
    );
    const analysisT = setup({ INPUT_PREFIX: "uploads/", ANALYSIS_PREFIX: "uploads/analysis/faces" });
    const result = await analysisT.handler(event);
    expect(result.results.map((r) => r.outcome === "ignored" && r.reason)).toEqual([
      "folder-marker",
      "outside-input-prefix",
      "analysis-output",
      "mediaconvert-output",
    ]);
    expect(startCalls(t.mock)).toHaveLength(0);
    expect(startCalls(analysisT.mock)).toHaveLength(0);
    expect(await getRow(doc, "faceAnalysis", `other/${prefix}x.mp4`)).toBeUndefined();
  });

  it("a video Rekognition refuses is FAILED with the reason and never retried", async () => {
    const t = setup();
    const key = `${uniquePrefix("refused")}x.mp4`;
    t.mock
      .on(StartFaceDetectionCommand)
      .rejects(serviceError("InvalidS3ObjectException", "Unable to get object metadata from S3."));
    const result = await t.handler(eventBridgeEvent(key));
    expect(result.results[0]).toMatchObject({ outcome: "start-failed" });
    expect(await getRow(doc, "faceAnalysis", key)).toMatchObject({
      AnalysisStatus: "FAILED",
      StatusMessage: expect.stringContaining("InvalidS3ObjectException"),
    });
    expect((await t.handler(eventBridgeEvent(key))).results[0]).toMatchObject({ outcome: "duplicate" });
    expect(startCalls(t.mock)).toHaveLength(1);
  });

  it("an undecodable key is rejected with a reason, not thrown", async () => {
    const t = setup();
    const event = eventBridgeEvent("x.mp4");
    event.detail.object.key = "bad%E0%A4%A.mp4";
    const result = await t.handler(event);
    expect(result.results).toEqual([expect.objectContaining({ outcome: "rejected", reason: "undecodable-key" })]);
  });
});

describe("faces-start: ordering", () => {
  it("an older upload's late event never overwrites the newer upload's row", async () => {
    const t = setup();
    const key = `${uniquePrefix("order")}clip.mp4`;
    await t.handler(eventBridgeEvent(key, { sequencer: "0055AED6DCD90281F0", etag: "newer" }));
    const late = await t.handler(eventBridgeEvent(key, { sequencer: "0055AED6DCD90281E5", etag: "older" }));
    expect(late.results[0]).toMatchObject({ outcome: "started", row: "superseded" });
    expect(await getRow(doc, "faceAnalysis", key)).toMatchObject({
      JobId: `job0001${"a".repeat(56)}`,
      UploadOrder: uploadOrder("0055AED6DCD90281F0"),
    });
  });

  it("a late IN_PROGRESS never replaces the result faces-collect already wrote for the same job", async () => {
    const key = `${uniquePrefix("late")}clip.mp4`;
    const order = uploadOrder("00AA");
    const write = { table: "RekognitionFaceAnalysis", ttlSeconds: 0, now: Date.now() };
    const upload = { bucket: "media-input", key, order, jobTag: "media-edge:faces:00AA:x:y", uploadedAt: Date.now() };
    expect(await recordStarted(doc, write, upload, "job-1")).toBe("written");
    await doc.send(
      new UpdateCommand({
        TableName: "RekognitionFaceAnalysis",
        Key: { InputFile: key },
        UpdateExpression: "SET AnalysisStatus = :s, StatusRank = :r",
        ExpressionAttributeValues: { ":s": "SUCCEEDED", ":r": 3 },
      }),
    );
    expect(await recordStarted(doc, write, upload, "job-1")).toBe("superseded");
    expect((await getRow(doc, "faceAnalysis", key))?.AnalysisStatus).toBe("SUCCEEDED");
  });
});

describe("faces-start: configuration", () => {
  it("names the missing or malformed variable", () => {
    expect(() => readFacesStartConfig({ ...ENV, REKOGNITION_SNS_TOPIC_ARN: "" })).toThrow(
      new ConfigError("REKOGNITION_SNS_TOPIC_ARN", "is required but not set."),
    );
    expect(() => readFacesStartConfig({ ...ENV, REKOGNITION_ROLE_ARN: "my-role" })).toThrow(/REKOGNITION_ROLE_ARN/);
    expect(() => readFacesStartConfig({ ...ENV, REKOGNITION_FACE_ATTRIBUTES: "SOME" })).toThrow(
      /REKOGNITION_FACE_ATTRIBUTES/,
    );
    expect(() => readFacesStartConfig({ ...ENV, FACES_TTL_SECONDS: "600" })).toThrow(/FACES_TTL_SECONDS/);
    expect(() => readFacesStartConfig({ ...ENV, ANALYSIS_PREFIX: "a/../b" })).toThrow(/ANALYSIS_PREFIX/);
    expect(() => readFacesStartConfig({ ...ENV, REKOGNITION_ENDPOINT_URL: "localhost:9999" })).toThrow(
      /REKOGNITION_ENDPOINT_URL/,
    );
  });

  it("FACES_TTL_SECONDS=0 writes rows without expiry", async () => {
    const t = setup({ FACES_TTL_SECONDS: "0" });
    const key = `${uniquePrefix("ttl")}x.mp4`;
    await t.handler(eventBridgeEvent(key));
    expect((await getRow(doc, "faceAnalysis", key))?.ExpirationTime).toBeUndefined();
  });
});
