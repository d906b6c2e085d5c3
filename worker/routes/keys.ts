/**
 * GET /api/media/keys/<job id>?token=...   (or Authorization: Bearer ...)
 *
 * The job's AES-128 content key as the 16 raw bytes HLS expects (RFC 8216 §5.2), only for a
 * token scoped to that job. The token is checked before anything is read, the key is never
 * cached (no edge cache, `Cache-Control: private, no-store`) and never logged; failures carry
 * JSON only, no key bytes.
 */
import { Hono } from "hono/tiny";
import { authorize, isValidJobId } from "../auth/playback.ts";
import { jobScope } from "../auth/tokens.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../http/errors.ts";
import { log } from "../http/log.ts";
import { getJobOutput } from "../jobs/output.ts";

/** 32 hexadecimal digits -> 16 bytes, or undefined. */
export function keyBytes(hex: unknown): Uint8Array<ArrayBuffer> | undefined {
  if (typeof hex !== "string" || !/^[0-9a-fA-F]{32}$/.test(hex)) return undefined;
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

export const keyRoutes = new Hono<AppEnv>().get("/keys/:jobId", async (c) => {
  const jobId = c.req.param("jobId");
  if (!isValidJobId(jobId)) throw new ApiError(400, "Invalid job id.");
  // Before any read: a request without a valid token for this job learns nothing, not even
  // whether the job exists.
  await authorize(c, jobScope(jobId), ["key", "play"]);

  const output = await getJobOutput(c.get("aws"), c.get("config").tables.jobIdToOutput, jobId);
  if (output === undefined) throw new ApiError(404, "Not found item.", { details: { job_id: jobId } });
  const key = keyBytes(output.KeyValue);
  if (key === undefined) {
    // The value itself is never logged, only that it is unusable.
    log("error", "keys: KeyValue is not 32 hex digits", { request_id: c.get("requestId"), job_id: jobId });
    throw new ApiError(500, "Key is unavailable.");
  }
  return c.body(key, 200, {
    "content-type": "application/octet-stream",
    "content-length": "16",
    "cache-control": "private, no-store",
  });
});
