/**
 * Every setting of every runtime, defined once: its name, who reads it (the Worker, which Lambda, which
 * CDK context key), its default as the reader applies it, and whether it is a secret. Its words for
 * people (description, default notes) are in `model/settings-docs.ts`, keyed by the same names: the
 * Worker and the Lambdas bundle this file, and need none of them (issue 12, bundle size). The readers
 * (`worker/config.ts`, `aws-lambdas/*\/config.ts`, `infra/lib/settings.ts`) take their names from
 * here (typed: a name that is not registered does not compile), `npm run docs:config` renders
 * `docs/configuration.md` from both, and `test/unit/settings.test.ts` checks that the README,
 * `docs/*.md` and `wrangler.toml` name no other setting.
 *
 * Plain data: it must load in workerd, in Node and in the CDK app.
 */
import {
  DEFAULT_ANALYSIS_PREFIX,
  DEFAULT_BUCKETS,
  DEFAULT_FACE_ANALYSIS_TTL_SECONDS,
  DEFAULT_RECORDING_SEGMENT_SECONDS,
  DEFAULT_RECORDINGS_PREFIX,
  DEFAULT_REGION,
  DEFAULT_STATUS_TTL_SECONDS,
  DEFAULT_TABLES,
} from "./index.ts";

/** The Lambda functions, by their folder name under `aws-lambdas/`. */
export const LAMBDA_NAMES = [
  "submit-job",
  "job-state",
  "faces-start",
  "faces-collect",
  "webhook-deliver",
  "recording-index",
] as const;
export type LambdaName = (typeof LAMBDA_NAMES)[number];

const ALL_LAMBDAS = LAMBDA_NAMES;
/** The four functions of the media pipeline (tables, buckets); webhook-deliver and recording-index touch neither. */
export const PIPELINE_LAMBDAS = ["submit-job", "job-state", "faces-start", "faces-collect"] as const;
/** The functions that send state changes to webhooks (through the queue). */
const WEBHOOK_PRODUCERS = ["job-state", "faces-collect"] as const;
const UPLOAD_LAMBDAS = ["submit-job", "faces-start"] as const;
const FACE_LAMBDAS = ["faces-start", "faces-collect"] as const;

/** One registered setting. */
export interface SettingSpec {
  /** Read by the Worker (a wrangler.toml [vars] entry or a `wrangler secret`). */
  readonly worker?: boolean;
  /** Lambdas whose environment carries it. */
  readonly lambdas?: readonly LambdaName[];
  /** CDK context key (`cdk.json` or `-c key=value`) that infra reads for it. */
  readonly infra?: string;
  /** The value a reader uses when it is unset; absent = unset stays unset (or is required, see `required`). */
  readonly default?: string | number | readonly string[];
  /** Runtimes that refuse to start without it. */
  readonly required?: readonly ("worker" | "lambdas")[];
  /** Never echoed in error messages, never in wrangler.toml: `wrangler secret put`. */
  readonly secret?: boolean;
}

/**
 * The registry, in parts so that a bundle takes only what its runtime reads. The Worker imports
 * WORKER_SETTINGS alone: the settings it reads, each with only what the Worker itself uses of it
 * (its default and whether it is a secret). Who else reads them and which are required are in
 * WORKER_SETTINGS_READERS, and the settings only Lambdas or infra read in LAMBDA_AND_INFRA_SETTINGS:
 * both built by pure functions, so the Worker's bundle carries neither (issue 12, bundle size).
 * SETTINGS joins the three. Keys are the names users write: environment variables, or the CDK
 * context key for infra-only ones.
 */
