/**
 * The local stack's embedded defaults: one place for every setting `npm start`, `npm run invoke`
 * and `npm run token` use. Any variable set in the environment wins over these
 * (`ALLOWED_ORIGINS='https://*.example.com' npm start`).
 *
 * None of these values is a secret: the credentials are the local S3 server's fixed ones and the
 * token secret only signs tokens for 127.0.0.1. Production secrets go through `wrangler secret put`
 * and the Lambdas' IAM roles, never through this file.
 */
import { resolve } from "node:path";
import { listSetting } from "../aws-lambdas/shared/config.ts";
import { DEFAULT_BUCKETS, DEFAULT_REGION, DEFAULT_TABLES, TABLE_ENV_VARS } from "../model/index.ts";
import { SETTINGS } from "../model/settings.ts";
import { DEFAULT_LOCAL_PORTS, LOCAL_CREDENTIALS } from "./constants.ts";

export { DEFAULT_LOCAL_PORTS, LOCAL_CREDENTIALS };

/**
 * The settings lines of the recordings tools' usage (`npm run record`, `npm run reindex`): the
 * variables they read, with their defaults from the registry, and where the local S3 server is.
 */
export const RECORDINGS_SETTINGS_USAGE = `Settings: ${(
  ["RECORDINGS_BUCKET", "RECORDINGS_PREFIX", "RECORDING_SEGMENT_SECONDS"] as const
)
  .map((name) => `${name} (${SETTINGS[name].default})`)
  .join(", ")};
the local S3 server at S3_ENDPOINT or S3_PORT (npm start's).`;

/** Signs local playback/key tokens. Not a secret: it only ever protects 127.0.0.1. */
export const LOCAL_TOKEN_SECRET = "local-development-token-secret-not-for-production";

/**
 * The token secret the local Worker verifies with: TOKEN_SECRET from the environment (as `npm start`
 * passes it on), else the local default. `fromEnvironment` says which, for the helpers' messages.
 */
export function localTokenSecret(env: NodeJS.ProcessEnv = process.env): { value: string; fromEnvironment: boolean } {
  const fromEnvironment = env.TOKEN_SECRET?.trim();
  return fromEnvironment
    ? { value: fromEnvironment, fromEnvironment: true }
    : { value: LOCAL_TOKEN_SECRET, fromEnvironment: false };
}

/** Where `npm start` keeps DynamoDB and S3 data between runs (LOCAL_DATA_DIR overrides). */
export function localDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.LOCAL_DATA_DIR ?? ".local");
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) {
    throw new Error(`${name} must be a TCP port (1-65535), got "${raw}"`);
  }
  return Number(raw);
}

/**
 * Port of the local MediaConvert and Rekognition emulators (one server; local/emulators/). The
 * Lambdas' MEDIACONVERT_ENDPOINT_URL / REKOGNITION_ENDPOINT_URL default to it.
 */
export const DEFAULT_EMULATOR_PORT = DEFAULT_LOCAL_PORTS.emulators;

export interface LocalPorts {
  dynamodb: number;
  s3: number;
  worker: number;
  /** The AWS API emulators; DEFAULT_EMULATOR_PORT when absent. */
  emulators?: number;
}

/** Ports of the local stack (DYNAMODB_PORT, S3_PORT, WORKER_PORT, EMULATOR_PORT override). */
export function localPorts(env: NodeJS.ProcessEnv = process.env): Required<LocalPorts> {
  return {
    dynamodb: port(env, "DYNAMODB_PORT", DEFAULT_LOCAL_PORTS.dynamodb),
    s3: port(env, "S3_PORT", DEFAULT_LOCAL_PORTS.s3),
    worker: port(env, "WORKER_PORT", DEFAULT_LOCAL_PORTS.worker),
    emulators: port(env, "EMULATOR_PORT", DEFAULT_EMULATOR_PORT),
  };
}

export interface LocalEndpoints {
  dynamodb: string;
  s3: string;
  worker: string;
  /** MediaConvert and Rekognition emulators. */
  emulators: string;
}

/** Endpoints of the local stack for these ports. */
export function localEndpoints(ports: LocalPorts): LocalEndpoints {
  return {
    dynamodb: `http://127.0.0.1:${ports.dynamodb}`,
    s3: `http://127.0.0.1:${ports.s3}`,
    worker: `http://127.0.0.1:${ports.worker}`,
    emulators: `http://127.0.0.1:${ports.emulators ?? DEFAULT_EMULATOR_PORT}`,
  };
}

