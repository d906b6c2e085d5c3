/**
 * faces-start's handler with its SDK clients: the part of the function that loads the AWS SDK,
 * imported by handler.ts on the first event (shared/lazy-handler.ts).
 */
import { RekognitionClient } from "@aws-sdk/client-rekognition";
import { createDocumentClient } from "../shared/clients.ts";
import type { AwsEndpoints } from "../shared/config.ts";
import type { Log } from "../shared/logger.ts";
import type { FacesStartConfig } from "./config.ts";
import { createFacesStartHandler } from "./faces-start.ts";

/** The handler, with clients built once per container. */
export function facesStartWithClients(init: { config: FacesStartConfig; endpoints: AwsEndpoints; log: Log }) {
  const { config, endpoints, log } = init;
  return createFacesStartHandler({
    config,
    clients: {
      dynamodb: createDocumentClient(endpoints),
      rekognition: new RekognitionClient({
        region: endpoints.region,
        ...(config.rekognition.endpoint ? { endpoint: config.rekognition.endpoint } : {}),
      }),
    },
    log,
  });
}
