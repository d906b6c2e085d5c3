/**
 * Playback tokens: HS256 JWTs (./hs256.ts) with a scope, a purpose and an expiry.
 *
 * - `sub` is the scope: `job:<job id>` for a MediaConvert job (its playlists, segments and key),
 *   `rec:<stream>` for one recorder stream (`rec:` = the streams-less root, `rec:*` = all streams),
 *   `upload:<key prefix>` for uploads whose key starts with the prefix (`upload:*` = any key).
 *   `sub` may hold several space-separated scopes, like OAuth's `scope` (RFC 8693 §4.2), each granting
 *   as it would alone, unless one names an S3 key (see tokenScopes). `job:*` grants every job's
 *   playback: for demo and admin backends only.
 * - `pur` is what the token may be used for:
 *   `play`      minted by the customer's backend (`npm run token`): playlists, segments and keys;
 *   `key`       put on EXT-X-KEY URIs by our playlists: the key route only, short-lived;
 *   `media`     put on segment URIs in `signed` mode: the segment route only;
 *   `upload`    minted by the customer's backend (`npm run token -- --upload`): the upload routes only;
 *   `thumbnail` the job's stills only (thumbnail.jpg, poster.jpg, storyboard.vtt): what a page that
 *               shows a poster or a preview needs without being able to play (Mux's thumbnail
 *               audience); minted by the backend (`npm run token -- <job> --thumbnail`) and put on
 *               the storyboard's image URIs. A `play` token opens the stills too.
 *   A `key` token cannot open a playlist, so a leaked key URI does not mint itself new ones.
 * - `max` (upload tokens, optional): the largest upload in bytes the token allows.
 * - Rotation: tokens are always signed with TOKEN_SECRET; verification also accepts
 *   TOKEN_SECRET_PREVIOUS while it is set, so tokens issued before a rotation keep working until
 *   they expire (docs/api.md, "Tokens").
 */
import { epochSeconds } from "../../model/index.ts";
import { signHs256, verifyHs256 } from "./hs256.ts";

export type TokenPurpose = "play" | "key" | "media" | "upload" | "thumbnail";

export const TOKEN_PURPOSES: readonly TokenPurpose[] = ["play", "key", "media", "upload", "thumbnail"];

/** Longest token we try to verify: anything longer is not ours and is refused before any HMAC. */
export const MAX_TOKEN_LENGTH = 2048;

