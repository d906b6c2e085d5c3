/**
 * The Worker's one configuration checkpoint: bindings (wrangler.toml [vars], secrets, `.dev.vars`)
 * in, a validated, typed config out. Every problem names its variable. The result is memoised per
 * `env` object, so validation runs once per isolate, not once per request.
 */
import { isSecretWorkerSetting, WORKER_SETTINGS, type WorkerSetting } from "../model/settings.ts";
import {
  folderPrefix as sharedFolderPrefix,
  settingsReaderWith,
  type SettingsReader,
} from "../model/settings-reader.ts";
import {
  DEFAULT_ANALYSIS_PREFIX,
  DEFAULT_BUCKETS,
  DEFAULT_RECORDINGS_PREFIX,
  DEFAULT_RECORDING_SEGMENT_SECONDS,
  RECORDING_SEGMENT_SECONDS_BOUNDS,
  DEFAULT_REGION,
  DEFAULT_TABLES,
  TABLE_ENV_VARS,
  type TableRole,
} from "../model/index.ts";
import { s3Location, type S3Location } from "./aws/s3-url.ts";
import type { AccessLogMode } from "./http/log.ts";
import { parseAllowedOrigins, type OriginRule } from "./origins.ts";
import { MAX_OBJECT_BYTES, MAX_SINGLE_PUT_BYTES, MIN_PART_BYTES } from "./uploads/limits.ts";

export type PlaybackPolicy = "public" | "signed";

export interface Config {
  aws: {
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  };
  /** DynamoDB JSON API endpoint, e.g. https://dynamodb.us-east-1.amazonaws.com */
  dynamodbEndpoint: string;
  /** S3 endpoint. When set explicitly (local/S3-compatible servers) requests are path-style. */
  s3: S3Location;
  tables: Record<TableRole, string>;
  allowedOrigins: OriginRule[];
  /** Seconds the Cache API keeps a successful lookup; 0 disables the edge cache. */
  cacheTtlSeconds: number;
  upstream: {
    /** Time budget to an upstream's response headers, retries included. */
    deadlineMs: number;
    /** Longest pause between two chunks of an upstream body before it counts as stalled. */
    idleMs: number;
    /** Attempts per upstream call (1 = no retry). */
    maxAttempts: number;
  };
  buckets: { output: string; recordings: string; analysis: string };
  recordings: {
    prefix: string;
    segmentSeconds: number;
    /** Longest window a playlist may cover. */
    maxWindowSeconds: number;
    /** Read settled days from the day indexes (docs/recording-index.md) before listing. */
    index: boolean;
  };
  /**
   * When set, recording segment URIs point here (public static hosting of the recordings bucket,
   * the seed's S3_HOSTING_URL) as `<base>/<object key>`, instead of the Worker's segment route.
   */
  segmentBaseUrl?: string;
  /** The same for VOD segments: public hosting of the output bucket, `<base>/<object key>`. */
  vodSegmentBaseUrl?: string;
  /** Folder of face results in the analysis bucket: "" (the root) or a prefix ending in "/". */
  analysisPrefix: string;
  playback: {
    policy: PlaybackPolicy;
    /** HS256 secret for playback and key tokens. */
    tokenSecret: string;
    /** Previous secret, still accepted while players holding old tokens finish (rotation grace). */
    previousTokenSecret?: string;
    /** Lifetime of the key token a playlist embeds in its EXT-X-KEY URI. */
    keyTokenTtlSeconds: number;
  };
  /**
   * Access to /api/media/faces: "signed" asks for a token scoped to the upload (or the
   * Rekognition job), like signed playback. Defaults to PLAYBACK_POLICY: face data of videos
   * whose playback is protected should not be open to anyone who can guess a file name.
   */
  facesPolicy: PlaybackPolicy;
  /**
   * Whether GET / (and the page's files) serve the demo page from the `[assets]` directory.
   * DEMO_PAGE=off turns it off in production: every page path then answers the seed's 404.
   */
  demoPage: boolean;
  /** Which requests write an access-log line (writesAccessLine in worker/http/log.ts). */
  accessLog: AccessLogMode;
  /** Direct browser uploads (worker/routes/uploads.ts). */
  uploads: UploadConfig;
}

export interface UploadConfig {
  /** "signed": an upload token is required; "public": anyone on an allowed origin (local/demo use). */
  policy: PlaybackPolicy;
  /** The input bucket the Lambdas transcode from. */
  bucket: string;
  /** Where uploads go: INPUT_PREFIX as a folder ("" = the bucket root), so the Lambdas select them. */
  prefix: string;
  /** Largest upload accepted, in bytes (413 above). */
  maxBytes: number;
  /** Uploads larger than this use S3 multipart; others one presigned PUT. */
  multipartThresholdBytes: number;
  /** Lifetime of a presigned URL, in seconds. */
  urlTtlSeconds: number;
}

