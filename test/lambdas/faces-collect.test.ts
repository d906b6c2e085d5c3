/**
 * faces-collect against real DynamoDB Local and the local S3 server, with Rekognition mocked at the SDK
 * client serving documented-shape GetFaceDetection pages.
 */
import { GetFaceDetectionCommand } from "@aws-sdk/client-rekognition";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { readFacesCollectConfig } from "../../aws-lambdas/faces-collect/config.ts";
import {
  CollectionContinuesError,
  createFacesCollectHandler,
  NEXT_TOKEN_MAX_AGE_MS,
} from "../../aws-lambdas/faces-collect/faces-collect.ts";
import { parseNotifications } from "../../aws-lambdas/faces-collect/notification.ts";
import { recordStarted } from "../../aws-lambdas/faces-start/rows.ts";
import { jobTagFor, uploadOrder } from "../../aws-lambdas/shared/face-analysis.ts";
import { memoryLog } from "../../aws-lambdas/shared/logger.ts";
import {
  DEFAULT_TABLES,
  FACE_LINE_INDEX_EVERY,
  faceResultChunkKey,
  faceResultManifestKey,
  type FaceResultManifest,
} from "../../model/index.ts";
import {
  fakeContext,
  makeFaces,
  mockedRekognition,
  pagedResult,
  PAGE_FIXTURE,
  serveGetFaceDetection,
  serviceError,
  snsNotification,
} from "./faces-support.ts";
import { fixture, getRow, getText, listKeys, testClients, uniquePrefix } from "./support.ts";

const { doc, s3, objects } = testClients();
const BUCKET = "media-output";
const PREFIX = "analysis/faces/";

function setup(env: Record<string, string> = {}) {
  const { client, mock } = mockedRekognition();
  let clock = Date.parse("2026-11-21T12:10:00Z");
  const log = memoryLog();
  const handler = createFacesCollectHandler({
    config: readFacesCollectConfig({ OUTPUT_BUCKET: BUCKET, ...env }),
    clients: { dynamodb: doc, rekognition: client, s3: objects },
    log,
    now: () => clock,
  });
  return { handler, mock, log, advance: (ms: number) => (clock += ms), now: () => clock };
}

let jobCounter = 0;
/** A fresh upload with its IN_PROGRESS row (as faces-start writes it) and a unique job id. */
async function startedUpload(label: string, options: { writeRow?: boolean } = {}) {
  const key = `${uniquePrefix(label)}video.mp4`;
  const sequencer = "0055AED6DCD90281E5";
  const jobTag = jobTagFor({ bucket: "media-input", key, sequencer });
  const jobId = `${label.replace(/[^a-z]/g, "")}${Date.now()}${++jobCounter}`.slice(0, 64);
  if (options.writeRow !== false) {
    await recordStarted(
      doc,
      { table: DEFAULT_TABLES.faceAnalysis, ttlSeconds: 7 * 86_400, now: Date.now() },
      { bucket: "media-input", key, order: uploadOrder(sequencer), jobTag, uploadedAt: Date.now() },
      jobId,
    );
  }
  return { key, jobId, jobTag, event: snsNotification({ JobId: jobId, JobTag: jobTag, key }) };
}

const requests = (mock: ReturnType<typeof mockedRekognition>["mock"]) =>
  mock.commandCalls(GetFaceDetectionCommand).map((call) => call.args[0].input);

async function manifestOf(jobId: string): Promise<FaceResultManifest> {
  return JSON.parse((await getText(s3, BUCKET, faceResultManifestKey(PREFIX, jobId)))!) as FaceResultManifest;
}

async function allLines(manifest: FaceResultManifest): Promise<Array<{ timestamp_ms: number; face: unknown }>> {
  const lines: Array<{ timestamp_ms: number; face: unknown }> = [];
  for (const chunk of manifest.chunks) {
    const text = (await getText(s3, BUCKET, chunk.key))!;
    expect(text.endsWith("\n")).toBe(true);
    lines.push(
      ...text
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line)),
    );
  }
  return lines;
}

