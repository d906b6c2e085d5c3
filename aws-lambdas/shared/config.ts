/**
 * Configuration readers for the Lambdas. Each function's handler module reads its configuration once,
 * at module load (cold start), through these helpers: a missing or malformed variable then fails the
 * cold start with a `ConfigError` naming the variable, instead of a TypeError deep inside the first
 * invocation. Lambda reports init failures as `Runtime.ExitError`/`InitError` with this message.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html
 *
 * The rules (what an integer, URL, list or prefix may be) are the shared reader's (`model/settings-reader.ts`),
 * the names and defaults the registry's (`model/settings.ts`).
 *
 * Pure: the environment is passed in (`process.env` in handlers, a plain object in tests).
 */
import { DEFAULT_TABLES, TABLE_ENV_VARS, type TableRole } from "../../model/index.ts";
import { isSecretLambdaSetting, lambdaDefault, type LambdaSetting } from "../../model/settings.ts";
import { settingsReaderWith, type SettingsReader } from "../../model/settings-reader.ts";

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

/** The shared settings reader over a Lambda's environment, failing with a `ConfigError`. */
export function lambdaSettings(env: Env): SettingsReader<LambdaSetting> {
  return settingsReaderWith<LambdaSetting>(
    (name) => env[name],
    (name, problem) => new ConfigError(name, problem),
    isSecretLambdaSetting,
  );
}

/** The value of a variable that must be set and non-blank (trimmed). */
export function requiredString(env: Env, name: LambdaSetting): string {
  return lambdaSettings(env).required(name);
}

/** The value of a variable, or `fallback` when unset or blank (trimmed). */
export function optionalString(env: Env, name: LambdaSetting, fallback: string): string {
  return lambdaSettings(env).text(name) ?? fallback;
}

/** A whole-number variable within [min, max] (min defaults to 0), or `fallback` when unset or blank. */
export function integerSetting(
  env: Env,
  name: LambdaSetting,
  fallback: number,
  bounds: { min?: number; max?: number } = {},
): number {
  return lambdaSettings(env).integer(name, fallback, { min: bounds.min ?? 0, max: bounds.max });
}

/**
 * `STATUS_TTL_SECONDS`: lifetime of the job status rows (and submit-job's InputFile rows), at least a
 * minute; shared by submit-job, which writes them, and job-state, which renews it on every update.
 */
export function statusTtlSetting(env: Env): number {
  return integerSetting(env, "STATUS_TTL_SECONDS", lambdaDefault("STATUS_TTL_SECONDS"), { min: 60 });
}

/**
 * `IDEMPOTENCY_TTL_SECONDS`: lifetime of the upload claim rows (shared/idempotency.ts), at least a day
 * (EventBridge retries for 24 h); read by submit-job and faces-start.
 */
export function claimTtlSetting(env: Env): number {
  return integerSetting(env, "IDEMPOTENCY_TTL_SECONDS", lambdaDefault("IDEMPOTENCY_TTL_SECONDS"), { min: 86_400 });
}

/** A list variable: items separated by commas and/or whitespace, blanks dropped; `fallback` when unset. */
export function listSetting(env: Env, name: LambdaSetting, fallback: readonly string[]): string[] {
  return lambdaSettings(env).list(name, fallback);
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
  extensionsVariable: LambdaSetting,
  defaultExtensions: readonly string[],
): UploadSelection {
  const videoExtensions = listSetting(env, extensionsVariable, defaultExtensions).map((ext) =>
    ext.replace(/^\./, "").toLowerCase(),
  );
  if (videoExtensions.length === 0) throw new ConfigError(extensionsVariable, "must list at least one extension.");
  return {
    inputPrefix: optionalString(env, "INPUT_PREFIX", lambdaDefault("INPUT_PREFIX")),
    inputBuckets: listSetting(env, "INPUT_BUCKETS", listSetting(env, "INPUT_BUCKET", [])),
    videoExtensions,
  };
}

/** An `http(s)://` URL variable without trailing "/", or undefined when unset/blank. */
export function optionalUrl(env: Env, name: LambdaSetting): string | undefined {
  return lambdaSettings(env).url(name);
}

/** Every table name: `TABLE_*` variables from the shared model, defaulting to the seed's names. */
export function tableNames(env: Env): Record<TableRole, string> {
  const read = lambdaSettings(env);
  const names = {} as Record<TableRole, string>;
  for (const role of Object.keys(DEFAULT_TABLES) as TableRole[]) {
    names[role] = read.table(TABLE_ENV_VARS[role] as LambdaSetting, DEFAULT_TABLES[role]);
  }
  return names;
}

/** The region: `AWS_REGION` (set by Lambda itself), else `AWS_DEFAULT_REGION`, else the model default. */
export function awsRegion(env: Env): string {
  return optionalString(env, "AWS_REGION", optionalString(env, "AWS_DEFAULT_REGION", lambdaDefault("AWS_REGION")));
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
  /** `SQS_ENDPOINT`: the local stack's queue. */
  sqs?: string;
}

/** Reads `AWS_REGION`, `DYNAMODB_ENDPOINT`, `S3_ENDPOINT` and `SQS_ENDPOINT`. */
export function awsEndpoints(env: Env): AwsEndpoints {
  const endpoints: AwsEndpoints = { region: awsRegion(env) };
  const dynamodb = optionalUrl(env, "DYNAMODB_ENDPOINT");
  if (dynamodb) endpoints.dynamodb = dynamodb;
  const s3 = optionalUrl(env, "S3_ENDPOINT");
  if (s3) endpoints.s3 = s3;
  const sqs = optionalUrl(env, "SQS_ENDPOINT");
  if (sqs) endpoints.sqs = sqs;
  return endpoints;
}
