/**
 * The CDK app's settings: CDK context (`cdk.json` "context", or `npx cdk deploy -c key=value`) in, a
 * validated, typed object out. Every problem names its context key, so a typo fails `cdk synth` with
 * the key in the message instead of deploying something half-configured.
 * https://docs.aws.amazon.com/cdk/v2/guide/context.html
 *
 * Values go through the shared settings reader (`model/settings-reader.ts`, the Worker's and the Lambdas'
 * rules); context keys and defaults come from the registry (`model/settings.ts`).
 *
 * Pure: the context is read through a function, so tests pass a plain object.
 */
import { DEFAULT_TABLES, RECORDING_SEGMENT_SECONDS_BOUNDS, TABLE_ENV_VARS, type TableRole } from "../../model/index.ts";
import { type InfraKey, SETTINGS } from "../../model/settings.ts";
import { folderPrefix, settingsReader, type SettingsReader } from "../../model/settings-reader.ts";
import { parseAllowedOrigins } from "../../worker/origins.ts";

/** Everything the stack needs to know that is not fixed by the model. */
export interface MediaEdgeSettings {
  /** Table name per role. Context keys are the Lambdas' variable names (`TABLE_JOB_ID_TO_STATUS`, ...). */
  tables: Record<TableRole, string>;
  /**
   * Tables that already exist (a deployment of the seed): referenced, not created. Their key schema and
   * TTL must already match the model (the seed's tables do). Context `existingTables`, comma-separated roles.
   */
  existingTables: TableRole[];
  /** Explicit bucket names; unset = CloudFormation generates a unique name (S3 names are global). */
  bucketNames: { input?: string; output?: string; recordings?: string };
  /** Only keys under this prefix of the input bucket are uploads ("" = all). Context `inputPrefix`. */
  inputPrefix: string;
  /**
   * Browser origins that may PUT to the input bucket through the Worker's presigned URLs (its CORS
   * rule), as S3 CORS AllowedOrigins; the Worker's ALLOWED_ORIGINS. Context `allowedOrigins`; empty = no rule.
   */
  allowedOrigins: string[];
  /** Recorder segments live under `<recordingsPrefix>/` in the recordings bucket. */
  recordingsPrefix: string;
  /** The recorders' segment length: the indexer's layout, and the Worker's RECORDING_SEGMENT_SECONDS. */
  recordingSegmentSeconds: number;
  /** Face results prefix in the output bucket, ending in "/" (never the root). */
  analysisPrefix: string;
  /** Days before face result files expire (a day after their row's TTL); 0 = never. */
  analysisRetentionDays: number;
  /**
   * Days before recorder segments (and their index objects, under the same prefix) expire; 0 =
   * never. The recording indexer follows the expirations.
   */
  recordingsRetentionDays: number;
  mediaConvert: {
    /** Account endpoint URL (optional: SDK v3 uses the regional endpoint). */
    endpoint?: string;
    /** Existing job template name or ARN; unset = the stack creates its HLS template. */
    jobTemplate?: string;
    /** Queue ARN (or name); unset = the template's queue, else Default. Also filters job-state's rule. */
    queue?: string;
  };
  /** Reserved concurrency of faces-start; undefined = none (context value "none"). */
  facesStartConcurrency?: number;
  /** RETAIN (default) keeps buckets and tables when the stack is deleted; DESTROY is for throwaway stacks. */
  removalPolicy: "retain" | "destroy";
  /** CloudWatch Logs retention of every function's log group, in days. */
  logRetentionDays: number;
  /** Name of the Worker's IAM user; unset = generated. */
  workerUserName?: string;
  /** URLs that receive signed state changes (job-state, faces-collect); empty = none. Context `webhookUrls`. */
  webhookUrls: string[];
}

/** A context value that is missing or malformed. */
export class SettingsError extends Error {
  override name = "SettingsError";
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`Context ${key} ${problem}`);
  }
}

/** Reads one context key (`app.node.tryGetContext`). */
export type ContextReader = (key: string) => unknown;

type Reader = SettingsReader<InfraKey>;

function readerOf(get: ContextReader): Reader {
  return settingsReader<InfraKey>(get, (key, problem) => new SettingsError(key, problem));
}

/**
 * The upload prefix. The EventBridge rule matches it against the key as S3 sends it, URL-encoded
 * (like S3 notifications: "a b" arrives as "a+b"), while the Lambdas compare it with the decoded key.
 * Only characters that encoding leaves alone mean the same to both, so only those are accepted.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
function inputPrefix(read: Reader): string {
  const value = read.text("inputPrefix") ?? SETTINGS.INPUT_PREFIX.default;
  if (!/^[A-Za-z0-9/_.-]*$/.test(value) || value.startsWith("/")) {
    throw new SettingsError(
      "inputPrefix",
      `may only contain letters, digits and / _ . - (and not start with /), got "${value}".`,
    );
  }
  return value;
}

/** Rekognition's 20 concurrent jobs are the real limit; a reservation above that only wastes the pool. */
const MAX_FACES_START_CONCURRENCY = 20;

function tableSettings(read: Reader): Pick<MediaEdgeSettings, "tables" | "existingTables"> {
  const tables = {} as Record<TableRole, string>;
  for (const role of Object.keys(DEFAULT_TABLES) as TableRole[]) {
    tables[role] = read.table(TABLE_ENV_VARS[role] as InfraKey, DEFAULT_TABLES[role]);
  }
  const roles = Object.keys(DEFAULT_TABLES);
  const existingTables = read.list("existingTables", []).map((role) => {
    if (!roles.includes(role)) {
      throw new SettingsError("existingTables", `lists "${role}", which is not a table role (${roles.join(", ")}).`);
    }
    return role as TableRole;
  });
  return { tables, existingTables };
}

