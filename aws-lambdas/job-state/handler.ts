/**
 * Lambda entry point of job-state (EventBridge "MediaConvert Job State Change" -> DynamoDB, info.json).
 * Configuration is read once per cold start: a missing variable fails the cold start with a
 * ConfigError naming it. The logic and the SDK clients load on the first event
 * (shared/lazy-handler.ts). The logic lives in job-state.ts and state-update.ts.
 */
import { awsEndpoints } from "../shared/config.ts";
import { lazyHandler } from "../shared/lazy-handler.ts";
import { createLogger } from "../shared/logger.ts";
import { webhookTargets } from "../shared/webhook-targets.ts";
import { readJobStateConfig } from "./config.ts";

const config = readJobStateConfig(process.env);
const endpoints = awsEndpoints(process.env);
const targets = webhookTargets(process.env);
const log = createLogger("job-state");

/** The Lambda handler. */
export const handler = lazyHandler(async () =>
  (await import("./with-clients.ts")).jobStateWithClients({ config, endpoints, targets, log }),
);
