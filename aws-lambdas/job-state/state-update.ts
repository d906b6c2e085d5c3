/**
 * MediaConvert "Job State Change" event -> the update of the job's status row. Pure.
 *
 * EventBridge delivers these events at least once and in no particular order, so the stored row must
 * only ever move forward. Every status-changing event gets an ordering key
 *   (status rank, progress, event time)
 * and its update is conditional on the stored key being lower — enforced by DynamoDB, not by a read:
 *   attribute_exists(JobId) AND (StatusRank < :rank OR (StatusRank = :rank AND (ProgressRate < :p
 *     OR (ProgressRate = :p AND (no LastEventTime OR LastEventTime < :ts)))))
 * Terminal statuses (COMPLETE, ERROR, CANCELED) use `StatusRank < :terminal` alone: the first terminal
 * event wins and nothing replaces it. Because every applied event writes every field a lower-keyed
 * event could write, the final row is a function of the set of events, not of their order; duplicates
 * are no-ops. `attribute_exists(JobId)` means events for jobs we did not submit create nothing.
 * https://docs.aws.amazon.com/mediaconvert/latest/ug/mediaconvert_event_list.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 */
import type { UpdateCommandInput } from "@aws-sdk/lib-dynamodb";
import {
  JOB_STATUS_RANK,
  TABLE_KEYS,
  TTL_ATTRIBUTE,
  type JobStatus,
  type PlaylistsByExtension,
} from "../../model/index.ts";
import type { FrameCaptures } from "../../model/captures.ts";
import { completeCaptures } from "./captures.ts";
import { isRecord } from "../shared/guards.ts";
import { baseName, splitExtension } from "../shared/keys.ts";

/** The parts of an EventBridge "MediaConvert Job State Change" event we use. */
export interface JobStateEvent {
  jobId: string;
  /** MediaConvert status: PROGRESSING, STATUS_UPDATE, COMPLETE, ERROR, CANCELED, NEW_WARNING, INPUT_INFORMATION, QUEUE_HOP. */
  status: string;
  /** `detail.timestamp` (ms), else the envelope's `time`, else 0 (the seed's hand-written test events have neither). */
  timestampMs: number;
  /** EventBridge event id, for logs. */
  eventId?: string;
  userMetadata: Record<string, string>;
  detail: Record<string, unknown>;
}

/** Parses an EventBridge envelope or a bare `{detail}` (the seed's test events). */
export function parseJobStateEvent(
  event: unknown,
): { ok: true; event: JobStateEvent } | { ok: false; message: string } {
  if (!isRecord(event) || !isRecord(event.detail)) return { ok: false, message: "Event has no detail object." };
  if (event.source !== undefined && event.source !== "aws.mediaconvert") {
    return { ok: false, message: `Event source ${JSON.stringify(event.source)} is not aws.mediaconvert.` };
  }
  const detail = event.detail;
  const jobId = detail.jobId;
  const status = detail.status;
  if (typeof jobId !== "string" || jobId === "" || typeof status !== "string" || status === "") {
    return { ok: false, message: "Event detail lacks jobId or status." };
  }
  const fromDetail = typeof detail.timestamp === "number" && Number.isFinite(detail.timestamp) ? detail.timestamp : NaN;
  const fromEnvelope = typeof event.time === "string" ? Date.parse(event.time) : NaN;
  const timestampMs = Number.isFinite(fromDetail) ? fromDetail : Number.isFinite(fromEnvelope) ? fromEnvelope : 0;
  const userMetadata: Record<string, string> = {};
  if (isRecord(detail.userMetadata)) {
    for (const [name, value] of Object.entries(detail.userMetadata)) {
      if (typeof value === "string") userMetadata[name] = value;
    }
  }
  const parsed: JobStateEvent = { jobId, status, timestampMs, userMetadata, detail };
  if (typeof event.id === "string") parsed.eventId = event.id;
  return { ok: true, event: parsed };
}

/** What to do with an event. */
export type JobStatePlan =
  | { kind: "ignore"; reason: string }
  | { kind: "warning"; warnings: Record<string, number> }
  | {
      kind: "status";
      status: JobStatus;
      rank: number;
      progress: number;
      terminal: boolean;
      /** Warning code -> count carried by the event (COMPLETE's `warnings`). */
      warnings: Record<string, number>;
    };

/** Progress stored for terminal statuses (the seed stores 100 for COMPLETE and ERROR). */
export const TERMINAL_PROGRESS = 100;

