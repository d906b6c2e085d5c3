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
import { facesScope, jobScope, recordingScope } from "../../worker/auth/tokens.ts";
import masterSource from "../fixtures/hls/mediaconvert/master.m3u8?raw";
import implicitSource from "../fixtures/hls/mediaconvert/rendition-implicit-iv.m3u8?raw";
import { recorderSegments, segmentBody, testToken } from "./hls-support.ts";
import { putItem } from "./support/dynamodb.ts";
import { bindings } from "./support/request.ts";
import { putObject, putObjects } from "./support/s3.ts";

export interface Case {
  name: string;
  method?: string;
  path: string;
  /** A token minted for the call, sent as `?token=`. */
  token?: [scope: string, purpose: "play" | "key" | "media"];
  status: number;
  headers?: () => Promise<Record<string, string>>;
  origin?: string | null;
  overrides?: () => Record<string, unknown>;
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
  const status = (JobId: string, JobStatus: string, ProgressRate: number) =>
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
    });
  await Promise.all([
    output(JOB),
    output(PROGRESSING),
    output(BAD_KEY, "not hex"),
    status(JOB, "COMPLETE", 100),
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

export async function seedOpenApiFixtures(): Promise<void> {
  await Promise.all([seedJobs(), seedObjects(), seedFaces()]);
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
  ...facesCases(),
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
    { name: "COMPLETE", path: `/api/media/status?job_id=${JOB}`, status: 200, body: { job_status: "COMPLETE" } },
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
