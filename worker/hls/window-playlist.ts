/**
 * A recorder window's playlist written in one pass: the text serializeMediaPlaylist gives for
 * windowPlaylist's model (./recordings.ts), without a MediaSegment object, a URI closure call and
 * a URI check per segment: a 24 h window is ~2,900 segments, a week ~20,000 (1.8 MB).
 * (Measured in workerd: writing the bytes into a Uint8Array ourselves cost 2-5 times more than
 * concatenating strings and letting the runtime encode the result once.)
 *
 * Every URI is `base + segment name + suffix`. A segment name is 19 characters of [0-9TZ.ts]
 * (ArchivedSegment's key is the stream's prefix + a name that parsed), so base and suffix are
 * checked once with the rules a URI line must follow (RFC 8216 §4.1); when they are not plain
 * printable ASCII the general serializer runs instead, with its own checks and errors.
 */
import {
  extInf,
  extXMediaSequence,
  extXPlaylistType,
  extXProgramDateTime,
  extXTargetDuration,
  extXVersion,
  serializeMediaPlaylist,
} from "./playlist.ts";
import {
  mediaSequenceFor,
  windowPlaylist,
  windowTargetDuration,
  type RecordingWindow,
  type WindowSegment,
} from "./recordings.ts";

/** How a segment's URI is made: `base + key.slice(nameOffset) + suffix`. */
export interface WindowUris {
  base: string;
  /** Length of the stream's key prefix: the segment name follows it. */
  nameOffset: number;
  suffix: string;
}

/** Segment file name length (`YYYYMMDDTHHMMSSZ.ts`). */
const NAME_LENGTH = 19;
/** Printable ASCII but '"' (as playlist.ts's quick URI test): base and suffix made of these need no other check. */
const PRINTABLE_ASCII = /^[!#-~]*$/;

/** Whether every URI can be written by the fast path (else the general serializer decides). */
function directlyWritable(segments: readonly WindowSegment[], uris: WindowUris): boolean {
  if (!PRINTABLE_ASCII.test(uris.base) || !PRINTABLE_ASCII.test(uris.suffix)) return false;
  // A URI line must not start with '#' (§4.1); a name starts with a digit.
  if (uris.base.startsWith("#")) return false;
  for (const segment of segments) if (segment.key.length - uris.nameOffset !== NAME_LENGTH) return false;
  return true;
}

/** The header lines, as serializeMediaPlaylist writes them for windowPlaylist's model. */
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
 * The window playlist, identical to serializeMediaPlaylist(windowPlaylist(...)) with the same
 * URIs (which it is, when the URIs cannot take the fast path). Throws PlaylistError where the general serializer would.
 */
export function serializeWindowPlaylist(
  segments: readonly WindowSegment[],
  window: RecordingWindow,
  segmentSeconds: number,
  uris: WindowUris,
): string {
  if (!directlyWritable(segments, uris) || (window.settled && segments.length === 0)) {
    const uri = (segment: WindowSegment) => uris.base + segment.key.slice(uris.nameOffset) + uris.suffix;
    return serializeMediaPlaylist(windowPlaylist(segments, window, segmentSeconds, uri));
  }
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