/** Claims of our tokens. */
export interface TokenClaims {
  sub: string;
  pur: TokenPurpose;
  iat: number;
  exp: number;
  /** Upload tokens: the largest upload in bytes this token allows. */
  max?: number;
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

/** The scope of an upload, by its S3 key: granted by `upload:<any prefix of the key>` and `upload:*`. */
export function uploadScope(key: string): string {
  return `upload:${key}`;
}

/** The kinds whose `<kind>:*` wildcard grants every scope of that kind (and only of that kind). */
const WILDCARD_KINDS = ["job", "rec", "faces", "upload"] as const;

/** Whether one scope grants `required`: equal, a wildcard of its kind, or an upload key prefix. */
function oneScopeGrants(scope: string, required: string): boolean {
  if (scope === required) return true;
  for (const kind of WILDCARD_KINDS) {
    if (scope === `${kind}:*`) return required.startsWith(`${kind}:`);
  }
  // upload:<prefix> grants the keys under it; prefixes are key prefixes, not folders ("a/b" grants "a/bc").
  return scope.startsWith("upload:") && required.startsWith("upload:") && required.startsWith(scope);
}

/** Scopes that carry an S3 key or key prefix, which may itself contain spaces. */
const KEY_SCOPE = /^(faces:input_file:|upload:)/;

/**
 * The scopes in a token's `sub`: several separated by spaces (RFC 8693 §4.2 `scope`), unless one of
 * them names an S3 key (`faces:input_file:`, `upload:`): keys may contain spaces, so such a `sub` is
 * one scope, and "faces:input_file:a job:*.mp4" can never smuggle in a `job:*`.
 */
export function tokenScopes(sub: string): string[] {
  const parts = sub.split(" ").filter((part) => part !== "");
  return parts.length > 1 && !parts.some((part) => KEY_SCOPE.test(part)) ? parts : [sub];
}

/**
 * Whether a token's `sub` grants `required`: any of its scopes (tokenScopes) granting is enough. The
 * wildcards `job:*`, `rec:*`, `faces:*` and `upload:*` each cover only their own kind.
 */
export function scopeGrants(tokenScope: string, required: string): boolean {
  return tokenScopes(tokenScope).some((scope) => oneScopeGrants(scope, required));
}

/** The key prefix an upload token's `sub` allows ("" for `upload:*`), or none. */
export function uploadPrefixes(tokenScope: string): string[] {
  if (!tokenScope.startsWith("upload:")) return [];
  return [tokenScope === "upload:*" ? "" : tokenScope.slice("upload:".length)];
}

/** Signs a token with the current secret. */
export async function mintToken(
  secret: string,
  request: { scope: string; purpose: TokenPurpose; ttlSeconds: number; nowSeconds?: number; maxBytes?: number },
): Promise<string> {
  const now = request.nowSeconds ?? epochSeconds();
  if (!Number.isSafeInteger(request.ttlSeconds) || request.ttlSeconds <= 0) {
    throw new Error(`token ttl must be a positive whole number of seconds, got ${request.ttlSeconds}`);
  }
  const claims: TokenClaims = { sub: request.scope, pur: request.purpose, iat: now, exp: now + request.ttlSeconds };
  if (request.maxBytes !== undefined) {
    if (!Number.isSafeInteger(request.maxBytes) || request.maxBytes <= 0) {
      throw new Error(`token max must be a positive whole number of bytes, got ${request.maxBytes}`);
    }
    claims.max = request.maxBytes;
  }
  return signHs256(claims, secret);
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

function isClaims(payload: Record<string, unknown>): payload is Record<string, unknown> & TokenClaims {
  return (
    typeof payload.sub === "string" &&
    typeof payload.pur === "string" &&
    (TOKEN_PURPOSES as readonly string[]).includes(payload.pur) &&
    typeof payload.exp === "number" &&
    typeof payload.iat === "number" &&
    (payload.max === undefined || (Number.isSafeInteger(payload.max) && (payload.max as number) > 0))
  );
}

async function verifyWith(
  token: string,
  secret: string,
  nowSeconds: number,
): Promise<Record<string, unknown> | "invalid"> {
  // alg is pinned: a token whose header names another algorithm (or "none") is refused.
  // exp is checked by us after the signature (checking it before would report a forged token as
  // merely expired); iat is not compared with our clock, so a backend whose clock runs a little
  // ahead still works - exp is what bounds a token's life.
  return (await verifyHs256(token, secret, nowSeconds)) ?? "invalid";
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
    /** The scope required, or a test of the token's `sub` (an upload token's prefixes). */
    scope: string | ((sub: string) => boolean);
    purposes: readonly TokenPurpose[];
    nowSeconds?: number;
  },
): Promise<TokenCheck> {
  if (token === undefined || token === "") return { ok: false, status: 401, reason: "missing" };
  if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) {
    return { ok: false, status: 401, reason: "malformed" };
  }
  if (!token.split(".").every(isCanonicalBase64Url)) return { ok: false, status: 401, reason: "malformed" };
  const now = request.nowSeconds ?? epochSeconds();
  let previousSecret = false;
  let payload = await verifyWith(token, request.secrets.current, now);
  if (payload === "invalid" && request.secrets.previous !== undefined) {
    payload = await verifyWith(token, request.secrets.previous, now);
    previousSecret = payload !== "invalid";
  }
  if (payload === "invalid" || !isClaims(payload)) return { ok: false, status: 401, reason: "invalid" };
  if (payload.exp <= now) {
    return { ok: false, status: 401, reason: "expired" };
  }
  const granted =
    typeof request.scope === "string" ? scopeGrants(payload.sub, request.scope) : request.scope(payload.sub);
  if (!granted) return { ok: false, status: 403, reason: "wrong-scope" };
  if (!request.purposes.includes(payload.pur)) return { ok: false, status: 403, reason: "wrong-purpose" };
  return {
    ok: true,
    claims: {
      sub: payload.sub,
      pur: payload.pur,
      iat: payload.iat,
      exp: payload.exp,
      ...(payload.max === undefined ? {} : { max: payload.max }),
    },
    previousSecret,
  };
}