export const WORKER_SETTINGS = {
  AWS_ACCESS_KEY_ID: { secret: true },
  AWS_SECRET_ACCESS_KEY: { secret: true },
  AWS_SESSION_TOKEN: { secret: true },
  AWS_REGION: { default: DEFAULT_REGION },
  DYNAMODB_ENDPOINT: {},
  S3_ENDPOINT: {},
  TABLE_INPUT_FILE_TO_JOB_ID: { default: DEFAULT_TABLES.inputFileToJobId },
  TABLE_JOB_ID_TO_OUTPUT: { default: DEFAULT_TABLES.jobIdToOutput },
  TABLE_JOB_ID_TO_STATUS: { default: DEFAULT_TABLES.jobIdToStatus },
  TABLE_UPLOAD_EVENTS: { default: DEFAULT_TABLES.uploadEvents },
  TABLE_FACE_ANALYSIS: { default: DEFAULT_TABLES.faceAnalysis },
  ALLOWED_ORIGINS: {},
  CACHE_TTL_SECONDS: { default: 5 },
  UPSTREAM_DEADLINE_MS: { default: 3000 },
  UPSTREAM_IDLE_MS: { default: 10_000 },
  UPSTREAM_MAX_ATTEMPTS: { default: 3 },
  OUTPUT_BUCKET: { default: DEFAULT_BUCKETS.output },
  RECORDINGS_BUCKET: { default: DEFAULT_BUCKETS.recordings },
  RECORDINGS_PREFIX: { default: DEFAULT_RECORDINGS_PREFIX },
  RECORDING_SEGMENT_SECONDS: { default: DEFAULT_RECORDING_SEGMENT_SECONDS },
  MAX_WINDOW_SECONDS: {},
  RECORDINGS_INDEX: { default: "off" },
  SEGMENT_BASE_URL: {},
  VOD_SEGMENT_BASE_URL: {},
  ANALYSIS_BUCKET: {},
  ANALYSIS_PREFIX: { default: DEFAULT_ANALYSIS_PREFIX },
  PLAYBACK_POLICY: { default: "public" },
  FACES_POLICY: {},
  TOKEN_SECRET: { secret: true },
  TOKEN_SECRET_PREVIOUS: { secret: true },
  KEY_TOKEN_TTL_SECONDS: { default: 900 },
  DEMO_PAGE: { default: "on" },
  ACCESS_LOG: { default: "upstream" },
  INPUT_PREFIX: { default: "" },
  INPUT_BUCKET: { default: DEFAULT_BUCKETS.input },
  UPLOAD_POLICY: { default: "signed" },
  MAX_UPLOAD_BYTES: { default: 5 * 1024 ** 3 },
  MULTIPART_THRESHOLD_BYTES: { default: 64 * 1024 ** 2 },
  UPLOAD_URL_TTL_SECONDS: { default: 900 },
} as const satisfies Record<string, SettingSpec>;

type WorkerSettingName = keyof typeof WORKER_SETTINGS;

const tableReaders = (key: string) => ({ lambdas: PIPELINE_LAMBDAS, infra: key }) as const;

/** The rest of each Worker setting's spec: the Lambdas and the CDK context key that read it too, and `required`. */
const WORKER_SETTINGS_READERS = /* @__PURE__ */ (() =>
  ({
    AWS_ACCESS_KEY_ID: { required: ["worker"] },
    AWS_SECRET_ACCESS_KEY: { required: ["worker"] },
    AWS_REGION: { lambdas: ALL_LAMBDAS },
    DYNAMODB_ENDPOINT: { lambdas: PIPELINE_LAMBDAS },
    S3_ENDPOINT: { lambdas: PIPELINE_LAMBDAS },
    TABLE_INPUT_FILE_TO_JOB_ID: tableReaders("TABLE_INPUT_FILE_TO_JOB_ID"),
    TABLE_JOB_ID_TO_OUTPUT: tableReaders("TABLE_JOB_ID_TO_OUTPUT"),
    TABLE_JOB_ID_TO_STATUS: tableReaders("TABLE_JOB_ID_TO_STATUS"),
    TABLE_UPLOAD_EVENTS: tableReaders("TABLE_UPLOAD_EVENTS"),
    TABLE_FACE_ANALYSIS: tableReaders("TABLE_FACE_ANALYSIS"),
    ALLOWED_ORIGINS: { infra: "allowedOrigins", required: ["worker"] },
    OUTPUT_BUCKET: { lambdas: PIPELINE_LAMBDAS, infra: "outputBucketName", required: ["lambdas"] },
    RECORDINGS_BUCKET: { infra: "recordingsBucketName" },
    RECORDINGS_PREFIX: { lambdas: ["recording-index"], infra: "recordingsPrefix" },
    RECORDING_SEGMENT_SECONDS: { lambdas: ["recording-index"], infra: "recordingSegmentSeconds" },
    ANALYSIS_BUCKET: { lambdas: FACE_LAMBDAS },
    ANALYSIS_PREFIX: { lambdas: FACE_LAMBDAS, infra: "analysisPrefix" },
    TOKEN_SECRET: { required: ["worker"] },
    INPUT_PREFIX: { lambdas: UPLOAD_LAMBDAS, infra: "inputPrefix" },
    INPUT_BUCKET: { lambdas: UPLOAD_LAMBDAS },
  }) as const satisfies { [N in WorkerSettingName]?: SettingSpec })();

