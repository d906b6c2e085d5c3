/**
 * Lambda entry point of webhook-deliver (SQS FIFO event source with ReportBatchItemFailures ->
 * signed POSTs). Configuration is read once per cold start; the logic and the SDK clients load on the
 * first event (shared/lazy-handler.ts). Logic: deliver.ts.
 */
import { awsEndpoints } from "../shared/config.ts";
import { lazyHandler } from "../shared/lazy-handler.ts";
import { createLogger } from "../shared/logger.ts";
import { readWebhookDeliverConfig } from "./config.ts";

const config = readWebhookDeliverConfig(process.env);
const endpoints = awsEndpoints(process.env);
const log = createLogger("webhook-deliver");

/** The Lambda handler. */
export const handler = lazyHandler(async () =>
  (await import("./with-clients.ts")).webhookDeliverWithClients({ config, endpoints, log }),
);
