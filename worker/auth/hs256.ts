/**
 * HS256 JSON Web Tokens (RFC 7519, signed as JWS compact serialization, RFC 7515 §7.1) with
 * WebCrypto: exactly the subset our playback tokens use, in place of hono/jwt.
 *
 * Why not hono/jwt: bundle size. It brings every JWA algorithm (RSA, ECDSA, EdDSA, PEM and JWK key
 * import) and its error classes, ~2.5 KiB of the Worker's gzip bundle for one HMAC (issue 12,
 * "Bench"). test/unit/hs256.test.ts cross-checks this module against hono/jwt both ways: tokens one
 * signs the other verifies, and both refuse the same tokens (alg none, another alg, a bad signature,
 * a header with `crit`, a `typ` that is not JWT, a future nbf).
 * One difference on purpose: hono/jwt imports a secret containing "PRIVATE" or "PUBLIC" as a PEM key;
 * here a secret is always the raw HMAC key (RFC 7518 §3.2).
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The only header we write: `{"alg":"HS256","typ":"JWT"}`, as hono/jwt writes it. */
const HEADER = base64Url(encoder.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));

function base64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Throws on text that is not base64url (atob's forgiving decode accepts the missing padding). */
function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function hmacKey(secret: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

/** Signs `payload` (a JSON object) with `secret`. */
export async function signHs256(payload: object, secret: string): Promise<string> {
  const signingInput = `${HEADER}.${base64Url(encoder.encode(JSON.stringify(payload)))}`;
  const signature = await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), encoder.encode(signingInput));
  return `${signingInput}.${base64Url(new Uint8Array(signature))}`;
}

function isHs256Header(header: unknown): boolean {
  if (typeof header !== "object" || header === null) return false;
  const { alg, typ } = header as { alg?: unknown; typ?: unknown };
  // The algorithm is pinned (RFC 8725 §3.1): "none" or any other alg is refused before the HMAC.
  // `typ`, when present, must say JWT (RFC 7519 §5.1); `crit` names extensions we do not implement
  // (RFC 7515 §4.1.11), so a header with it is refused.
  const jwtTyp = typeof typ === "string" && typ.toLowerCase().replace(/^application\//, "") === "jwt";
  return alg === "HS256" && (typ === undefined || jwtTyp) && !("crit" in header);
}

/**
 * The payload of a token signed with `secret`, or undefined when the token is not one: malformed,
 * another algorithm, a bad signature, or an `nbf` after `nowSeconds`. `exp` and `iat` are the
 * caller's to check (tokens.ts checks exp after the signature, so a forgery is never "expired").
 */
export async function verifyHs256(
  token: string,
  secret: string,
  nowSeconds: number,
): Promise<Record<string, unknown> | undefined> {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  let header: unknown;
  let payload: unknown;
  let signature: Uint8Array<ArrayBuffer>;
  try {
    header = JSON.parse(decoder.decode(fromBase64Url(parts[0]!)));
    payload = JSON.parse(decoder.decode(fromBase64Url(parts[1]!)));
    signature = fromBase64Url(parts[2]!);
  } catch {
    return undefined;
  }
  // The claims set must be a JSON object (RFC 7519 §7.2 step 10).
  if (!isHs256Header(header) || typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return undefined;
  }
  const nbf = (payload as { nbf?: unknown }).nbf;
  if (nbf !== undefined && (typeof nbf !== "number" || !Number.isFinite(nbf) || nbf > nowSeconds)) return undefined;
  const signingInput = encoder.encode(`${parts[0]}.${parts[1]}`);
  const valid = await crypto.subtle.verify("HMAC", await hmacKey(secret, "verify"), signature, signingInput);
  return valid ? (payload as Record<string, unknown>) : undefined;
}
