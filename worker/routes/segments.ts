/**
 * Segment streaming from private buckets, so no bucket needs to be public:
 * GET /api/media/segments/recordings/[<stream>/]<YYYYMMDDTHHMMSSZ>.ts   (recorder segments)
 * GET /api/media/segments/vod/<job id>/<path in the job's output folder> (MediaConvert media)
 *
 * Range and conditional requests pass through to S3. Whole objects are kept in the edge cache
 * (they never change: recorder names are times, MediaConvert writes a job's output once), keyed
 * without the token and looked up only after the token check. A Range request is answered from
 * a cached whole object when there is one (the Cache API serves the 206), else passed to S3.
 * HEAD is answered from the cache's headers or an S3 HeadObject, without fetching the bytes.
 */
import { Hono, type Context } from "hono";
import { authorize, isValidJobId, pathSegmentsAfter } from "../auth/playback.ts";
import { jobScope, recordingScope } from "../auth/tokens.ts";
import type { Config } from "../config.ts";
import { getObject } from "../aws/s3.ts";
import type { AppEnv } from "../env.ts";
import { edgeCacheRequest } from "../http/edge-cache.ts";
import { ApiError } from "../http/errors.ts";
import { isValidStreamName, SEGMENT_NAME_PATTERN } from "../hls/recordings.ts";
import { getJobOutput, jobOutputLocation } from "../jobs/output.ts";
import { streamKeyPrefix } from "../recordings/stream.ts";

/** Media types by extension; only these are streamed (never playlists, JSON or key files). */
export const MEDIA_TYPES: Readonly<Record<string, string>> = {
  ts: "video/mp2t",
  aac: "audio/aac",
  ac3: "audio/ac3",
  ec3: "audio/eac3",
  mp3: "audio/mpeg",
  m4s: "video/iso.segment",
  mp4: "video/mp4",
  m4a: "audio/mp4",
  m4v: "video/mp4",
  cmfv: "video/mp4",
  cmfa: "audio/mp4",
  vtt: "text/vtt",
  webvtt: "text/vtt",
};

/** Edge and browser lifetime of a segment: they are immutable. */
export const SEGMENT_MAX_AGE_SECONDS = 86_400;

function mediaTypeOf(name: string): string | undefined {
  const extension = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : MEDIA_TYPES[extension];
}

/** Where an object is, resolved only on a cache miss (it may need a DynamoDB read). */
type Locate = () => Promise<{ bucket: string; key: string } | undefined>;

/**
 * Streams an object: edge cache first (whole objects), else S3 with Range and conditional
 * headers passed through; a 200 is teed into the cache while it streams to the client.
 */
export async function serveObject(
  c: Context<AppEnv>,
  options: { cacheKey: string; contentType: string; cacheControl: string; locate: Locate; notFound?: string },
): Promise<Response> {
  const cache = caches.default;
  const lookup = edgeCacheRequest(options.cacheKey, { headers: c.req.raw.headers });
  // Hono answers HEAD with the GET handler's headers and no body: ask for no bytes either (an
  // unread GET body would still have been fetched from S3 or the cache).
  const head = c.req.method === "HEAD";
  const cached = await cache.match(lookup);
  if (cached) {
    c.set("cacheStatus", "hit");
    if (head) await cached.body?.cancel();
    const response = new Response(head ? null : cached.body, cached);
    response.headers.set("cache-control", options.cacheControl);
    return response;
  }
  c.set("cacheStatus", "miss");
  const location = await options.locate();
  if (location === undefined) throw new ApiError(404, options.notFound ?? "Segment not found.");
  const object = await getObject(c.var.aws, {
    ...location,
    headers: c.req.raw.headers,
    method: head ? "HEAD" : "GET",
  });
  if (object === undefined) throw new ApiError(404, options.notFound ?? "Segment not found.");
  const headers = object.headers;
  headers.set("content-type", options.contentType);
  headers.set("cache-control", options.cacheControl);
  headers.set("accept-ranges", "bytes");
  let body = object.body;
  if (object.status === 200 && body !== null && c.req.method === "GET") {
    const [toClient, toCache] = body.tee();
    body = toClient;
    const stored = new Response(toCache, { status: 200, headers: new Headers(headers) });
    stored.headers.set("cache-control", `public, max-age=${SEGMENT_MAX_AGE_SECONDS}`);
    c.executionCtx.waitUntil(cache.put(edgeCacheRequest(options.cacheKey), stored).catch(() => undefined));
  }
  return new Response(body, { status: object.status, headers });
}

export function segmentCacheControl(config: Config): string {
  // Signed playback: shared caches must not hand a segment to someone without a token.
  return config.playback.policy === "signed"
    ? `private, max-age=${SEGMENT_MAX_AGE_SECONDS}`
    : `public, max-age=${SEGMENT_MAX_AGE_SECONDS}, immutable`;
}

export const segmentRoutes = new Hono<AppEnv>()
  .get("/segments/recordings/*", async (c) => {
    const parts = pathSegmentsAfter(c, "/api/media/segments/recordings/");
    const name = parts?.at(-1);
    const stream = parts?.slice(0, -1).join("/") ?? "";
    if (
      parts === undefined ||
      name === undefined ||
      !SEGMENT_NAME_PATTERN.test(name) ||
      (stream !== "" && !isValidStreamName(stream))
    ) {
      throw new ApiError(400, "Invalid segment path.");
    }
    const config = c.get("config");
    if (config.playback.policy === "signed") await authorize(c, recordingScope(stream), ["media", "play"]);
    const key = streamKeyPrefix(config, stream) + name;
    return serveObject(c, {
      cacheKey: `s3/${encodeURIComponent(config.buckets.recordings)}/${encodeURIComponent(key)}`,
      contentType: MEDIA_TYPES.ts!,
      cacheControl: segmentCacheControl(config),
      locate: async () => ({ bucket: config.buckets.recordings, key }),
    });
  })
  .get("/segments/vod/:jobId/*", async (c) => {
    const jobId = c.req.param("jobId");
    if (!isValidJobId(jobId)) throw new ApiError(400, "Invalid job id.");
    const parts = pathSegmentsAfter(c, `/api/media/segments/vod/${encodeURIComponent(jobId)}/`);
    const relative = parts?.join("/");
    const contentType = relative === undefined ? undefined : mediaTypeOf(relative);
    if (relative === undefined || contentType === undefined) throw new ApiError(400, "Invalid segment path.");
    const config = c.get("config");
    if (config.playback.policy === "signed") await authorize(c, jobScope(jobId), ["media", "play"]);
    return serveObject(c, {
      cacheKey: `vod/${encodeURIComponent(jobId)}/${encodeURIComponent(relative)}`,
      contentType,
      cacheControl: segmentCacheControl(config),
      locate: async () => {
        const output = await getJobOutput(c.var.aws, config.tables.jobIdToOutput, jobId);
        if (output === undefined) return undefined;
        const location = jobOutputLocation(config, output);
        return { bucket: location.bucket, key: `${location.outputPath}${relative}` };
      },
    });
  });
