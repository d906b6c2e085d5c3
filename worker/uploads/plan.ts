/**
 * The uploads API's pure core: reading the JSON requests (every "no" is an ApiError with the status
 * the contract names) and planning a multipart upload. No I/O here; worker/routes/uploads.ts calls
 * S3 with what these return.
 */
import { ApiError } from "../http/errors.ts";

import { DEFAULT_PART_BYTES, MAX_PART_BATCH, MAX_PARTS, MAX_SINGLE_PUT_BYTES } from "./limits.ts";

export interface UploadSettings {
  maxBytes: number;
  multipartThresholdBytes: number;
}

export interface CreateRequest {
  fileName: string;
  contentType: string;
  size: number;
}

export type UploadPlan = { kind: "single" } | { kind: "multipart"; partSize: number; partCount: number };

const badRequest = (message: string, reason?: string) =>
  new ApiError(400, message, reason ? { details: { reason } } : {});

/** The request body as an object: 400 for anything that is not a JSON object. */
export function jsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest("Request body is not valid JSON.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badRequest("Request body must be a JSON object.");
  }
  return value as Record<string, unknown>;
}

function stringField(body: Record<string, unknown>, name: string, maxLength: number): string {
  const value = body[name];
  if (value === undefined || value === null) throw badRequest(`Missing field ${name}.`);
  if (typeof value !== "string" || value === "") throw badRequest(`Field ${name} must be a non-empty string.`);
  if (value.length > maxLength) throw badRequest(`Field ${name} is longer than ${maxLength} characters.`);
  return value;
}

function integerField(body: Record<string, unknown>, name: string, min: number, max: number): number {
  const value = body[name];
  if (value === undefined || value === null) throw badRequest(`Missing field ${name}.`);
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw badRequest(`Field ${name} must be a whole number from ${min} to ${max}.`);
  }
  return value;
}

