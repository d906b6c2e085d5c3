/**
 * Bench: each Lambda as deployed (minified ES modules per function, built by aws-lambdas/build.ts
 * into dist/lambdas/<name>/: the entry index.mjs and its chunks): its size (raw and gzip, every file
 * of the function) and its cold import time.
 *
 * Cold import: a fresh Node process per sample (`node --input-type=module`) that times
 * `await import(index.mjs)`, i.e. parsing, compiling and running the module's top level (config,
 * logger), which Lambda runs in its Init phase before the first event
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html). The handler logic
 * and the SDK clients load on the first event (aws-lambdas/shared/lazy-handler.ts), so the same
 * process then hands the handler an event it answers without a request to AWS: "cold import +
 * first event" is what a cold start costs the first event in all, but the requests. Samples run
 * round-robin over the functions, so a busy neighbour weighs on all of them alike; the figure is the
 * median. Node's own start-up is outside the timed span. Lambda's limit is 50 MB zipped per direct
 * upload; smaller bundles also load faster at cold start.
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { buildLambdas, type LambdaBundle } from "../aws-lambdas/build.ts";
import { median } from "./support/measure.ts";
import type { BenchResult } from "./types.ts";

const KiB = 1024;
const SAMPLES = 9;
export const LAMBDA_GZIP_GOAL_KIB = 80;
export const LAMBDA_COLD_IMPORT_GOAL_MS = 50;

/** What each function's top level reads; values are placeholders (no call is made at import). */
const IMPORT_ENV = {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "AKIDBENCH",
  AWS_SECRET_ACCESS_KEY: "bench",
  OUTPUT_BUCKET: "media-output",
  MEDIACONVERT_ROLE: "arn:aws:iam::111122223333:role/MediaConvert",
  MEDIACONVERT_JOB_TEMPLATE: "template",
  REKOGNITION_SNS_TOPIC_ARN: "arn:aws:sns:us-east-1:111122223333:faces",
  REKOGNITION_ROLE_ARN: "arn:aws:iam::111122223333:role/Rekognition",
  // As infra sets them (infra/lib/webhooks.ts): producers get the URLs and the queue, webhook-deliver
  // the queue and the secret's ARN (the secret itself is fetched on the first delivery).
  WEBHOOK_URLS: "https://receiver.example/hooks",
  WEBHOOK_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/111122223333/webhooks.fifo",
  WEBHOOK_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:111122223333:secret:webhooks",
  POWERTOOLS_LOG_LEVEL: "SILENT",
};

/**
 * webhook-deliver's first event reads the secret from Secrets Manager, a request no local bench can
 * time; its first-event figure uses the local stack's fixed secret instead (a placeholder), so it
 * lacks the Secrets Manager client's construction and that request.
 */
const FIRST_EVENT_ENV: Record<string, Record<string, string>> = {
  "webhook-deliver": {
    WEBHOOK_SECRET_ARN: "",
    WEBHOOK_SECRET: `whsec_${Buffer.from("bench placeholder, not a secret").toString("base64")}`,
  },
};

/** An event each function handles without a request to AWS: the first event's cost is then loading and building its clients. */
const NO_REQUEST_EVENTS: Record<string, unknown> = { "job-state": { detail: {} } };
const NO_RECORDS = { Records: [] };

const TIMED_IMPORT = `const started = performance.now();
const { handler } = await import(process.argv[1]);
const imported = performance.now();
await handler(JSON.parse(process.argv[2]));
process.stdout.write(JSON.stringify([imported - started, performance.now() - started]));`;

/**
 * In a fresh process: the cold import of the entry, then the same plus the first event (its chunks
 * loaded, its clients built, an event handled without a request to AWS), both in ms.
 */
function coldImportMs(bundle: LambdaBundle): { entry: number; firstEvent: number } {
  const event = JSON.stringify(NO_REQUEST_EVENTS[bundle.name] ?? NO_RECORDS);
  const script = ["--input-type=module", "-e", TIMED_IMPORT, pathToFileURL(resolve(bundle.file)).href, event];
  const output = execFileSync(process.execPath, script, {
    env: { PATH: process.env.PATH ?? "", ...IMPORT_ENV, ...FIRST_EVENT_ENV[bundle.name] },
    encoding: "utf8",
  });
  const [entry, firstEvent] = JSON.parse(output) as [number, number];
  return { entry, firstEvent };
}

/** Builds every Lambda, reports its bundle size and median cold import. */
export async function run(): Promise<BenchResult[]> {
  const bundles = await buildLambdas();
  const samples = new Map(bundles.map((bundle) => [bundle.name, [] as Array<{ entry: number; firstEvent: number }>]));
  for (let round = 0; round < SAMPLES; round++) {
    for (const bundle of bundles) samples.get(bundle.name)!.push(coldImportMs(bundle));
  }
  return bundles.flatMap((bundle) => {
    const cold = median(samples.get(bundle.name)!.map((sample) => sample.entry));
    const firstEvent = median(samples.get(bundle.name)!.map((sample) => sample.firstEvent));
    return [
      { name: `lambda ${bundle.name}: bundle size (raw, minified)`, value: round(bundle.bytes / KiB), unit: "KiB" },
      {
        name: `lambda ${bundle.name}: bundle size (gzip, all files)`,
        value: round(bundle.gzipBytes / KiB),
        unit: "KiB",
        goal: `<= ${LAMBDA_GZIP_GOAL_KIB} KiB`,
        ok: bundle.gzipBytes <= LAMBDA_GZIP_GOAL_KIB * KiB,
      },
      {
        name: `lambda ${bundle.name}: cold import, median of ${SAMPLES} fresh processes`,
        value: round(cold),
        unit: "ms",
        goal: `<= ${LAMBDA_COLD_IMPORT_GOAL_MS} ms`,
        ok: cold <= LAMBDA_COLD_IMPORT_GOAL_MS,
      },
      {
        name: `lambda ${bundle.name}: cold import + first event (chunks loaded, clients built), median of ${SAMPLES}`,
        value: round(firstEvent),
        unit: "ms",
      },
    ];
  });
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
