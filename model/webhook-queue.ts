/**
 * The webhook delivery queue, as both ends and infra see it: the message the producers (job-state,
 * faces-collect) enqueue and webhook-deliver consumes, and the retry schedule that spans a day.
 *
 * Retries go through the queue, not a sleeping Lambda: a failed attempt sets the message's visibility
 * timeout to the next delay (ChangeMessageVisibility) and reports the message as a batch item failure,
 * so SQS hands it back after the delay. After `WEBHOOK_MAX_ATTEMPTS` receives (about 24 h of delays)
 * the queue's redrive policy moves it to the dead-letter queue.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
 *
 * Plain data: loads in Node and in the CDK app.
 */

/** One delivery: one event to one URL. `body` is the exact JSON that is signed and POSTed. */
export interface WebhookQueueMessage {
  url: string;
  /** The event id: the `webhook-id` header, the same on every attempt. */
  id: string;
  body: string;
}

/** How long a delivery is retried. */
export const WEBHOOK_RETRY_WINDOW_SECONDS = 24 * 3600;
const FIRST_DELAY_SECONDS = 30;
const LONGEST_DELAY_SECONDS = 3600;

/** Seconds to wait after failed attempt `attempt` (1-based): 30 s, doubling, at most an hour. */
export function webhookRetryDelaySeconds(attempt: number): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 20));
  return Math.min(LONGEST_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** exponent);
}

/** The fewest attempts whose delays add up to `windowSeconds` (the queue's maxReceiveCount). */
export function webhookAttemptsWithin(windowSeconds: number): number {
  let waited = 0;
  let attempts = 1;
  while (waited < windowSeconds) waited += webhookRetryDelaySeconds(attempts++);
  return attempts;
}

/** Receives before the dead-letter queue takes a delivery: 31 (30 delays, 24 h 3 min 30 s in all). */
export const WEBHOOK_MAX_ATTEMPTS = webhookAttemptsWithin(WEBHOOK_RETRY_WINDOW_SECONDS);

/** Whether a receiver's HTTP status is worth another attempt: 5xx, 408 Request Timeout, 429 Too Many Requests. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}
