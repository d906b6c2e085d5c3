/**
 * Request-side playback authorisation shared by the playlist, segment and key routes: where the
 * token comes from, how a failed check is answered, and the tokens a playlist embeds.
 */
import type { Context } from "hono";
import { epochSeconds } from "../../model/index.ts";
import type { Config } from "../config.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../http/errors.ts";
import { log } from "../http/log.ts";
import { CONTROL_CHARACTERS } from "../http/params.ts";
import { checkToken, mintToken, type TokenClaims, type TokenPurpose } from "./tokens.ts";

/**
 * The request's token: `?token=` (what playlists embed, and what Safari's native player can
 * carry) or `Authorization: Bearer` (for players that can set headers).
 */
export function requestToken(c: Context<AppEnv>): string | undefined {
  const fromQuery = c.req.query("token");
  if (fromQuery !== undefined) return fromQuery;
  const header = c.req.header("authorization");
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

const MESSAGES = {
  missing: "Token is required.",
  malformed: "Token is invalid.",
  invalid: "Token is invalid.",
  expired: "Token has expired.",
  "wrong-scope": "Token does not grant this resource.",
  "wrong-purpose": "Token does not grant this resource.",
} as const;

/**
 * Checks the request's token for a scope and purposes and throws the 401/403 ApiError when it
 * does not grant them. Touches no cache and no database: call it before any read.
 */
export async function authorize(
  c: Context<AppEnv>,
  scope: string | ((sub: string) => boolean),
  purposes: readonly TokenPurpose[],
): Promise<TokenClaims> {
  const config = c.get("config");
  const check = await checkToken(requestToken(c), {
    secrets: { current: config.playback.tokenSecret, previous: config.playback.previousTokenSecret },
    scope,
    purposes,
  });
  if (check.ok) {
    if (check.previousSecret) {
      // Visible in logs so an operator can see when the grace period can end.
      log("info", "token verified with TOKEN_SECRET_PREVIOUS", { request_id: c.get("requestId") });
    }
    return check.claims;
  }
  const headers: Record<string, string> =
    check.status === 401
      ? // RFC 6750 §3: a 401 names the scheme and why.
        { "www-authenticate": `Bearer realm="media-edge", error="invalid_token"` }
      : {};
  throw new ApiError(check.status, MESSAGES[check.reason], { headers, details: { reason: check.reason } });
}

/**
 * How long a playlist that embeds tokens may be reused (its `max-age`), and the step its tokens are
 * issued on: a quarter of the key token's lifetime, at most a minute.
 */
export function embeddedTokenStep(config: Config): number {
  // KEY_TOKEN_TTL_SECONDS is at least 30 (worker/config.ts): the step is at least 7 s.
  return Math.min(60, Math.floor(config.playback.keyTokenTtlSeconds / 4));
}

/**
 * A token a playlist embeds in its URIs, signed with the current secret, living at least
 * `ttlSeconds` from `nowSeconds`. Issued at the start of the current step (embeddedTokenStep) and
 * living a step longer, so the playlists a player fetches within one step embed the same key URI:
 * hls.js keeps keys by URI, so switching rendition asks for no new key (one key request per job
 * instead of one per rendition).
 */
export function embeddedToken(
  config: Config,
  scope: string,
  purpose: TokenPurpose,
  ttlSeconds: number,
  nowSeconds = epochSeconds(),
): Promise<string> {
  const step = embeddedTokenStep(config);
  return mintToken(config.playback.tokenSecret, {
    scope,
    purpose,
    nowSeconds: nowSeconds - (nowSeconds % step),
    ttlSeconds: Math.max(1, Math.ceil(ttlSeconds)) + step,
  });
}

/** The public origin of the request, for the absolute URIs playlists carry. */
export function requestOrigin(c: Context<AppEnv>): string {
  return new URL(c.req.url).origin;
}

/** The path after `prefix` in the raw (still percent-encoded) request path, split and decoded. */
export function pathSegmentsAfter(c: Context<AppEnv>, prefix: string): string[] | undefined {
  const pathname = new URL(c.req.url).pathname;
  if (!pathname.startsWith(prefix)) return undefined;
  const parts = pathname.slice(prefix.length).split("/");
  const decoded: string[] = [];
  for (const part of parts) {
    let value: string;
    try {
      value = decodeURIComponent(part);
    } catch {
      return undefined;
    }
    // Refuse rather than normalise: empty, dot segments, encoded slashes, control characters.
    if (value === "" || value === "." || value === ".." || value.includes("/") || CONTROL_CHARACTERS.test(value)) {
      return undefined;
    }
    decoded.push(value);
  }
  return decoded;
}

/** MediaConvert-style job ids (e.g. 1700000000000-abc123) and other plain ids. */
export function isValidJobId(jobId: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(jobId);
}