/**
 * What the Lambdas use of the settings that only Lambdas (or infra) read: each default and whether it
 * is a secret, as WORKER_SETTINGS is for the Worker. With it and WORKER_SETTINGS a Lambda bundle has
 * every default and secret flag it reads (`lambdaDefault`, `isSecretLambdaSetting`) without the rest
 * of the registry (issue 12, bundle size). Built by a pure function, like the parts below, so that the
 * Worker's bundle drops it (wrangler's bundling keeps the plain literal, whose values read imports).
 */
export const LAMBDA_SETTINGS = /* @__PURE__ */ (() =>
  ({
    AWS_DEFAULT_REGION: {},
    MEDIACONVERT_ROLE: {},
    MEDIACONVERT_JOB_TEMPLATE: {},
    MEDIACONVERT_ENDPOINT_URL: {},
    MEDIACONVERT_QUEUE: {},
    INPUT_BUCKETS: {},
    // prettier-ignore
    VIDEO_EXTENSIONS: {
    default: [
      "mp4", "m4v", "mov", "qt", "mkv", "webm", "avi", "flv", "f4v", "wmv", "asf", "mpg", "mpeg", "m2v",
      "ts", "m2ts", "mts", "mxf", "3gp", "3g2", "y4m",
    ],
  },
    STATUS_TTL_SECONDS: { default: DEFAULT_STATUS_TTL_SECONDS },
    IDEMPOTENCY_TTL_SECONDS: { default: 7 * 86_400 },
    REKOGNITION_SNS_TOPIC_ARN: {},
    REKOGNITION_ROLE_ARN: {},
    REKOGNITION_FACE_ATTRIBUTES: { default: "DEFAULT" },
    FACES_VIDEO_EXTENSIONS: { default: ["mp4", "mov"] },
    REKOGNITION_ENDPOINT_URL: {},
    FACES_TTL_SECONDS: { default: DEFAULT_FACE_ANALYSIS_TTL_SECONDS },
    FACES_CHUNK_SIZE: { default: 1000 },
    FACES_COLLECT_RESERVE_MS: { default: 30_000 },
    WEBHOOK_URLS: { default: [] },
    WEBHOOK_QUEUE_URL: {},
    SQS_ENDPOINT: {},
    WEBHOOK_SECRET_ARN: {},
    WEBHOOK_SECRET: { secret: true },
    WEBHOOK_SECRET_PREVIOUS: { secret: true },
    WEBHOOK_TIMEOUT_MS: { default: 10_000 },
    POWERTOOLS_LOG_LEVEL: { default: "INFO" },
    POWERTOOLS_SERVICE_NAME: {},
  }) as const satisfies Record<string, SettingSpec>)();

type LambdaSettingName = keyof typeof LAMBDA_SETTINGS;

