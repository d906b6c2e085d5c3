/**
 * A recorded face-analysis result -> the webhook payload. Pure. Called only for the outcomes whose row
 * write was applied (`succeeded`, `job-failed`); duplicates, superseded and foreign notifications,
 * and collections that continue on a retry send nothing.
 */
import type { WebhookPayload } from "../../model/webhooks.ts";
import type { FacesCollectOutcome } from "./faces-collect.ts";
import type { FaceJobNotification } from "./notification.ts";

/** The payload of a recorded result, or undefined for outcomes that record no new state. */
export function facesWebhook(
  notification: FaceJobNotification,
  outcome: FacesCollectOutcome,
  nowMs: number,
): WebhookPayload | undefined {
  if (outcome.outcome !== "succeeded" && outcome.outcome !== "job-failed") return undefined;
  const status = outcome.outcome === "succeeded" ? "SUCCEEDED" : "FAILED";
  const details: Record<string, unknown> =
    outcome.outcome === "succeeded"
      ? { FaceCount: outcome.faceCount, Chunks: outcome.chunks, ResultKey: outcome.resultKey }
      : { ErrorMessage: outcome.message };
  return {
    id: `faces_${notification.jobId}_${status}`,
    type: status === "SUCCEEDED" ? "faces.succeeded" : "faces.failed",
    timestamp: new Date(notification.timestamp ?? nowMs).toISOString(),
    data: { jobId: notification.jobId, inputFile: notification.video.key, status, progress: 100, details },
  };
}