/** Decides what an event means for the status row. */
export function planJobStateUpdate(event: JobStateEvent): JobStatePlan {
  const warnings = warningCounts(event.detail);
  switch (event.status) {
    case "PROGRESSING":
      return statusPlan("PROGRESSING", 0, warnings);
    case "STATUS_UPDATE":
      // jobPercentComplete is only present "when available"; without it the event still proves the
      // job is running, so it counts as progress 0 (never NaN, never a decrease).
      return statusPlan("PROGRESSING", percentComplete(event.detail) ?? 0, warnings);
    case "COMPLETE":
    case "ERROR":
    case "CANCELED":
      return statusPlan(event.status, TERMINAL_PROGRESS, warnings);
    case "NEW_WARNING":
      return Object.keys(warnings).length > 0
        ? { kind: "warning", warnings }
        : { kind: "ignore", reason: "NEW_WARNING without a warning code" };
    case "INPUT_INFORMATION":
      // Arrives before or after COMPLETE; carries input facts only, never a status.
      return { kind: "ignore", reason: "INPUT_INFORMATION does not change the status" };
    case "QUEUE_HOP":
      return { kind: "ignore", reason: "QUEUE_HOP does not change the status" };
    default:
      return { kind: "ignore", reason: `Unknown status ${event.status}` };
  }
}

function statusPlan(status: JobStatus, progress: number, warnings: Record<string, number>): JobStatePlan {
  const terminal = status === "COMPLETE" || status === "ERROR" || status === "CANCELED";
  return { kind: "status", status, rank: JOB_STATUS_RANK[status], progress, terminal, warnings };
}

/** `detail.jobProgress.jobPercentComplete` as an integer 0-100, or undefined when absent or not a number. */
export function percentComplete(detail: Record<string, unknown>): number | undefined {
  const progress = isRecord(detail.jobProgress) ? detail.jobProgress.jobPercentComplete : undefined;
  const value = typeof progress === "string" && progress.trim() !== "" ? Number(progress) : progress;
  if (typeof value !== "number" || !Number.isFinite(value)) return undefined;
  return Math.min(100, Math.max(0, Math.round(value)));
}

/** Warning codes and counts: COMPLETE's `warnings[{code,count}]`, NEW_WARNING's `warningCode`. */
export function warningCounts(detail: Record<string, unknown>): Record<string, number> {
  const counts: Record<string, number> = {};
  if (Array.isArray(detail.warnings)) {
    for (const warning of detail.warnings) {
      if (!isRecord(warning)) continue;
      const code = warning.code;
      const count = Number(warning.count ?? 1);
      if ((typeof code === "number" || typeof code === "string") && String(code) !== "") {
        counts[String(code)] = Number.isFinite(count) && count >= 1 ? Math.floor(count) : 1;
      }
    }
  }
  const single = detail.warningCode ?? detail.code;
  if (
    (typeof single === "number" || typeof single === "string") &&
    String(single) !== "" &&
    !(String(single) in counts)
  ) {
    counts[String(single)] = 1;
  }
  return counts;
}

/** Facts of a COMPLETE event, for the status row and info.json. */
export interface CompleteFacts {
  /** Longest output duration (ms). */
  durationMs?: number;
  /** Largest video rendition (by pixel count). */
  widthPx?: number;
  heightPx?: number;
  /** Seed's map: extension -> file name of each playlist of the HLS group. */
  playlists: PlaylistsByExtension;
  /** Master playlist(s) first, then every rendition playlist, relative to OutputPath. */
  playlistPaths: string[];
  /** One entry per output of the HLS group (ABR ladder). */
  renditions: Array<{ playlistPath?: string; durationMs?: number; widthPx?: number; heightPx?: number }>;
  /** The File groups' JPEG frame captures (thumbnails), when the job made them. */
  captures?: FrameCaptures;
}

/**
 * Reads a COMPLETE event's output group details. The seed read only the first output; an ABR ladder
 * has one output per rendition, so every output is considered.
 * https://docs.aws.amazon.com/mediaconvert/latest/ug/apple-hls-group.html
 */
