/**
 * Upload throughput on loopback: the same file through the Worker's presigned multipart path
 * (local/upload-client.ts, what `npm run upload` and the page do: API calls to the deploy bundle in
 * plain workerd, parts PUT straight to the S3 server) against direct AWS SDK uploads from Node, as
 * `aws s3 cp` does them (one PutObject; and CreateMultipartUpload + UploadPart x N + Complete with
 * the same part size and concurrency). Same s3rver, same disk: the ratio is the cost of going
 * through the API (extra round trips, presigning), not of the network. Median of RUNS each.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { ensureBuckets, localS3Client, startS3Server } from "../local/aws.ts";
import { localEndpoints, localWorkerDefaults } from "../local/defaults.ts";
import { uploadThroughApi } from "../local/upload-client.ts";
import { DEFAULT_BUCKETS } from "../model/index.ts";
import { WORKER_SETTINGS } from "../model/settings.ts";
import { median } from "./support/measure.ts";
import { compatibilityDateOf, deployBundle, startPlainWorkerd, wranglerVars } from "./support/workerd.ts";
import type { BenchResult } from "./types.ts";

const MiB = 1024 * 1024;
const FILE_BYTES = 128 * MiB;
const PART_BYTES = 8 * MiB;
const CONCURRENCY = 4;
const RUNS = 3;

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

/** CreateMultipartUpload + UploadPart (CONCURRENCY at a time) + Complete, as the CLI's s3 cp does. */
async function sdkMultipart(s3: ReturnType<typeof localS3Client>, file: string, key: string): Promise<void> {
  const bucket = DEFAULT_BUCKETS.input;
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const handle = await open(file, "r");
  const numbers = Array.from({ length: Math.ceil(FILE_BYTES / PART_BYTES) }, (_, i) => i + 1);
  const etags = new Map<number, string>();
  const worker = async () => {
    for (let number = numbers.shift(); number; number = numbers.shift()) {
      const body = new Uint8Array(Math.min(PART_BYTES, FILE_BYTES - (number - 1) * PART_BYTES));
      await handle.read(body, 0, body.length, (number - 1) * PART_BYTES);
      const part = await s3.send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: number, Body: body }),
      );
      etags.set(number, part.ETag!);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await handle.close();
  const Parts = [...etags].sort(([a], [b]) => a - b).map(([PartNumber, ETag]) => ({ PartNumber, ETag }));
  await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts } }));
}

export async function run(): Promise<BenchResult[]> {
  const work = mkdtempSync(join(tmpdir(), "media-edge-bench-uploads-"));
  const file = join(work, "upload.bin");
  writeFileSync(file, randomBytes(FILE_BYTES));
  const s3server = await startS3Server({ directory: join(work, "s3") });
  const s3 = localS3Client(s3server.endpoint);
  let worker: Awaited<ReturnType<typeof startPlainWorkerd>> | undefined;
  try {
    await ensureBuckets(s3server.endpoint, [DEFAULT_BUCKETS.input]);
    const endpoints = { ...localEndpoints({ dynamodb: 1, s3: s3server.port, worker: 1 }) };
    worker = await startPlainWorkerd({
      mainModule: deployBundle().main,
      compatibilityDate: compatibilityDateOf("wrangler.toml"),
      vars: {
        ...wranglerVars("wrangler.toml"),
        ...localWorkerDefaults(endpoints),
        UPLOAD_POLICY: "public",
        MULTIPART_THRESHOLD_BYTES: String(5 * MiB),
        // As deployed: the local stack's defaults log every request (local/defaults.ts).
        ACCESS_LOG: WORKER_SETTINGS.ACCESS_LOG.default,
      },
      readyPath: "/api/media/status",
    });
    const url = worker.url;
    const api = (path: string, init: RequestInit) => fetch(`${url}${path}`, init);
    const through: number[] = [];
    const put: number[] = [];
    const multipart: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      through.push(
        await timed(() =>
          uploadThroughApi({ file, fileName: "bench.mp4", contentType: "video/mp4", api, concurrency: CONCURRENCY }),
        ),
      );
      put.push(
        await timed(async () =>
          s3.send(
            new PutObjectCommand({
              Bucket: DEFAULT_BUCKETS.input,
              Key: `sdk/put-${i}.mp4`,
              Body: await readFile(file),
            }),
          ),
        ),
      );
      multipart.push(await timed(() => sdkMultipart(s3, file, `sdk/multipart-${i}.mp4`)));
    }
    const mibPerSecond = (ms: number) => +(FILE_BYTES / MiB / (ms / 1000)).toFixed(1);
    const api1 = mibPerSecond(median(through));
    const sdkPut = mibPerSecond(median(put));
    const sdkParts = mibPerSecond(median(multipart));
    return [
      {
        name: `${FILE_BYTES / MiB} MiB via the uploads API (presigned multipart, ${CONCURRENCY} parts at a time)`,
        value: api1,
        unit: "MiB/s",
      },
      { name: "the same file, SDK PutObject (aws s3 cp, one request)", value: sdkPut, unit: "MiB/s" },
      { name: "the same file, SDK multipart (aws s3 cp, same parts and concurrency)", value: sdkParts, unit: "MiB/s" },
      { name: "ratio uploads API / SDK multipart", value: +(api1 / sdkParts).toFixed(2), unit: "x" },
      { name: "ratio uploads API / SDK PutObject", value: +(api1 / sdkPut).toFixed(2), unit: "x" },
    ];
  } finally {
    await worker?.stop();
    s3.destroy();
    await s3server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
