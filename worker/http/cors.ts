/**
 * CORS on the response side: the methods, request headers and response headers the API grants
 * cross-origin. Which origins are allowed is decided in worker/origins.ts.
 */

/** Methods every route answers; preflights never advertise more. */
export const CORS_ALLOWED_METHODS = ["GET", "HEAD", "OPTIONS"] as const;

/** Request headers a browser may send cross-origin beyond the CORS-safelisted ones. */
export const CORS_ALLOWED_HEADERS = ["authorization", "range", "if-none-match", "if-modified-since"] as const;

const ALLOWED_HEADER_SET: ReadonlySet<string> = new Set(CORS_ALLOWED_HEADERS);

/** Response headers a page may read beyond the safelisted ones. */
export const CORS_EXPOSED_HEADERS = [
  "content-length",
  "content-range",
  "etag",
  "retry-after",
  "www-authenticate",
  "x-request-id",
] as const;

/**
 * Preflight cache lifetime. Chromium caps Access-Control-Max-Age at 7200 s, Firefox at 86400 s:
 * https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Max-Age
 */
export const CORS_MAX_AGE_SECONDS = 7200;

/**
 * The request headers a preflight may be granted: those asked for that are in our allow-list.
 * Returns null when the preflight asks for a header we do not allow (the browser will then fail
 * the request, which is the point); hono's cors() would echo whatever was asked for.
 */
export function grantedRequestHeaders(requested: string | null | undefined): string[] | null {
  if (!requested) return [];
  const asked = requested
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
  return asked.every((name) => ALLOWED_HEADER_SET.has(name)) ? asked : null;
}
