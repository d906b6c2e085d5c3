/**
 * S3 from the Worker over SigV4-signed fetch (aws4fetch, through callUpstream's failure policy):
 * ListObjectsV2 paged from a start key and stopped early, and GetObject with Range passthrough.
 * ListObjectsV2 bodies are read by ./s3-listing.ts; one that does not parse becomes UpstreamError
 * "malformed" (502), never a partial listing.
 */
import type { AwsEdgeClient } from "./client.ts";
import { UpstreamError } from "./errors.ts";
import {
  listObjectsV2Query,
  parseListObjectsV2,
  type ListedObject,
  type ListPage,
  type ListRequest,
} from "./s3-listing.ts";
import { s3BucketUrl, s3ObjectUrl } from "./s3-url.ts";
import { callUpstream, callUpstreamWhole, type WholeBody } from "./upstream.ts";

export { parseListObjectsV2, XmlError, type ListedObject, type ListPage, type ListRequest } from "./s3-listing.ts";

// ---------------------------------------------------------------------------------------------
// ListObjectsV2

/** One ListObjectsV2 call. Non-2xx answers and unparsable bodies throw UpstreamError. */
export async function listObjectsV2Page(aws: AwsEdgeClient, request: ListRequest): Promise<ListPage> {
  const query = new URLSearchParams(listObjectsV2Query(request));
  const whole = await callUpstreamWhole(aws, {
    service: "s3",
    url: s3BucketUrl(aws.endpoints.s3, request.bucket, query),
    init: { method: "GET" },
  });
  if (!whole.response.ok) {
    await whole.cancel();
    // Only the status: S3 error bodies can carry the canonical request (SignatureDoesNotMatch).
    throw new UpstreamError("s3", "rejected", `ListObjectsV2 HTTP ${whole.response.status}`);
  }
  const body = await whole.text();
  try {
    return parseListObjectsV2(body);
  } catch (error) {
    throw new UpstreamError("s3", "malformed", `ListObjectsV2: ${(error as Error).message}`);
  }
}

/**
 * Lists keys in ascending order from `startAfter`, page by page (continuation tokens), and stops
 * as soon as `isPastEnd(key)` is true for a listed key or the listing ends. The number of calls
 * therefore depends on how many keys lie between the start and the end, never on how many the
 * prefix holds before or after them. Returns the objects before the end and, as `next`, the first
 * object past it when that came on the same pages (callers use it as a look-ahead, e.g. for the
 * duration of the last segment before the end). At most the first page and then the pages left in
 * `budget` (shared with the other listings of the window) are read, so a request stays within
 * Workers' subrequest limit (50 on the free plan) even when unexpected objects crowd the range;
 * `exhausted` says the end was not reached.
 */
export async function listObjectsUntil(
  aws: AwsEdgeClient,
  request: Omit<ListRequest, "continuationToken">,
  isPastEnd: (key: string) => boolean,
  budget: PageBudget,
): Promise<{ objects: ListedObject[]; next?: ListedObject; exhausted?: true }> {
  const objects: ListedObject[] = [];
  let continuationToken: string | undefined;
  for (;;) {
    const page = await listObjectsV2Page(aws, { ...request, continuationToken });
    for (const object of page.objects) {
      if (isPastEnd(object.key)) return { objects, next: object };
      objects.push(object);
    }
    if (!page.isTruncated) return { objects };
    if (budget.pages <= 0) return { objects, exhausted: true };
    budget.pages--;
    continuationToken = page.nextContinuationToken;
  }
}

/**
 * Pages beyond the first that listings sharing this object may still read: parallel listings of
 * one window draw on one budget, so the window's subrequests stay bounded however the extra
 * pages fall.
 */
export interface PageBudget {
  pages: number;
}

// ---------------------------------------------------------------------------------------------
// GetObject

/**
 * Request headers passed to S3 for a GetObject: a Range, and the conditions S3 answers with a 304.
 * Never If-Match, If-Unmodified-Since or If-Range: S3 answers the first two with a 412 (and does
 * not document the third); callers evaluate those themselves (worker/http/conditional.ts).
 */
const PASSTHROUGH_REQUEST_HEADERS = ["range", "if-none-match", "if-modified-since"] as const;

/** Response headers passed back from S3 (no x-amz-* headers: they can name internals). */
export const PASSTHROUGH_RESPONSE_HEADERS = [
  "content-length",
  "content-range",
  "accept-ranges",
  "etag",
  "last-modified",
] as const;

export interface GetObjectResult {
  /** 200, 206, 304 or 416 (S3's 416 body, an XML error, is dropped: body is null). */
  status: number;
  headers: Headers;
  body: ReadableStream | null;
}

