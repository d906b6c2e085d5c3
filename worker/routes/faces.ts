/**
 * GET /api/media/faces?input_file=<upload key>   (or ?job_id=<Rekognition job id>)
 *                     [&from_ms=<int>][&to_ms=<int>][&limit=<1-1000>][&cursor=<opaque>]
 *
 * The face-detection status of an upload and, once SUCCEEDED, its faces in time order, paged from the
 * result faces-collect stored in S3 (manifest + NDJSON chunks, see model/index.ts). Rules shared with
 * the status endpoint: the query is read like the seed's (`parse_qs`, first value wins), missing
 * parameters are 400, an unknown upload or job is 422 "Not found item.", CORS and errors come from the
 * app's middleware. Beyond it: malformed `from_ms`/`to_ms`/`limit`/`cursor` are 400 "Invalid parameter
 * <name>." with a reason, and a result whose files are gone is 410.
 *
 * Work per request is bounded: one DynamoDB call (GetItem, or a Query on the ByJobId index), then for a
 * SUCCEEDED result one manifest read and at most MAX_CHUNK_READS chunk reads (each with the shared
 * retry budget), cached at the edge because results never change. A chunk read is a Range GET of the
 * lines the page needs when the manifest has a line index, else the whole chunk. Chunk lines are
 * copied into the response, not parsed.
 */
import { Hono } from "hono/tiny";
import type { Context } from "hono";
import { UpstreamError } from "../aws/errors.ts";
import type { FaceAnalysisRow } from "../aws/rows.ts";
import { getObjectWhole } from "../aws/s3.ts";
import { getFaceAnalysisByJobId, getRow } from "../aws/targets.ts";
import { authorize } from "../auth/playback.ts";
import { facesScope } from "../auth/tokens.ts";
import type { AppEnv } from "../env.ts";
import { edgeCachedText } from "../http/edge-cache.ts";
import { ApiError, SEED_MESSAGES } from "../http/errors.ts";
import { log } from "../http/log.ts";
import { SEED_JSON_CONTENT_TYPE } from "../http/media-types.ts";
import { checkKeyValue } from "../http/params.ts";
import { pythonJsonDumps, pythonParseQs, rawQuery } from "../http/python-compat.ts";
import {
  DEFAULT_FACES_LIMIT,
  MAX_CHUNK_READS,
  MAX_FACES_LIMIT,
  MAX_TIMESTAMP_MS,
  ResultFormatError,
  collectPage,
  decodeCursor,
  encodeCursor,
  jobFingerprint,
  parseManifest,
  startPosition,
  type CursorState,
  type Position,
} from "../faces/results.ts";

/** Edge lifetime of result files: a finished result is never rewritten (new uploads get new job folders). */
const RESULT_CACHE_SECONDS = 86_400;
/** Size guards (Workers have 128 MB per isolate): 10,000 chunks of manifest, 1,000 faces with ALL attributes. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_CHUNK_BYTES = 16 * 1024 * 1024;
/** Rekognition job ids: 1-64 characters of `[a-zA-Z0-9-_]`. */
const JOB_ID = /^[a-zA-Z0-9-_]{1,64}$/;

/** The parsed query. */
export interface FacesQuery {
  lookup: { by: "input_file" | "job_id"; value: string };
  fromMs?: number;
  toMs?: number;
  limit: number;
  cursor?: CursorState;
}

function invalid(name: string, reason: string): ApiError {
  return new ApiError(400, `Invalid parameter ${name}.`, { details: { reason } });
}

