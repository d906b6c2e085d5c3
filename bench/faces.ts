/**
 * Face-result figures for `npm run bench` (issue "Face detection"): CPU per `GET /api/media/faces`
 * request over a large stored result (50,000 faces with DEFAULT attributes, written by faces-collect's
 * own writer in chunks of 1,000), and the S3 calls and bytes per request.
 *
 * How it is measured: the Worker's deploy bundle runs in plain workerd (bench/support/workerd.ts),
 * like the status and HLS figures, against a fake AWS on loopback in this Node process (DynamoDB
 * GetItem/Query answering the analysis row, S3 GetObject serving the result files from memory, byte
 * ranges as S3 serves them), so
 * the fake's work is not counted. CPU is the workerd process's CPU over batches of sequential
 * requests, median over rounds (round-robin over the measures): routing, validation, SigV4 signing,
 * the DynamoDB unmarshalling, reading the result files, manifest parsing, line selection and the
 * response, plus workerd's HTTP handling (the bare anchor shows how much). CACHE_TTL_SECONDS=0: every
 * request reads S3 (the slow path). Before issue 12 this ran in Node around `app.fetch`, where
 * Node's web streams and TextDecoder (not workerd's native ones) were most of the figure.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { buildManifest, prepareChunks } from "../aws-lambdas/faces-collect/result-files.ts";
import { LOCAL_HOST } from "../local/aws.ts";
import {
  DEFAULT_ANALYSIS_PREFIX,
  faceResultChunkKey,
  faceResultManifestKey,
  type FaceChunkLineIndex,
  type FaceCollectCheckpoint,
} from "../model/index.ts";
import { median, processCpuMs } from "./support/measure.ts";
import { startConfigInWorkerd, wranglerVars, type PlainWorkerd } from "./support/workerd.ts";
import type { BenchResult } from "./types.ts";

const JOB = "bench0faces0000000000000000000000000000000000000000000000000001";
const INPUT = "uploads/bench video.mp4";
const RUNNING_INPUT = "uploads/bench running.mp4";
const FACES = 50_000;
const ROUNDS = 5;
const BATCH = 80;

/** The stored result: key -> body, as faces-collect writes it (pages of 1,000 faces, 5 per second). */
function storedResult(): Map<string, string> {
  const files = new Map<string, string>();
  const checkpoint: FaceCollectCheckpoint = { PagesDone: true, Pages: 0, FaceCount: 0, Chunks: [], Restarts: 0 };
  checkpoint.VideoMetadata = { Codec: "h264", DurationMillis: 10_000_000, Format: "QuickTime / MOV", FrameRate: 30 };
  const lineIndexes = new Map<number, FaceChunkLineIndex>();
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
      lineIndexes.set(checkpoint.Chunks.length, chunk.index);
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
    lineIndexes,
    now: Date.now(),
  });
  files.set(faceResultManifestKey(DEFAULT_ANALYSIS_PREFIX, JOB), JSON.stringify(manifest));
  return files;
}

interface FakeAws {
  url: string;
  s3Calls: number;
  s3Bytes: number;
  stop(): Promise<void>;
}

function analysisRow(status: string): Record<string, unknown> {
  return {
    InputFile: { S: status === "SUCCEEDED" ? INPUT : RUNNING_INPUT },
    InputBucket: { S: "media-input" },
    JobId: { S: JOB },
    AnalysisStatus: { S: status },
    StatusRank: { N: "3" },
    FaceCount: { N: String(FACES) },
    VideoDurationMs: { N: "10000000" },
    ResultBucket: { S: "media-output" },
    ResultKey: { S: faceResultManifestKey(DEFAULT_ANALYSIS_PREFIX, JOB) },
    CreationTime: { N: "1795262400" },
    UpdateTime: { N: "1795263000" },
  };
}

/** The part of `body` a `Range: bytes=first-last` header asks for (206), or all of it (200), like S3. */
function ranged(body: Buffer, range: string | undefined): { status: number; body: Buffer; headers: object } {
  const match = /^bytes=(\d+)-(\d+)$/.exec(range ?? "");
  if (!match) return { status: 200, body, headers: {} };
  const [first, last] = [Number(match[1]), Math.min(Number(match[2]), body.length - 1)];
  const part = body.subarray(first, last + 1);
  return { status: 206, body: part, headers: { "content-range": `bytes ${first}-${last}/${body.length}` } };
}

