/**
 * Rows the Worker reads, decoded against the model's item types (model/index.ts).
 *
 * Each schema is checked by the compiler against its item type (`satisfies RowSchema<Item>`): an
 * attribute renamed or added in model/ fails `npm run check` until the schema follows. At run time
 * a row of the wrong shape (a wrong attribute type, a missing required attribute, a value over its
 * size bound, a status outside the model's list, an OutputPath that is absolute or climbs out of its
 * folder) is an UpstreamError "malformed" (502): the diagnostic names the attribute, never its value.
 * Attributes the model does not know are dropped.
 */
import {
  FACE_ANALYSIS_STATUSES,
  JOB_STATUSES,
  type FaceAnalysisItem,
  type InputFileToJobIdItem,
  type JobOutputItem,
  type JobStatusItem,
} from "../../model/index.ts";
import { capturesProblem } from "../../model/captures.ts";
import { UpstreamError } from "./errors.ts";

type FieldKind = "string" | "number" | "stringList" | "stringMap" | "numberMap" | "map";

interface FieldSpec {
  readonly kind: FieldKind;
  readonly required?: true;
  /** Longest string (in UTF-16 units) or most entries of a list or map. */
  readonly max?: number;
  /** Extra check on a value of the right kind; returns the problem, or undefined when it is fine. */
  readonly check?: (value: never) => string | undefined;
}

/** One spec per attribute of `Item`, no more, no fewer. */
export type RowSchema<Item> = { readonly [K in keyof Item]-?: FieldSpec };

type RequiredKeys<S> = { [K in keyof S]: S[K] extends { required: true } ? K : never }[keyof S];

/** What a decoded row guarantees: the schema's required attributes, the others when present. */
export type Decoded<Item, S> = Partial<Item> & Pick<Item, RequiredKeys<S> & keyof Item>;

/** Bounds well above what our writers store, well below DynamoDB's 400 KB item limit. */
const MAX_TEXT = 4096;
/** S3 keys and DynamoDB string keys are at most 1024 and 2048 bytes. */
const MAX_KEY_TEXT = 2048;
const MAX_ENTRIES = 1000;

const text: FieldSpec = { kind: "string" };
const key: FieldSpec = { kind: "string", required: true, max: MAX_KEY_TEXT };
const number: FieldSpec = { kind: "number" };

function oneOf(values: readonly string[]): (value: string) => string | undefined {
  return (value) => (values.includes(value) ? undefined : "is not a known status");
}

/**
 * A folder or key relative to a bucket: not absolute (no leading "/", no scheme), no "." or ".."
 * segment (URL parsing would resolve it into another object: WHATWG URL §4.4), no backslash or
 * control character.
 */
export function relativeKeyProblem(value: string): string | undefined {
  if (value.startsWith("/") || /^[a-z][a-z0-9+.-]*:/i.test(value)) return "is absolute";
  if (value.split("/").some((segment) => segment === "." || segment === "..")) return "has a . or .. segment";
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(value)) return "has a backslash or control character";
  return undefined;
}

/** S3 bucket names: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html */
function bucketProblem(value: string): string | undefined {
  return /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) ? undefined : "is not a bucket name";
}

const outputPath: FieldSpec = { kind: "string", max: 1024, check: relativeKeyProblem };
const bucket: FieldSpec = { kind: "string", check: bucketProblem };

export const INPUT_FILE_TO_JOB_ID_SCHEMA = {
  InputFile: key,
  JobId: key,
  CreationTime: number,
  ExpirationTime: number,
} as const satisfies RowSchema<InputFileToJobIdItem>;

export const JOB_OUTPUT_SCHEMA = {
  JobId: key,
  InputFile: text,
  OutputBucket: bucket,
  OutputPath: { ...outputPath, required: true },
  KeyFile: text,
  // Not required: the key route answers its own 500 "Key is unavailable." for an unusable key.
  KeyValue: text,
  CreationTime: number,
  ExpirationTime: number,
} as const satisfies RowSchema<JobOutputItem>;

export const JOB_STATUS_SCHEMA = {
  JobId: key,
  JobStatus: { kind: "string", required: true, check: oneOf(JOB_STATUSES) },
  ProgressRate: number,
  DurationMs: number,
  WidthPx: number,
  HeightPx: number,
  OutputPath: outputPath,
  Playlists: { kind: "stringMap" },
  ErrorCode: number,
  ErrorMessage: text,
  CreationTime: number,
  ExpirationTime: number,
  InputFile: text,
  StatusRank: number,
  LastEventTime: number,
  PlaylistPaths: { kind: "stringList", check: (paths: string[]) => paths.map(relativeKeyProblem).find(Boolean) },
  Warnings: { kind: "numberMap" },
  Captures: { kind: "map", check: capturesProblem },
} as const satisfies RowSchema<JobStatusItem>;

