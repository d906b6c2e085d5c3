/**
 * The S3 requests of the Lambdas, without `@aws-sdk/client-s3`: PutObject (also conditional),
 * HeadObject, ListObjectsV2 pages and GetObject as text, each one HTTPS request signed by the SDK's
 * own SigV4 signer and sent by Node's fetch. job-state and faces-collect put objects
 * (`createS3Writer`); recording-index and `npm run reindex` list, read and write conditionally
 * (`createS3Objects`).
 *
 * Why not the S3 client: it cost each function 28 KiB of its 80 KiB gzip budget (issue 12): S3's
 * endpoint rules, the REST-XML protocol, the checksum, S3 Express and region-redirect middlewares and
 * the multi-region signer, none of which these requests to one bucket in the function's own region
 * use. What they do use is already in every bundle for the other clients: the signer
 * (@smithy/signature-v4), the SHA-256 (@smithy/core/checksum) and the credential provider. Listings
 * are read by the Worker's parser (worker/aws/s3-listing.ts), asked for with `encoding-type=url` as
 * the Worker asks (so every key decodes exactly); URLs are the Worker's too (worker/aws/s3-url.ts).
 * `createS3Writer` returns the put alone, so the writers' bundles carry no listing parser.
 *
 * What the S3 client did that this keeps:
 * - the payload's SHA-256 is signed (x-amz-content-sha256), so S3 rejects a body altered on the
 *   way (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html), and so are
 *   If-Match, If-None-Match and Range;
 * - retries as the SDK's standard mode: 3 attempts, full-jitter backoff from 100 ms, on 5xx, 429,
 *   S3's RequestTimeout and network failures
 *   (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html); a failed
 *   condition (412 PreconditionFailed, 409 ConditionalRequestConflict) is never retried here: it is
 *   the caller's to handle (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html);
 * - redirects are not followed (a re-sent request would carry a signature for another host);
 * - a failure is an `S3RequestError` with the HTTP status and S3's error code, never S3's body
 *   (which can echo the canonical request).
 * And what it adds: each attempt has a deadline, to the end of the answer's body (the SDK client has
 * none by default).
 */
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import {
  listObjectsV2Query,
  type ListPage,
  type ListRequest,
  parseListObjectsV2,
  XmlError,
} from "../../worker/aws/s3-listing.ts";
import { s3BucketUrl, s3ObjectUrl, type S3Location } from "../../worker/aws/s3-url.ts";

export type { ListedObject, ListPage, ListRequest } from "../../worker/aws/s3-listing.ts";

export interface PutObjectInput {
  bucket: string;
  key: string;
  /** The object's text, sent as UTF-8. */
  body: string;
  contentType: string;
  cacheControl?: string;
  /** Write only over the object with this ETag (as S3 gives it, quoted); else S3 answers 412. */
  ifMatch?: string;
  /** "*": write only if the key holds no object; else S3 answers 412. */
  ifNoneMatch?: "*";
}

export interface ObjectInput {
  bucket: string;
  key: string;
}

export interface GetObjectInput extends ObjectInput {
  /** An HTTP Range (`bytes=0-99`). */
  range?: string;
}

/** What the write path of a function needs of S3. */
export interface S3Writer {
  /** Writes the object. A failed condition (ifMatch, ifNoneMatch) is an S3RequestError with status 412 or 409. */
  putObject(input: PutObjectInput): Promise<void>;
}

/** What recording-index and `npm run reindex` need of S3. */
export interface S3Objects extends S3Writer {
  /** The object's ETag, or undefined when there is no object (404). */
  headObject(input: ObjectInput): Promise<{ eTag: string } | undefined>;
  /** One page of a listing, keys decoded. */
  listObjectsV2(input: ListRequest): Promise<ListPage>;
  /** The object (or its range) as UTF-8 text, or undefined when there is no object (404). */
  getObjectText(input: GetObjectInput): Promise<string | undefined>;
}

