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
import { ApiError } from "../http/errors.ts";
import { getJobOutput, jobOutputLocation, type JobOutputLocation } from "./output.ts";

/** What the still routes need of a job. */
export interface JobCaptures {
  captures: FrameCaptures;
  location: JobOutputLocation;
  durationSeconds?: number;
}

/** info.json's fields (snake_case, like the status body); an unreadable file lists nothing. */
function parseInfo(text: string): Record<string, unknown> {
  try {
    return Object(JSON.parse(text)) as Record<string, unknown>;
  } catch {
    return {};
  }
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
  const location = output && jobOutputLocation(config, output);
  const info =
    location && !status
      ? await getObjectText(aws, { bucket: location.bucket, key: `${location.outputPath}${INFO_FILE}` })
      : undefined;
  if (!location || (!status && info === undefined)) {
    throw new ApiError(404, "Not found item.", { details: { job_id: jobId, status: status?.JobStatus ?? null } });
  }
  if (status && status.JobStatus !== "COMPLETE") {
    throw new ApiError(409, "Job is not complete.", { details: { job_id: jobId, status: status.JobStatus } });
  }
  const fields = status ? { captures: status.Captures, duration_ms: status.DurationMs } : parseInfo(info!);
  const captures = readCaptures(fields.captures);
  if (!captures) {
    throw new ApiError(404, "This job has no thumbnails.", {
      details: { job_id: jobId, reason: "the job was transcoded without frame captures" },
    });
  }
  const durationMs = fields.duration_ms;
  return {
    captures,
    location,
    ...(typeof durationMs === "number" && durationMs > 0 ? { durationSeconds: durationMs / 1000 } : {}),
  };
}