// Built by a pure function so that a bundle that never reads it drops it: its array spreads would
// otherwise count as possible side effects, and esbuild would keep the whole literal. Who reads each
// setting of LAMBDA_SETTINGS (joined with it in SETTINGS), and the settings only infra reads.
const LAMBDA_AND_INFRA_SETTINGS = /* @__PURE__ */ (() =>
  ({
    AWS_DEFAULT_REGION: { lambdas: ALL_LAMBDAS },
    MEDIACONVERT_ROLE: { lambdas: ["submit-job"], required: ["lambdas"] },
    MEDIACONVERT_JOB_TEMPLATE: { lambdas: ["submit-job"], infra: "mediaConvertJobTemplate", required: ["lambdas"] },
    MEDIACONVERT_ENDPOINT_URL: { lambdas: ["submit-job"], infra: "mediaConvertEndpoint" },
    MEDIACONVERT_QUEUE: { lambdas: ["submit-job"], infra: "mediaConvertQueue" },
    INPUT_BUCKETS: { lambdas: UPLOAD_LAMBDAS },
    VIDEO_EXTENSIONS: { lambdas: ["submit-job"] },
    STATUS_TTL_SECONDS: { lambdas: ["submit-job", "job-state"] },
    IDEMPOTENCY_TTL_SECONDS: { lambdas: UPLOAD_LAMBDAS },
    REKOGNITION_SNS_TOPIC_ARN: { lambdas: ["faces-start"], required: ["lambdas"] },
    REKOGNITION_ROLE_ARN: { lambdas: ["faces-start"], required: ["lambdas"] },
    REKOGNITION_FACE_ATTRIBUTES: { lambdas: ["faces-start"] },
    FACES_VIDEO_EXTENSIONS: { lambdas: ["faces-start"] },
    REKOGNITION_ENDPOINT_URL: { lambdas: FACE_LAMBDAS },
    FACES_TTL_SECONDS: { lambdas: FACE_LAMBDAS },
    FACES_CHUNK_SIZE: { lambdas: ["faces-collect"] },
    FACES_COLLECT_RESERVE_MS: { lambdas: ["faces-collect"] },
    WEBHOOK_URLS: { lambdas: WEBHOOK_PRODUCERS, infra: "webhookUrls" },
    WEBHOOK_QUEUE_URL: {
      lambdas: [...WEBHOOK_PRODUCERS, "webhook-deliver"],
    },
    SQS_ENDPOINT: {
      lambdas: [...WEBHOOK_PRODUCERS, "webhook-deliver"],
    },
    WEBHOOK_SECRET_ARN: { lambdas: ["webhook-deliver"] },
    WEBHOOK_SECRET: { lambdas: ["webhook-deliver"] },
    WEBHOOK_SECRET_PREVIOUS: { lambdas: ["webhook-deliver"] },
    WEBHOOK_TIMEOUT_MS: { lambdas: ["webhook-deliver"] },
    POWERTOOLS_LOG_LEVEL: { lambdas: ALL_LAMBDAS },
    POWERTOOLS_SERVICE_NAME: { lambdas: ALL_LAMBDAS },
    existingTables: { infra: "existingTables", default: "" },
    inputBucketName: { infra: "inputBucketName" },
    // Face result files outlive their row by a day: a result nobody can find any more is dead weight.
    analysisRetentionDays: {
      infra: "analysisRetentionDays",
      default: Math.ceil(DEFAULT_FACE_ANALYSIS_TTL_SECONDS / 86_400) + 1,
    },
    // Recorder archives are kept until deleted unless the operator chooses a retention.
    recordingsRetentionDays: { infra: "recordingsRetentionDays", default: 0 },
    facesStartConcurrency: { infra: "facesStartConcurrency", default: 5 },
    removalPolicy: { infra: "removalPolicy", default: "retain" },
    logRetentionDays: { infra: "logRetentionDays", default: 30 },
    workerUserName: { infra: "workerUserName" },
  }) as const satisfies Record<LambdaSettingName, SettingSpec> & Record<string, SettingSpec>)();

type LambdaAndInfraName = keyof typeof LAMBDA_AND_INFRA_SETTINGS;

/** A Lambda or infra setting's whole spec: who reads it, and (for a Lambda's) what the Lambdas use of it. */
type LambdaAndInfraSpecs = {
  [N in LambdaAndInfraName]: (typeof LAMBDA_AND_INFRA_SETTINGS)[N] &
    (N extends LambdaSettingName ? (typeof LAMBDA_SETTINGS)[N] : unknown);
};

/** A Worker setting's whole spec: `worker: true`, what the Worker uses of it, and who else reads it. */
type WorkerSpecs = {
  [N in WorkerSettingName]: { readonly worker: true } & (typeof WORKER_SETTINGS)[N] &
    (N extends keyof typeof WORKER_SETTINGS_READERS ? (typeof WORKER_SETTINGS_READERS)[N] : unknown);
};

