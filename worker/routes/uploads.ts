/**
 * Direct browser uploads (issue 10, docs/api.md "Uploads"): the Worker signs, the browser sends the
 * bytes straight to the input bucket, and the Lambdas transcode the object as for any other upload.
 *
 * POST /api/media/uploads           create: one presigned PUT, or a multipart upload
 * POST /api/media/uploads/parts     presign a batch of part URLs, and list the parts S3 already has (resume)
 * POST /api/media/uploads/complete  CompleteMultipartUpload (409 + missing_parts when parts are missing)
 * POST /api/media/uploads/abort     AbortMultipartUpload
 */
import { Hono } from "hono/tiny";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { authorize } from "../auth/playback.ts";
import { uploadPrefixes, uploadScope, type TokenClaims } from "../auth/tokens.ts";
import type { AwsEdgeClient } from "../aws/client.ts";
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listParts,
} from "../aws/s3-multipart.ts";
import { amzDate, presignS3 } from "../aws/s3-presign.ts";
import type { UploadConfig } from "../config.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../http/errors.ts";
import { isUploadKey, uploadBase, uploadKey } from "../uploads/keys.ts";
import {
  completedBytes,
  jsonObject,
  missingParts,
  planUpload,
  uploadHandle,
  readCompletedParts,
  readCreateRequest,
  readPartNumbers,
  readUploadRef,
  type UploadRef,
} from "../uploads/plan.ts";

/** Largest request body: a completion of 10,000 parts is about 600 KB of JSON. */
const MAX_BODY_BYTES = 1024 * 1024;

async function readBody(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  return jsonObject(await c.req.text());
}

/** JSON answers of these routes: never cached (URLs and upload ids are per request). */
function json(c: Context<AppEnv>, body: unknown, status: 200 | 201 = 200): Response {
  return c.json(body, status, { "cache-control": "no-store" });
}

/** The caller's upload token (signed policy), checked for `scope`; undefined under the public policy. */
async function uploadClaims(
  c: Context<AppEnv>,
  scope: string | ((sub: string) => boolean),
): Promise<TokenClaims | undefined> {
  return c.get("config").uploads.policy === "public" ? undefined : authorize(c, scope, ["upload"]);
}

/** The folder a new upload goes to: the upload prefix (public policy), or the first token prefix inside it. */
function baseFor(config: UploadConfig, tokenSub: string | undefined): string | undefined {
  if (tokenSub === undefined) return config.prefix;
  for (const prefix of uploadPrefixes(tokenSub)) {
    const base = uploadBase(config.prefix, prefix);
    if (base !== undefined) return base;
  }
  return undefined;
}

/** 413 when `size` is over MAX_UPLOAD_BYTES or the token's `max`: on create, and on the parts at completion. */
function checkSize(size: number, config: UploadConfig, claims: TokenClaims | undefined): void {
  const limit = Math.min(config.maxBytes, claims?.max ?? Number.MAX_SAFE_INTEGER);
  if (size > limit) {
    throw new ApiError(413, `The file is larger than ${limit} bytes, the most this upload allows.`, {
      details: { max_bytes: limit },
    });
  }
}

async function createUpload(c: Context<AppEnv>): Promise<Response> {
  const config = c.get("config").uploads;
  const claims = await uploadClaims(c, (sub) => baseFor(config, sub) !== undefined);
  const request = readCreateRequest(await readBody(c));
  checkSize(request.size, config, claims);
  const key = uploadKey(baseFor(config, claims?.sub)!, request.fileName);
  if (key === undefined) throw new ApiError(400, "Field file_name has no usable characters.");
  const now = new Date();
  const expiresAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + config.urlTtlSeconds * 1000).toISOString();
  const plan = planUpload(request.size, config);
  if (plan.kind === "single") {
    const headers = { "content-type": request.contentType };
    const url = await presignS3(c.get("aws"), {
      bucket: config.bucket,
      key,
      method: "PUT",
      expiresSeconds: config.urlTtlSeconds,
      // content-length is signed too, but not returned: browsers set it themselves and refuse to let a page set it.
      headers: { ...headers, "content-length": String(request.size) },
      datetime: amzDate(now),
    });
    return json(
      c,
      { input_file: key, expires_at: expiresAt, upload: { kind: "single", method: "PUT", url, headers } },
      201,
    );
  }
  const uploadId = await createMultipartUpload(c.get("aws"), {
    bucket: config.bucket,
    key,
    contentType: request.contentType,
  });
  return json(
    c,
    {
      input_file: key,
      expires_at: expiresAt,
      upload: {
        kind: "multipart",
        upload_id: uploadHandle(request.size, uploadId),
        part_size: plan.partSize,
        part_count: plan.partCount,
      },
    },
    201,
  );
}

