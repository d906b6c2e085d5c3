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
import { Hono } from "hono/tiny";
import type { Context } from "hono";
import { authorize, embeddedToken, embeddedTokenStep, isValidJobId, requestOrigin } from "../auth/playback.ts";
import { jobScope } from "../auth/tokens.ts";
import { encodeRfc3986 } from "../aws/s3-url.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../http/errors.ts";
import { jobCaptures, type JobCaptures } from "../jobs/captures.ts";
import { nearestCapture, posterCapture, storyboardCaptures, type CaptureChoice } from "../thumbnails/select.ts";
import { storyboardCues, storyboardVtt } from "../thumbnails/storyboard.ts";
import { segmentCacheControl, serveObject } from "../http/serve-object.ts";

/**
 * A numeric query parameter: `time` non-negative seconds (decimals allowed), `width` whole pixels
 * (1-99999); undefined when absent or empty.
 */
export function numberParameter(c: Context<AppEnv>, name: "time" | "width"): number | undefined {
  const value = c.req.query(name);
  if (!value) return undefined;
  if (name === "time" ? !/^\d{1,9}(\.\d{1,6})?$/.test(value) : !/^0*[1-9]\d{0,4}$/.test(value)) {
    throw new ApiError(
      400,
      name === "time"
        ? "Parameter time must be a non-negative number of seconds from the start of the video."
        : "Parameter width must be a whole number of pixels.",
    );
  }
  return Number(value);
}

/**
 * Parses `width` (and `time`), checks the token (signed mode) before anything is read, then reads
 * the job's captures.
 */
async function stillRequest(c: Context<AppEnv>) {
  const time = numberParameter(c, "time");
  const width = numberParameter(c, "width");
  const jobId = c.req.param("jobId") ?? "";
  if (!isValidJobId(jobId)) throw new ApiError(400, "Invalid job id.");
  if (c.get("config").playback.policy === "signed") await authorize(c, jobScope(jobId), ["play", "thumbnail"]);
  return { time, width, jobId, job: await jobCaptures(c, jobId) };
}

/** Streams one capture of the job, edge-cached under the same key the segment route would use. */
function serveCapture(c: Context<AppEnv>, jobId: string, job: JobCaptures, capture: CaptureChoice) {
  return serveObject(c, {
    cacheKey: `vod/${encodeURIComponent(jobId)}/${encodeURIComponent(capture.path)}`,
    contentType: "image/jpeg",
    cacheControl: segmentCacheControl(c.get("config")),
    locate: async () => ({ bucket: job.location.bucket, key: `${job.location.outputPath}${capture.path}` }),
    notFound: "Thumbnail not found.",
  });
}

export const thumbnailRoutes = new Hono<AppEnv>()
  .get("/vod/:jobId/thumbnail.jpg", async (c) => {
    const { time, width, jobId, job } = await stillRequest(c);
    const capture = time === undefined ? posterCapture(job.captures, width) : nearestCapture(job.captures, time, width);
    return serveCapture(c, jobId, job, capture);
  })
  .get("/vod/:jobId/poster.jpg", async (c) => {
    const { width, jobId, job } = await stillRequest(c);
    return serveCapture(c, jobId, job, posterCapture(job.captures, width));
  })
  .get("/vod/:jobId/storyboard.vtt", async (c) => {
    const { width, jobId, job } = await stillRequest(c);
    const config = c.get("config");
    // Image tokens outlive watching the whole video once, like a playlist's segment tokens.
    const token =
      config.playback.policy === "signed"
        ? `&token=${await embeddedToken(config, jobScope(jobId), "thumbnail", config.playback.keyTokenTtlSeconds + (job.durationSeconds ?? 0))}`
        : "";
    const base = `${requestOrigin(c)}/api/media/vod/${encodeRfc3986(jobId)}/thumbnail.jpg`;
    const images = storyboardCaptures(job.captures, width).map((image) => ({
      timeSeconds: image.timeSeconds,
      url: `${base}?time=${image.timeSeconds}&width=${image.width}${token}`,
    }));
    const vtt = storyboardVtt(storyboardCues(images, job.captures.interval_seconds, job.durationSeconds));
    // Embeds expiring tokens in signed mode: browsers may keep it briefly, shared caches never.
    const maxAge = embeddedTokenStep(config);
    return c.body(vtt, 200, {
      "content-type": "text/vtt; charset=utf-8",
      "cache-control": `private, max-age=${maxAge}`,
    });
  });
