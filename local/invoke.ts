/**
 * `npm run invoke -- <function> <event.json | ->`: runs one Lambda handler locally, like
 * `sam local invoke`, against the stack `npm start` runs. Give it the same overrides as `npm start`
 * (DYNAMODB_PORT, S3_PORT, EMULATOR_PORT; DYNAMODB_ENDPOINT / S3_ENDPOINT for other hosts): one
 * reader, local/defaults.ts `localStack`.
 *
 * Configuration: the local stack's defaults (local/defaults.ts) for every variable, and any variable
 * set in the environment wins. MediaConvert/Rekognition have no local server: their endpoints come
 * from MEDIACONVERT_ENDPOINT_URL / REKOGNITION_ENDPOINT_URL (default: the local emulator address).
 *
 * Functions are discovered: every aws-lambdas/<name>/handler.ts exporting `handler`.
 * The handler's result goes to stdout as JSON (pipe it to jq); its logs go to stderr. On error the
 * error is printed and the exit code is 1.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { discoverFunctions } from "../aws-lambdas/build.ts";
import { localLambdaDefaults, localStack, withEnvironment } from "./defaults.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const USAGE = `Usage: npm run invoke -- <function> <event.json | ->

  <function>    one of: ${discoverFunctions().join(", ")}
  <event.json>  the event to pass, as a JSON file; "-" reads it from stdin

Examples:
  npm run invoke -- submit-job test/fixtures/events/s3/notification-put.json
  npm run invoke -- job-state test/fixtures/events/seed/status-update-70.json
  cat event.json | DYNAMODB_PORT=8001 npm run invoke -- job-state -`;

/** A Lambda context good enough for our handlers (and for Powertools). */
function fakeContext(name: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const region = process.env.AWS_REGION ?? "us-east-1";
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `local-${name}`,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:local-${name}`,
    memoryLimitInMB: "256",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/local-${name}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function readEvent(source: string): Promise<unknown> {
  let text: string;
  if (source === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString("utf8");
  } else {
    text = readFileSync(resolve(source), "utf8");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(
      `The event in ${source === "-" ? "stdin" : source} is not valid JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/** Applies the local defaults to process.env; variables already set win. Returns what was applied. */
function applyLocalEnvironment(): Record<string, string> {
  const defaults = localLambdaDefaults(localStack(process.env).endpoints);
  const merged = withEnvironment(defaults, process.env);
  for (const [name, value] of Object.entries(merged)) process.env[name] = value;
  // Powertools' dev mode logs through the global console (pretty JSON), which we point at stderr so
  // stdout carries only the handler's result.
  process.env.POWERTOOLS_DEV ??= "true";
  return merged;
}

function routeConsoleToStderr(): void {
  const toStderr = (...args: unknown[]) => process.stderr.write(`${args.map(String).join(" ")}\n`);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
}

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const lines = [`${error.name}: ${error.message}`];
  const result = (error as { result?: unknown }).result;
  if (result !== undefined) lines.push(`Partial result: ${JSON.stringify(result, null, 2)}`);
  let cause = error.cause;
  while (cause instanceof Error) {
    lines.push(`Caused by ${cause.name}: ${cause.message}`);
    cause = cause.cause;
  }
  const text = lines.join("\n");
  if (/ECONNREFUSED|fetch failed|socket hang up/i.test(text + String(error.stack))) {
    lines.push(
      "Hint: is the local stack running (`npm start`)? DynamoDB is expected at " +
        `${process.env.DYNAMODB_ENDPOINT}, S3 at ${process.env.S3_ENDPOINT}, MediaConvert at ${process.env.MEDIACONVERT_ENDPOINT_URL}.`,
    );
  }
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes("-h") || argv.includes("--help")) {
    console.log(USAGE);
    return 0;
  }
  const [name, source, ...extra] = argv;
  const functions = discoverFunctions();
  if (!name || !source || extra.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (!functions.includes(name)) {
    process.stderr.write(`Unknown function "${name}". Known: ${functions.join(", ")}\n`);
    return 2;
  }
  const event = await readEvent(source);
  const env = applyLocalEnvironment();
  routeConsoleToStderr();
  process.stderr.write(
    `Invoking ${name} (DynamoDB ${env.DYNAMODB_ENDPOINT}, S3 ${env.S3_ENDPOINT}, MediaConvert ${env.MEDIACONVERT_ENDPOINT_URL})\n`,
  );
  const module = (await import(pathToFileURL(join(ROOT, "aws-lambdas", name, "handler.ts")).href)) as {
    handler?: (event: unknown, context: unknown) => Promise<unknown>;
  };
  if (typeof module.handler !== "function") {
    process.stderr.write(`aws-lambdas/${name}/handler.ts does not export a handler function.\n`);
    return 2;
  }
  const timeoutMs = Number(process.env.INVOKE_TIMEOUT_MS ?? 60_000);
  const result = await module.handler(event, fakeContext(name, timeoutMs));
  process.stdout.write(`${JSON.stringify(result ?? null, null, 2)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${describeFailure(error)}\n`);
    process.exit(1);
  },
);
