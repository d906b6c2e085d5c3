/**
 * The seed's response bodies for job lookups, from stored items. Pure.
 * Keys and their order are the seed's (`mediaConvertJobIdToStatusEdgeApi.success_response`);
 * fields we add come after them.
 */
import type { InputFileToJobIdRow, JobStatusRow } from "../aws/rows.ts";

/**
 * Python's int() on a DynamoDB number: truncates toward zero; a missing value reads as 0. The row
 * decoder (worker/aws/rows.ts) lets through only finite numbers.
 */
function pythonInt(value: number | undefined): number {
  return Math.trunc(value ?? 0);
}

/** Body of GET /api/media/job_id for an InputFileToJobId item. */
export function jobIdBody(item: InputFileToJobIdRow): Record<string, unknown> {
  return { success: true, job_id: item.JobId };
}

/** Body of GET /api/media/status for a JobIdToStatus item. */
export function statusBody(item: JobStatusRow): Record<string, unknown> {
  const jobStatus = item.JobStatus;
  const body: Record<string, unknown> = {
    success: true,
    job_status: jobStatus,
    progress_rate: pythonInt(item.ProgressRate),
  };
  if (jobStatus === "COMPLETE") {
    body.duration_ms = pythonInt(item.DurationMs);
    body.width_px = pythonInt(item.WidthPx);
    body.height_px = pythonInt(item.HeightPx);
    body.output_path = item.OutputPath ?? "";
    body.playlists = item.Playlists ?? {};
    if (Array.isArray(item.PlaylistPaths)) body.playlist_paths = item.PlaylistPaths;
    // The stills the thumbnail, poster and storyboard routes serve (model/captures.ts).
    if (item.Captures !== undefined) body.captures = item.Captures;
  } else if (jobStatus === "ERROR") {
    body.error_code = pythonInt(item.ErrorCode);
    body.error_message = item.ErrorMessage ?? "";
  }
  // Only when MediaConvert reported some: rows start with an empty map.
  if (item.Warnings && Object.keys(item.Warnings).length > 0) {
    body.warnings = item.Warnings;
  }
  return body;
}
