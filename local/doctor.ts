/**
 * `npm run doctor -- [<worker-url>]`   (default: the local stack's Worker, WORKER_URL / WORKER_PORT)
 *
 * Asks a deployed (or `wrangler dev`) Worker for GET /api/media/health and prints, for each failed
 * check, what is wrong and what to change: the setting, the IAM policy or the AWS resource. Exits 0
 * when the Worker is healthy, 1 otherwise. The report holds names only (settings, tables, buckets),
 * never a secret, so its output is safe to paste into an issue.
 */
import { pathToFileURL } from "node:url";
import { localStack } from "./defaults.ts";

/** One check of the health report (worker/health/checks.ts). */
export interface ReportedCheck {
  kind: "table" | "bucket";
  name: string;
  settings: string[];
  ok: boolean;
  problem?: string;
  detail?: string;
}

export interface HealthReport {
  success: boolean;
  version: string;
  settings: { present: string[]; absent: string[] };
  checks: ReportedCheck[];
}

/** How long the doctor waits for the report: the Worker bounds its checks by UPSTREAM_DEADLINE_MS. */
const REQUEST_TIMEOUT_MS = 30_000;

const IAM_FILE = "infra/lib/worker-identity.ts";

/** What to do about one failed check: one line naming the setting, IAM grant or resource to fix. */
export function adviceFor(check: ReportedCheck): string {
  const what = `${check.kind} "${check.name}"`;
  const settings = check.settings.join(" / ");
  const action = check.kind === "table" ? "dynamodb:GetItem" : "s3:ListBucket";
  switch (check.problem) {
    case "not-found":
      return (
        `${what} does not exist where the Worker looks. Deploy the stack (npm run deploy:aws), or set ` +
        `${settings} to the name in the stack's outputs (npm run worker-vars), and check AWS_REGION` +
        (check.kind === "table" ? " and DYNAMODB_ENDPOINT." : " and S3_ENDPOINT.")
      );
    case "access-denied":
      return (
        `The Worker's credentials may not read ${what} (${action}). Check that AWS_ACCESS_KEY_ID and ` +
        `AWS_SECRET_ACCESS_KEY (npx wrangler secret put ...) are a current key of the stack's Worker user, ` +
        `that ${settings} names the stack's own ${check.kind}, and that ${IAM_FILE} grants ${action} on it.`
      );
    case "wrong-region":
      return `${what} is in another region than the Worker signs for: set AWS_REGION to the bucket's region.`;
    case "timeout":
      return (
        `${what} did not answer within UPSTREAM_DEADLINE_MS. Check ` +
        `${check.kind === "table" ? "DYNAMODB_ENDPOINT" : "S3_ENDPOINT"} (unset = AWS's regional endpoint), ` +
        `or raise UPSTREAM_DEADLINE_MS if AWS is slow from here.`
      );
    case "unreachable":
      return (
        `The ${check.kind === "table" ? "DynamoDB" : "S3"} endpoint for ${what} cannot be reached: check ` +
        `${check.kind === "table" ? "DYNAMODB_ENDPOINT" : "S3_ENDPOINT"} (unset = AWS's regional endpoint).`
      );
    case "throttled":
      return `AWS throttled or failed every attempt on ${what}: run the doctor again; if it persists, see the AWS Health Dashboard.`;
    default:
      return `AWS refused the call on ${what} (${check.detail ?? "no detail"}): check ${settings} and AWS_REGION.`;
  }
}

/** The doctor's lines for a health report. */
export function describeReport(url: string, report: HealthReport): string[] {
  const failed = report.checks.filter((check) => !check.ok);
  const lines = [
    `media-edge ${report.version} at ${url}`,
    `settings present: ${report.settings.present.join(", ") || "none"}`,
  ];
  for (const check of report.checks) {
    lines.push(`${check.ok ? "ok  " : "FAIL"} ${check.kind} ${check.name} (${check.settings.join(", ")})`);
  }
  if (failed.length === 0) return [...lines, "Healthy: every table and bucket answers with the Worker's credentials."];
  lines.push("", `${failed.length} problem${failed.length === 1 ? "" : "s"}:`);
  for (const check of failed) {
    lines.push(`- ${check.kind} ${check.name}: ${check.problem} (${check.detail ?? "no detail"})`);
    lines.push(`  fix: ${adviceFor(check)}`);
  }
  return lines;
}

/** An answer that is not a health report: what it means and what to do. */
function describeOtherAnswer(url: string, status: number, body: unknown): string[] {
  const message = (body as { message?: unknown } | undefined)?.message;
  const variable = (body as { variable?: unknown } | undefined)?.variable;
  if (typeof variable === "string") {
    return [
      `The Worker at ${url} refuses every request: ${String(message)}`,
      `  fix: set ${variable} (docs/configuration.md; secrets with npx wrangler secret put ${variable}).`,
    ];
  }
  if (status === 404) {
    return [`${url} has no /api/media/health: deploy this version of media-edge (npm run deploy).`];
  }
  return [`${url}/api/media/health answered HTTP ${status}${typeof message === "string" ? `: ${message}` : ""}.`];
}

/** Runs the doctor against `url`, printing with `print`; resolves to the exit code. */
export async function doctor(url: string, print: (line: string) => void): Promise<number> {
  const base = url.replace(/\/+$/, "");
  let response: Response;
  try {
    response = await fetch(`${base}/api/media/health`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    print(`Cannot reach ${base}: ${(error as Error).message}.`);
    print("  fix: check the URL; locally, is `npm start` (or wrangler dev) running?");
    return 1;
  }
  const body: unknown = await response.json().catch(() => undefined);
  const report = body as HealthReport | undefined;
  if ((response.status === 200 || response.status === 503) && Array.isArray(report?.checks)) {
    for (const line of describeReport(base, report)) print(line);
    return report.success && response.status === 200 ? 0 : 1;
  }
  for (const line of describeOtherAnswer(base, response.status, body)) print(line);
  return 1;
}

// Run as the `npm run doctor` script; imported (tests), it only exports its functions.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const url = process.argv[2] ?? localStack().endpoints.worker;
  doctor(url, (line) => console.log(line)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error((error as Error).message);
      process.exit(1);
    },
  );
}
