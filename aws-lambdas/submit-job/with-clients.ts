/**
 * submit-job's handler with its SDK clients: the part of the function that loads the AWS SDK,
 * imported by handler.ts on the first event (shared/lazy-handler.ts).
 */
import { MediaConvertClient } from "@aws-sdk/client-mediaconvert";
import { createDocumentClient } from "../shared/clients.ts";
import type { AwsEndpoints } from "../shared/config.ts";
import type { Log } from "../shared/logger.ts";
import type { SubmitJobConfig } from "./config.ts";
import { createSubmitJobHandler } from "./submit-job.ts";

/** The handler, with clients built once per container. */
export function submitJobWithClients(init: { config: SubmitJobConfig; endpoints: AwsEndpoints; log: Log }) {
  const { config, endpoints, log } = init;
  return createSubmitJobHandler({
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
    log,
  });
}
