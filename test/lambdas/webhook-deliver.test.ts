/**
 * webhook-deliver against a real local HTTP receiver (node:http on port 0): signed POSTs, retries
 * through the queue with growing delays, final 4xx. SQS is mocked at the SDK boundary, asserting on
 * ChangeMessageVisibility; the clock is pinned, so nothing depends on the wall clock (the timeout case
 * uses a receiver that never answers).
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ChangeMessageVisibilityCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  readWebhookDeliverConfig,
  readWebhookSecrets,
  readWebhookTimeoutMs,
} from "../../aws-lambdas/webhook-deliver/config.ts";
import { createWebhookDeliverHandler } from "../../aws-lambdas/webhook-deliver/deliver.ts";
import { cachedSecrets, parseWebhookSecrets } from "../../aws-lambdas/webhook-deliver/secrets.ts";
import { memoryLog } from "../../aws-lambdas/shared/logger.ts";
import { WEBHOOK_MAX_ATTEMPTS, webhookRetryDelaySeconds } from "../../model/webhook-queue.ts";
import { verifyWebhook } from "../../model/webhooks.ts";

const NOW_MS = 1_796_000_000_000;
const CURRENT = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const PREVIOUS = "whsec_" + btoa("previous-secret-of-32-bytes-long");
const QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/media-edge-webhooks.fifo";

/** What the receiver answers per path; "hang" never answers. */
const answers: Record<string, number | "hang"> = {};
const received: Array<{ path: string; headers: IncomingMessage["headers"]; body: string }> = [];
const hanging: ServerResponse[] = [];
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    received.push({ path: request.url!, headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
    const answer = answers[request.url!] ?? 200;
    if (answer === "hang") return void hanging.push(response);
    response.writeHead(answer, { "content-type": "text/plain" }).end("receiver's own words, never logged");
  });
});
let base = "";
beforeAll(async () => {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const response of hanging) response.destroy();
  server.close();
  await once(server, "close");
});

const sqs = new SQSClient({ region: "eu-west-1" });
const sqsMock = mockClient(sqs);
afterEach(() => {
  sqsMock.reset();
  received.length = 0;
});

let sequence = 0;
function record(path: string, group = "0.job-1", receiveCount = 1): SQSRecord {
  const id = `job_job-1_PROGRESSING_${++sequence}_0`;
  const body = JSON.stringify({ id, type: "job.progressing", data: { jobId: "job-1", progress: sequence } });
  return {
    messageId: `m-${sequence}`,
    receiptHandle: `rh-${sequence}`,
    body: JSON.stringify({ url: `${base}${path}`, id, body }),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: "0",
      SenderId: "x",
      ApproximateFirstReceiveTimestamp: "0",
      MessageGroupId: group,
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:media-edge-webhooks.fifo",
    awsRegion: "eu-west-1",
  };
}

function setup(timeoutMs = 2000) {
  const log = memoryLog();
  const handler = createWebhookDeliverHandler({
    config: { queueUrl: QUEUE, timeoutMs },
    sqs,
    secrets: () => Promise.resolve([CURRENT, PREVIOUS]),
    log,
    now: () => NOW_MS,
  });
  return { log, deliver: (...records: SQSRecord[]) => handler({ Records: records } as SQSEvent) };
}

const delays = () =>
  sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((call) => {
    const { ReceiptHandle, VisibilityTimeout, QueueUrl } = call.args[0].input;
    expect(QueueUrl).toBe(QUEUE);
    return [ReceiptHandle, VisibilityTimeout];
  });

