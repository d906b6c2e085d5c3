/**
 * The local stack as `npm start` runs it, for the browser test of the demo page: the global setup's
 * DynamoDB Local (one Java process less on a busy machine), s3rver (in this process, for its object
 * events), the Lambdas with the MediaConvert and
 * Rekognition emulators, and the Worker under `wrangler dev` serving the page at /. Every log line
 * of every part is kept (`logs`), so a test can scan them for secrets.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryLog, type MemoryLog } from "../../../aws-lambdas/shared/logger.ts";
import {
  ensureBuckets,
  ensureTables,
  ensureUploadCors,
  startS3Server,
  type LocalS3Server,
} from "../../../local/aws.ts";
import { localEndpoints, localWorkerDefaults } from "../../../local/defaults.ts";
import { startLocalPipeline, type LocalPipeline } from "../../../local/pipeline.ts";
import { startWranglerDev, type WranglerDev } from "../../../local/wrangler-dev.ts";
import { DEFAULT_BUCKETS, DEFAULT_TABLES } from "../../../model/index.ts";
import { buildPage } from "../../../page/build.ts";
import { pageOrigins } from "../../../local/demo-page.ts";

export interface DemoStack {
  dynamodbEndpoint: string;
  s3: LocalS3Server;
  /** Where s3rver keeps every object it was sent (scanned for secrets). */
  s3Directory: string;
  pipeline: LocalPipeline;
  worker: WranglerDev;
  /** The Worker's variables (the local defaults with the test's overrides). */
  workerVars: Record<string, string>;
  /** Every log line so far: wrangler (the Worker's request and error logs), the pipeline, the Lambdas. */
  logs(): string[];
  stop(): Promise<void>;
}

/**
 * Starts the stack on `dynamodbEndpoint` (tables created if missing); `overrides` go over the local
 * Worker defaults (e.g. signed playback).
 */
export async function startDemoStack(dynamodbEndpoint: string, overrides: Record<string, string>): Promise<DemoStack> {
  const work = mkdtempSync(join(tmpdir(), "media-edge-demo-"));
  const s3Directory = join(work, "s3");
  const [s3] = await Promise.all([startS3Server({ directory: s3Directory }), buildPage()]);
  const stops: Array<() => Promise<void>> = [() => s3.stop()];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  };
  try {
    await Promise.all([
      ensureTables(dynamodbEndpoint, DEFAULT_TABLES),
      ensureBuckets(s3.endpoint, Object.values(DEFAULT_BUCKETS)),
    ]);
    const lines: string[] = [];
    const lambdaLogs: MemoryLog[] = [];
    const endpoints = {
      ...localEndpoints({ dynamodb: 0, s3: s3.port, worker: 8787, emulators: 0 }),
      dynamodb: dynamodbEndpoint,
    };
    const pipeline = await startLocalPipeline({
      s3,
      endpoints,
      env: {},
      emulatorPort: 0,
      lambdaLog: () => {
        const log = memoryLog();
        lambdaLogs.push(log);
        return log;
      },
      log: (line) => lines.push(line),
      retryDelaysMs: [300, 1000],
      emulators: { startDelayMs: 300, statusUpdateMs: 200, processingDelayMs: 200 },
    });
    stops.push(() => pipeline.stop());
    const workerVars = { ...localWorkerDefaults(endpoints), ...overrides };
    // logLevel "log": the Worker's own JSON request lines are console.log, which "info" hides.
    const worker = await startWranglerDev({
      vars: workerVars,
      logLevel: "log",
      onOutput: (chunk) => lines.push(chunk),
    });
    stops.push(() => worker.stop());
    await Promise.all(
      pipeline.inputBuckets.map((bucket) => ensureUploadCors(s3.endpoint, bucket, pageOrigins(worker.url))),
    );
    const logs = () => [...lines, ...lambdaLogs.flatMap((log) => log.entries.map((entry) => JSON.stringify(entry)))];
    return { dynamodbEndpoint, s3, s3Directory, pipeline, worker, workerVars, logs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
