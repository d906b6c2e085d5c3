/**
 * The producer side of webhooks: the pure mapping of a payload to SQS messages (one per URL), and the
 * enqueue after an applied update. Which URLs and queue: webhook-targets.ts.
 *
 * The queue is FIFO: the message group is the URL's position plus the job id, so one job's events reach
 * one receiver in the order they were applied, and a receiver that is down holds back only its own
 * deliveries. The deduplication id is the event id (per URL): SQS drops a repeat within 5 minutes.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html
 *
 * Enqueueing never fails the state update: it runs after the update is committed, and an error (after
 * the SDK's own retries) is logged with the event, not thrown — a retried source event would be stale
 * by then and send nothing anyway.
 */
import { SendMessageCommand, type SendMessageCommandInput, SQSClient } from "@aws-sdk/client-sqs";
import type { WebhookQueueMessage } from "../../model/webhook-queue.ts";
import type { WebhookPayload } from "../../model/webhooks.ts";
import type { AwsEndpoints } from "./config.ts";
import { describeError, type Log } from "./logger.ts";
import type { WebhookTargets } from "./webhook-targets.ts";

/** What a producer needs to send events; absent when no URL is configured. */
export interface WebhookSender {
  sqs: Pick<SQSClient, "send">;
  targets: WebhookTargets;
}

/** An SQS client; `SQS_ENDPOINT` (`endpoints.sqs`) points it at the local stack's queue. */
export function createSqsClient(endpoints: AwsEndpoints): SQSClient {
  return new SQSClient({ region: endpoints.region, ...(endpoints.sqs ? { endpoint: endpoints.sqs } : {}) });
}

// FIFO group and deduplication ids: up to 128 of these characters.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
const fifoId = (text: string) => text.replace(/[^A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g, "_").slice(0, 128);

/** The SendMessage requests for one event: one per URL, in the URL's FIFO group for this job. Pure. */
export function webhookMessages(payload: WebhookPayload, targets: WebhookTargets): SendMessageCommandInput[] {
  const body = JSON.stringify(payload);
  return targets.urls.map((url, index) => {
    const message: WebhookQueueMessage = { url, id: payload.id, body };
    return {
      QueueUrl: targets.queueUrl,
      MessageBody: JSON.stringify(message),
      MessageGroupId: fifoId(`${index}.${payload.data.jobId}`),
      MessageDeduplicationId: fifoId(`${index}.${payload.id}`),
    };
  });
}

/** Enqueues `payload` for every URL; logs instead of throwing (see the module comment). */
export async function enqueueWebhooks(sender: WebhookSender | undefined, payload: WebhookPayload, log: Log) {
  if (!sender) return;
  for (const input of webhookMessages(payload, sender.targets)) {
    try {
      await sender.sqs.send(new SendMessageCommand(input));
    } catch (error) {
      log.error("Webhook not enqueued; the state update stands", {
        eventId: payload.id,
        type: payload.type,
        jobId: payload.data.jobId,
        ...describeError(error),
      });
    }
  }
}
