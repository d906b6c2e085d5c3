/**
 * GET /api/media/recordings/playlist.m3u8?start=...&end=...[&stream=...][&token=...]
 *
 * A playlist for a time window of a recorder's archive (seed 001's Lambda, at the edge). The
 * archive is listed from the window's start (ListObjectsV2 start-after) and the listing stops at
 * its end, so the work depends on the window, never on the archive's size.
 */
import { Hono } from "hono/tiny";
import type { Context } from "hono";
import { authorize, embeddedToken, requestOrigin } from "../auth/playback.ts";
import { recordingScope } from "../auth/tokens.ts";
import type { AwsEdgeClient } from "../aws/client.ts";
import type { Config } from "../config.ts";
import { encodeS3Key } from "../aws/s3-url.ts";
import type { AppEnv } from "../env.ts";
import { edgeCacheText } from "../http/edge-cache.ts";
import { ApiError } from "../http/errors.ts";
import { PLAYLIST_CONTENT_TYPE } from "../http/media-types.ts";
import { listWindow, windowArchive, type ArchiveSource } from "../recordings/archive.ts";
import { streamKeyPrefix } from "../recordings/stream.ts";
import { serializeWindowPlaylist } from "../hls/window-playlist.ts";
import {
  isValidStreamName,
  isWindowProblem,
  joinAtBoundary,
  liveHeadBoundary,
  parseSegmentNameAt,
  placeSegments,
  resolveWindow,
  type ArchivedSegment,
  windowTargetDuration,
  type RecordingWindow,
} from "../hls/recordings.ts";

/** Browser/CDN lifetime of a settled (VOD) window playlist. */
export const SETTLED_MAX_AGE_SECONDS = 86_400;

/** Where the stream's archive is, for worker/recordings/archive.ts. */
function archiveSource(
  aws: AwsEdgeClient,
  config: Config,
  stream: string,
  nowSeconds: number,
  requestId?: string,
): ArchiveSource {
  return {
    nowSeconds,
    aws,
    bucket: config.buckets.recordings,
    prefix: streamKeyPrefix(config, stream),
    segmentSeconds: config.recordings.segmentSeconds,
    useIndex: config.recordings.index,
    requestId,
  };
}

/**
 * The window's segments from S3 as one listing holds them: listed from start-after, stopped at
 * the end, in parallel slices for long windows (worker/recordings/archive.ts).
 */
export function listWindowSegments(
  aws: AwsEdgeClient,
  config: Config,
  stream: string,
  window: { start: number; end: number },
  requestId?: string,
): Promise<ArchivedSegment[]> {
  return listWindow(archiveSource(aws, config, stream, Date.now() / 1000, requestId), window);
}

/** Edge lifetime of a settled listing. */
const SETTLED_LISTING_CACHE_SECONDS = 3600;

/**
 * Settled windows never change: their listing is kept in the edge cache, as the segment names
 * one per line (the keys are the stream's prefix + name, the start times follow from the names):
 * several times cheaper to write and read than JSON objects, on the request's own CPU time.
 * Returns the segments and whether they came from the cache.
 */
async function settledListing(
  c: Context<AppEnv>,
  stream: string,
  window: { start: number; end: number },
  read: { nowSeconds: number; lookAhead: boolean },
): Promise<{ segments: ArchivedSegment[]; cached: boolean }> {
  const config = c.get("config");
  const prefix = streamKeyPrefix(config, stream);
  const path = `recordings/v3/${encodeURIComponent(config.buckets.recordings)}/${encodeURIComponent(
    prefix,
  )}/${window.start}-${window.end}-${config.recordings.segmentSeconds}${read.lookAhead ? "" : "-head"}`;
  // On a miss the listed segments are returned as they are, not parsed back from the names.
  let listed: ArchivedSegment[] = [];
  const { text, hit } = await edgeCacheText(c, path, SETTLED_LISTING_CACHE_SECONDS, async () => {
    const source = archiveSource(c.get("aws"), config, stream, read.nowSeconds, c.get("requestId"));
    listed = await windowArchive(source, window, read.nowSeconds, read.lookAhead);
    // One join of the names: a flat string, which the cache's Response encodes without first
    // flattening thousands of concatenated pieces.
    const names = new Array<string>(listed.length);
    for (let i = 0; i < listed.length; i++) names[i] = listed[i]!.key.slice(prefix.length);
    return names.join("\n");
  });
  if (!hit) return { segments: listed, cached: false };
  const segments: ArchivedSegment[] = [];
  for (const name of text.split("\n")) {
    const key = prefix + name;
    const start = parseSegmentNameAt(key, prefix.length);
    if (start !== undefined) segments.push({ key, start });
  }
  return { segments, cached: true };
}

