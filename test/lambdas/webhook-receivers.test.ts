/**
 * docs/webhooks.md's standard-library Python receiver, run as the doc prints it (python3), against real
 * deliveries: the producers' message (shared/webhooks.ts) -> the real webhook-deliver handler -> POST.
 * The secrets are in the stack's format (64 letters and digits, bare base64) and in `whsec_` form, so
 * the doc's decoding, rotation, tolerance, de-duplication and status codes are all exercised.
 * Waits on the receiver's output and answers, never on time.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryLog } from "../../aws-lambdas/shared/logger.ts";
import { webhookMessages } from "../../aws-lambdas/shared/webhooks.ts";
import { createWebhookDeliverHandler } from "../../aws-lambdas/webhook-deliver/deliver.ts";
import type { WebhookPayload } from "../../model/webhooks.ts";

const doc = readFileSync(new URL("../../docs/webhooks.md", import.meta.url), "utf8");
const pythonReceiver = /```python\n([\s\S]*?)```/.exec(doc)?.[1];

// As the stack generates it (infra/lib/webhooks.ts): 64 letters and digits, read as base64.
const STACK_SECRET = "Qm9yZWRPZkFsbFRoZUV4YW1wbGVTZWNyZXRzWWV0UmVhZGFibGVBc0Jhc2U2NDAw";
const OLD_SECRET = "whsec_" + btoa("the previous secret, 32 bytes ok");
const QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/media-edge-webhooks.fifo";

const payload: WebhookPayload = {
  id: "job_1796000000000-abc123_COMPLETE_100_1796000060000",
  type: "job.complete",
  timestamp: "2026-12-01T12:01:00.000Z",
  data: {
    jobId: "1796000000000-abc123",
    inputFile: "uploads/été 2026 – ☀.mov", // non-ASCII: the signature is over the body's UTF-8 bytes
    status: "COMPLETE",
    progress: 100,
    details: { OutputPath: "uploads/été 2026 – ☀.mov_20261201120000/", Warnings: { "230001": 3 } },
  },
};

let receiver: ChildProcess | undefined;
let url = "";
const printed: string[] = [];
let wakers: Array<() => void> = [];
/** The receiver's output once it has printed `count` lines (stdout is ordered: a stray line shows up first). */
async function lines(count: number): Promise<string[]> {
  while (printed.length < count) await new Promise<void>((resolve) => wakers.push(resolve));
  return printed;
}
const dir = mkdtempSync(join(tmpdir(), "webhook-receivers-"));

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

beforeAll(async () => {
  expect(pythonReceiver).toBeDefined();
  writeFileSync(join(dir, "receiver.py"), pythonReceiver!);
  const port = await freePort();
  url = `http://127.0.0.1:${port}/hooks/media`;
  // The receiver knows the old secret (whsec_ form) and the stack's (bare): a rotation's both.
  receiver = spawn("python3", [join(dir, "receiver.py")], {
    env: { ...process.env, MEDIA_EDGE_WEBHOOK_SECRET: `${OLD_SECRET} ${STACK_SECRET}`, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  receiver.stdout!.setEncoding("utf8").on("data", (text: string) => {
    printed.push(...text.trim().split("\n"));
    for (const wake of wakers) wake();
    wakers = [];
  });
  // Ready once it answers (an unsigned POST is refused with 401).
  for (;;) {
    const status = await fetch(url, { method: "POST", body: "{}" }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 401) break;
    if (receiver.exitCode !== null) throw new Error("the doc's receiver exited");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});

afterAll(async () => {
  if (receiver && receiver.exitCode === null) {
    receiver.kill();
    await once(receiver, "exit");
  }
  rmSync(dir, { recursive: true, force: true });
});

const noSqs: Pick<SQSClient, "send"> = { send: () => Promise.resolve({}) as never };

/** webhook-deliver with `secrets`, at `nowMs`, on the producers' own message for `payload`. */
async function deliver(secrets: string[], nowMs = Date.now(), event = payload) {
  const log = memoryLog();
  const handler = createWebhookDeliverHandler({
    config: { queueUrl: QUEUE, timeoutMs: 5000 },
    sqs: noSqs,
    secrets: () => Promise.resolve(secrets),
    log,
    now: () => nowMs,
  });
  const [message] = webhookMessages(event, { queueUrl: QUEUE, urls: [url] });
  const record = {
    messageId: "m-1",
    receiptHandle: "rh-1",
    body: message!.MessageBody!,
    attributes: { ApproximateReceiveCount: "1", MessageGroupId: message!.MessageGroupId },
  } as unknown as SQSRecord;
  const result = await handler({ Records: [record] } as SQSEvent);
  const entry = log.entries.find((line) => /Webhook/.test(line.message));
  return { failures: result.batchItemFailures.length, message: entry?.message, status: entry?.extra?.status };
}

describe("docs/webhooks.md's Python receiver against webhook-deliver", () => {
  it("verifies a rotation's delivery (bare stack secret and whsec_ one), handles it once, answers 204", async () => {
    expect(await deliver([STACK_SECRET, OLD_SECRET])).toEqual({
      failures: 0,
      message: "Webhook delivered",
      status: 204,
    });
    expect(await lines(1)).toEqual(["job.complete 1796000000000-abc123"]);
  });

  it("a redelivery of the same webhook-id: 2xx again, not handled twice", async () => {
    expect(await deliver([STACK_SECRET])).toMatchObject({ failures: 0, status: 204 });
    expect(await deliver([OLD_SECRET])).toMatchObject({ failures: 0, status: 204 });
    const next = { ...payload, id: "faces_f00d_SUCCEEDED", type: "faces.succeeded" as const };
    expect(await deliver([STACK_SECRET], Date.now(), { ...next, data: { ...next.data, jobId: "f00d" } })).toMatchObject(
      { status: 204 },
    );
    expect(await lines(2)).toEqual(["job.complete 1796000000000-abc123", "faces.succeeded f00d"]);
  });

  it("a secret it does not know, or a timestamp beyond the 5 minutes: 401, which is final", async () => {
    const stranger = "whsec_" + btoa("somebody else's secret, 32 bytes");
    for (const [secret, nowMs] of [
      [stranger, Date.now()],
      [STACK_SECRET, Date.now() - 301_000],
    ] as const) {
      expect(await deliver([secret], nowMs)).toEqual({
        failures: 0,
        message: "Webhook refused by the receiver; not retried",
        status: 401,
      });
    }
    expect(await deliver([STACK_SECRET], Date.now() + 200_000)).toMatchObject({ status: 204 });
  });
});
