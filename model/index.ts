/**
 * Names and item shapes shared by the Worker, the Lambdas and infra.
 *
 * The defaults are the seed's table and attribute names, so an existing deployment keeps its data.
 * Every table name can be overridden by configuration; attribute names cannot (they are the
 * contract between writers and readers), so a rename here is one edit for every runtime.
 *
 * This module is plain data and pure functions: it must load in workerd, in Node and in the CDK app.
 */

/** Default DynamoDB table names (seed names for the three MediaConvert tables). */
export const DEFAULT_TABLES = {
  /** InputFile -> latest JobId for that upload (seed: MediaConvertInputFileToJobId). */
  inputFileToJobId: "MediaConvertInputFileToJobId",
  /** JobId -> OutputPath, KeyFile, KeyValue (seed: MediaConvertJobIdToOutput). */
  jobIdToOutput: "MediaConvertJobIdToOutput",
  /** JobId -> JobStatus, ProgressRate, ... (seed: MediaConvertJobIdToStatus). */
  jobIdToStatus: "MediaConvertJobIdToStatus",
  /** Idempotency guard: one row per (purpose, bucket, key, version/ETag) of an upload event. */
  uploadEvents: "MediaEdgeUploadEvents",
  /** InputFile -> Rekognition face-detection analysis (status, job id, result location). */
  faceAnalysis: "RekognitionFaceAnalysis",
} as const;

export type TableRole = keyof typeof DEFAULT_TABLES;

/** The environment variable that overrides each table name, in every runtime. */
export const TABLE_ENV_VARS: Record<TableRole, string> = {
  inputFileToJobId: "TABLE_INPUT_FILE_TO_JOB_ID",
  jobIdToOutput: "TABLE_JOB_ID_TO_OUTPUT",
  jobIdToStatus: "TABLE_JOB_ID_TO_STATUS",
  uploadEvents: "TABLE_UPLOAD_EVENTS",
  faceAnalysis: "TABLE_FACE_ANALYSIS",
};

/** Partition key attribute of each table (all keys are strings). */
export const TABLE_KEYS: Record<TableRole, string> = {
  inputFileToJobId: "InputFile",
  jobIdToOutput: "JobId",
  jobIdToStatus: "JobId",
  uploadEvents: "EventKey",
  faceAnalysis: "InputFile",
};

/** Global secondary indexes. faceAnalysis is also looked up by the Rekognition job id. */
export const FACE_ANALYSIS_JOB_INDEX = { name: "ByJobId", key: "JobId" } as const;

/**
 * TTL attribute on every table (epoch seconds). DynamoDB deletes expired items up to ~2 days late
 * and they stay readable until then, so readers must treat `ExpirationTime <= now` as absent.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ttl-expired-items.html
 */
export const TTL_ATTRIBUTE = "ExpirationTime";

/** DynamoDB limit on a string partition key, in UTF-8 bytes. */
export const MAX_PARTITION_KEY_BYTES = 2048;

/** Row of MediaConvertInputFileToJobId. */
export interface InputFileToJobIdItem {
  InputFile: string;
  JobId: string;
  CreationTime: number;
  ExpirationTime?: number;
}

/** Row of MediaConvertJobIdToOutput. KeyValue is the AES-128 content key as 32 hex digits. */
export interface JobOutputItem {
  JobId: string;
  InputFile: string;
  OutputBucket: string;
  /** Folder of the job's output in the output bucket, ending in "/" (seed: `<input>_<timestamp>/`). */
  OutputPath: string;
  /** Key URI name MediaConvert writes into EXT-X-KEY (seed: `<basename>.key`); never an S3 object. */
  KeyFile: string;
  /** Secret. Never logged, never returned except as raw bytes by the key route. */
  KeyValue: string;
  CreationTime: number;
  /** Absent: the key row must outlive playback. */
  ExpirationTime?: number;
}

