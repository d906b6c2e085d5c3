/**
 * GET /api/media/vod/<job id>/<playlist>.m3u8[?start=&end=][&token=]
 *
 * The master and rendition playlists of a COMPLETE MediaConvert job, read from the output
 * bucket (worker/hls/source-playlist.ts), rewritten and written again by the strict serializer:
 * - variant/rendition URIs -> this route (carrying start/end and, in `signed` mode, the token);
 * - segment URIs -> the segment route (or VOD_SEGMENT_BASE_URL);
 * - every EXT-X-KEY URI -> the key route with a fresh short-lived key token.
 * `start`/`end` (seconds) clip renditions to whole segments, keeping the original media sequence
 * numbers so implicit IVs stay right (RFC 8216 §5.2; see worker/hls/vod.ts).
 */
import { Hono } from "hono/tiny";
import type { Context } from "hono";
import { INFO_FILE } from "../../model/index.ts";
import {
  authorize,
  embeddedToken,
  embeddedTokenStep,
  isValidJobId,
  pathSegmentsAfter,
  requestOrigin,
  requestToken,
} from "../auth/playback.ts";
import { jobScope } from "../auth/tokens.ts";
import type { Config } from "../config.ts";
import { encodeRfc3986, encodeS3Key } from "../aws/s3-url.ts";
import { getObject, getObjectText } from "../aws/s3.ts";
import { getRow } from "../aws/targets.ts";
import type { AppEnv } from "../env.ts";
import { edgeCachedText } from "../http/edge-cache.ts";
import { ApiError } from "../http/errors.ts";
import { log } from "../http/log.ts";
import { PLAYLIST_CONTENT_TYPE } from "../http/media-types.ts";
import { getJobOutput, jobOutputLocation, type JobOutputLocation } from "../jobs/output.ts";
import { serializeMasterPlaylist, serializeMediaPlaylist, PlaylistError } from "../hls/playlist.ts";
import {
  clipSegments,
  isAbsoluteUri,
  outputMasterPlaylist,
  outputMediaPlaylist,
  parseSourcePlaylist,
  resolveOutputPath,
  SourcePlaylistError,
  totalDuration,
  type ClipRange,
  type SourceMediaPlaylist,
} from "../hls/vod.ts";

/** Edge lifetime of a COMPLETE job's source playlist text (MediaConvert never rewrites it). */
const SOURCE_PLAYLIST_CACHE_SECONDS = 86_400;

/** Parses `start`/`end` (non-negative seconds, decimals allowed). */
export function parseClipRange(start: string | undefined, end: string | undefined): ClipRange {
  const parse = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined || value === "") return undefined;
    if (!/^\d{1,9}(\.\d{1,6})?$/.test(value)) {
      throw new ApiError(400, `Parameter ${name} must be a number of seconds from the start of the video.`);
    }
    return Number(value);
  };
  const range = { start: parse("start", start), end: parse("end", end) };
  if (range.start !== undefined && range.end !== undefined && range.end <= range.start) {
    throw new ApiError(400, "Parameter end must be after start.");
  }
  return range;
}

/**
 * The job's output location, or the 404/409 a playlist request answers. Reads the status row
 * and the output row in parallel. The status row has a TTL (one day by default) and the output
 * row has none, so when only the output row is left the job's info.json - which the job-state
 * Lambda writes at COMPLETE only - tells a finished job from one that never finished.
 */
async function completeJobOutput(c: Context<AppEnv>, jobId: string): Promise<JobOutputLocation> {
  const { aws, config } = c.var;
  const [status, output] = await Promise.all([
    getRow(aws, "jobIdToStatus", config.tables.jobIdToStatus, jobId),
    getJobOutput(aws, config.tables.jobIdToOutput, jobId),
  ]);
  const jobStatus = status?.JobStatus;
  const location = output === undefined ? undefined : jobOutputLocation(config, output);
  if (location === undefined) {
    throw new ApiError(404, "Not found item.", { details: { job_id: jobId, status: jobStatus ?? null } });
  }
  if (jobStatus === "COMPLETE") return location;
  if (jobStatus !== undefined) {
    throw new ApiError(409, "Job is not complete.", {
      details: {
        job_id: jobId,
        status: jobStatus,
        ...(typeof status?.ProgressRate === "number" ? { progress: status.ProgressRate } : {}),
      },
    });
  }
  const info = await getObject(aws, {
    bucket: location.bucket,
    key: `${location.outputPath}${INFO_FILE}`,
    method: "HEAD",
  });
  if (info === undefined) throw new ApiError(404, "Not found item.", { details: { job_id: jobId, status: null } });
  return location;
}

/** A source playlist's text; cached at the edge (only ever read for COMPLETE jobs). */
function sourcePlaylist(c: Context<AppEnv>, location: JobOutputLocation, path: string): Promise<string> {
  const key = `${location.outputPath}${path}`;
  const cachePath = `s3/${encodeURIComponent(location.bucket)}/${encodeURIComponent(key)}`;
  return edgeCachedText(c, cachePath, SOURCE_PLAYLIST_CACHE_SECONDS, async () => {
    const text = await getObjectText(c.get("aws"), { bucket: location.bucket, key });
    if (text === undefined) throw new ApiError(404, "Playlist not found.");
    return text;
  });
}

/** `?name=value&...` of the defined parameters (values percent-encoded), or "" when there are none. */
function queryString(query: Record<string, string | undefined>): string {
  const entries = Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined);
  if (entries.length === 0) return "";
  return `?${entries.map(([name, value]) => `${name}=${encodeRfc3986(value)}`).join("&")}`;
}

