/**
 * The calls of test/worker/openapi.test.ts: for each route, its success and each documented error,
 * with the data they need in DynamoDB Local and the local S3 server, and the chaos upstream for the
 * shared upstream failures.
 */
import { buildManifest, prepareChunks } from "../../aws-lambdas/faces-collect/result-files.ts";
import {
  DEFAULT_ANALYSIS_PREFIX,
  DEFAULT_TABLES,
  epochSeconds,
  faceResultChunkKey,
  faceResultManifestKey,
} from "../../model/index.ts";
import { captureFileName, type FrameCaptures } from "../../model/captures.ts";
import { facesScope, jobScope, recordingScope, type TokenPurpose } from "../../worker/auth/tokens.ts";
import masterSource from "../fixtures/hls/mediaconvert/master.m3u8?raw";
import implicitSource from "../fixtures/hls/mediaconvert/rendition-implicit-iv.m3u8?raw";
import { recorderSegments, segmentBody, testToken } from "./hls-support.ts";
import { putItem } from "./support/dynamodb.ts";
import { bindings, callWith } from "./support/request.ts";
import { putObject, putObjects } from "./support/s3.ts";

export interface Case {
  name: string;
  method?: string;
  path: string;
  /** A token minted for the call, sent as `?token=`. */
  token?: [scope: string, purpose: TokenPurpose];
  status: number;
  headers?: () => Promise<Record<string, string>>;
  origin?: string | null;
  overrides?: () => Record<string, unknown>;
  /** A JSON request body, read when the case runs (after the fixtures are seeded). */
  json?: () => unknown;
  /** Fields the JSON body must contain, so the case exercises what it says. */
  body?: Record<string, unknown>;
}

const run = crypto.randomUUID().slice(0, 8);
const BUCKET = "media-output";
const OUTPUT = `uploads/openapi ${run}.mp4_20240102T030000Z/`;
const JOB = `1704164400000-oa${run}`;
const PROGRESSING = `1704164400000-op${run}`;
const BAD_KEY = `1704164400000-ok${run}`;
const INPUT = `openapi ${run}.mp4`;
const STREAM = `oa${run}`;
const T0 = 1_704_164_400; // 2024-01-02T03:00:00Z
const SEGMENT = `${JOB}/Big%20Buck%20Bunny.test_720p_00001.ts`;
const REC_SEGMENT = `${STREAM}/20240102T030000Z.ts`;
const FACES = {
  running: `uploads/oa-run ${run}.mp4`,
  done: `uploads/oa-done ${run}.mp4`,
  gone: `uploads/oa-gone ${run}.mp4`,
};
const FACES_JOB = `oafaces${run}${"0".repeat(40)}`;
const chaos = (behaviour: string) =>
  `${bindings.TEST_CHAOS_ENDPOINT}/${behaviour}/oa-${crypto.randomUUID().slice(0, 8)}`;
const q = encodeURIComponent;
/** One 320 px capture every 5 s over the 30 s video, named as MediaConvert names them. */
const CAPTURES: FrameCaptures = {
  interval_seconds: 5,
  sets: [{ name_prefix: "Big Buck Bunny.test_thumb320", width: 320, height: 180, count: 7 }],
};

async function seedJobs(): Promise<void> {
  const now = epochSeconds();
  const output = (JobId: string, KeyValue = "00112233445566778899aabbccddeeff") =>
    putItem(DEFAULT_TABLES.jobIdToOutput, {
      JobId,
      OutputBucket: BUCKET,
      OutputPath: OUTPUT,
      KeyValue,
      CreationTime: now,
    });
  const status = (JobId: string, JobStatus: string, ProgressRate: number, Captures?: FrameCaptures) =>
    putItem(DEFAULT_TABLES.jobIdToStatus, {
      JobId,
      JobStatus,
      ProgressRate,
      OutputPath: OUTPUT,
      Playlists: { ".m3u8": "Big Buck Bunny.test.m3u8" },
      PlaylistPaths: ["Big Buck Bunny.test.m3u8"],
      DurationMs: 30_030,
      CreationTime: now,
      ExpirationTime: now + 86_400,
      ...(Captures ? { Captures } : {}),
    });
  await Promise.all([
    output(JOB),
    output(PROGRESSING),
    output(BAD_KEY, "not hex"),
    status(JOB, "COMPLETE", 100, CAPTURES),
    status(PROGRESSING, "PROGRESSING", 40),
    putItem(DEFAULT_TABLES.inputFileToJobId, {
      InputFile: INPUT,
      JobId: JOB,
      CreationTime: now,
      ExpirationTime: now + 86_400,
    }),
  ]);
}

