/**
 * Thumbnail figures for `npm run bench` (issue 11): CPU per thumbnail.jpg, poster.jpg and
 * storyboard.vtt request of a one-hour job (720 captures every 5 s in two widths), signed policy.
 *
 * Measured as bench/hls.ts measures: the deploy bundle in plain workerd, the workerd process's CPU
 * from /proc around batches of sequential requests, median over rounds; AWS is a fake on loopback
 * (DynamoDB GetItem answers the job's status and output rows, S3 GetObject an 8 KiB "JPEG"), so
 * its work is not counted. Every request is a cache miss (the Cache API is a no-op in plain
 * workerd), so each one covers: routing, parameter checks, the token check, two signed GetItems
 * and the rows' decoding, the capture choice, a signed GetObject and streaming its body (or the
 * storyboard's 720 cues and its embedded token), the access-log line; plus workerd's own HTTP
 * handling (about 0.2 ms: bench/worker.ts's bare route).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { LOCAL_HOST } from "../local/aws.ts";
import { jobScope, mintToken } from "../worker/auth/tokens.ts";
import { median, processCpuMs } from "./support/measure.ts";
import {
  compatibilityDateOf,
  deployBundle,
  startPlainWorkerd,
  wranglerVars,
  type PlainWorkerd,
} from "./support/workerd.ts";
import type { BenchResult } from "./types.ts";

const SECRET = "bench-token-secret-0123456789abcdef0123";
const JOB = "1735689600000-thumbs";
const CAPTURES_PER_WIDTH = 720;
const IMAGE = Buffer.alloc(8192, 0xff);

/** The status row (COMPLETE, with Captures) or the output row, as DynamoDB's JSON. */
function item(table: string): Record<string, unknown> {
  const set = (width: number, height: number) => ({
    M: {
      name_prefix: { S: `bench_thumb${width}` },
      width: { N: String(width) },
      height: { N: String(height) },
      count: { N: String(CAPTURES_PER_WIDTH) },
    },
  });
  if (/Status/i.test(table)) {
    return {
      JobId: { S: JOB },
      JobStatus: { S: "COMPLETE" },
      ProgressRate: { N: "100" },
      DurationMs: { N: String(CAPTURES_PER_WIDTH * 5000) },
      OutputPath: { S: "bench/out/" },
      CreationTime: { N: "1735689600" },
      Captures: { M: { interval_seconds: { N: "5" }, sets: { L: [set(320, 180), set(1280, 720)] } } },
    };
  }
  return {
    JobId: { S: JOB },
    OutputPath: { S: "bench/out/" },
    OutputBucket: { S: "media-output" },
    KeyFile: { S: "bench.key" },
    KeyValue: { S: "00112233445566778899aabbccddeeff" },
    CreationTime: { N: "1735689600" },
  };
}

/** Fake DynamoDB (GetItem by table) and S3 (GetObject) on one loopback server. */
async function startFakeAws(): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (request.method === "POST") {
        const table = String(
          (JSON.parse(Buffer.concat(chunks).toString() || "{}") as { TableName?: string }).TableName,
        );
        response
          .writeHead(200, { "content-type": "application/x-amz-json-1.0" })
          .end(JSON.stringify({ Item: item(table) }));
      } else if (request.method === "GET") {
        response.writeHead(200, { "content-type": "image/jpeg", "content-length": IMAGE.length }).end(IMAGE);
      } else {
        response.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, LOCAL_HOST, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${LOCAL_HOST}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** CPU per request of the workerd process over `count` sequential requests (status 200 checked). */
async function batchCpu(worker: PlainWorkerd, url: (index: number) => string, count: number) {
  let bytes = 0;
  const before = processCpuMs(worker.pid);
  for (let index = 0; index < count; index++) {
    const response = await fetch(url(index));
    const body = await response.arrayBuffer();
    if (response.status !== 200) {
      throw new Error(`${url(index)} answered ${response.status}: ${Buffer.from(body).toString()}\n${worker.output()}`);
    }
    bytes = body.byteLength;
  }
  return { cpuMs: (processCpuMs(worker.pid) - before) / count, bytes };
}

/** Runs the thumbnail bench. */
export async function run(): Promise<BenchResult[]> {
  const fake = await startFakeAws();
  let worker: PlainWorkerd | undefined;
  try {
    worker = await startPlainWorkerd({
      mainModule: deployBundle().main,
      compatibilityDate: compatibilityDateOf("wrangler.toml"),
      vars: {
        ...wranglerVars("wrangler.toml"),
        ALLOWED_ORIGINS: "https://app.example.com",
        TOKEN_SECRET: SECRET,
        PLAYBACK_POLICY: "signed",
        AWS_ACCESS_KEY_ID: "AKIDBENCH",
        AWS_SECRET_ACCESS_KEY: "bench-secret",
        S3_ENDPOINT: fake.url,
        DYNAMODB_ENDPOINT: fake.url,
      },
      readyPath: "/api/media/status",
    });
    const token = await mintToken(SECRET, { scope: jobScope(JOB), purpose: "thumbnail", ttlSeconds: 3600 });
    const base = `${worker.url}/api/media/vod/${JOB}`;
    const routes = [
      { name: "thumbnail.jpg?time=&width=", batch: 300, url: (i: number) => `${base}/thumbnail.jpg?time=${(i * 7) % 3600}&width=320&token=${token}` }, // prettier-ignore
      { name: "poster.jpg", batch: 300, url: () => `${base}/poster.jpg?token=${token}` },
      { name: "storyboard.vtt (720 cues)", batch: 100, url: () => `${base}/storyboard.vtt?token=${token}` },
    ].map((route) => ({ ...route, samples: [] as number[], bytes: 0 }));
    // Round-robin after warm-up rounds, as bench/hls.ts: no route gets the JIT or a quiet moment alone.
    for (let round = 0; round < 8; round++) {
      for (const route of routes) {
        const figure = await batchCpu(worker, route.url, route.batch);
        if (round >= 2) route.samples.push(figure.cpuMs);
        route.bytes = figure.bytes;
      }
    }
    return routes.map((route) => ({
      name: `${route.name}: CPU per request in workerd, signed, cache miss (${Math.round(route.bytes / 1024)} KiB)`,
      value: Math.round(median(route.samples) * 100) / 100,
      unit: "ms",
    }));
  } finally {
    await worker?.stop();
    await fake.stop();
  }
}
