/**
 * The API reference: the one source of the OpenAPI 3.1 document served at /api/media/openapi.json
 * (built into the static assets by openapi/build.ts, so it costs the Worker bundle nothing).
 * test/worker/openapi.test.ts checks that it lists exactly the routes the Hono app registers
 * (`x-hono-path`) and validates live responses of every route against it.
 * https://spec.openapis.org/oas/v3.1.0
 */
import { components, CORS_DESCRIPTION, errorResponse, jsonContent, ref, type Json } from "./components.ts";
import {
  API_PREFIX,
  JOB_ID,
  operation,
  param,
  pathItem,
  pathParam,
  SECONDS,
  text,
  TOKENS_OPTIONAL,
} from "./helpers.ts";
import { facesPaths, mediaPaths, referencePaths } from "./media.ts";
import { healthPaths, thumbnailPaths, uploadPaths } from "./uploads-health-stills.ts";

function jobPaths(): Json {
  const lookup = (name: string, schema: string, summary: string) =>
    operation({
      summary,
      tags: ["Jobs"],
      description: "Seed-compatible: parameters read like Python's `parse_qs`, bodies like `json.dumps`.",
      parameters: [param(name, "Required; an empty value counts as absent (parse_qs drops blank values): 400.")],
      responses: {
        "200": { description: "Found (cached CACHE_TTL_SECONDS).", content: jsonContent(ref("schemas", schema)) },
        "400": errorResponse("No parameters, or this one absent or empty.", [
          "Not found parameter.",
          `Not found parameter ${name}.`,
        ]),
        "422": errorResponse("Too long or with control characters; no such item; or a refused origin.", [
          `Invalid parameter ${name}.`,
          "Not found item.",
          "ORIGIN is invalid.",
        ]),
      },
    });
  return {
    [`${API_PREFIX}/job_id`]: pathItem(`${API_PREFIX}/job_id`, {
      get: lookup("input_file", "JobId", "The upload's latest job"),
    }),
    [`${API_PREFIX}/status`]: pathItem(`${API_PREFIX}/status`, { get: lookup("job_id", "Status", "A job's status") }),
  };
}

function recordingPaths(): Json {
  const time = { type: "string", description: "ISO 8601 with a zone, basic format, or epoch seconds." };
  return {
    [`${API_PREFIX}/recordings/playlist.m3u8`]: pathItem(`${API_PREFIX}/recordings/playlist.m3u8`, {
      get: operation({
        summary: "A recorder window playlist",
        tags: ["Playback"],
        security: TOKENS_OPTIONAL,
        parameters: [
          param("start", "Window start.", time, true),
          param("end", "Window end (default: start + MAX_WINDOW_SECONDS, live until then).", time),
          param("stream", "Stream name: `/`-separated parts of letters, digits, `.`, `_`, `-`."),
          param("token", "Play token (`rec:<stream>`), under PLAYBACK_POLICY=signed."),
        ],
        responses: {
          "200": text("application/vnd.apple.mpegurl", "An RFC 8216 media playlist (EVENT while live)."),
          "400": errorResponse("Bad start, end, window length or stream name.", [
            "Parameter start is not a time (...).",
            "Parameter end must be after start.",
            "Invalid parameter stream.",
          ]),
          "401": ref("responses", "Unauthorized"),
          "403": ref("responses", "Forbidden"),
          "404": errorResponse("Empty window (`start`, `end`).", ["No recordings in this window."]),
          "422": errorResponse("Objects other than segments crowd the listing budget; or a refused origin.", [
            "Window holds too many objects.",
            "ORIGIN is invalid.",
          ]),
        },
      }),
    }),
  };
}

function vodPaths(): Json {
  return {
    [`${API_PREFIX}/vod/{jobId}/{playlist}`]: pathItem(`${API_PREFIX}/vod/:jobId/*`, {
      get: operation({
        summary: "A VOD playlist (master or rendition), optionally clipped",
        tags: ["Playback"],
        security: TOKENS_OPTIONAL,
        parameters: [
          JOB_ID,
          pathParam("playlist", "Path of a `.m3u8` in the job's output (may contain `/`)."),
          param("start", "Clip start, seconds.", SECONDS),
          param("end", "Clip end, seconds.", SECONDS),
          param("token", "Play token (`job:<id>`), under PLAYBACK_POLICY=signed."),
        ],
        responses: {
          "200": text("application/vnd.apple.mpegurl", "The playlist; key URIs carry fresh key tokens."),
          "400": errorResponse("Malformed job id, path, start or end.", [
            "Invalid job id.",
            "Invalid playlist path.",
            "Parameter start must be a number of seconds from the start of the video.",
            "Parameter end must be after start.",
            "Parameter start is beyond the end of the video.",
          ]),
          "401": ref("responses", "Unauthorized"),
          "403": ref("responses", "Forbidden"),
          "404": errorResponse("Unknown job, playlist, or no segment in the range.", [
            "Not found item.",
            "Playlist not found.",
            "No segments in this range.",
          ]),
          "409": errorResponse("The job is not COMPLETE (`status`, `progress`).", ["Job is not complete."]),
          "502": errorResponse("The source playlist cannot be parsed, or an upstream failure.", [
            "Source playlist cannot be served.",
            "Upstream error.",
          ]),
        },
      }),
    }),
  };
}

export function buildDocument(version: string): Json {
  const paths = {
    ...jobPaths(),
    ...recordingPaths(),
    ...vodPaths(),
    ...thumbnailPaths(),
    ...mediaPaths(),
    ...facesPaths(),
    ...referencePaths(),
    ...uploadPaths(),
    ...healthPaths(),
  } as Record<string, Json>;
  // Only the tags some operation uses.
  const used = new Set(
    Object.values(paths).flatMap((item) =>
      Object.values(item).flatMap((op) => (op as { tags?: string[] } | undefined)?.tags ?? []),
    ),
  );
  return {
    openapi: "3.1.0",
    info: {
      title: "media-edge API",
      version,
      description: `The edge of the video pipeline on Cloudflare Workers. Errors are JSON \`{"success": false, "message": ...}\`; any other method or path answers 404 \`No route matches.\`.\n\n${CORS_DESCRIPTION}`,
    },
    servers: [{ url: "/" }],
    tags: ["Jobs", "Playback", "Faces", "Uploads", "Health", "Reference", "CORS"]
      .filter((name) => used.has(name))
      .map((name) => ({ name })),
    paths,
    components: components(),
  };
}