/** S3 GetObject (path-style) from `files`, DynamoDB GetItem/Query answering the analysis row. */
function answer(files: Map<string, Buffer>, state: { s3Calls: number; s3Bytes: number }) {
  return (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://fake");
      if (request.method === "GET") {
        const stored = files.get(decodeURIComponent(url.pathname.split("/").slice(2).join("/")));
        state.s3Calls++;
        if (stored === undefined) return void response.writeHead(404).end();
        const { status, body, headers } = ranged(stored, request.headers.range);
        state.s3Bytes += body.length;
        return void response.writeHead(status, { ...headers, "content-length": body.length }).end(body);
      }
      const status = Buffer.concat(chunks).toString().includes("running") ? "IN_PROGRESS" : "SUCCEEDED";
      const query = String(request.headers["x-amz-target"]).endsWith("Query");
      const body = query ? { Items: [analysisRow(status)], Count: 1 } : { Item: analysisRow(status) };
      response.writeHead(200, { "content-type": "application/x-amz-json-1.0" }).end(JSON.stringify(body));
    });
  };
}

async function startFakeAws(files: Map<string, string>): Promise<FakeAws> {
  const state = { s3Calls: 0, s3Bytes: 0 };
  const bodies = new Map([...files].map(([key, text]) => [key, Buffer.from(text)]));
  const server = createServer(answer(bodies, state));
  await new Promise<void>((resolve) => server.listen(0, LOCAL_HOST, resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://${LOCAL_HOST}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

interface Measure {
  name: string;
  url: string;
  goalMs?: number;
  cpu: number[];
  bytes: number;
  s3Calls: number;
  s3Bytes: number;
}

/** One batch of sequential requests: workerd CPU per request, answer size, S3 reads per request. */
async function runBatch(worker: PlainWorkerd, fake: FakeAws, measure: Measure): Promise<void> {
  fake.s3Calls = 0;
  fake.s3Bytes = 0;
  const before = processCpuMs(worker.pid);
  for (let index = 0; index < BATCH; index++) {
    const response = await fetch(measure.url);
    const body = await response.text();
    if (response.status !== 200) throw new Error(`${measure.name} answered ${response.status}: ${body.slice(0, 200)}`);
    measure.bytes = body.length;
  }
  measure.cpu.push((processCpuMs(worker.pid) - before) / BATCH);
  measure.s3Calls = fake.s3Calls / BATCH;
  measure.s3Bytes = fake.s3Bytes / BATCH;
}

function results(measure: Measure): BenchResult[] {
  const cpu = median(measure.cpu);
  return [
    {
      name: `${measure.name}: CPU per request (${Math.round(measure.bytes / 1024)} KiB answer)`,
      value: Math.round(cpu * 100) / 100,
      unit: "ms",
      cpu: true,
      ...(measure.goalMs !== undefined
        ? { goal: `< ${measure.goalMs} ms (free plan: 10 ms)`, ok: cpu < measure.goalMs }
        : {}),
    },
    {
      name: `${measure.name}: S3 reads per request (${Math.round(measure.s3Bytes / 1024)} KiB read)`,
      value: measure.s3Calls,
      unit: "calls",
    },
  ];
}

/** Runs the faces bench. */
export async function run(): Promise<BenchResult[]> {
  const fake = await startFakeAws(storedResult());
  let worker: PlainWorkerd | undefined;
  try {
    worker = await startConfigInWorkerd("wrangler.toml", {
      vars: {
        ...wranglerVars("wrangler.toml"),
        ALLOWED_ORIGINS: "https://app.example.com",
        TOKEN_SECRET: "bench-token-secret-0123456789abcdef0123",
        AWS_ACCESS_KEY_ID: "AKIDBENCH",
        AWS_SECRET_ACCESS_KEY: "bench-secret",
        S3_ENDPOINT: fake.url,
        DYNAMODB_ENDPOINT: fake.url,
        CACHE_TTL_SECONDS: "0",
      },
      readyPath: "/api/media/status",
    });
    const base = `${worker.url}/api/media/faces?input_file=${encodeURIComponent(INPUT)}`;
    const first = await (await fetch(`${base}&limit=1000&from_ms=5000100`)).json();
    const cursor = (first as { next_cursor: string }).next_cursor;
    const measure = (name: string, url: string, goalMs?: number): Measure => ({
      name,
      url,
      goalMs,
      cpu: [],
      bytes: 0,
      s3Calls: 0,
      s3Bytes: 0,
    });
    const measures = [
      measure(`first page, limit 100, ${FACES} faces`, base, 5),
      measure("mid-video page via cursor, limit 1000 (spans 2 chunks)", `${base}&limit=1000&cursor=${cursor}`, 10),
      measure("window from_ms/to_ms (1 minute, 300 faces)", `${base}&from_ms=6000000&to_ms=6060000&limit=1000`, 5),
      measure(
        "running job (status only)",
        `${worker.url}/api/media/faces?input_file=${encodeURIComponent(RUNNING_INPUT)}`,
      ),
    ];
    for (const each of measures) await runBatch(worker, fake, each); // warm-up round, not counted
    for (const each of measures) each.cpu.length = 0;
    for (let round = 0; round < ROUNDS; round++) for (const each of measures) await runBatch(worker, fake, each);
    return measures.flatMap(results);
  } finally {
    await Promise.all([worker?.stop(), fake.stop()]);
  }
}
