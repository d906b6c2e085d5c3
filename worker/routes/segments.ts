/**
 * Segment streaming from private buckets, so no bucket needs to be public:
 * GET /api/media/segments/recordings/[<stream>/]<YYYYMMDDTHHMMSSZ>.ts   (recorder segments)
 * GET /api/media/segments/vod/<job id>/<path in the job's output folder> (MediaConvert media)
 *
 *
 * Streaming, Range, conditional requests and the edge cache: worker/http/serve-object.ts.
 */
import { Hono } from "hono/tiny";
import { authorize, isValidJobId, pathSegmentsAfter } from "../auth/playback.ts";
import { jobScope, recordingScope } from "../auth/tokens.ts";
import { ApiError } from "../http/errors.ts";
import type { AppEnv } from "../env.ts";
import { MEDIA_TYPES, mediaTypeOf, segmentCacheControl, serveObject } from "../http/serve-object.ts";
import { isValidStreamName, SEGMENT_NAME_PATTERN } from "../hls/recordings.ts";
import { getJobOutput, jobOutputLocation } from "../jobs/output.ts";
import { streamKeyPrefix } from "../recordings/stream.ts";

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
        const output = await getJobOutput(c.get("aws"), config.tables.jobIdToOutput, jobId);
        if (output === undefined) return undefined;
        const location = jobOutputLocation(config, output);
        return { bucket: location.bucket, key: `${location.outputPath}${relative}` };
      },
    });
  });
