/**
 * Reusable parts of the API reference (openapi/document.ts): JSON Schemas (2020-12, the dialect of
 * OpenAPI 3.1), parameters, security schemes and the responses every route shares.
 * https://spec.openapis.org/oas/v3.1.0#components-object
 */
import { CORS_EXPOSED_HEADERS, CORS_MAX_AGE_SECONDS } from "../worker/http/cors.ts";
import { RETRY_AFTER_SECONDS, SEED_MESSAGES } from "../worker/http/errors.ts";

export type Json = Record<string, unknown>;

export const ref = (kind: "schemas" | "responses" | "parameters" | "headers", name: string): Json => ({
  $ref: `#/components/${kind}/${name}`,
});

/** A JSON body: the Worker answers `application/json; charset=UTF-8` (the seed's type). */
export const jsonContent = (schema: Json): Json => ({ "application/json": { schema } });

/** An error response with the shared Error body; `messages` lists the `message` values it can carry. */
export function errorResponse(description: string, messages: string[] = [], headers?: Json): Json {
  const listed = messages.length ? ` Messages: ${messages.map((m) => `\`${m}\``).join(", ")}.` : "";
  return {
    description: description + listed,
    ...(headers ? { headers } : {}),
    content: jsonContent(ref("schemas", "Error")),
  };
}

const nullable = (type: string): Json => ({ type: [type, "null"] });

const ERROR_SCHEMA: Json = {
  type: "object",
  description:
    "The seed's error body: `success` false and a `message`, then optional details. Never a stack or an upstream's body.",
  required: ["success", "message"],
  properties: {
    success: { const: false },
    message: { type: "string" },
    reason: { type: "string", description: "Why a parameter or token was refused." },
    job_id: { type: "string" },
    status: { ...nullable("string"), description: "The job's status, when it is not COMPLETE." },
    progress: { type: "number", description: "The job's progress (0-100) when it is not complete." },
    start: { type: "string", format: "date-time" },
    end: { type: "string", format: "date-time" },
    duration_seconds: { type: "number" },
    variable: { type: "string", description: "The setting that is missing or malformed (500)." },
    request_id: { type: "string", description: "On 5xx: the id in the Worker's logs (also `x-request-id`)." },
    missing_parts: { type: "array", items: { type: "integer", minimum: 1 } },
    max_bytes: { type: "integer", description: "The largest upload allowed (413)." },
    size: { type: "integer", description: "The size the upload's create request declared (409 of a completion)." },
    parts_bytes: { type: "integer", description: "What the parts listed add up to (409 of a completion)." },
    content_type: { type: "string", description: "The refused content type (415)." },
    input_file: { type: "string", description: "The upload's key (404 of an upload route)." },
  },
  additionalProperties: false,
};

const STATUS_SCHEMA: Json = {
  type: "object",
  required: ["success", "job_status", "progress_rate"],
  properties: {
    success: { const: true },
    job_status: { enum: ["SUBMITTED", "PROGRESSING", "COMPLETE", "ERROR", "CANCELED"] },
    progress_rate: { type: "integer", minimum: 0, maximum: 100 },
    duration_ms: { type: "integer" },
    width_px: { type: "integer" },
    height_px: { type: "integer" },
    output_path: { type: "string" },
    playlists: { type: "object", additionalProperties: { type: "string" }, examples: [{ ".m3u8": "movie.m3u8" }] },
    playlist_paths: { type: "array", items: { type: "string" } },
    error_code: { type: "integer" },
    error_message: { type: "string" },
    warnings: { type: "object", additionalProperties: { type: "integer" } },
    captures: {
      type: "object",
      description:
        "The job's JPEG stills (absent for jobs transcoded before frame captures): capture n of a set is `<name_prefix>.<n as 7 digits>.jpg` in `output_path`, taken at n × `interval_seconds`.",
      required: ["interval_seconds", "sets"],
      properties: {
        interval_seconds: { type: "number", exclusiveMinimum: 0 },
        sets: {
          type: "array",
          description: "Ascending actual width.",
          items: {
            type: "object",
            required: ["name_prefix", "width", "count"],
            properties: {
              name_prefix: { type: "string" },
              width: { type: "integer", minimum: 1, description: "The stills' actual width." },
              height: { type: "number", exclusiveMinimum: 0, description: "The stills' actual height." },
              count: { type: "integer", minimum: 1 },
            },
            additionalProperties: false,
          },
        },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: true,
};

const FACES_SCHEMA: Json = {
  type: "object",
  required: ["success", "input_file", "job_id", "analysis_status"],
  properties: {
    success: { const: true },
    input_file: { type: "string" },
    job_id: nullable("string"),
    analysis_status: { enum: ["IN_PROGRESS", "WAITING_FOR_CAPACITY", "COLLECTING", "SUCCEEDED", "FAILED", "SKIPPED"] },
    status_message: { type: "string" },
    creation_time: { type: "number" },
    update_time: { type: "number" },
    capacity_attempts: { type: "number" },
    faces_collected: { type: "number" },
    face_count: { type: "number" },
    video_duration_ms: { type: "number" },
    video: { type: "object", description: "Codec, format, duration, frame rate and size from Rekognition." },
    from_ms: nullable("number"),
    to_ms: nullable("number"),
    limit: { type: "integer", minimum: 1, maximum: 1000 },
    next_cursor: { ...nullable("string"), description: "Pass as `cursor` for the next page; null at the end." },
    faces: {
      type: "array",
      items: {
        type: "object",
        required: ["timestamp_ms", "face"],
        properties: {
          timestamp_ms: { type: "number" },
          face: { type: "object", description: "Rekognition FaceDetail" },
        },
      },
    },
  },
  additionalProperties: false,
};

const TOKEN_DESCRIPTION =
  "An HS256 JWT signed with TOKEN_SECRET: `sub` = scope(s) (`job:<id>`, `rec:<stream>`, `faces:...`), `pur` = purpose. " +
  "Missing, malformed, tampered or expired: 401 with `WWW-Authenticate`; valid but for another scope or purpose: 403.";

export const SECURITY_SCHEMES: Json = {
  bearerToken: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: TOKEN_DESCRIPTION },
  queryToken: {
    type: "apiKey",
    in: "query",
    name: "token",
    description: `${TOKEN_DESCRIPTION} Read before the Authorization header (what playlists embed).`,
  },
};

const HEADERS: Json = {
  "x-request-id": { description: "The request's id in the Worker's logs.", schema: { type: "string" } },
  "retry-after": { description: "Seconds to wait.", schema: { type: "integer", const: RETRY_AFTER_SECONDS } },
  "www-authenticate": {
    description: 'RFC 6750 §3: `Bearer realm="media-edge", error="invalid_token"`.',
    schema: { type: "string" },
  },
};

const RESPONSES: Json = {
  OriginRefused: errorResponse("`Origin` present and not in ALLOWED_ORIGINS.", [SEED_MESSAGES.invalidOrigin]),
  Unauthorized: errorResponse(
    "No usable token (signed policy).",
    ["Token is required.", "Token is invalid.", "Token has expired."],
    { "www-authenticate": ref("headers", "www-authenticate") },
  ),
  Forbidden: errorResponse("A valid token for another scope or purpose.", ["Token does not grant this resource."]),
  InternalError: errorResponse("Invalid configuration (`variable`) or an unexpected error (`request_id`).", [
    "Configuration error: ...",
    "Internal error.",
  ]),
  BadGateway: errorResponse("AWS unreachable, a non-retryable 4xx or an unreadable answer.", ["Upstream error."]),
  ServiceBusy: errorResponse("AWS throttling or 5xx after the retry budget.", ["Service busy, retry later."], {
    "retry-after": ref("headers", "retry-after"),
  }),
  GatewayTimeout: errorResponse("AWS did not answer within UPSTREAM_DEADLINE_MS.", ["Upstream timed out."]),
  Preflight: {
    description:
      `CORS preflight. For an allowed origin: \`Access-Control-Allow-Origin\` (the origin, never \`*\`), ` +
      `\`Access-Control-Allow-Methods\` (the path's methods), \`Access-Control-Allow-Headers\` (every request header ` +
      `asked for, as the seed's \`*\` granted them), \`Access-Control-Max-Age: ${CORS_MAX_AGE_SECONDS}\`. ` +
      `Other origins get no grants.`,
  },
};

export function components(): Json {
  return {
    schemas: {
      Error: ERROR_SCHEMA,
      JobId: {
        type: "object",
        required: ["success", "job_id"],
        properties: { success: { const: true }, job_id: { type: "string" } },
        additionalProperties: false,
      },
      Status: STATUS_SCHEMA,
      Faces: FACES_SCHEMA,
    },
    responses: RESPONSES,
    headers: HEADERS,
    securitySchemes: SECURITY_SCHEMES,
  };
}

/** The CORS rules, for the document's description (worker/http/cors.ts is the one place they live). */
export const CORS_DESCRIPTION =
  "**CORS.** `ALLOWED_ORIGINS` lists exact origins and `https://*.example.com` patterns. An allowed origin is " +
  "reflected in `Access-Control-Allow-Origin` (never `*`, never credentials) with `Access-Control-Expose-Headers: " +
  `${CORS_EXPOSED_HEADERS.join(", ")}\`; a refused origin gets 422 \`${SEED_MESSAGES.invalidOrigin}\`; a request ` +
  "without `Origin` is served. Every response carries `Vary: Origin` and `x-request-id`. `OPTIONS` on any route " +
  "answers a preflight with 204.";
