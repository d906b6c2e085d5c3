/**
 * `npm start`: the whole system on one machine, no cloud account.
 * - AWS DynamoDB Local (Java) on 127.0.0.1:8000, data in .local/dynamodb
 * - the s3rver S3 server on 127.0.0.1:4568, data in .local/s3
 * - tables and buckets created if missing (idempotent)
 * - the Lambdas wired to local events, with local MediaConvert/Rekognition emulators (local/pipeline.ts)
 * - the Worker under `wrangler dev` on 127.0.0.1:8787, its per-request JSON log lines on stdout,
 *   serving the demo page (page/, built into dist/page first) at / unless DEMO_PAGE=off, and the
 *   API reference (openapi/, built there too)
 * The services start side by side, each printing a line with its time as it comes up. Ctrl-C, or
 * SIGTERM to the process group, stops everything it started. package.json runs this file with
 * `node --import tsx`, not the tsx command: on a signal sent to the whole group, the tsx command
 * waits 30 ms for its child to report the signal and may then SIGKILL it, mid-stop, which left
 * wrangler dev (in a group of its own) serving with nobody to stop it (test/unit/local-start.test.ts).
 * Ports (DYNAMODB_PORT, S3_PORT, WORKER_PORT, EMULATOR_PORT), the data
 * directory (LOCAL_DATA_DIR) and every setting can be overridden from the environment
 * (local/defaults.ts); the helpers (`npm run upload`, `token`, `invoke`) read the same variables.
 */
import { join } from "node:path";
import { DEFAULT_BUCKETS, DEFAULT_TABLES, TABLE_ENV_VARS, type TableRole } from "../model/index.ts";
import {
  assertJavaPresent,
  assertPortFree,
  ensureBuckets,
  ensureTables,
  ensureUploadCors,
  startDynamoDbLocal,
  startS3Server,
} from "./aws.ts";
import {
  localDataDir,
  localEndpoints,
  localPorts,
  localWorkerDefaults,
  withEnvironment,
  WORKER_VARIABLES,
  type LocalEndpoints,
  type LocalPorts,
} from "./defaults.ts";
import { buildOpenApiAssets } from "../openapi/build.ts";
import { buildPage } from "../page/build.ts";
import { demoPageUrl, pageOrigins } from "./demo-page.ts";
import { lambdaSettings } from "../aws-lambdas/shared/config.ts";
import { readWebhookSecrets, readWebhookTimeoutMs } from "../aws-lambdas/webhook-deliver/config.ts";
import { createLogger } from "../aws-lambdas/shared/logger.ts";
import { startLocalPipeline, type LocalPipeline } from "./pipeline.ts";
import { startLocalWebhooks, type LocalWebhooks } from "./webhooks.ts";
import { startWranglerDev, type WranglerDev } from "./wrangler-dev.ts";

const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
let stopping = false;
const started = Date.now();

