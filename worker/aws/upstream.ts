/**
 * Signed calls to AWS from the Worker, with the failure policy every adapter shares:
 * - one deadline per call to the upstream's response headers (retries included); after the headers
 *   a streamed body is never cut for taking long, only for stalling: no bytes for `idleMs`
 *   (idleGuard); a small body read whole (callUpstreamWhole: DynamoDB's JSON, S3 listings and small
 *   texts) has `idleMs` in all;
 * - bounded retries with full jitter on throttling and 5xx, including DynamoDB's throttling,
 *   which arrives as HTTP 400 (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html);
 * - failures become an `UpstreamError` (503/504/502 in the route), never an upstream body.
 *
 * Requests are signed with aws4fetch's AwsV4Signer, not sent through its AwsClient: the client's
 * retry loop has no timeout, does not retry DynamoDB's 400 throttling or thrown network errors, and
 * its default of 10 retries can spend ~25 s and 11 subrequests on one call; and its sign() copies
 * the request into a new Request that fetch() then reads again
 * (https://github.com/mhart/aws4fetch/blob/master/src/main.js). The signer alone is the part we use.
 */
import { AwsV4Signer } from "aws4fetch";
import { CallTimer } from "./call-timer.ts";
import type { AwsEdgeClient } from "./client.ts";
import { UpstreamError } from "./errors.ts";

export type AwsService = "dynamodb" | "s3";

export interface UpstreamPolicy {
  /** Budget to the response headers, including retries and backoff. */
  deadlineMs: number;
  /** Longest pause between two chunks of a body, once the headers came. */
  idleMs: number;
  /** Attempts including the first. */
  maxAttempts: number;
}

/** Counters for one incoming request; logged with the request. */
export interface UpstreamStats {
  calls: number;
  retries: number;
}

export interface AwsCredentials {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Each credentials object's SigV4 signing keys, one per day, region and service (aws4fetch's cache). */
const signingKeys = new WeakMap<AwsCredentials, Map<string, ArrayBuffer>>();

/** What a request to sign carries: a string body at most (every call of the Worker's adapters). */
export interface SignableRequest {
  url: string;
  method?: string;
  headers?: HeadersInit;
  body?: string | null;
}

/** How signAws signs: a fixed time (tests, presigned URLs), and query signing for a presigned URL. */
export interface SignOptions {
  /** SigV4 time `yyyymmddThhmmssZ`; now when absent. */
  datetime?: string;
  /**
   * Signs in the query (a presigned URL) rather than in an Authorization header, and signs every
   * header passed (aws4fetch's `allHeaders`: content-type and content-length included).
   */
  presign?: boolean;
}

/**
 * SigV4-signs a request for `service` with aws4fetch's AwsV4Signer: its URL (with the signature in
 * the query when presigning) and headers (with Authorization otherwise). The signing key is derived
 * once per day and kept per credentials object.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
export async function signAws(
  credentials: AwsCredentials,
  service: AwsService,
  request: SignableRequest,
  options: SignOptions = {},
): Promise<{ url: URL; headers: Headers }> {
  let cache = signingKeys.get(credentials);
  if (!cache) signingKeys.set(credentials, (cache = new Map()));
  const { accessKeyId, secretAccessKey, sessionToken, region } = credentials;
  const signer = new AwsV4Signer({
    ...request,
    accessKeyId,
    secretAccessKey,
    sessionToken,
    region,
    service,
    cache,
    datetime: options.datetime,
    signQuery: options.presign,
    allHeaders: options.presign,
  });
  const { url, headers } = await signer.sign();
  return { url, headers };
}

const BACKOFF_BASE_MS = 40;
const BACKOFF_CAP_MS = 400;

/** Full-jitter backoff (https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/). */
export function backoffDelayMs(retry: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** retry));
}

const DYNAMODB_THROTTLING = /#?(ThrottlingException|ProvisionedThroughputExceededException|RequestLimitExceeded)$/;

/**
 * Whether a response should be retried. DynamoDB throttling is a 400 with a JSON `__type`;
 * the body is read from a clone so the caller can still use the original.
 */
async function retryableStatus(service: AwsService, response: Response): Promise<string | null> {
  if (response.status === 429 || response.status >= 500) return `HTTP ${response.status}`;
  if (service === "dynamodb" && response.status === 400) {
    try {
      const body = (await response.clone().json()) as { __type?: unknown };
      if (typeof body.__type === "string" && DYNAMODB_THROTTLING.test(body.__type)) {
        return `HTTP 400 ${body.__type.split("#").pop()}`;
      }
    } catch {
      return null;
    }
  }
  return null;
}

