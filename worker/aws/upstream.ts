/**
 * Signed calls to AWS from the Worker, with the failure policy every adapter shares:
 * - one total deadline per call (retries included), enforced with AbortSignal.timeout;
 * - bounded retries with full jitter on throttling and 5xx, including DynamoDB's throttling,
 *   which arrives as HTTP 400 (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html);
 * - failures become an `UpstreamError` (503/504/502 in the route), never an upstream body.
 *
 * aws4fetch's own retry loop is switched off (`retries: 0`): it has no timeout, does not retry
 * DynamoDB's 400 throttling or thrown network errors, and its default of 10 retries can spend ~25 s
 * and 11 subrequests on one call (https://github.com/mhart/aws4fetch/blob/master/src/main.js).
 */
import { AwsClient } from "aws4fetch";
import type { AwsEdgeClient } from "./client.ts";
import { UpstreamError } from "./errors.ts";

export type AwsService = "dynamodb" | "s3";

export interface UpstreamPolicy {
  /** Total budget for the call including retries and backoff. */
  deadlineMs: number;
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

const clients = new WeakMap<AwsCredentials, Map<AwsService, AwsClient>>();

/** One aws4fetch client per credentials object and service (signing keys are cached inside it). */
export function awsClient(credentials: AwsCredentials, service: AwsService): AwsClient {
  let byService = clients.get(credentials);
  if (!byService) clients.set(credentials, (byService = new Map()));
  let client = byService.get(service);
  if (!client) {
    client = new AwsClient({
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      region: credentials.region,
      service,
      retries: 0,
    });
    byService.set(service, client);
  }
  return client;
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
  init?: RequestInit;
}

/**
 * Sends a signed request under the shared failure policy. Returns the first non-retryable
 * response (2xx, and 4xx such as S3's 404, for the adapter to interpret); throws UpstreamError
 * when the retry budget or the deadline runs out, or the upstream cannot be reached.
 */
export async function callUpstream(aws: AwsEdgeClient, request: UpstreamRequest): Promise<Response> {
  const { policy, stats } = aws;
  const client = awsClient(aws.credentials, request.service);
  const deadline = Date.now() + policy.deadlineMs;
  let lastProblem: { failure: "throttled" | "unreachable"; diagnostic: string } | undefined;

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
    let response: Response;
    try {
      response = await client.fetch(request.url, { ...request.init, signal: AbortSignal.timeout(remaining) });
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === "TimeoutError" || name === "AbortError") {
        throw new UpstreamError(request.service, "timeout", `no answer within ${policy.deadlineMs} ms`);
      }
      lastProblem = { failure: "unreachable", diagnostic: `fetch failed: ${(error as Error).message}` };
      continue;
    }
    const retryable = await retryableStatus(request.service, response);
    if (retryable === null) return response;
    await response.body?.cancel();
    lastProblem = { failure: "throttled", diagnostic: retryable };
  }

  if (!lastProblem) throw new UpstreamError(request.service, "timeout", `no answer within ${policy.deadlineMs} ms`);
  throw new UpstreamError(request.service, lastProblem.failure, `${lastProblem.diagnostic} after ${stats.calls} calls`);
}

/**
 * Reads a response body within the same deadline the request had (the fetch signal also aborts
 * the body stream), mapping a timeout to UpstreamError.
 */
export async function readText(service: AwsService, response: Response): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === "TimeoutError" || name === "AbortError") {
      throw new UpstreamError(service, "timeout", "body not received within the deadline");
    }
    throw new UpstreamError(service, "unreachable", `body read failed: ${(error as Error).message}`);
  }
}