/**
 * GetObject with Range, If-None-Match and If-Modified-Since passed through - or, with `method: "HEAD"`,
 * HeadObject (the same headers and statuses, no body: https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html).
 * Returns undefined for a missing object (404); other failures throw UpstreamError without the S3 body.
 */
export async function getObject(
  aws: AwsEdgeClient,
  request: { bucket: string; key: string; headers?: Headers; method?: "GET" | "HEAD" },
): Promise<GetObjectResult | undefined> {
  const headers: Record<string, string> = {};
  for (const name of PASSTHROUGH_REQUEST_HEADERS) {
    const value = request.headers?.get(name);
    if (value) headers[name] = value;
  }
  const response = await callUpstream(aws, {
    service: "s3",
    url: s3ObjectUrl(aws.endpoints.s3, request.bucket, request.key),
    init: { method: request.method ?? "GET", headers },
  });
  // Only 404 means "no such object". A 403 is a permission problem (with s3:ListBucket granted,
  // as the recordings listing needs, S3 answers 404 for missing keys) and must reach an operator.
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  if (response.status === 200 || response.status === 206 || response.status === 304 || response.status === 416) {
    const out = new Headers();
    for (const name of PASSTHROUGH_RESPONSE_HEADERS) {
      const value = response.headers.get(name);
      if (value) out.set(name, value);
    }
    const noBody = response.status === 304 || response.status === 416 || request.method === "HEAD";
    if (noBody) await response.body?.cancel();
    return { status: response.status, headers: out, body: noBody ? null : response.body };
  }
  await response.body?.cancel();
  throw new UpstreamError(
    "s3",
    "rejected",
    `${request.method === "HEAD" ? "HeadObject" : "GetObject"} HTTP ${response.status}`,
  );
}

/**
 * GetObject of a body read whole (callUpstreamWhole: no guarding stream), with a Range or none;
 * undefined for a missing object (404). Any other status is the caller's to check.
 */
export async function getObjectWhole(
  aws: AwsEdgeClient,
  request: { bucket: string; key: string; range?: string },
): Promise<WholeBody | undefined> {
  const whole = await callUpstreamWhole(aws, {
    service: "s3",
    url: s3ObjectUrl(aws.endpoints.s3, request.bucket, request.key),
    init: { method: "GET", ...(request.range === undefined ? {} : { headers: { range: request.range } }) },
  });
  if (whole.response.status !== 404) return whole;
  await whole.cancel();
  return undefined;
}

/** GetObject of a small text object (a playlist, info.json); undefined when missing. */
export async function getObjectText(
  aws: AwsEdgeClient,
  request: { bucket: string; key: string },
): Promise<string | undefined> {
  const whole = await getObjectWhole(aws, request);
  if (whole === undefined) return undefined;
  if (whole.response.status !== 200) {
    await whole.cancel();
    throw new UpstreamError("s3", "rejected", `GetObject HTTP ${whole.response.status}`);
  }
  return whole.text();
}

/**
 * GetObject of a byte range of a text object (an index's blocks): the range's text (206), or the
 * whole object's when the server ignores Range (200, `whole`); undefined when the object is missing
 * or the range starts past its end (416). https://www.rfc-editor.org/rfc/rfc9110#section-14.2
 */
export async function getObjectRangeText(
  aws: AwsEdgeClient,
  request: { bucket: string; key: string; range: string },
): Promise<{ text: string; whole: boolean } | undefined> {
  const whole = await getObjectWhole(aws, request);
  if (whole === undefined) return undefined;
  const { status } = whole.response;
  if (status !== 200 && status !== 206) {
    await whole.cancel();
    if (status === 416) return undefined;
    throw new UpstreamError("s3", "rejected", `GetObject HTTP ${status}`);
  }
  return { text: await whole.text(), whole: status === 200 };
}

// ---------------------------------------------------------------------------------------------
// HeadBucket

/**
 * HeadBucket: whether the bucket exists and these credentials may list it (s3:ListBucket, which the
 * Worker's IAM user holds on its buckets). Returns S3's status: 200, or 404 (no such bucket),
 * 403 (access denied), 301/400 (another region); throttling and timeouts throw UpstreamError.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html
 */
export async function headBucket(aws: AwsEdgeClient, bucket: string): Promise<number> {
  const response = await callUpstream(aws, {
    service: "s3",
    url: s3BucketUrl(aws.endpoints.s3, bucket),
    init: { method: "HEAD" },
  });
  await response.body?.cancel();
  return response.status;
}
