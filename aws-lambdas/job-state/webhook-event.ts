/**
 * An applied job-state update -> the webhook payload. Pure. Called only after the conditional update
 * succeeded, so stale and duplicate events (refused by the condition) never produce one; and the id is
 * the update's ordering key, which the condition lets through at most once.
 */
import type { WebhookEventType, WebhookPayload } from "../../model/webhooks.ts";
import type { ExtraAttributes, JobStateEvent, JobStatePlan } from "./state-update.ts";

const TYPES: Record<string, WebhookEventType> = {
  PROGRESSING: "job.progressing",
  COMPLETE: "job.complete",
  ERROR: "job.error",
  CANCELED: "job.canceled",
};

/** The payload of an applied status update; `extra` is what the row got besides status and progress. */
export function jobStateWebhook(
  evt: JobStateEvent,
  plan: Extract<JobStatePlan, { kind: "status" }>,
  extra: ExtraAttributes,
): WebhookPayload {
  const details: Record<string, unknown> = { ...extra };
  if (Object.keys(plan.warnings).length > 0) details.Warnings = plan.warnings;
  return {
    id: `job_${evt.jobId}_${plan.status}_${plan.progress}_${evt.timestampMs}`,
    type: TYPES[plan.status] ?? "job.progressing",
    timestamp: new Date(evt.timestampMs).toISOString(),
    data: {
      jobId: evt.jobId,
      ...(evt.userMetadata.InputFile ? { inputFile: evt.userMetadata.InputFile } : {}),
      status: plan.status,
      progress: plan.progress,
      details,
    },
  };
}

/**
 * Whether an applied update changed what a webhook reports: the status or the progress. `previous`
 * holds the row's values before the update (UpdateItem's UPDATED_OLD). MediaConvert sends a
 * STATUS_UPDATE every 10 s (StatusUpdateInterval SECONDS_10), whether or not jobPercentComplete
 * moved; each one is applied (its later time moves LastEventTime) but only a new value is news.
 * https://docs.aws.amazon.com/mediaconvert/latest/ug/ev_status_status_update.html
 */
export function changesReportedState(
  previous: Record<string, unknown>,
  plan: Extract<JobStatePlan, { kind: "status" }>,
): boolean {
  return previous.JobStatus !== plan.status || previous.ProgressRate !== plan.progress;
}
