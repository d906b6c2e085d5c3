/**
 * `npm start`: the whole system on one machine, no cloud account.
 * - AWS DynamoDB Local (Java) on 127.0.0.1:8000, data in .local/dynamodb
 * - the s3rver S3 server on 127.0.0.1:4568, data in .local/s3
 * - tables and buckets created if missing (idempotent)
 * - the Lambdas wired to local events, with local MediaConvert/Rekognition emulators (local/pipeline.ts)
 * - the Worker under `wrangler dev` on 127.0.0.1:8787
 * Ctrl-C stops everything it started. Ports, data directory and every setting can be overridden
 * from the environment (README "Local stack").
 */
import { join } from "node:path";
import { DEFAULT_BUCKETS, DEFAULT_TABLES, TABLE_ENV_VARS, type TableRole } from "../model/index.ts";
import {
  assertJavaPresent,
  assertPortFree,
  ensureBuckets,
  ensureTables,
  startDynamoDbLocal,
  startS3Server,
  type RunningService,
} from "./aws.ts";
import {
  localDataDir,
  localEndpoints,
  localPorts,
  localWorkerDefaults,
  withEnvironment,
  WORKER_VARIABLES,
} from "./defaults.ts";
import { startLocalPipeline } from "./pipeline.ts";
import { startLocalWebhooks } from "./webhooks.ts";
import { createLogger } from "../aws-lambdas/shared/logger.ts";
import { lambdaSettings } from "../aws-lambdas/shared/config.ts";
import { startWranglerDev } from "./wrangler-dev.ts";

const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
let stopping = false;

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

async function main(): Promise<void> {
  const ports = localPorts();
  const dataDir = localDataDir();
  const endpoints = localEndpoints(ports);

  // Fail before starting anything when a prerequisite is missing.
  assertJavaPresent();
  await assertPortFree(ports.dynamodb, "DynamoDB Local, DYNAMODB_PORT");
  await assertPortFree(ports.s3, "S3 server, S3_PORT");
  await assertPortFree(ports.worker, "Worker, WORKER_PORT");
  await assertPortFree(ports.emulators, "AWS emulators, EMULATOR_PORT");

  console.log(`Starting the local stack (data in ${dataDir})...`);
  const dynamodb: RunningService = await startDynamoDbLocal({
    port: ports.dynamodb,
    dataDir: join(dataDir, "dynamodb"),
  });
  stops.push({ name: "DynamoDB Local", stop: dynamodb.stop });
  const s3 = await startS3Server({ port: ports.s3, directory: join(dataDir, "s3") });
  stops.push({ name: "S3 server", stop: s3.stop });

  const workerVars = withEnvironment(localWorkerDefaults(endpoints), process.env, WORKER_VARIABLES);
  const tables: Record<TableRole, string> = { ...DEFAULT_TABLES };
  for (const role of Object.keys(TABLE_ENV_VARS) as TableRole[])
    tables[role] = workerVars[TABLE_ENV_VARS[role]] ?? tables[role];
  const buckets = [
    ...new Set([
      workerVars.OUTPUT_BUCKET ?? DEFAULT_BUCKETS.output,
      workerVars.RECORDINGS_BUCKET ?? DEFAULT_BUCKETS.recordings,
      ...(workerVars.ANALYSIS_BUCKET ? [workerVars.ANALYSIS_BUCKET] : []),
    ]),
  ];
  await ensureTables(dynamodb.endpoint, tables);
  await ensureBuckets(s3.endpoint, buckets);

  // Signed webhooks: the real producers and deliverer, a local queue, and a receiver that prints.
  const settings = lambdaSettings(process.env);
  const webhooks = await startLocalWebhooks({
    receiverPort: Number(process.env.WEBHOOK_RECEIVER_PORT ?? 8790),
    urls: settings.list("WEBHOOK_URLS", []),
    secrets: (["WEBHOOK_SECRET", "WEBHOOK_SECRET_PREVIOUS"] as const).flatMap((name) => settings.text(name) ?? []),
    log: createLogger("webhook-deliver"),
  });
  stops.push({ name: "webhooks", stop: webhooks.stop });

  const pipeline = await startLocalPipeline({
    s3,
    endpoints,
    webhooks: webhooks.sender,
  });
  stops.push({ name: "local pipeline", stop: pipeline.stop });

  const worker = await startWranglerDev({
    port: ports.worker,
    vars: workerVars,
    persistTo: join(dataDir, "wrangler"),
    inheritOutput: true,
    onSpawned: (stop) => stops.push({ name: "wrangler dev", stop }),
  });
  worker.process.once("exit", (code) => {
    if (!stopping) {
      console.error(`wrangler dev exited unexpectedly (code ${code}).`);
      void stopAll(1);
    }
  });

  console.log(`
media-edge is running locally:
  Worker (wrangler dev)   ${worker.url}
                          curl '${worker.url}/api/media/status?job_id=...'
  DynamoDB Local          ${dynamodb.endpoint}   tables: ${Object.values(tables).join(", ")}
  S3 (s3rver)             ${s3.endpoint}   buckets: ${buckets.join(", ")}
${pipeline.describe()}
${webhooks.describe()}
  Data                    ${dataDir}
Allowed origins: ${workerVars.ALLOWED_ORIGINS}
Press Ctrl-C to stop everything.`);
}

main().catch(async (error: Error) => {
  // A start-up cut short by Ctrl-C fails too (wrangler is stopped under it); that is no error.
  if (stopping) return;
  console.error(`\nnpm start failed: ${error.message}`);
  await stopAll(1);
});
