/**
 * ListParts and AbortMultipartUpload for the local S3 server. s3rver 3.7.1 implements
 * CreateMultipartUpload, UploadPart and CompleteMultipartUpload but answers these two with
 * MethodNotAllowed; the uploads API needs both (resume after a reload, abort). This Koa middleware
 * answers them from s3rver's own upload folder (`<bucket>/<uploads resource>/<UploadId>/`, holding
 * `key`, one file per part and `<part>.md5`), in the shapes S3 documents:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html
 */
import { readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";

/** What the middleware needs of s3rver: its store and Koa's middleware list (composed at run()). */
export interface S3rverInternals {
  store: {
    getResourcePath(bucket: string, key: string | undefined, resource: string): string;
    /** The object's stored headers, `etag` among them (quoted MD5); throws ENOENT when there is no object. */
    getMetadata(bucket: string, key: string): Promise<{ etag: string }>;
  };
  middleware: Array<(ctx: KoaContext, next: () => Promise<void>) => Promise<void>>;
}

/** The part of Koa's context the middleware reads and writes. */
export interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  /** A request header's value, "" when absent. */
  get(field: string): string;
  status: number;
  type: string;
  body: unknown;
}

const xmlEscape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function s3Error(ctx: KoaContext, status: number, code: string, message: string): void {
  ctx.status = status;
  ctx.type = "application/xml";
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

/** The upload's folder when it exists and belongs to `key`, else undefined. */
async function uploadFolder(store: S3rverInternals["store"], bucket: string, key: string, uploadId: string) {
  if (!/^[0-9a-f]{32}$/.test(uploadId)) return undefined;
  const folder = join(store.getResourcePath(bucket, undefined, "uploads"), uploadId);
  const storedKey = await readFile(join(folder, "key"), "utf8").catch(() => undefined);
  return storedKey === key ? folder : undefined;
}

async function listPartsXml(folder: string, bucket: string, key: string, uploadId: string, query: KoaContext["query"]) {
  const marker = Number(query["part-number-marker"] ?? 0) || 0;
  const maxParts = Math.min(1000, Number(query["max-parts"] ?? 1000) || 1000);
  const numbers = (await readdir(folder))
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((number) => number > marker)
    .sort((a, b) => a - b);
  const page = numbers.slice(0, maxParts);
  const parts = await Promise.all(
    page.map(async (number) => {
      const [md5, info] = await Promise.all([
        readFile(join(folder, `${number}.md5`), "utf8"),
        stat(join(folder, String(number))),
      ]);
      return (
        `<Part><PartNumber>${number}</PartNumber><LastModified>${info.mtime.toISOString()}</LastModified>` +
        `<ETag>&quot;${md5.trim()}&quot;</ETag><Size>${info.size}</Size></Part>`
      );
    }),
  );
  const truncated = numbers.length > page.length;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListPartsResult><Bucket>${xmlEscape(bucket)}</Bucket>` +
    `<Key>${xmlEscape(key)}</Key><UploadId>${uploadId}</UploadId><PartNumberMarker>${marker}</PartNumberMarker>` +
    (truncated ? `<NextPartNumberMarker>${page[page.length - 1]}</NextPartNumberMarker>` : "") +
    `<MaxParts>${maxParts}</MaxParts><IsTruncated>${truncated}</IsTruncated>${parts.join("")}</ListPartsResult>`
  );
}

/** Adds ListParts (GET ?uploadId) and AbortMultipartUpload (DELETE ?uploadId) in front of s3rver's routes. */
export function addMultipartListAndAbort(server: S3rverInternals): void {
  server.middleware.unshift(async (ctx, next) => {
    const uploadId = ctx.query.uploadId;
    const match = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
    if (typeof uploadId !== "string" || !match || (ctx.method !== "GET" && ctx.method !== "DELETE")) {
      return next();
    }
    const bucket = match[1]!;
    const key = decodeURIComponent(match[2]!);
    const folder = await uploadFolder(server.store, bucket, key, uploadId);
    if (folder === undefined) {
      return s3Error(ctx, 404, "NoSuchUpload", "The specified upload does not exist.");
    }
    if (ctx.method === "DELETE") {
      await rm(folder, { recursive: true, force: true });
      ctx.status = 204;
      ctx.body = null;
      return;
    }
    ctx.status = 200;
    ctx.type = "application/xml";
    ctx.body = await listPartsXml(folder, bucket, key, uploadId, ctx.query);
  });
}