export function completeFacts(
  detail: Record<string, unknown>,
  output: { bucket: string; path: string },
): CompleteFacts {
  const groups = Array.isArray(detail.outputGroupDetails) ? detail.outputGroupDetails.filter(isRecord) : [];
  const group = groups.find((g) => g.type === "HLS_GROUP") ?? groups[0];
  const facts: CompleteFacts = { playlists: {}, playlistPaths: [], renditions: [] };
  const relative = (path: string) => relativeToOutput(path, output);
  const captures = completeCaptures(detail, relative);
  if (captures) facts.captures = captures;
  if (!group) return facts;
  const masters = Array.isArray(group.playlistFilePaths) ? group.playlistFilePaths.filter(isString) : [];
  for (const path of masters) {
    const name = baseName(path);
    // The seed keyed the map by Python's os.path.splitext(name)[1].
    facts.playlists[splitExtension(name)[1]] = name;
    facts.playlistPaths.push(relative(path));
  }
  let bestPixels = -1;
  const outputs = Array.isArray(group.outputDetails) ? group.outputDetails.filter(isRecord) : [];
  for (const out of outputs) {
    const rendition: CompleteFacts["renditions"][number] = {};
    const files = Array.isArray(out.outputFilePaths) ? out.outputFilePaths.filter(isString) : [];
    const playlist = files.find((file) => /\.m3u8$/i.test(file)) ?? files[0];
    if (playlist) {
      rendition.playlistPath = relative(playlist);
      if (!facts.playlistPaths.includes(rendition.playlistPath)) facts.playlistPaths.push(rendition.playlistPath);
    }
    const duration = finiteNumber(out.durationInMs);
    if (duration !== undefined) {
      rendition.durationMs = duration;
      facts.durationMs = Math.max(facts.durationMs ?? 0, duration);
    }
    const video = isRecord(out.videoDetails) ? out.videoDetails : undefined;
    const width = finiteNumber(video?.widthInPx);
    const height = finiteNumber(video?.heightInPx);
    if (width !== undefined && height !== undefined) {
      rendition.widthPx = width;
      rendition.heightPx = height;
      if (width * height > bestPixels) {
        bestPixels = width * height;
        facts.widthPx = width;
        facts.heightPx = height;
      }
    }
    facts.renditions.push(rendition);
  }
  return facts;
}

/** `s3://bucket/<OutputPath>rest` -> `rest`; a path elsewhere keeps its key (never the bucket). */
function relativeToOutput(path: string, output: { bucket: string; path: string }): string {
  const match = /^s3:\/\/[^/]+\/(.*)$/.exec(path);
  const key = match ? match[1]! : path;
  return key.startsWith(output.path) ? key.slice(output.path.length) : key;
}

/** The seed's info.json body (snake_case keys kept), plus the playlist paths. Never key material. */
export function infoJson(facts: CompleteFacts): string {
  return JSON.stringify({
    duration_ms: facts.durationMs ?? null,
    width_px: facts.widthPx ?? null,
    height_px: facts.heightPx ?? null,
    playlists: facts.playlists,
    playlist_paths: facts.playlistPaths,
    ...(facts.captures ? { captures: facts.captures } : {}),
  });
}

/**
 * An error message safe to show a user: every `s3://bucket/` prefix, S3 URL host/bucket prefix and
 * named bucket removed (the seed removed only `s3://bucket/`), whitespace tidied.
 */