export interface UpstreamRequest {
  service: AwsService;
  url: string;
  /** The method (GET by default), headers and string body of the call. */
  init?: { method?: string; headers?: Record<string, string>; body?: string };
}

/**
 * Sends a signed request under the shared failure policy. Returns the first non-retryable
 * response (2xx, and 4xx such as S3's 404, for the adapter to interpret), its body guarded against
 * stalls (idleGuard); throws UpstreamError when the retry budget or the deadline runs out, or the
 * upstream cannot be reached.
 */
export async function callUpstream(aws: AwsEdgeClient, request: UpstreamRequest): Promise<Response> {
  const { response, timer } = await sendUnderPolicy(aws, request);
  timer.stop();
  if (response.body === null) return response;
  const { service } = request;
  const { idleMs } = aws.policy;
  const body = idleGuard(response.body, idleMs, () => stalledError(service, idleMs));
  return new Response(body, response);
}

/** A response whose body the caller reads whole (`text`) or drops (`cancel`), never streams. */
export interface WholeBody {
  readonly response: Response;
  /** The body, read natively within `idleMs` of the headers (readWholeText). */
  text(): Promise<string>;
  /** Drops the body unread (and the call's timer). */
  cancel(): Promise<void>;
}

/**
 * callUpstream for a small body read whole (DynamoDB's JSON, S3 listings, index ranges, small text
 * objects): the same policy, and the body must arrive whole within `idleMs` of the headers. Read
 * natively with response.text() under the call's one timer: a guarding stream, a Response copy and
 * a timer per chunk, or a JS reader loop, cost a DynamoDB lookup more CPU than its signing (issue
 * 12, `npm run bench -- worker`). Streamed bodies (segments) keep callUpstream's idleGuard.
 */
export async function callUpstreamWhole(aws: AwsEdgeClient, request: UpstreamRequest): Promise<WholeBody> {
  const sent = await sendUnderPolicy(aws, request);
  const { service } = request;
  const { idleMs } = aws.policy;
  return {
    response: sent.response,
    text: () => readWholeText(service, sent, idleMs),
    cancel: async () => {
      sent.timer.stop();
      await sent.response.body?.cancel();
    },
  };
}

/**
 * callUpstreamWhole, then the whole body as text: the same two steps without the WholeBody in
 * between (its object, two closures and one async layer per DynamoDB call, issue 12).
 */
export async function callUpstreamText(
  aws: AwsEdgeClient,
  request: UpstreamRequest,
): Promise<{ response: Response; text: string }> {
  const sent = await sendUnderPolicy(aws, request);
  return { response: sent.response, text: await readWholeText(request.service, sent, aws.policy.idleMs) };
}

/** A fetched response with the call's timer (disarmed) and the abort of its fetch. */
interface Sent {
  response: Response;
  timer: CallTimer;
  abort: (reason: DOMException) => void;
}

function stalledError(service: AwsService, idleMs: number): UpstreamError {
  return new UpstreamError(service, "timeout", `body stalled: no bytes for ${idleMs} ms`);
}

/**
 * The retry loop of callUpstream(Text): the first non-retryable response, its body untouched, and
 * the call's timer, disarmed (the caller stops it, or restarts it for the body).
 */
