/**
 * Lambda entry point of faces-start (EventBridge "Object Created" or S3 notification -> Rekognition
 * StartFaceDetection). Configuration and SDK clients are built once per cold start; a missing variable
 * fails the cold start with a ConfigError naming it. The logic lives in faces-start.ts.
 *
 * Trigger: an EventBridge rule on the input bucket's "Object Created" events, one rule per function
 * (submit-job has its own). S3 refuses two notification configurations with overlapping prefixes and
 * suffixes for the same event type, so two functions cannot both subscribe to the bucket directly;
 * EventBridge delivers every event to every matching rule.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html
 */
import { RekognitionClient } from "@aws-sdk/client-rekognition";
import { awsEndpoints } from "../shared/config.ts";
import { createDocumentClient } from "../shared/clients.ts";
import { createLogger } from "../shared/logger.ts";
import { readFacesStartConfig } from "./config.ts";
import { createFacesStartHandler } from "./faces-start.ts";

const config = readFacesStartConfig(process.env);
const endpoints = awsEndpoints(process.env);

/** The Lambda handler. */
export const handler = createFacesStartHandler({
  config,
  clients: {
    dynamodb: createDocumentClient(endpoints),
    rekognition: new RekognitionClient({
      region: endpoints.region,
      ...(config.rekognition.endpoint ? { endpoint: config.rekognition.endpoint } : {}),
    }),
  },
  log: createLogger("faces-start"),
});
