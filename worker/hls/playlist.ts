/**
 * A strict RFC 8216 serializer: playlists are plain data in, text out, one builder per tag.
 *
 * Parsers are lenient, so a playlist that breaks the RFC often "works" in one player and fails in
 * another; we produce playlists, so every builder throws a `PlaylistError` instead of writing a line
 * that breaks a MUST of RFC 8216 (https://www.rfc-editor.org/rfc/rfc8216). The required
 * EXT-X-VERSION is computed from the features used (§7) rather than trusted from the input.
 *
 * It models what the Worker writes, no more (every byte here is in the Worker's bundle, issue 12):
 * no KEYFORMAT and no media playlist version given by the caller, since neither source-playlist.ts
 * nor the window writer produces them. Enumerated values (METHOD,
 * PLAYLIST-TYPE, the EXT-X-MEDIA TYPE, HDCP-LEVEL) are typed as the RFC's values and not checked
 * again here: source-playlist.ts accepts no other value from a source, and the window writer
 * writes literals.
 */

/**
 * A playlist that would break RFC 8216. These check playlists we build (internal invariants, never
 * client input), so the message is short but says where and which rule: `<tag/attribute>: §<section>`
 * and the offending value when there is one, e.g. `EXTINF: §4.3.3.1 7` (rounds above the target).
 */
export class PlaylistError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlaylistError";
  }
}

/** The one way a check below fails: where (tag or attribute), the RFC 8216 section it breaks, the value. */
function invalid(where: string, section: string, value?: unknown): PlaylistError {
  return new PlaylistError(`${where}: §${section}${value === undefined ? "" : ` ${String(value)}`}`);
}

export type KeyMethod = "NONE" | "AES-128" | "SAMPLE-AES";

/** EXT-X-KEY (§4.3.2.4). */
export interface SegmentKey {
  method: KeyMethod;
  uri?: string;
  /** 16 bytes; written as a hexadecimal-sequence. */
  iv?: Uint8Array;
}

/** EXT-X-BYTERANGE / BYTERANGE attribute (§4.3.2.2). */
export interface ByteRange {
  length: number;
  offset?: number;
}

/** EXT-X-MAP (§4.3.2.5). */
export interface SegmentMap {
  uri: string;
  byteRange?: ByteRange;
}

/** One media segment with the tags that apply to it (§4.3.2). */
export interface MediaSegment {
  uri: string;
  /** Seconds (EXTINF, §4.3.2.1). */
  duration: number;
  title?: string;
  byteRange?: ByteRange;
  /** EXT-X-DISCONTINUITY before this segment (§4.3.2.3). */
  discontinuity?: boolean;
  /** EXT-X-KEY written before this segment; applies until the next key (§4.3.2.4). */
  key?: SegmentKey;
  /** EXT-X-MAP written before this segment (§4.3.2.5). */
  map?: SegmentMap;
  /** EXT-X-PROGRAM-DATE-TIME of this segment's first sample, epoch milliseconds (§4.3.2.6). */
  programDateTime?: number;
}

/** A Media Playlist (§4.3.3). */
export interface MediaPlaylist {
  /** Seconds; omitted -> ceil of the longest EXTINF (§4.3.3.1). */
  targetDuration?: number;
  /** First segment's Media Sequence Number (§4.3.3.2); default 0. */
  mediaSequence?: number;
  /** §4.3.3.3; default 0. */
  discontinuitySequence?: number;
  playlistType?: "VOD" | "EVENT";
  independentSegments?: boolean;
  /** EXT-X-I-FRAMES-ONLY (§4.3.3.6): a VOD clip of an I-frame playlist keeps it. */
  iFramesOnly?: boolean;
  endList: boolean;
  segments: readonly MediaSegment[];
}

/** EXT-X-MEDIA (§4.3.4.1). */
export interface Rendition {
  type: "AUDIO" | "VIDEO" | "SUBTITLES" | "CLOSED-CAPTIONS";
  groupId: string;
  name: string;
  uri?: string;
  language?: string;
  assocLanguage?: string;
  default?: boolean;
  autoselect?: boolean;
  forced?: boolean;
  instreamId?: string;
  characteristics?: string;
  channels?: string;
}