/**
 * Checks manifest.line_index against the stored chunks: each offset starts the indexed line (every
 * `every`-th), whose timestamp is the indexed one, and `bytes` is the chunk's size. Returns which
 * chunks are indexed.
 */
async function checkLineIndex(manifest: FaceResultManifest): Promise<boolean[]> {
  const index = manifest.line_index!;
  expect(index.every).toBe(FACE_LINE_INDEX_EVERY);
  expect(index.chunks).toHaveLength(manifest.chunks.length);
  const indexed: boolean[] = [];
  for (const [n, chunk] of manifest.chunks.entries()) {
    const entry = index.chunks[n]!;
    indexed.push(entry !== null);
    if (entry === null) continue;
    const bytes = Buffer.from((await getText(s3, BUCKET, chunk.key))!);
    const lines = bytes.toString().trimEnd().split("\n");
    expect(entry.bytes).toBe(bytes.length);
    expect(entry.offsets).toHaveLength(Math.ceil(chunk.count / index.every));
    entry.offsets.forEach((offset, i) => {
      const line = bytes.subarray(offset, bytes.indexOf(0x0a, offset)).toString();
      expect(line).toBe(lines[i * index.every]);
      expect((JSON.parse(line) as { timestamp_ms: number }).timestamp_ms).toBe(entry.ms[i]);
    });
  }
  return indexed;
}

