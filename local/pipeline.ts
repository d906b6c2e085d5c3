/**
 * The local event wiring behind `npm start` (upload events -> Lambdas, MediaConvert and
 * Rekognition emulators). Being built in this change; until then `npm start` runs the Worker,
 * DynamoDB Local and the S3 server, and Lambdas run by hand with `npm run invoke`.
 */
import type { LocalS3Server } from "./aws.ts";
import type { LocalEndpoints } from "./defaults.ts";

export interface LocalPipeline {
  stop(): Promise<void>;
  /** Lines for the start-up summary. */
  describe(): string;
}

export interface LocalPipelineOptions {
  s3: LocalS3Server;
  endpoints: LocalEndpoints;
  /** The Lambdas' local environment, given the emulators' endpoint. */
  lambdaDefaults: (emulatorEndpoint?: string) => Record<string, string>;
}

export async function startLocalPipeline(_options: LocalPipelineOptions): Promise<LocalPipeline> {
  return {
    stop: async () => undefined,
    describe: () => "  Lambdas                 run with `npm run invoke -- <function> <event.json>`",
  };
}
