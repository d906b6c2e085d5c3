/**
 * The per-request AWS client of the Worker: credentials, endpoints, the failure policy and the
 * request's upstream counters in one value. Middleware builds one per request (`c.get("aws")`) and
 * routes hand it to the adapters with the bucket/table/key they need, the way honojs/examples pass
 * a binding (`getPost(c.env.DB, id)`): adapters never see the app's Config.
 */
import type { S3Location } from "./s3-url.ts";
import type { AwsCredentials, UpstreamPolicy, UpstreamStats } from "./upstream.ts";

export interface AwsEdgeClient {
  readonly credentials: AwsCredentials;
  readonly endpoints: {
    /** DynamoDB JSON API endpoint, e.g. https://dynamodb.us-east-1.amazonaws.com */
    readonly dynamodb: string;
    readonly s3: S3Location;
  };
  readonly policy: UpstreamPolicy;
  /** This request's upstream calls and retries, for the access log. */
  readonly stats: UpstreamStats;
}

/**
 * A client with fresh counters. Cheap per request: the signing keys are cached per credentials
 * object (signAws in upstream.ts), so pass the same credentials object every time.
 */
export function createAwsEdgeClient(settings: Omit<AwsEdgeClient, "stats">): AwsEdgeClient {
  return { ...settings, stats: { calls: 0, retries: 0 } };
}