/** Job statuses stored in JobStatus. SUBMITTED is ours (MediaConvert emits no SUBMITTED event). */
export const JOB_STATUSES = ["SUBMITTED", "PROGRESSING", "COMPLETE", "ERROR", "CANCELED"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ["COMPLETE", "ERROR", "CANCELED"];

/**
 * Status rank for monotonic updates: a stored row only moves to a higher rank (or the same rank
 * with more progress). All terminal statuses share the top rank so none replaces another.
 */
export const JOB_STATUS_RANK: Record<JobStatus, number> = {
  SUBMITTED: 0,
  PROGRESSING: 1,
  COMPLETE: 2,
  ERROR: 2,
  CANCELED: 2,
};

/** Seed's Playlists map: playlist extension -> file name, e.g. {".m3u8": "movie.m3u8"}. */
export type PlaylistsByExtension = Record<string, string>;

/** Row of MediaConvertJobIdToStatus. Seed attributes first, ours after. */
export interface JobStatusItem {
  JobId: string;
  JobStatus: JobStatus;
  /** 0-100, never decreases. */
  ProgressRate: number;
  DurationMs?: number;
  WidthPx?: number;
  HeightPx?: number;
  OutputPath?: string;
  Playlists?: PlaylistsByExtension;
  ErrorCode?: number;
  ErrorMessage?: string;
  CreationTime: number;
  ExpirationTime?: number;
  // --- beyond the seed ---
  InputFile?: string;
  /** JOB_STATUS_RANK of JobStatus, for the monotonic condition expression. */
  StatusRank?: number;
  /** `detail.timestamp` (ms) of the last applied event. */
  LastEventTime?: number;
  /** Every playlist of the HLS output group, relative to OutputPath: master first, then renditions. */
  PlaylistPaths?: string[];
  /** NEW_WARNING codes -> count. */
  Warnings?: Record<string, number>;
}

/** Face analysis statuses. SKIPPED: the input cannot be read by Rekognition (reason recorded). */
export const FACE_ANALYSIS_STATUSES = [
  "IN_PROGRESS",
  "WAITING_FOR_CAPACITY",
  "COLLECTING",
  "SUCCEEDED",
  "FAILED",
  "SKIPPED",
] as const;
export type FaceAnalysisStatus = (typeof FACE_ANALYSIS_STATUSES)[number];

/** Row of RekognitionFaceAnalysis. */
export interface FaceAnalysisItem {
  InputFile: string;
  InputBucket: string;
  JobId?: string;
  AnalysisStatus: FaceAnalysisStatus;
  StatusMessage?: string;
  FaceCount?: number;
  VideoDurationMs?: number;
  /** Key of the complete result JSON in the analysis bucket. */
  ResultKey?: string;
  CreationTime: number;
  UpdateTime: number;
  ExpirationTime?: number;
}

/** Default buckets (local stack and documentation). */
export const DEFAULT_BUCKETS = {
  input: "media-input",
  output: "media-output",
  recordings: "media-recordings",
} as const;

/** Recorder segments live under this prefix (seed S3_MOVIE_KEY). */
export const DEFAULT_RECORDINGS_PREFIX = "movie";

/** Recorder segment length in seconds (seed TARGET_DURATION). */
export const DEFAULT_RECORDING_SEGMENT_SECONDS = 30;

/** The seed's info.json, written beside a COMPLETE job's output. Never contains key material. */
export const INFO_FILE = "info.json";

/** Face detection results: `<prefix><rekognition job id>.json` in the output bucket (private). */
export const DEFAULT_ANALYSIS_PREFIX = "analysis/faces/";

/** Seconds a status row lives (seed: one day). */
export const DEFAULT_STATUS_TTL_SECONDS = 86_400;

/** AWS region used by the local stack and as the documented default. */
export const DEFAULT_REGION = "us-east-1";

/**
 * Credentials the local S3 server (s3rver) accepts. DynamoDB Local accepts anything.
 * Not secrets: they only ever reach 127.0.0.1.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

/** Local stack ports (overridable). */
export const DEFAULT_LOCAL_PORTS = { dynamodb: 8000, s3: 4568, worker: 8787 } as const;

/** Current time in epoch seconds. */
export const epochSeconds = (now: number = Date.now()): number => Math.floor(now / 1000);

/** True when an item's TTL has passed (DynamoDB may still return it for up to ~2 days). */
export function isExpired(item: { ExpirationTime?: unknown }, nowSeconds: number): boolean {
  const ttl = item.ExpirationTime;
  return typeof ttl === "number" && Number.isFinite(ttl) && ttl <= nowSeconds;
}
