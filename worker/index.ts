/**
 * media-edge: the edge of the video pipeline on Cloudflare Workers.
 * Middleware (request log; config, the request's AWS client and CORS), the routes, and the one place errors become responses.
 */
// hono/tiny's PatternRouter (one regular expression per route, tried in order) instead of the default
// SmartRouter (RegExpRouter + TrieRouter), ~2.5 KiB less gzip on every cold isolate
// (https://hono.dev/docs/api/presets), with its answers remembered per path (RememberingRouter): a
// repeated path, like a status poll's, is one Map lookup. The route files use hono/tiny; their own
// routers are never used, app.route() copies their routes into this one.
import { HonoBase as Hono } from "hono/hono-base";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./env.ts";
import { UpstreamError } from "./aws/errors.ts";
import { ApiError, SEED_MESSAGES, apiErrorForUpstream } from "./http/errors.ts";
import { log } from "./http/log.ts";
import { applyCorsHeaders, requestPolicy } from "./http/middleware.ts";
import { SEED_JSON_CONTENT_TYPE } from "./http/media-types.ts";
import { pythonJsonDumps } from "./http/python-compat.ts";
import { RememberingRouter } from "./http/router.ts";
import { faceRoutes } from "./routes/faces.ts";
import { healthRoutes } from "./routes/health.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { keyRoutes } from "./routes/keys.ts";
import { pageRoutes } from "./routes/page.ts";
import { recordingRoutes } from "./routes/recordings.ts";
import { referenceRoutes } from "./routes/reference.ts";
import { segmentRoutes } from "./routes/segments.ts";
import { uploadRoutes } from "./routes/uploads.ts";
import { thumbnailRoutes } from "./routes/thumbnails.ts";
import { vodRoutes } from "./routes/vod.ts";

const app = new Hono<AppEnv>({ router: new RememberingRouter() });

app.use("*", requestPolicy(errorResponse));

app.route("/api/media", jobRoutes);
// HLS playback (recorder windows, VOD, segments, keys) and face-detection results.
app.route("/api/media", recordingRoutes);
// Before vodRoutes: its /vod/:jobId/* takes every other path under a job (playlists).
app.route("/api/media", thumbnailRoutes);
app.route("/api/media", vodRoutes);
app.route("/api/media", keyRoutes);
app.route("/api/media", segmentRoutes);
app.route("/api/media", faceRoutes);
// Direct browser uploads to the input bucket (presigned S3 URLs).
app.route("/api/media", uploadRoutes);
app.route("/api/media", healthRoutes);
// The API reference (openapi/document.ts), served from the static assets.
app.route("/api/media", referenceRoutes);
// The demo page (static assets); last, so no API path ever reaches it.
app.route("/", pageRoutes);

/** Anything else, including other methods on known paths, answers like the seed. */
app.notFound((c) => renderError(c, new ApiError(404, SEED_MESSAGES.noRoute)));

app.onError(errorResponse);

/** The one place errors become responses (the routes' through hono, the request policy's own directly). */
function errorResponse(error: Error, c: Context<AppEnv>): Response {
  let apiError: ApiError;
  if (error instanceof ApiError) {
    apiError = error;
  } else if (error instanceof UpstreamError) {
    apiError = apiErrorForUpstream(error);
  } else if (error instanceof HTTPException) {
    apiError = new ApiError(error.status as ApiError["status"], error.message || "Request failed.");
  } else {
    apiError = new ApiError(500, "Internal error.");
  }
  const cause = apiError.cause ?? (apiError === error ? undefined : error);
  if (apiError.status >= 500) {
    const requestId = c.get("requestId");
    // Upstream diagnostics are status and AWS error code only; other errors log their message and stack.
    log("error", apiError.message, {
      request_id: requestId,
      status: apiError.status,
      error: cause instanceof Error ? `${cause.name}: ${cause.message}` : undefined,
      stack: cause instanceof Error && !(cause instanceof UpstreamError) ? cause.stack : undefined,
    });
  }
  return renderError(c, apiError);
}

/** The JSON error response: the seed's {"success": false, "message": ...} plus details. */
function renderError(c: Context<AppEnv>, apiError: ApiError): Response {
  const requestId = c.get("requestId");
  const body = pythonJsonDumps({
    success: false,
    message: apiError.message,
    ...apiError.details,
    ...(apiError.status >= 500 ? { request_id: requestId } : {}),
  });
  const headers = new Headers({
    "content-type": SEED_JSON_CONTENT_TYPE,
    "cache-control": "no-store",
    "x-request-id": requestId,
    ...apiError.headers,
  });
  applyCorsHeaders(headers, c.get("cors"));
  return new Response(body, { status: apiError.status, headers });
}

export default app;