/** Settings both runtimes share locally (tables, buckets, region, endpoints, credentials). */
function sharedSettings(endpoints: LocalEndpoints): Record<string, string> {
  const tables = Object.fromEntries(
    Object.entries(TABLE_ENV_VARS).map(([role, variable]) => [
      variable,
      DEFAULT_TABLES[role as keyof typeof DEFAULT_TABLES],
    ]),
  );
  return {
    AWS_REGION: DEFAULT_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    DYNAMODB_ENDPOINT: endpoints.dynamodb,
    S3_ENDPOINT: endpoints.s3,
    OUTPUT_BUCKET: DEFAULT_BUCKETS.output,
    ...tables,
  };
}

/** Variables the local Worker runs with (over wrangler.toml's [vars]). */
export function localWorkerDefaults(endpoints: LocalEndpoints): Record<string, string> {
  return {
    ...sharedSettings(endpoints),
    RECORDINGS_BUCKET: DEFAULT_BUCKETS.recordings,
    // The local pipeline runs the recording-index Lambda on s3rver's events (local/pipeline.ts).
    RECORDINGS_INDEX: "on",
    ALLOWED_ORIGINS: [
      "http://localhost:3000",
      "http://127.0.0.1:3000",
      "http://localhost:5173",
      "http://127.0.0.1:5173",
      `http://localhost:${new URL(endpoints.worker).port}`,
      endpoints.worker,
    ].join(" "),
    TOKEN_SECRET: LOCAL_TOKEN_SECRET,
    // Direct uploads without a token on the local stack (the demo page); deployments default to signed.
    UPLOAD_POLICY: "public",
    INPUT_BUCKET: DEFAULT_BUCKETS.input,
    // A JSON line for every request on the laptop, cache hits too (no Workers Logs here); deployments
    // log only the requests that called AWS or failed (docs/api.md, Logs).
    ACCESS_LOG: "all",
  };
}

/**
 * Variables the local Lambdas run with. MediaConvert and Rekognition have no local equivalent:
 * their endpoints default to the local emulators `npm start` runs (local/emulators/, wired in
 * local/pipeline.ts), and MEDIACONVERT_ENDPOINT_URL / REKOGNITION_ENDPOINT_URL in the environment
 * point them elsewhere. The names are the ones the handlers read (aws-lambdas/<name>/config.ts).
 */
export function localLambdaDefaults(endpoints: LocalEndpoints, emulator?: string): Record<string, string> {
  return {
    ...sharedSettings(endpoints),
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    INPUT_BUCKET: DEFAULT_BUCKETS.input,
    MEDIACONVERT_ENDPOINT_URL: emulator ?? endpoints.emulators,
    MEDIACONVERT_ROLE: "arn:aws:iam::000000000000:role/MediaConvertRole",
    // submit-job requires a template name. The emulator accepts any name and uses its built-in
    // two-rendition HLS ladder in place of the template.
    MEDIACONVERT_JOB_TEMPLATE: "media-edge-local-hls",
    REKOGNITION_ENDPOINT_URL: emulator ?? endpoints.emulators,
    REKOGNITION_SNS_TOPIC_ARN: "arn:aws:sns:us-east-1:000000000000:AmazonRekognitionFaces",
    REKOGNITION_ROLE_ARN: "arn:aws:iam::000000000000:role/RekognitionSnsPublish",
  };
}

/**
 * Variables the Lambdas read that have no local default. Set in the environment, they reach the
 * Lambdas `npm start` runs (with the defaults above, which the environment also overrides).
 */
export const LAMBDA_VARIABLES = [
  "AWS_SESSION_TOKEN",
  "AWS_DEFAULT_REGION",
  "INPUT_BUCKETS",
  "INPUT_PREFIX",
  "VIDEO_EXTENSIONS",
  "MEDIACONVERT_QUEUE",
  "STATUS_TTL_SECONDS",
  "IDEMPOTENCY_TTL_SECONDS",
  "ANALYSIS_BUCKET",
  "ANALYSIS_PREFIX",
  "REKOGNITION_FACE_ATTRIBUTES",
  "FACES_VIDEO_EXTENSIONS",
  "FACES_TTL_SECONDS",
  "FACES_CHUNK_SIZE",
  "FACES_COLLECT_RESERVE_MS",
  "RECORDINGS_PREFIX",
  "RECORDING_SEGMENT_SECONDS",
  "POWERTOOLS_LOG_LEVEL",
] as const;

