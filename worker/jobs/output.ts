/**
 * A MediaConvert job's output row (MediaConvertJobIdToOutput), read by the VOD playlist, segment
 * and key routes, and where it says the job's output is.
 */
import type { AwsEdgeClient } from "../aws/client.ts";
import type { JobOutputRow } from "../aws/rows.ts";
import { getRow } from "../aws/targets.ts";
import type { Config } from "../config.ts";

/** Where a job's output is in S3. */
export interface JobOutputLocation {
  bucket: string;
  /** The job's folder, ending in "/". */
  outputPath: string;
}

/** The job's output row in `table` (TABLE_JOB_ID_TO_OUTPUT), or undefined when there is none. */
export function getJobOutput(aws: AwsEdgeClient, table: string, jobId: string): Promise<JobOutputRow | undefined> {
  return getRow(aws, "jobIdToOutput", table, jobId);
}

/** The row's output location (OUTPUT_BUCKET for rows without OutputBucket). */
export function jobOutputLocation(config: Config, row: JobOutputRow): JobOutputLocation {
  return { bucket: row.OutputBucket ?? config.buckets.output, outputPath: row.OutputPath };
}