describe("faces-collect: SUCCEEDED", () => {
  it("reads every page (2,500 faces in 3 pages), writes chunks + manifest and the summary row", async () => {
    const t = setup();
    const upload = await startedUpload("multi");
    const faces = makeFaces(2500);
    const result = pagedResult(faces);
    serveGetFaceDetection(t.mock, result.respond);

    const outcome = await t.handler(
      upload.event,
      fakeContext(() => 900_000),
    );
    expect(outcome.results).toEqual([
      {
        outcome: "succeeded",
        jobId: upload.jobId,
        faceCount: 2500,
        chunks: 3,
        resultKey: faceResultManifestKey(PREFIX, upload.jobId),
        pagesRead: 3,
      },
    ]);
    expect(requests(t.mock)).toEqual([
      { JobId: upload.jobId, MaxResults: 1000 },
      { JobId: upload.jobId, MaxResults: 1000, NextToken: "token-1" },
      { JobId: upload.jobId, MaxResults: 1000, NextToken: "token-2" },
    ]);

    const manifest = await manifestOf(upload.jobId);
    expect(manifest).toMatchObject({
      version: 1,
      job_id: upload.jobId,
      input_file: upload.key,
      input_bucket: "media-input",
      face_count: 2500,
      chunk_size: 1000,
      video: PAGE_FIXTURE.VideoMetadata,
    });
    expect(manifest.chunks).toEqual([
      { key: faceResultChunkKey(PREFIX, upload.jobId, 0), first_ms: 0, last_ms: 199_800, count: 1000 },
      { key: faceResultChunkKey(PREFIX, upload.jobId, 1), first_ms: 200_000, last_ms: 399_800, count: 1000 },
      { key: faceResultChunkKey(PREFIX, upload.jobId, 2), first_ms: 400_000, last_ms: 499_800, count: 500 },
    ]);
    const lines = await allLines(manifest);
    expect(lines).toHaveLength(2500);
    expect(lines.map((line) => line.timestamp_ms)).toEqual(faces.map((face) => face.Timestamp));
    expect(lines[7]!.face).toEqual(faces[7]!.Face);
    expect(await checkLineIndex(manifest)).toEqual([true, true, true]);

    const row = await getRow(doc, "faceAnalysis", upload.key);
    expect(row).toMatchObject({
      AnalysisStatus: "SUCCEEDED",
      StatusRank: 3,
      JobId: upload.jobId,
      FaceCount: 2500,
      VideoDurationMs: 600_000,
      ResultBucket: BUCKET,
      ResultKey: faceResultManifestKey(PREFIX, upload.jobId),
    });
    expect(row?.Collect).toBeUndefined();
    expect(await listKeys(s3, BUCKET, `${PREFIX}${upload.jobId}/`)).toHaveLength(4);
  });

  it("a duplicate notification changes nothing and reads nothing", async () => {
    const t = setup();
    const upload = await startedUpload("dup");
    serveGetFaceDetection(t.mock, pagedResult(makeFaces(1200)).respond);
    await t.handler(upload.event);
    const before = await getRow(doc, "faceAnalysis", upload.key);
    const manifestBefore = await getText(s3, BUCKET, faceResultManifestKey(PREFIX, upload.jobId));
    t.advance(3_600_000);
    const again = await t.handler(upload.event);
    expect(again.results).toEqual([{ outcome: "duplicate", jobId: upload.jobId, status: "SUCCEEDED" }]);
    expect(requests(t.mock)).toHaveLength(2);
    expect(await getRow(doc, "faceAnalysis", upload.key)).toEqual(before);
    expect(await getText(s3, BUCKET, faceResultManifestKey(PREFIX, upload.jobId))).toBe(manifestBefore);
  });

  it("splits pages into chunks of FACES_CHUNK_SIZE and records an empty result", async () => {
    const t = setup({ FACES_CHUNK_SIZE: "400" });
    const upload = await startedUpload("chunks");
    serveGetFaceDetection(t.mock, pagedResult(makeFaces(1000)).respond);
    await t.handler(upload.event);
    const manifest = await manifestOf(upload.jobId);
    expect(manifest.chunks.map((chunk) => chunk.count)).toEqual([400, 400, 200]);
    expect(manifest.chunk_size).toBe(400);

    const empty = await startedUpload("empty");
    serveGetFaceDetection(t.mock, pagedResult([]).respond);
    await t.handler(empty.event);
    expect(await getRow(doc, "faceAnalysis", empty.key)).toMatchObject({ AnalysisStatus: "SUCCEEDED", FaceCount: 0 });
    expect((await manifestOf(empty.jobId)).chunks).toEqual([]);
  });

  it("works when the notification arrives before faces-start recorded the job (row from the JobTag)", async () => {
    const t = setup();
    const upload = await startedUpload("early", { writeRow: false });
    serveGetFaceDetection(t.mock, pagedResult(makeFaces(10)).respond);
    await t.handler(upload.event);
    expect(await getRow(doc, "faceAnalysis", upload.key)).toMatchObject({
      AnalysisStatus: "SUCCEEDED",
      JobId: upload.jobId,
      InputBucket: "media-input",
      UploadOrder: uploadOrder("0055AED6DCD90281E5"),
      FaceCount: 10,
    });
    // faces-start's late write for the same job does not regress it.
    const late = await recordStarted(
      doc,
      { table: DEFAULT_TABLES.faceAnalysis, ttlSeconds: 0, now: Date.now() },
      {
        bucket: "media-input",
        key: upload.key,
        order: uploadOrder("0055AED6DCD90281E5"),
        jobTag: upload.jobTag,
        uploadedAt: Date.now(),
      },
      upload.jobId,
    );
    expect(late).toBe("superseded");
  });
});

