/**
 * Helpers for the HLS Worker tests: archive generation and token minting with the test secret.
 * Writes to the local S3 server are in support/s3.ts.
 */
import { mintToken, type TokenPurpose } from "../../worker/auth/tokens.ts";
import { formatSegmentName } from "../../worker/hls/recordings.ts";
import { bindings } from "./support/request.ts";

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
