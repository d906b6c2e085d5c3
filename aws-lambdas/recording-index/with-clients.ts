/**
 * recording-index's handler with its S3 requests (shared/s3-objects.ts: the SDK's signer and
 * credential provider, not its S3 client): the part of the function that loads the AWS SDK,
 * imported by handler.ts on the first event (shared/lazy-handler.ts).
 */
import { createObjectStore } from "../shared/clients.ts";
import type { AwsEndpoints } from "../shared/config.ts";
import type { Log } from "../shared/logger.ts";
import type { RecordingIndexConfig } from "./config.ts";
import { createRecordingIndexHandler } from "./recording-index.ts";

/** The handler, with its S3 requests' signer built once per container. */
export function recordingIndexWithClients(init: { config: RecordingIndexConfig; endpoints: AwsEndpoints; log: Log }) {
  return createRecordingIndexHandler({ config: init.config, s3: createObjectStore(init.endpoints), log: init.log });
}