async function seedObjects(): Promise<void> {
  const segments = [1, 2, 3, 4, 5].map((n) => `${OUTPUT}Big Buck Bunny.test_720p_0000${n}.ts`);
  await putObjects(BUCKET, [
    { key: `${OUTPUT}Big Buck Bunny.test.m3u8`, body: masterSource },
    { key: `${OUTPUT}Big Buck Bunny.test_720p.m3u8`, body: implicitSource },
    { key: `${OUTPUT}broken.m3u8`, body: "this is not a playlist\n" },
    ...segments.map((key) => ({ key, body: segmentBody(key) })),
    ...Array.from({ length: 7 }, (_, i) => `${OUTPUT}${captureFileName("Big Buck Bunny.test_thumb320", i)}`).map(
      (key) => ({ key, body: segmentBody(key) }),
    ),
  ]);
  await putObjects("media-recordings", recorderSegments(`movie/${STREAM}/`, [T0, T0 + 30, T0 + 60]));
}

async function seedFaces(): Promise<void> {
  const now = epochSeconds();
  const row = (InputFile: string, fields: Record<string, unknown>) =>
    putItem(DEFAULT_TABLES.faceAnalysis, {
      InputFile,
      InputBucket: "media-input",
      CreationTime: now - 60,
      UpdateTime: now,
      ExpirationTime: now + 86_400,
      ...fields,
    });
  const faces = [0, 200, 400].map((Timestamp) => ({ Timestamp, Face: { Confidence: 99.5 } }));
  const prepared = prepareChunks(faces, 1000);
  await Promise.all(
    prepared.chunks.map((chunk, i) =>
      putObject(BUCKET, faceResultChunkKey(DEFAULT_ANALYSIS_PREFIX, FACES_JOB, i), chunk.body),
    ),
  );
  const checkpoint = {
    PagesDone: true,
    Pages: 1,
    FaceCount: faces.length,
    Chunks: prepared.chunks.map((c): [number, number, number] => [c.first, c.last, c.count]),
    Restarts: 0,
    VideoMetadata: {
      Codec: "h264",
      DurationMillis: 600_000,
      Format: "MP4",
      FrameRate: 30,
      FrameHeight: 720,
      FrameWidth: 1280,
    },
  };
  const manifest = buildManifest({
    prefix: DEFAULT_ANALYSIS_PREFIX,
    jobId: FACES_JOB,
    inputFile: FACES.done,
    inputBucket: "media-input",
    checkpoint,
    now: Date.now(),
  });
  await putObject(BUCKET, faceResultManifestKey(DEFAULT_ANALYSIS_PREFIX, FACES_JOB), JSON.stringify(manifest));
  const done = {
    AnalysisStatus: "SUCCEEDED",
    StatusRank: 3,
    FaceCount: 3,
    VideoDurationMs: 600_000,
    ResultBucket: BUCKET,
  };
  await Promise.all([
    row(FACES.running, { JobId: `oarun${run}`, AnalysisStatus: "IN_PROGRESS", StatusRank: 1 }),
    row(FACES.done, {
      ...done,
      JobId: FACES_JOB,
      ResultKey: faceResultManifestKey(DEFAULT_ANALYSIS_PREFIX, FACES_JOB),
    }),
    row(FACES.gone, {
      ...done,
      JobId: `oagone${run}`,
      ResultKey: faceResultManifestKey(DEFAULT_ANALYSIS_PREFIX, `oagone${run}`),
    }),
  ]);
}