/** EXT-X-STREAM-INF (§4.3.4.2). */
export interface Variant {
  uri: string;
  bandwidth: number;
  averageBandwidth?: number;
  codecs?: string;
  resolution?: { width: number; height: number };
  frameRate?: number;
  hdcpLevel?: "TYPE-0" | "NONE";
  audio?: string;
  video?: string;
  subtitles?: string;
  /** A group id, or NONE (written unquoted, §4.3.4.2). */
  closedCaptions?: string | "NONE";
}

/** EXT-X-I-FRAME-STREAM-INF (§4.3.4.3). */
export interface IFrameVariant {
  uri: string;
  bandwidth: number;
  averageBandwidth?: number;
  codecs?: string;
  resolution?: { width: number; height: number };
  hdcpLevel?: "TYPE-0" | "NONE";
  video?: string;
}

/** A Master (multivariant) Playlist (§4.3.4). */
export interface MasterPlaylist {
  version?: number;
  independentSegments?: boolean;
  renditions: readonly Rendition[];
  variants: readonly Variant[];
  iFrameVariants?: readonly IFrameVariant[];
}

// ---------------------------------------------------------------------------------------------
// Attribute value types (§4.2)

/** decimal-integer: 0 to 2^64-1; we stay within safe integers. */
function decimalInteger(name: string, value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw invalid(name, "4.2 decimal-integer", value);
  }
  return String(value);
}

/** decimal-floating-point, non-negative, written without exponent (§4.2). */
function decimalFloat(name: string, value: number, decimals: number): string {
  if (!Number.isFinite(value) || value < 0) {
    throw invalid(name, "4.2 decimal-floating-point", value);
  }
  return value.toFixed(decimals);
}

