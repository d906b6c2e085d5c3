/**
 * Conditional writes for the local S3 server. s3rver 3.7.1 ignores If-Match and If-None-Match on
 * PutObject and writes anyway; S3 refuses a write whose condition fails, and the recording indexer
 * relies on that to order concurrent rebuilds of one index object (a rebuild that listed before
 * another one wrote must not overwrite it). This Koa middleware checks a conditional PutObject
 * against the stored object's ETag, answers as S3 does, and lets the write through otherwise. A
 * key's conditional writes are checked and written one at a time, so two writers that read the
 * same ETag cannot both win. Only PutObject: the system makes no other conditional request.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html#API_PutObject_RequestSyntax
 */
import { runAfterPrevious } from "./per-key.ts";
import { s3Error, type S3rverInternals } from "./s3rver-multipart.ts";

/** The stored object's ETag (quoted, as S3 sends it), or undefined when there is no object. */
async function storedETag(store: S3rverInternals["store"], bucket: string, key: string): Promise<string | undefined> {
  try {
    return (await store.getMetadata(bucket, key)).etag;
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return undefined;
    throw error;
  }
}

const PRECONDITION_FAILED = {
  status: 412,
  code: "PreconditionFailed",
  message: "At least one of the preconditions you specified did not hold.",
};

/** Why S3 refuses a PutObject with these conditions on an object with this ETag, if it does. */
export function refusedCondition(
  conditions: { ifMatch: string; ifNoneMatch: string },
  eTag: string | undefined,
): { status: number; code: string; message: string } | undefined {
  const { ifMatch, ifNoneMatch } = conditions;
  if (ifNoneMatch !== "" && ifNoneMatch !== "*") {
    return { status: 501, code: "NotImplemented", message: "If-None-Match accepts only *." };
  }
  if (ifNoneMatch === "*" && eTag !== undefined) return PRECONDITION_FAILED;
  if (ifMatch !== "" && eTag === undefined) {
    return { status: 404, code: "NoSuchKey", message: "The specified key does not exist." };
  }
  if (ifMatch !== "" && ifMatch !== eTag) return PRECONDITION_FAILED;
  return undefined;
}

/** Adds S3's conditional PutObject in front of s3rver's routes. */
export function addConditionalWrites(server: S3rverInternals): void {
  // Per key, the last conditional write: the next one starts after it.
  const tails = new Map<string, Promise<unknown>>();
  server.middleware.unshift(async (ctx, next) => {
    const conditions = { ifMatch: ctx.get("if-match"), ifNoneMatch: ctx.get("if-none-match") };
    const match = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
    const isPutObject = ctx.method === "PUT" && ctx.query.uploadId === undefined && ctx.get("x-amz-copy-source") === "";
    if (!match || !isPutObject || (conditions.ifMatch === "" && conditions.ifNoneMatch === "")) return next();
    const bucket = match[1]!;
    const key = decodeURIComponent(match[2]!);
    await runAfterPrevious(tails, `${bucket}/${key}`, async () => {
      const refusal = refusedCondition(conditions, await storedETag(server.store, bucket, key));
      if (refusal) s3Error(ctx, refusal.status, refusal.code, refusal.message);
      else await next();
    });
  });
}
