/**
 * Follows an upload's MediaConvert job through the seed-compatible endpoints, as any frontend
 * would: GET /api/media/job_id?input_file= until the job exists (422 "Not found item." before
 * submit-job has run), then GET /api/media/status?job_id= until COMPLETE, ERROR or CANCELED.
 */
import { ApiProblem } from "./api.ts";

export interface JobStatus {
  success: boolean;
  job_status: string;
  progress_rate?: number;
  playlists?: Record<string, string>;
  playlist_paths?: string[];
  output_path?: string;
  duration_ms?: number;
  error_code?: number;
  error_message?: string;
}

export interface FollowDeps {
  getJson<T>(path: string): Promise<T>;
  /** Resolves after `ms` (setTimeout in the page). */
  wait(ms: number): Promise<void>;
  onJob?(jobId: string): void;
  onStatus?(status: JobStatus): void;
  /** Gives up after this many polls of each endpoint (default: about 30 minutes at 1 s). */
  maxPolls?: number;
}

export const TERMINAL_STATUSES = ["COMPLETE", "ERROR", "CANCELED"];
const POLL_MS = 1000;

/** The job id of `inputFile`, waiting for submit-job to record it. */
export async function findJob(inputFile: string, deps: FollowDeps): Promise<string> {
  const path = `/api/media/job_id?input_file=${encodeURIComponent(inputFile)}`;
  for (let poll = 0; poll < (deps.maxPolls ?? 1800); poll++) {
    try {
      const body = await deps.getJson<{ job_id?: string }>(path);
      if (typeof body.job_id === "string") return body.job_id;
    } catch (error) {
      // 422 "Not found item.": not submitted yet. Anything else is a real failure.
      if (!(error instanceof ApiProblem && error.status === 422)) throw error;
    }
    await deps.wait(POLL_MS);
  }
  throw new ApiProblem(504, "No transcoding job started for this upload.");
}

/** Polls the job's status until it is terminal; resolves with the last status. */
export async function followJob(inputFile: string, deps: FollowDeps): Promise<{ jobId: string; status: JobStatus }> {
  const jobId = await findJob(inputFile, deps);
  deps.onJob?.(jobId);
  const path = `/api/media/status?job_id=${encodeURIComponent(jobId)}`;
  for (let poll = 0; poll < (deps.maxPolls ?? 1800); poll++) {
    const status = await deps.getJson<JobStatus>(path);
    deps.onStatus?.(status);
    if (TERMINAL_STATUSES.includes(status.job_status)) return { jobId, status };
    await deps.wait(POLL_MS);
  }
  throw new ApiProblem(504, "The transcoding job did not finish in time.");
}

/** The VOD master playlist path of a COMPLETE job (each path segment encoded), or undefined. */
export function masterPlaylistPath(jobId: string, status: JobStatus): string | undefined {
  const master = status.playlists?.[".m3u8"] ?? status.playlist_paths?.[0];
  if (!master) return undefined;
  const encoded = master.split("/").map(encodeURIComponent).join("/");
  return `/api/media/vod/${encodeURIComponent(jobId)}/${encoded}`;
}

/** One line for a failed job: "error 1010: <message>" (MediaConvert's code and message). */
export function jobFailure(status: JobStatus): string {
  if (status.job_status === "CANCELED") return "The job was canceled.";
  const code = status.error_code !== undefined ? `error ${status.error_code}` : "error";
  return `${code}: ${status.error_message ?? "no message"}`;
}
