/**
 * The stills of a finished MediaConvert job (its JPEG frame captures, model/captures.ts):
 * GET /api/media/vod/<job id>/thumbnail.jpg[?time=<s>][&width=<px>]  the capture nearest `time`
 * GET /api/media/vod/<job id>/poster.jpg[?width=<px>]                  the capture at the middle
 * GET /api/media/vod/<job id>/storyboard.vtt[?width=<px>]              WebVTT thumbnails track
 *
 * Same playback policy as the playlists; in `signed` mode a `play` or `thumbnail` token of the job
 * (worker/auth/tokens.ts), checked before any read. Images are the generated files, never resized,
 * streamed and edge-cached like segments (serveObject). The choice and the VTT are pure
 * (worker/thumbnails/); this module parses, calls and responds.
 */
import { Hono, type Context } from "hono";
import { authorize, embeddedToken, isValidJobId, requestOrigin } from "../auth/playback.ts";
import { jobScope } from "../auth/tokens.ts";
import { encodeRfc3986 } from "../aws/s3-url.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../http/errors.ts";
import { jobCaptures, type JobCaptures } from "../jobs/captures.ts";
import { nearestCapture, posterCapture, storyboardCaptures, type CaptureChoice } from "../thumbnails/select.ts";
import { storyboardCues, storyboardVtt } from "../thumbnails/storyboard.ts";
import { segmentCacheControl, serveObject } from "./segments.ts";

/** RFC 2046 / W3C WebVTT media types. */
const JPEG_CONTENT_TYPE = "image/jpeg";
const VTT_CONTENT_TYPE = "text/vtt; charset=utf-8";

/** `time`: seconds from the start, non-negative, decimals allowed; undefined when not given. */
export function parseTimeParameter(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^\d{1,9}(\.\d{1,6})?$/.test(value)) {
    throw new ApiError(400, "Parameter time must be a non-negative number of seconds from the start of the video.");
  }
  return Number(value);
}

/** `width`: whole pixels, 1-99999; undefined when not given. */
export function parseWidthParameter(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^\d{1,5}$/.test(value) || Number(value) === 0) {
    throw new ApiError(400, "Parameter width must be a whole number of pixels.");
  }
  return Number(value);
}

/** The job id after validation, authorised (signed mode) before anything is read. */
async function authorizedJob(c: Context<AppEnv>): Promise<string> {
  const jobId = c.req.param("jobId") ?? "";
  if (!isValidJobId(jobId)) throw new ApiError(400, "Invalid job id.");
  if (c.get("config").playback.policy === "signed") await authorize(c, jobScope(jobId), ["play", "thumbnail"]);
  return jobId;
}

/** Streams one capture of the job, edge-cached under the same key the segment route would use. */
function serveCapture(c: Context<AppEnv>, jobId: string, job: JobCaptures, capture: CaptureChoice) {
  return serveObject(c, {
    cacheKey: `vod/${encodeURIComponent(jobId)}/${encodeURIComponent(capture.path)}`,
    contentType: JPEG_CONTENT_TYPE,
    cacheControl: segmentCacheControl(c.get("config")),
    locate: async () => ({ bucket: job.location.bucket, key: `${job.location.outputPath}${capture.path}` }),
    notFound: "Thumbnail not found.",
  });
}

export const thumbnailRoutes = new Hono<AppEnv>()
  .get("/vod/:jobId/thumbnail.jpg", async (c) => {
    const time = parseTimeParameter(c.req.query("time"));
    const width = parseWidthParameter(c.req.query("width"));
    const jobId = await authorizedJob(c);
    const job = await jobCaptures(c, jobId);
    const capture = time === undefined ? posterCapture(job.captures, width) : nearestCapture(job.captures, time, width);
    return serveCapture(c, jobId, job, capture);
  })
  .get("/vod/:jobId/poster.jpg", async (c) => {
    const width = parseWidthParameter(c.req.query("width"));
    const jobId = await authorizedJob(c);
    const job = await jobCaptures(c, jobId);
    return serveCapture(c, jobId, job, posterCapture(job.captures, width));
  })
  .get("/vod/:jobId/storyboard.vtt", async (c) => {
    const width = parseWidthParameter(c.req.query("width"));
    const jobId = await authorizedJob(c);
    const job = await jobCaptures(c, jobId);
    const config = c.get("config");
    const images = storyboardCaptures(job.captures, width);
    // Image tokens outlive watching the whole video once, like a playlist's segment tokens.
    const token =
      config.playback.policy === "signed"
        ? await embeddedToken(
            config,
            jobScope(jobId),
            "thumbnail",
            config.playback.keyTokenTtlSeconds + (job.durationSeconds ?? 0),
          )
        : undefined;
    const base = `${requestOrigin(c)}/api/media/vod/${encodeRfc3986(jobId)}/thumbnail.jpg`;
    const tokenQuery = token === undefined ? "" : `&token=${token}`;
    const cues = storyboardCues(
      images.map((image) => ({
        timeSeconds: image.timeSeconds,
        url: `${base}?time=${image.timeSeconds}&width=${image.width}${tokenQuery}`,
      })),
      job.captures.interval_seconds,
      job.durationSeconds,
    );
    // Embeds expiring tokens in signed mode: browsers may keep it briefly, shared caches never.
    const maxAge = Math.min(60, Math.floor(config.playback.keyTokenTtlSeconds / 4));
    return c.body(storyboardVtt(cues), 200, {
      "content-type": VTT_CONTENT_TYPE,
      "cache-control": `private, max-age=${maxAge}`,
    });
  });