describe("faces-collect: long results continue from a checkpoint", () => {
  it("stops when time runs short, and the retry resumes from the saved NextToken", async () => {
    const t = setup({ FACES_COLLECT_RESERVE_MS: "30000" });
    const upload = await startedUpload("short");
    const faces = makeFaces(2500);
    serveGetFaceDetection(t.mock, pagedResult(faces).respond);
    let remaining = 40_000;
    const context = fakeContext(() => (remaining -= 15_000));

    const error = await t.handler(upload.event, context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CollectionContinuesError);
    expect((error as CollectionContinuesError).result.results).toEqual([
      { outcome: "continues", jobId: upload.jobId, pagesRead: 1, pagesTotal: 1 },
    ]);
    const row = await getRow(doc, "faceAnalysis", upload.key);
    expect(row).toMatchObject({
      AnalysisStatus: "COLLECTING",
      StatusRank: 2,
      Collect: { Pages: 1, FaceCount: 1000, NextToken: "token-1", PagesDone: false, LeaseExpiresAt: 0 },
    });
    expect(row?.Collect).toMatchObject({ Chunks: [[0, 199_800, 1000]] });

    t.advance(60_000); // Lambda's first async retry
    const resumed = await t.handler(
      upload.event,
      fakeContext(() => 900_000),
    );
    expect(resumed.results[0]).toMatchObject({ outcome: "succeeded", faceCount: 2500, pagesRead: 2 });
    expect(requests(t.mock).map((input) => input.NextToken)).toEqual([undefined, "token-1", "token-2"]);
    const manifest = await manifestOf(upload.jobId);
    const lines = await allLines(manifest);
    expect(lines.map((line) => line.timestamp_ms)).toEqual(faces.map((face) => face.Timestamp));
    // The first invocation's chunk has no line index (it was not checkpointed): read whole.
    expect(await checkLineIndex(manifest)).toEqual([false, true, true]);
  });

  it("restarts from the first page when Rekognition rejects the checkpointed NextToken", async () => {
    const t = setup();
    const upload = await startedUpload("expired");
    const faces = makeFaces(2500);
    const first = pagedResult(faces, { tokenPrefix: "old" });
    serveGetFaceDetection(t.mock, first.respond);
    let remaining = 40_000;
    await expect(
      t.handler(
        upload.event,
        fakeContext(() => (remaining -= 15_000)),
      ),
    ).rejects.toBeInstanceOf(CollectionContinuesError);
    // Later: Rekognition no longer accepts the old token and issues new ones.
    const fresh = pagedResult(faces, { tokenPrefix: "new" });
    serveGetFaceDetection(t.mock, (input) => {
      if (input.NextToken?.startsWith("old")) throw serviceError("InvalidPaginationTokenException", "Invalid Token");
      return fresh.respond(input);
    });
    t.advance(2 * 3_600_000);
    const outcome = await t.handler(
      upload.event,
      fakeContext(() => 900_000),
    );
    expect(outcome.results[0]).toMatchObject({ outcome: "succeeded", faceCount: 2500 });
    expect(requests(t.mock).map((input) => input.NextToken)).toEqual([undefined, "old-1", undefined, "new-1", "new-2"]);
    const manifest = await manifestOf(upload.jobId);
    expect(manifest.face_count).toBe(2500);
    expect((await allLines(manifest)).map((line) => line.timestamp_ms)).toEqual(faces.map((face) => face.Timestamp));
  });

  it("does not even try a NextToken older than 23 hours", async () => {
    const t = setup();
    const upload = await startedUpload("stale");
    serveGetFaceDetection(t.mock, pagedResult(makeFaces(2500)).respond);
    let remaining = 40_000;
    await expect(
      t.handler(
        upload.event,
        fakeContext(() => (remaining -= 15_000)),
      ),
    ).rejects.toBeInstanceOf(CollectionContinuesError);
    t.advance(NEXT_TOKEN_MAX_AGE_MS + 60_000); // e.g. redriven from the dead-letter queue a day later
    await t.handler(
      upload.event,
      fakeContext(() => 900_000),
    );
    expect(requests(t.mock).map((input) => input.NextToken)).toEqual([undefined, undefined, "token-1", "token-2"]);
    expect(await getRow(doc, "faceAnalysis", upload.key)).toMatchObject({
      AnalysisStatus: "SUCCEEDED",
      FaceCount: 2500,
    });
  });

  it("a duplicate delivery while another invocation holds the lease is retried, not dropped", async () => {
    const t = setup();
    const upload = await startedUpload("busy");
    await doc.send(
      new PutCommand({
        TableName: DEFAULT_TABLES.faceAnalysis,
        Item: {
          ...(await getRow(doc, "faceAnalysis", upload.key)),
          AnalysisStatus: "COLLECTING",
          StatusRank: 2,
          Collect: {
            LeaseId: "someone-else",
            LeaseExpiresAt: t.now() + 60_000,
            PagesDone: false,
            Pages: 0,
            FaceCount: 0,
            Chunks: [],
            Restarts: 0,
          },
        },
      }),
    );
    const error = await t.handler(upload.event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CollectionContinuesError);
    expect((error as CollectionContinuesError).result.results).toEqual([{ outcome: "busy", jobId: upload.jobId }]);
    expect(requests(t.mock)).toHaveLength(0);
    // Once that lease has run out (its holder died), the retry takes over.
    serveGetFaceDetection(t.mock, pagedResult(makeFaces(5)).respond);
    t.advance(61_000);
    expect((await t.handler(upload.event)).results[0]).toMatchObject({ outcome: "succeeded", faceCount: 5 });
  });
});

