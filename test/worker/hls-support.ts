/**
 * Helpers for the HLS Worker tests: writes to the local S3 server from inside workerd (the
 * Worker only reads), archive generation, and token minting with the test secret.
 */
import { AwsClient } from "aws4fetch";
import { env } from "cloudflare:workers";
import { mintToken, type TokenPurpose } from "../../worker/auth/tokens.ts";
import { encodeS3Key } from "../../worker/aws/s3-url.ts";
import { formatSegmentName } from "../../worker/hls/recordings.ts";

const bindings = env as unknown as Record<string, string>;

const s3 = new AwsClient({
  accessKeyId: "S3RVER",
  secretAccessKey: "S3RVER",
  region: "us-east-1",
  service: "s3",
  retries: 0,
});

/** PUT one object (path-style, as s3rver wants). */
export async function putObject(bucket: string, key: string, body: string | Uint8Array): Promise<void> {
  const response = await s3.fetch(`${bindings.S3_ENDPOINT}/${bucket}/${encodeS3Key(key)}`, {
    method: "PUT",
    body,
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`PUT ${key}: HTTP ${response.status}`);
}

/** PUTs many objects, six at a time (the Workers runtime's outgoing connection limit). */
export async function putObjects(
  bucket: string,
  objects: Array<{ key: string; body: string | Uint8Array }>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < objects.length) {
      const object = objects[next++]!;
      await putObject(bucket, object.key, object.body);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
}

/** A fake segment body that names its key (so tests can check which object was served). */
export function segmentBody(key: string): string {
  return `SEGMENT ${key}\n`;
}

/** Recorder segment objects for start times under a key prefix ending in "/". */
export function recorderSegments(prefix: string, starts: number[]): Array<{ key: string; body: string }> {
  return starts.map((start) => {
    const key = `${prefix}${formatSegmentName(start)}`;
    return { key, body: segmentBody(key) };
  });
}

/** A token signed with the test Worker's TOKEN_SECRET. */
export function testToken(
  scope: string,
  purpose: TokenPurpose,
  ttlSeconds = 600,
  nowSeconds?: number,
): Promise<string> {
  return mintToken(bindings.TOKEN_SECRET!, { scope, purpose, ttlSeconds, nowSeconds });
}

/** Replaces every `token=<jwt>` with `token=TOKEN` so playlists compare with golden files. */
export function withoutTokens(text: string): string {
  return text.replace(/token=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, "token=TOKEN");
}

/** The value of `token=` in the first URI of a playlist line that matches. */
export function tokenIn(text: string, pattern: RegExp): string | undefined {
  const line = text.split("\n").find((l) => pattern.test(l));
  return line === undefined ? undefined : /token=([A-Za-z0-9_.-]+)/.exec(line)?.[1];
}
