/** What a fatal player error means for the viewer: one state, with the API's own message. Pure. */
import { problemMessage } from "./api.ts";

export type FailureKind = "refused" | "key-refused" | "missing" | "media" | "network";

export interface PlaybackFailure {
  kind: FailureKind;
  /** One sentence for the viewer. */
  message: string;
  status?: number;
}

/** The playback failure for a fatal hls.js error with the HTTP status and body it carried. */
export function describeFailure(details: string, status: number | undefined, body: string): PlaybackFailure {
  const isKey = details.startsWith("key");
  const isPlaylist = details.startsWith("manifest") || details.startsWith("level");
  if (status !== undefined && status >= 400) {
    const message = problemMessage(status, body);
    if (isKey) return { kind: "key-refused", status, message: `Key refused (${status}): ${message}` };
    if (status === 401 || status === 403)
      return { kind: "refused", status, message: `Playback refused (${status}): ${message}` };
    if (status === 404) return { kind: "missing", status, message: `Not found: ${message}` };
    return { kind: "network", status, message: `The server answered ${status}: ${message}` };
  }
  if (isKey || isPlaylist || details.startsWith("frag")) {
    return {
      kind: "network",
      message: `Could not load the ${isKey ? "key" : isPlaylist ? "playlist" : "video"} (${details}).`,
    };
  }
  return { kind: "media", message: `The video cannot be played (${details}).` };
}