export interface S3ObjectsOptions {
  region: string;
  location: S3Location;
  credentials: AwsCredentialIdentityProvider;
  /** Attempts including the first (the SDK's standard mode: 3). */
  maxAttempts?: number;
  /** Deadline of one attempt, to the end of S3's answer. */
  attemptTimeoutMs?: number;
  /** Waits between attempts (tests pass one that records and returns at once). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** The signing time (tests); now when absent. */
  now?: () => Date;
}

/**
 * An S3 request that failed for good: the status (0: no complete answer; 200: an answer that is not
 * what the operation returns) and S3's error code, never its body.
 */
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

/** The signer and the policy of one region and endpoint. */
interface Transport {
  signer: SignatureV4;
  options: S3ObjectsOptions;
}

function transport(options: S3ObjectsOptions): Transport {
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: "s3",
    sha256: Sha256,
    // S3 signs the path as sent, without the second encoding other services use.
    uriEscapePath: false,
  });
  return { signer, options };
}

/** Only PutObject: what job-state and faces-collect use (no listing parser in their bundles). */
export function createS3Writer(options: S3ObjectsOptions): S3Writer {
  const t = transport(options);
  return { putObject: (input) => putObject(t, input) };
}

/** Every operation of this module, for one region and endpoint. */
export function createS3Objects(options: S3ObjectsOptions): S3Objects {
  const t = transport(options);
  return {
    putObject: (input) => putObject(t, input),
    headObject: (input) => headObject(t, input),
    listObjectsV2: (input) => listObjectsV2(t, input),
    getObjectText: (input) => getObjectText(t, input),
  };
}

async function putObject(t: Transport, input: PutObjectInput): Promise<void> {
  const headers: Record<string, string> = { "content-type": input.contentType };
  if (input.cacheControl !== undefined) headers["cache-control"] = input.cacheControl;
  if (input.ifMatch !== undefined) headers["if-match"] = input.ifMatch;
  if (input.ifNoneMatch !== undefined) headers["if-none-match"] = input.ifNoneMatch;
  await send(t, {
    what: `PutObject s3://${input.bucket}/${input.key}`,
    method: "PUT",
    url: s3ObjectUrl(t.options.location, input.bucket, input.key),
    headers,
    body: new TextEncoder().encode(input.body),
  });
}

async function headObject(t: Transport, input: ObjectInput): Promise<{ eTag: string } | undefined> {
  const what = `HeadObject s3://${input.bucket}/${input.key}`;
  const answer = await sendUnless404(t, {
    what,
    method: "HEAD",
    url: s3ObjectUrl(t.options.location, input.bucket, input.key),
  });
  if (answer === undefined) return undefined;
  const eTag = answer.headers.get("etag");
  if (!eTag) throw new S3RequestError(`${what}: answer without an ETag`, answer.status, undefined);
  return { eTag };
}

async function getObjectText(t: Transport, input: GetObjectInput): Promise<string | undefined> {
  const answer = await sendUnless404(t, {
    what: `GetObject s3://${input.bucket}/${input.key}`,
    method: "GET",
    url: s3ObjectUrl(t.options.location, input.bucket, input.key),
    headers: input.range === undefined ? {} : { range: input.range },
    readBody: true,
  });
  return answer?.text;
}

async function listObjectsV2(t: Transport, input: ListRequest): Promise<ListPage> {
  // The query as signed; the URL carries the same pairs (s3BucketUrl encodes them).
  const query = listObjectsV2Query(input);
  const what = `ListObjectsV2 s3://${input.bucket}/${input.prefix}`;
  const answer = await send(t, {
    what,
    method: "GET",
    url: s3BucketUrl(t.options.location, input.bucket, new URLSearchParams(query)),
    query,
    readBody: true,
  });
  try {
    return parseListObjectsV2(answer.text);
  } catch (error) {
    if (!(error instanceof XmlError)) throw error;
    // XmlError names the fault (an element name at most) and its offset, never the text.
    throw new S3RequestError(`${what}: not a ListObjectsV2 answer (${error.message})`, answer.status, undefined);
  }
}

