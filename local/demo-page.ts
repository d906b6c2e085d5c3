/**
 * The demo page's address for `npm start`: the Worker's `/`, with the tokens the page needs in the
 * URL fragment when the stack runs signed (`#token=<play token>&upload_token=<upload token>`).
 * Fragments never leave the browser, so the tokens reach only the page's own calls to its origin.
 */
import { PutBucketCorsCommand } from "@aws-sdk/client-s3";
import { mintToken } from "../worker/auth/tokens.ts";
import { localS3Client } from "./aws.ts";

/** The play token's scopes: every job, every recorder stream, every face result (demo only). */
export const DEMO_PLAY_SCOPE = "job:* rec:* faces:*";
/** How long the printed tokens last: a working day of demoing. */
export const DEMO_TOKEN_TTL_SECONDS = 12 * 3600;

/** The page URL for a Worker run with `vars`, or undefined when DEMO_PAGE is off. */
export async function demoPageUrl(
  workerUrl: string,
  vars: Record<string, string | undefined>,
): Promise<string | undefined> {
  if ((vars.DEMO_PAGE ?? "on").trim() === "off") return undefined;
  const secret = vars.TOKEN_SECRET?.trim();
  const playback = (vars.PLAYBACK_POLICY ?? "public").trim();
  const faces = (vars.FACES_POLICY ?? playback).trim();
  const fragment = new URLSearchParams();
  if (secret && (playback === "signed" || faces === "signed")) {
    fragment.set(
      "token",
      await mintToken(secret, { scope: DEMO_PLAY_SCOPE, purpose: "play", ttlSeconds: DEMO_TOKEN_TTL_SECONDS }),
    );
  }
  const hash = fragment.toString();
  return `${workerUrl}/${hash ? `#${hash}` : ""}`;
}

/**
 * Lets pages on `origins` PUT uploads (single or multipart parts) into `bucket` of the local S3
 * server, and read each part's ETag, as infra's CORS rule does on the real input bucket.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html
 */
export async function allowBrowserUploads(s3Endpoint: string, bucket: string, origins: string[]): Promise<void> {
  const client = localS3Client(s3Endpoint);
  try {
    await client.send(
      new PutBucketCorsCommand({
        Bucket: bucket,
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedOrigins: origins,
              AllowedMethods: ["PUT"],
              AllowedHeaders: ["*"],
              ExposeHeaders: ["ETag"],
              MaxAgeSeconds: 3600,
            },
          ],
        },
      }),
    );
  } finally {
    client.destroy();
  }
}

/** The origins a browser may show the local Worker's page from (127.0.0.1 and localhost). */
export function pageOrigins(workerUrl: string): string[] {
  const url = new URL(workerUrl);
  return [url.origin, `${url.protocol}//localhost:${url.port}`];
}
