/**
 * job-state -> webhooks: only applied status changes are enqueued, after the update, with the complete
 * details. DynamoDB Local and the S3 server are real; SQS has no local equivalent here and is mocked
 * at the SDK boundary, asserting on the SendMessage requests.
 */
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { createJobStateHandler, type JobStateConfig } from "../../aws-lambdas/job-state/job-state.ts";
import { memoryLog } from "../../aws-lambdas/shared/logger.ts";
import { webhookTargets, type WebhookTargets } from "../../aws-lambdas/shared/webhook-targets.ts";
import { webhookMessages } from "../../aws-lambdas/shared/webhooks.ts";
import { DEFAULT_TABLES } from "../../model/index.ts";
import type { WebhookQueueMessage } from "../../model/webhook-queue.ts";
import type { WebhookPayload } from "../../model/webhooks.ts";
import { buckets, fakeJobId, fixture, getRow, putSubmittedJob, testClients, uniquePrefix } from "./support.ts";

const { doc, objects } = testClients();
// Fixed and in the future: the rows' TTL (NOW + 1 day) must not have passed, or DynamoDB Local's TTL
// sweeper may delete a row in the middle of a test.
const NOW = new Date("2030-01-01T00:00:00Z");
const config: JobStateConfig = { tables: DEFAULT_TABLES, outputBucket: buckets.output, statusTtlSeconds: 86_400 };
const QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/media-edge-webhooks.fifo";
const targets: WebhookTargets = { queueUrl: QUEUE, urls: ["https://a.example/hooks", "http://127.0.0.1:9/b"] };

const sqs = new SQSClient({ region: "eu-west-1" });
const sqsMock = mockClient(sqs);
afterEach(() => sqsMock.reset());

function setup() {
  const log = memoryLog();
  const handler = createJobStateHandler({
    config,
    clients: { dynamodb: doc, s3: objects },
    log,
    now: () => NOW,
    webhooks: { sqs, targets },
  });
  return { handler, log };
}

/** An EventBridge fixture for job `jobId`, its output folder moved to `outputPath`. */
function event(name: string, jobId: string, outputPath: string) {
  const text = JSON.stringify(fixture(`eventbridge/${name}`)).replaceAll(
    "uploads/holiday 2026.mov_20261121123456/",
    outputPath,
  );
  const parsed = JSON.parse(text) as { detail: Record<string, unknown> };
  parsed.detail.jobId = jobId;
  return parsed;
}

/** The SendMessage requests made so far, with their decoded bodies. */
function sent() {
  return sqsMock.commandCalls(SendMessageCommand).map((call) => {
    const input = call.args[0].input;
    const message = JSON.parse(input.MessageBody!) as WebhookQueueMessage;
    return { input, message, payload: JSON.parse(message.body) as WebhookPayload };
  });
}

