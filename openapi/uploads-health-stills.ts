/**
 * The uploads API (worker/routes/uploads.ts), the health report (worker/routes/health.ts) and the
 * stills of a job (worker/routes/thumbnails.ts), as docs/api.md describes them.
 */
import { errorResponse, jsonContent, ref, type Json } from "./components.ts";
import { API_PREFIX, JOB_ID, operation, param, pathItem, text, TOKENS_OPTIONAL } from "./helpers.ts";

const obj = (properties: Json, required = Object.keys(properties)): Json => ({
  type: "object",
  required,
  properties,
  additionalProperties: false,
});
const str = { type: "string" };
const partNumber = { type: "integer", minimum: 1, maximum: 10_000 };

const UPLOAD_SCHEMAS: Record<string, Json> = {
  CreateUpload: obj({ file_name: str, content_type: str, size: { type: "integer", minimum: 1 } }),
  Upload: obj({
    input_file: { type: "string", description: "What `GET /api/media/job_id?input_file=` takes." },
    expires_at: { type: "string", format: "date-time" },
    upload: {
      oneOf: [
        obj({
          kind: { const: "single" },
          method: { const: "PUT" },
          url: { type: "string", format: "uri" },
          headers: { type: "object", additionalProperties: str },
        }),
        obj({
          kind: { const: "multipart" },
          upload_id: str,
          part_size: { type: "integer", minimum: 5 * 1024 * 1024 },
          part_count: partNumber,
        }),
      ],
    },
  }),
  PartsRequest: obj({
    input_file: str,
    upload_id: str,
    part_numbers: { type: "array", items: partNumber, maxItems: 100 },
  }),
  Parts: obj({
    parts: { type: "array", items: obj({ part_number: partNumber, method: { const: "PUT" }, url: str }) },
    uploaded: { type: "array", items: obj({ part_number: partNumber, etag: str, size: { type: "integer" } }) },
  }),
  CompleteRequest: obj({
    input_file: str,
    upload_id: str,
    parts: { type: "array", items: obj({ part_number: partNumber, etag: str }) },
  }),
  Completed: obj({ input_file: str, status_url: str }),
  AbortRequest: obj({ input_file: str, upload_id: str }),
  Aborted: obj({ input_file: str, aborted: { const: true } }),
};

function uploadOperation(
  summary: string,
  request: string,
  ok: [string, string],
  extra: Record<string, Json>,
  unknownUpload = true,
): Json {
  const notFound: Record<string, Json> = unknownUpload
    ? {
        "404": errorResponse("Unknown, completed, aborted or expired upload.", [
          "Upload not found: it was completed, aborted or expired.",
        ]),
      }
    : {};
  return operation({
    summary,
    tags: ["Uploads"],
    description: "UPLOAD_POLICY=signed (default) needs an `upload:<key prefix>` token; `public` needs none.",
    security: TOKENS_OPTIONAL,
    requestBody: { required: true, content: jsonContent(UPLOAD_SCHEMAS[request]!) },
    responses: {
      [ok[0]]: { description: "Done.", content: jsonContent(UPLOAD_SCHEMAS[ok[1]]!) },
      "400": errorResponse(
        "Bad JSON, missing or malformed fields, an `input_file` this API did not create, a body over 1 MiB.",
      ),
      "401": ref("responses", "Unauthorized"),
      "403": ref("responses", "Forbidden"),
      ...notFound,
      ...extra,
    },
  });
}