/** The four parts as one registry, Worker settings first (the order of docs/configuration.md). */
function joinRegistries(): WorkerSpecs & LambdaAndInfraSpecs {
  const readers: Partial<Record<WorkerSettingName, SettingSpec>> = WORKER_SETTINGS_READERS;
  const worker = Object.fromEntries(
    Object.entries(WORKER_SETTINGS).map(([name, spec]) => [
      name,
      { worker: true, ...readers[name as WorkerSettingName], ...spec },
    ]),
  );
  const lambdaSpecs: Partial<Record<LambdaAndInfraName, SettingSpec>> = LAMBDA_SETTINGS;
  const lambdaAndInfra = Object.fromEntries(
    Object.entries(LAMBDA_AND_INFRA_SETTINGS).map(([name, spec]) => [
      name,
      { ...spec, ...lambdaSpecs[name as LambdaAndInfraName] },
    ]),
  );
  return { ...worker, ...lambdaAndInfra } as WorkerSpecs & LambdaAndInfraSpecs;
}

/** The whole registry: every setting of every runtime. */
export const SETTINGS = /* @__PURE__ */ joinRegistries();

export type SettingName = keyof typeof SETTINGS;
type Spec<N extends SettingName> = (typeof SETTINGS)[N];

/** Names the Worker reads. */
export type WorkerSetting = { [N in SettingName]: Spec<N> extends { worker: true } ? N : never }[SettingName];
/** Names any Lambda reads. */
export type LambdaSetting = {
  [N in SettingName]: Spec<N> extends { lambdas: readonly LambdaName[] } ? N : never;
}[SettingName];
/** CDK context keys infra reads. */
export type InfraKey = {
  [N in SettingName]: Spec<N> extends { infra: infer K extends string } ? K : never;
}[SettingName];

/** The registered spec of `name` (widened, for code that walks the registry). */
export function settingSpec(name: string): SettingSpec | undefined {
  return Object.hasOwn(SETTINGS, name) ? (SETTINGS as Record<string, SettingSpec>)[name] : undefined;
}

/** Every registered setting, as [name, spec] pairs. */
export function allSettings(): [string, SettingSpec][] {
  return Object.entries(SETTINGS as Record<string, SettingSpec>);
}

/** True when `key` is a secret setting (by variable name or infra context key): its value is never echoed. */
export function isSecretSetting(key: string): boolean {
  return settingSpec(key)?.secret === true;
}

/** True when `key` is one of the Worker's secret settings; the Worker's reader asks only this. */
export function isSecretWorkerSetting(key: string): boolean {
  return Object.hasOwn(WORKER_SETTINGS, key) && (WORKER_SETTINGS as Record<string, SettingSpec>)[key]!.secret === true;
}

/** True when `key` is a secret setting a Lambda may read; the Lambdas' reader asks only this. */
export function isSecretLambdaSetting(key: string): boolean {
  return Object.hasOwn(LAMBDA_SETTINGS, key)
    ? (LAMBDA_SETTINGS as Record<string, SettingSpec>)[key]!.secret === true
    : isSecretWorkerSetting(key);
}

type LambdaPartSpecs = typeof WORKER_SETTINGS & typeof LAMBDA_SETTINGS;
type DefaultOf<Spec> = Spec extends { default: infer Default } ? Default : undefined;

/**
 * The registered default of a setting a Lambda reads, `SETTINGS[name].default`, taken from the part of
 * the registry that holds it (LAMBDA_SETTINGS or WORKER_SETTINGS), so that the Lambdas bundle those two
 * parts and not the whole registry.
 */
export function lambdaDefault<N extends keyof LambdaPartSpecs & LambdaSetting>(name: N): DefaultOf<LambdaPartSpecs[N]> {
  const part: Record<string, SettingSpec> = Object.hasOwn(LAMBDA_SETTINGS, name) ? LAMBDA_SETTINGS : WORKER_SETTINGS;
  return part[name]!.default as DefaultOf<LambdaPartSpecs[N]>;
}
