/**
 * The CDK app's settings: CDK context (`cdk.json` "context", or `npx cdk deploy -c key=value`) in, a
 * validated, typed object out. Every problem names its context key, so a typo fails `cdk synth` with
 * the key in the message instead of deploying something half-configured.
 * https://docs.aws.amazon.com/cdk/v2/guide/context.html
 *
 * Pure: the context is read through a function, so tests pass a plain object.
 */
import {
  DEFAULT_ANALYSIS_PREFIX,
  DEFAULT_FACE_ANALYSIS_TTL_SECONDS,
  DEFAULT_RECORDINGS_PREFIX,
  DEFAULT_TABLES,
  TABLE_ENV_VARS,
  type TableRole,
} from "../../model/index.ts";

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
  /** Recorder segments live under `<recordingsPrefix>/` in the recordings bucket. */
  recordingsPrefix: string;
  /** Face results prefix in the output bucket, ending in "/" (never the root). */
  analysisPrefix: string;
  /** Days before face result files expire (a day after their row's TTL); 0 = never. */
  analysisRetentionDays: number;
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

function text(get: ContextReader, key: string): string | undefined {
  const value = get(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" && typeof value !== "number") throw new SettingsError(key, "must be a string.");
  const trimmed = String(value).trim();
  return trimmed === "" ? undefined : trimmed;
}

function integer(get: ContextReader, key: string, fallback: number, min: number, max: number): number {
  const raw = text(get, key);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new SettingsError(key, `must be a whole number, got "${raw}".`);
  const value = Number(raw);
  if (value < min || value > max) throw new SettingsError(key, `must be between ${min} and ${max}, got ${value}.`);
  return value;
}

// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

function bucketName(get: ContextReader, key: string): string | undefined {
  const value = text(get, key);
  if (value !== undefined && !BUCKET_NAME.test(value)) {
    throw new SettingsError(key, `is not a valid S3 bucket name: "${value}".`);
  }
  return value;
}

/** A key prefix without leading or trailing "/" (the Worker's RECORDINGS_PREFIX form). */
function plainPrefix(get: ContextReader, key: string, fallback: string): string {
  const value = text(get, key) ?? fallback;
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  if (/[\u0000-\u001f\u007f*?]/.test(value) || value.split("/").some((part) => part === "." || part === "..")) {
    throw new SettingsError(key, `must be a plain S3 key prefix, got "${value}".`);
  }
  return value.replace(/^\/+|\/+$/g, "");
}

/**
 * The upload prefix. The EventBridge rule matches it against the key as S3 sends it, URL-encoded
 * (like S3 notifications: "a b" arrives as "a+b"), while the Lambdas compare it with the decoded key.
 * Only characters that encoding leaves alone mean the same to both, so only those are accepted.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
function inputPrefix(get: ContextReader): string {
  const value = text(get, "inputPrefix") ?? "";
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

/** Validated settings from the CDK context; throws `SettingsError` naming the first bad key. */
export function readSettings(get: ContextReader): MediaEdgeSettings {
  const tables = {} as Record<TableRole, string>;
  for (const role of Object.keys(DEFAULT_TABLES) as TableRole[]) {
    const key = TABLE_ENV_VARS[role];
    const name = text(get, key) ?? DEFAULT_TABLES[role];
    if (!TABLE_NAME.test(name)) throw new SettingsError(key, `is not a valid table name: "${name}".`);
    tables[role] = name;
  }

  const existingTables = (text(get, "existingTables") ?? "")
    .split(/[\s,]+/)
    .filter((role) => role !== "")
    .map((role) => {
      if (!(role in DEFAULT_TABLES)) {
        throw new SettingsError(
          "existingTables",
          `lists "${role}", which is not a table role (${Object.keys(DEFAULT_TABLES).join(", ")}).`,
        );
      }
      return role as TableRole;
    });

  const analysisPrefix = plainPrefix(get, "analysisPrefix", DEFAULT_ANALYSIS_PREFIX);
  if (analysisPrefix === "") {
    // The bucket root cannot work: the Lambdas and the Worker read an empty ANALYSIS_PREFIX as unset
    // (their default), while the results' lifecycle rule and faces-collect's PutObject grant would
    // cover the whole output bucket, expiring every HLS output with the face results.
    throw new SettingsError("analysisPrefix", "must name a folder of the output bucket, not its root.");
  }
  const concurrencyRaw = text(get, "facesStartConcurrency");
  const removalPolicy = text(get, "removalPolicy") ?? "retain";
  if (removalPolicy !== "retain" && removalPolicy !== "destroy") {
    throw new SettingsError("removalPolicy", `must be "retain" or "destroy", got "${removalPolicy}".`);
  }
  const endpoint = text(get, "mediaConvertEndpoint");
  if (endpoint !== undefined && !/^https:\/\/[^\s/]+\/?$/.test(endpoint)) {
    throw new SettingsError("mediaConvertEndpoint", `must be an https:// URL with no path, got "${endpoint}".`);
  }

  const settings: MediaEdgeSettings = {
    tables,
    existingTables,
    bucketNames: {},
    inputPrefix: inputPrefix(get),
    recordingsPrefix: plainPrefix(get, "recordingsPrefix", DEFAULT_RECORDINGS_PREFIX),
    analysisPrefix: `${analysisPrefix}/`,
    // The row lives DEFAULT_FACE_ANALYSIS_TTL_SECONDS; a result nobody can find any more is dead weight.
    analysisRetentionDays: integer(
      get,
      "analysisRetentionDays",
      Math.ceil(DEFAULT_FACE_ANALYSIS_TTL_SECONDS / 86_400) + 1,
      0,
      36_500,
    ),
    mediaConvert: {},
    removalPolicy,
    logRetentionDays: integer(get, "logRetentionDays", 30, 1, 3653),
  };
  if (concurrencyRaw !== "none") {
    settings.facesStartConcurrency = integer(get, "facesStartConcurrency", 5, 1, MAX_FACES_START_CONCURRENCY);
  }
  const input = bucketName(get, "inputBucketName");
  const output = bucketName(get, "outputBucketName");
  const recordings = bucketName(get, "recordingsBucketName");
  if (input) settings.bucketNames.input = input;
  if (output) settings.bucketNames.output = output;
  if (recordings) settings.bucketNames.recordings = recordings;
  if (endpoint) settings.mediaConvert.endpoint = endpoint.replace(/\/$/, "");
  const jobTemplate = text(get, "mediaConvertJobTemplate");
  if (jobTemplate) settings.mediaConvert.jobTemplate = jobTemplate;
  const queue = text(get, "mediaConvertQueue");
  if (queue) settings.mediaConvert.queue = queue;
  const workerUserName = text(get, "workerUserName");
  if (workerUserName) {
    // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html
    if (!/^[\w+=,.@-]{1,64}$/.test(workerUserName)) {
      throw new SettingsError("workerUserName", `is not a valid IAM user name: "${workerUserName}".`);
    }
    settings.workerUserName = workerUserName;
  }
  return settings;
}

/** Settings with every default (what `cdk synth` with an empty context gives). */
export function defaultSettings(): MediaEdgeSettings {
  return readSettings(() => undefined);
}
