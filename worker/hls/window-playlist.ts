/**
 * A recorder window's playlist written in one pass: the text serializeMediaPlaylist gives for the
 * same window (the model in test/unit/hls/window-model.ts), without a MediaSegment object, a URI
 * closure call and a URI check per segment: a 24 h window is ~2,900 segments, a week ~20,000
 * (1.8 MB). (Measured in workerd: writing the bytes into a Uint8Array ourselves cost 2-5 times more
 * than concatenating strings and letting the runtime encode the result once.)
 *
 * Every URI is `base + segment name + suffix`. A segment name is 19 characters of [0-9TZ.ts]
 * (ArchivedSegment's key is the stream's prefix + a name that parsed), so the first URI is checked
 * with the rules a URI line must follow (RFC 8216 §4.1) for all of them; a name of another length
 * (none, by construction) has its own URI checked.
 */
import {
  extInf,
  extXMediaSequence,
  extXPlaylistType,
  extXProgramDateTime,
  extXTargetDuration,
  extXVersion,
  serializeMediaPlaylist,
  uriText,
} from "./playlist.ts";
import { mediaSequenceFor, windowTargetDuration, type RecordingWindow, type WindowSegment } from "./recordings.ts";

/** How a segment's URI is made: `base + key.slice(nameOffset) + suffix`. */
export interface WindowUris {
  base: string;
  /** Length of the stream's key prefix: the segment name follows it. */
  nameOffset: number;
  suffix: string;
}

/** Segment file name length (`YYYYMMDDTHHMMSSZ.ts`). */
const NAME_LENGTH = 19;

/** Throws PlaylistError where serializeMediaPlaylist would for these URIs (§4.1). */
function checkUris(segments: readonly WindowSegment[], uris: WindowUris): void {
  const uri = (segment: WindowSegment) => uris.base + segment.key.slice(uris.nameOffset) + uris.suffix;
  if (segments.length > 0) uriText("Media segment URI", uri(segments[0]!));
  for (const segment of segments) {
    if (segment.key.length - uris.nameOffset !== NAME_LENGTH) uriText("Media segment URI", uri(segment));
  }
}

/** The header lines, as serializeMediaPlaylist writes them for the window. */
function headerText(segments: readonly WindowSegment[], window: RecordingWindow, segmentSeconds: number): string {
  const first = segments[0];
  // Version 3: EXTINF durations with decimals (§7); window playlists use nothing that needs more.
  return (
    `#EXTM3U\n${extXVersion(3)}\n${extXTargetDuration(windowTargetDuration(segments, segmentSeconds))}\n` +
    `${extXMediaSequence(first === undefined ? 0 : mediaSequenceFor(first.start, segmentSeconds))}\n` +
    `${extXPlaylistType(window.settled ? "VOD" : "EVENT")}\n`
  );
}

/**
 * The window playlist, identical to what serializeMediaPlaylist writes for the same window and
 * URIs. Throws PlaylistError where the general serializer would.
 */
export function serializeWindowPlaylist(
  segments: readonly WindowSegment[],
  window: RecordingWindow,
  segmentSeconds: number,
  uris: WindowUris,
): string {
  // A settled (VOD) window without a segment: the general serializer's own refusal (§4.3.3.4).
  if (window.settled && segments.length === 0) return serializeMediaPlaylist({ endList: true, segments: [] });
  checkUris(segments, uris);
  let text = headerText(segments, window, segmentSeconds);
  const nameOffset = uris.nameOffset;
  const tail = `${uris.suffix}\n`;
  // `#EXTINF:<duration>,\n` and the URI's base, per distinct duration (a recorder's are a handful).
  const leads = new Map<number, string>();
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index]!;
    if (segment.discontinuity) text += "#EXT-X-DISCONTINUITY\n";
    // PROGRAM-DATE-TIME on the first segment and after each gap, where the timeline restarts (§4.3.2.6).
    if (index === 0 || segment.discontinuity) text += `${extXProgramDateTime(segment.start * 1000)}\n`;
    let lead = leads.get(segment.duration);
    if (lead === undefined) leads.set(segment.duration, (lead = `${extInf(segment.duration)}\n${uris.base}`));
    text += lead + segment.key.slice(nameOffset) + tail;
  }
  return window.settled ? `${text}#EXT-X-ENDLIST\n` : text;
}