describe("faces-collect: FAILED and ERROR", () => {
  it.each(["FAILED", "ERROR"])("%s: records FAILED with Rekognition's StatusMessage", async (status) => {
    const t = setup();
    const upload = await startedUpload("failed");
    t.mock.on(GetFaceDetectionCommand).resolves({
      JobStatus: "FAILED",
      StatusMessage: "Unsupported codec/format.",
      Faces: [],
    });
    const event = snsNotification({ JobId: upload.jobId, JobTag: upload.jobTag, key: upload.key, Status: status });
    const outcome = await t.handler(event);
    expect(outcome.results[0]).toMatchObject({ outcome: "job-failed" });
    expect(requests(t.mock)).toEqual([{ JobId: upload.jobId, MaxResults: 1 }]);
    expect(await getRow(doc, "faceAnalysis", upload.key)).toMatchObject({
      AnalysisStatus: "FAILED",
      StatusRank: 3,
      JobId: upload.jobId,
      StatusMessage: `Rekognition job ${status}: Unsupported codec/format.`,
    });
    // A duplicate FAILED, or a stray SUCCEEDED for the same job, changes nothing.
    expect((await t.handler(event)).results[0]).toMatchObject({ outcome: "duplicate", status: "FAILED" });
  });

  it("the fixture's FAILED notification still records a reason when GetFaceDetection fails too", async () => {
    const t = setup();
    const event = fixture("sns/rekognition-face-detection-failed.json");
    t.mock.on(GetFaceDetectionCommand).rejects(serviceError("AccessDeniedException", "denied"));
    const key = "uploads/holiday 2026.mp4";
    const outcome = await t.handler(event);
    expect(outcome.results[0]).toMatchObject({ outcome: expect.stringMatching(/job-failed|superseded/) });
    const row = await getRow(doc, "faceAnalysis", key);
    expect(row?.JobId).toBe("1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b");
    expect(row?.AnalysisStatus).toBe("FAILED");
    expect(row?.StatusMessage).toBe("Rekognition job FAILED: no reason given.");
  });
});

describe("faces-collect: notifications that are not ours", () => {
  it("ignores other APIs, jobs without our JobTag or row, and older uploads' jobs", async () => {
    const t = setup();
    const other = await startedUpload("other");
    const labels = snsNotification({
      JobId: other.jobId,
      JobTag: other.jobTag,
      key: other.key,
      API: "StartLabelDetection",
    });
    expect((await t.handler(labels)).results[0]).toMatchObject({
      outcome: "ignored",
      reason: "API StartLabelDetection",
    });

    const seed = fixture("sns/rekognition-seed-004.json"); // the seed's message: no JobTag, no row
    expect((await t.handler(seed)).results[0]).toMatchObject({ outcome: "ignored", reason: "foreign job" });

    const upload = await startedUpload("older");
    const olderTag = jobTagFor({ bucket: "media-input", key: upload.key, sequencer: "0055AED6DCD90281A0" });
    const older = snsNotification({ JobId: "older-job", JobTag: olderTag, key: upload.key });
    expect((await t.handler(older)).results[0]).toMatchObject({ outcome: "superseded", rowJobId: upload.jobId });
    expect(requests(t.mock)).toHaveLength(0);
    expect((await getRow(doc, "faceAnalysis", upload.key))?.AnalysisStatus).toBe("IN_PROGRESS");
  });

  it("rejects malformed SNS records without throwing", async () => {
    const t = setup();
    const result = await t.handler({
      Records: [{ Sns: { Message: "not json" } }, { Sns: { Message: JSON.stringify({ JobId: "x", Status: "DONE" }) } }],
    });
    expect(result.results.map((r) => r.outcome === "rejected" && r.reason)).toEqual(["not-json", "malformed"]);
    expect(parseNotifications({}).rejections[0]?.reason).toBe("not-sns");
  });
});