/**
 * input_file and upload_id of a part/complete/abort request, authorised and checked to be one of
 * ours, with the token's claims (undefined under the public policy).
 */
async function uploadRef(
  c: Context<AppEnv>,
  body: Record<string, unknown>,
): Promise<{ ref: UploadRef; claims: TokenClaims | undefined }> {
  const ref = readUploadRef(body);
  const claims = await uploadClaims(c, uploadScope(ref.inputFile));
  if (!isUploadKey(c.get("config").uploads.prefix, ref.inputFile)) {
    throw new ApiError(400, "Field input_file is not a key this API created.");
  }
  return { ref, claims };
}

/** ListParts, with S3's "no such upload" as our 404. */
async function uploadedParts(aws: AwsEdgeClient, bucket: string, ref: UploadRef) {
  const parts = await listParts(aws, { bucket, key: ref.inputFile, uploadId: ref.uploadId });
  if (parts === undefined) {
    throw new ApiError(404, "Upload not found: it was completed, aborted or expired.", {
      details: { input_file: ref.inputFile },
    });
  }
  return parts;
}

async function presignParts(c: Context<AppEnv>): Promise<Response> {
  const config = c.get("config").uploads;
  const body = await readBody(c);
  const { ref } = await uploadRef(c, body);
  const numbers = readPartNumbers(body);
  const uploaded = await uploadedParts(c.get("aws"), config.bucket, ref);
  const datetime = amzDate(new Date());
  const parts = await Promise.all(
    numbers.map(async (partNumber) => ({
      part_number: partNumber,
      method: "PUT",
      url: await presignS3(c.get("aws"), {
        bucket: config.bucket,
        key: ref.inputFile,
        method: "PUT",
        expiresSeconds: config.urlTtlSeconds,
        query: { partNumber: String(partNumber), uploadId: ref.uploadId },
        datetime,
      }),
    })),
  );
  return json(c, {
    parts,
    uploaded: uploaded.map((part) => ({ part_number: part.partNumber, etag: part.etag, size: part.size })),
  });
}

async function completeUpload(c: Context<AppEnv>): Promise<Response> {
  const config = c.get("config").uploads;
  const body = await readBody(c);
  const { ref, claims } = await uploadRef(c, body);
  const requested = readCompletedParts(body);
  const uploaded = await uploadedParts(c.get("aws"), config.bucket, ref);
  const missing = missingParts(requested, uploaded);
  if (missing.length > 0) {
    throw new ApiError(409, "Parts are missing: upload them, then complete again.", {
      details: { missing_parts: missing },
    });
  }
  // Part URLs sign no length, so the declared size bound nothing: the parts themselves must fit.
  const bytes = completedBytes(requested, uploaded);
  checkSize(bytes, config, claims);
  if (ref.declaredBytes !== undefined && bytes !== ref.declaredBytes) {
    throw new ApiError(
      409,
      `The parts add up to ${bytes} bytes, not the ${ref.declaredBytes} this upload declared: complete with every part.`,
      { details: { size: ref.declaredBytes, parts_bytes: bytes } },
    );
  }
  await completeMultipartUpload(c.get("aws"), {
    bucket: config.bucket,
    key: ref.inputFile,
    uploadId: ref.uploadId,
    parts: requested,
  });
  return json(c, {
    input_file: ref.inputFile,
    status_url: `/api/media/job_id?input_file=${encodeURIComponent(ref.inputFile)}`,
  });
}

async function abortUpload(c: Context<AppEnv>): Promise<Response> {
  const config = c.get("config").uploads;
  const { ref } = await uploadRef(c, await readBody(c));
  const aborted = await abortMultipartUpload(c.get("aws"), {
    bucket: config.bucket,
    key: ref.inputFile,
    uploadId: ref.uploadId,
  });
  if (!aborted) throw new ApiError(404, "Upload not found: it was completed, aborted or expired.");
  return json(c, { input_file: ref.inputFile, aborted: true });
}

const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ApiError(400, `Request body is larger than ${MAX_BODY_BYTES} bytes.`);
  },
});

export const uploadRoutes = new Hono<AppEnv>()
  .use("/uploads", limitBody)
  .use("/uploads/*", limitBody)
  .post("/uploads", createUpload)
  .post("/uploads/parts", presignParts)
  .post("/uploads/complete", completeUpload)
  .post("/uploads/abort", abortUpload);
