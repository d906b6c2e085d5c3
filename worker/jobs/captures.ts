/**
 * A finished job's frame captures (model/captures.ts) and where its output is: from the status
 * row's `Captures` while the row lives (one day by default), else from the job's info.json, which
 * job-state writes at COMPLETE and which outlives the row (like the playlist route's fallback).
 */
import type { Context } from "hono";
import { INFO_FILE } from "../../model/index.ts";
import { readCaptures, type FrameCaptures } from "../../model/captures.ts";
import { getObjectText } from "../aws/s3.ts";
import { getRow } from "../aws/targets.ts";
import type { AppEnv } from "../env.ts";
import { edgeCachedText } from "../http/edge-cache.ts";
import { ApiError } from "../http/errors.ts";
import { getJobOutput, jobOutputLocation, type JobOutputLocation } from "./output.ts";

/** Edge lifetime of a finished job's info.json text (rewritten only with the same content). */
const INFO_CACHE_SECONDS = 86_400;

/** What the still routes need of a job. */
export interface JobCaptures {
  captures: FrameCaptures;
  location: JobOutputLocation;
  durationSeconds?: number;
}

/** Thrown inside the edge-cache loader when info.json is absent (nothing is cached then). */
const notFoundInfo = new Error("info.json not found");

const notFound = (jobId: string) => new ApiError(404, "Not found item.", { details: { job_id: jobId, status: null } });

/** Captures and duration from info.json; undefined when the job has no info.json (never completed). */
async function fromInfoFile(
  c: Context<AppEnv>,
  location: JobOutputLocation,
): Promise<{ captures?: FrameCaptures; durationMs?: unknown } | undefined> {
  const key = `${location.outputPath}${INFO_FILE}`;
  const cachePath = `s3/${encodeURIComponent(location.bucket)}/${encodeURIComponent(key)}`;
  const text = await edgeCachedText(c, cachePath, INFO_CACHE_SECONDS, async () => {
    const body = await getObjectText(c.var.aws, { bucket: location.bucket, key });
    if (body === undefined) throw notFoundInfo;
    return body;
  }).catch((error: unknown) => {
    if (error === notFoundInfo) return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  let info: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null) info = parsed as Record<string, unknown>;
  } catch {
    // An unreadable info.json lists no captures: answered as a job without them.
  }
  return { captures: readCaptures(info.captures), durationMs: info.duration_ms };
}

/**
 * The job's captures, or the error a still route answers: 404 for an unknown job, 409 while it is
 * not COMPLETE, 404 "has no thumbnails" for a job transcoded without frame captures.
 */
export async function jobCaptures(c: Context<AppEnv>, jobId: string): Promise<JobCaptures> {
  const { aws, config } = c.var;
  const [status, output] = await Promise.all([
    getRow(aws, "jobIdToStatus", config.tables.jobIdToStatus, jobId),
    getJobOutput(aws, config.tables.jobIdToOutput, jobId),
  ]);
  if (output === undefined) throw notFound(jobId);
  const location = jobOutputLocation(config, output);
  const jobStatus = status?.JobStatus;
  if (jobStatus !== undefined && jobStatus !== "COMPLETE") {
    throw new ApiError(409, "Job is not complete.", { details: { job_id: jobId, status: jobStatus } });
  }
  const found =
    status !== undefined
      ? { captures: readCaptures(status.Captures), durationMs: status.DurationMs }
      : await fromInfoFile(c, location);
  if (found === undefined) throw notFound(jobId);
  if (found.captures === undefined) {
    throw new ApiError(404, "This job has no thumbnails.", {
      details: { job_id: jobId, reason: "the job was transcoded without frame captures" },
    });
  }
  const durationMs = found.durationMs;
  return {
    captures: found.captures,
    location,
    ...(typeof durationMs === "number" && durationMs > 0 ? { durationSeconds: durationMs / 1000 } : {}),
  };
}