/** `type/subtype` (RFC 9110 §8.3.1 tokens), no parameters. */
const MEDIA_TYPE = /^([a-z0-9][a-z0-9!#$&^_.+-]{0,62})\/([a-z0-9][a-z0-9!#$&^_.+-]{0,126})$/;

/** The content type, lowercased: 400 when it is not a media type, 415 when it is not video/* or audio/*. */
export function uploadContentType(value: string): string {
  const type = value.trim().toLowerCase();
  const match = MEDIA_TYPE.exec(type);
  if (!match) throw badRequest("Field content_type must be a media type such as video/mp4 (no parameters).");
  if (match[1] !== "video" && match[1] !== "audio") {
    throw new ApiError(415, "Only video/* and audio/* uploads are accepted.", { details: { content_type: type } });
  }
  return type;
}

/** Reads POST /uploads: 400 for missing or malformed fields, 415 for the type (size is checked by the route). */
export function readCreateRequest(body: Record<string, unknown>): CreateRequest {
  return {
    fileName: stringField(body, "file_name", 1024),
    contentType: uploadContentType(stringField(body, "content_type", 255)),
    size: integerField(body, "size", 1, Number.MAX_SAFE_INTEGER),
  };
}

/** Single PUT up to the threshold, else parts of DEFAULT_PART_BYTES, larger when 10,000 would not do. */
export function planUpload(size: number, settings: UploadSettings): UploadPlan {
  if (size <= settings.multipartThresholdBytes && size <= MAX_SINGLE_PUT_BYTES) return { kind: "single" };
  const mib = 1024 * 1024;
  const partSize = Math.max(DEFAULT_PART_BYTES, Math.ceil(size / MAX_PARTS / mib) * mib);
  return { kind: "multipart", partSize, partCount: Math.ceil(size / partSize) };
}

/** input_file and upload_id of the part, complete and abort requests. */
export interface UploadRef {
  inputFile: string;
  /** S3's upload id. */
  uploadId: string;
  /** The size the create request declared, from the upload_id (uploadHandle). */
  declaredBytes?: number;
}

/** S3 upload ids are opaque; these are the characters they are made of (and nothing a URL would alter). */
const UPLOAD_ID = /^[A-Za-z0-9._~+/=-]{1,1024}$/;

/**
 * The upload_id a multipart create answers: `<declared size>:<S3's upload id>`. The Worker keeps
 * nothing between create and complete, so the size rides in the id the client sends back, and
 * completion refuses parts that do not add up to it: S3 joins whatever parts it is given, so a
 * short part list would complete as a shorter file, transcoded as if whole. Not a security check
 * (the limits are checked on the parts themselves): a client that edits it only loses the check.
 * S3's ids hold no ":", so an id without the prefix (created before it) is S3's id as it is.
 */
export function uploadHandle(size: number, s3UploadId: string): string {
  return `${size}:${s3UploadId}`;
}

export function readUploadRef(body: Record<string, unknown>): UploadRef {
  const inputFile = stringField(body, "input_file", 1024);
  const handle = /^(?:(\d{1,16}):)?(.*)$/s.exec(stringField(body, "upload_id", 1024))!;
  const uploadId = handle[2]!;
  if (!UPLOAD_ID.test(uploadId)) throw badRequest("Field upload_id is not an upload id this API gave.");
  return handle[1] === undefined ? { inputFile, uploadId } : { inputFile, uploadId, declaredBytes: Number(handle[1]) };
}

/** part_numbers of /uploads/parts: at most MAX_PART_BATCH distinct numbers 1..10,000 (may be empty). */
export function readPartNumbers(body: Record<string, unknown>): number[] {
  const value = body.part_numbers;
  if (value === undefined) throw badRequest("Missing field part_numbers.");
  if (!Array.isArray(value) || value.length > MAX_PART_BATCH) {
    throw badRequest(`Field part_numbers must be an array of at most ${MAX_PART_BATCH} part numbers.`);
  }
  const numbers = value.map((item: unknown) => {
    if (typeof item !== "number" || !Number.isInteger(item) || item < 1 || item > MAX_PARTS) {
      throw badRequest(`Field part_numbers must hold whole numbers from 1 to ${MAX_PARTS}.`);
    }
    return item;
  });
  if (new Set(numbers).size !== numbers.length) throw badRequest("Field part_numbers repeats a number.");
  return numbers;
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

/** parts of /uploads/complete: 1..10,000 entries, numbers ascending and distinct, each with its ETag. */
export function readCompletedParts(body: Record<string, unknown>): CompletedPart[] {
  const value = body.parts;
  if (value === undefined) throw badRequest("Missing field parts.");
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_PARTS) {
    throw badRequest(`Field parts must be an array of 1 to ${MAX_PARTS} parts.`);
  }
  let previous = 0;
  return value.map((item: unknown) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw badRequest("Each of parts must be an object with part_number and etag.");
    }
    const entry = item as Record<string, unknown>;
    const partNumber = integerField(entry, "part_number", 1, MAX_PARTS);
    const etag = stringField(entry, "etag", 128);
    if (!/^[\x21-\x7e]+$/.test(etag)) throw badRequest("Field etag must be printable ASCII.");
    if (partNumber <= previous) throw badRequest("Field parts must be in ascending part_number order, no repeats.");
    previous = partNumber;
    return { partNumber, etag };
  });
}

/** ETags compare without their quotes (S3 accepts either form in CompleteMultipartUpload). */
const bareEtag = (etag: string) => etag.replace(/"/g, "");

/**
 * The part numbers a completion cannot use: every number from 1 to the highest requested that S3
 * has not got (a gap, or a part not uploaded), and every requested part whose ETag is not S3's
 * (the part was uploaded again since). Empty when the upload can be completed.
 */
export function missingParts(
  requested: readonly CompletedPart[],
  uploaded: ReadonlyArray<{ partNumber: number; etag: string }>,
): number[] {
  const have = new Map(uploaded.map((part) => [part.partNumber, bareEtag(part.etag)]));
  const asked = new Map(requested.map((part) => [part.partNumber, bareEtag(part.etag)]));
  const highest = requested[requested.length - 1]?.partNumber ?? 0;
  const missing: number[] = [];
  for (let number = 1; number <= highest; number++) {
    const etag = have.get(number);
    if (etag === undefined || asked.get(number) !== etag) missing.push(number);
  }
  return missing;
}

/**
 * The size of the object a completion would make: the sizes S3 lists for the requested parts (all
 * present: missingParts is empty). Part URLs sign no length (the Worker keeps nothing between create
 * and parts, so it does not know the planned sizes), and S3 takes parts of up to 5 GiB at any number
 * up to 10,000 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html): a caller can
 * upload more than it declared, so MAX_UPLOAD_BYTES and the token's `max` are checked on this sum.
 */
export function completedBytes(
  requested: readonly CompletedPart[],
  uploaded: ReadonlyArray<{ partNumber: number; size: number }>,
): number {
  const sizes = new Map(uploaded.map((part) => [part.partNumber, part.size]));
  return requested.reduce((total, part) => total + (sizes.get(part.partNumber) ?? 0), 0);
}
