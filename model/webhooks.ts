/**
 * Signed webhooks, the Standard Webhooks way (https://www.standardwebhooks.com/, spec:
 * https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
 *
 *   webhook-id:        unique per message (the receiver's idempotency key; the same on every retry)
 *   webhook-timestamp: Unix seconds of the attempt
 *   webhook-signature: "v1,<base64 HMAC-SHA256>" of `<id>.<timestamp>.<raw body>`, one value per
 *                      secret, space-separated (two during a secret rotation)
 *
 * Secrets are base64 keys, usually written `whsec_<base64>`. This is an HMAC-SHA256 over the timestamp
 * and the body (and the id), with two-secret rotation: what issue 11 asked for, in a format receivers
 * already have libraries for (npm `standardwebhooks`, Svix).
 *
 * Dependency-free and WebCrypto only: a receiver's backend can copy this file or import it, in Node
 * (>= 20), Cloudflare Workers, Deno or Bun. The types of the payload media-edge sends are at the end.
 */

/** Header names (lowercase, as HTTP/2 sends them; `Headers` lookups are case-insensitive). */
export const WEBHOOK_HEADERS = {
  id: "webhook-id",
  timestamp: "webhook-timestamp",
  signature: "webhook-signature",
} as const;

/** Receivers reject timestamps further than this from their clock (the spec's recommendation: 5 minutes). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const SECRET_PREFIX = "whsec_";
const encoder = new TextEncoder();

/** Headers as `fetch` gives them, or a plain object as Node's `IncomingMessage.headers` does. */
export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** The outcome of `verifyWebhook`: the message id and timestamp, or why it was refused. */
export type WebhookVerification = { ok: true; id: string; timestamp: number } | { ok: false; reason: string };

/** The key bytes of a `whsec_<base64>` (or bare base64) secret. Throws on anything else. */
export function webhookSecretBytes(secret: string): Uint8Array {
  const base64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) {
    throw new TypeError("A webhook secret must be whsec_ followed by base64.");
  }
  const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
  if (bytes.length < 16) throw new TypeError("A webhook secret must hold at least 16 bytes.");
  return bytes;
}

/** A new random secret, `whsec_` + 32 bytes in base64. */
export function generateWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return SECRET_PREFIX + btoa(String.fromCharCode(...bytes));
}

function hmacKey(secret: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  const raw = webhookSecretBytes(secret);
  return crypto.subtle.importKey("raw", raw as BufferSource, { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

/** `<id>.<timestamp>.` followed by the body's exact bytes. */
function signedContent(id: string, timestamp: number, body: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const head = encoder.encode(`${id}.${timestamp}.`);
  const tail = typeof body === "string" ? encoder.encode(body) : body;
  const content = new Uint8Array(head.length + tail.length);
  content.set(head, 0);
  content.set(tail, head.length);
  return content;
}

/**
 * The `webhook-signature` value for a message: `v1,<base64>` per secret, space-separated, in the order
 * given (newest first by convention).
 */
export async function signWebhook(
  id: string,
  timestamp: number,
  body: string | Uint8Array,
  secrets: readonly string[],
): Promise<string> {
  const content = signedContent(id, timestamp, body);
  const values = await Promise.all(
    secrets.map(async (secret) => {
      const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), content));
      return `v1,${btoa(String.fromCharCode(...mac))}`;
    }),
  );
  return values.join(" ");
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value.join(" ") : (value as string | undefined);
}

function base64Bytes(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/**
 * Verifies a delivery: the body as received (raw, before any JSON parsing), its headers, the secret
 * (or the secrets accepted during a rotation) and the tolerance of the timestamp against `nowSeconds`.
 * Accepts when any `v1` signature matches any secret; comparison is WebCrypto's own (constant-time).
 * Keep the returned `id` to drop redeliveries: delivery is at least once.
 */
export async function verifyWebhook(
  body: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string | readonly string[],
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Promise<WebhookVerification> {
  const id = header(headers, WEBHOOK_HEADERS.id);
  const stamp = header(headers, WEBHOOK_HEADERS.timestamp);
  const signatures = header(headers, WEBHOOK_HEADERS.signature);
  if (!id || !stamp || !signatures) return { ok: false, reason: "missing webhook-id, -timestamp or -signature" };
  if (!/^\d{1,15}$/.test(stamp)) return { ok: false, reason: "webhook-timestamp is not Unix seconds" };
  const timestamp = Number(stamp);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
    return { ok: false, reason: "webhook-timestamp is outside the tolerance (replay or clock skew)" };
  }
  const macs = signatures
    .split(" ")
    .filter((value) => value.startsWith("v1,"))
    .map((value) => base64Bytes(value.slice(3)))
    .filter((mac): mac is Uint8Array<ArrayBuffer> => mac !== undefined);
  const content = signedContent(id, timestamp, body);
  for (const candidate of typeof secret === "string" ? [secret] : secret) {
    const key = await hmacKey(candidate, "verify");
    for (const mac of macs) {
      if (await crypto.subtle.verify("HMAC", key, mac, content)) return { ok: true, id, timestamp };
    }
  }
  return { ok: false, reason: "no signature matches" };
}

// ------------------------------------------------------------------ payload

/** Event types media-edge sends. */
export type WebhookEventType =
  "job.progressing" | "job.complete" | "job.error" | "job.canceled" | "faces.succeeded" | "faces.failed";

/** The JSON body of every delivery. */
export interface WebhookPayload {
  /** Equals the `webhook-id` header: the same on every retry of this event. */
  id: string;
  type: WebhookEventType;
  /** When the state change happened (ISO 8601), from the source event. */
  timestamp: string;
  data: {
    /** MediaConvert job id (faces: the Rekognition job id). */
    jobId: string;
    /** The upload's key, when known. */
    inputFile?: string;
    /** The stored status after this change (PROGRESSING, COMPLETE, ERROR, CANCELED, SUCCEEDED, FAILED). */
    status: string;
    /** 0-100. */
    progress: number;
    /** What the status row holds besides status and progress: COMPLETE's outputs, ERROR's code and message. */
    details: Record<string, unknown>;
  };
}