/** Raw bindings as strings (Workers vars are strings; secrets are strings). */
export type ConfigBindings = Partial<Record<string, unknown>>;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = "ConfigError";
  }
}

const cache = new WeakMap<object, Config | ConfigError>();

/** Validated config for these bindings, or the first ConfigError (memoised per env object). */
export function readConfig(env: ConfigBindings): Config | ConfigError {
  const cached = cache.get(env);
  if (cached) return cached;
  let result: Config | ConfigError;
  try {
    result = parseConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    result = error;
  }
  cache.set(env, result);
  return result;
}

type Reader = SettingsReader<WorkerSetting>;

function readerOf(env: ConfigBindings): Reader {
  return settingsReaderWith<WorkerSetting>(
    (name) => env[name],
    (name, problem) => new ConfigError(name, problem),
    isSecretWorkerSetting,
  );
}

/** A prefix as a folder: "" stays "" (the bucket's root), anything else ends in "/". */
export const folderPrefix = sharedFolderPrefix;

/**
 * Most segments one recorder window may cover: a week of 30-s segments. Unindexed, that is 21
 * parallel listing slices sharing 23 pages, plus 5 index GETs when RECORDINGS_INDEX=on: 28
 * S3 calls at most before retries, inside the free plan's 50 subrequests (worker/recordings/archive.ts).
 */
export const MAX_SEGMENTS_PER_WINDOW = 20_160;

/** Default longest window: a week (or MAX_SEGMENTS_PER_WINDOW segments, for segments shorter than 30 s). */
export const DEFAULT_MAX_WINDOW_SECONDS = 7 * 86_400;

function recordingSettings(read: Reader): Config["recordings"] {
  const segmentSeconds = read.integer(
    "RECORDING_SEGMENT_SECONDS",
    DEFAULT_RECORDING_SEGMENT_SECONDS,
    RECORDING_SEGMENT_SECONDS_BOUNDS,
  );
  // Default: a week, or less for short segments, so the default never breaks the segment cap below.
  const maxWindowSeconds = read.integer(
    "MAX_WINDOW_SECONDS",
    Math.min(DEFAULT_MAX_WINDOW_SECONDS, MAX_SEGMENTS_PER_WINDOW * segmentSeconds),
    {
      min: 60,
      max: 7 * 86_400,
    },
  );
  if (maxWindowSeconds / segmentSeconds > MAX_SEGMENTS_PER_WINDOW) {
    throw new ConfigError(
      "MAX_WINDOW_SECONDS",
      `allows ${Math.ceil(maxWindowSeconds / segmentSeconds)} segments of RECORDING_SEGMENT_SECONDS=${segmentSeconds} per window; ` +
        `keep MAX_WINDOW_SECONDS / RECORDING_SEGMENT_SECONDS at or below ${MAX_SEGMENTS_PER_WINDOW}`,
    );
  }
  return {
    prefix: read.prefix("RECORDINGS_PREFIX", DEFAULT_RECORDINGS_PREFIX),
    segmentSeconds,
    maxWindowSeconds,
    // "on" where aws-lambdas/recording-index maintains the day indexes (the stack deploys it).
    index: read.oneOf("RECORDINGS_INDEX", ["on", "off"], "off") === "on",
  };
}

/** The upload settings; INPUT_PREFIX is the Lambdas' own, so every upload is one they transcode. */
function uploadSettings(read: Reader): UploadConfig {
  return {
    policy: read.oneOf("UPLOAD_POLICY", ["public", "signed"] as const, WORKER_SETTINGS.UPLOAD_POLICY.default),
    bucket: read.bucket("INPUT_BUCKET", WORKER_SETTINGS.INPUT_BUCKET.default) as string,
    prefix: folderPrefix(read.prefix("INPUT_PREFIX", WORKER_SETTINGS.INPUT_PREFIX.default)),
    maxBytes: read.integer("MAX_UPLOAD_BYTES", WORKER_SETTINGS.MAX_UPLOAD_BYTES.default, {
      min: 1,
      max: MAX_OBJECT_BYTES,
    }),
    multipartThresholdBytes: read.integer(
      "MULTIPART_THRESHOLD_BYTES",
      WORKER_SETTINGS.MULTIPART_THRESHOLD_BYTES.default,
      {
        min: MIN_PART_BYTES,
        max: MAX_SINGLE_PUT_BYTES,
      },
    ),
    urlTtlSeconds: read.integer("UPLOAD_URL_TTL_SECONDS", WORKER_SETTINGS.UPLOAD_URL_TTL_SECONDS.default, {
      min: 60,
      max: 43_200,
    }),
  };
}

function awsRegion(read: Reader): string {
  const region = read.text("AWS_REGION") ?? DEFAULT_REGION;
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new ConfigError("AWS_REGION", `is not a region: "${region}"`);
  return region;
}

