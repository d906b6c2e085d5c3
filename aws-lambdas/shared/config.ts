/**
 * Configuration readers for the Lambdas. Each function's handler module reads its configuration once,
 * at module load (cold start), through these helpers: a missing or malformed variable then fails the
 * cold start with a `ConfigError` naming the variable, instead of a TypeError deep inside the first
 * invocation. Lambda reports init failures as `Runtime.ExitError`/`InitError` with this message.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html
 *
 * Pure: the environment is passed in (`process.env` in handlers, a plain object in tests).
 */
import {
  DEFAULT_REGION,
  DEFAULT_STATUS_TTL_SECONDS,
  DEFAULT_TABLES,
  TABLE_ENV_VARS,
  type TableRole,
} from "../../model/index.ts";

/** A process environment, or any plain object standing in for one. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A missing or malformed configuration variable. `variable` names it. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Configuration variable ${variable} ${problem}`);
  }
}

/** The value of a variable that must be set and non-blank (trimmed). */
export function requiredString(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, "is required but not set.");
  return value;
}

/** The value of a variable, or `fallback` when unset or blank (trimmed). */
export function optionalString(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value ? value : fallback;
}

/** An integer variable within [min, max], or `fallback` when unset or blank. */
export function integerSetting(
  env: Env,
  name: string,
  fallback: number,
  bounds: { min?: number; max?: number } = {},
): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be an integer, got ${JSON.stringify(raw)}.`);
  const value = Number(raw);
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = bounds;
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}.`);
  return value;
}

/**
 * `STATUS_TTL_SECONDS`: lifetime of the job status rows (and submit-job's InputFile rows), at least a
 * minute; shared by submit-job, which writes them, and job-state, which renews it on every update.
 */
export function statusTtlSetting(env: Env): number {
  return integerSetting(env, "STATUS_TTL_SECONDS", DEFAULT_STATUS_TTL_SECONDS, { min: 60 });
}

/** A list variable: items separated by commas and/or whitespace, blanks dropped; `fallback` when unset. */
export function listSetting(env: Env, name: string, fallback: readonly string[]): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return [...fallback];
  return raw
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/** Where uploads come from and which files count, as every upload consumer reads them. */
export interface UploadSelection {
  /** Only keys under this prefix are uploads ("" = every key). */
  inputPrefix: string;
  /** Buckets uploads may come from; empty = any bucket the trigger sends. */
  inputBuckets: string[];
  /** Lowercase extensions without dot. */
  videoExtensions: string[];
}

/**
 * `INPUT_PREFIX`, `INPUT_BUCKETS` (or the local stack's single `INPUT_BUCKET` when that is unset) and
 * the consumer's own extension list `extensionsVariable`: submit-job and faces-start react to the
 * same uploads, so they read the same variables the same way.
 */
export function uploadSelection(
  env: Env,
  extensionsVariable: string,
  defaultExtensions: readonly string[],
): UploadSelection {
  const videoExtensions = listSetting(env, extensionsVariable, defaultExtensions).map((ext) =>
    ext.replace(/^\./, "").toLowerCase(),
  );
  if (videoExtensions.length === 0) throw new ConfigError(extensionsVariable, "must list at least one extension.");
  return {
    inputPrefix: optionalString(env, "INPUT_PREFIX", ""),
    inputBuckets: listSetting(env, "INPUT_BUCKETS", listSetting(env, "INPUT_BUCKET", [])),
    videoExtensions,
  };
}

/** An `http(s)://` URL variable, or undefined when unset/blank. */
export function optionalUrl(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got ${JSON.stringify(raw)}.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(name, `must be an http(s) URL, got ${JSON.stringify(raw)}.`);
  }
  return raw.replace(/\/+$/, "");
}

/** Every table name: `TABLE_*` variables from the shared model, defaulting to the seed's names. */
export function tableNames(env: Env): Record<TableRole, string> {
  const names = {} as Record<TableRole, string>;
  for (const role of Object.keys(DEFAULT_TABLES) as TableRole[]) {
    names[role] = optionalString(env, TABLE_ENV_VARS[role], DEFAULT_TABLES[role]);
  }
  return names;
}

/** The region: `AWS_REGION` (set by Lambda itself), else `AWS_DEFAULT_REGION`, else the model default. */
export function awsRegion(env: Env): string {
  return optionalString(env, "AWS_REGION", optionalString(env, "AWS_DEFAULT_REGION", DEFAULT_REGION));
}

/**
 * Endpoints of the AWS services the shared clients use. Unset in AWS (the SDK picks the regional
 * endpoint); set locally to DynamoDB Local and the local S3 server.
 */
export interface AwsEndpoints {
  region: string;
  /** `DYNAMODB_ENDPOINT`, e.g. http://127.0.0.1:8000 (DynamoDB Local). */
  dynamodb?: string;
  /** `S3_ENDPOINT`, e.g. http://127.0.0.1:4568 (s3rver). Path-style addressing is used when set. */
  s3?: string;
}

/** Reads `AWS_REGION`, `DYNAMODB_ENDPOINT` and `S3_ENDPOINT`. */
export function awsEndpoints(env: Env): AwsEndpoints {
  const endpoints: AwsEndpoints = { region: awsRegion(env) };
  const dynamodb = optionalUrl(env, "DYNAMODB_ENDPOINT");
  if (dynamodb) endpoints.dynamodb = dynamodb;
  const s3 = optionalUrl(env, "S3_ENDPOINT");
  if (s3) endpoints.s3 = s3;
  return endpoints;
}
