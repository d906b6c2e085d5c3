/**
 * Every setting of every runtime, defined once: its name, who reads it (the Worker, which Lambda, which
 * CDK context key), its default as the reader applies it, one line of description, and whether it is a
 * secret. The readers (`worker/config.ts`, `aws-lambdas/*\/config.ts`, `infra/lib/settings.ts`) take
 * their names from here (typed: a name that is not registered does not compile), `npm run docs:config`
 * renders `docs/configuration.md` from it, and `test/unit/settings.test.ts` checks that the README,
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
  /** The default in words, where it is derived rather than fixed (docs only). */
  readonly defaultNote?: string;
  /** The default in infra, where the stack's differs (docs only). */
  readonly infraDefault?: string;
  /** Runtimes that refuse to start without it. */
  readonly required?: readonly ("worker" | "lambdas")[];
  /** One line for the configuration tables. */
  readonly description: string;
  /** Never echoed in error messages, never in wrangler.toml: `wrangler secret put`. */
  readonly secret?: boolean;
}

// Face result files outlive their row by a day: a result nobody can find any more is dead weight.
const faceRetentionDays = Math.ceil(DEFAULT_FACE_ANALYSIS_TTL_SECONDS / 86_400) + 1;

const tableSetting = (role: keyof typeof DEFAULT_TABLES, description: string, key: string) =>
  ({ worker: true, lambdas: PIPELINE_LAMBDAS, infra: key, default: DEFAULT_TABLES[role], description }) as const;