function analysisPrefix(read: Reader): string {
  const prefix = read.prefix("analysisPrefix", SETTINGS.ANALYSIS_PREFIX.default);
  if (prefix === "") {
    // The bucket root cannot work: the Lambdas and the Worker read an empty ANALYSIS_PREFIX as unset
    // (their default), while the results' lifecycle rule and faces-collect's PutObject grant would
    // cover the whole output bucket, expiring every HLS output with the face results.
    throw new SettingsError("analysisPrefix", "must name a folder of the output bucket, not its root.");
  }
  return folderPrefix(prefix);
}

function mediaConvertSettings(read: Reader): MediaEdgeSettings["mediaConvert"] {
  const mediaConvert: MediaEdgeSettings["mediaConvert"] = {};
  const endpoint = read.text("mediaConvertEndpoint");
  if (endpoint !== undefined && !/^https:\/\/[^\s/]+\/?$/.test(endpoint)) {
    throw new SettingsError("mediaConvertEndpoint", `must be an https:// URL with no path, got "${endpoint}".`);
  }
  if (endpoint) mediaConvert.endpoint = endpoint.replace(/\/$/, "");
  const jobTemplate = read.text("mediaConvertJobTemplate");
  if (jobTemplate) mediaConvert.jobTemplate = jobTemplate;
  const queue = read.text("mediaConvertQueue");
  if (queue) mediaConvert.queue = queue;
  return mediaConvert;
}

function bucketNames(read: Reader): MediaEdgeSettings["bucketNames"] {
  const names: MediaEdgeSettings["bucketNames"] = {};
  const input = read.bucket("inputBucketName");
  const output = read.bucket("outputBucketName");
  const recordings = read.bucket("recordingsBucketName");
  if (input) names.input = input;
  if (output) names.output = output;
  if (recordings) names.recordings = recordings;
  return names;
}

/**
 * ALLOWED_ORIGINS, validated by the Worker's own rules, as S3 CORS origins: exact origins as they are,
 * `https://*.example.com` patterns too (S3 allows one "*" per origin).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ManageCorsUsing.html
 */
function allowedOrigins(read: Reader): string[] {
  const raw = read.text("allowedOrigins");
  if (raw === undefined) return [];
  try {
    return parseAllowedOrigins(raw).map((rule) =>
      rule.kind === "exact" ? rule.origin : `${rule.scheme}://*.${rule.suffix}${rule.port ? `:${rule.port}` : ""}`,
    );
  } catch (error) {
    throw new SettingsError("allowedOrigins", `${(error as Error).message}.`);
  }
}

function webhookUrls(read: Reader): string[] {
  const urls = read.list("webhookUrls", []);
  for (const url of urls) {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw new SettingsError("webhookUrls", `must list absolute http(s) URLs, got "${url}".`);
    }
  }
  return urls;
}

function workerUserName(read: Reader): string | undefined {
  const name = read.text("workerUserName");
  // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html
  if (name !== undefined && !/^[\w+=,.@-]{1,64}$/.test(name)) {
    throw new SettingsError("workerUserName", `is not a valid IAM user name: "${name}".`);
  }
  return name;
}

/** Validated settings from the CDK context; throws `SettingsError` naming the first bad key. */
export function readSettings(get: ContextReader): MediaEdgeSettings {
  const read = readerOf(get);
  const { tables, existingTables } = tableSettings(read);
  const concurrencyRaw = read.text("facesStartConcurrency");
  const settings: MediaEdgeSettings = {
    tables,
    existingTables,
    bucketNames: bucketNames(read),
    inputPrefix: inputPrefix(read),
    allowedOrigins: allowedOrigins(read),
    recordingsPrefix: read.prefix("recordingsPrefix", SETTINGS.RECORDINGS_PREFIX.default),
    recordingSegmentSeconds: read.integer(
      "recordingSegmentSeconds",
      SETTINGS.RECORDING_SEGMENT_SECONDS.default,
      RECORDING_SEGMENT_SECONDS_BOUNDS,
    ),
    analysisPrefix: analysisPrefix(read),
    // The row lives DEFAULT_FACE_ANALYSIS_TTL_SECONDS; a result nobody can find any more is dead weight.
    analysisRetentionDays: read.integer("analysisRetentionDays", SETTINGS.analysisRetentionDays.default, {
      min: 0,
      max: 36_500,
    }),
    recordingsRetentionDays: read.integer("recordingsRetentionDays", SETTINGS.recordingsRetentionDays.default, {
      min: 0,
      max: 36_500,
    }),
    mediaConvert: mediaConvertSettings(read),
    removalPolicy: read.oneOf("removalPolicy", ["retain", "destroy"], SETTINGS.removalPolicy.default),
    logRetentionDays: read.integer("logRetentionDays", SETTINGS.logRetentionDays.default, { min: 1, max: 3653 }),
    webhookUrls: webhookUrls(read),
  };
  if (concurrencyRaw !== "none") {
    settings.facesStartConcurrency = read.integer("facesStartConcurrency", SETTINGS.facesStartConcurrency.default, {
      min: 1,
      max: MAX_FACES_START_CONCURRENCY,
    });
  }
  const userName = workerUserName(read);
  if (userName) settings.workerUserName = userName;
  return settings;
}

/** Settings with every default (what `cdk synth` with an empty context gives). */
export function defaultSettings(): MediaEdgeSettings {
  return readSettings(() => undefined);
}
