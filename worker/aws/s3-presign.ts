/**
 * Presigned S3 URLs (SigV4 query signing with aws4fetch, no AWS SDK): the browser sends the bytes to
 * S3 itself, the Worker only signs. https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 *
 * - Short-lived: X-Amz-Expires is set before signing (aws4fetch would default to 86,400 s).
 * - For a single PUT, content-type and content-length are signed (X-Amz-SignedHeaders), so S3
 *   refuses the request unless the browser sends exactly that type and that many bytes. aws4fetch
 *   leaves both out of the signature unless `allHeaders` is set, hence the flag; only the headers
 *   passed here are signed (host, plus these).
 * - Keys go through s3ObjectUrl (every segment RFC 3986-encoded), which keeps aws4fetch from
 *   mis-signing "+" (see s3-url.ts); test/unit/upload-presign.test.ts compares the signatures with
 *   the AWS SDK's presigner.
 */
import type { AwsEdgeClient } from "./client.ts";
import { s3ObjectUrl } from "./s3-url.ts";
import { signAws } from "./upstream.ts";

export interface PresignRequest {
  bucket: string;
  key: string;
  method: "PUT";
  /** Lifetime of the URL in seconds (S3 allows at most 7 days). */
  expiresSeconds: number;
  /** Extra query parameters that are part of the request (partNumber, uploadId). */
  query?: Record<string, string>;
  /** Headers the client must send, signed (lowercase names). */
  headers?: Record<string, string>;
  /** SigV4 time `yyyymmddThhmmssZ`; now when absent. */
  datetime?: string;
}

/** SigV4's compact UTC time for a Date. */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[:-]|\.\d{3}/g, "");
}

/** A presigned URL for one S3 request. */
export async function presignS3(aws: Pick<AwsEdgeClient, "credentials" | "endpoints">, request: PresignRequest) {
  if (!Number.isSafeInteger(request.expiresSeconds) || request.expiresSeconds < 1 || request.expiresSeconds > 604_800) {
    throw new Error(`presign expiry must be 1..604800 seconds, got ${request.expiresSeconds}`);
  }
  const url = new URL(s3ObjectUrl(aws.endpoints.s3, request.bucket, request.key));
  for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
  url.searchParams.set("X-Amz-Expires", String(request.expiresSeconds));
  const signed = await signAws(
    aws.credentials,
    "s3",
    { url: url.toString(), method: request.method, headers: request.headers ?? {} },
    { presign: true, datetime: request.datetime },
  );
  return signed.url.toString();
}
