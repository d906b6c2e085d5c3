/**
 * CORS on the response side: the methods, request headers and response headers the API grants
 * cross-origin. Which origins are allowed is decided in worker/origins.ts.
 */

/** Methods every route answers; preflights never advertise more. */
export const CORS_ALLOWED_METHODS = ["GET", "HEAD", "OPTIONS"] as const;

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

/** The upload routes (POST with a JSON body) take their own methods. */
export const UPLOAD_PATH_PREFIX = "/api/media/uploads";
export const UPLOAD_CORS_METHODS = ["POST", "OPTIONS"] as const;

/** The methods CORS grants on a path: the upload routes take POST, every other route reads. */
export function corsMethodsFor(path: string): readonly string[] {
  return path === UPLOAD_PATH_PREFIX || path.startsWith(`${UPLOAD_PATH_PREFIX}/`)
    ? UPLOAD_CORS_METHODS
    : CORS_ALLOWED_METHODS;
}

/** A header name as RFC 9110 §5.1 writes it (a token, §5.6.2), lowercased. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/**
 * The request headers a preflight from an allowed origin is granted: every one it asks for, as the
 * seed's `Access-Control-Allow-Headers: *` granted them (seeds/003), so a frontend written for the
 * seed that sends, say, `Content-Type: application/json` or `Cache-Control: no-cache` on a GET keeps
 * working. Echoed by name rather than `*`, because `*` never covers Authorization
 * (https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name), which tokens use. Only
 * allowed origins get here, and the routes act on no request header beyond those they document
 * (Authorization, Range, the conditional headers), so the grant opens nothing.
 * Returns null when the list holds something that is not a header name; nothing is granted then.
 */
export function grantedRequestHeaders(requested: string | null | undefined): string[] | null {
  if (!requested) return [];
  const asked = requested
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
  return asked.every((name) => HEADER_NAME.test(name)) ? asked : null;
}
