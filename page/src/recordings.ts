/**
 * The recorder-window picker: stream, start, end or live, to the window playlist route
 * (GET /api/media/recordings/playlist.m3u8). `<input type="datetime-local">` values are in the
 * viewer's time zone; the API wants a zone, so they are sent as UTC ISO 8601.
 */
import { withToken } from "./tokens.ts";

export interface WindowChoice {
  stream: string;
  /** datetime-local value, e.g. "2024-01-02T12:00" or "2024-01-02T12:00:30". */
  start: string;
  end: string;
  /** Live: no end; the window grows until MAX_WINDOW_SECONDS after start. */
  live: boolean;
}

/** A datetime-local value (local time) as UTC ISO 8601, or undefined when it is not a time. */
export function localTimeToIso(value: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace(/\.000Z$/, "Z");
}

/** The window playlist URL for a choice, or a sentence saying what is wrong with it. */
export function windowUrl(choice: WindowChoice, token: string | undefined): { url: string } | { problem: string } {
  const start = localTimeToIso(choice.start);
  if (!start) return { problem: "Choose a start time." };
  const query = new URLSearchParams();
  if (choice.stream.trim() !== "") query.set("stream", choice.stream.trim());
  query.set("start", start);
  if (!choice.live) {
    const end = localTimeToIso(choice.end);
    if (!end) return { problem: "Choose an end time, or tick Live." };
    if (end <= start) return { problem: "The end must be after the start." };
    query.set("end", end);
  }
  return { url: withToken(`/api/media/recordings/playlist.m3u8?${query.toString()}`, token) };
}
