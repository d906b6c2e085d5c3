/**
 * The local pipeline end to end, as `npm start` wires it (local/pipeline.ts): a real upload to s3rver
 * -> submit-job and faces-start -> the MediaConvert emulator transcodes with ffmpeg and the Rekognition
 * emulator "detects" synthetic faces -> job-state and faces-collect record the results in DynamoDB
 * Local and S3.
 *
 * This file starts its own DynamoDB Local and s3rver (the global setup's run in another process,
 * and the pipeline needs s3rver's in-process events). ffmpeg is required: without it the tests fail
 * with a message saying so (CI installs it).
 */
import { execFile } from "node:child_process";
import { createDecipheriv } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryLog, type MemoryLog } from "../../aws-lambdas/shared/logger.ts";
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
import { localEndpoints } from "../../local/defaults.ts";
import { followUpload } from "../../local/follow-upload.ts";
import { hasTool } from "../../local/emulators/media-tools.ts";
import { renditionSizes } from "../../local/emulators/mediaconvert.ts";
import { FACE_INTERVAL_MS } from "../../local/emulators/rekognition.ts";
import { startLocalPipeline, type LocalPipeline } from "../../local/pipeline.ts";
import { startWranglerDev, type WranglerDev } from "../../local/wrangler-dev.ts";
import {
  DEFAULT_BUCKETS,
  DEFAULT_RECORDINGS_PREFIX,
  DEFAULT_TABLES,
  FACE_ANALYSIS_JOB_INDEX,
} from "../../model/index.ts";
import { decodeRecordingIndex, recordingIndexKey, spanStart } from "../../worker/hls/recording-index.ts";
import { formatSegmentName } from "../../worker/hls/recordings.ts";
import { captureFileName } from "../../model/captures.ts";
import { HLS_LADDER, fitWithoutUpscale } from "../../model/ladder.ts";
import { E2E_TOKEN_SECRET, workerVars } from "./support/vod-job.ts";

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** A key with a space, a `+` and a folder: S3 form-encodes it in events ("+" for space, %2B for "+"). */
const KEY = "e2e uploads/clip 1+2.mp4";
/** The uploaded clip's frame size: smaller than every rung of the ladder. */
const CLIP = { width: 320, height: 180 };
const BAD_KEY = "e2e uploads/not a video.mp4";
/** A hang guard, not a timing assertion: the emulator encodes the whole ladder (up to 720p) on a busy machine. */
const DEADLINE_MS = 80_000;

let work: string;
let dynamodb: RunningService;
let s3: LocalS3Server;
let pipeline: LocalPipeline;
/** Clients of the servers above, created once they run and destroyed before they stop. */
let ddb: DynamoDBDocumentClient;
let s3Client: S3Client;
const logs = new Map<string, MemoryLog>();
const lines: string[] = [];

async function getItem(table: string, key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
  const result = await ddb.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
  return result.Item;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (last !== undefined) return last;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`Timed out after ${DEADLINE_MS} ms waiting for ${what}.\nPipeline log:\n${lines.join("\n")}`);
}