async function sendUnderPolicy(aws: AwsEdgeClient, request: UpstreamRequest): Promise<Sent> {
  const { policy, stats } = aws;
  const deadline = Date.now() + policy.deadlineMs;
  let lastProblem: { failure: "throttled" | "unreachable"; diagnostic: string } | undefined;
  // This call's attempts: `stats` counts the whole incoming request's, other calls included.
  let calls = 0;

  for (let attempt = 0; attempt < policy.maxAttempts; attempt++) {
    if (attempt > 0) {
      const delay = backoffDelayMs(attempt);
      if (Date.now() + delay >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
      stats.retries++;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    stats.calls++;
    calls++;
    let sent: Sent;
    try {
      sent = await fetchBeforeDeadline(aws.credentials, request, remaining);
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === "TimeoutError" || name === "AbortError") {
        throw new UpstreamError(request.service, "timeout", `no answer within ${policy.deadlineMs} ms`);
      }
      lastProblem = { failure: "unreachable", diagnostic: `fetch failed: ${(error as Error).message}` };
      continue;
    }
    const { response, timer } = sent;
    // Below 400 nothing is retried: no need to wait for retryableStatus's promise.
    const retryable = response.status < 400 ? null : await retryableStatus(request.service, response);
    if (retryable === null) return sent;
    timer.stop();
    await response.body?.cancel();
    lastProblem = { failure: "throttled", diagnostic: retryable };
  }

  if (!lastProblem) throw new UpstreamError(request.service, "timeout", `no answer within ${policy.deadlineMs} ms`);
  throw new UpstreamError(request.service, lastProblem.failure, `${lastProblem.diagnostic} after ${calls} calls`);
}

/**
 * One signed fetch whose limit runs to the response headers only: the timer is disarmed once
 * they come, so a streamed body that keeps flowing is read whole however long it takes (a 188 KB
 * segment over a slow link used to be cut at the deadline behind its 200); such a body is instead
 * guarded against stalls (idleGuard), which cancels it and so closes the connection.
 */
async function fetchBeforeDeadline(
  credentials: AwsCredentials,
  request: UpstreamRequest,
  timeoutMs: number,
): Promise<Sent> {
  const controller = new AbortController();
  const abort = (reason: DOMException) => controller.abort(reason);
  const timer = new CallTimer(timeoutMs, () => abort(new DOMException("upstream headers timed out", "TimeoutError")));
  try {
    const { init = {} } = request;
    const { method = "GET", body = null } = init;
    const signed = await signAws(credentials, request.service, {
      url: request.url,
      method,
      headers: init.headers,
      body,
    });
    const response = await fetch(signed.url, { method, headers: signed.headers, body, signal: controller.signal });
    timer.disarm();
    return { response, timer, abort };
  } catch (error) {
    timer.stop();
    throw error;
  }
}

/**
 * A small body read whole, natively, within `idleMs` of its headers: past that the fetch is
 * aborted, which errors the body (https://fetch.spec.whatwg.org/#abort-fetch) and closes the
 * connection. For a DynamoDB answer (1 MB at most), a listing page (1,000 keys) or an index range,
 * this is the stall rule of idleGuard in effect: UPSTREAM_IDLE_MS (10 s by default) is ample for a
 * body that still flows.
 */
async function readWholeText(service: AwsService, sent: Sent, idleMs: number): Promise<string> {
  let late = false;
  sent.timer.restart(idleMs, () => {
    late = true;
    sent.abort(new DOMException("upstream body timed out", "TimeoutError"));
  });
  try {
    return await sent.response.text();
  } catch (error) {
    throw late
      ? new UpstreamError(service, "timeout", `body not received within ${idleMs} ms`)
      : bodyReadError(service, error);
  } finally {
    sent.timer.stop();
  }
}

/**
 * The same bytes as `body`, failing with `onStall()`'s error when a read waits more than `idleMs`
 * for the next chunk. The timer runs only while the consumer is waiting for data, so a slow
 * client (backpressure) never counts as a stalled upstream. Cancelling the result cancels `body`.
 */
export function idleGuard(
  body: ReadableStream<Uint8Array>,
  idleMs: number,
  onStall: () => Error,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  // A failure reaches the consumer through read(); workerd would also report it as unhandled here.
  reader.closed.catch(() => undefined);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const stalled = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(onStall()), idleMs);
        });
        try {
          const chunk = await Promise.race([reader.read(), stalled]);
          if (chunk.done) controller.close();
          else controller.enqueue(chunk.value);
        } catch (error) {
          reader.cancel(error).catch(() => undefined);
          controller.error(error);
        } finally {
          if (timer !== undefined) clearTimeout(timer);
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Reads a whole response body (no deadline: the body is guarded against stalls, see idleGuard),
 * mapping a failure to UpstreamError.
 */
export async function readText(service: AwsService, response: Response): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    throw bodyReadError(service, error);
  }
}

/** A failed body read as an UpstreamError (a stall's own error passes through). */
function bodyReadError(service: AwsService, error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const name = (error as { name?: string }).name;
  if (name === "TimeoutError" || name === "AbortError") {
    return new UpstreamError(service, "timeout", "body not received within the deadline");
  }
  return new UpstreamError(service, "unreachable", `body read failed: ${(error as Error).message}`);
}