export const FACE_ANALYSIS_SCHEMA = {
  InputFile: key,
  InputBucket: text,
  JobId: text,
  AnalysisStatus: { kind: "string", required: true, check: oneOf(FACE_ANALYSIS_STATUSES) },
  StatusMessage: text,
  FaceCount: number,
  VideoDurationMs: number,
  ResultKey: { kind: "string", max: 1024, check: relativeKeyProblem },
  CreationTime: number,
  UpdateTime: number,
  ExpirationTime: number,
  StatusRank: number,
  UploadOrder: text,
  JobTag: text,
  CapacityAttempts: number,
  ResultBucket: bucket,
  Collect: { kind: "map" },
} as const satisfies RowSchema<FaceAnalysisItem>;

export type InputFileToJobIdRow = Decoded<InputFileToJobIdItem, typeof INPUT_FILE_TO_JOB_ID_SCHEMA>;
export type JobOutputRow = Decoded<JobOutputItem, typeof JOB_OUTPUT_SCHEMA>;
export type JobStatusRow = Decoded<JobStatusItem, typeof JOB_STATUS_SCHEMA>;
export type FaceAnalysisRow = Decoded<FaceAnalysisItem, typeof FACE_ANALYSIS_SCHEMA>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether `value` is of `kind` (sizes are checked separately). */
function hasKind(value: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "stringList":
      return Array.isArray(value) && value.every((entry) => typeof entry === "string" && entry.length <= MAX_TEXT);
    case "stringMap":
    case "numberMap":
      return (
        isPlainObject(value) &&
        Object.values(value).every((entry) =>
          kind === "stringMap" ? typeof entry === "string" && entry.length <= MAX_TEXT : hasKind(entry, "number"),
        )
      );
    case "map":
      return isPlainObject(value);
  }
}

function sizeOf(value: unknown): number {
  if (typeof value === "string" || Array.isArray(value)) return value.length;
  if (isPlainObject(value)) return Object.keys(value).length;
  return 0;
}

function fieldProblem(value: unknown, spec: FieldSpec): string | undefined {
  if (value === undefined || value === null) return spec.required ? "is missing" : undefined;
  if (!hasKind(value, spec.kind)) return `is not a ${spec.kind}`;
  if (sizeOf(value) > (spec.max ?? (spec.kind === "string" ? MAX_TEXT : MAX_ENTRIES))) return "is too large";
  return spec.check?.(value as never);
}

/** The rows the Worker reads, by table role. */
export interface Rows {
  inputFileToJobId: InputFileToJobIdRow;
  jobIdToOutput: JobOutputRow;
  jobIdToStatus: JobStatusRow;
  faceAnalysis: FaceAnalysisRow;
}

export type ReadRole = keyof Rows;

/**
 * Each role's schema as [attribute, spec] pairs, listed once per isolate rather than by
 * Object.entries on every read (18 pairs allocated per status miss, issue 12).
 */
const SCHEMA_FIELDS: Record<ReadRole, ReadonlyArray<readonly [string, FieldSpec]>> = {
  inputFileToJobId: Object.entries(INPUT_FILE_TO_JOB_ID_SCHEMA),
  jobIdToOutput: Object.entries(JOB_OUTPUT_SCHEMA),
  jobIdToStatus: Object.entries(JOB_STATUS_SCHEMA),
  faceAnalysis: Object.entries(FACE_ANALYSIS_SCHEMA),
};

/**
 * Checks an unmarshalled item against its role's schema and keeps only the attributes the schema
 * lists (a stored NULL reads as absent). Throws UpstreamError "malformed" naming the table and
 * attribute, never the value.
 */
export function decodeRow<R extends ReadRole>(role: R, item: Record<string, unknown>, table: string): Rows[R] {
  const row: Record<string, unknown> = {};
  for (const [name, spec] of SCHEMA_FIELDS[role]) {
    const value = item[name];
    const problem = fieldProblem(value, spec);
    if (problem !== undefined) throw new UpstreamError("dynamodb", "malformed", `${table}: ${name} ${problem}`);
    if (value !== undefined && value !== null) row[name] = value;
  }
  return row as Rows[R];
}