describe("webhook-deliver", () => {
  it("2xx: delivered, signed with both secrets over the body as enqueued; each verifies", async () => {
    const { deliver, log } = setup();
    const message = record("/ok");
    expect(await deliver(message)).toEqual({ batchItemFailures: [] });
    expect(received).toHaveLength(1);
    const [{ headers, body }] = received as [(typeof received)[number]];
    expect(body).toBe(JSON.parse(message.body).body);
    expect(headers["content-type"]).toBe("application/json");
    expect(headers["webhook-timestamp"]).toBe(String(NOW_MS / 1000));
    expect(String(headers["webhook-signature"]).split(" ")).toHaveLength(2);
    for (const secret of [CURRENT, PREVIOUS]) {
      expect((await verifyWebhook(body, headers, secret, 300, NOW_MS / 1000)).ok).toBe(true);
    }
    expect(delays()).toEqual([]);
    expect(JSON.stringify(log.entries)).not.toMatch(/whsec_|never logged/);
  });

  it("5xx, 429 and 408: retried through the queue with growing delays", async () => {
    const { deliver } = setup();
    answers["/down"] = 503;
    answers["/busy"] = 429;
    answers["/slow"] = 408;
    const results = [];
    for (const [path, count] of [
      ["/down", 1],
      ["/busy", 3],
      ["/slow", 30],
    ] as const) {
      const message = record(path, `g${path}`, count);
      results.push(await deliver(message));
    }
    expect(results.map((result) => result.batchItemFailures.length)).toEqual([1, 1, 1]);
    expect(delays().map(([, seconds]) => seconds)).toEqual([30, 120, 3600]);
  });

  it("a receiver that does not answer in time, or a network error: retried", async () => {
    answers["/hang"] = "hang";
    const { deliver, log } = setup(300);
    const result = await deliver(record("/hang"), record("/ok", "other"));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: `m-${sequence - 1}` }]);
    expect(log.entries.find((entry) => entry.level === "warn")?.extra).toMatchObject({ reason: "timeout" });

    const refused = createWebhookDeliverHandler({
      config: { queueUrl: QUEUE, timeoutMs: 300 },
      sqs,
      secrets: () => Promise.resolve([CURRENT]),
      log: memoryLog(),
      fetch: () => Promise.reject(Object.assign(new TypeError("fetch failed"), { name: "TypeError" })),
    });
    expect((await refused({ Records: [record("/ok")] } as SQSEvent)).batchItemFailures).toHaveLength(1);
  });

  it("4xx other than 408/429, and 3xx, are final: not retried, not a failure; redirects are not followed", async () => {
    answers["/gone"] = 410;
    answers["/bad"] = 400;
    answers["/moved"] = 302;
    const { deliver, log } = setup();
    expect(await deliver(record("/gone"), record("/bad", "other"), record("/moved", "third"))).toEqual({
      batchItemFailures: [],
    });
    expect(received.map((request) => request.path)).toEqual(["/gone", "/bad", "/moved"]);
    expect(delays()).toEqual([]);
    expect(log.entries.filter((entry) => /refused/.test(entry.message))).toHaveLength(3);
  });

  it("keeps a FIFO group's order: after a failure its later messages wait as long, other groups go on", async () => {
    answers["/down"] = 500;
    const { deliver } = setup();
    const first = record("/down", "0.job-1", 2);
    const second = record("/ok", "0.job-1");
    const other = record("/ok", "1.job-1");
    const result = await deliver(first, second, other);
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: first.messageId },
      { itemIdentifier: second.messageId },
    ]);
    expect(received.map((request) => request.path)).toEqual(["/down", "/ok"]);
    expect(delays()).toEqual([
      [first.receiptHandle, 60],
      [second.receiptHandle, 60],
    ]);
  });

  it("the schedule spans a day before the dead-letter queue", () => {
    let waited = 0;
    for (let attempt = 1; attempt < WEBHOOK_MAX_ATTEMPTS; attempt++) waited += webhookRetryDelaySeconds(attempt);
    expect(waited).toBeGreaterThanOrEqual(86_400);
    expect(waited - webhookRetryDelaySeconds(WEBHOOK_MAX_ATTEMPTS - 1)).toBeLessThan(86_400);
    expect(WEBHOOK_MAX_ATTEMPTS).toBe(31);
  });
});

describe("webhook-deliver secrets and configuration", () => {
  it("reads Secrets Manager once per TTL and parses one or two secrets, newest first", async () => {
    const client = new SecretsManagerClient({ region: "eu-west-1" });
    const secretsMock = mockClient(client);
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: `${CURRENT}\n${PREVIOUS}` });
    let now = 0;
    const read = cachedSecrets(client, "arn:aws:secretsmanager:eu-west-1:1:secret:hooks", () => now, 1000);
    expect(await read()).toEqual([CURRENT, PREVIOUS]);
    now = 999;
    await read();
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    now = 1000;
    await read();
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(() => parseWebhookSecrets("whsec_bad!")).toThrow(TypeError);
    expect(() => parseWebhookSecrets("")).toThrow(/one or two/);
  });

  it("needs the queue and a secret (ARN or environment), never echoing a secret", () => {
    expect(readWebhookDeliverConfig({ WEBHOOK_QUEUE_URL: QUEUE, WEBHOOK_SECRET: CURRENT })).toEqual({
      queueUrl: QUEUE,
      timeoutMs: 10_000,
      secrets: [CURRENT],
    });
    expect(readWebhookDeliverConfig({ WEBHOOK_QUEUE_URL: QUEUE, WEBHOOK_SECRET_ARN: "arn:x" }).secretArn).toBe("arn:x");
    expect(() => readWebhookDeliverConfig({ WEBHOOK_QUEUE_URL: QUEUE })).toThrow(/WEBHOOK_SECRET/);
    const bad = "whsec_this is not base64 at all";
    expect(() => readWebhookDeliverConfig({ WEBHOOK_QUEUE_URL: QUEUE, WEBHOOK_SECRET: bad })).toThrow(
      /WEBHOOK_SECRET must be whsec_/,
    );
    try {
      readWebhookDeliverConfig({ WEBHOOK_QUEUE_URL: QUEUE, WEBHOOK_SECRET: bad });
    } catch (error) {
      expect((error as Error).message).not.toContain("not base64 at all");
    }
  });

  it("the local stack's reading: none is fine (it makes one), a malformed one fails at start, named", () => {
    expect(readWebhookSecrets({})).toEqual([]);
    expect(readWebhookSecrets({ WEBHOOK_SECRET: CURRENT, WEBHOOK_SECRET_PREVIOUS: PREVIOUS })).toEqual([
      CURRENT,
      PREVIOUS,
    ]);
    // Two secrets in one variable (Secrets Manager's rotation format) is not how the variables take them.
    expect(() => readWebhookSecrets({ WEBHOOK_SECRET: `${CURRENT} ${PREVIOUS}` })).toThrow(
      /^Configuration variable WEBHOOK_SECRET must be whsec_/,
    );
    expect(() => readWebhookSecrets({ WEBHOOK_SECRET: CURRENT, WEBHOOK_SECRET_PREVIOUS: "whsec_c2hvcnQ=" })).toThrow(
      /WEBHOOK_SECRET_PREVIOUS must hold at least 16 bytes/,
    );
    expect(readWebhookTimeoutMs({ WEBHOOK_TIMEOUT_MS: "2500" })).toBe(2500);
  });
});