interface SeededUpload {
  input_file: string;
  upload_id: string;
  etag: string;
}
/** Multipart uploads made through the Worker: `done` gets one part (then completed), `dropped` is aborted. */
const uploads: Record<"done" | "dropped", SeededUpload> = {
  done: { input_file: "", upload_id: "", etag: "" },
  dropped: { input_file: "", upload_id: "", etag: "" },
};

async function postUpload(path: string, body: unknown): Promise<Record<string, unknown>> {
  const token = await testToken("upload:*", "upload");
  const init = {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  };
  const response = await callWith({ MULTIPART_THRESHOLD_BYTES: String(5 * 1024 * 1024) }, path, init);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/** The seeded uploads' size: one part, over postUpload's multipart threshold. */
const PART_BYTES = 6 * 1024 * 1024;

/** A multipart upload through the Worker, with part 1 sent to its presigned URL (as a browser would). */
async function seedUpload(target: SeededUpload): Promise<void> {
  const created = await postUpload("/api/media/uploads", {
    file_name: `openapi ${run}.mp4`,
    content_type: "video/mp4",
    size: PART_BYTES,
  });
  target.input_file = String(created.input_file);
  target.upload_id = String((created.upload as Record<string, unknown>).upload_id);
  const parts = await postUpload("/api/media/uploads/parts", {
    input_file: target.input_file,
    upload_id: target.upload_id,
    part_numbers: [1],
  });
  const url = (parts.parts as Array<{ url: string }>)[0]!.url;
  // All of the declared size: completion refuses parts that add up to another.
  const put = await fetch(url, { method: "PUT", body: new Uint8Array(PART_BYTES) });
  if (!put.ok) throw new Error(`part PUT: ${put.status}`);
  await put.arrayBuffer();
  target.etag = put.headers.get("etag") ?? "";
}

export async function seedOpenApiFixtures(): Promise<void> {
  await Promise.all([seedJobs(), seedObjects(), seedFaces(), seedUpload(uploads.done), seedUpload(uploads.dropped)]);
}

const SIGNED = () => ({ PLAYBACK_POLICY: "signed", FACES_POLICY: "signed" });
const bearer = (token: Promise<string>) => async () => ({ authorization: `Bearer ${await token}` });

export const CASES: Case[] = [
  ...jobCases(),
  ...playlistCases(),
  ...segmentCases(
    `/api/media/segments/vod/${SEGMENT}`,
    `/api/media/segments/vod/${JOB}/x.m3u8`,
    `/api/media/segments/vod/${JOB}/missing.ts`,
    jobScope(JOB),
  ),
  ...segmentCases(
    `/api/media/segments/recordings/${REC_SEGMENT}`,
    `/api/media/segments/recordings/${STREAM}/x.ts`,
    `/api/media/segments/recordings/${STREAM}/20240102T050000Z.ts`,
    recordingScope(STREAM),
  ),
  ...keyCases(),
  ...stillCases("thumbnail.jpg", "?time=12&width=320"),
  ...stillCases("poster.jpg", ""),
  ...stillCases("storyboard.vtt", "?width=320"),
  ...facesCases(),
  ...uploadCases(),
  ...healthCases(),
  ...referenceCases(),
  ...sharedCases(),
];

function jobCases(): Case[] {
  return [
    { name: "found", path: `/api/media/job_id?input_file=${q(INPUT)}`, status: 200, body: { job_id: JOB } },
    { name: "no parameters", path: "/api/media/job_id", status: 400 },
    {
      name: "unknown upload",
      path: `/api/media/job_id?input_file=never-${run}`,
      status: 422,
      body: { message: "Not found item." },
    },
    {
      name: "COMPLETE",
      path: `/api/media/status?job_id=${JOB}`,
      status: 200,
      body: { job_status: "COMPLETE", captures: CAPTURES },
    },
    { name: "parameter absent", path: "/api/media/status?other=1", status: 400 },
    {
      name: "unknown job",
      path: `/api/media/status?job_id=never-${run}`,
      status: 422,
      body: { message: "Not found item." },
    },
  ];
}

function playlistCases(): Case[] {
  const window = `/api/media/recordings/playlist.m3u8?stream=${STREAM}&start=${T0}&end=${T0 + 90}`;
  const vod = `/api/media/vod/${JOB}/Big%20Buck%20Bunny.test.m3u8`;
  return [
    { name: "a final window", path: window, status: 200 },
    { name: "start missing", path: `/api/media/recordings/playlist.m3u8?stream=${STREAM}`, status: 400 },
    { name: "no token (signed)", path: window, status: 401, overrides: SIGNED },
    {
      name: "another stream's token",
      path: window,
      token: [recordingScope("other"), "play"],
      status: 403,
      overrides: SIGNED,
    },
    {
      name: "empty window",
      path: `/api/media/recordings/playlist.m3u8?stream=${STREAM}&start=${T0 - 3600}&end=${T0 - 1800}`,
      status: 404,
    },
    { name: "refused origin", path: window, status: 422, origin: "https://evil.example.net" },
    { name: "master", path: vod, status: 200 },
    {
      name: "rendition, clipped",
      path: `/api/media/vod/${JOB}/Big%20Buck%20Bunny.test_720p.m3u8?start=6&end=18`,
      status: 200,
    },
    { name: "not a playlist path", path: `/api/media/vod/${JOB}/movie.mp4`, status: 400 },
    { name: "no token (signed)", path: vod, status: 401, overrides: SIGNED },
    {
      name: "another job's token",
      path: vod,
      token: [jobScope("other-job"), "play"],
      status: 403,
      overrides: SIGNED,
    },
    { name: "unknown job", path: `/api/media/vod/unknown-${run}/movie.m3u8`, status: 404 },
    {
      name: "unfinished job",
      path: `/api/media/vod/${PROGRESSING}/movie.m3u8`,
      status: 409,
      body: { status: "PROGRESSING" },
    },
    { name: "unparsable source", path: `/api/media/vod/${JOB}/broken.m3u8`, status: 502 },
  ];
}

function segmentCases(path: string, badPath: string, missing: string, scope: string): Case[] {
  return [
    { name: "whole object", path, status: 200 },
    { name: "HEAD", method: "HEAD", path, status: 200 },
    { name: "a range", path, status: 206, headers: async () => ({ range: "bytes=0-3" }) },
    {
      name: "not modified",
      path,
      status: 304,
      headers: async () => ({ "if-modified-since": "Fri, 01 Jan 2100 00:00:00 GMT" }),
    },
    { name: "range outside", path, status: 416, headers: async () => ({ range: "bytes=100000-100010" }) },
    { name: "not a media file", path: badPath, status: 400 },
    { name: "no token (signed)", path, status: 401, overrides: SIGNED },
    { name: "HEAD without token (signed)", method: "HEAD", path, status: 401, overrides: SIGNED },
    { name: "a key token", path: path, token: [scope, "key"], status: 403, overrides: SIGNED },
    { name: "missing", path: missing, status: 404 },
  ];
}

function keyCases(): Case[] {
  const key = `/api/media/keys/${JOB}`;
  return [
    { name: "the key", path: key, token: [jobScope(JOB), "key"], status: 200 },
    { name: "bearer token", path: key, headers: bearer(testToken(jobScope(JOB), "play")), status: 200 },
    { name: "malformed id", path: "/api/media/keys/bad!id", status: 400 },
    { name: "no token", path: key, status: 401 },
    { name: "another job's token", path: key, token: [jobScope("other-job"), "key"], status: 403 },
    {
      name: "unknown job",
      path: `/api/media/keys/unknown-${run}`,
      token: [jobScope(`unknown-${run}`), "key"],
      status: 404,
    },
    {
      name: "unusable stored key",
      path: `/api/media/keys/${BAD_KEY}`,
      token: [jobScope(BAD_KEY), "key"],
      status: 500,
    },
  ];
}

function stillCases(name: string, query: string): Case[] {
  const path = `/api/media/vod/${JOB}/${name}${query}`;
  return [
    { name: "served", path, status: 200 },
    { name: "signed, play token", path, token: [jobScope(JOB), "play"], status: 200, overrides: SIGNED },
    { name: "bad width", path: `/api/media/vod/${JOB}/${name}?width=wide`, status: 400 },
    { name: "no token (signed)", path, status: 401, overrides: SIGNED },
    { name: "another job's token", path, token: [jobScope("other-job"), "thumbnail"], status: 403, overrides: SIGNED },
    { name: "unknown job", path: `/api/media/vod/unknown-${run}/${name}`, status: 404 },
    { name: "unfinished job", path: `/api/media/vod/${PROGRESSING}/${name}`, status: 409 },
  ];
}

function uploadCases(): Case[] {
  const UPLOAD: Case["token"] = ["upload:*", "upload"];
  const post = (path: string, json: () => unknown, status: number, name: string, extra: Partial<Case> = {}): Case => ({
    name,
    method: "POST",
    path: `/api/media/uploads${path}`,
    token: UPLOAD,
    json,
    status,
    ...extra,
  });
  const create =
    (size: number, contentType = "video/mp4") =>
    () => ({
      file_name: "clip.mp4",
      content_type: contentType,
      size,
    });
  const ref = (upload: SeededUpload, uploadId = upload.upload_id) => ({
    input_file: upload.input_file,
    upload_id: uploadId,
  });
  const common = (path: string, json: () => unknown): Case[] => [
    post(path, () => [], 400, "not a JSON object"),
    post(path, json, 401, "no token", { token: undefined }),
    post(path, json, 403, "a play token", { token: [jobScope(JOB), "play"] }),
  ];
  const unknown = () => ref(uploads.done, "no-such-upload");
  return [
    post("", create(1000), 201, "single PUT"),
    ...common("", create(1000)),
    post("", create(1e15), 413, "too large"),
    post("", create(1000, "text/plain"), 415, "not a video", { body: { content_type: "text/plain" } }),
    post("/parts", () => ({ ...ref(uploads.done), part_numbers: [2] }), 200, "presign, list uploaded"),
    ...common("/parts", () => ({ ...ref(uploads.done), part_numbers: [2] })),
    post("/parts", () => ({ ...unknown(), part_numbers: [1] }), 404, "unknown upload"),
    post(
      "/complete",
      () => ({
        ...ref(uploads.done),
        parts: [
          { part_number: 1, etag: uploads.done.etag },
          { part_number: 2, etag: '"x"' },
        ],
      }),
      409,
      "a part missing",
      { body: { missing_parts: [2] } },
    ),
    post(
      "/complete",
      () => ({ ...ref(uploads.done), parts: [{ part_number: 1, etag: uploads.done.etag }] }),
      413,
      "parts over MAX_UPLOAD_BYTES",
      { overrides: () => ({ MAX_UPLOAD_BYTES: "10" }), body: { max_bytes: 10 } },
    ),
    post(
      "/complete",
      () => ({
        ...ref(uploads.done, uploads.done.upload_id.replace(/^\d+:/, `${PART_BYTES + 1}:`)),
        parts: [{ part_number: 1, etag: uploads.done.etag }],
      }),
      409,
      "parts short of the declared size",
      { body: { size: PART_BYTES + 1, parts_bytes: PART_BYTES } },
    ),
    post(
      "/complete",
      () => ({ ...ref(uploads.done), parts: [{ part_number: 1, etag: uploads.done.etag }] }),
      200,
      "done",
    ),
    ...common("/complete", () => ({ ...ref(uploads.done), parts: [] })),
    post("/complete", () => ({ ...unknown(), parts: [{ part_number: 1, etag: '"x"' }] }), 404, "unknown upload"),
    post("/abort", () => ref(uploads.dropped), 200, "aborted"),
    ...common("/abort", () => ref(uploads.dropped)),
    post("/abort", unknown, 404, "unknown upload"),
  ];
}

function healthCases(): Case[] {
  return [
    { name: "all checks pass", path: "/api/media/health", status: 200, body: { success: true } },
    {
      name: "a table missing",
      path: "/api/media/health",
      status: 503,
      overrides: () => ({ TABLE_JOB_ID_TO_STATUS: `Missing${run}` }),
      body: { success: false },
    },
  ];
}

function facesCases(): Case[] {
  const faces = (inputFile: string) => `/api/media/faces?input_file=${q(inputFile)}`;
  return [
    { name: "in progress", path: faces(FACES.running), status: 200, body: { analysis_status: "IN_PROGRESS" } },
    { name: "a page of faces", path: `${faces(FACES.done)}&limit=2`, status: 200, body: { face_count: 3 } },
    { name: "both lookups", path: `${faces(FACES.done)}&job_id=${FACES_JOB}`, status: 400 },
    { name: "no token (signed)", path: faces(FACES.done), status: 401, overrides: SIGNED },
    {
      name: "another upload's token",
      path: faces(FACES.done),
      token: [facesScope({ by: "input_file", value: "x" }), "play"],
      status: 403,
      overrides: SIGNED,
    },
    { name: "result files deleted", path: faces(FACES.gone), status: 410 },
    { name: "unknown upload", path: faces(`uploads/never-${run}.mp4`), status: 422 },
  ];
}

function referenceCases(): Case[] {
  const noAssets = () => ({ ASSETS: undefined });
  return [
    { name: "the document", path: "/api/media/openapi.json", status: 200 },
    { name: "no assets", path: "/api/media/openapi.json", status: 404, overrides: noAssets },
    { name: "the page", path: "/api/media/docs", status: 200 },
    { name: "no assets", path: "/api/media/docs", status: 404, overrides: noAssets },
    { name: "Swagger UI's script", path: "/api/media/docs/swagger-ui-bundle.js", status: 200 },
    { name: "the page's styles", path: "/api/media/docs/swagger-ui.css", status: 200 },
    { name: "not a page file", path: "/api/media/docs/index.css", status: 404 },
  ];
}

/** The responses every route shares, each exercised on a route that can answer it. */
function sharedCases(): Case[] {
  const status = "/api/media/status?job_id=shared-probe";
  const dynamodb =
    (behaviour: string, extra: Record<string, string> = {}) =>
    () => ({
      DYNAMODB_ENDPOINT: chaos(behaviour),
      CACHE_TTL_SECONDS: "0",
      ...extra,
    });
  return [
    {
      name: "preflight",
      method: "OPTIONS",
      path: status,
      status: 204,
      headers: async () => ({ "access-control-request-method": "GET" }),
    },
    {
      name: "preflight, refused origin",
      method: "OPTIONS",
      path: status,
      status: 422,
      origin: "https://evil.example.net",
    },
    { name: "refused origin", path: "/api/media/faces?input_file=x", status: 422, origin: "https://evil.example.net" },
    { name: "configuration error", path: status, status: 500, overrides: () => ({ CACHE_TTL_SECONDS: "soon" }) },
    { name: "upstream rejects", path: status, status: 502, overrides: dynamodb("rejected") },
    { name: "upstream throttles", path: status, status: 503, overrides: dynamodb("throttle") },
    { name: "upstream hangs", path: status, status: 504, overrides: dynamodb("hang", { UPSTREAM_DEADLINE_MS: "400" }) },
  ];
}
