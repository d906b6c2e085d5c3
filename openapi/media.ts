/**
 * Paths of the API reference for media bytes (segments, keys), face results and the reference itself.
 */
import { errorResponse, jsonContent, ref, type Json } from "./components.ts";
import {
  API_PREFIX,
  JOB_ID,
  operation,
  param,
  pathItem,
  pathParam,
  text,
  TOKENS_OPTIONAL,
  TOKENS_REQUIRED,
  type Responses,
} from "./helpers.ts";

/** Segment bytes: only media types are streamed (worker/routes/segments.ts MEDIA_TYPES). */
const MEDIA_BYTES: Json = Object.fromEntries(
  ["video/*", "audio/*", "text/vtt"].map((type) => [type, { schema: { type: "string", format: "binary" } }]),
);

function segmentResponses(): Responses {
  return {
    "200": { description: "The object (edge-cached; immutable).", content: MEDIA_BYTES },
    "206": { description: "A `Range` of the object.", content: MEDIA_BYTES },
    "304": { description: "Not modified (`If-None-Match` / `If-Modified-Since`)." },
    "416": errorResponse("The `Range` is outside the object (`Content-Range: bytes */<size>`).", [
      "Range not satisfiable.",
    ]),
    "400": errorResponse("Not a segment path or not a media file.", ["Invalid segment path.", "Invalid job id."]),
    "401": ref("responses", "Unauthorized"),
    "403": ref("responses", "Forbidden"),
    "404": errorResponse("No such object.", ["Segment not found."]),
  };
}

function segmentItem(honoPath: string, summary: string, parameters: Json[]): Json {
  const get = operation({
    summary,
    tags: ["Playback"],
    description:
      "Range and conditional requests pass through to S3. Token (`media` or `play`) under the signed policy.",
    security: TOKENS_OPTIONAL,
    parameters: [...parameters, param("token", "Media token embedded by the playlist, under PLAYBACK_POLICY=signed.")],
    responses: segmentResponses(),
  });
  return pathItem(honoPath, { get, head: { ...get, summary: `${summary} (headers only)` } });
}

export function mediaPaths(): Json {
  return {
    [`${API_PREFIX}/segments/recordings/{segment}`]: segmentItem(
      `${API_PREFIX}/segments/recordings/*`,
      "A recorder segment from the private bucket",
      [pathParam("segment", "`[<stream>/]YYYYMMDDTHHMMSSZ.ts` (may contain `/`).")],
    ),
    [`${API_PREFIX}/segments/vod/{jobId}/{file}`]: segmentItem(
      `${API_PREFIX}/segments/vod/:jobId/*`,
      "A MediaConvert media file",
      [JOB_ID, pathParam("file", "Path in the job's output folder (may contain `/`).")],
    ),
    [`${API_PREFIX}/keys/{jobId}`]: pathItem(`${API_PREFIX}/keys/:jobId`, {
      get: operation({
        summary: "The job's AES-128 key (16 bytes)",
        tags: ["Playback"],
        description: "The token (`job:<id>`, purpose `key` or `play`) is checked before any read. `private, no-store`.",
        security: TOKENS_REQUIRED,
        parameters: [JOB_ID, param("token", "Key token (as embedded in playlists) or play token.")],
        responses: {
          "200": text("application/octet-stream", "The 16 key bytes (RFC 8216 §5.2).", "binary"),
          "400": errorResponse("Malformed job id.", ["Invalid job id."]),
          "401": ref("responses", "Unauthorized"),
          "403": ref("responses", "Forbidden"),
          "404": errorResponse("Unknown job (`job_id`).", ["Not found item."]),
          "500": errorResponse("The stored key is unusable, a configuration error, or an unexpected error.", [
            "Key is unavailable.",
            "Configuration error: ...",
            "Internal error.",
          ]),
        },
      }),
    }),
  };
}

export function facesPaths(): Json {
  const integer = { type: "string", pattern: "^\\d+$" };
  return {
    [`${API_PREFIX}/faces`]: pathItem(`${API_PREFIX}/faces`, {
      get: operation({
        summary: "Face-detection results of an upload, paged by time",
        tags: ["Faces"],
        description: "Exactly one of `input_file` or `job_id`. FACES_POLICY=signed needs a `faces:` token.",
        security: TOKENS_OPTIONAL,
        parameters: [
          param("input_file", "The upload's key."),
          param("job_id", "The Rekognition job id."),
          param("from_ms", "Window start (inclusive), ms.", integer),
          param("to_ms", "Window end (exclusive), ms.", integer),
          param("limit", "Faces per page, 1-1000 (default 100).", integer),
          param("cursor", "`next_cursor` of the previous page."),
          param("token", "Faces token, under FACES_POLICY=signed."),
        ],
        responses: {
          "200": {
            description: "Status, and on SUCCEEDED a page of faces.",
            content: jsonContent(ref("schemas", "Faces")),
          },
          "400": errorResponse("Missing, doubled or malformed parameters.", [
            "Not found parameter.",
            "Not found parameter input_file or job_id.",
            "Specify input_file or job_id, not both.",
            "Invalid parameter <name>.",
          ]),
          "401": ref("responses", "Unauthorized"),
          "403": ref("responses", "Forbidden"),
          "410": errorResponse("The result files were deleted.", ["Result no longer available."]),
          "422": errorResponse("Malformed job id, unknown upload or job, or a refused origin.", [
            "Invalid parameter job_id.",
            "Not found item.",
            "ORIGIN is invalid.",
          ]),
        },
      }),
    }),
  };
}

export function referencePaths(): Json {
  const notFound = errorResponse("The reference was not built into the assets.", ["No route matches."]);
  const asset = (summary: string, responses: Responses) =>
    operation({ summary, tags: ["Reference"], responses: { ...responses, "404": notFound } }, false);
  return {
    [`${API_PREFIX}/openapi.json`]: pathItem(`${API_PREFIX}/openapi.json`, {
      get: asset("This document", {
        "200": { description: "OpenAPI 3.1.", content: jsonContent({ type: "object", required: ["openapi"] }) },
      }),
    }),
    [`${API_PREFIX}/docs`]: pathItem(`${API_PREFIX}/docs`, {
      get: asset("This reference as a page (Swagger UI, bundled)", { "200": text("text/html", "The page.") }),
    }),
    [`${API_PREFIX}/docs/{file}`]: pathItem(`${API_PREFIX}/docs/:file`, {
      get: asset("The page's scripts and styles", {
        "200": {
          description: "A file of the page.",
          content: { "text/javascript": { schema: { type: "string" } }, "text/css": { schema: { type: "string" } } },
        },
      }),
    }),
  };
}
