/**
 * `npm run upload`'s code path end to end: local/upload-client.ts calls the Worker's uploads API (a
 * real `wrangler dev` against the local servers), PUTs the bytes to the local S3 server through
 * the presigned URLs (one PUT, and a two-part multipart upload), and the local pipeline (as `npm start`
 * wires it) turns each upload into a MediaConvert job whose InputFile row is what job_id is asked with.
 *
 * Own DynamoDB Local and s3rver (the pipeline needs s3rver's in-process events), like
 * local-pipeline.test.ts; ffmpeg is required.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ensureBuckets,
  ensureTables,
  localDynamoDbClient,
  localS3Client,
  startDynamoDbLocal,
  startS3Server,
  type LocalS3Server,
  type RunningService,
} from "../../local/aws.ts";
import { localEndpoints, localWorkerDefaults } from "../../local/defaults.ts";
import { hasTool } from "../../local/emulators/media-tools.ts";
import { startLocalPipeline, type LocalPipeline } from "../../local/pipeline.ts";
import { UploadError, uploadThroughApi, type ApiFetch } from "../../local/upload-client.ts";
import { DEFAULT_BUCKETS, DEFAULT_TABLES } from "../../model/index.ts";
import { startWranglerDev, type WranglerDev } from "../../local/wrangler-dev.ts";
import { mintToken } from "../../worker/auth/tokens.ts";

const run = promisify(execFile);
const DEADLINE_MS = 90_000;
const MiB = 1024 * 1024;

let work: string;
let dynamodb: RunningService;
let s3: LocalS3Server;
let pipeline: LocalPipeline;
let ddb: DynamoDBDocumentClient;
let s3Client: S3Client;
let api: ApiFetch;
let worker: WranglerDev;
const lines: string[] = [];

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Timed out waiting for ${what}.\nPipeline log:\n${lines.join("\n")}`);
}

/** The job of an upload, once its status is terminal, through GET /api/media/job_id?input_file= (the seed's endpoint). */
async function finishedJob(inputFile: string): Promise<{ jobId: string; status: string }> {
  const jobId = await waitFor(`the job of ${inputFile}`, async () => {
    const response = await fetch(`${worker.url}/api/media/job_id?input_file=${encodeURIComponent(inputFile)}`);
    const body = (await response.json()) as { job_id?: string };
    return response.status === 200 ? body.job_id : undefined;
  });
  const status = await waitFor(`a terminal status of ${jobId}`, async () => {
    const row = await ddb.send(
      new GetCommand({ TableName: DEFAULT_TABLES.jobIdToStatus, Key: { JobId: jobId }, ConsistentRead: true }),
    );
    const value = String(row.Item?.JobStatus);
    return ["COMPLETE", "ERROR", "CANCELED"].includes(value) ? value : undefined;
  });
  return { jobId, status };
}

let env: Record<string, string>;

/** A 2-s test clip from a lavfi video source, with `output` options (e.g. a quantiser for size). */
async function clip(name: string, video: string, output: string[] = []): Promise<string> {
  const path = join(work, name);
  await run("ffmpeg", [
    "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
    "-f", "lavfi", "-i", video,
    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
    "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", ...output, "-pix_fmt", "yuv420p", "-c:a", "aac", path,
  ]); // prettier-ignore
  return path;
}

beforeAll(async () => {
  if (!(await hasTool("ffmpeg")) || !(await hasTool("ffprobe"))) {
    throw new Error("ffmpeg and ffprobe are required (apt-get install -y ffmpeg; CI's .ci/run installs it).");
  }
  work = mkdtempSync(join(tmpdir(), "media-edge-upload-"));
  [dynamodb, s3] = await Promise.all([startDynamoDbLocal(), startS3Server({ directory: join(work, "s3") })]);
  ddb = DynamoDBDocumentClient.from(localDynamoDbClient(dynamodb.endpoint));
  s3Client = localS3Client(s3.endpoint);
  await Promise.all([
    ensureTables(dynamodb.endpoint, DEFAULT_TABLES),
    ensureBuckets(s3.endpoint, Object.values(DEFAULT_BUCKETS)),
  ]);
  const endpoints = localEndpoints({ dynamodb: dynamodb.port, s3: s3.port, worker: 8787, emulators: 0 });
  // The local stack's Worker settings, with multipart from 5 MiB so the large clip goes in parts.
  // The cache TTL is 0 so job_id is asked again while the job is still being created.
  env = {
    ...localWorkerDefaults(endpoints),
    UPLOAD_POLICY: "signed",
    MULTIPART_THRESHOLD_BYTES: String(5 * MiB),
    CACHE_TTL_SECONDS: "0",
  };
  worker = await startWranglerDev({ vars: env });
  api = (path, init) => fetch(`${worker.url}${path}`, init);
  pipeline = await startLocalPipeline({
    s3,
    endpoints,
    env: {},
    emulatorPort: 0,
    log: (line) => lines.push(line),
    retryDelaysMs: [300, 1000],
    emulators: { startDelayMs: 300, statusUpdateMs: 200, processingDelayMs: 200 },
  });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await pipeline?.stop();
  ddb?.destroy();
  s3Client?.destroy();
  await Promise.all([dynamodb?.stop(), s3?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("npm run upload's path: uploads API -> presigned S3 -> local pipeline -> job", () => {
  const token = () => mintToken(env.TOKEN_SECRET!, { scope: "upload:*", purpose: "upload", ttlSeconds: 600 });

  it("a small clip goes up in one PUT and becomes a COMPLETE job", async () => {
    const file = await clip("small clip.mp4", "testsrc=size=320x180:rate=25");
    const result = await uploadThroughApi({ file, api, token: await token() });
    expect(result.kind).toBe("single");
    expect(result.inputFile).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{16}\/small_clip\.mp4$/);
    const stored = await s3Client.send(new GetObjectCommand({ Bucket: DEFAULT_BUCKETS.input, Key: result.inputFile }));
    expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(readFileSync(file))).toBe(true);
    expect(await finishedJob(result.inputFile)).toMatchObject({ status: "COMPLETE" });
  });

  it("a large clip goes up in two parts (progress reported) and becomes a COMPLETE job", async () => {
    const file = await clip("large.mov", "testsrc=size=640x360:rate=25,noise=alls=80:allf=t", ["-qp", "10"]);
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(8 * MiB);
    const progress: number[] = [];
    const result = await uploadThroughApi({
      file,
      api,
      token: await token(),
      onProgress: (sent) => progress.push(sent),
    });
    expect(result).toMatchObject({ kind: "multipart", partsUploaded: 2 });
    expect(progress.at(-1)).toBe(size);
    const stored = await s3Client.send(new GetObjectCommand({ Bucket: DEFAULT_BUCKETS.input, Key: result.inputFile }));
    expect(stored.ContentType).toBe("video/quicktime");
    expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(readFileSync(file))).toBe(true);
    expect(await finishedJob(result.inputFile)).toMatchObject({ status: "COMPLETE" });
  });

  it("a refused upload reports the API's status and message", async () => {
    const file = join(work, "notes.txt");
    await run("sh", ["-c", `printf hello > '${file}'`]);
    const refused = uploadThroughApi({ file, api, token: await token() });
    await expect(refused).rejects.toBeInstanceOf(UploadError);
    await expect(refused).rejects.toMatchObject({ status: 415 });
    await expect(uploadThroughApi({ file: join(work, "small clip.mp4"), api })).rejects.toMatchObject({ status: 401 });
  });
});
