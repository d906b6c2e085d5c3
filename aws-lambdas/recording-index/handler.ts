/**
 * Lambda entry point of recording-index (the recordings bucket's ObjectCreated notifications for
 * `*.ts` under RECORDINGS_PREFIX -> the day indexes the Worker reads). Configuration and the S3
 * client are built once per cold start. The logic lives in recording-index.ts.
 */
import { awsEndpoints } from "../shared/config.ts";
import { createS3Client } from "../shared/clients.ts";
import { createLogger } from "../shared/logger.ts";
import { readRecordingIndexConfig } from "./config.ts";
import { createRecordingIndexHandler } from "./recording-index.ts";

const config = readRecordingIndexConfig(process.env);

/** The Lambda handler. */
export const handler = createRecordingIndexHandler({
  config,
  s3: createS3Client(awsEndpoints(process.env)),
  log: createLogger("recording-index"),
});
