/**
 * The Worker's one configuration checkpoint: bindings (wrangler.toml [vars], secrets, `.dev.vars`)
 * in, a validated, typed config out. Every problem names its variable. The result is memoised per
 * `env` object, so validation runs once per isolate, not once per request.
 */
import {
  DEFAULT_ANALYSIS_PREFIX,
  DEFAULT_BUCKETS,
  DEFAULT_RECORDINGS_PREFIX,
  DEFAULT_RECORDING_SEGMENT_SECONDS,
  DEFAULT_REGION,
  DEFAULT_TABLES,
  TABLE_ENV_VARS,
  type TableRole,
} from "../model/index.ts";
import { parseAllowedOrigins, type OriginRule } from "./origins.ts";

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
  s3: { endpoint: string; pathStyle: boolean };
  tables: Record<TableRole, string>;
  allowedOrigins: OriginRule[];
  /** Seconds the Cache API keeps a successful lookup; 0 disables the edge cache. */
  cacheTtlSeconds: number;
  upstream: {
    /** Total time budget for one upstream call including retries. */
    deadlineMs: number;
    /** Attempts per upstream call (1 = no retry). */
    maxAttempts: number;
  };
  buckets: { output: string; recordings: string; analysis: string };
  recordings: {
    prefix: string;
    segmentSeconds: number;
    /** Longest window a playlist may cover. */
    maxWindowSeconds: number;
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

function text(env: ConfigBindings, name: string): string | undefined {
  const value = env[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new ConfigError(name, "must be a string");
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

function required(env: ConfigBindings, name: string, hint: string): string {
  const value = text(env, name);
  if (value === undefined) throw new ConfigError(name, `is missing: ${hint}`);
  return value;
}

function integer(env: ConfigBindings, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function httpUrl(env: ConfigBindings, name: string): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, "");
}

function bucketName(env: ConfigBindings, name: string, fallback: string): string {
  const value = text(env, name) ?? fallback;
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value)) {
    throw new ConfigError(name, `is not a valid S3 bucket name: "${value}"`);
  }
  return value;
}

function prefix(env: ConfigBindings, name: string, fallback: string): string {
  const value = text(env, name) ?? fallback;
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value) || value.split("/").some((part) => part === "..")) {
    throw new ConfigError(name, `must be a plain S3 key prefix, got "${value}"`);
  }
  return value.replace(/^\/+|\/+$/g, "");
}

function onOff(env: ConfigBindings, name: string, fallback: boolean): boolean {
  const value = text(env, name);
  if (value === undefined) return fallback;
  if (value !== "on" && value !== "off") throw new ConfigError(name, `must be "on" or "off", got "${value}"`);
  return value === "on";
}

function policy(env: ConfigBindings, name: string, fallback: PlaybackPolicy): PlaybackPolicy {
  const value = text(env, name) ?? fallback;
  if (value !== "public" && value !== "signed") {
    throw new ConfigError(name, `must be "public" or "signed", got "${value}"`);
  }
  return value;
}

/** A prefix as a folder: "" stays "" (the bucket's root), anything else ends in "/". */
export function folderPrefix(value: string): string {
  return value === "" ? "" : `${value}/`;
}

/**
 * Most segments one recorder window may cover: 10 listing pages of 1,000 keys, so a window needs
 * at most 12 ListObjectsV2 calls (36 with retries), inside the free plan's 50 subrequests.
 */
export const MAX_SEGMENTS_PER_WINDOW = 10_000;

function recordingSettings(env: ConfigBindings): Config["recordings"] {
  const segmentSeconds = integer(env, "RECORDING_SEGMENT_SECONDS", DEFAULT_RECORDING_SEGMENT_SECONDS, 1, 3600);
  // Default: a day, or less for short segments, so the default never breaks the segment cap below.
  const maxWindowSeconds = integer(
    env,
    "MAX_WINDOW_SECONDS",
    Math.min(86_400, MAX_SEGMENTS_PER_WINDOW * segmentSeconds),
    60,
    7 * 86_400,
  );
  if (maxWindowSeconds / segmentSeconds > MAX_SEGMENTS_PER_WINDOW) {
    throw new ConfigError(
      "MAX_WINDOW_SECONDS",
      `allows ${Math.ceil(maxWindowSeconds / segmentSeconds)} segments of RECORDING_SEGMENT_SECONDS=${segmentSeconds} per window; ` +
        `keep MAX_WINDOW_SECONDS / RECORDING_SEGMENT_SECONDS at or below ${MAX_SEGMENTS_PER_WINDOW}`,
    );
  }
  return { prefix: prefix(env, "RECORDINGS_PREFIX", DEFAULT_RECORDINGS_PREFIX), segmentSeconds, maxWindowSeconds };
}

