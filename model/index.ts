/**
 * Names and item shapes shared by the Worker, the Lambdas and infra.
 *
 * The defaults are the seed's table and attribute names, so an existing deployment keeps its data.
 * Every table name can be overridden by configuration; attribute names cannot (they are the
 * contract between writers and readers), so a rename here is one edit for every runtime.
 *
 * This module is plain data and pure functions: it must load in workerd, in Node and in the CDK app.
 */
import type { FrameCaptures } from "./captures.ts";

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

/**
 * UserMetadata.JobCreatedBy on every MediaConvert job submit-job creates: job-state and the
 * EventBridge rule (infra) use it to tell our jobs from other MediaConvert users' in the account.
 */
export const JOB_CREATED_BY = "media-edge";

/** Job statuses stored in JobStatus. SUBMITTED is ours (MediaConvert emits no SUBMITTED event). */
export const JOB_STATUSES = ["SUBMITTED", "PROGRESSING", "COMPLETE", "ERROR", "CANCELED"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

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
  /** COMPLETE: the JPEG frame captures (thumbnails); absent for jobs made without them. */
  Captures?: FrameCaptures;
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

/**
 * Rank of each analysis status, for monotonic conditional writes (a row of one upload only moves to a
 * higher rank). 0: before a job exists; 1: job running; 2: results being copied; 3: terminal.
 */
export const FACE_ANALYSIS_STATUS_RANK: Record<FaceAnalysisStatus, number> = {
  SKIPPED: 0,
  WAITING_FOR_CAPACITY: 0,
  IN_PROGRESS: 1,
  COLLECTING: 2,
  SUCCEEDED: 3,
  FAILED: 3,
};

/** Row of RekognitionFaceAnalysis. */
export interface FaceAnalysisItem {
  InputFile: string;
  InputBucket: string;
  JobId?: string;
  AnalysisStatus: FaceAnalysisStatus;
  StatusMessage?: string;
  FaceCount?: number;
  VideoDurationMs?: number;
  /** Key of the result manifest (`FaceResultManifest`) in the analysis bucket. */
  ResultKey?: string;
  CreationTime: number;
  UpdateTime: number;
  ExpirationTime?: number;
  // --- ordering and progress (written by faces-start / faces-collect) ---
  /** FACE_ANALYSIS_STATUS_RANK of AnalysisStatus. */
  StatusRank?: number;
  /**
   * Which upload of the key this row describes: the S3 sequencer padded to a fixed width (64 hex
   * digits, "0"s when the event had none), so a late event of an older upload cannot overwrite it.
   */
  UploadOrder?: string;
  /** Rekognition JobTag sent with StartFaceDetection (carries the upload order to faces-collect). */
  JobTag?: string;
  /** StartFaceDetection attempts refused for capacity (LimitExceeded / throttling). */
  CapacityAttempts?: number;
  /** Bucket the result was written to (the analysis bucket at collection time). */
  ResultBucket?: string;
  /** Checkpoint of a collection in progress (removed when it ends). */
  Collect?: FaceCollectCheckpoint;
}

/** Progress of faces-collect, stored on the analysis row between invocations. */
export interface FaceCollectCheckpoint {
  /** Holder of the collection lease and when the lease ends (epoch ms). */
  LeaseId?: string;
  LeaseExpiresAt?: number;
  /** GetFaceDetection NextToken for the next page; absent before the first page and after the last. */
  NextToken?: string;
  /** When NextToken was received (epoch ms); Rekognition tokens expire after 24 hours. */
  NextTokenAt?: number;
  /** Every page has been read and written. */
  PagesDone: boolean;
  Pages: number;
  FaceCount: number;
  /** One entry per chunk written so far: [first timestamp ms, last timestamp ms, face count]. */
  Chunks: Array<[number, number, number]>;
  /** Times the collection started again from the first page (expired or rejected NextToken). */
  Restarts: number;
  /** VideoMetadata of the first page, as Rekognition returned it. */
  VideoMetadata?: Record<string, unknown>;
}

/**
 * Layout of a face-detection result in the analysis bucket (private), written by faces-collect and
 * paged by the Worker:
 *
 *   <prefix><JobId>/manifest.json         FaceResultManifest: video metadata + one entry per chunk
 *   <prefix><JobId>/faces-00000.ndjson    time-ordered faces, one JSON object per line (≤ chunk size)
 *   <prefix><JobId>/faces-00001.ndjson    ...
 *
 * Each line is the API's face object, `{"timestamp_ms":<int>,"face":<Rekognition FaceDetail>}`, so the
 * Worker selects lines by the leading timestamp and splices them into its response without parsing
 * them. A page request therefore reads the small manifest plus only the chunk(s) that overlap it.
 *
 * The manifest's optional `line_index` (FaceResultLineIndex, written since issue 12) gives, per chunk,
 * the byte offset and timestamp of every `every`-th line, so the Worker reads only the lines a page
 * needs with an S3 Range GET instead of whole ~500 KiB chunks. Results without it (older ones), or a
 * chunk whose entry is null, are read whole.
 */
export const FACE_RESULT_MANIFEST = "manifest.json";

/** Version of the result layout; bumped on an incompatible change. */
export const FACE_RESULT_VERSION = 1;

/** The folder of one job's result: `<prefix><JobId>/` (prefix normalised to end in "/"). */
export function faceResultFolder(prefix: string, jobId: string): string {
  const base = prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`;
  return `${base}${jobId}/`;
}

/** Key of a job's manifest. */
export function faceResultManifestKey(prefix: string, jobId: string): string {
  return faceResultFolder(prefix, jobId) + FACE_RESULT_MANIFEST;
}

/** Key of chunk `index` (0-based) of a job's result. */
export function faceResultChunkKey(prefix: string, jobId: string, index: number): string {
  return `${faceResultFolder(prefix, jobId)}faces-${String(index).padStart(5, "0")}.ndjson`;
}

/** One chunk of a result, as listed in the manifest. */
export interface FaceResultChunk {
  key: string;
  /** Timestamp (ms) of the chunk's first and last face. */
  first_ms: number;
  last_ms: number;
  count: number;
}

/** Lines between two entries of a chunk's line index (FaceChunkLineIndex): 100 = the default page. */
export const FACE_LINE_INDEX_EVERY = 100;

/**
 * Where a chunk's lines are: `offsets[i]` is the byte offset of line `i * every` and `ms[i]` its
 * timestamp; `bytes` is the chunk file's size. Enough to Range-GET any run of lines, and to find a
 * time window's lines, up to `every - 1` lines of overshoot at each end.
 */
export interface FaceChunkLineIndex {
  bytes: number;
  offsets: number[];
  ms: number[];
}

/** manifest.line_index: one entry per chunk of manifest.chunks (null: that chunk is read whole). */
export interface FaceResultLineIndex {
  every: number;
  chunks: Array<FaceChunkLineIndex | null>;
}

/** manifest.json of a face-detection result. */
export interface FaceResultManifest {
  version: typeof FACE_RESULT_VERSION;
  job_id: string;
  input_file: string;
  input_bucket: string;
  face_count: number;
  /** Largest number of faces in one chunk. */
  chunk_size: number;
  /** Rekognition VideoMetadata (Codec, DurationMillis, Format, FrameRate, FrameHeight, FrameWidth, ColorRange). */
  video: Record<string, unknown>;
  chunks: FaceResultChunk[];
  /** Byte offsets of lines in the chunks (absent in results written before issue 12). */
  line_index?: FaceResultLineIndex;
  /** ISO 8601 time the result was completed. */
  created_at: string;
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
/**
 * The segment lengths every reader of RECORDING_SEGMENT_SECONDS accepts (the Worker, recording-index,
 * infra's `recordingSegmentSeconds`): they must agree on when an hour settles and on the index layout.
 */
export const RECORDING_SEGMENT_SECONDS_BOUNDS = { min: 1, max: 3600 } as const;

/** The seed's info.json, written beside a COMPLETE job's output. Never contains key material. */
export const INFO_FILE = "info.json";

/**
 * Face detection results live under this prefix of the analysis bucket (default: the output bucket),
 * one folder per Rekognition job; see FACE_RESULT_MANIFEST for the layout.
 */
export const DEFAULT_ANALYSIS_PREFIX = "analysis/faces/";

/**
 * Seconds an analysis row lives (7 days): longer than every redelivery window (Lambda async 6 h,
 * EventBridge 24 h) and the 24 h life of a GetFaceDetection NextToken, so a late duplicate or a
 * resumed collection still finds its row; short enough that abandoned rows go away. The result files
 * in S3 are not deleted with the row: expire them with a lifecycle rule on the analysis prefix.
 */
export const DEFAULT_FACE_ANALYSIS_TTL_SECONDS = 7 * 86_400;

/** Seconds a status row lives (seed: one day). */
export const DEFAULT_STATUS_TTL_SECONDS = 86_400;

/** AWS region used by the local stack and as the documented default. */
export const DEFAULT_REGION = "us-east-1";

/** Current time in epoch seconds. */
export const epochSeconds = (now: number = Date.now()): number => Math.floor(now / 1000);

/** True when an item's TTL has passed (DynamoDB may still return it for up to ~2 days). */
export function isExpired(item: { ExpirationTime?: unknown }, nowSeconds: number): boolean {
  const ttl = item.ExpirationTime;
  return typeof ttl === "number" && Number.isFinite(ttl) && ttl <= nowSeconds;
}
