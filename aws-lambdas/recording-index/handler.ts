/**
 * Lambda entry point of recording-index (the recordings bucket's ObjectCreated notifications for
 * `*.ts` under RECORDINGS_PREFIX -> the day indexes the Worker reads). Configuration is read once per
 * cold start; the logic and its S3 signer load on the first event (shared/lazy-handler.ts). The logic
 * lives in recording-index.ts.
 */
import { awsEndpoints } from "../shared/config.ts";
import { lazyHandler } from "../shared/lazy-handler.ts";
import { createLogger } from "../shared/logger.ts";
import { readRecordingIndexConfig } from "./config.ts";

const config = readRecordingIndexConfig(process.env);
const endpoints = awsEndpoints(process.env);
const log = createLogger("recording-index");

/** The Lambda handler. */
export const handler = lazyHandler(async () =>
  (await import("./with-clients.ts")).recordingIndexWithClients({ config, endpoints, log }),
);