/**
 * The window's segments. A settled window is one cached listing; with the index on
 * (RECORDINGS_INDEX=on) it is read from the index instead, which is already a cache of settled
 * hours that every window shares: a week is one round of Range GETs, while the edge copy of one
 * window's listing (up to 20,000 names, ~450 KB) cost every miss a join and a put and served only
 * that exact window (measured: a 7-day window's CPU in workerd ~2 ms less, `npm run bench -- hls`).
 * A live window is listed fresh, except for its settled whole hours (liveHeadBoundary): those are
 * a cached listing like a settled window's, joined to a fresh listing of the rest, so a reload
 * lists about an hour at most (one S3 call) however long the window is (its players reload it
 * every few seconds, so its head stays cached with the index on too). Sets cacheStatus for the
 * access log ("index" for a settled window read from the index).
 */
async function windowSegments(
  c: Context<AppEnv>,
  stream: string,
  window: RecordingWindow,
  nowSeconds: number,
): Promise<ArchivedSegment[]> {
  const config = c.get("config");
  if (window.settled && config.recordings.index) {
    c.set("cacheStatus", "index");
    const source = archiveSource(c.get("aws"), config, stream, nowSeconds, c.get("requestId"));
    return windowArchive(source, window, nowSeconds);
  }
  if (window.settled) {
    const { segments, cached } = await settledListing(c, stream, window, { nowSeconds, lookAhead: true });
    c.set("cacheStatus", cached ? "hit" : "miss");
    return segments;
  }
  const boundary = liveHeadBoundary(window, nowSeconds, config.recordings.segmentSeconds);
  if (boundary === undefined) {
    c.set("cacheStatus", "live");
    return listWindowSegments(c.get("aws"), config, stream, window, c.get("requestId"));
  }
  const [head, tail] = await Promise.all([
    // The head needs no look-ahead: the tail holds the segments from the boundary on.
    settledListing(c, stream, { start: window.start, end: boundary }, { nowSeconds, lookAhead: false }),
    listWindowSegments(c.get("aws"), config, stream, { start: boundary, end: window.end }, c.get("requestId")),
  ]);
  c.set("cacheStatus", head.cached ? "live-head-hit" : "live-head-miss");
  return joinAtBoundary(head.segments, tail, boundary);
}

export const recordingRoutes = new Hono<AppEnv>().get("/recordings/playlist.m3u8", async (c) => {
  const config = c.get("config");
  const stream = c.req.query("stream") ?? "";
  if (stream !== "" && !isValidStreamName(stream)) {
    throw new ApiError(400, "Invalid parameter stream.", {
      details: { reason: "letters, digits, '.', '_' and '-' in '/'-separated parts; no '.' or '..' parts" },
    });
  }
  const nowSeconds = Date.now() / 1000;
  const window = resolveWindow({ start: c.req.query("start"), end: c.req.query("end") }, nowSeconds, config.recordings);
  if (isWindowProblem(window)) throw new ApiError(400, window.message);

  const signed = config.playback.policy === "signed";
  if (signed) await authorize(c, recordingScope(stream), ["play"]);

  const segmentSeconds = config.recordings.segmentSeconds;
  const placed = placeSegments(await windowSegments(c, stream, window, nowSeconds), window, segmentSeconds);
  if (placed.length === 0) {
    throw new ApiError(404, "No recordings in this window.", {
      details: { start: new Date(window.start * 1000).toISOString(), end: new Date(window.end * 1000).toISOString() },
    });
  }

  // Signed playback: segment URIs carry a media token that outlives the playlist's duration.
  const mediaToken = signed
    ? await embeddedToken(
        config,
        recordingScope(stream),
        "media",
        config.playback.keyTokenTtlSeconds + (window.end - window.start),
      )
    : undefined;
  // Keys are percent-encoded per path segment, so a key can never break a playlist line (§4.1).
  // Every key of the window is the stream's prefix + a segment name, and names are RFC 3986
  // unreserved characters only ([0-9TZ.ts]): the prefix is encoded once and names are appended.
  const streamPrefix = streamKeyPrefix(config, stream);
  let uriBase: string;
  let uriSuffix = "";
  if (config.segmentBaseUrl !== undefined) {
    uriBase = `${config.segmentBaseUrl}/${encodeS3Key(streamPrefix)}`;
  } else {
    // The segment route addresses `[<stream>/]<name>` below RECORDINGS_PREFIX.
    const rootPrefix = streamKeyPrefix(config, "");
    uriBase = `${requestOrigin(c)}/api/media/segments/recordings/${encodeS3Key(streamPrefix.slice(rootPrefix.length))}`;
    if (mediaToken !== undefined) uriSuffix = `?token=${mediaToken}`;
  }
  const body = serializeWindowPlaylist(placed, window, segmentSeconds, {
    base: uriBase,
    nameOffset: streamPrefix.length,
    suffix: uriSuffix,
  });

  // Live: clients reload after half the target duration when nothing changed (§6.3.4), so no
  // cache may hold the playlist longer than that. Settled: the window is final.
  const halfTarget = Math.max(1, Math.floor(windowTargetDuration(placed, segmentSeconds) / 2));
  const cacheControl = window.settled
    ? signed
      ? "private, max-age=60"
      : `public, max-age=${SETTLED_MAX_AGE_SECONDS}`
    : `${signed ? "private" : "public"}, max-age=${halfTarget}`;
  return c.body(body, 200, { "content-type": PLAYLIST_CONTENT_TYPE, "cache-control": cacheControl });
});
