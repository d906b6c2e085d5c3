/**
 * S3 multipart uploads from the Worker, over callUpstream's failure policy (deadline, bounded
 * retries, no upstream body ever forwarded): CreateMultipartUpload, ListParts (paged),
 * CompleteMultipartUpload and AbortMultipartUpload. The parts themselves go from the browser to S3
 * through presigned UploadPart URLs (s3-presign.ts).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
 *
 * The answers are small, flat XML documents; they are read by exact element matches below and
 * anything unexpected is UpstreamError "malformed" (502).
 */
import type { AwsEdgeClient } from "./client.ts";
import { UpstreamError } from "./errors.ts";
import { referenceText } from "./s3-listing.ts";
import { encodeRfc3986, s3ObjectUrl } from "./s3-url.ts";
import { callUpstream, readText } from "./upstream.ts";

/** One uploaded part as ListParts reports it. */
export interface UploadedPart {
  partNumber: number;
  etag: string;
  size: number;
}

interface UploadTarget {
  bucket: string;
  key: string;
}

/**
 * XML character data with its references replaced, read as the listing parser reads them
 * (referenceText); anything else ("&" alone, an entity XML does not define, a character past
 * U+10FFFF) is a malformed answer (502), not a 500.
 */
function xmlText(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[a-z]+);|&/g, (_, entity?: string) => {
    if (entity !== undefined) {
      try {
        return referenceText(entity, 0);
      } catch {
        // Reported below, without S3's text.
      }
    }
    throw malformed("XML", "a reference XML does not define");
  });
}

/** The text of each `<name>` element in `xml` (text-only elements). */
function elements(xml: string, name: string): string[] {
  const pattern = new RegExp(`<${name}>([^<]*)</${name}>`, "g");
  return Array.from(xml.matchAll(pattern), (match) => xmlText(match[1]!));
}

/** The text of the one `<name>` element, or undefined. */
function element(xml: string, name: string): string | undefined {
  return elements(xml, name)[0];
}

function malformed(operation: string, why: string): UpstreamError {
  return new UpstreamError("s3", "malformed", `${operation}: ${why}`);
}

/**
 * Reads a 200 whose body must be the `root` document; other statuses throw "rejected". Read from
 * callUpstream's stall-guarded stream, not callUpstreamWhole: CompleteMultipartUpload answers 200
 * at once and may then send whitespace for minutes while S3 assembles the parts, a body that flows
 * but is not whole within UPSTREAM_IDLE_MS (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html).
 */
async function readDocument(operation: string, response: Response, root: string): Promise<string> {
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new UpstreamError("s3", "rejected", `${operation} HTTP ${response.status}`);
  }
  const xml = await readText("s3", response);
  // CompleteMultipartUpload can answer 200 with an <Error> body (S3 API reference), hence the root check.
  if (!new RegExp(`<${root}[\\s>]`).test(xml)) throw malformed(operation, `no <${root}>`);
  return xml;
}

/** CreateMultipartUpload with the object's content type; returns the UploadId. */
export async function createMultipartUpload(
  aws: AwsEdgeClient,
  request: UploadTarget & { contentType: string },
): Promise<string> {
  const response = await callUpstream(aws, {
    service: "s3",
    url: `${s3ObjectUrl(aws.endpoints.s3, request.bucket, request.key)}?uploads`,
    init: { method: "POST", headers: { "content-type": request.contentType } },
  });
  const xml = await readDocument("CreateMultipartUpload", response, "InitiateMultipartUploadResult");
  const uploadId = element(xml, "UploadId");
  if (!uploadId) throw malformed("CreateMultipartUpload", "no UploadId");
  return uploadId;
}

/** S3 answers at most 1,000 parts per ListParts page; 10,000 parts are at most 10 pages. */
const MAX_LIST_PAGES = 10;

/**
 * Every part uploaded so far, in part-number order (ListParts, paged by part-number-marker);
 * undefined when S3 does not know the upload (404 NoSuchUpload: completed, aborted or never made).
 */
export async function listParts(
  aws: AwsEdgeClient,
  request: UploadTarget & { uploadId: string },
): Promise<UploadedPart[] | undefined> {
  const parts: UploadedPart[] = [];
  let marker = "0";
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const query = new URLSearchParams({ "part-number-marker": marker, uploadId: request.uploadId });
    const response = await callUpstream(aws, {
      service: "s3",
      url: `${s3ObjectUrl(aws.endpoints.s3, request.bucket, request.key)}?${query.toString().replace(/\+/g, "%20")}`,
      init: { method: "GET" },
    });
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    const xml = await readDocument("ListParts", response, "ListPartsResult");
    for (const match of xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)) parts.push(partOf(match[1]!));
    if (element(xml, "IsTruncated") !== "true") return parts;
    const next = element(xml, "NextPartNumberMarker");
    if (next === undefined || !/^\d+$/.test(next) || Number(next) <= Number(marker)) {
      throw malformed("ListParts", "truncated without a growing NextPartNumberMarker");
    }
    marker = next;
  }
  throw malformed("ListParts", `more than ${MAX_LIST_PAGES} pages`);
}

function partOf(xml: string): UploadedPart {
  const number = element(xml, "PartNumber");
  const etag = element(xml, "ETag");
  const size = element(xml, "Size");
  if (number === undefined || !/^\d{1,5}$/.test(number) || etag === undefined || !/^\d{1,13}$/.test(size ?? "")) {
    throw malformed("ListParts", "a Part without PartNumber, ETag or Size");
  }
  return { partNumber: Number(number), etag, size: Number(size) };
}

/** CompleteMultipartUpload with the parts in order; returns the object's ETag. */
export async function completeMultipartUpload(
  aws: AwsEdgeClient,
  request: UploadTarget & { uploadId: string; parts: ReadonlyArray<{ partNumber: number; etag: string }> },
): Promise<string> {
  const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const body =
    "<CompleteMultipartUpload>" +
    request.parts
      .map((part) => `<Part><PartNumber>${part.partNumber}</PartNumber><ETag>${escape(part.etag)}</ETag></Part>`)
      .join("") +
    "</CompleteMultipartUpload>";
  const response = await callUpstream(aws, {
    service: "s3",
    url: `${s3ObjectUrl(aws.endpoints.s3, request.bucket, request.key)}?uploadId=${encodeRfc3986(request.uploadId)}`,
    init: { method: "POST", headers: { "content-type": "application/xml" }, body },
  });
  const xml = await readDocument("CompleteMultipartUpload", response, "CompleteMultipartUploadResult");
  return element(xml, "ETag") ?? "";
}

/** AbortMultipartUpload; false when S3 does not know the upload (404 NoSuchUpload). */
export async function abortMultipartUpload(
  aws: AwsEdgeClient,
  request: UploadTarget & { uploadId: string },
): Promise<boolean> {
  const response = await callUpstream(aws, {
    service: "s3",
    url: `${s3ObjectUrl(aws.endpoints.s3, request.bucket, request.key)}?uploadId=${encodeRfc3986(request.uploadId)}`,
    init: { method: "DELETE" },
  });
  await response.body?.cancel();
  if (response.status === 204 || response.status === 200) return true;
  if (response.status === 404) return false;
  throw new UpstreamError("s3", "rejected", `AbortMultipartUpload HTTP ${response.status}`);
}
