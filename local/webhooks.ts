/**
 * Webhooks on the local stack: a stand-in for the SQS FIFO queue and a receiver that prints each
 * delivery after verifying it.
 *
 * The producers' code path is the real one: job-state and faces-collect call SendMessage with the AWS
 * SDK's SQSClient, pointed here (the AWS JSON 1.0 protocol, `X-Amz-Target: AmazonSQS.<Action>`). The
 * stand-in keeps FIFO order per message group and hands each message to the real webhook-deliver
 * handler; a failed delivery comes back after the delay that handler sets with ChangeMessageVisibility,
 * up to WEBHOOK_MAX_ATTEMPTS receives, like the queue's redrive policy.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests-json.html
 */
import { createHash, randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import type { Log } from "../aws-lambdas/shared/logger.ts";
import type { WebhookSender } from "../aws-lambdas/shared/webhooks.ts";
import { createWebhookDeliverHandler } from "../aws-lambdas/webhook-deliver/deliver.ts";
import { WEBHOOK_MAX_ATTEMPTS } from "../model/webhook-queue.ts";
import { generateWebhookSecret, verifyWebhook } from "../model/webhooks.ts";
import { LOCAL_CREDENTIALS } from "./constants.ts";

export interface LocalWebhooks {
  /** For the producers (job-state, faces-collect). */
  sender: WebhookSender;
  receiverUrl: string;
  describe(): string;
  stop(): Promise<void>;
}

export interface LocalWebhookOptions {
  /** Receiver port (0 = any free port). */
  receiverPort: number;
  /** `WEBHOOK_URLS`; default: the local receiver. */
  urls?: string[];
  /** `WEBHOOK_SECRET` (+ previous); default: a new random secret per start, never printed. */
  secrets?: string[];
  /** `WEBHOOK_TIMEOUT_MS`; default 10 s, as in AWS. */
  timeoutMs?: number;
  log: Log;
  print?: (line: string) => void;
}

interface Pending {
  body: string;
  receipt: string;
  receives: number;
}

async function listen(server: Server, port: number): Promise<string> {
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The receiver: verifies with `verifyWebhook` and prints the delivery; 401 when it does not verify. */
function receiver(secrets: string[], print: (line: string) => void): Server {
  return createServer((request, response) => {
    void readBody(request).then(async (body) => {
      const verified = await verifyWebhook(body, request.headers, secrets);
      const id = request.headers["webhook-id"];
      if (!verified.ok) {
        print(`webhook receiver: refused ${String(id)}: ${verified.reason}`);
        return void response.writeHead(401).end();
      }
      const payload = JSON.parse(body) as { type?: string; data?: { jobId?: string } };
      print(`webhook ${payload.type} ${payload.data?.jobId} (webhook-id ${id}, signature verified)`);
      print(JSON.stringify(payload, null, 2));
      response.writeHead(204).end();
    });
  });
}

/** SQS's JSON protocol, the two actions the producers and the deliverer call. */
function sqsStandIn(queue: {
  send(group: string, body: string): void;
  changeVisibility(receipt: string, seconds: number): void;
}): Server {
  return createServer((request, response) => {
    void readBody(request).then((text) => {
      const action = String(request.headers["x-amz-target"] ?? "").replace("AmazonSQS.", "");
      const input = JSON.parse(text || "{}") as Record<string, string | number>;
      let output: Record<string, unknown> = {};
      if (action === "SendMessage") {
        const body = String(input.MessageBody);
        queue.send(String(input.MessageGroupId), body);
        // The SDK checks this MD5 of the body.
        output = { MessageId: randomUUID(), MD5OfMessageBody: createHash("md5").update(body).digest("hex") };
      } else if (action === "ChangeMessageVisibility") {
        queue.changeVisibility(String(input.ReceiptHandle), Number(input.VisibilityTimeout));
      }
      response.writeHead(200, { "content-type": "application/x-amz-json-1.0" }).end(JSON.stringify(output));
    });
  });
}

/** Starts the receiver and the queue stand-in. */
export async function startLocalWebhooks(options: LocalWebhookOptions): Promise<LocalWebhooks> {
  const print = options.print ?? ((line: string) => console.log(line));
  const secrets = options.secrets?.length ? options.secrets : [generateWebhookSecret()];
  const receiverServer = receiver(secrets, print);
  const receiverUrl = `${await listen(receiverServer, options.receiverPort)}/webhooks`;

  const groups = new Map<string, Pending[]>();
  const delays = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const queueServer = sqsStandIn({
    send(group, body) {
      const queue = groups.get(group) ?? [];
      queue.push({ body, receipt: randomUUID(), receives: 0 });
      if (!groups.has(group)) {
        groups.set(group, queue);
        setImmediate(() => void pump(group));
      }
    },
    changeVisibility: (receipt, seconds) => delays.set(receipt, seconds),
  });
  const queueUrl = `${await listen(queueServer, 0)}/000000000000/media-edge-webhooks.fifo`;
  const client = () =>
    new SQSClient({ region: "us-east-1", endpoint: new URL(queueUrl).origin, credentials: LOCAL_CREDENTIALS });
  const deliver = createWebhookDeliverHandler({
    config: { queueUrl, timeoutMs: options.timeoutMs ?? 10_000 },
    sqs: client(),
    secrets: () => Promise.resolve(secrets),
    log: options.log,
  });

  /** Delivers the group's head; on failure waits the delay the deliverer set, then tries again. */
  async function pump(group: string): Promise<void> {
    const queue = groups.get(group);
    const head = queue?.[0];
    if (!queue || !head) return void groups.delete(group);
    head.receives++;
    const record = {
      messageId: head.receipt,
      receiptHandle: head.receipt,
      body: head.body,
      attributes: { ApproximateReceiveCount: String(head.receives), MessageGroupId: group },
    };
    const result = await deliver({ Records: [record] } as unknown as SQSEvent);
    if (result.batchItemFailures.length === 0 || head.receives >= WEBHOOK_MAX_ATTEMPTS) {
      if (result.batchItemFailures.length > 0) print(`webhook queue: gave up on a delivery of group ${group}`);
      queue.shift();
      return pump(group);
    }
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        void pump(group);
      },
      (delays.get(head.receipt) ?? 30) * 1000,
    );
    timers.add(timer);
  }

  const urls = options.urls?.length ? options.urls : [receiverUrl];
  return {
    sender: { sqs: client(), targets: { queueUrl, urls } },
    receiverUrl,
    describe: () =>
      urls.includes(receiverUrl)
        ? `  Webhooks                ${urls.join(", ")}   (this receiver prints each delivery)`
        : `  Webhooks                ${urls.join(", ")}   (WEBHOOK_URLS; the receiver at ${receiverUrl} gets none)`,
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      for (const server of [receiverServer, queueServer]) {
        server.closeAllConnections();
        server.close();
      }
    },
  };
}
