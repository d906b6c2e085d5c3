/**
 * The recorder window playlist as a general MediaPlaylist model: what serializeMediaPlaylist must
 * write for a window, and so the oracle for worker/hls/window-playlist.ts, which writes the same
 * text in one pass (test/unit/hls/window-playlist.test.ts).
 */
import type { MediaPlaylist, MediaSegment } from "../../../worker/hls/playlist.ts";
import {
  mediaSequenceFor,
  windowTargetDuration,
  type RecordingWindow,
  type WindowSegment,
} from "../../../worker/hls/recordings.ts";

/**
 * The playlist for placed segments. Settled windows are VOD with EXT-X-ENDLIST (§4.3.3.4-5);
 * others are EVENT playlists (append-only, §4.3.3.5) without ENDLIST that players reload.
 * PROGRAM-DATE-TIME is written on the first segment and after every discontinuity, where the
 * timeline restarts (§4.3.2.6); between them it follows from the EXTINF durations, which are
 * themselves derived from the segment names.
 */
export function windowPlaylist(
  segments: readonly WindowSegment[],
  window: RecordingWindow,
  segmentSeconds: number,
  segmentUri: (segment: WindowSegment) => string,
): MediaPlaylist {
  const first = segments[0];
  const entries = new Array<MediaSegment>(segments.length);
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index]!;
    entries[index] = {
      uri: segmentUri(segment),
      duration: segment.duration,
      discontinuity: segment.discontinuity,
      programDateTime: index === 0 || segment.discontinuity ? segment.start * 1000 : undefined,
    };
  }
  return {
    targetDuration: windowTargetDuration(segments, segmentSeconds),
    mediaSequence: first === undefined ? 0 : mediaSequenceFor(first.start, segmentSeconds),
    playlistType: window.settled ? "VOD" : "EVENT",
    endList: window.settled,
    segments: entries,
  };
}