/** One progress line, with the seconds since `npm start` began. */
function progress(line: string): void {
  console.log(`  [${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);
}

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log("\nStopping the local stack...");
    for (const { name, stop } of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        console.error(`  could not stop ${name}: ${(error as Error).message}`);
      }
    }
  }
  process.exit(code);
}

process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

/** The webhook receiver's port (WEBHOOK_RECEIVER_PORT). */
function webhookReceiverPort(): number {
  return Number(process.env.WEBHOOK_RECEIVER_PORT ?? 8790);
}

/**
 * Fails before starting or building anything when a prerequisite is missing (Java, a free port, a
 * well-formed webhook secret):
 * a taken port is most often another `npm start`, whose `wrangler dev` reloads its Worker when the
 * assets directory it serves is rewritten.
 */
async function checkPrerequisites(ports: Required<LocalPorts>): Promise<void> {
  // Read again by startWebhooks, which runs beside services that a failure there would leave running.
  readWebhookSecrets(process.env);
  readWebhookTimeoutMs(process.env);
  await Promise.all([
    assertJavaPresent(),
    assertPortFree(ports.dynamodb, "DynamoDB Local, DYNAMODB_PORT"),
    assertPortFree(ports.s3, "S3 server, S3_PORT"),
    assertPortFree(ports.worker, "Worker, WORKER_PORT"),
    assertPortFree(ports.emulators, "AWS emulators, EMULATOR_PORT"),
    assertPortFree(webhookReceiverPort(), "webhook receiver, WEBHOOK_RECEIVER_PORT"),
  ]);
}

/** DynamoDB Local with every table the Worker's settings name. */
async function startDynamoDb(port: number, dataDir: string, tables: Record<TableRole, string>) {
  const dynamodb = await startDynamoDbLocal({ port, dataDir: join(dataDir, "dynamodb") });
  stops.push({ name: "DynamoDB Local", stop: dynamodb.stop });
  await ensureTables(dynamodb.endpoint, tables);
  progress(`DynamoDB Local  ${dynamodb.endpoint}  tables: ${Object.values(tables).join(", ")}`);
  return dynamodb;
}

/** The S3 server with the Worker's buckets, then the pipeline (which adds the input buckets). */
async function startS3AndPipeline(
  port: number,
  dataDir: string,
  buckets: string[],
  endpoints: LocalEndpoints,
): Promise<{ s3Endpoint: string; pipeline: LocalPipeline; webhooks: LocalWebhooks; buckets: string[] }> {
  const s3 = await startS3Server({ port, directory: join(dataDir, "s3") });
  stops.push({ name: "S3 server", stop: s3.stop });
  await ensureBuckets(s3.endpoint, buckets);
  const webhooks = await startWebhooks();
  const pipeline = await startLocalPipeline({ s3, endpoints, webhooks: webhooks.sender });
  stops.push({ name: "local pipeline", stop: pipeline.stop });
  const all = [...new Set([...pipeline.inputBuckets, ...buckets])];
  progress(`S3 (s3rver)     ${s3.endpoint}  buckets: ${all.join(", ")}`);
  progress(`AWS emulators and Lambdas  ${endpoints.emulators}`);
  return { s3Endpoint: s3.endpoint, pipeline, webhooks, buckets: all };
}

/** Signed webhooks: the real producers and deliverer, a local queue, and a receiver that prints. */
async function startWebhooks(): Promise<LocalWebhooks> {
  const settings = lambdaSettings(process.env);
  const webhooks = await startLocalWebhooks({
    receiverPort: webhookReceiverPort(),
    urls: settings.list("WEBHOOK_URLS", []),
    // Checked (checkPrerequisites first): unchecked, a malformed one threw at the first delivery.
    secrets: readWebhookSecrets(process.env),
    timeoutMs: readWebhookTimeoutMs(process.env),
    log: createLogger("webhook-deliver"),
  });
  stops.push({ name: "webhooks", stop: webhooks.stop });
  return webhooks;
}

async function startWorker(port: number, vars: Record<string, string>, dataDir: string): Promise<WranglerDev> {
  // The page and the API reference are wrangler.toml's [assets] directory: built before wrangler
  // reads it, and here rather than in package.json's script, so that only after the port check.
  buildOpenApiAssets();
  await buildPage();
  const worker = await startWranglerDev({
    port,
    vars,
    persistTo: join(dataDir, "wrangler"),
    inheritOutput: true,
    // The Worker's per-request JSON lines are console.log, which wrangler's "info" level hides.
    logLevel: "log",
    onSpawned: (stop) => stops.push({ name: "wrangler dev", stop }),
  });
  worker.process.once("exit", (code) => {
    if (!stopping) {
      console.error(`wrangler dev exited unexpectedly (code ${code}).`);
      void stopAll(1);
    }
  });
  progress(`Worker (wrangler dev)  ${worker.url}`);
  return worker;
}

async function main(): Promise<void> {
  const ports = localPorts();
  const dataDir = localDataDir();
  const endpoints = localEndpoints(ports);
  await checkPrerequisites(ports);
  console.log(`Starting the local stack (data in ${dataDir})...`);

  const workerVars = withEnvironment(localWorkerDefaults(endpoints), process.env, WORKER_VARIABLES);
  const tables: Record<TableRole, string> = { ...DEFAULT_TABLES };
  for (const role of Object.keys(TABLE_ENV_VARS) as TableRole[])
    tables[role] = workerVars[TABLE_ENV_VARS[role]] ?? tables[role];
  const workerBuckets = [
    workerVars.OUTPUT_BUCKET ?? DEFAULT_BUCKETS.output,
    workerVars.RECORDINGS_BUCKET ?? DEFAULT_BUCKETS.recordings,
    ...(workerVars.ANALYSIS_BUCKET ? [workerVars.ANALYSIS_BUCKET] : []),
  ];
  const uploadCors = { origins: (workerVars.ALLOWED_ORIGINS ?? "").split(/[\s,]+/).filter(Boolean) };
  // Side by side: none needs another to start (the Worker and the Lambdas only need the addresses).
  const [dynamodb, storage, worker] = await Promise.all([
    startDynamoDb(ports.dynamodb, dataDir, tables),
    startS3AndPipeline(ports.s3, dataDir, workerBuckets, endpoints),
    startWorker(ports.worker, workerVars, dataDir),
  ]);

  // Browsers PUT uploads to presigned URLs: the frontends' origins and the demo page's own may.
  const uploadOrigins = [...uploadCors.origins, ...pageOrigins(worker.url)];
  for (const bucket of storage.pipeline.inputBuckets) {
    await ensureUploadCors(storage.s3Endpoint, bucket, uploadOrigins);
  }
  const pageUrl = await demoPageUrl(worker.url, workerVars);
  console.log(`
media-edge is running locally (ready in ${((Date.now() - started) / 1000).toFixed(1)} s):
  Demo page               ${pageUrl ?? "off (DEMO_PAGE=off)"}
  Worker (wrangler dev)   ${worker.url}
                          curl '${worker.url}/api/media/status?job_id=...'
  DynamoDB Local          ${dynamodb.endpoint}   tables: ${Object.values(tables).join(", ")}
  S3 (s3rver)             ${storage.s3Endpoint}   buckets: ${storage.buckets.join(", ")}
${storage.pipeline.describe()}
${storage.webhooks.describe()}
  Data                    ${dataDir}
Allowed origins: ${workerVars.ALLOWED_ORIGINS}
Playback policy: ${workerVars.PLAYBACK_POLICY ?? "as wrangler.toml sets it"}; a token: npm run token -- <job_id>
Request log: one JSON line per request below. Press Ctrl-C to stop everything.`);
}

main().catch(async (error: Error) => {
  // A start-up cut short by Ctrl-C fails too (wrangler is stopped under it); that is no error.
  if (stopping) return;
  console.error(`\nnpm start failed: ${error.message}`);
  await stopAll(1);
});