export const vodRoutes = new Hono<AppEnv>().get("/vod/:jobId/*", async (c) => {
  const jobId = c.req.param("jobId");
  if (!isValidJobId(jobId)) throw new ApiError(400, "Invalid job id.");
  const parts = pathSegmentsAfter(c, `/api/media/vod/${encodeURIComponent(jobId)}/`);
  const playlistPath = parts?.join("/");
  if (playlistPath === undefined || !playlistPath.endsWith(".m3u8")) {
    throw new ApiError(400, "Invalid playlist path.", {
      details: { reason: "expected <playlist>.m3u8 in the job's output" },
    });
  }
  const startParameter = c.req.query("start");
  const endParameter = c.req.query("end");
  const clip = parseClipRange(startParameter, endParameter);

  const config = c.get("config");
  const signed = config.playback.policy === "signed";
  if (signed) await authorize(c, jobScope(jobId), ["play"]);

  const location = await completeJobOutput(c, jobId);
  const text = await sourcePlaylist(c, location, playlistPath);
  let source;
  try {
    source = parseSourcePlaylist(text);
  } catch (error) {
    if (!(error instanceof SourcePlaylistError)) throw error;
    log("error", "vod: source playlist unusable", {
      request_id: c.get("requestId"),
      job_id: jobId,
      problem: error.message,
    });
    throw new ApiError(502, "Source playlist cannot be served.");
  }

  const origin = requestOrigin(c);
  const jobPath = encodeRfc3986(jobId);
  const outputPathOf = (uri: string): string => {
    const path = resolveOutputPath(playlistPath, uri);
    if (path === undefined)
      throw new SourcePlaylistError(`URI outside the job's output folder: ${JSON.stringify(uri)}`);
    return path;
  };

  let body: string;
  try {
    if (source.kind === "master") {
      // Variant playlists carry the clip and, when signed, the caller's playback token on.
      // The same query on every variant: built once per playlist.
      const query = queryString({
        start: clip.start === undefined ? undefined : startParameter,
        end: clip.end === undefined ? undefined : endParameter,
        token: signed ? requestToken(c) : undefined,
      });
      const playlist = outputMasterPlaylist(
        source.playlist,
        (uri) => `${origin}/api/media/vod/${jobPath}/${encodeS3Key(outputPathOf(uri))}${query}`,
      );
      body = serializeMasterPlaylist(playlist);
    } else {
      body = serializeMediaPlaylist(
        await renditionPlaylist(config, source, clip, {
          jobId,
          jobPath,
          origin,
          outputPathOf,
          outputPath: location.outputPath,
        }),
      );
    }
  } catch (error) {
    if (!(error instanceof SourcePlaylistError) && !(error instanceof PlaylistError)) throw error;
    log("error", "vod: source playlist cannot be rewritten", {
      request_id: c.get("requestId"),
      job_id: jobId,
      problem: error.message,
    });
    throw new ApiError(502, "Source playlist cannot be served.");
  }
  // Playlists embed tokens that expire: browsers may keep them briefly, shared caches never.
  const maxAge = embeddedTokenStep(config);
  return c.body(body, 200, { "content-type": PLAYLIST_CONTENT_TYPE, "cache-control": `private, max-age=${maxAge}` });
});

async function renditionPlaylist(
  config: Config,
  source: SourceMediaPlaylist,
  clip: ClipRange,
  context: {
    jobId: string;
    /** The job id as a URI path segment. */
    jobPath: string;
    origin: string;
    outputPathOf: (uri: string) => string;
    outputPath: string;
  },
) {
  const duration = totalDuration(source.segments);
  if (clip.start !== undefined && clip.start >= duration) {
    throw new ApiError(400, "Parameter start is beyond the end of the video.", {
      details: { duration_seconds: Math.round(duration * 1000) / 1000 },
    });
  }
  const kept = clipSegments(source, clip);
  if (kept.length === 0) throw new ApiError(404, "No segments in this range.");
  const keptDuration = totalDuration(kept);
  const { jobId, jobPath, origin, outputPathOf } = context;
  const scope = jobScope(jobId);
  const signed = config.playback.policy === "signed";
  const encrypted = kept.some((segment) => segment.key !== undefined && segment.key.method !== "NONE");
  const keyToken = encrypted
    ? await embeddedToken(config, scope, "key", config.playback.keyTokenTtlSeconds)
    : undefined;
  // Segment tokens must outlive playing the whole playlist once.
  const mediaToken = signed
    ? await embeddedToken(config, scope, "media", config.playback.keyTokenTtlSeconds + keptDuration)
    : undefined;
  // Per playlist, not per segment: the segment route's base and token query, and the key URI.
  const segmentBase = `${origin}/api/media/segments/vod/${jobPath}/`;
  const segmentQuery = queryString({ token: mediaToken });
  const keyUri = `${origin}/api/media/keys/${jobPath}${queryString({ token: keyToken })}`;
  return outputMediaPlaylist(source, kept, {
    segment: (uri) => {
      if (isAbsoluteUri(uri)) return uri; // absolute (MediaConvert BaseUrl): left as written
      const path = outputPathOf(uri);
      if (config.vodSegmentBaseUrl !== undefined)
        return `${config.vodSegmentBaseUrl}/${encodeS3Key(`${context.outputPath}${path}`)}`;
      return `${segmentBase}${encodeS3Key(path)}${segmentQuery}`;
    },
    key: () => keyUri,
  });
}