async function getText(bucket: string, key: string): Promise<Buffer> {
  const object = await s3Client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

async function listKeys(bucket: string, prefix = ""): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3Client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).map((object) => object.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

/** The status row once it is terminal. */
async function terminalStatus(inputFile: string): Promise<{ jobId: string; row: Record<string, unknown> }> {
  const jobId = await waitFor(`the InputFile row of ${inputFile}`, async () => {
    const row = await getItem(DEFAULT_TABLES.inputFileToJobId, { InputFile: inputFile });
    return typeof row?.JobId === "string" ? row.JobId : undefined;
  });
  const row = await waitFor(`a terminal status for ${jobId}`, async () => {
    const item = await getItem(DEFAULT_TABLES.jobIdToStatus, { JobId: jobId });
    return item && ["COMPLETE", "ERROR", "CANCELED"].includes(String(item.JobStatus)) ? item : undefined;
  });
  return { jobId, row };
}

async function terminalAnalysis(inputFile: string): Promise<Record<string, unknown>> {
  return waitFor(`a terminal face analysis for ${inputFile}`, async () => {
    const row = await getItem(DEFAULT_TABLES.faceAnalysis, { InputFile: inputFile });
    return row && ["SUCCEEDED", "FAILED", "SKIPPED"].includes(String(row.AnalysisStatus)) ? row : undefined;
  });
}

beforeAll(async () => {
  if (!(await hasTool("ffmpeg")) || !(await hasTool("ffprobe"))) {
    throw new Error(
      "ffmpeg and ffprobe are required by the local pipeline test (the MediaConvert emulator transcodes with " +
        "them): apt-get install -y ffmpeg (CI's .ci/run installs it).",
    );
  }
  work = mkdtempSync(join(tmpdir(), "media-edge-pipeline-"));
  const clip = join(work, "clip.mp4");
  [dynamodb, s3] = await Promise.all([
    startDynamoDbLocal(),
    startS3Server({ directory: join(work, "s3") }),
    run("ffmpeg", [
      "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
      "-f", "lavfi", "-i", `testsrc=size=${CLIP.width}x${CLIP.height}:rate=25`,
      "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
      "-t", "6", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", clip,
    ]), // prettier-ignore
  ]);
  ddb = DynamoDBDocumentClient.from(localDynamoDbClient(dynamodb.endpoint));
  s3Client = localS3Client(s3.endpoint);
  await Promise.all([
    ensureTables(dynamodb.endpoint, DEFAULT_TABLES),
    ensureBuckets(s3.endpoint, Object.values(DEFAULT_BUCKETS)),
  ]);
  const endpoints = localEndpoints({ dynamodb: dynamodb.port, s3: s3.port, worker: 8787, emulators: 0 });
  pipeline = await startLocalPipeline({
    s3,
    endpoints,
    // Only the local defaults: nothing from the environment the tests happen to run in.
    env: {},
    emulatorPort: 0,
    lambdaLog: (name) => {
      const log = memoryLog();
      logs.set(name, log);
      return log;
    },
    log: (line) => lines.push(line),
    retryDelaysMs: [300, 1000],
    emulators: { startDelayMs: 300, statusUpdateMs: 200, processingDelayMs: 200 },
  });
  await s3Client.send(new PutObjectCommand({ Bucket: DEFAULT_BUCKETS.input, Key: KEY, Body: readFileSync(clip) }));
  // Not a video: MediaConvert cannot open it (ERROR 1010), Rekognition cannot decode it (FAILED).
  await s3Client.send(
    new PutObjectCommand({ Bucket: DEFAULT_BUCKETS.input, Key: BAD_KEY, Body: Buffer.alloc(4096, 0x61) }),
  );
  // Java, s3rver and an ffmpeg encode: seconds on an idle machine, a minute on 2 cores at load ~20.
}, 180_000);

afterAll(async () => {
  await pipeline?.stop();
  ddb?.destroy();
  s3Client?.destroy();
  await Promise.all([dynamodb?.stop(), s3?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

// The emulator encodes the shared ladder (model/ladder.ts), as the deployed job template does.
const RENDITIONS = HLS_LADDER.renditions.map((r) => `clip 1+2${r.nameModifier}`);
/**
 * Each rendition's size: FIT_NO_UPSCALE (model/ladder.ts) fits the clip inside its rung without
 * upscaling, so the 320x180 clip, smaller than every rung, stays 320x180 in all of them.
 */
const SIZES = renditionSizes(HLS_LADDER, CLIP);
const LARGEST = SIZES.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));

describe("npm start's local pipeline: upload -> Lambdas -> emulators -> rows and HLS", () => {
  it("the status row reaches COMPLETE with duration, size and every playlist; the InputFile row names the job", async () => {
    const { jobId, row } = await terminalStatus(KEY);
    expect(jobId).toMatch(/^\d{13}-[a-z0-9]{6}$/);
    expect(row).toMatchObject({
      JobStatus: "COMPLETE",
      ProgressRate: 100,
      WidthPx: LARGEST.width,
      HeightPx: LARGEST.height,
    });
    expect(Math.abs(Number(row.DurationMs) - 6000)).toBeLessThanOrEqual(100);
    expect(row.Playlists).toEqual({ ".m3u8": "clip 1+2.m3u8" });
    expect(row.PlaylistPaths).toEqual(["clip 1+2.m3u8", ...RENDITIONS.map((name) => `${name}.m3u8`).sort()]);
    expect(row.OutputPath).toMatch(/^e2e uploads\/clip 1\+2\.mp4_\d{14}\/$/);
    // The events went through job-state: PROGRESSING/STATUS_UPDATE before COMPLETE. job-state writes
    // the row during its invocation, and the pipeline logs the invocation when it returns: wait for
    // COMPLETE's line, or a poll that saw the row first reads the log without it.
    const statuses = await waitFor(`job-state's line for COMPLETE of ${jobId}`, async () => {
      const seen = lines
        .filter((line) => line.includes(`(job ${jobId})`))
        .map((line) => /MediaConvert (\w+)/.exec(line)?.[1]);
      return seen.includes("COMPLETE") ? seen : undefined;
    });
    expect(statuses[0]).toBe("PROGRESSING");
    expect(statuses.filter((status) => status === "STATUS_UPDATE").length).toBeGreaterThanOrEqual(2);
    expect(statuses.at(-1)).toBe("COMPLETE");
  }, 90_000);

  it("the job's File group gives JPEG captures at the ladder's interval and boxes (fitted, never upscaled), listed in the row and info.json", async () => {
    const { row } = await terminalStatus(KEY);
    const settings = HLS_LADDER.frameCaptures!;
    // A 6-s clip captured every 5 s: the first frame and the one at 5 s, per box. Each set is named
    // by its box and sized as FIT_NO_UPSCALE fits the clip in it: the 320x180 clip stays 320x180 in
    // the 1280x720 box too. Sets are listed by actual width, ties in the ladder's box order.
    const captures = {
      interval_seconds: settings.intervalSeconds,
      sets: settings.boxes
        .map((box) => ({ name_prefix: `clip 1+2_thumb${box.width}`, ...fitWithoutUpscale(CLIP, box), count: 2 }))
        .sort((a, b) => a.width - b.width),
    };
    expect(captures.sets.map(({ width, height }) => ({ width, height }))).toEqual(settings.boxes.map(() => CLIP));
    expect(row.Captures).toEqual(captures);
    const folder = String(row.OutputPath);
    const info = JSON.parse((await getText(DEFAULT_BUCKETS.output, `${folder}info.json`)).toString());
    expect(info.captures).toEqual(captures);
    for (const box of settings.boxes) {
      for (const index of [0, 1]) {
        const jpeg = await getText(
          DEFAULT_BUCKETS.output,
          `${folder}${captureFileName(`clip 1+2_thumb${box.width}`, index)}`,
        );
        expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
      }
    }
  });

  it("writes the master, every rendition of the ladder and their segments, info.json without key material, and no .key object", async () => {
    const { jobId, row } = await terminalStatus(KEY);
    const output = await getItem(DEFAULT_TABLES.jobIdToOutput, { JobId: jobId });
    const keyHex = String(output?.KeyValue);
    expect(keyHex).toMatch(/^[0-9a-f]{32}$/);
    const folder = String(row.OutputPath);
    const keys = await listKeys(DEFAULT_BUCKETS.output, folder);
    const master = (await getText(DEFAULT_BUCKETS.output, `${folder}clip 1+2.m3u8`)).toString();
    expect(master).toMatch(/^#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n/);
    expect(SIZES).toEqual(HLS_LADDER.renditions.map(() => CLIP)); // no rendition upscaled
    const resolutions = [...master.matchAll(/RESOLUTION=(\d+)x(\d+)/g)].map(([, w, h]) => ({
      width: Number(w),
      height: Number(h),
    }));
    expect(resolutions).toEqual(SIZES);
    expect(master).toContain('CODECS="avc1.4d401f,mp4a.40.2"');
    for (const rendition of RENDITIONS) {
      expect(master).toContain(`\n${rendition}.m3u8\n`);
      const playlist = (await getText(DEFAULT_BUCKETS.output, `${folder}${rendition}.m3u8`)).toString();
      const segments = playlist.split("\n").filter((line) => line.endsWith(".ts"));
      expect(segments).toEqual([1, 2, 3].map((n) => `${rendition}_0000${n}.ts`));
      for (const segment of segments) expect(keys).toContain(folder + segment);
      expect(playlist).toContain("#EXT-X-MEDIA-SEQUENCE:1\n");
      expect(playlist).toContain("#EXT-X-ENDLIST");
    }
    const info = (await getText(DEFAULT_BUCKETS.output, `${folder}info.json`)).toString();
    expect(JSON.parse(info)).toMatchObject({
      duration_ms: expect.any(Number),
      width_px: LARGEST.width,
      height_px: LARGEST.height,
    });
    expect(info.toLowerCase()).not.toContain(keyHex);
    const everything = [...(await listKeys(DEFAULT_BUCKETS.output)), ...(await listKeys(DEFAULT_BUCKETS.input))];
    expect(everything.filter((key) => key.endsWith(".key"))).toEqual([]);
  });

  it("segments decrypt with the JobIdToOutput key and the playlist's IV (= media sequence number) to MPEG-TS", async () => {
    const { jobId, row } = await terminalStatus(KEY);
    const output = await getItem(DEFAULT_TABLES.jobIdToOutput, { JobId: jobId });
    expect(output?.KeyFile).toBe("clip 1+2.key");
    const key = Buffer.from(String(output?.KeyValue), "hex");
    const folder = String(row.OutputPath);
    const playlist = (await getText(DEFAULT_BUCKETS.output, `${folder}${RENDITIONS[0]}.m3u8`)).toString();
    // submit-job asks for InitializationVectorInManifest INCLUDE: an EXT-X-KEY with IV= before each segment.
    const entries = [
      ...playlist.matchAll(/#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)",IV=0x([0-9a-f]{32})\n#EXTINF:[\d.]+,\n(.+)\n/g),
    ];
    expect(entries).toHaveLength(3);
    for (const [index, [, uri, ivHex, segment]] of entries.entries()) {
      expect(uri).toBe("clip 1+2.key");
      expect(BigInt(`0x${ivHex}`)).toBe(BigInt(index + 1));
      const encrypted = await getText(DEFAULT_BUCKETS.output, folder + segment!);
      expect(encrypted[0] === 0x47 && encrypted[188] === 0x47).toBe(false);
      const decipher = createDecipheriv("aes-128-cbc", key, Buffer.from(ivHex!, "hex"));
      const clear = Buffer.concat([decipher.update(encrypted), decipher.final()]);
      expect(clear.length % 188).toBe(0);
      for (let offset = 0; offset < clear.length; offset += 188) expect(clear[offset]).toBe(0x47);
    }
  });

  it("the face analysis row reaches SUCCEEDED with the synthetic faces stored in S3", async () => {
    const row = await terminalAnalysis(KEY);
    expect(row).toMatchObject({
      AnalysisStatus: "SUCCEEDED",
      InputBucket: DEFAULT_BUCKETS.input,
      VideoDurationMs: 6000,
    });
    // One or two faces every 500 ms over 6 s.
    const samples = 6000 / FACE_INTERVAL_MS;
    expect(Number(row.FaceCount)).toBeGreaterThanOrEqual(samples);
    expect(Number(row.FaceCount)).toBeLessThanOrEqual(2 * samples);
    const manifest = JSON.parse((await getText(String(row.ResultBucket), String(row.ResultKey))).toString());
    expect(manifest).toMatchObject({ job_id: row.JobId, input_file: KEY, face_count: row.FaceCount });
    const chunk = (await getText(String(row.ResultBucket), manifest.chunks[0].key)).toString().trim().split("\n");
    expect(chunk).toHaveLength(Number(row.FaceCount));
    expect(JSON.parse(chunk[0]!)).toMatchObject({ timestamp_ms: 0, face: { BoundingBox: expect.any(Object) } });
    // The Worker finds the row by the Rekognition job id too.
    const byJob = await ddb.send(
      new QueryCommand({
        TableName: DEFAULT_TABLES.faceAnalysis,
        IndexName: FACE_ANALYSIS_JOB_INDEX.name,
        KeyConditionExpression: "#j = :j",
        ExpressionAttributeNames: { "#j": FACE_ANALYSIS_JOB_INDEX.key },
        ExpressionAttributeValues: { ":j": String(row.JobId) },
      }),
    );
    expect(byJob.Count).toBe(1);
  });

  it("a recorder's segment is indexed, and a deleted one leaves the index, one by one or in a batch (s3rver's events -> recording-index)", async () => {
    const stream = `${DEFAULT_RECORDINGS_PREFIX}/e2e-cam/`;
    const start = Date.UTC(2024, 0, 2, 5) / 1000; // an hour long settled
    const keys = [start, start + 30].map((time) => stream + formatSegmentName(time));
    const indexed = async () => {
      const text = await getText(DEFAULT_BUCKETS.recordings, recordingIndexKey(stream, spanStart(start)));
      return decodeRecordingIndex(text.toString(), spanStart(start), 30)?.names.map((name) => stream + name);
    };
    for (const Key of keys)
      await s3Client.send(new PutObjectCommand({ Bucket: DEFAULT_BUCKETS.recordings, Key, Body: "ts" }));
    await pipeline.idle();
    expect(await indexed()).toEqual(keys);
    await s3Client.send(new DeleteObjectCommand({ Bucket: DEFAULT_BUCKETS.recordings, Key: keys[0] }));
    await pipeline.idle();
    expect(await indexed()).toEqual([keys[1]]);
    // A batch delete (DeleteObjects, as `aws s3 rm --recursive` sends): one event per key, as S3 sends.
    await s3Client.send(
      new DeleteObjectsCommand({ Bucket: DEFAULT_BUCKETS.recordings, Delete: { Objects: [{ Key: keys[1] }] } }),
    );
    await pipeline.idle();
    expect(await indexed()).toEqual([]);
  });

  it("an upload that is not a video ends in ERROR 1010 (bucket scrubbed) and a FAILED analysis", async () => {
    const { row } = await terminalStatus(BAD_KEY);
    expect(row).toMatchObject({ JobStatus: "ERROR", ErrorCode: 1010 });
    expect(String(row.ErrorMessage)).toMatch(/^Unable to open input file \[e2e uploads\/not a video\.mp4\]/);
    expect(String(row.ErrorMessage)).not.toContain(DEFAULT_BUCKETS.input);
    const analysis = await terminalAnalysis(BAD_KEY);
    expect(analysis).toMatchObject({ AnalysisStatus: "FAILED" });
    expect(String(analysis.StatusMessage)).toContain("Unsupported codec/format.");
  });

  it("never logs the content key, and no handler failed", async () => {
    await terminalStatus(KEY);
    await terminalAnalysis(KEY);
    await pipeline.idle();
    const { jobId } = await terminalStatus(KEY);
    const keyHex = String((await getItem(DEFAULT_TABLES.jobIdToOutput, { JobId: jobId }))?.KeyValue);
    const logged = JSON.stringify([...logs.values()].map((log) => log.entries)) + lines.join("\n");
    expect(logged.toLowerCase()).not.toContain(keyHex);
    expect(logged).not.toContain(Buffer.from(keyHex, "hex").toString("base64"));
    expect([...logs.keys()].sort()).toEqual([
      "faces-collect",
      "faces-start",
      "job-state",
      "recording-index",
      "submit-job",
    ]);
    expect(lines.filter((line) => /retrying|giving up|not handled|not delivered/.test(line))).toEqual([]);
  });
});

describe("npm start's local pipeline: configuration", () => {
  it("creates the input buckets the Lambdas listen on, as INPUT_BUCKETS names them", async () => {
    const names = [`uploads-a-${Date.now()}`, `uploads-b-${Date.now()}`];
    const other = await startLocalPipeline({
      s3,
      endpoints: localEndpoints({ dynamodb: dynamodb.port, s3: s3.port, worker: 8787, emulators: 0 }),
      env: { INPUT_BUCKETS: names.join(",") },
      emulatorPort: 0,
      lambdaLog: () => memoryLog(),
      log: () => undefined,
    });
    try {
      for (const Bucket of names) await expect(s3Client.send(new HeadBucketCommand({ Bucket }))).resolves.toBeDefined();
      expect(other.describe()).toContain(`s3://${names[0]}, s3://${names[1]}/`);
    } finally {
      await other.stop();
    }
  });
});

describe("npm run upload's follower against the Worker with PLAYBACK_POLICY=signed and FACES_POLICY=signed", () => {
  let worker: WranglerDev;
  beforeAll(async () => {
    worker = await startWranglerDev({
      vars: workerVars({ dynamodbEndpoint: dynamodb.endpoint, s3Endpoint: s3.endpoint }, { FACES_POLICY: "signed" }),
    });
  }, 90_000);
  afterAll(() => worker?.stop());

  async function follow(inputFile: string): Promise<{ code: number; printed: string[] }> {
    const printed: string[] = [];
    const code = await followUpload({
      stack: { endpoints: { worker: worker.url }, tokenSecret: { value: E2E_TOKEN_SECRET, fromEnvironment: true } },
      inputFile,
      deadline: Date.now() + DEADLINE_MS,
      print: (line) => printed.push(line),
      pollMs: 150,
    });
    return { code, printed };
  }

  const printedUrl = (printed: string[], pattern: RegExp) =>
    printed.map((line) => pattern.exec(line)?.[1]).find((url) => url !== undefined);

  it("COMPLETE: exits 0 with a master playlist URL and a faces URL that the Worker answers only with their tokens", async () => {
    const { code, printed } = await follow(KEY);
    expect(code, printed.join("\n")).toBe(0);
    const play = printedUrl(printed, /play: ffplay '([^']+)'/);
    expect(play).toMatch(/\/api\/media\/vod\/\d{13}-[a-z0-9]{6}\/clip%201%2B2\.m3u8\?token=[\w-]+\.[\w-]+\.[\w-]+$/);
    const playlist = await fetch(play!);
    expect(playlist.status).toBe(200);
    expect(await playlist.text()).toMatch(/^#EXTM3U\n/);
    const bare = await fetch(play!.replace(/\?token=.*$/, ""));
    await bare.body?.cancel();
    expect(bare.status).toBe(401);
    const faces = printedUrl(printed, /curl '([^']*\/api\/media\/faces\?[^']*)'/);
    expect(faces).toMatch(/input_file=e2e%20uploads%2Fclip%201%2B2\.mp4&limit=5&token=/);
    const facesAnswer = await fetch(faces!);
    expect(facesAnswer.status).toBe(200);
    expect(await facesAnswer.json()).toMatchObject({ success: true });
  });

  it("npm run token follows WORKER_PORT and TOKEN_SECRET: its example is the job's real master, and it plays", async () => {
    const { jobId } = await terminalStatus(KEY);
    const { stdout, stderr } = await run(process.execPath, [require.resolve("tsx/cli"), "local/token.ts", jobId], {
      cwd: ROOT,
      env: { ...process.env, WORKER_PORT: String(worker.port), WORKER_URL: undefined, TOKEN_SECRET: E2E_TOKEN_SECRET },
    });
    expect(stderr).not.toMatch(/:8787|<master>/);
    const url = /e\.g\. ffplay '([^']+)'/.exec(stderr)?.[1];
    expect(url).toBe(`${worker.url}/api/media/vod/${jobId}/clip%201%2B2.m3u8?token=${stdout.trim()}`);
    const playlist = await fetch(url!);
    await playlist.body?.cancel();
    expect(playlist.status).toBe(200);
  }, 60_000);

  it("ERROR: exits 1 as soon as the job fails, printing the error", async () => {
    const { code, printed } = await follow(BAD_KEY);
    expect(code, printed.join("\n")).toBe(1);
    expect(printed.at(-1)).toMatch(/^Job \d{13}-[a-z0-9]{6} ended ERROR 1010: .+/);
    expect(printed.join("\n")).not.toMatch(/Timed out|play:/);
  });
});