export function uploadPaths(): Json {
  const item = (path: string, post: Json) => pathItem(path, { post });
  return {
    [`${API_PREFIX}/uploads`]: item(
      `${API_PREFIX}/uploads`,
      uploadOperation(
        "Create an upload (presigned PUT, or multipart above the threshold)",
        "CreateUpload",
        ["201", "Upload"],
        {
          "413": errorResponse("Larger than MAX_UPLOAD_BYTES or the token's `max` (`max_bytes`)."),
          "415": errorResponse("`content_type` is not video/* or audio/* (`content_type`).", [
            "Only video/* and audio/* uploads are accepted.",
          ]),
        },
        false,
      ),
    ),
    [`${API_PREFIX}/uploads/parts`]: item(
      `${API_PREFIX}/uploads/parts`,
      uploadOperation("Presign parts and list those uploaded (resume)", "PartsRequest", ["200", "Parts"], {}),
    ),
    [`${API_PREFIX}/uploads/complete`]: item(
      `${API_PREFIX}/uploads/complete`,
      uploadOperation("Complete a multipart upload", "CompleteRequest", ["200", "Completed"], {
        "409": errorResponse(
          "Parts missing (`missing_parts`), or parts that add up to another size than the create request declared " +
            "(`size`, `parts_bytes`): S3 would join them into a shorter file.",
          [
            "Parts are missing: upload them, then complete again.",
            "The parts add up to <n> bytes, not the <size> this upload declared: complete with every part.",
          ],
        ),
        "413": errorResponse(
          "The uploaded parts add up to more than MAX_UPLOAD_BYTES or the token's `max` (`max_bytes`).",
        ),
      }),
    ),
    [`${API_PREFIX}/uploads/abort`]: item(
      `${API_PREFIX}/uploads/abort`,
      uploadOperation("Abort a multipart upload", "AbortRequest", ["200", "Aborted"], {}),
    ),
  };
}

const HEALTH_SCHEMA = obj({
  success: { type: "boolean" },
  version: str,
  settings: obj({ present: { type: "array", items: str }, absent: { type: "array", items: str } }),
  checks: {
    type: "array",
    items: obj(
      {
        kind: { enum: ["table", "bucket"] },
        name: str,
        settings: { type: "array", items: str },
        ok: { type: "boolean" },
        problem: {
          enum: ["not-found", "access-denied", "wrong-region", "throttled", "timeout", "unreachable", "rejected"],
        },
        detail: str,
      },
      ["kind", "name", "settings", "ok"],
    ),
  },
});

export function healthPaths(): Json {
  const report = (description: string) => ({ description, content: jsonContent(HEALTH_SCHEMA) });
  return {
    [`${API_PREFIX}/health`]: pathItem(`${API_PREFIX}/health`, {
      get: operation({
        summary: "Version, settings present (names only), and a check of each table and bucket",
        tags: ["Health"],
        responses: { "200": report("Every check passed."), "503": report("A check failed (`problem`, `detail`).") },
      }),
    }),
  };
}

export function thumbnailPaths(): Json {
  const image = (summary: string, parameters: Json[], bad: string[]) =>
    operation({
      summary,
      tags: ["Playback"],
      description: "Frame captures MediaConvert wrote for the job; same playback policy and tokens as the playlists.",
      security: TOKENS_OPTIONAL,
      parameters: [JOB_ID, ...parameters, param("token", "Play or thumbnail token, under PLAYBACK_POLICY=signed.")],
      responses: {
        "200": text(summary.endsWith("VTT") ? "text/vtt" : "image/jpeg", summary, "binary"),
        "400": errorResponse("Malformed job id or parameter.", ["Invalid job id.", ...bad]),
        "401": ref("responses", "Unauthorized"),
        "403": ref("responses", "Forbidden"),
        "404": errorResponse("Unknown job, a job without captures (older jobs), or a capture file missing.", [
          "Not found item.",
          "This job has no thumbnails.",
          "Thumbnail not found.",
        ]),
        "409": errorResponse("The job is not COMPLETE (`status`).", ["Job is not complete."]),
      },
    });
  const item = (name: string, get: Json) => pathItem(`${API_PREFIX}/vod/:jobId/${name}`, { get });
  const seconds = { type: "string", description: "Seconds; past the end gives the last capture." };
  const width = param(
    "width",
    "Pixels; picks a generated set, never a resize: the smallest at least that wide, else the widest (default: the widest for images, smallest for VTT).",
  );
  const widthMessage = "Parameter width must be a whole number of pixels.";
  return {
    [`${API_PREFIX}/vod/{jobId}/thumbnail.jpg`]: item(
      "thumbnail.jpg",
      image(
        "The capture nearest to a time, in a generated size",
        [param("time", "Seconds from the start (absent: the poster).", seconds), width],
        ["Parameter time must be a non-negative number of seconds from the start of the video.", widthMessage],
      ),
    ),
    [`${API_PREFIX}/vod/{jobId}/poster.jpg`]: item(
      "poster.jpg",
      image("The poster frame (the capture at the middle)", [width], [widthMessage]),
    ),
    [`${API_PREFIX}/vod/{jobId}/storyboard.vtt`]: item(
      "storyboard.vtt",
      image("Seek-preview thumbnails as WebVTT", [width], [widthMessage]),
    ),
  };
}
