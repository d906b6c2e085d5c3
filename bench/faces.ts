/**
 * Face-result figures for `npm run bench` (issue "Face detection"): CPU per `GET /api/media/faces`
 * request over a large stored result (50,000 faces with DEFAULT attributes, written by faces-collect's
 * own writer in chunks of 1,000), and the S3 calls and bytes per request.
 *
 * How it is measured: the Worker's Hono app runs in this Node process (V8, like
 * workerd) and handles real Requests through `app.fetch`; outgoing fetches go to an in-process fake
 * AWS (DynamoDB GetItem/Query answering the SUCCEEDED row, S3 GetObject serving the result files from
 * memory). CPU is process.cpuUsage() around `app.fetch` minus the time the fake spent answering, so it
 * covers routing, validation, SigV4 signing, the DynamoDB unmarshalling, manifest parsing, line
 * selection and the response. The edge cache is a no-op stub: every request reads S3 (the slow path).
 * Figures are medians. Globals are restored afterwards.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildManifest, prepareChunks } from "../aws-lambdas/faces-collect/result-files.ts";
import {
  DEFAULT_ANALYSIS_PREFIX,
  faceResultChunkKey,
  faceResultManifestKey,
  type FaceCollectCheckpoint,
} from "../model/index.ts";
import { median } from "./support/measure.ts";
import type { BenchResult } from "./types.ts";

const S3 = "http://s3.bench.invalid";
const DYNAMODB = "http://dynamodb.bench.invalid";
const JOB = "bench0faces0000000000000000000000000000000000000000000000000001";
const INPUT = "uploads/bench video.mp4";
const FACES = 50_000;

type App = { fetch(request: Request, env: Record<string, unknown>, ctx: unknown): Promise<Response> };

/** The stored result: key -> body, as faces-collect writes it (pages of 1,000 faces, 5 per second). */
function storedResult(): Map<string, string> {
  const files = new Map<string, string>();
  const checkpoint: FaceCollectCheckpoint = { PagesDone: true, Pages: 0, FaceCount: 0, Chunks: [], Restarts: 0 };
  checkpoint.VideoMetadata = { Codec: "h264", DurationMillis: 10_000_000, Format: "QuickTime / MOV", FrameRate: 30 };
  const landmarks = ["eyeLeft", "eyeRight", "mouthLeft", "mouthRight", "nose"] as const;
  for (let start = 0; start < FACES; start += 1000) {
    const page = Array.from({ length: 1000 }, (_, i) => ({
      Timestamp: (start + i) * 200,
      Face: {
        BoundingBox: { Width: 0.123456, Height: 0.234567, Left: 0.345678, Top: 0.456789 },
        Landmarks: landmarks.map((Type, n) => ({ Type, X: 0.4 + n / 100, Y: 0.35 + n / 100 })),
        Pose: { Roll: -1.234567, Yaw: 4.567891, Pitch: 2.345678 },
        Quality: { Brightness: 72.123456, Sharpness: 86.86019 },
        Confidence: 99.99 - (i % 10) / 100,
      },
    }));
    for (const chunk of prepareChunks(page, 1000).chunks) {
      files.set(faceResultChunkKey(DEFAULT_ANALYSIS_PREFIX, JOB, checkpoint.Chunks.length), chunk.body);
      checkpoint.Chunks.push([chunk.first, chunk.last, chunk.count]);
      checkpoint.FaceCount += chunk.count;
    }
  }
  const manifest = buildManifest({
    prefix: DEFAULT_ANALYSIS_PREFIX,
    jobId: JOB,
    inputFile: INPUT,
    inputBucket: "media-input",
    checkpoint,
    now: Date.now(),
  });
  files.set(faceResultManifestKey(DEFAULT_ANALYSIS_PREFIX, JOB), JSON.stringify(manifest));
  return files;
}

interface FakeState {
  files: Map<string, string>;
  status: string;
  s3Calls: number;
  s3Bytes: number;
  fakeMs: number;
}

function fakeFetch(state: FakeState, realFetch: typeof fetch): typeof fetch {
  const row = () => ({
    InputFile: { S: INPUT },
    InputBucket: { S: "media-input" },
    JobId: { S: JOB },
    AnalysisStatus: { S: state.status },
    StatusRank: { N: "3" },
    FaceCount: { N: String(FACES) },
    VideoDurationMs: { N: "10000000" },
    ResultBucket: { S: "media-output" },
    ResultKey: { S: faceResultManifestKey(DEFAULT_ANALYSIS_PREFIX, JOB) },
    CreationTime: { N: "1795262400" },
    UpdateTime: { N: "1795263000" },
  });
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const started = performance.now();
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    let response: Response;
    if (url.origin === S3) {
      const key = decodeURIComponent(url.pathname.split("/").slice(2).join("/"));
      const body = state.files.get(key);
      state.s3Calls++;
      state.s3Bytes += body?.length ?? 0;
      response = body === undefined ? new Response("", { status: 404 }) : new Response(body);
    } else if (url.origin === DYNAMODB) {
      const target = request.headers.get("x-amz-target") ?? "";
      const body = target.endsWith("Query") ? { Items: [row()], Count: 1 } : { Item: row() };
      response = new Response(JSON.stringify(body), { headers: { "content-type": "application/x-amz-json-1.0" } });
    } else {
      return realFetch(input, init);
    }
    state.fakeMs += performance.now() - started;
    return response;
  }) as typeof fetch;
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

