/**
 * Playback tokens: HS256 JWTs (hono/jwt) with a scope, a purpose and an expiry.
 *
 * - `sub` is the scope: `job:<job id>` for a MediaConvert job (its playlists, segments and key),
 *   `rec:<stream>` for one recorder stream (`rec:` = the streams-less root, `rec:*` = all streams).
 * - `pur` is what the token may be used for:
 *   `play`  minted by the customer's backend (`npm run token`): playlists, segments and keys;
 *   `key`   put on EXT-X-KEY URIs by our playlists: the key route only, short-lived;
 *   `media` put on segment URIs in `signed` mode: the segment route only.
 *   A `key` token cannot open a playlist, so a leaked key URI does not mint itself new ones.
 * - Rotation: tokens are always signed with TOKEN_SECRET; verification also accepts
 *   TOKEN_SECRET_PREVIOUS while it is set, so tokens issued before a rotation keep working until
 *   they expire (README "Rotating the token secret").
 */
import { sign, verify } from "hono/jwt";
import type { JWTPayload } from "hono/utils/jwt/types";
import { epochSeconds } from "../../model/index.ts";

export type TokenPurpose = "play" | "key" | "media";

export const TOKEN_PURPOSES: readonly TokenPurpose[] = ["play", "key", "media"];

/** Longest token we try to verify: anything longer is not ours and is refused before any HMAC. */
export const MAX_TOKEN_LENGTH = 2048;

/** Claims of our tokens. */
export interface TokenClaims {
  sub: string;
  pur: TokenPurpose;
  iat: number;
  exp: number;
}

/** The scope of a job's playback. */
export function jobScope(jobId: string): string {
  return `job:${jobId}`;
}

/** The scope of a recorder stream ("" for recordings directly under the prefix). */
export function recordingScope(stream: string): string {
  return `rec:${stream}`;
}

/**
 * The scope of an upload's face-detection results, as /api/media/faces looks them up: by the
 * uploaded file (`faces:input_file:<key>`) or by the Rekognition job (`faces:job_id:<id>`).
 */
export function facesScope(lookup: { by: "input_file" | "job_id"; value: string }): string {
  return `faces:${lookup.by}:${lookup.value}`;
}

/**
 * Whether a token scope grants `required`. The wildcards are `rec:*` (every recorder stream) and
 * `faces:*` (every face result), each only over its own kind.
 */
export function scopeGrants(tokenScope: string, required: string): boolean {
  return (
    tokenScope === required ||
    (tokenScope === "rec:*" && required.startsWith("rec:")) ||
    (tokenScope === "faces:*" && required.startsWith("faces:"))
  );
}

/** Signs a token with the current secret. */
export async function mintToken(
  secret: string,
  request: { scope: string; purpose: TokenPurpose; ttlSeconds: number; nowSeconds?: number },
): Promise<string> {
  const now = request.nowSeconds ?? epochSeconds();
  if (!Number.isSafeInteger(request.ttlSeconds) || request.ttlSeconds <= 0) {
    throw new Error(`token ttl must be a positive whole number of seconds, got ${request.ttlSeconds}`);
  }
  const claims: TokenClaims = { sub: request.scope, pur: request.purpose, iat: now, exp: now + request.ttlSeconds };
  return sign(claims as unknown as JWTPayload, secret, "HS256");
}

/** The outcome of a token check; `status` is what the route answers on failure. */
export type TokenCheck =
  | {
      ok: true;
      claims: TokenClaims;
      /** Verified with TOKEN_SECRET_PREVIOUS (rotation grace). */ previousSecret: boolean;
    }
  | {
      ok: false;
      status: 401 | 403;
      reason: "missing" | "malformed" | "invalid" | "expired" | "wrong-scope" | "wrong-purpose";
    };

const BASE64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * Whether a JWT segment is the one canonical unpadded base64url encoding of its bytes (RFC 4648
 * section 3.5, RFC 7515 section 2): a length that is not 1 mod 4, and zero pad bits in the last
 * character. Decoders ignore those bits, so without this check a 32-byte HS256 signature (43
 * characters, 2 unused bits) has four spellings that all verify, and a token string could not key
 * a revocation or replay list. https://www.rfc-editor.org/rfc/rfc4648#section-3.5
 */
export function isCanonicalBase64Url(segment: string): boolean {
  const remainder = segment.length % 4;
  if (remainder === 1) return false;
  if (remainder === 0) return true;
  const last = BASE64URL_ALPHABET.indexOf(segment.charAt(segment.length - 1));
  // 2 characters left = 12 bits for 1 byte (4 unused); 3 characters = 18 bits for 2 bytes (2 unused).
  return last >= 0 && last % (remainder === 2 ? 16 : 4) === 0;
}

function isClaims(payload: JWTPayload): payload is JWTPayload & TokenClaims {
  return (
    typeof payload.sub === "string" &&
    typeof payload.pur === "string" &&
    (TOKEN_PURPOSES as readonly string[]).includes(payload.pur) &&
    typeof payload.exp === "number" &&
    typeof payload.iat === "number"
  );
}

async function verifyWith(token: string, secret: string): Promise<JWTPayload | "invalid"> {
  try {
    // alg is pinned: a token whose header names another algorithm (or "none") is refused.
    // exp is checked by us after the signature (hono checks it before, which would report a
    // forged token as merely expired); iat is not compared with our clock, so a backend whose
    // clock runs a little ahead still works - exp is what bounds a token's life.
    return await verify(token, secret, { alg: "HS256", exp: false, iat: false });
  } catch {
    return "invalid";
  }
}

/**
 * Verifies a token for a scope and purposes. Pure with respect to storage: no cache or database
 * is touched, so routes call it before any read. Missing, malformed, tampered or expired tokens
 * give 401; a valid token for another scope or purpose gives 403.
 */
export async function checkToken(
  token: string | undefined,
  request: {
    secrets: { current: string; previous?: string };
    scope: string;
    purposes: readonly TokenPurpose[];
    nowSeconds?: number;
  },
): Promise<TokenCheck> {
  if (token === undefined || token === "") return { ok: false, status: 401, reason: "missing" };
  if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) {
    return { ok: false, status: 401, reason: "malformed" };
  }
  if (!token.split(".").every(isCanonicalBase64Url)) return { ok: false, status: 401, reason: "malformed" };
  let previousSecret = false;
  let payload = await verifyWith(token, request.secrets.current);
  if (payload === "invalid" && request.secrets.previous !== undefined) {
    payload = await verifyWith(token, request.secrets.previous);
    previousSecret = payload !== "invalid";
  }
  if (payload === "invalid" || !isClaims(payload)) return { ok: false, status: 401, reason: "invalid" };
  if (payload.exp <= (request.nowSeconds ?? epochSeconds())) {
    return { ok: false, status: 401, reason: "expired" };
  }
  if (!scopeGrants(payload.sub, request.scope)) return { ok: false, status: 403, reason: "wrong-scope" };
  if (!request.purposes.includes(payload.pur)) return { ok: false, status: 403, reason: "wrong-purpose" };
  return {
    ok: true,
    claims: { sub: payload.sub, pur: payload.pur, iat: payload.iat, exp: payload.exp },
    previousSecret,
  };
}
