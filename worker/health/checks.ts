/**
 * The health report of GET /api/media/health: which settings are present (names only) and whether
 * one cheap, read-only call to each table and bucket the Worker uses succeeds with its credentials.
 * Each check is what the Worker's IAM user may do anyway (infra/lib/worker-identity.ts): GetItem on
 * a key no row has, and HeadBucket (s3:ListBucket). Nothing of a row or an object is ever read
 * into the report; a failure is named by a problem code and S3's status or DynamoDB's error type.
 */
import { TABLE_ENV_VARS, TABLE_KEYS, type TableRole } from "../../model/index.ts";
import { WORKER_SETTINGS } from "../../model/settings.ts";
import type { AwsEdgeClient } from "../aws/client.ts";
import { getItem } from "../aws/dynamodb.ts";
import { UpstreamError } from "../aws/errors.ts";
import { headBucket } from "../aws/s3.ts";
import type { Config } from "../config.ts";

/** Why a check failed; `npm run doctor` turns each into advice. */
export type HealthProblem =
  | "not-found" // no such table or bucket (a name setting, or the stack is not deployed)
  | "access-denied" // the credentials may not make the call (IAM policy, or wrong/expired keys)
  | "wrong-region" // the bucket is in another region than AWS_REGION
  | "throttled" // AWS kept throttling or failing (5xx) within the retry budget
  | "timeout" // no answer within UPSTREAM_DEADLINE_MS
  | "unreachable" // the endpoint could not be reached (DYNAMODB_ENDPOINT / S3_ENDPOINT)
  | "rejected"; // any other refusal: the detail names it

export interface HealthCheck {
  kind: "table" | "bucket";
  /** The table or bucket name (configuration, not data). */
  name: string;
  /** Settings that name it. */
  settings: string[];
  ok: boolean;
  problem?: HealthProblem;
  /** S3's HTTP status or DynamoDB's error type: never an upstream body. */
  detail?: string;
}

/** Tables the Worker reads (uploadEvents is the Lambdas' bookkeeping: the Worker never reads it). */
export const WORKER_TABLES: readonly TableRole[] = [
  "inputFileToJobId",
  "jobIdToStatus",
  "jobIdToOutput",
  "faceAnalysis",
];

/** A partition key no row has: GetItem answers with no Item. */
const PROBE_KEY = "media-edge-health-check";

const BUCKET_SETTINGS: Record<keyof Config["buckets"], string> = {
  output: "OUTPUT_BUCKET",
  recordings: "RECORDINGS_BUCKET",
  analysis: "ANALYSIS_BUCKET",
};

/** Names of the Worker's settings present in the bindings (never their values), and those absent. */
export function settingsPresence(env: Record<string, unknown>): { present: string[]; absent: string[] } {
  const present: string[] = [];
  const absent: string[] = [];
  for (const name of Object.keys(WORKER_SETTINGS)) {
    const value = env[name];
    (value !== undefined && value !== null && value !== "" ? present : absent).push(name);
  }
  return { present, absent };
}

function problemOfUpstream(error: UpstreamError): { problem: HealthProblem; detail: string } {
  const detail = error.diagnostic;
  if (error.failure === "rejected") {
    if (/ResourceNotFoundException/.test(detail)) return { problem: "not-found", detail };
    if (/AccessDenied|UnrecognizedClient|InvalidSignature|SignatureDoesNotMatch|HTTP 403/.test(detail)) {
      return { problem: "access-denied", detail };
    }
    return { problem: "rejected", detail };
  }
  if (error.failure === "malformed") return { problem: "rejected", detail };
  return { problem: error.failure, detail };
}

function problemOfBucketStatus(status: number): HealthProblem | undefined {
  if (status >= 200 && status < 300) return undefined;
  if (status === 404) return "not-found";
  if (status === 403) return "access-denied";
  // S3 answers a HeadBucket signed for the wrong region with 301 (or 400 AuthorizationHeaderMalformed).
  if (status === 301 || status === 400) return "wrong-region";
  return "rejected";
}

async function tableCheck(aws: AwsEdgeClient, config: Config, role: TableRole): Promise<HealthCheck> {
  const name = config.tables[role];
  const check: HealthCheck = { kind: "table", name, settings: [TABLE_ENV_VARS[role]], ok: true };
  try {
    // The answer is dropped unread: a report never carries row contents.
    await getItem(aws, { table: name, keyName: TABLE_KEYS[role], keyValue: PROBE_KEY });
    return check;
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    return { ...check, ok: false, ...problemOfUpstream(error) };
  }
}

async function bucketCheck(aws: AwsEdgeClient, name: string, settings: string[]): Promise<HealthCheck> {
  const check: HealthCheck = { kind: "bucket", name, settings, ok: true };
  try {
    const status = await headBucket(aws, name);
    const problem = problemOfBucketStatus(status);
    return problem === undefined ? check : { ...check, ok: false, problem, detail: `HeadBucket HTTP ${status}` };
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    return { ...check, ok: false, ...problemOfUpstream(error) };
  }
}

/**
 * One check per table the Worker reads and per distinct bucket, all at once: each call is bounded
 * by the upstream deadline, so the whole report is too.
 */
export async function runHealthChecks(aws: AwsEdgeClient, config: Config): Promise<HealthCheck[]> {
  const buckets = new Map<string, string[]>();
  for (const role of Object.keys(BUCKET_SETTINGS) as (keyof Config["buckets"])[]) {
    const name = config.buckets[role];
    buckets.set(name, [...(buckets.get(name) ?? []), BUCKET_SETTINGS[role]]);
  }
  return Promise.all([
    ...WORKER_TABLES.map((role) => tableCheck(aws, config, role)),
    ...[...buckets].map(([name, settings]) => bucketCheck(aws, name, settings)),
  ]);
}
