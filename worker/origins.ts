/**
 * Which origins may read our responses (CORS), as pure functions: the ALLOWED_ORIGINS rule parser
 * (used by worker/config.ts) and the matcher the CORS middleware (worker/http/cors.ts) builds once
 * per configuration.
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

/** Decides a request's Origin header against the rules it was built from. */
export type OriginMatcher = (origin: string | undefined | null) => CorsDecision;

/**
 * The matcher for a rule list, built once per configuration: exact origins go into a set, so a
 * request costs one regular-expression match plus a set lookup and a short scan of the patterns.
 */
export function originMatcher(
  rules: readonly OriginRule[],
  /** Where decisions are remembered (a test passes its own to look inside). */
  decided = new Map<string, CorsDecision>(),
): OriginMatcher {
  const exact = new Set(rules.flatMap((rule) => (rule.kind === "exact" ? [rule.origin] : [])));
  const patterns = rules.filter((rule) => rule.kind === "subdomains");
  const allowed = (origin: string): boolean => {
    const match = CANONICAL_ORIGIN.exec(origin);
    if (!match) return false; // "null", uppercase, unicode, trailing dot, path, userinfo, ...
    const [, scheme, host, port = ""] = match;
    if (isDefaultPort(scheme!, port)) return false;
    if (exact.has(origin)) return true;
    // "*.example.com" covers one or more labels in front of ".example.com", never the apex itself,
    // and only on the listed scheme and port.
    return patterns.some((rule) => rule.scheme === scheme && rule.port === port && host!.endsWith(`.${rule.suffix}`));
  };
  // Decisions by Origin: a browser app sends the same few origins on every call, so the regular
  // expression runs once per origin (bounded in count and in length, so cycling origins, or sending
  // huge ones, costs memory only up to the bound).
  return (origin) => {
    if (origin === undefined || origin === null || origin === "") return NO_ORIGIN;
    let decision = decided.get(origin);
    if (decision === undefined) {
      decision = Object.freeze(allowed(origin) ? { kind: "allowed", origin } : { kind: "rejected", origin });
      if (origin.length > REMEMBERED_ORIGIN_LENGTH) return decision;
      if (decided.size >= DECIDED_ORIGINS) decided.clear();
      decided.set(origin, decision);
    }
    return decision;
  };
}

const NO_ORIGIN: CorsDecision = Object.freeze({ kind: "no-origin" });
/** Distinct Origin values remembered per matcher. */
export const DECIDED_ORIGINS = 256;
/**
 * Longest Origin remembered: a serialised origin is a scheme, a host of at most 253 characters
 * (https://www.rfc-editor.org/rfc/rfc1035#section-2.3.4) and a port. A longer header (a client may
 * send ~16 KB) is decided each time and not kept.
 */
export const REMEMBERED_ORIGIN_LENGTH = 280;

/**
 * Whether `origin` is `new URL(url).origin`, compared as text (a URL parse per request costs more):
 * a request URL is serialised by the runtime (https://url.spec.whatwg.org/#url-serializing), so its
 * origin is exactly the text before the path's first "/", unless that holds userinfo ("@").
 */
export function isOriginOf(origin: string, url: string): boolean {
  const pathStart = url.indexOf("/", url.indexOf("://") + 3);
  return pathStart === origin.length && url.startsWith(origin) && !origin.includes("@");
}

/** Whether `origin` (the request's Origin header, verbatim) is allowed by `rules`. */
export function isOriginAllowed(origin: string, rules: readonly OriginRule[]): boolean {
  return originMatcher(rules)(origin).kind === "allowed";
}

/** The CORS decision for a request's Origin header (undefined or "" when absent, like the seed). */
export function decideCors(origin: string | undefined | null, rules: readonly OriginRule[]): CorsDecision {
  return originMatcher(rules)(origin);
}