export function sanitizeErrorMessage(message: string, bucketNames: readonly string[]): string {
  let text = message
    .replace(/s3:\/\/[^/\s\][)("'<>]*\/?/gi, "")
    .replace(/https?:\/\/[a-z0-9.-]+\.s3[.-][a-z0-9.-]*amazonaws\.com(?:\.cn)?\//gi, "")
    .replace(/https?:\/\/s3[.-][a-z0-9.-]*amazonaws\.com(?:\.cn)?\/[^/\s]+\//gi, "")
    .replace(/arn:aws[a-z-]*:s3:::[^/\s\]]+\/?/gi, "");
  for (const bucket of [...new Set(bucketNames)].filter((b) => b.length >= 3).sort((a, b) => b.length - a.length)) {
    const escaped = bucket.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    text = text.replace(new RegExp(`(^|[^a-z0-9.-])${escaped}(?![a-z0-9-])/?`, "gi"), "$1");
  }
  // A removed bucket name can leave "bucket : x"; tidy the gap it leaves before punctuation.
  return text
    .replace(/[ \t]{2,}/g, " ")
    .replace(/ ([:;,])/g, "$1")
    .trim();
}

/** Extra attributes a status update sets besides status, rank, progress, time and TTL. */
export type ExtraAttributes = Record<string, string | number | string[] | Record<string, unknown> | unknown[]>;

/** Inputs of `buildStatusUpdate`. */
export interface StatusUpdateInput {
  tableName: string;
  jobId: string;
  plan: Extract<JobStatePlan, { kind: "status" }>;
  timestampMs: number;
  /** Epoch seconds of the new TTL (now + STATUS_TTL_SECONDS): a long job keeps its row alive. */
  expirationTime: number;
  extra?: ExtraAttributes;
}

/** The conditional UpdateItem for a status-changing event. All names go through `#placeholders`. */
export function buildStatusUpdate(input: StatusUpdateInput): UpdateCommandInput {
  const names: Record<string, string> = {
    "#pk": TABLE_KEYS.jobIdToStatus,
    "#status": "JobStatus",
    "#rank": "StatusRank",
    "#progress": "ProgressRate",
    "#last": "LastEventTime",
    "#ttl": TTL_ATTRIBUTE,
  };
  const values: Record<string, unknown> = {
    ":status": input.plan.status,
    ":rank": input.plan.rank,
    ":progress": input.plan.progress,
    ":ts": input.timestampMs,
    ":ttl": input.expirationTime,
  };
  const sets = ["#status = :status", "#rank = :rank", "#progress = :progress", "#last = :ts", "#ttl = :ttl"];
  Object.entries(input.extra ?? {}).forEach(([attribute, value], index) => {
    names[`#x${index}`] = attribute;
    values[`:x${index}`] = value;
    sets.push(`#x${index} = :x${index}`);
  });
  const warningSets = warningAssignments(input.plan.warnings, names, values, "overwrite");
  const condition = input.plan.terminal
    ? "attribute_exists(#pk) AND #rank < :rank"
    : "attribute_exists(#pk) AND (#rank < :rank OR (#rank = :rank AND (#progress < :progress OR " +
      "(#progress = :progress AND (attribute_not_exists(#last) OR #last < :ts)))))";
  return {
    TableName: input.tableName,
    Key: { [TABLE_KEYS.jobIdToStatus]: input.jobId },
    UpdateExpression: `SET ${[...sets, ...warningSets].join(", ")}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    // The status and progress it replaced: a later STATUS_UPDATE at the same progress is applied (it
    // moves LastEventTime) but is no news for a webhook (job-state.ts, webhook-event.ts).
    ReturnValues: "UPDATED_OLD",
    ReturnValuesOnConditionCheckFailure: "ALL_OLD",
  };
}

/**
 * NEW_WARNING: record each code once (count 1 unless COMPLETE already stored the real count). Not
 * subject to the status order: warnings accumulate, and `if_not_exists` makes the result independent
 * of the order of NEW_WARNING and COMPLETE.
 */
export function buildWarningUpdate(
  tableName: string,
  jobId: string,
  warnings: Record<string, number>,
): UpdateCommandInput {
  const names: Record<string, string> = { "#pk": TABLE_KEYS.jobIdToStatus };
  const values: Record<string, unknown> = {};
  const sets = warningAssignments(warnings, names, values, "keep");
  return {
    TableName: tableName,
    Key: { [TABLE_KEYS.jobIdToStatus]: jobId },
    UpdateExpression: `SET ${sets.join(", ")}`,
    ConditionExpression: "attribute_exists(#pk)",
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnValuesOnConditionCheckFailure: "ALL_OLD",
  };
}

/** Creates the Warnings map on a row that lacks it (rows written before it existed), so nested SETs work. */
export function buildEnsureWarningsMap(tableName: string, jobId: string): UpdateCommandInput {
  return {
    TableName: tableName,
    Key: { [TABLE_KEYS.jobIdToStatus]: jobId },
    UpdateExpression: "SET #w = if_not_exists(#w, :empty)",
    ConditionExpression: "attribute_exists(#pk)",
    ExpressionAttributeNames: { "#pk": TABLE_KEYS.jobIdToStatus, "#w": "Warnings" },
    ExpressionAttributeValues: { ":empty": {} },
  };
}

function warningAssignments(
  warnings: Record<string, number>,
  names: Record<string, string>,
  values: Record<string, unknown>,
  mode: "overwrite" | "keep",
): string[] {
  const codes = Object.keys(warnings);
  if (codes.length > 0) names["#w"] = "Warnings";
  return codes.map((code, index) => {
    names[`#wc${index}`] = code;
    values[`:wv${index}`] = warnings[code];
    return mode === "overwrite"
      ? `#w.#wc${index} = :wv${index}`
      : `#w.#wc${index} = if_not_exists(#w.#wc${index}, :wv${index})`;
  });
}

function finiteNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function isString(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}
