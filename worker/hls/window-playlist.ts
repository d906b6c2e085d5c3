/**
 * A recorder window's playlist written straight to bytes: the text serializeMediaPlaylist gives
 * for windowPlaylist's model (./recordings.ts), without building a segment object and a URI
 * string per segment and one long string that the runtime then flattens and encodes again.
 * A 24 h window is ~2,900 segments and ~260 KB; a week ~20,000 segments and ~1.8 MB: there, the
 * string path spent more CPU on flattening and UTF-8 encoding its text than on everything else.
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
const encoder = new TextEncoder();
const DISCONTINUITY = encoder.encode("#EXT-X-DISCONTINUITY\n");
const END_LIST = "#EXT-X-ENDLIST\n";

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
 * The window playlist's bytes (UTF-8, all ASCII), identical to
 * serializeMediaPlaylist(windowPlaylist(...)) with the same URIs; that text itself when the
 * URIs cannot take the fast path. Throws PlaylistError where the general serializer would.
 */
export function serializeWindowPlaylist(
  segments: readonly WindowSegment[],
  window: RecordingWindow,
  segmentSeconds: number,
  uris: WindowUris,
): Uint8Array<ArrayBuffer> | string {
  if (!directlyWritable(segments, uris) || (window.settled && segments.length === 0)) {
    const uri = (segment: WindowSegment) => uris.base + segment.key.slice(uris.nameOffset) + uris.suffix;
    return serializeMediaPlaylist(windowPlaylist(segments, window, segmentSeconds, uri));
  }
  const header = encoder.encode(headerText(segments, window, segmentSeconds));
  const base = encoder.encode(uris.base);
  const suffix = encoder.encode(`${uris.suffix}\n`);
  // `#EXTINF:<duration>,\n` per distinct duration (a recorder's are a handful of whole seconds).
  const extInfs = new Map<number, Uint8Array>();
  const dates: Uint8Array[] = [];
  let size = header.length + (window.settled ? END_LIST.length : 0);
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index]!;
    let line = extInfs.get(segment.duration);
    if (line === undefined) extInfs.set(segment.duration, (line = encoder.encode(`${extInf(segment.duration)}\n`)));
    size += line.length + base.length + NAME_LENGTH + suffix.length;
    if (segment.discontinuity) size += DISCONTINUITY.length;
    // PROGRAM-DATE-TIME on the first segment and after each gap, where the timeline restarts (§4.3.2.6).
    if (index === 0 || segment.discontinuity) {
      const date = encoder.encode(`${extXProgramDateTime(segment.start * 1000)}\n`);
      dates.push(date);
      size += date.length;
    }
  }
  const out = new Uint8Array(size);
  out.set(header, 0);
  let at = header.length;
  let dated = 0;
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index]!;
    if (segment.discontinuity) {
      out.set(DISCONTINUITY, at);
      at += DISCONTINUITY.length;
    }
    if (index === 0 || segment.discontinuity) {
      const date = dates[dated++]!;
      out.set(date, at);
      at += date.length;
    }
    const line = extInfs.get(segment.duration)!;
    out.set(line, at);
    at += line.length;
    out.set(base, at);
    at += base.length;
    const key = segment.key;
    for (let i = uris.nameOffset, end = key.length; i < end; i++) out[at++] = key.charCodeAt(i);
    out.set(suffix, at);
    at += suffix.length;
  }
  if (window.settled) encoder.encodeInto(END_LIST, out.subarray(at));
  return out;
}