/** quoted-string: no double quote, CR or LF (§4.2). An absent value stays absent (an optional attribute). */
function quoted(name: string, value: string): string;
function quoted(name: string, value: string | undefined): string | undefined;
function quoted(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (/["\r\n]/.test(value)) {
    throw invalid(name, "4.2 quoted-string");
  }
  return `"${value}"`;
}

/**
 * Characters no URI line or attribute may hold. Playlists are UTF-8 text in which a line is a URI,
 * a blank or a tag (§4.1): a raw space, CR, LF or control character in a URI either splits the
 * line or is not a URI at all; a double quote would end a quoted-string.
 */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const NOT_IN_URI = /[\s\u0000-\u001f\u007f"]/;

/** Printable ASCII but '"': text made only of these passes NOT_IN_URI, and this test is several times quicker. */
const PRINTABLE_ASCII = /^[!#-~]*$/;

/** A URI line or URI attribute: a non-empty URI with no whitespace or control characters (§4.1, RFC 3986). */
export function uriText(name: string, value: string): string {
  // The usual URI (percent-encoded, ASCII) in one quick test; anything else gets the full checks.
  if (value !== "" && value.charCodeAt(0) !== 0x23 /* # */ && PRINTABLE_ASCII.test(value)) return value;
  // Empty, whitespace, quote or control character; or a leading '#' (that line is a tag or comment).
  if (value === "" || NOT_IN_URI.test(value) || value.startsWith("#")) throw invalid(name, "4.1 URI");
  return value;
}

function hexIv(iv: Uint8Array): string {
  if (iv.length !== 16) throw invalid("EXT-X-KEY IV", "4.3.2.4 bits", iv.length * 8);
  let hex = "0x";
  for (const byte of iv) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

function byteRangeText(name: string, range: ByteRange): string {
  const length = decimalInteger(`${name} length`, range.length);
  return range.offset === undefined ? length : `${length}@${decimalInteger(`${name} offset`, range.offset)}`;
}

function resolutionText(resolution: { width: number; height: number }): string {
  return `${decimalInteger("RESOLUTION width", resolution.width)}x${decimalInteger("RESOLUTION height", resolution.height)}`;
}

function attributeList(attributes: ReadonlyArray<readonly [string, string | undefined]>): string {
  return attributes
    .filter((entry): entry is readonly [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${value}`)
    .join(",");
}

// ---------------------------------------------------------------------------------------------
// One builder per tag

/** `#EXT-X-VERSION` (§4.3.1.2). */
export function extXVersion(version: number): string {
  if (!Number.isSafeInteger(version) || version < 1) throw invalid("EXT-X-VERSION", "4.3.1.2", version);
  return `#EXT-X-VERSION:${version}`;
}

/** `#EXT-X-TARGETDURATION` (§4.3.3.1): a decimal-integer number of seconds. */
export function extXTargetDuration(seconds: number): string {
  return `#EXT-X-TARGETDURATION:${decimalInteger("EXT-X-TARGETDURATION", seconds)}`;
}

/** `#EXT-X-MEDIA-SEQUENCE` (§4.3.3.2). */
export function extXMediaSequence(sequence: number): string {
  return `#EXT-X-MEDIA-SEQUENCE:${decimalInteger("EXT-X-MEDIA-SEQUENCE", sequence)}`;
}

/** `#EXT-X-DISCONTINUITY-SEQUENCE` (§4.3.3.3). */
export function extXDiscontinuitySequence(sequence: number): string {
  return `#EXT-X-DISCONTINUITY-SEQUENCE:${decimalInteger("EXT-X-DISCONTINUITY-SEQUENCE", sequence)}`;
}

/** `#EXT-X-PLAYLIST-TYPE` (§4.3.3.5). */
export function extXPlaylistType(type: "VOD" | "EVENT"): string {
  return `#EXT-X-PLAYLIST-TYPE:${type}`;
}

/** `#EXTINF` (§4.3.2.1): duration in seconds with millisecond precision (needs version 3), optional title. */
export function extInf(duration: number, title = ""): string {
  if (title !== "" && /[\r\n]/.test(title)) throw invalid("EXTINF title", "4.1 CR/LF");
  // Whole seconds (a recorder's usual durations) are written without toFixed: same text, less work.
  const seconds =
    Number.isSafeInteger(duration) && duration >= 0 ? `${duration}.000` : decimalFloat("EXTINF duration", duration, 3);
  return `#EXTINF:${seconds},${title}`;
}

/** `#EXT-X-BYTERANGE` (§4.3.2.2). */
export function extXByteRange(range: ByteRange): string {
  return `#EXT-X-BYTERANGE:${byteRangeText("EXT-X-BYTERANGE", range)}`;
}

/** `#EXT-X-KEY` (§4.3.2.4). */
export function extXKey(key: SegmentKey): string {
  const method = key.method;
  if (method === "NONE") {
    // "If the encryption method is NONE, other attributes MUST NOT be present."
    if (key.uri !== undefined || key.iv !== undefined) {
      throw invalid("EXT-X-KEY METHOD=NONE", "4.3.2.4 other attributes");
    }
    return "#EXT-X-KEY:METHOD=NONE";
  }
  // "This attribute is REQUIRED unless the METHOD is NONE."
  if (key.uri === undefined) throw invalid("EXT-X-KEY URI", "4.3.2.4 missing");
  return `#EXT-X-KEY:${attributeList([
    ["METHOD", method],
    ["URI", quoted("EXT-X-KEY URI", uriText("EXT-X-KEY URI", key.uri))],
    ["IV", key.iv === undefined ? undefined : hexIv(key.iv)],
  ])}`;
}

/** `#EXT-X-MAP` (§4.3.2.5). */
export function extXMap(map: SegmentMap): string {
  return `#EXT-X-MAP:${attributeList([
    ["URI", quoted("EXT-X-MAP URI", uriText("EXT-X-MAP URI", map.uri))],
    [
      "BYTERANGE",
      map.byteRange === undefined
        ? undefined
        : quoted("EXT-X-MAP BYTERANGE", byteRangeText("EXT-X-MAP BYTERANGE", map.byteRange)),
    ],
  ])}`;
}

/** `#EXT-X-PROGRAM-DATE-TIME` (§4.3.2.6): ISO 8601 with a time zone, millisecond precision. */
export function extXProgramDateTime(epochMs: number): string {
  // A valid date in years 0000-9999 (ISO 8601 as toISOString writes it without a sign).
  const date = new Date(epochMs);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999) {
    throw invalid("EXT-X-PROGRAM-DATE-TIME", "4.3.2.6", epochMs);
  }
  return `#EXT-X-PROGRAM-DATE-TIME:${date.toISOString()}`;
}

/** `#EXT-X-MEDIA` (§4.3.4.1). */
export function extXMedia(rendition: Rendition): string {
  const { type } = rendition;
  // "If the TYPE is CLOSED-CAPTIONS, the URI attribute MUST NOT be present."
  if (type === "CLOSED-CAPTIONS" && rendition.uri !== undefined) {
    throw invalid("EXT-X-MEDIA URI", "4.3.4.1", type);
  }
  if (type === "SUBTITLES" && rendition.uri === undefined) throw invalid("EXT-X-MEDIA URI", "4.3.4.1", type);
  // "This attribute is REQUIRED if the TYPE attribute is CLOSED-CAPTIONS ... For all other TYPE values, INSTREAM-ID MUST NOT be specified."
  if ((type === "CLOSED-CAPTIONS") !== (rendition.instreamId !== undefined)) {
    throw invalid("EXT-X-MEDIA INSTREAM-ID", "4.3.4.1", type);
  }
  // "If the AUTOSELECT attribute is present, its value MUST be YES if the value of the DEFAULT attribute is YES."
  if (rendition.default === true && rendition.autoselect === false) {
    throw invalid("EXT-X-MEDIA AUTOSELECT", "4.3.4.1 DEFAULT=YES");
  }
  // "The FORCED attribute MUST NOT be present unless the TYPE is SUBTITLES."
  if (rendition.forced !== undefined && type !== "SUBTITLES") {
    throw invalid("EXT-X-MEDIA FORCED", "4.3.4.1", type);
  }
  const yesNo = (value: boolean | undefined) => (value === undefined ? undefined : value ? "YES" : "NO");
  return `#EXT-X-MEDIA:${attributeList([
    ["TYPE", type],
    [
      "URI",
      rendition.uri === undefined ? undefined : quoted("EXT-X-MEDIA URI", uriText("EXT-X-MEDIA URI", rendition.uri)),
    ],
    ["GROUP-ID", quoted("EXT-X-MEDIA GROUP-ID", rendition.groupId)],
    ["LANGUAGE", quoted("LANGUAGE", rendition.language)],
    ["ASSOC-LANGUAGE", quoted("ASSOC-LANGUAGE", rendition.assocLanguage)],
    ["NAME", quoted("EXT-X-MEDIA NAME", rendition.name)],
    ["DEFAULT", yesNo(rendition.default)],
    ["AUTOSELECT", yesNo(rendition.autoselect)],
    ["FORCED", yesNo(rendition.forced)],
    ["INSTREAM-ID", quoted("INSTREAM-ID", rendition.instreamId)],
    ["CHARACTERISTICS", quoted("CHARACTERISTICS", rendition.characteristics)],
    ["CHANNELS", quoted("CHANNELS", rendition.channels)],
  ])}`;
}

/**
 * The attributes EXT-X-STREAM-INF and EXT-X-I-FRAME-STREAM-INF share, in the order both write
 * them: BANDWIDTH, AVERAGE-BANDWIDTH, CODECS, RESOLUTION (§4.3.4.2, §4.3.4.3).
 */
function streamInfAttributes(
  variant: Pick<Variant, "bandwidth" | "averageBandwidth" | "codecs" | "resolution">,
): Array<readonly [string, string | undefined]> {
  return [
    ["BANDWIDTH", decimalInteger("BANDWIDTH", variant.bandwidth)],
    [
      "AVERAGE-BANDWIDTH",
      variant.averageBandwidth === undefined
        ? undefined
        : decimalInteger("AVERAGE-BANDWIDTH", variant.averageBandwidth),
    ],
    ["CODECS", quoted("CODECS", variant.codecs)],
    ["RESOLUTION", variant.resolution === undefined ? undefined : resolutionText(variant.resolution)],
  ];
}

/** `#EXT-X-STREAM-INF` followed by its URI line (§4.3.4.2). */
export function extXStreamInf(variant: Variant): string {
  return `#EXT-X-STREAM-INF:${attributeList([
    ...streamInfAttributes(variant),
    ["FRAME-RATE", variant.frameRate === undefined ? undefined : decimalFloat("FRAME-RATE", variant.frameRate, 3)],
    ["HDCP-LEVEL", variant.hdcpLevel],
    ["AUDIO", quoted("AUDIO", variant.audio)],
    ["VIDEO", quoted("VIDEO", variant.video)],
    ["SUBTITLES", quoted("SUBTITLES", variant.subtitles)],
    [
      "CLOSED-CAPTIONS",
      variant.closedCaptions === undefined
        ? undefined
        : variant.closedCaptions === "NONE"
          ? "NONE"
          : quoted("CLOSED-CAPTIONS", variant.closedCaptions),
    ],
  ])}\n${uriText("EXT-X-STREAM-INF URI", variant.uri)}`;
}

/** `#EXT-X-I-FRAME-STREAM-INF` (§4.3.4.3): URI is an attribute, no URI line follows. */
export function extXIFrameStreamInf(variant: IFrameVariant): string {
  return `#EXT-X-I-FRAME-STREAM-INF:${attributeList([
    ...streamInfAttributes(variant),
    ["HDCP-LEVEL", variant.hdcpLevel],
    ["VIDEO", quoted("VIDEO", variant.video)],
    ["URI", quoted("EXT-X-I-FRAME-STREAM-INF URI", uriText("EXT-X-I-FRAME-STREAM-INF URI", variant.uri))],
  ])}`;
}

// ---------------------------------------------------------------------------------------------
// Playlists

/** The lowest EXT-X-VERSION a media playlist needs (§7). */
export function requiredMediaVersion(playlist: MediaPlaylist): number {
  // Floating-point EXTINF durations need version 3 (§7); we always write them with decimals.
  let version = 3;
  for (const segment of playlist.segments) {
    // "The IV attribute of the EXT-X-KEY tag" needs version 2 (§7) - covered by 3.
    if (segment.byteRange !== undefined || segment.map?.byteRange !== undefined) version = Math.max(version, 4);
    // EXT-X-MAP needs 5 in I-frames-only playlists and 6 otherwise (§4.3.2.5, §7).
    if (segment.map !== undefined) version = Math.max(version, playlist.iFramesOnly ? 5 : 6);
  }
  // EXT-X-I-FRAMES-ONLY needs 4 (§4.3.3.6).
  return playlist.iFramesOnly ? Math.max(version, 4) : version;
}

/**
 * Serialises a Media Playlist (§4.3.3). Throws PlaylistError for anything RFC 8216 forbids,
 * notably an EXTINF that rounds above EXT-X-TARGETDURATION (§4.3.3.1).
 */
export function serializeMediaPlaylist(playlist: MediaPlaylist): string {
  const segments = playlist.segments;
  let maxDuration = 0;
  for (const segment of segments) if (segment.duration > maxDuration) maxDuration = segment.duration;
  const targetDuration = playlist.targetDuration ?? Math.max(1, Math.ceil(maxDuration));
  const version = requiredMediaVersion(playlist);
  if (playlist.playlistType === "VOD" && !playlist.endList) {
    // A VOD playlist cannot change (§4.3.3.5), so it is complete: it must end the presentation.
    throw invalid("EXT-X-ENDLIST", "4.3.3.5 VOD");
  }
  if (segments.length === 0 && playlist.endList) {
    throw invalid("EXT-X-ENDLIST", "4.3.3.4 no segment");
  }

  // Built by concatenation (V8 joins the pieces once, when the text is used): a line array and
  // join cost more for the thousands of lines of a day-long window.
  let text = `#EXTM3U\n${extXVersion(version)}\n${extXTargetDuration(targetDuration)}\n`;
  // Written even when 0: window playlists are compared across reloads by this number (§6.2.2).
  text += `${extXMediaSequence(playlist.mediaSequence ?? 0)}\n`;
  if (playlist.discontinuitySequence !== undefined && playlist.discontinuitySequence !== 0) {
    text += `${extXDiscontinuitySequence(playlist.discontinuitySequence)}\n`;
  }
  if (playlist.playlistType !== undefined) text += `${extXPlaylistType(playlist.playlistType)}\n`;
  if (playlist.independentSegments) text += "#EXT-X-INDEPENDENT-SEGMENTS\n";
  if (playlist.iFramesOnly) text += "#EXT-X-I-FRAMES-ONLY\n";

  let previousByteRangeEnd: { uri: string; end: number } | undefined;
  for (const segment of segments) {
    // "The EXTINF duration of each Media Segment in the Playlist file, when rounded to the nearest
    // integer, MUST be less than or equal to the target duration" (§4.3.3.1).
    if (Math.round(segment.duration) > targetDuration) {
      throw invalid("EXTINF", `4.3.3.1 ${segment.duration} > ${targetDuration}`);
    }
    if (segment.discontinuity) text += "#EXT-X-DISCONTINUITY\n";
    if (segment.key !== undefined) text += `${extXKey(segment.key)}\n`;
    if (segment.map !== undefined) text += `${extXMap(segment.map)}\n`;
    if (segment.programDateTime !== undefined) text += `${extXProgramDateTime(segment.programDateTime)}\n`;
    text += `${extInf(segment.duration, segment.title)}\n`;
    if (segment.byteRange !== undefined) {
      // "If o is not present, the sub-range begins at the next byte following the sub-range of the
      // previous Media Segment. If o is not present, a previous Media Segment MUST appear in the
      // Playlist file and MUST be a sub-range of the same media resource" (§4.3.2.2).
      if (
        segment.byteRange.offset === undefined &&
        (previousByteRangeEnd === undefined || previousByteRangeEnd.uri !== segment.uri)
      ) {
        throw invalid("EXT-X-BYTERANGE", "4.3.2.2 no offset", segment.uri);
      }
      text += `${extXByteRange(segment.byteRange)}\n`;
      const start = segment.byteRange.offset ?? previousByteRangeEnd!.end;
      previousByteRangeEnd = { uri: segment.uri, end: start + segment.byteRange.length };
    } else {
      previousByteRangeEnd = undefined;
    }
    text += `${uriText("Media segment URI", segment.uri)}\n`;
  }
  if (playlist.endList) text += "#EXT-X-ENDLIST\n";
  return text;
}

/**
 * Serialises a Master Playlist (§4.3.4). Throws PlaylistError for group references that do not
 * resolve and for other violations of §4.3.4.
 */
export function serializeMasterPlaylist(playlist: MasterPlaylist): string {
  if (playlist.variants.length === 0) {
    throw invalid("EXT-X-STREAM-INF", "4.3.4.2 none");
  }
  // EXT-X-MEDIA with INSTREAM-ID values SERVICEn need version 7; we only pass CC1-4 through (§7).
  let required = 1;
  for (const rendition of playlist.renditions) {
    if (rendition.instreamId?.startsWith("SERVICE")) required = Math.max(required, 7);
  }
  // A source version below what the features need is raised rather than refused: it is the
  // source's statement, not ours.
  const version = Math.max(playlist.version ?? required, required);
  const groups = new Map<string, Set<string>>();
  const names = new Set<string>();
  for (const rendition of playlist.renditions) {
    const key = `${rendition.type}\u0000${rendition.groupId}`;
    // "All EXT-X-MEDIA tags in the same Group MUST have different NAME attributes" (§4.3.4.1.1).
    if (names.has(`${key}\u0000${rendition.name}`)) {
      throw invalid("EXT-X-MEDIA NAME", "4.3.4.1.1 repeated", rendition.name);
    }
    names.add(`${key}\u0000${rendition.name}`);
    if (!groups.has(rendition.type)) groups.set(rendition.type, new Set());
    groups.get(rendition.type)!.add(rendition.groupId);
  }
  // Each attribute names a group of the TYPE it is named after.
  const checkGroup = (type: Rendition["type"], groupId: string | undefined) => {
    // "It MUST match the value of the GROUP-ID attribute of an EXT-X-MEDIA tag elsewhere in the
    // Master Playlist whose TYPE attribute is ..." (§4.3.4.2).
    if (groupId !== undefined && groupId !== "NONE" && !groups.get(type)?.has(groupId)) {
      throw invalid(`EXT-X-STREAM-INF ${type}`, "4.3.4.2 no group", groupId);
    }
  };

  const lines: string[] = ["#EXTM3U", extXVersion(version)];
  if (playlist.independentSegments) lines.push("#EXT-X-INDEPENDENT-SEGMENTS");
  for (const rendition of playlist.renditions) lines.push(extXMedia(rendition));
  for (const variant of playlist.variants) {
    checkGroup("AUDIO", variant.audio);
    checkGroup("VIDEO", variant.video);
    checkGroup("SUBTITLES", variant.subtitles);
    checkGroup("CLOSED-CAPTIONS", variant.closedCaptions);
    lines.push(extXStreamInf(variant));
  }
  for (const variant of playlist.iFrameVariants ?? []) {
    checkGroup("VIDEO", variant.video);
    lines.push(extXIFrameStreamInf(variant));
  }
  return lines.join("\n") + "\n";
}