function parseConfig(env: ConfigBindings): Config {
  const region = text(env, "AWS_REGION") ?? DEFAULT_REGION;
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new ConfigError("AWS_REGION", `is not a region: "${region}"`);

  const tables = { ...DEFAULT_TABLES } as Record<TableRole, string>;
  for (const role of Object.keys(TABLE_ENV_VARS) as TableRole[]) {
    const variable = TABLE_ENV_VARS[role];
    const name = text(env, variable);
    if (name === undefined) continue;
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(name)) throw new ConfigError(variable, `is not a valid table name: "${name}"`);
    tables[role] = name;
  }

  const originsRaw = required(
    env,
    "ALLOWED_ORIGINS",
    "list the origins allowed to call the API, e.g. 'https://app.example.com https://*.example.com'",
  );
  let allowedOrigins: OriginRule[];
  try {
    allowedOrigins = parseAllowedOrigins(originsRaw);
  } catch (error) {
    throw new ConfigError("ALLOWED_ORIGINS", (error as Error).message);
  }

  const s3Endpoint = httpUrl(env, "S3_ENDPOINT");
  const playbackPolicy = policy(env, "PLAYBACK_POLICY", "public");
  const facesPolicy = policy(env, "FACES_POLICY", playbackPolicy);
  const tokenSecret = required(
    env,
    "TOKEN_SECRET",
    "set it with `wrangler secret put TOKEN_SECRET` (32+ random bytes)",
  );
  if (tokenSecret.length < 32) throw new ConfigError("TOKEN_SECRET", "must be at least 32 characters");
  const previousTokenSecret = text(env, "TOKEN_SECRET_PREVIOUS");
  if (previousTokenSecret !== undefined && previousTokenSecret.length < 32) {
    throw new ConfigError("TOKEN_SECRET_PREVIOUS", "must be at least 32 characters");
  }
  const output = bucketName(env, "OUTPUT_BUCKET", DEFAULT_BUCKETS.output);

  return {
    aws: {
      region,
      accessKeyId: required(env, "AWS_ACCESS_KEY_ID", "set it with `wrangler secret put AWS_ACCESS_KEY_ID`"),
      secretAccessKey: required(
        env,
        "AWS_SECRET_ACCESS_KEY",
        "set it with `wrangler secret put AWS_SECRET_ACCESS_KEY`",
      ),
      sessionToken: text(env, "AWS_SESSION_TOKEN"),
    },
    dynamodbEndpoint: httpUrl(env, "DYNAMODB_ENDPOINT") ?? `https://dynamodb.${region}.amazonaws.com`,
    s3: { endpoint: s3Endpoint ?? `https://s3.${region}.amazonaws.com`, pathStyle: s3Endpoint !== undefined },
    tables,
    allowedOrigins,
    cacheTtlSeconds: integer(env, "CACHE_TTL_SECONDS", 5, 0, 3600),
    upstream: {
      deadlineMs: integer(env, "UPSTREAM_DEADLINE_MS", 3000, 100, 30_000),
      maxAttempts: integer(env, "UPSTREAM_MAX_ATTEMPTS", 3, 1, 10),
    },
    buckets: {
      output,
      recordings: bucketName(env, "RECORDINGS_BUCKET", DEFAULT_BUCKETS.recordings),
      analysis: bucketName(env, "ANALYSIS_BUCKET", output),
    },
    recordings: recordingSettings(env),
    segmentBaseUrl: httpUrl(env, "SEGMENT_BASE_URL"),
    vodSegmentBaseUrl: httpUrl(env, "VOD_SEGMENT_BASE_URL"),
    analysisPrefix: folderPrefix(prefix(env, "ANALYSIS_PREFIX", DEFAULT_ANALYSIS_PREFIX)),
    playback: {
      policy: playbackPolicy,
      tokenSecret,
      previousTokenSecret,
      keyTokenTtlSeconds: integer(env, "KEY_TOKEN_TTL_SECONDS", 900, 30, 86_400),
    },
    facesPolicy,
    demoPage: onOff(env, "DEMO_PAGE", true),
  };
}