/**
 * Every variable the Worker reads (docs/configuration.md). Any of them set in the environment
 * reaches the local Worker, whether or not the local stack has a default for it.
 */
export const WORKER_VARIABLES = [
  "AWS_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "DYNAMODB_ENDPOINT",
  "S3_ENDPOINT",
  ...Object.values(TABLE_ENV_VARS),
  "ALLOWED_ORIGINS",
  "CACHE_TTL_SECONDS",
  "UPSTREAM_DEADLINE_MS",
  "UPSTREAM_MAX_ATTEMPTS",
  "OUTPUT_BUCKET",
  "RECORDINGS_BUCKET",
  "ANALYSIS_BUCKET",
  "RECORDINGS_PREFIX",
  "RECORDING_SEGMENT_SECONDS",
  "MAX_WINDOW_SECONDS",
  "RECORDINGS_INDEX",
  "SEGMENT_BASE_URL",
  "VOD_SEGMENT_BASE_URL",
  "ANALYSIS_PREFIX",
  "PLAYBACK_POLICY",
  "FACES_POLICY",
  "TOKEN_SECRET",
  "TOKEN_SECRET_PREVIOUS",
  "KEY_TOKEN_TTL_SECONDS",
  "INPUT_BUCKET",
  "INPUT_PREFIX",
  "UPLOAD_POLICY",
  "MAX_UPLOAD_BYTES",
  "MULTIPART_THRESHOLD_BYTES",
  "UPLOAD_URL_TTL_SECONDS",
  "DEMO_PAGE",
] as const;

/**
 * Defaults overlaid with whatever the environment sets for the same names or for `names`
 * (environment wins).
 */
export function withEnvironment(
  defaults: Record<string, string>,
  env: NodeJS.ProcessEnv = process.env,
  names: readonly string[] = [],
): Record<string, string> {
  const merged = { ...defaults };
  for (const name of new Set([...Object.keys(defaults), ...names])) {
    const value = env[name];
    if (value !== undefined) merged[name] = value;
  }
  return merged;
}

/** How the helpers (`npm run upload`, `token`, `invoke`) reach the stack `npm start` runs. */
export interface LocalStack {
  ports: Required<LocalPorts>;
  /** DYNAMODB_ENDPOINT / S3_ENDPOINT / WORKER_URL override the port-derived addresses. */
  endpoints: LocalEndpoints;
  /** The bucket uploads go to: the first of INPUT_BUCKETS, else INPUT_BUCKET, else the default. */
  inputBucket: string;
  tokenSecret: { value: string; fromEnvironment: boolean };
}

/**
 * The one reader of the local stack's addresses and names, from the same variables `npm start`
 * reads, so a helper run with the same overrides (`WORKER_PORT=8788 npm run token -- ...`) talks to
 * the same servers.
 */
export function localStack(env: NodeJS.ProcessEnv = process.env): LocalStack {
  const ports = localPorts(env);
  const derived = localEndpoints(ports);
  const nonEmpty = (value: string | undefined) => (value && value.trim() !== "" ? value.trim() : undefined);
  // The Lambdas' own reading: INPUT_BUCKETS wins over INPUT_BUCKET (aws-lambdas/shared/config.ts).
  const inputBuckets = listSetting(env, "INPUT_BUCKETS", listSetting(env, "INPUT_BUCKET", [DEFAULT_BUCKETS.input]));
  return {
    ports,
    endpoints: {
      dynamodb: nonEmpty(env.DYNAMODB_ENDPOINT) ?? derived.dynamodb,
      s3: nonEmpty(env.S3_ENDPOINT) ?? derived.s3,
      worker: (nonEmpty(env.WORKER_URL) ?? derived.worker).replace(/\/+$/, ""),
      emulators: derived.emulators,
    },
    inputBucket: inputBuckets[0] ?? DEFAULT_BUCKETS.input,
    tokenSecret: localTokenSecret(env),
  };
}
