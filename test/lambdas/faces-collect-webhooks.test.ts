/**
 * faces-collect -> webhooks: a recorded SUCCEEDED or FAILED result is enqueued once; duplicates are
 * not. DynamoDB Local and the S3 server are real; Rekognition and SQS are mocked at the SDK boundary.
 */
import { GetFaceDetectionCommand } from "@aws-sdk/client-rekognition";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { readFacesCollectConfig } from "../../aws-lambdas/faces-collect/config.ts";
import { createFacesCollectHandler } from "../../aws-lambdas/faces-collect/faces-collect.ts";
import { recordStarted } from "../../aws-lambdas/faces-start/rows.ts";
import { jobTagFor, uploadOrder } from "../../aws-lambdas/shared/face-analysis.ts";
import { memoryLog } from "../../aws-lambdas/shared/logger.ts";
import { DEFAULT_TABLES } from "../../model/index.ts";
import type { WebhookQueueMessage } from "../../model/webhook-queue.ts";
import type { WebhookPayload } from "../../model/webhooks.ts";
import { makeFaces, mockedRekognition, pagedResult, serveGetFaceDetection, snsNotification } from "./faces-support.ts";
import { testClients, uniquePrefix } from "./support.ts";

const { doc, objects } = testClients();
const QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/media-edge-webhooks.fifo";
const NOW = Date.parse("2030-01-01T00:00:00Z");

function setup() {
  const { client, mock } = mockedRekognition();
  const sqs = new SQSClient({ region: "eu-west-1" });
  const sqsMock = mockClient(sqs);
  sqsMock.on(SendMessageCommand).resolves({ MessageId: "m" });
  const handler = createFacesCollectHandler({
    config: readFacesCollectConfig({ OUTPUT_BUCKET: "media-output" }),
    clients: { dynamodb: doc, rekognition: client, s3: objects },
    log: memoryLog(),
    now: () => NOW,
    webhooks: { sqs, targets: { queueUrl: QUEUE, urls: ["https://hooks.example/faces"] } },
  });
  const payloads = () =>
    sqsMock.commandCalls(SendMessageCommand).map((call) => {
      const message = JSON.parse(call.args[0].input.MessageBody!) as WebhookQueueMessage;
      return { input: call.args[0].input, payload: JSON.parse(message.body) as WebhookPayload };
    });
  return { handler, mock, payloads };
}

let counter = 0;
async function startedUpload(status?: string) {
  const key = `${uniquePrefix("hooks")}video.mp4`;
  const sequencer = "0055AED6DCD90281E5";
  const jobTag = jobTagFor({ bucket: "media-input", key, sequencer });
  const jobId = `hooks${Date.now()}${++counter}`;
  await recordStarted(
    doc,
    { table: DEFAULT_TABLES.faceAnalysis, ttlSeconds: 7 * 86_400, now: NOW },
    { bucket: "media-input", key, order: uploadOrder(sequencer), jobTag, uploadedAt: NOW },
    jobId,
  );
  return {
    key,
    jobId,
    event: snsNotification({ JobId: jobId, JobTag: jobTag, key, ...(status ? { Status: status } : {}) }),
  };
}

describe("faces-collect enqueues recorded results", () => {
  it("SUCCEEDED: one faces.succeeded with the result; a duplicate notification sends nothing", async () => {
    const t = setup();
    const upload = await startedUpload();
    serveGetFaceDetection(t.mock, pagedResult(makeFaces(3)).respond);
    expect((await t.handler(upload.event)).results[0]).toMatchObject({ outcome: "succeeded" });
    expect((await t.handler(upload.event)).results[0]).toMatchObject({ outcome: "duplicate" });
    const sent = t.payloads();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.input.MessageGroupId).toBe(`0.${upload.jobId}`);
    expect(sent[0]!.payload).toMatchObject({
      id: `faces_${upload.jobId}_SUCCEEDED`,
      type: "faces.succeeded",
      data: {
        jobId: upload.jobId,
        inputFile: upload.key,
        status: "SUCCEEDED",
        progress: 100,
        details: { FaceCount: 3, Chunks: 1, ResultKey: expect.stringContaining(upload.jobId) },
      },
    });
  });

  it("FAILED: one faces.failed with the reason", async () => {
    const t = setup();
    const upload = await startedUpload("FAILED");
    t.mock.on(GetFaceDetectionCommand).resolves({ JobStatus: "FAILED", StatusMessage: "Unsupported codec." });
    expect((await t.handler(upload.event)).results[0]).toMatchObject({ outcome: "job-failed" });
    await t.handler(upload.event);
    const sent = t.payloads();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.payload.type).toBe("faces.failed");
    expect(sent[0]!.payload.data.details).toEqual({ ErrorMessage: "Rekognition job FAILED: Unsupported codec." });
  });
});
