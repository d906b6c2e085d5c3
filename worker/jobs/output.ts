/**
 * A MediaConvert job's output row (MediaConvertJobIdToOutput), read by the VOD playlist, segment
 * and key routes, and where it says the job's output is.
 */
import type { Config } from "../config.ts";
import { getRow } from "../aws/targets.ts";
import type { UpstreamStats } from "../aws/upstream.ts";

/** Where a job's output is in S3. */
export interface JobOutputLocation {
  bucket: string;
  /** The job's folder, ending in "/". */
  outputPath: string;
}

/** The job's output row, or undefined when there is none. */
export function getJobOutput(
  config: Config,
  stats: UpstreamStats,
  jobId: string,
): Promise<Record<string, unknown> | undefined> {
  return getRow(config, stats, "jobIdToOutput", jobId);
}

/** The row's output location (OUTPUT_BUCKET for rows without OutputBucket), or undefined without OutputPath. */
export function jobOutputLocation(config: Config, row: Record<string, unknown>): JobOutputLocation | undefined {
  if (typeof row.OutputPath !== "string") return undefined;
  return {
    bucket: typeof row.OutputBucket === "string" ? row.OutputBucket : config.buckets.output,
    outputPath: row.OutputPath,
  };
}
