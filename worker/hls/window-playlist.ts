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
import {
  formatSegmentName,
  mediaSequenceFor,
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

/** Runs are cut at hours, where a name's `YYYYMMDDTHH` changes. */
const HOUR_SECONDS = 3600;

/**
 * End (exclusive) of the regular run that starts at `from`: segments of one hour, each `step` (its
 * duration) after the one before, no gap between them, keys of prefix + name. Starts are whole
 * seconds (names), so a run of two or more has a whole step.
 */
function runEnd(segments: readonly WindowSegment[], from: number, keyLength: number): number {
  const { start: first, duration: step } = segments[from]!;
  let end = from;
  for (let start = first; end < segments.length && start < first - (first % HOUR_SECONDS) + HOUR_SECONDS; end++) {
    const segment = segments[end]!;
    if (segment.start !== start || segment.duration !== step || segment.key.length !== keyLength) break;
    if (end > from && segment.discontinuity) break;
    start += step;
  }
  return end;
}

/**
 * The window playlist, identical to what serializeMediaPlaylist writes for the same window and
 * URIs. Throws PlaylistError where the general serializer would.
 *
 * A settled hour is 120 segments 30 s apart, whose lines differ only in the name's minutes and
 * seconds: such a run is written as one join of the ends of its hour's lines (`MMSSZ.ts<suffix>\n`,
 * made once per step and phase) with `#EXTINF:<step>,\n<base>YYYYMMDDTHH` between them, which V8
 * copies natively into one flat string, rather than a name cut from each key and three strings
 * added per segment (a week's window: ~20,000 segments). A segment's key is its stream's prefix +
 * the name of its start (every reader parses the start from the name), so the line's name is the key's.
 */
export function serializeWindowPlaylist(
  segments: readonly WindowSegment[],
  window: RecordingWindow,
  segmentSeconds: number,
  uris: WindowUris,
): string {
  // A settled (VOD) window without a segment: the general serializer's own refusal (§4.3.3.4).
  if (window.settled && segments.length === 0) return serializeMediaPlaylist({ endList: true, segments: [] });
  const nameOffset = uris.nameOffset;
  // The first URI is checked for all (§4.1): names are of [0-9TZ.ts], or have their own checked below.
  if (segments.length > 0) uriText("Media segment URI", uris.base + segments[0]!.key.slice(nameOffset) + uris.suffix);
  let text = headerText(segments, window, segmentSeconds);
  const tail = `${uris.suffix}\n`;
  const lineEnds = new Map<number, string[]>();
  // One EXTINF line per duration, not per run: in a jittery archive most runs are one segment.
  const leads = new Map<number, string>();
  for (let index = 0, end; index < segments.length; index = end) {
    const { start, duration, discontinuity } = segments[index]!;
    if (discontinuity) text += "#EXT-X-DISCONTINUITY\n";
    // PROGRAM-DATE-TIME on the first segment and after each gap, where the timeline restarts (§4.3.2.6).
    if (index === 0 || discontinuity) text += `${extXProgramDateTime(start * 1000)}\n`;
    let lead = leads.get(duration);
    if (lead === undefined) leads.set(duration, (lead = `${extInf(duration)}\n${uris.base}`));
    end = Math.max(index + 1, runEnd(segments, index, nameOffset + NAME_LENGTH));
    const length = end - index;
    const within = start % HOUR_SECONDS;
    const phase = within % duration;
    const key = duration * HOUR_SECONDS + phase;
    let ends = lineEnds.get(key);
    // The ends cost their hour's lines: made for a run of a quarter of them or more. They and what
    // goes between them are joined from arrays, so flat: the join copies them for every line, and
    // a concatenated string (a rope) is walked at every copy (callgrind: 56 against 47 M a week).
    if (ends === undefined && length > 1 && length * 4 >= (HOUR_SECONDS - phase) / duration) {
      ends = [];
      for (let second = phase; second < HOUR_SECONDS; second += duration) {
        ends.push([formatSegmentName(second).slice(11), tail].join(""));
      }
      lineEnds.set(key, ends);
    }
    if (length > 1 && ends !== undefined) {
      const first = (within - phase) / duration;
      const between = [lead, formatSegmentName(start).slice(0, 11)].join("");
      text += between + ends.slice(first, first + length).join(between);
      continue;
    }
    // Not a run, or too short a one to pay for its line ends: the same lines one by one.
    for (let each = index; each < end; each++) {
      const name = segments[each]!.key.slice(nameOffset);
      // A name of another length (none, by construction) has its own URI checked (§4.1).
      if (name.length !== NAME_LENGTH) uriText("Media segment URI", uris.base + name + uris.suffix);
      text += lead + name + tail;
    }
  }
  return window.settled ? `${text}#EXT-X-ENDLIST\n` : text;
}