function awsSettings(read: Reader, region: string): Pick<Config, "aws" | "dynamodbEndpoint" | "s3"> {
  return {
    aws: {
      region,
      accessKeyId: read.required("AWS_ACCESS_KEY_ID", "set it with `wrangler secret put AWS_ACCESS_KEY_ID`"),
      secretAccessKey: read.required(
        "AWS_SECRET_ACCESS_KEY",
        "set it with `wrangler secret put AWS_SECRET_ACCESS_KEY`",
      ),
      sessionToken: read.text("AWS_SESSION_TOKEN"),
    },
    dynamodbEndpoint: read.url("DYNAMODB_ENDPOINT") ?? `https://dynamodb.${region}.amazonaws.com`,
    s3: s3Location(region, read.url("S3_ENDPOINT")),
  };
}

function tokenSecret(read: Reader, name: "TOKEN_SECRET" | "TOKEN_SECRET_PREVIOUS"): string | undefined {
  const secret =
    name === "TOKEN_SECRET"
      ? read.required(name, "set it with `wrangler secret put TOKEN_SECRET` (32+ random bytes)")
      : read.text(name);
  if (secret !== undefined && secret.length < 32) throw new ConfigError(name, "must be at least 32 characters");
  return secret;
}

function playbackSettings(read: Reader): Pick<Config, "playback" | "facesPolicy"> {
  const policies = ["public", "signed"] as const;
  const policy = read.oneOf("PLAYBACK_POLICY", policies, WORKER_SETTINGS.PLAYBACK_POLICY.default);
  return {
    playback: {
      policy,
      tokenSecret: tokenSecret(read, "TOKEN_SECRET") as string,
      previousTokenSecret: tokenSecret(read, "TOKEN_SECRET_PREVIOUS"),
      keyTokenTtlSeconds: read.integer("KEY_TOKEN_TTL_SECONDS", WORKER_SETTINGS.KEY_TOKEN_TTL_SECONDS.default, {
        min: 30,
        max: 86_400,
      }),
    },
    facesPolicy: read.oneOf("FACES_POLICY", policies, policy),
  };
}

function allowedOrigins(read: Reader): OriginRule[] {
  const raw = read.required(
    "ALLOWED_ORIGINS",
    "list the origins allowed to call the API, e.g. 'https://app.example.com https://*.example.com'",
  );
  try {
    return parseAllowedOrigins(raw);
  } catch (error) {
    throw new ConfigError("ALLOWED_ORIGINS", (error as Error).message);
  }
}

function parseConfig(env: ConfigBindings): Config {
  const read = readerOf(env);
  const region = awsRegion(read);
  const tables = {} as Record<TableRole, string>;
  for (const role of Object.keys(DEFAULT_TABLES) as TableRole[]) {
    tables[role] = read.table(TABLE_ENV_VARS[role] as WorkerSetting, DEFAULT_TABLES[role]);
  }
  const origins = allowedOrigins(read);
  const { playback, facesPolicy } = playbackSettings(read);
  const output = read.bucket("OUTPUT_BUCKET", DEFAULT_BUCKETS.output) as string;
  const { aws, dynamodbEndpoint, s3 } = awsSettings(read, region);
  return {
    aws,
    dynamodbEndpoint,
    s3,
    tables,
    allowedOrigins: origins,
    cacheTtlSeconds: read.integer("CACHE_TTL_SECONDS", WORKER_SETTINGS.CACHE_TTL_SECONDS.default, {
      min: 0,
      max: 3600,
    }),
    upstream: {
      deadlineMs: read.integer("UPSTREAM_DEADLINE_MS", WORKER_SETTINGS.UPSTREAM_DEADLINE_MS.default, {
        min: 100,
        max: 30_000,
      }),
      idleMs: read.integer("UPSTREAM_IDLE_MS", WORKER_SETTINGS.UPSTREAM_IDLE_MS.default, { min: 100, max: 120_000 }),
      maxAttempts: read.integer("UPSTREAM_MAX_ATTEMPTS", WORKER_SETTINGS.UPSTREAM_MAX_ATTEMPTS.default, {
        min: 1,
        max: 10,
      }),
    },
    buckets: {
      output,
      recordings: read.bucket("RECORDINGS_BUCKET", DEFAULT_BUCKETS.recordings) as string,
      analysis: read.bucket("ANALYSIS_BUCKET", output) as string,
    },
    recordings: recordingSettings(read),
    segmentBaseUrl: read.url("SEGMENT_BASE_URL"),
    vodSegmentBaseUrl: read.url("VOD_SEGMENT_BASE_URL"),
    analysisPrefix: folderPrefix(read.prefix("ANALYSIS_PREFIX", DEFAULT_ANALYSIS_PREFIX)),
    playback,
    facesPolicy,
    uploads: uploadSettings(read),
    demoPage: read.oneOf("DEMO_PAGE", ["on", "off"], "on") === "on",
    accessLog: read.oneOf("ACCESS_LOG", ["upstream", "all"], WORKER_SETTINGS.ACCESS_LOG.default),
  };
}
