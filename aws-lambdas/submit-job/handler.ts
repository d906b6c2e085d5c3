/**
 * Lambda entry point of submit-job (S3 notification or EventBridge "Object Created" -> MediaConvert).
 * Configuration and SDK clients are built once per cold start; a missing variable fails the cold
 * start with a ConfigError naming it. The logic lives in submit-job.ts.
 */
import { MediaConvertClient } from "@aws-sdk/client-mediaconvert";
import { awsEndpoints } from "../shared/config.ts";
import { createDocumentClient } from "../shared/clients.ts";
import { createLogger } from "../shared/logger.ts";
import { readSubmitJobConfig } from "./config.ts";
import { createSubmitJobHandler } from "./submit-job.ts";

const config = readSubmitJobConfig(process.env);
const endpoints = awsEndpoints(process.env);

/** The Lambda handler. */
export const handler = createSubmitJobHandler({
  config,
  clients: {
    dynamodb: createDocumentClient(endpoints),
    // MEDIACONVERT_ENDPOINT_URL is optional: AWS now recommends the regional endpoint over the
    // account-specific one the seed looked up. https://docs.aws.amazon.com/mediaconvert/latest/apireference/endpoints.html
    mediaConvert: new MediaConvertClient({
      region: endpoints.region,
      ...(config.mediaConvert.endpoint ? { endpoint: config.mediaConvert.endpoint } : {}),
    }),
  },
  log: createLogger("submit-job"),
});