/** The registry. Keys are the names users write: environment variables, or the CDK context key for infra-only ones. */
export const SETTINGS = {
  AWS_ACCESS_KEY_ID: {
    worker: true,
    required: ["worker"],
    secret: true,
    description: "key of the Worker's read-only IAM user",
  },
  AWS_SECRET_ACCESS_KEY: { worker: true, required: ["worker"], secret: true, description: "its secret" },
  AWS_SESSION_TOKEN: { worker: true, secret: true, description: "for temporary credentials" },
  AWS_REGION: {
    worker: true,
    lambdas: ALL_LAMBDAS,
    default: DEFAULT_REGION,
    description: "region of the tables and buckets",
  },
  AWS_DEFAULT_REGION: { lambdas: ALL_LAMBDAS, description: "region when AWS_REGION is unset" },
  DYNAMODB_ENDPOINT: {
    worker: true,
    lambdas: PIPELINE_LAMBDAS,
    defaultNote: "regional endpoint",
    description: "DynamoDB endpoint (local: DynamoDB Local)",
  },
  S3_ENDPOINT: {
    worker: true,
    lambdas: PIPELINE_LAMBDAS,
    defaultNote: "regional endpoint",
    description: "S3 endpoint; when set, requests are path-style",
  },
  TABLE_INPUT_FILE_TO_JOB_ID: tableSetting("inputFileToJobId", "upload -> latest job", "TABLE_INPUT_FILE_TO_JOB_ID"),
  TABLE_JOB_ID_TO_OUTPUT: tableSetting("jobIdToOutput", "job -> output path and content key", "TABLE_JOB_ID_TO_OUTPUT"),
  TABLE_JOB_ID_TO_STATUS: tableSetting("jobIdToStatus", "job -> status and progress", "TABLE_JOB_ID_TO_STATUS"),
  TABLE_UPLOAD_EVENTS: tableSetting("uploadEvents", "claims of upload events (idempotency)", "TABLE_UPLOAD_EVENTS"),
  TABLE_FACE_ANALYSIS: tableSetting("faceAnalysis", "upload -> face analysis", "TABLE_FACE_ANALYSIS"),
  ALLOWED_ORIGINS: {
    worker: true,
    infra: "allowedOrigins",
    infraDefault: "none: no bucket CORS",
    required: ["worker"],
    description: "browser origins allowed to call the API",
  },
  CACHE_TTL_SECONDS: { worker: true, default: 5, description: "edge cache of lookups, seconds; 0 = off" },
  UPSTREAM_DEADLINE_MS: {
    worker: true,
    default: 3000,
    description: "time to an AWS answer's headers, retries included",
  },
  UPSTREAM_IDLE_MS: {
    worker: true,
    default: 10_000,
    description: "longest pause in an AWS body before it fails",
  },
  UPSTREAM_MAX_ATTEMPTS: { worker: true, default: 3, description: "attempts per AWS call (1 = no retry)" },
  OUTPUT_BUCKET: {
    worker: true,
    lambdas: PIPELINE_LAMBDAS,
    infra: "outputBucketName",
    infraDefault: "generated",
    default: DEFAULT_BUCKETS.output,
    required: ["lambdas"],
    description: "MediaConvert's HLS output bucket",
  },
  RECORDINGS_BUCKET: {
    worker: true,
    infra: "recordingsBucketName",
    infraDefault: "generated",
    default: DEFAULT_BUCKETS.recordings,
    description: "bucket of recorder segments",
  },
  RECORDINGS_PREFIX: {
    worker: true,
    lambdas: ["recording-index"],
    infra: "recordingsPrefix",
    default: DEFAULT_RECORDINGS_PREFIX,
    description: "prefix of recorder segments (seed S3_MOVIE_KEY)",
  },
  RECORDING_SEGMENT_SECONDS: {
    worker: true,
    lambdas: ["recording-index"],
    default: DEFAULT_RECORDING_SEGMENT_SECONDS,
    description: "recorder segment length (seed TARGET_DURATION)",
  },
  MAX_WINDOW_SECONDS: {
    worker: true,
    defaultNote: "a week, <= 20,160 segments",
    description: "longest window a playlist covers",
  },
  RECORDINGS_INDEX: {
    worker: true,
    default: "off",
    description: "on: settled hours from recording-index's indexes",
  },
  SEGMENT_BASE_URL: {
    worker: true,
    description: "public URL of recordings (seed S3_HOSTING_URL)",
  },
  VOD_SEGMENT_BASE_URL: { worker: true, description: "public URL of the output bucket (VOD segments)" },
  ANALYSIS_BUCKET: {
    worker: true,
    lambdas: FACE_LAMBDAS,
    defaultNote: "OUTPUT_BUCKET",
    description: "private bucket of face-detection results",
  },
  ANALYSIS_PREFIX: {
    worker: true,
    lambdas: FACE_LAMBDAS,
    infra: "analysisPrefix",
    default: DEFAULT_ANALYSIS_PREFIX,
    description: "folder of face-detection results",
  },
  PLAYBACK_POLICY: {
    worker: true,
    default: "public",
    description: "`public`, or `signed`: playlists need a token",
  },
  FACES_POLICY: {
    worker: true,
    defaultNote: "PLAYBACK_POLICY",
    description: "`public`, or `signed`: faces need a token",
  },
  TOKEN_SECRET: {
    worker: true,
    required: ["worker"],
    secret: true,
    description: "HS256 secret of tokens, 32+ characters",
  },
  TOKEN_SECRET_PREVIOUS: { worker: true, secret: true, description: "previous secret, accepted during a rotation" },
  KEY_TOKEN_TTL_SECONDS: { worker: true, default: 900, description: "lifetime of the key token a playlist embeds" },
  DEMO_PAGE: {
    worker: true,
    default: "on",
    description: "the demo page at `/`: `on` or `off`",
  },
  MEDIACONVERT_ROLE: { lambdas: ["submit-job"], required: ["lambdas"], description: "role MediaConvert assumes" },
  MEDIACONVERT_JOB_TEMPLATE: {
    lambdas: ["submit-job"],
    infra: "mediaConvertJobTemplate",
    infraDefault: "the stack's own",
    required: ["lambdas"],
    description: "job template; first output group Apple HLS",
  },
  MEDIACONVERT_ENDPOINT_URL: {
    lambdas: ["submit-job"],
    infra: "mediaConvertEndpoint",
    defaultNote: "regional endpoint",
    description: "MediaConvert account endpoint",
  },
  MEDIACONVERT_QUEUE: {
    lambdas: ["submit-job"],
    infra: "mediaConvertQueue",
    defaultNote: "template's, else Default",
    description: "queue name or ARN",
  },
  INPUT_PREFIX: {
    worker: true,
    lambdas: UPLOAD_LAMBDAS,
    infra: "inputPrefix",
    default: "",
    description: "keys under it are uploads; the Worker uploads there",
  },
  INPUT_BUCKETS: {
    lambdas: UPLOAD_LAMBDAS,
    defaultNote: "INPUT_BUCKET, else any",
    description: "buckets uploads may come from",
  },
  INPUT_BUCKET: {
    worker: true,
    lambdas: UPLOAD_LAMBDAS,
    default: DEFAULT_BUCKETS.input,
    defaultNote: "Worker: `media-input`",
    description: "bucket of uploads (Lambdas: local stack's only one)",
  },
  UPLOAD_POLICY: {
    worker: true,
    default: "signed",
    description: "`signed`: uploads need a token; `public`: local use",
  },
  MAX_UPLOAD_BYTES: { worker: true, default: 5 * 1024 ** 3, description: "largest upload accepted (413 above)" },
  MULTIPART_THRESHOLD_BYTES: {
    worker: true,
    default: 64 * 1024 ** 2,
    description: "uploads above it use multipart (5 MiB-5 GiB)",
  },
  UPLOAD_URL_TTL_SECONDS: { worker: true, default: 900, description: "lifetime of presigned upload URLs (60-43200)" },
  VIDEO_EXTENSIONS: {
    lambdas: ["submit-job"],
    default: [
      ...["mp4", "m4v", "mov", "qt", "mkv", "webm", "avi", "flv", "f4v", "wmv", "asf", "mpg", "mpeg", "m2v"],
      ...["ts", "m2ts", "mts", "mxf", "3gp", "3g2", "y4m"],
    ],
    defaultNote: "MediaConvert's containers",
    description: "extensions transcoded, case-insensitive",
  },
  STATUS_TTL_SECONDS: {
    lambdas: ["submit-job", "job-state"],
    default: DEFAULT_STATUS_TTL_SECONDS,
    description: "lifetime of status and InputFile rows (>= 60)",
  },
  IDEMPOTENCY_TTL_SECONDS: {
    lambdas: UPLOAD_LAMBDAS,
    default: 7 * 86_400,
    description: "lifetime of upload-event claims (>= 1 day)",
  },
  REKOGNITION_SNS_TOPIC_ARN: {
    lambdas: ["faces-start"],
    required: ["lambdas"],
    description: "topic Rekognition announces completion on",
  },
  REKOGNITION_ROLE_ARN: {
    lambdas: ["faces-start"],
    required: ["lambdas"],
    description: "role Rekognition assumes to publish",
  },
  REKOGNITION_FACE_ATTRIBUTES: { lambdas: ["faces-start"], default: "DEFAULT", description: "`DEFAULT` or `ALL`" },
  FACES_VIDEO_EXTENSIONS: {
    lambdas: ["faces-start"],
    default: ["mp4", "mov"],
    description: "extensions analysed (Rekognition: MP4/MOV)",
  },
  REKOGNITION_ENDPOINT_URL: {
    lambdas: FACE_LAMBDAS,
    defaultNote: "regional endpoint",
    description: "Rekognition endpoint",
  },
  FACES_TTL_SECONDS: {
    lambdas: FACE_LAMBDAS,
    default: DEFAULT_FACE_ANALYSIS_TTL_SECONDS,
    description: "analysis row lifetime (0 = none, else >= 1 day)",
  },
  FACES_CHUNK_SIZE: { lambdas: ["faces-collect"], default: 1000, description: "faces per result file (1-1000)" },
  FACES_COLLECT_RESERVE_MS: {
    lambdas: ["faces-collect"],
    default: 30_000,
    description: "checkpoint and stop when less time remains",
  },
  WEBHOOK_URLS: {
    lambdas: WEBHOOK_PRODUCERS,
    infra: "webhookUrls",
    default: [],
    description: "URLs sent each applied state change, signed",
  },
  WEBHOOK_QUEUE_URL: {
    lambdas: [...WEBHOOK_PRODUCERS, "webhook-deliver"],
    defaultNote: "set by infra",
    description: "FIFO queue of webhook deliveries",
  },
  SQS_ENDPOINT: {
    lambdas: [...WEBHOOK_PRODUCERS, "webhook-deliver"],
    defaultNote: "regional endpoint",
    description: "SQS endpoint (local: the stand-in queue)",
  },
  WEBHOOK_SECRET_ARN: {
    lambdas: ["webhook-deliver"],
    defaultNote: "set by infra",
    description: "Secrets Manager secret: whsec_ keys, newest first",
  },
  WEBHOOK_SECRET: {
    lambdas: ["webhook-deliver"],
    secret: true,
    description: "whsec_ key when WEBHOOK_SECRET_ARN is unset",
  },
  WEBHOOK_SECRET_PREVIOUS: {
    lambdas: ["webhook-deliver"],
    secret: true,
    description: "previous key, also signed with (rotation)",
  },
  WEBHOOK_TIMEOUT_MS: {
    lambdas: ["webhook-deliver"],
    default: 10_000,
    description: "time a receiver has to answer, ms",
  },
  POWERTOOLS_LOG_LEVEL: { lambdas: ALL_LAMBDAS, default: "INFO", description: "log level (Powertools Logger)" },
  POWERTOOLS_SERVICE_NAME: {
    lambdas: ALL_LAMBDAS,
    defaultNote: "the function's name",
    description: "service name in log lines",
  },
  existingTables: {
    infra: "existingTables",
    default: "",
    description: "table roles to reuse, not create (the seed's)",
  },
  inputBucketName: { infra: "inputBucketName", defaultNote: "generated", description: "input bucket's name" },
  analysisRetentionDays: {
    infra: "analysisRetentionDays",
    default: faceRetentionDays,
    description: "days before face results expire; 0 = never",
  },
  facesStartConcurrency: {
    infra: "facesStartConcurrency",
    default: 5,
    description: "faces-start reservation (1-20, or `none`)",
  },
  removalPolicy: { infra: "removalPolicy", default: "retain", description: "`retain` or `destroy` buckets and tables" },
  logRetentionDays: { infra: "logRetentionDays", default: 30, description: "days CloudWatch Logs keeps function logs" },
  workerUserName: { infra: "workerUserName", defaultNote: "generated", description: "the Worker's IAM user name" },
} as const satisfies Record<string, SettingSpec>;

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
