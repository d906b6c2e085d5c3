/**
 * The settings registry's words for people: one line of description per setting and, where the
 * default is derived rather than fixed, the default in words. Only `npm run docs:config`
 * (scripts/config-docs.ts) renders them, into docs/configuration.md. They are kept out of
 * `model/settings.ts` because the Worker and every Lambda bundle that file and would carry these
 * strings on every cold start for nothing (issue 12, bundle size). Keyed by the registry's names:
 * the type makes a missing or stray entry a compile error, and test/unit/settings.test.ts checks it too.
 */
import type { SettingName } from "./settings.ts";

/** How a setting is documented. */
export interface SettingDoc {
  /** One line for the configuration tables. */
  readonly description: string;
  /** The default in words, where it is derived rather than fixed. */
  readonly defaultNote?: string;
  /** The default in infra, where the stack's differs. */
  readonly infraDefault?: string;
}

export const SETTING_DOCS: Readonly<Record<SettingName, SettingDoc>> = {
  AWS_ACCESS_KEY_ID: { description: "access key of the Worker's IAM user" },
  AWS_SECRET_ACCESS_KEY: { description: "its secret" },
  AWS_SESSION_TOKEN: { description: "for temporary credentials" },
  AWS_REGION: { description: "region of the tables and buckets" },
  AWS_DEFAULT_REGION: { description: "region when AWS_REGION is unset" },
  DYNAMODB_ENDPOINT: { description: "DynamoDB endpoint (local: DynamoDB Local)", defaultNote: "regional endpoint" },
  S3_ENDPOINT: { description: "S3 endpoint; when set, requests are path-style", defaultNote: "regional endpoint" },
  TABLE_INPUT_FILE_TO_JOB_ID: { description: "upload -> latest job" },
  TABLE_JOB_ID_TO_OUTPUT: { description: "job -> output path and content key" },
  TABLE_JOB_ID_TO_STATUS: { description: "job -> status and progress" },
  TABLE_UPLOAD_EVENTS: { description: "claims of upload events (idempotency)" },
  TABLE_FACE_ANALYSIS: { description: "upload -> face analysis" },
  ALLOWED_ORIGINS: { description: "browser origins allowed to call the API", infraDefault: "none: no bucket CORS" },
  CACHE_TTL_SECONDS: { description: "edge cache of lookups, seconds; 0 = off" },
  UPSTREAM_DEADLINE_MS: { description: "time to an AWS answer's headers, retries included" },
  UPSTREAM_IDLE_MS: { description: "longest pause in an AWS body before it fails" },
  UPSTREAM_MAX_ATTEMPTS: { description: "attempts per AWS call (1 = no retry)" },
  OUTPUT_BUCKET: { description: "MediaConvert's HLS output bucket", infraDefault: "generated" },
  RECORDINGS_BUCKET: { description: "bucket of recorder segments", infraDefault: "generated" },
  RECORDINGS_PREFIX: { description: "prefix of recorder segments (seed S3_MOVIE_KEY)" },
  RECORDING_SEGMENT_SECONDS: { description: "recorder segment length (seed TARGET_DURATION)" },
  MAX_WINDOW_SECONDS: { description: "longest window a playlist covers", defaultNote: "a week, <= 20,160 segments" },
  RECORDINGS_INDEX: { description: "on: settled hours from recording-index's indexes" },
  SEGMENT_BASE_URL: { description: "public URL of recordings (seed S3_HOSTING_URL)" },
  VOD_SEGMENT_BASE_URL: { description: "public URL of the output bucket (VOD segments)" },
  ANALYSIS_BUCKET: { description: "private bucket of face-detection results", defaultNote: "OUTPUT_BUCKET" },
  ANALYSIS_PREFIX: { description: "folder of face-detection results" },
  PLAYBACK_POLICY: { description: "`public`, or `signed`: playlists need a token" },
  FACES_POLICY: { description: "`public`, or `signed`: faces need a token", defaultNote: "PLAYBACK_POLICY" },
  TOKEN_SECRET: { description: "HS256 secret of tokens, 32+ characters" },
  TOKEN_SECRET_PREVIOUS: { description: "previous secret, accepted during a rotation" },
  KEY_TOKEN_TTL_SECONDS: { description: "lifetime of the key token a playlist embeds" },
  DEMO_PAGE: { description: "the demo page at `/`: `on` or `off`" },
  ACCESS_LOG: { description: "access log of `upstream` calls and errors, or `all`" },
  MEDIACONVERT_ROLE: { description: "role MediaConvert assumes" },
  MEDIACONVERT_JOB_TEMPLATE: {
    description: "job template; first output group Apple HLS",
    infraDefault: "the stack's own",
  },
  MEDIACONVERT_ENDPOINT_URL: { description: "MediaConvert account endpoint", defaultNote: "regional endpoint" },
  MEDIACONVERT_QUEUE: { description: "queue name or ARN", defaultNote: "template's, else Default" },
  INPUT_PREFIX: { description: "keys under it are uploads; the Worker uploads there" },
  INPUT_BUCKETS: { description: "buckets uploads may come from", defaultNote: "INPUT_BUCKET, else any" },
  INPUT_BUCKET: {
    description: "bucket of uploads (Lambdas: local stack's only one)",
    defaultNote: "Worker: `media-input`",
  },
  UPLOAD_POLICY: { description: "`signed`: uploads need a token; `public`: local use" },
  MAX_UPLOAD_BYTES: { description: "largest upload accepted (413 above)" },
  MULTIPART_THRESHOLD_BYTES: { description: "uploads above it use multipart (5 MiB-5 GiB)" },
  UPLOAD_URL_TTL_SECONDS: { description: "lifetime of presigned upload URLs (60-43200)" },
  VIDEO_EXTENSIONS: {
    description: "extensions transcoded, case-insensitive",
    defaultNote: "MediaConvert's containers",
  },
  STATUS_TTL_SECONDS: { description: "lifetime of status and InputFile rows (>= 60)" },
  IDEMPOTENCY_TTL_SECONDS: { description: "lifetime of upload-event claims (>= 1 day)" },
  REKOGNITION_SNS_TOPIC_ARN: { description: "topic Rekognition announces completion on" },
  REKOGNITION_ROLE_ARN: { description: "role Rekognition assumes to publish" },
  REKOGNITION_FACE_ATTRIBUTES: { description: "`DEFAULT` or `ALL`" },
  FACES_VIDEO_EXTENSIONS: { description: "extensions analysed (Rekognition: MP4/MOV)" },
  REKOGNITION_ENDPOINT_URL: { description: "Rekognition endpoint", defaultNote: "regional endpoint" },
  FACES_TTL_SECONDS: { description: "analysis row lifetime (0 = none, else >= 1 day)" },
  FACES_CHUNK_SIZE: { description: "faces per result file (1-1000)" },
  FACES_COLLECT_RESERVE_MS: { description: "checkpoint and stop when less time remains" },
  WEBHOOK_URLS: { description: "URLs sent each applied state change, signed" },
  WEBHOOK_QUEUE_URL: { description: "FIFO queue of webhook deliveries", defaultNote: "set by infra" },
  SQS_ENDPOINT: { description: "SQS endpoint (local: the stand-in queue)", defaultNote: "regional endpoint" },
  WEBHOOK_SECRET_ARN: { description: "Secrets Manager secret: base64 keys, newest first", defaultNote: "set by infra" },
  WEBHOOK_SECRET: { description: "base64 key (whsec_ optional) without the ARN" },
  WEBHOOK_SECRET_PREVIOUS: { description: "previous key, also signed with (rotation)" },
  WEBHOOK_TIMEOUT_MS: { description: "time a receiver has to answer, ms" },
  POWERTOOLS_LOG_LEVEL: { description: "log level (Powertools Logger)" },
  POWERTOOLS_SERVICE_NAME: { description: "service name in log lines", defaultNote: "the function's name" },
  existingTables: { description: "table roles to reuse, not create (the seed's)" },
  inputBucketName: { description: "input bucket's name", defaultNote: "generated" },
  analysisRetentionDays: { description: "days before face results expire; 0 = never" },
  recordingsRetentionDays: { description: "days before recorder segments expire; 0 = never" },
  facesStartConcurrency: { description: "faces-start reservation (1-20, or `none`)" },
  removalPolicy: { description: "`retain` or `destroy` buckets and tables" },
  logRetentionDays: { description: "days CloudWatch Logs keeps function logs" },
  workerUserName: { description: "the Worker's IAM user name", defaultNote: "generated" },
};
