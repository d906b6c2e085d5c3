/**
 * What `npm run upload` does after the upload, as functions a test can drive: follow the job
 * through the Worker (GET /api/media/job_id, then /api/media/status) until it is COMPLETE, ERROR or
 * CANCELED, then print URLs that play. Whatever PLAYBACK_POLICY / FACES_POLICY the Worker runs
 * with, a route that answers 401 is asked again with a token minted here (local/playback.ts), so
 * the printed URLs carry a token exactly when the Worker wants one.
 */
import type { LocalStack } from "./defaults.ts";
import { facesUrl, mintLocalToken, statusUrl, vodUrl, withToken, type TokenTarget } from "./playback.ts";

export interface FollowOptions {
  /** The Worker's base URL and the secret its tokens are signed with. */
  stack: Pick<LocalStack, "tokenSecret"> & { endpoints: { worker: string } };
  /** The uploaded key (the job's InputFile). */
  inputFile: string;
  /** Give up at this time (epoch ms). */
  deadline: number;
  print: (line: string) => void;
  /** Between polls (default 1 s). */
  pollMs?: number;
  fetcher?: typeof fetch;
}

/** Lifetime of the tokens the printed URLs carry. */
const PRINTED_TOKEN_TTL_SECONDS = 3600;

interface Answer {
  status: number;
  body: Record<string, unknown>;
  /** The URL that gave this answer (with the token when one was needed). */
  url: string;
}

async function getJson(url: string, fetcher: typeof fetch): Promise<Answer> {
  const response = await fetcher(url, { signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown>, url };
  } catch {
    return { status: response.status, body: { message: text.slice(0, 200) }, url };
  }
}

/** GET `url`; on a 401 (a signed policy) once more with a `play` token for `target`. */
async function getAuthorized(url: string, target: TokenTarget, options: FollowOptions): Promise<Answer> {
  const fetcher = options.fetcher ?? fetch;
  const first = await getJson(url, fetcher);
  if (first.status !== 401) return first;
  const token = await mintLocalToken(options.stack, target, PRINTED_TOKEN_TTL_SECONDS);
  return getJson(withToken(url, token), fetcher);
}

/** A playable URL for `url` (a playlist): itself when the Worker serves it, else with a token. */
async function playableUrl(url: string, target: TokenTarget, options: FollowOptions): Promise<string> {
  const fetcher = options.fetcher ?? fetch;
  const response = await fetcher(url, { signal: AbortSignal.timeout(5000) });
  await response.body?.cancel();
  if (response.status !== 401) return url;
  return withToken(url, await mintLocalToken(options.stack, target, PRINTED_TOKEN_TTL_SECONDS));
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls GET /api/media/job_id until the upload has a job; undefined at the deadline. */
async function waitForJobId(options: FollowOptions): Promise<string | undefined> {
  const worker = options.stack.endpoints.worker;
  while (Date.now() < options.deadline) {
    const { status, body } = await getJson(
      `${worker}/api/media/job_id?input_file=${encodeURIComponent(options.inputFile)}`,
      options.fetcher ?? fetch,
    );
    if (status === 200 && typeof body.job_id === "string") return body.job_id;
    await sleep(options.pollMs ?? 1000);
  }
  return undefined;
}

/** Polls the job's status until it is terminal; its last body, or undefined at the deadline. */
async function waitForTerminalStatus(
  jobId: string,
  options: FollowOptions,
): Promise<Record<string, unknown> | undefined> {
  let last = "";
  while (Date.now() < options.deadline) {
    const { body } = await getJson(statusUrl(options.stack.endpoints.worker, jobId), options.fetcher ?? fetch);
    const line = `  status ${String(body.job_status)} ${String(body.progress_rate ?? "")}%`;
    if (line !== last) options.print((last = line));
    if (["COMPLETE", "ERROR", "CANCELED"].includes(String(body.job_status))) return body;
    await sleep(options.pollMs ?? 1000);
  }
  return undefined;
}

/** One look at the upload's face analysis: its outcome when finished, else how to follow it. */
async function reportFaces(options: FollowOptions): Promise<void> {
  const lookup = { by: "input_file", value: options.inputFile } as const;
  const target: TokenTarget = { kind: "faces", ...lookup };
  const answer = await getAuthorized(facesUrl(options.stack.endpoints.worker, lookup, 3), target, options);
  const analysis = String(answer.body.analysis_status ?? "");
  if (answer.status === 200 && /^(SUCCEEDED|FAILED|SKIPPED)$/.test(analysis)) {
    const detail =
      analysis === "SUCCEEDED"
        ? `${String(answer.body.face_count)} faces (synthetic locally) over ${String(answer.body.video_duration_ms)} ms`
        : String(answer.body.status_message ?? "");
    options.print(`Face analysis ${analysis}: ${detail}`);
  } else {
    options.print(`Face analysis ${analysis || `not ready (HTTP ${answer.status})`}; follow it:`);
  }
  options.print(`  curl '${answer.url.replace(/&limit=3/, "&limit=5")}'`);
}

/**
 * Follows the upload's job until it ends: 0 when COMPLETE (after printing the playable master
 * playlist and the face analysis), 1 on ERROR or CANCELED (after printing the error) or at the
 * deadline.
 */
export async function followUpload(options: FollowOptions): Promise<number> {
  const worker = options.stack.endpoints.worker;
  const jobId = await waitForJobId(options);
  if (jobId === undefined) {
    options.print(`Timed out: no job for ${options.inputFile} (is the upload in an input bucket the Lambdas watch?)`);
    return 1;
  }
  options.print(`MediaConvert job ${jobId}`);
  options.print(`  curl '${statusUrl(worker, jobId)}'`);
  const body = await waitForTerminalStatus(jobId, options);
  if (body === undefined) {
    options.print(`Timed out waiting for job ${jobId} (UPLOAD_TIMEOUT_SECONDS).`);
    return 1;
  }
  if (body.job_status !== "COMPLETE") {
    const code = body.error_code !== undefined ? ` ${String(body.error_code)}` : "";
    options.print(`Job ${jobId} ended ${String(body.job_status)}${code}: ${String(body.error_message ?? "")}`);
    return 1;
  }
  options.print(`  ${JSON.stringify(body)}`);
  const master = Array.isArray(body.playlist_paths) ? body.playlist_paths[0] : undefined;
  if (typeof master === "string") {
    const url = await playableUrl(vodUrl(worker, jobId, master), { kind: "job", jobId }, options);
    options.print(`  play: ffplay '${url}'`);
  }
  await reportFaces(options);
  return 0;
}
