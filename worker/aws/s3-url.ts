/**
 * S3 request URLs that aws4fetch signs correctly.
 *
 * aws4fetch builds the canonical S3 path by turning "+" into a space and percent-decoding the
 * pathname, then re-encoding it (mhart/aws4fetch src/main.js; same logic as mhart/aws4#115). A raw
 * "+" in a key therefore signs as a space and S3 answers SignatureDoesNotMatch. Encoding every key
 * segment ourselves (RFC 3986 unreserved characters only, so "+" is %2B) makes the decode/re-encode
 * round-trip exact. test/unit/signing.test.ts checks this against the AWS SDK's own signer.
 */

export interface S3Location {
  endpoint: string;
  /** Path-style (`endpoint/bucket/key`) for local and S3-compatible servers; else virtual-hosted. */
  pathStyle: boolean;
}

/**
 * Where S3 is for a region: the regional endpoint, virtual-hosted; or a custom endpoint (the local
 * server, an S3-compatible store), path-style. The Worker and the Lambdas both address S3 this way.
 */
export function s3Location(region: string, customEndpoint?: string): S3Location {
  return customEndpoint === undefined
    ? { endpoint: `https://s3.${region}.amazonaws.com`, pathStyle: false }
    : { endpoint: customEndpoint, pathStyle: true };
}

/** Percent-encodes a string per RFC 3986 §2.3 (unreserved characters stay), as SigV4 requires. */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Encodes an object key for a URL path: each segment encoded, "/" kept. */
export function encodeS3Key(key: string): string {
  return key.split("/").map(encodeRfc3986).join("/");
}

/**
 * Whether a key can be addressed through fetch at all: URL parsing removes "." and ".." path
 * segments (also when percent-encoded, WHATWG URL §4.4), so such keys would silently name another object.
 */
export function isAddressableKey(key: string): boolean {
  return key !== "" && !key.split("/").some((segment) => segment === "." || segment === "..");
}

/** The URL of a bucket (for ListObjectsV2) with an optional query. */
export function s3BucketUrl(location: S3Location, bucket: string, query?: URLSearchParams): string {
  const base = bucketBase(location, bucket);
  const search = query && [...query.keys()].length > 0 ? `?${query.toString().replace(/\+/g, "%20")}` : "";
  return `${base}/${search}`;
}

/** The URL of an object. Throws on keys that cannot be addressed (see isAddressableKey). */
export function s3ObjectUrl(location: S3Location, bucket: string, key: string): string {
  if (!isAddressableKey(key)) throw new Error('S3 key is empty or has a "." or ".." path segment');
  return `${bucketBase(location, bucket)}/${encodeS3Key(key)}`;
}

function bucketBase(location: S3Location, bucket: string): string {
  if (location.pathStyle) return `${location.endpoint}/${encodeRfc3986(bucket)}`;
  const endpoint = new URL(location.endpoint);
  return `${endpoint.protocol}//${bucket}.${endpoint.host}`;
}
