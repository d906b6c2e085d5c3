/**
 * PutObject for the functions that only write objects (job-state's info.json, faces-collect's result
 * files): one HTTPS PUT signed by the SDK's own SigV4 signer, instead of `@aws-sdk/client-s3`.
 *
 * Why not the S3 client: for this one operation it cost each function 28 KiB of its 80 KiB gzip
 * budget (issue 12): S3's endpoint rules, the REST-XML protocol, the checksum, S3 Express and
 * region-redirect middlewares and the multi-region signer, none of which a PUT of a small text to
 * one bucket in the function's own region uses. What it does use is already in every bundle for the
 * other clients: the signer (@smithy/signature-v4), the SHA-256 (@smithy/core/checksum) and the
 * credential provider. Node's own fetch sends the request.
 *
 * What the S3 client did that this keeps:
 * - the payload's SHA-256 is signed (x-amz-content-sha256), so S3 rejects a body altered on the
 *   way (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html);
 * - retries as the SDK's standard mode: 3 attempts, full-jitter backoff from 100 ms, on 5xx, 429,
 *   S3's RequestTimeout and network failures
 *   (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html);
 * - a failure is an `S3RequestError` with the HTTP status and S3's error code, never S3's body (which
 *   can echo the canonical request).
 * And what it adds: each attempt has a deadline (the SDK client has none by default).
 *
 * recording-index keeps the S3 client: it also lists and reads, and shares that code with the
 * reindex command, which runs on a laptop with any credentials (profiles, SSO).
 */
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { s3ObjectUrl, type S3Location } from "../../worker/aws/s3-url.ts";

export interface PutObjectInput {
  bucket: string;
  key: string;
  /** The object's text, sent as UTF-8. */
  body: string;
  contentType: string;
  cacheControl?: string;
}

/** What the write path of a function needs of S3. */
export interface S3Writer {
  putObject(input: PutObjectInput): Promise<void>;
}

export interface S3ObjectsOptions {
  region: string;
  location: S3Location;
  credentials: AwsCredentialIdentityProvider;
  /** Attempts including the first (the SDK's standard mode: 3). */
  maxAttempts?: number;
  /** Deadline of one attempt, to S3's response. */
  attemptTimeoutMs?: number;
  /** Waits between attempts (tests pass one that records and returns at once). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** The signing time (tests); now when absent. */
  now?: () => Date;
}

/** A PutObject that failed for good: the status (0: no answer) and S3's error code, never its body. */
export class S3RequestError extends Error {
  override readonly name = "S3RequestError";
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export const DEFAULT_MAX_ATTEMPTS = 3;
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;
/** The SDK's standard-mode backoff: base 100 ms, at most 20 s. */
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 20_000;

/** Full-jitter backoff before retry `retry` (1 for the first retry). */
export function retryDelayMs(retry: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** retry));
}

/** Whether an S3 answer is worth another attempt: server errors, throttling, S3's RequestTimeout. */
export function isRetryableAnswer(status: number, code: string | undefined): boolean {
  return status >= 500 || status === 429 || (status === 400 && code === "RequestTimeout");
}

/** The `<Code>` of an S3 error body (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). */
export function s3ErrorCode(body: string): string | undefined {
  return /<Code>([A-Za-z0-9.]{1,64})<\/Code>/.exec(body)?.[1];
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** An S3Writer for one region and endpoint. */
export function createS3Writer(options: S3ObjectsOptions): S3Writer {
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: "s3",
    sha256: Sha256,
    // S3 signs the path as sent, without the second encoding other services use.
    uriEscapePath: false,
  });
  return {
    putObject: (input) => putWithRetries(signer, options, input),
  };
}

async function putWithRetries(signer: SignatureV4, options: S3ObjectsOptions, input: PutObjectInput): Promise<void> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const where = `PutObject s3://${input.bucket}/${input.key}`;
  for (let attempt = 1; ; attempt++) {
    const outcome = await putOnce(signer, options, input);
    if (outcome === "done") return;
    const retryable = outcome.status === 0 || isRetryableAnswer(outcome.status, outcome.code);
    if (!retryable || attempt >= maxAttempts) {
      const answer =
        outcome.status === 0 ? outcome.reason : `HTTP ${outcome.status}${outcome.code ? ` ${outcome.code}` : ""}`;
      const tries = attempt > 1 ? ` after ${attempt} attempts` : "";
      throw new S3RequestError(`${where}: ${answer}${tries}`, outcome.status, outcome.code);
    }
    await (options.sleep ?? sleepFor)(retryDelayMs(attempt, options.random));
  }
}

type Attempt = "done" | { status: number; code?: string; reason?: string };

async function putOnce(signer: SignatureV4, options: S3ObjectsOptions, input: PutObjectInput): Promise<Attempt> {
  const body = new TextEncoder().encode(input.body);
  const url = new URL(s3ObjectUrl(options.location, input.bucket, input.key));
  const headers: Record<string, string> = {
    host: url.host,
    "content-type": input.contentType,
    "x-amz-content-sha256": await sha256Hex(body),
  };
  if (input.cacheControl !== undefined) headers["cache-control"] = input.cacheControl;
  const signed = await signer.sign(
    { method: "PUT", protocol: url.protocol, hostname: url.hostname, path: url.pathname, query: {}, headers, body },
    options.now ? { signingDate: options.now() } : {},
  );
  // fetch sets Host from the URL (the same value that was signed).
  const { host: _host, ...sent } = signed.headers;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "PUT",
      headers: sent,
      body,
      signal: AbortSignal.timeout(options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    return { status: 0, reason: timedOut ? "no answer in time" : `no answer (${(error as Error).message})` };
  }
  if (response.ok) {
    await response.body?.cancel();
    return "done";
  }
  return { status: response.status, code: s3ErrorCode(await response.text().catch(() => "")) };
}

async function sha256Hex(body: Uint8Array): Promise<string> {
  const hash = new Sha256();
  hash.update(body);
  return Buffer.from(await hash.digest()).toString("hex");
}
