/**
 * webhook-deliver: SQS (FIFO) -> one signed POST per message.
 *
 * Each message is one event for one URL (aws-lambdas/shared/webhooks.ts). The body is POSTed exactly
 * as enqueued, with the Standard Webhooks headers signed at send time (model/webhooks.ts), within
 * `WEBHOOK_TIMEOUT_MS`. A 2xx is delivered; 5xx, 408, 429, a timeout or a network error is retried
 * through the queue after a growing delay (model/webhook-queue.ts) until the dead-letter queue takes
 * it; any other status (4xx, 3xx: redirects are not followed) is final, logged and dropped.
 *
 * Order: messages of one FIFO group (one URL, one job) arrive in order; when one fails, the later
 * messages of its group in the same batch are not attempted and wait as long as it does. The batch
 * reports them all as failures (ReportBatchItemFailures).
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 *
 * Receivers' answers are never read or logged (only their status), nor are secrets or URL queries.
 */
import { ChangeMessageVisibilityCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { isRetryableStatus, webhookRetryDelaySeconds, type WebhookQueueMessage } from "../../model/webhook-queue.ts";
import { signWebhook, WEBHOOK_HEADERS } from "../../model/webhooks.ts";
import { isRecord } from "../shared/guards.ts";
import { describeError, type Log } from "../shared/logger.ts";
import type { WebhookDeliverConfig } from "./config.ts";

/** What one attempt came to. */
export type DeliveryResult =
  | { outcome: "delivered"; status: number }
  | { outcome: "final"; status: number }
  | { outcome: "retry"; status?: number; reason: string };

/** How an attempt is made. */
export interface AttemptOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  /** Unix seconds of this attempt: the `webhook-timestamp`. */
  nowSeconds: number;
}

/** Signs and POSTs one message; never throws. */
export async function deliverWebhook(
  message: WebhookQueueMessage,
  secrets: readonly string[],
  { fetch, timeoutMs, nowSeconds }: AttemptOptions,
): Promise<DeliveryResult> {
  const headers = {
    "content-type": "application/json",
    "user-agent": "media-edge-webhooks",
    [WEBHOOK_HEADERS.id]: message.id,
    [WEBHOOK_HEADERS.timestamp]: String(nowSeconds),
    [WEBHOOK_HEADERS.signature]: await signWebhook(message.id, nowSeconds, message.body, secrets),
  };
  let response: Response;
  try {
    response = await fetch(message.url, {
      method: "POST",
      headers,
      body: message.body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const name = (error as Error).name;
    return { outcome: "retry", reason: name === "TimeoutError" ? "timeout" : `network error (${name})` };
  }
  await response.body?.cancel().catch(() => undefined);
  const status = response.status;
  if (status >= 200 && status < 300) return { outcome: "delivered", status };
  if (isRetryableStatus(status)) return { outcome: "retry", status, reason: `HTTP ${status}` };
  return { outcome: "final", status };
}

/** What webhook-deliver needs from outside. */
export interface WebhookDeliverDeps {
  config: WebhookDeliverConfig;
  sqs: Pick<SQSClient, "send">;
  /** The signing secrets, newest first (cached Secrets Manager read, or the environment's). */
  secrets: () => Promise<string[]>;
  log: Log;
  fetch?: typeof fetch;
  /** Epoch ms (tests pin it). */
  now?: () => number;
}

/** Creates the SQS handler. */
export function createWebhookDeliverHandler(deps: WebhookDeliverDeps) {
  return async function webhookDeliver(event: SQSEvent): Promise<SQSBatchResponse> {
    const secrets = await deps.secrets();
    const failures: SQSBatchItemFailure[] = [];
    // FIFO group -> the delay its failed message waits, so later messages of the group wait as long.
    const heldGroups = new Map<string, number>();
    for (const record of event.Records) {
      const group = record.attributes.MessageGroupId ?? record.messageId;
      const held = heldGroups.get(group);
      const delay = held ?? (await deliverRecord(deps, record, secrets));
      if (delay === undefined) continue;
      heldGroups.set(group, delay);
      if (held !== undefined) await postpone(deps, record, delay);
      failures.push({ itemIdentifier: record.messageId });
    }
    return { batchItemFailures: failures };
  };
}

/** Delivers one record; undefined when done with it, else the seconds it waits before the next attempt. */
async function deliverRecord(deps: WebhookDeliverDeps, record: SQSRecord, secrets: string[]) {
  const { log } = deps;
  const message = parseMessage(record.body);
  if (!message) {
    log.error("Malformed webhook message dropped", { messageId: record.messageId });
    return undefined;
  }
  const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
  const where = { eventId: message.id, receiver: new URL(message.url).origin, attempt };
  const result = await deliverWebhook(message, secrets, {
    fetch: deps.fetch ?? fetch,
    timeoutMs: deps.config.timeoutMs,
    nowSeconds: Math.floor((deps.now ?? Date.now)() / 1000),
  });
  if (result.outcome === "delivered") {
    log.info("Webhook delivered", { ...where, status: result.status });
    return undefined;
  }
  if (result.outcome === "final") {
    log.warn("Webhook refused by the receiver; not retried", { ...where, status: result.status });
    return undefined;
  }
  const delay = webhookRetryDelaySeconds(attempt);
  log.warn("Webhook attempt failed; retrying later", { ...where, reason: result.reason, retryInSeconds: delay });
  await postpone(deps, record, delay);
  return delay;
}

/** Makes the message visible again only after `seconds` (Lambda leaves failed messages' visibility alone). */
async function postpone({ config, sqs, log }: WebhookDeliverDeps, record: SQSRecord, seconds: number) {
  try {
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: config.queueUrl,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  } catch (error) {
    // The queue's own visibility timeout applies instead: a later retry, never a lost message.
    log.warn("Could not set the retry delay", { messageId: record.messageId, ...describeError(error) });
  }
}

function parseMessage(body: string): WebhookQueueMessage | undefined {
  try {
    const value: unknown = JSON.parse(body);
    if (!isRecord(value) || typeof value.url !== "string" || typeof value.id !== "string") return undefined;
    if (typeof value.body !== "string" || !URL.canParse(value.url)) return undefined;
    return { url: value.url, id: value.id, body: value.body };
  } catch {
    return undefined;
  }
}