/** One request to send. */
interface S3Call {
  /** The operation and its object ("PutObject s3://bucket/key"): how every error message starts. */
  what: string;
  method: "GET" | "HEAD" | "PUT";
  url: string;
  /** The URL's query, decoded (the signer encodes it as SigV4 requires). */
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Uint8Array<ArrayBuffer>;
  /** Whether a success's body is read (listings, objects); else it is discarded. */
  readBody?: boolean;
}

/** A success (2xx), its body read when the call asked for it. */
interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** A failed attempt: S3's status and code, or status 0 and why there was no complete answer. */
interface Failure {
  status: number;
  code?: string;
  reason?: string;
}

/** `send`, but undefined when S3 answers 404 (no such object). */
async function sendUnless404(t: Transport, call: S3Call): Promise<Answer | undefined> {
  try {
    return await send(t, call);
  } catch (error) {
    if (error instanceof S3RequestError && error.status === 404) return undefined;
    throw error;
  }
}

/** Sends the call with the retry policy; its 2xx answer, else an S3RequestError. */
async function send(t: Transport, call: S3Call): Promise<Answer> {
  const maxAttempts = t.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(t, call);
    if ("text" in outcome) return outcome;
    const retryable = outcome.status === 0 || isRetryableAnswer(outcome.status, outcome.code);
    if (!retryable || attempt >= maxAttempts) {
      const answer =
        outcome.status === 0 ? outcome.reason : `HTTP ${outcome.status}${outcome.code ? ` ${outcome.code}` : ""}`;
      const tries = attempt > 1 ? ` after ${attempt} attempts` : "";
      throw new S3RequestError(`${call.what}: ${answer}${tries}`, outcome.status, outcome.code);
    }
    await (t.options.sleep ?? sleepFor)(retryDelayMs(attempt, t.options.random));
  }
}

async function attemptOnce(t: Transport, call: S3Call): Promise<Answer | Failure> {
  const url = new URL(call.url);
  const body = call.body ?? new Uint8Array(0);
  const headers: Record<string, string> = {
    ...call.headers,
    host: url.host,
    "x-amz-content-sha256": await sha256Hex(body),
  };
  const signed = await t.signer.sign(
    {
      method: call.method,
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      query: call.query ?? {},
      headers,
      body,
    },
    t.options.now ? { signingDate: t.options.now() } : {},
  );
  // fetch sets Host from the URL (the same value that was signed).
  const { host: _host, ...sent } = signed.headers;
  // One deadline for the whole attempt: fetch rejects when it passes before the answer's head, and
  // the body's read when it passes before its end.
  const signal = AbortSignal.timeout(t.options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(url, {
      method: call.method,
      headers: sent,
      body: call.body,
      redirect: "manual",
      signal,
    });
  } catch (error) {
    return { status: 0, reason: isTimeout(error) ? "no answer in time" : `no answer (${networkFault(error)})` };
  }
  if (response.ok && !call.readBody) {
    await response.body?.cancel();
    return { status: response.status, headers: response.headers, text: "" };
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    // An error's status stands without its body (no code then); a success is only one read whole.
    if (!response.ok) return { status: response.status };
    const why = isTimeout(error) ? "not read in time" : `cut off (${networkFault(error)})`;
    return { status: 0, reason: `HTTP ${response.status} answer ${why}` };
  }
  if (response.ok) return { status: response.status, headers: response.headers, text };
  return { status: response.status, code: s3ErrorCode(text) };
}

/** What failed under fetch's "fetch failed" (its cause: "connect ECONNREFUSED 127.0.0.1:9"), else its message. */
function networkFault(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error && cause.message ? cause.message : (error as Error).message;
}

function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && error.name === "TimeoutError";
}

async function sha256Hex(body: Uint8Array): Promise<string> {
  const hash = new Sha256();
  hash.update(body);
  return Buffer.from(await hash.digest()).toString("hex");
}
