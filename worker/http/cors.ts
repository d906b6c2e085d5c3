/**
 * CORS decisions as pure functions: which origins may read our responses.
 *
 * ALLOWED_ORIGINS lists exact origins (`https://app.example.com`, `http://localhost:3000`) and
 * subdomain patterns (`https://*.example.com`), separated by commas and/or white space. No raw
 * regular expressions: the seed's `https://.*\.nightonly\.com` style is how bypasses happen
 * (unescaped dots, missing anchors). See https://portswigger.net/web-security/cors
 *
 * An origin is compared as a browser serialises it (RFC 6454 §6.2: lowercase scheme and ASCII host,
 * punycode for IDNs, no default port, no path, no trailing dot), and anything else is refused rather
 * than normalised: a request whose Origin is not in canonical form did not come from a browser.
 */

export type OriginRule =
  { kind: "exact"; origin: string } | { kind: "subdomains"; scheme: "http" | "https"; suffix: string; port: string };

export type CorsDecision =
  /** No Origin header: a same-origin, curl or server-side request. Served, no CORS headers. */
  { kind: "no-origin" } | { kind: "allowed"; origin: string } | { kind: "rejected"; origin: string };

// One DNS label: letters, digits, hyphens, not starting or ending with a hyphen (RFC 1123 §2.1).
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const HOST = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const CANONICAL_ORIGIN = new RegExp(`^(https?)://(${LABEL}(?:\\.${LABEL})*|\\[[0-9a-f:.]+\\])(?::([1-9][0-9]{0,4}))?$`);

/**
 * Parses ALLOWED_ORIGINS. Throws with a message naming the offending entry.
 * @example parseAllowedOrigins("https://app.example.com, https://*.example.com")
 */
export function parseAllowedOrigins(spec: string): OriginRule[] {
  const entries = spec.split(/[\s,]+/).filter((entry) => entry !== "");
  if (entries.length === 0) throw new Error("lists no origin");
  return entries.map(parseRule);
}

function parseRule(entry: string): OriginRule {
  if (entry === "*" || entry === "null") {
    throw new Error(`"${entry}" is not allowed: list each origin (or a https://*.example.com pattern)`);
  }
  const wildcard = /^(https?):\/\/\*\.([^/:]+)(?::(\d+))?$/.exec(entry);
  if (wildcard) {
    const [, scheme, suffix, port = ""] = wildcard;
    if (!HOST.test(suffix!) || !suffix!.includes(".")) {
      throw new Error(`"${entry}": the part after "*." must be a lowercase domain with at least two labels`);
    }
    checkPort(entry, port);
    return { kind: "subdomains", scheme: scheme as "http" | "https", suffix: suffix!, port };
  }
  const match = CANONICAL_ORIGIN.exec(entry);
  if (!match) {
    throw new Error(
      `"${entry}" is not an origin: write scheme://host[:port] in lowercase with no path, e.g. https://app.example.com`,
    );
  }
  checkPort(entry, match[3] ?? "");
  if (isDefaultPort(match[1]!, match[3])) {
    throw new Error(`"${entry}": leave out the default port (browsers never send it)`);
  }
  return { kind: "exact", origin: entry };
}

function checkPort(entry: string, port: string): void {
  if (port !== "" && (Number(port) < 1 || Number(port) > 65535)) throw new Error(`"${entry}": port out of range`);
}

function isDefaultPort(scheme: string, port: string | undefined): boolean {
  return (scheme === "https" && port === "443") || (scheme === "http" && port === "80");
}

/** Whether `origin` (the request's Origin header, verbatim) is allowed by `rules`. */
export function isOriginAllowed(origin: string, rules: readonly OriginRule[]): boolean {
  const match = CANONICAL_ORIGIN.exec(origin);
  if (!match) return false; // "null", uppercase, unicode, trailing dot, path, userinfo, ...
  const [, scheme, host, port = ""] = match;
  if (isDefaultPort(scheme!, port)) return false;
  return rules.some((rule) => {
    if (rule.kind === "exact") return rule.origin === origin;
    // "*.example.com" covers one or more labels in front of ".example.com", never the apex itself,
    // and only on the listed scheme and port.
    return rule.scheme === scheme && rule.port === port && host!.endsWith(`.${rule.suffix}`);
  });
}

/** The CORS decision for a request's Origin header (undefined or "" when absent, like the seed). */
export function decideCors(
  origin: string | undefined | null,
  rules: readonly OriginRule[],
  selfOrigin?: string,
): CorsDecision {
  if (origin === undefined || origin === null || origin === "") return { kind: "no-origin" };
  // A page served by this Worker (the demo page) calling its own API is same-origin: CORS does not
  // apply (browsers still send Origin on same-origin POSTs, https://fetch.spec.whatwg.org/#origin-header).
  if (origin === selfOrigin) return { kind: "no-origin" };
  return isOriginAllowed(origin, rules) ? { kind: "allowed", origin } : { kind: "rejected", origin };
}

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
