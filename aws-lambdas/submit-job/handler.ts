/**
 * Lambda entry point of submit-job (S3 notification or EventBridge "Object Created" -> MediaConvert).
 * Configuration is read once per cold start: a missing variable fails the cold start with a
 * ConfigError naming it. The logic and the SDK clients load on the first event
 * (shared/lazy-handler.ts). The logic lives in submit-job.ts.
 */
import { awsEndpoints } from "../shared/config.ts";
import { lazyHandler } from "../shared/lazy-handler.ts";
import { createLogger } from "../shared/logger.ts";
import { readSubmitJobConfig } from "./config.ts";

const config = readSubmitJobConfig(process.env);
const endpoints = awsEndpoints(process.env);
const log = createLogger("submit-job");

/** The Lambda handler. */
export const handler = lazyHandler(async () =>
  (await import("./with-clients.ts")).submitJobWithClients({ config, endpoints, log }),
);
