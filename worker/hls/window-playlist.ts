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
 * A template line holds a quote where its hour's `YYYYMMDDTHH` goes: no URI line holds one (§4.1;
 * the first URI, which has the base and suffix of all, is checked before a template is made).
 */
const HOUR_MARK = '"';

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
 * seconds: such a run is one cut of a template of its hour's lines (made once per step and
 * phase, HOUR_MARK for the hour), split at the marks and joined with the hour, rather than a name
 * cut from each key and three strings added per segment (a week's window: ~20,000 segments). V8
 * splits and joins natively into one flat string; a global replace added two strings per match
 * (its fast path is a loop of string additions unless the replacement holds a `$`: callgrind of
 * workerd). A segment's key is its stream's prefix + the name of its start (every reader parses
 * the start from the name), so the template's name is the key's.
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
  const templates = new Map<number, string>();
  for (let index = 0, end; index < segments.length; index = end) {
    const { start, duration, discontinuity } = segments[index]!;
    if (discontinuity) text += "#EXT-X-DISCONTINUITY\n";
    // PROGRAM-DATE-TIME on the first segment and after each gap, where the timeline restarts (§4.3.2.6).
    if (index === 0 || discontinuity) text += `${extXProgramDateTime(start * 1000)}\n`;
    const lead = `${extInf(duration)}\n${uris.base}`;
    end = Math.max(index + 1, runEnd(segments, index, nameOffset + NAME_LENGTH));
    const length = end - index;
    const within = start % HOUR_SECONDS;
    const phase = within % duration;
    const key = duration * HOUR_SECONDS + phase;
    let template = templates.get(key);
    // A template costs its hour's lines: made for a run of a quarter of them or more.
    if (template === undefined && length > 1 && length * 4 >= (HOUR_SECONDS - phase) / duration) {
      template = "";
      for (let second = phase; second < HOUR_SECONDS; second += duration) {
        template += `${lead}${HOUR_MARK}${formatSegmentName(second).slice(11)}${tail}`;
      }
      templates.set(key, template);
    }
    if (length > 1 && template !== undefined) {
      const line = lead.length + NAME_LENGTH - 10 + tail.length;
      const first = (within - phase) / duration;
      text += template
        .slice(first * line, (first + length) * line)
        .split(HOUR_MARK)
        .join(formatSegmentName(start).slice(0, 11));
      continue;
    }
    // Not a run, or too short a one to pay for its template: the same lines one by one.
    for (let each = index; each < end; each++) {
      const name = segments[each]!.key.slice(nameOffset);
      // A name of another length (none, by construction) has its own URI checked (§4.1).
      if (name.length !== NAME_LENGTH) uriText("Media segment URI", uris.base + name + uris.suffix);
      text += lead + name + tail;
    }
  }
  return window.settled ? `${text}#EXT-X-ENDLIST\n` : text;
}