describe("job-state enqueues applied state changes", () => {
  it("PROGRESSING, progress and COMPLETE each go to every URL, in its FIFO group for the job", async () => {
    const outputPath = uniquePrefix("hooks");
    const jobId = await putSubmittedJob(doc, fakeJobId(), outputPath, "uploads/holiday 2026.mov");
    sqsMock.on(SendMessageCommand).resolves({ MessageId: "m" });
    const { handler } = setup();

    const outcomes = [];
    for (const name of ["progressing", "status-update", "complete-abr"]) {
      outcomes.push((await handler(event(`mediaconvert-${name}.json`, jobId, outputPath))).outcome);
    }
    expect(outcomes).toEqual(["applied", "applied", "applied"]);

    const messages = sent();
    expect(messages.map(({ payload }) => `${payload.type} ${payload.data.progress}`)).toEqual([
      "job.progressing 0",
      "job.progressing 0",
      "job.progressing 40",
      "job.progressing 40",
      "job.complete 100",
      "job.complete 100",
    ]);
    for (const [index, { input, message }] of messages.entries()) {
      expect(input.QueueUrl).toBe(QUEUE);
      expect(message.url).toBe(targets.urls[index % 2]);
      expect(input.MessageGroupId).toBe(`${index % 2}.${jobId}`);
      expect(input.MessageDeduplicationId).toBe(`${index % 2}.${message.id}`);
    }
    const complete = messages[4]!.payload;
    expect(complete).toEqual({
      id: `job_${jobId}_COMPLETE_100_1763728600000`,
      type: "job.complete",
      // detail.timestamp of the fixture (the source event's time, not the envelope's).
      timestamp: "2025-11-21T12:36:40.000Z",
      data: {
        jobId,
        inputFile: "uploads/holiday 2026.mov",
        status: "COMPLETE",
        progress: 100,
        details: expect.objectContaining({ OutputPath: outputPath, DurationMs: 596500 }),
      },
    });
    // The complete details: everything the COMPLETE row got besides status and progress.
    const row = (await getRow(doc, "jobIdToStatus", jobId))!;
    for (const key of ["Playlists", "PlaylistPaths", "Renditions", "WidthPx", "HeightPx"]) {
      expect(complete.data.details[key], key).toEqual(row[key]);
    }
  });

  it("a duplicate or a stale event (refused by the condition) enqueues nothing", async () => {
    const outputPath = uniquePrefix("hooks-stale");
    const jobId = await putSubmittedJob(doc, fakeJobId(), outputPath);
    sqsMock.on(SendMessageCommand).resolves({ MessageId: "m" });
    const { handler } = setup();

    expect((await handler(event("mediaconvert-complete-abr.json", jobId, outputPath))).outcome).toBe("applied");
    expect(sent()).toHaveLength(2);
    expect((await handler(event("mediaconvert-complete-abr.json", jobId, outputPath))).outcome).toBe("stale");
    expect((await handler(event("mediaconvert-status-update.json", jobId, outputPath))).outcome).toBe("stale");
    expect((await handler(event("mediaconvert-error.json", jobId, outputPath))).outcome).toBe("stale");
    expect(sent()).toHaveLength(2);
  });

  it("a later STATUS_UPDATE with the same progress (every 10 s while it stalls) enqueues nothing", async () => {
    const outputPath = uniquePrefix("hooks-same-progress");
    const jobId = await putSubmittedJob(doc, fakeJobId(), outputPath);
    sqsMock.on(SendMessageCommand).resolves({ MessageId: "m" });
    const { handler } = setup();

    const update = event("mediaconvert-status-update.json", jobId, outputPath) as {
      detail: Record<string, unknown>;
    };
    expect((await handler(update)).outcome).toBe("applied");
    expect(sent()).toHaveLength(2);
    // MediaConvert's next STATUS_UPDATE, 10 s later (StatusUpdateInterval SECONDS_10), still at 40 %.
    const later = structuredClone(update);
    later.detail.timestamp = (update.detail.timestamp as number) + 10_000;
    expect((await handler(later)).outcome).toBe("applied");
    expect(await getRow(doc, "jobIdToStatus", jobId)).toMatchObject({
      ProgressRate: 40,
      LastEventTime: later.detail.timestamp,
    });
    expect(sent().map(({ payload }) => payload.data.progress)).toEqual([40, 40]);
  });

  it("ERROR carries the scrubbed code and message; ignored events and unknown jobs send nothing", async () => {
    const outputPath = uniquePrefix("hooks-error");
    const jobId = await putSubmittedJob(doc, fakeJobId(), outputPath);
    sqsMock.on(SendMessageCommand).resolves({ MessageId: "m" });
    const { handler } = setup();

    await handler(event("mediaconvert-input-information.json", jobId, outputPath));
    await handler(event("mediaconvert-error.json", fakeJobId(), outputPath)).catch(() => undefined);
    expect(sent()).toHaveLength(0);
    await handler(event("mediaconvert-error.json", jobId, outputPath));
    const [first] = sent();
    expect(first!.payload.type).toBe("job.error");
    expect(first!.payload.data.details).toEqual({
      ErrorCode: expect.any(Number),
      ErrorMessage: expect.any(String),
    });
    expect(first!.message.body).not.toContain("s3://");
  });

  it("a failing SendMessage is logged and the update still stands", async () => {
    const outputPath = uniquePrefix("hooks-down");
    const jobId = await putSubmittedJob(doc, fakeJobId(), outputPath);
    sqsMock.on(SendMessageCommand).rejects(Object.assign(new Error("down"), { name: "ServiceUnavailable" }));
    const { handler, log } = setup();

    expect((await handler(event("mediaconvert-progressing.json", jobId, outputPath))).outcome).toBe("applied");
    expect(await getRow(doc, "jobIdToStatus", jobId)).toMatchObject({ JobStatus: "PROGRESSING" });
    const errors = log.entries.filter((entry) => entry.level === "error");
    expect(errors).toHaveLength(2);
    expect(errors[0]!.message).toMatch(/not enqueued/);
  });
});

describe("the producer's configuration and mapping", () => {
  it("reads WEBHOOK_URLS and requires WEBHOOK_QUEUE_URL with them; none = no webhooks", () => {
    expect(webhookTargets({})).toBeUndefined();
    expect(
      webhookTargets({ WEBHOOK_URLS: "https://a.example/x, https://b.example/y", WEBHOOK_QUEUE_URL: QUEUE }),
    ).toEqual({ urls: ["https://a.example/x", "https://b.example/y"], queueUrl: QUEUE });
    expect(() => webhookTargets({ WEBHOOK_URLS: "https://a.example/x" })).toThrow(/WEBHOOK_QUEUE_URL/);
    expect(() => webhookTargets({ WEBHOOK_URLS: "ftp://a.example/x", WEBHOOK_QUEUE_URL: QUEUE })).toThrow(
      /WEBHOOK_URLS/,
    );
  });

  it("keeps FIFO ids within SQS's characters and length", () => {
    const payload: WebhookPayload = {
      id: `faces_${"é".repeat(200)}`,
      type: "faces.succeeded",
      timestamp: "2026-11-21T12:36:40.000Z",
      data: { jobId: "a b", status: "SUCCEEDED", progress: 100, details: {} },
    };
    const [message] = webhookMessages(payload, { queueUrl: QUEUE, urls: ["https://a.example/"] });
    expect(message!.MessageGroupId).toBe("0.a_b");
    expect(message!.MessageDeduplicationId).toMatch(/^0\.faces_{121}$/);
  });
});