function integerParameter(query: Map<string, string[]>, name: string, min: number, max: number): number | undefined {
  const raw = query.get(name)?.[0];
  if (raw === undefined) return undefined;
  if (!/^\d{1,13}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw invalid(name, `must be a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

/** Reads and checks the query before any AWS call. */
export function parseFacesQuery(url: string): FacesQuery {
  const query = pythonParseQs(rawQuery(url));
  if (query.size === 0) throw new ApiError(400, SEED_MESSAGES.noParameters);
  const inputFile = query.get("input_file")?.[0];
  const jobId = query.get("job_id")?.[0];
  if (inputFile === undefined && jobId === undefined) {
    throw new ApiError(400, SEED_MESSAGES.missingParameter("input_file or job_id"));
  }
  if (inputFile !== undefined && jobId !== undefined) {
    throw new ApiError(400, "Specify input_file or job_id, not both.");
  }
  let lookup: FacesQuery["lookup"];
  if (jobId !== undefined) {
    if (!JOB_ID.test(jobId)) {
      throw new ApiError(422, "Invalid parameter job_id.", {
        details: { reason: "a Rekognition job id is 1-64 characters of A-Z, a-z, 0-9, - and _" },
      });
    }
    lookup = { by: "job_id", value: jobId };
  } else {
    lookup = { by: "input_file", value: checkKeyValue("input_file", inputFile!) };
  }
  const parsed: FacesQuery = {
    lookup,
    limit: integerParameter(query, "limit", 1, MAX_FACES_LIMIT) ?? DEFAULT_FACES_LIMIT,
  };
  const fromMs = integerParameter(query, "from_ms", 0, MAX_TIMESTAMP_MS);
  const toMs = integerParameter(query, "to_ms", 0, MAX_TIMESTAMP_MS);
  if (fromMs !== undefined) parsed.fromMs = fromMs;
  if (toMs !== undefined) parsed.toMs = toMs;
  if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs)
    throw invalid("to_ms", "must be greater than from_ms");
  const cursor = query.get("cursor")?.[0];
  if (cursor !== undefined) {
    try {
      parsed.cursor = decodeCursor(cursor);
    } catch {
      throw invalid("cursor", "not a cursor this endpoint issued");
    }
  }
  return parsed;
}

/**
 * The status part of every answer: what the analysis row says (never its checkpoint internals), as
 * the row decoder checked it (worker/aws/rows.ts: text is a string, a number a finite number).
 */
export function statusFields(row: FaceAnalysisRow): Record<string, unknown> {
  const body: Record<string, unknown> = {
    success: true,
    input_file: row.InputFile,
    job_id: row.JobId ?? null,
    analysis_status: row.AnalysisStatus,
  };
  if (row.StatusMessage !== undefined) body.status_message = row.StatusMessage;
  body.creation_time = row.CreationTime;
  body.update_time = row.UpdateTime;
  if (row.AnalysisStatus === "WAITING_FOR_CAPACITY") body.capacity_attempts = row.CapacityAttempts;
  if (row.AnalysisStatus === "COLLECTING") {
    // Collect is the collector's checkpoint, a map the row decoder does not look into.
    const collected = row.Collect?.FaceCount;
    body.faces_collected = typeof collected === "number" && Number.isFinite(collected) ? collected : 0;
  }
  if (row.AnalysisStatus === "SUCCEEDED") {
    body.face_count = row.FaceCount;
    body.video_duration_ms = row.VideoDurationMs;
  }
  return body;
}

/** Rekognition's VideoMetadata, in the API's snake_case. */
function videoFields(video: Record<string, unknown>): Record<string, unknown> {
  return {
    codec: video.Codec,
    format: video.Format,
    duration_ms: video.DurationMillis,
    frame_rate: video.FrameRate,
    frame_width: video.FrameWidth,
    frame_height: video.FrameHeight,
    color_range: video.ColorRange,
  };
}

function findRow(c: Context<AppEnv>, query: FacesQuery): Promise<FaceAnalysisRow | undefined> {
  const table = c.get("config").tables.faceAnalysis;
  return query.lookup.by === "input_file"
    ? getRow(c.get("aws"), "faceAnalysis", table, query.lookup.value)
    : getFaceAnalysisByJobId(c.get("aws"), table, query.lookup.value);
}

/**
 * Where the result is. Only the configured analysis bucket and prefix are read, whatever a row says:
 * the Worker's S3 credentials must not become a way to read other objects through a forged row.
 */
function resultLocation(c: Context<AppEnv>, row: FaceAnalysisRow): { bucket: string; key: string } {
  const config = c.get("config");
  const prefix = config.analysisPrefix;
  const key = row.ResultKey;
  const bucket = row.ResultBucket ?? config.buckets.analysis;
  if (key === undefined || !key.startsWith(prefix) || bucket !== config.buckets.analysis) {
    log("error", "face result outside the configured analysis location", {
      request_id: c.get("requestId"),
      result_bucket: bucket,
      result_key: key,
      analysis_bucket: config.buckets.analysis,
      analysis_prefix: prefix,
    });
    throw new UpstreamError("s3", "rejected", "result location is outside ANALYSIS_BUCKET/ANALYSIS_PREFIX");
  }
  return { bucket, key };
}

/** Bytes [start, end) of a result file (`end` exclusive). */
type ByteRange = { start: number; end: number };

/**
 * A result file's text (or a byte range of it), from the edge cache or S3. Missing -> 410 (expired
 * by a lifecycle rule).
 */
function readResultFile(
  c: Context<AppEnv>,
  bucket: string,
  key: string,
  maxBytes: number,
  range?: ByteRange,
): Promise<string> {
  const load = () => readResultObject(c, bucket, key, maxBytes, range);
  if (c.get("config").cacheTtlSeconds === 0) return load();
  const part = range ? `?bytes=${range.start}-${range.end}` : "";
  const cachePath = `faces/${encodeURIComponent(bucket)}/${encodeURIComponent(key)}${part}`;
  return edgeCachedText(c, cachePath, RESULT_CACHE_SECONDS, load);
}

/**
 * GetObject, with `Range: bytes=start-(end-1)` for a range (RFC 9110 §14.1.2: the last byte is
 * inclusive), which S3 answers with 206 and exactly those bytes.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_RequestSyntax
 */
async function readResultObject(
  c: Context<AppEnv>,
  bucket: string,
  key: string,
  maxBytes: number,
  range?: ByteRange,
): Promise<string> {
  const object = await getObjectWhole(c.get("aws"), {
    bucket,
    key,
    ...(range ? { range: `bytes=${range.start}-${range.end - 1}` } : {}),
  });
  if (object === undefined) throw new ApiError(410, "Result no longer available.");
  const { status, headers } = object.response;
  const declared = Number(headers.get("content-length") ?? Number.NaN);
  const expected = range === undefined ? status === 200 : status === 206;
  if (!expected || declared > maxBytes || (range !== undefined && declared !== range.end - range.start)) {
    await object.cancel();
    throw new UpstreamError(
      "s3",
      !expected ? "rejected" : "malformed",
      `result file: HTTP ${status}, ${declared} bytes`,
    );
  }
  // Read whole, natively (callUpstreamWhole): no guarding stream or timer per chunk.
  const text = await object.text();
  if (text.length > maxBytes) throw new UpstreamError("s3", "malformed", "result file is too large");
  return text;
}

/** Runs a read of result files; a file that breaks the result format is a malformed upstream answer. */
async function resultFormatChecked<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ResultFormatError) throw new UpstreamError("s3", "malformed", error.message);
    throw error;
  }
}

/** The SUCCEEDED answer: status fields, the page of faces and the cursor of the next page. */
async function facesPage(c: Context<AppEnv>, query: FacesQuery, row: FaceAnalysisRow): Promise<string> {
  const jobId = String(row.JobId ?? "");
  const location = resultLocation(c, row);
  const fingerprint = jobFingerprint(jobId);
  const cursor = query.cursor;
  let window = { fromMs: query.fromMs, toMs: query.toMs };
  if (cursor) {
    if (cursor.jobFingerprint !== fingerprint) throw invalid("cursor", "it belongs to another result");
    if (
      (query.fromMs !== undefined && query.fromMs !== cursor.fromMs) ||
      (query.toMs !== undefined && query.toMs !== cursor.toMs)
    ) {
      throw invalid("cursor", "from_ms/to_ms differ from the ones the cursor was issued for");
    }
    window = { fromMs: cursor.fromMs, toMs: cursor.toMs };
  }

  const manifest = await resultFormatChecked(async () =>
    parseManifest(await readResultFile(c, location.bucket, location.key, MAX_MANIFEST_BYTES), location.key),
  );
  const chunks = manifest.chunks;
  let position: Position;
  if (cursor) {
    const chunk = chunks[cursor.chunk];
    if (!chunk || cursor.line >= chunk.count) throw invalid("cursor", "it points outside the result");
    position = { chunk: cursor.chunk, line: cursor.line };
  } else {
    position = startPosition(chunks, window.fromMs);
  }

  const { lines: faces, next } = await resultFormatChecked(() =>
    collectPage(manifest, position, window, query.limit, MAX_CHUNK_READS, (index, range) =>
      readResultFile(c, location.bucket, chunks[index]!.key, MAX_CHUNK_BYTES, range),
    ),
  );

  const body = {
    ...statusFields(row),
    face_count: manifest.face_count,
    video: videoFields(manifest.video),
    from_ms: window.fromMs ?? null,
    to_ms: window.toMs ?? null,
    limit: query.limit,
    next_cursor: next ? encodeCursor({ ...next, jobFingerprint: fingerprint, ...window }) : null,
  };
  const head = pythonJsonDumps(body);
  // Chunk lines are already JSON objects: splice them in rather than parse and re-serialise them.
  return `${head.slice(0, -1)}, "faces": [${faces.join(", ")}]}`;
}

/** Mounted with `app.route("/api/media", faceRoutes)`. */
export const faceRoutes = new Hono<AppEnv>().get("/faces", async (c) => {
  const query = parseFacesQuery(c.req.url);
  const signed = c.get("config").facesPolicy === "signed";
  // FACES_POLICY=signed: a token for this upload (or Rekognition job), checked before any read.
  if (signed) await authorize(c, facesScope(query.lookup), ["play"]);
  const row = await findRow(c, query);
  if (row === undefined) throw new ApiError(422, SEED_MESSAGES.notFoundItem);
  const body = row.AnalysisStatus === "SUCCEEDED" ? await facesPage(c, query, row) : pythonJsonDumps(statusFields(row));
  return c.body(body, 200, {
    "content-type": SEED_JSON_CONTENT_TYPE,
    "cache-control": `${signed ? "private" : "public"}, max-age=${c.get("config").cacheTtlSeconds}`,
  });
});