async function measure(app: App, env: Record<string, unknown>, state: FakeState, url: string, iterations: number) {
  const ctx = { waitUntil: () => undefined, passThroughOnException: () => undefined, props: {} };
  const samples: number[] = [];
  let last = { status: 0, bytes: 0, s3Calls: 0, s3Bytes: 0, body: "" };
  for (let i = 0; i < iterations + 10; i++) {
    state.s3Calls = 0;
    state.s3Bytes = 0;
    state.fakeMs = 0;
    const before = cpuMs();
    const response = await app.fetch(new Request(url), env, ctx);
    const body = await response.text();
    const spent = cpuMs() - before - state.fakeMs;
    if (i >= 10) samples.push(spent); // warm up the JIT first
    last = { status: response.status, bytes: body.length, s3Calls: state.s3Calls, s3Bytes: state.s3Bytes, body };
  }
  return { cpuMs: median(samples), ...last };
}

/** Runs the faces bench. */
export async function run(): Promise<BenchResult[]> {
  const realFetch = globalThis.fetch;
  const realCaches = (globalThis as { caches?: unknown }).caches;
  const realLog = console.log;
  const state: FakeState = { files: storedResult(), status: "SUCCEEDED", s3Calls: 0, s3Bytes: 0, fakeMs: 0 };
  globalThis.fetch = fakeFetch(state, realFetch);
  const cache = { match: async () => undefined, put: async () => undefined, delete: async () => false };
  (globalThis as unknown as { caches: unknown }).caches = { default: cache, open: async () => cache };
  console.log = () => undefined; // the app's one-line-per-request log
  try {
    const { default: app } = (await import(pathToFileURL(join(import.meta.dirname, "../worker/index.ts")).href)) as {
      default: App;
    };
    const env = {
      ALLOWED_ORIGINS: "https://app.example.com",
      TOKEN_SECRET: "bench-token-secret-0123456789abcdef0123",
      AWS_ACCESS_KEY_ID: "AKIDBENCH",
      AWS_SECRET_ACCESS_KEY: "bench-secret",
      S3_ENDPOINT: S3,
      DYNAMODB_ENDPOINT: DYNAMODB,
    };
    const base = `https://edge.bench/api/media/faces?input_file=${encodeURIComponent(INPUT)}`;
    const results: BenchResult[] = [];
    const record = (name: string, figure: Awaited<ReturnType<typeof measure>>, goal?: number) => {
      if (figure.status !== 200) throw new Error(`${name} answered ${figure.status}: ${figure.body.slice(0, 200)}`);
      results.push({
        name: `${name}: CPU per request (${Math.round(figure.bytes / 1024)} KiB answer)`,
        value: Math.round(figure.cpuMs * 100) / 100,
        unit: "ms",
        ...(goal !== undefined ? { goal: `< ${goal} ms (free plan: 10 ms)`, ok: figure.cpuMs < goal } : {}),
      });
      results.push({
        name: `${name}: S3 reads per request (${Math.round(figure.s3Bytes / 1024)} KiB read)`,
        value: figure.s3Calls,
        unit: "calls",
      });
    };

    record(`first page, limit 100, ${FACES} faces`, await measure(app, env, state, base, 200), 5);
    const first = await measure(app, env, state, `${base}&limit=1000&from_ms=5000100`, 1);
    const cursor = (JSON.parse(first.body) as { next_cursor: string }).next_cursor;
    record(
      "mid-video page via cursor, limit 1000 (spans 2 chunks)",
      await measure(app, env, state, `${base}&limit=1000&cursor=${cursor}`, 100),
      10,
    );
    record(
      "window from_ms/to_ms (1 minute, 300 faces)",
      await measure(app, env, state, `${base}&from_ms=6000000&to_ms=6060000&limit=1000`, 100),
      5,
    );
    state.status = "IN_PROGRESS";
    record("running job (status only)", await measure(app, env, state, base, 200));
    return results;
  } finally {
    globalThis.fetch = realFetch;
    (globalThis as unknown as { caches: unknown }).caches = realCaches;
    console.log = realLog;
  }
}
