/**
 * Which URLs get a producer's state changes (`WEBHOOK_URLS`) and the queue they go through
 * (`WEBHOOK_QUEUE_URL`), read at cold start by job-state and faces-collect. No SDK import: the handler
 * modules load the SQS client only on the first event (shared/lazy-handler.ts, shared/webhooks.ts).
 */
import { ConfigError, type Env, lambdaSettings } from "./config.ts";

/** Where a producer sends its events. */
export interface WebhookTargets {
  queueUrl: string;
  urls: string[];
}

/** `WEBHOOK_URLS` (absolute http(s) URLs) and `WEBHOOK_QUEUE_URL`; undefined when no URL is set. */
export function webhookTargets(env: Env): WebhookTargets | undefined {
  const read = lambdaSettings(env);
  const urls = read.list("WEBHOOK_URLS", []);
  if (urls.length === 0) return undefined;
  for (const url of urls) {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw new ConfigError("WEBHOOK_URLS", `must list absolute http(s) URLs, got ${JSON.stringify(url)}.`);
    }
  }
  return { urls, queueUrl: read.required("WEBHOOK_QUEUE_URL", "the queue webhook-deliver reads (infra sets it).") };
}
