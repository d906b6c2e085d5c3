/**
 * Reads the playlists MediaConvert writes (and our emulator, which writes the same tags) into the
 * plain data that worker/hls/vod.ts clips and rewrites.
 *
 * Why our own reader rather than m3u8-parser: bundle size. m3u8-parser (with @videojs/vhs-utils and
 * @babel/runtime) was ~7 KiB of the Worker's gzip bundle for the dozen tags below, and every cold
 * isolate pays for it (issue 12, "Bench"). m3u8-parser stays as this reader's test oracle: both must
 * read every playlist the tests and the emulator produce, and mutations of them, to the same data
 * (test/unit/hls/source-playlist.test.ts).
 *
 * Tags read (RFC 8216, https://www.rfc-editor.org/rfc/rfc8216): EXTM3U, EXT-X-VERSION,
 * EXT-X-INDEPENDENT-SEGMENTS, EXT-X-TARGETDURATION, EXT-X-MEDIA-SEQUENCE,
 * EXT-X-DISCONTINUITY-SEQUENCE, EXT-X-PLAYLIST-TYPE, EXT-X-I-FRAMES-ONLY, EXT-X-ENDLIST, EXTINF, EXT-X-BYTERANGE,
 * EXT-X-DISCONTINUITY, EXT-X-KEY, EXT-X-MAP, EXT-X-PROGRAM-DATE-TIME, EXT-X-STREAM-INF, EXT-X-MEDIA,
 * EXT-X-I-FRAME-STREAM-INF. Other tags are dropped, as a client drops tags it does not recognise
 * (§6.3.1) and as m3u8-parser's model did, except EXT-X-DEFINE, which is refused: its variables
 * would have to be substituted into URIs and attributes. A value that breaks the RFC's grammar
 * (§4.2) is refused with a SourcePlaylistError rather than guessed at.
 */
import type { IFrameVariant, KeyMethod, MasterPlaylist, Rendition, SegmentMap, Variant } from "./playlist.ts";

/** The source playlist cannot be used (not a playlist, or one we cannot represent faithfully). */
export class SourcePlaylistError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SourcePlaylistError";
  }
}

/** A key as the source states it; `uri` is the original (relative) URI. */
export interface SourceKey {
  method: KeyMethod;
  uri?: string;
  iv?: Uint8Array;
}

/** A source media segment with everything in force for it. */
export interface SourceSegment {
  uri: string;
  duration: number;
  mediaSequence: number;
  /** Discontinuity sequence number of this segment (§4.3.3.3). */
  discontinuitySequence: number;
  key?: SourceKey;
  map?: SegmentMap;
  byteRange?: { length: number; offset: number };
  programDateTime?: number;
  /** Whether the source wrote a PROGRAM-DATE-TIME tag on this segment. */
  hasProgramDateTimeTag: boolean;
  title?: string;
}

export interface SourceMediaPlaylist {
  kind: "media";
  targetDuration?: number;
  playlistType?: "VOD" | "EVENT";
  independentSegments: boolean;
  /**
   * EXT-X-I-FRAMES-ONLY (§4.3.3.6): each segment is one I-frame (MediaConvert's I-frame-only
   * manifests, which a job template can ask for). A player that lost the tag would decode them as
   * ordinary media.
   */
  iFramesOnly: boolean;
  endList: boolean;
  segments: SourceSegment[];
}

export interface SourceMasterPlaylist {
  kind: "master";
  playlist: MasterPlaylist;
}

type Attributes = Record<string, string>;

/** AttributeName=AttributeValue, comma-separated (§4.2): a quoted-string or an unquoted value. */
const ATTRIBUTE = /([A-Z0-9-]+)=("[^"\r\n]*"|[^",\s]+)(,?)/y;

function attributeList(tag: string, text: string): Attributes {
  const attributes: Attributes = {};
  ATTRIBUTE.lastIndex = 0;
  let separator = ",";
  while (ATTRIBUTE.lastIndex < text.length) {
    const match = separator === "," ? ATTRIBUTE.exec(text) : null;
    if (match === null) throw new SourcePlaylistError(`${tag}: malformed attribute list (§4.2)`);
    const [, name, value] = match as unknown as [string, string, string, string];
    if (name in attributes) throw new SourcePlaylistError(`${tag}: attribute ${name} repeated (§4.2)`);
    attributes[name] = value.startsWith('"') ? value.slice(1, -1) : value;
    separator = match[3]!;
  }
  // A trailing comma announces an attribute that is not there.
  if (separator === "," && text !== "") throw new SourcePlaylistError(`${tag}: malformed attribute list (§4.2)`);
  return attributes;
}

function decimalInteger(tag: string, value: string | undefined): number {
  if (value === undefined || !/^\d{1,15}$/.test(value)) {
    throw new SourcePlaylistError(`${tag}: expected a decimal-integer (§4.2), got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** An optional attribute: a number when it is a decimal-integer or decimal-floating-point (§4.2). */
function optionalNumber(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+(\.\d+)?$/.test(value) ? Number(value) : undefined;
}

function optionalString(value: string | undefined): string | undefined {
  return value === "" ? undefined : value;
}

function yesNo(value: string | undefined): boolean | undefined {
  return value === undefined ? undefined : value.toUpperCase() === "YES";
}

function resolution(tag: string, value: string | undefined): { width: number; height: number } | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)x(\d+)$/.exec(value);
  if (!match) throw new SourcePlaylistError(`${tag}: RESOLUTION must be <width>x<height> (§4.2)`);
  return { width: Number(match[1]), height: Number(match[2]) };
}

/** `<n>[@<o>]` (§4.3.2.2); a missing offset is left to the caller. */
function byteRange(tag: string, value: string | undefined): { length: number; offset?: number } {
  const match = /^(\d+)(?:@(\d+))?$/.exec(value ?? "");
  if (!match) throw new SourcePlaylistError(`${tag}: expected <n>[@<o>] (§4.3.2.2)`);
  return match[2] === undefined ? { length: Number(match[1]) } : { length: Number(match[1]), offset: Number(match[2]) };
}

const KEY_METHODS: readonly string[] = ["AES-128", "SAMPLE-AES"];

/** EXT-X-KEY (§4.3.2.4): the key for the segments that follow, or none for METHOD=NONE. */
function sourceKey(value: string | undefined): SourceKey | undefined {
  const a = attributeList("EXT-X-KEY", value ?? "");
  // Key systems other than identity (FairPlay, PlayReady, Widevine) need their own key delivery; we
  // only serve identity keys, so refuse rather than emit a playlist without them.
  if (optionalString(a.KEYFORMAT) !== undefined && a.KEYFORMAT !== "identity") {
    throw new SourcePlaylistError("only identity-format keys (MediaConvert STATIC_KEY) can be served");
  }
  if (a.METHOD === "NONE") return undefined;
  if (a.METHOD === undefined || !KEY_METHODS.includes(a.METHOD)) {
    throw new SourcePlaylistError(`unsupported EXT-X-KEY METHOD=${a.METHOD}`);
  }
  if (a.URI === undefined) throw new SourcePlaylistError("EXT-X-KEY without URI (§4.3.2.4)");
  let iv: Uint8Array | undefined;
  if (a.IV !== undefined) {
    if (!/^0x[0-9a-f]{32}$/i.test(a.IV)) throw new SourcePlaylistError("EXT-X-KEY IV must be 128 bits (§4.3.2.4)");
    iv = new Uint8Array(16);
    for (let i = 0; i < 16; i++) iv[i] = parseInt(a.IV.slice(2 + i * 2, 4 + i * 2), 16);
  }
  return { method: a.METHOD as KeyMethod, uri: a.URI, iv };
}

/** EXT-X-MEDIA (§4.3.4.1). */
function rendition(a: Attributes): Rendition {
  const type = a.TYPE;
  if (type !== "AUDIO" && type !== "VIDEO" && type !== "SUBTITLES" && type !== "CLOSED-CAPTIONS") {
    throw new SourcePlaylistError(`EXT-X-MEDIA with unknown TYPE ${String(type)}`);
  }
  const groupId = optionalString(a["GROUP-ID"]);
  const name = optionalString(a.NAME);
  if (groupId === undefined || name === undefined)
    throw new SourcePlaylistError("EXT-X-MEDIA without GROUP-ID or NAME");
  return {
    type,
    groupId,
    name,
    uri: optionalString(a.URI),
    language: optionalString(a.LANGUAGE),
    assocLanguage: optionalString(a["ASSOC-LANGUAGE"]),
    default: yesNo(a.DEFAULT),
    autoselect: yesNo(a.AUTOSELECT),
    forced: yesNo(a.FORCED),
    instreamId: optionalString(a["INSTREAM-ID"]),
    characteristics: optionalString(a.CHARACTERISTICS),
    channels: optionalString(a.CHANNELS),
  };
}

function bandwidth(tag: string, uri: string, a: Attributes): number {
  const value = a.BANDWIDTH !== undefined && /^\d+$/.test(a.BANDWIDTH) ? Number(a.BANDWIDTH) : undefined;
  if (value === undefined) throw new SourcePlaylistError(`${tag} for ${uri} has no BANDWIDTH`);
  return value;
}

/** EXT-X-STREAM-INF (§4.3.4.2) with the URI line after it. */
function variant(uri: string, a: Attributes): Variant {
  const hdcp = a["HDCP-LEVEL"];
  return {
    uri,
    bandwidth: bandwidth("EXT-X-STREAM-INF", uri, a),
    averageBandwidth: optionalNumber(a["AVERAGE-BANDWIDTH"]),
    codecs: optionalString(a.CODECS),
    resolution: resolution("EXT-X-STREAM-INF", a.RESOLUTION),
    frameRate: optionalNumber(a["FRAME-RATE"]),
    hdcpLevel: hdcp === "TYPE-0" || hdcp === "NONE" ? hdcp : undefined,
    audio: optionalString(a.AUDIO),
    video: optionalString(a.VIDEO),
    subtitles: optionalString(a.SUBTITLES),
    closedCaptions: optionalString(a["CLOSED-CAPTIONS"]),
  };
}

/** EXT-X-I-FRAME-STREAM-INF (§4.3.4.3). */
function iFrameVariant(a: Attributes): IFrameVariant {
  const uri = a.URI;
  if (uri === undefined) throw new SourcePlaylistError("EXT-X-I-FRAME-STREAM-INF without URI (§4.3.4.3)");
  return {
    uri,
    bandwidth: bandwidth("EXT-X-I-FRAME-STREAM-INF", uri, a),
    averageBandwidth: optionalNumber(a["AVERAGE-BANDWIDTH"]),
    codecs: optionalString(a.CODECS),
    resolution: resolution("EXT-X-I-FRAME-STREAM-INF", a.RESOLUTION),
    video: optionalString(a.VIDEO),
  };
}

/** What is in force while reading: the state of the tags that apply to the next URI line. */
interface Reader {
  version?: number;
  independentSegments: boolean;
  targetDuration?: number;
  mediaSequence: number;
  playlistType?: "VOD" | "EVENT";
  iFramesOnly: boolean;
  endList: boolean;
  discontinuitySequence: number;
  key?: SourceKey;
  map?: SegmentMap;
  /** The end of the previous EXT-X-BYTERANGE: the default offset of the next (§4.3.2.2). */
  byteRangeEnd: number;
  /** Program date time of the next segment, once one EXT-X-PROGRAM-DATE-TIME was read (§4.3.2.6). */
  programDateTime?: number;
  next: {
    duration?: number;
    title?: string;
    byteRange?: { length: number; offset: number };
    programDateTimeTag: boolean;
    streamInf?: Attributes;
  };
  segments: SourceSegment[];
  variants: Variant[];
  /** EXT-X-MEDIA and EXT-X-I-FRAME-STREAM-INF attributes, read into the model only in a master. */
  renditions: Attributes[];
  iFrameVariants: Attributes[];
}

/** EXT-X-PROGRAM-DATE-TIME: the first one also dates the segments before it, backwards (as hls.js and m3u8-parser do). */
function programDateTime(reader: Reader, value: string | undefined): void {
  const time = Date.parse(value ?? "");
  if (!Number.isFinite(time)) throw new SourcePlaylistError("EXT-X-PROGRAM-DATE-TIME is not a date-time (§4.3.2.6)");
  if (reader.programDateTime === undefined) {
    let earlier = time;
    for (let i = reader.segments.length - 1; i >= 0; i--) {
      const segment = reader.segments[i]!;
      earlier -= segment.duration * 1000;
      segment.programDateTime = earlier;
    }
  }
  reader.programDateTime = time;
  reader.next.programDateTimeTag = true;
}

/** EXTINF (§4.3.2.1): `<duration>,[<title>]`. */
function extInf(reader: Reader, value: string | undefined): void {
  const match = /^(\d+(?:\.\d*)?),?(.*)$/.exec(value ?? "");
  if (!match) throw new SourcePlaylistError(`EXTINF: expected <duration>,[<title>] (§4.3.2.1)`);
  reader.next.duration = Number(match[1]);
  reader.next.title = optionalString(match[2]);
}

function extXByteRange(reader: Reader, value: string | undefined): void {
  const range = byteRange("EXT-X-BYTERANGE", value);
  const offset = range.offset ?? reader.byteRangeEnd;
  reader.next.byteRange = { length: range.length, offset };
  reader.byteRangeEnd = offset + range.length;
}

function extXMap(reader: Reader, value: string | undefined): void {
  const a = attributeList("EXT-X-MAP", value ?? "");
  if (a.URI === undefined) throw new SourcePlaylistError("EXT-X-MAP without URI (§4.3.2.5)");
  reader.map =
    a.BYTERANGE === undefined ? { uri: a.URI } : { uri: a.URI, byteRange: byteRange("EXT-X-MAP", a.BYTERANGE) };
}

/** Applies one tag line (`name` without the value) to the reader. */
function readTag(reader: Reader, name: string, value: string | undefined): void {
  switch (name) {
    case "#EXT-X-VERSION":
      reader.version = decimalInteger(name, value);
      return;
    case "#EXT-X-INDEPENDENT-SEGMENTS":
      reader.independentSegments = true;
      return;
    case "#EXT-X-TARGETDURATION":
      reader.targetDuration = decimalInteger(name, value);
      return;
    case "#EXT-X-MEDIA-SEQUENCE":
      reader.mediaSequence = decimalInteger(name, value);
      return;
    case "#EXT-X-DISCONTINUITY-SEQUENCE":
      reader.discontinuitySequence = decimalInteger(name, value);
      return;
    case "#EXT-X-PLAYLIST-TYPE":
      if (value !== "VOD" && value !== "EVENT")
        throw new SourcePlaylistError(`${name} must be VOD or EVENT (§4.3.3.5)`);
      reader.playlistType = value;
      return;
    case "#EXT-X-I-FRAMES-ONLY":
      reader.iFramesOnly = true;
      return;
    case "#EXT-X-ENDLIST":
      reader.endList = true;
      return;
    case "#EXTINF":
      return extInf(reader, value);
    case "#EXT-X-BYTERANGE":
      return extXByteRange(reader, value);
    case "#EXT-X-DISCONTINUITY":
      reader.discontinuitySequence += 1;
      return;
    case "#EXT-X-KEY":
      reader.key = sourceKey(value);
      return;
    case "#EXT-X-MAP":
      return extXMap(reader, value);
    case "#EXT-X-PROGRAM-DATE-TIME":
      return programDateTime(reader, value);
    case "#EXT-X-STREAM-INF":
      reader.next.streamInf = attributeList(name, value ?? "");
      return;
    case "#EXT-X-MEDIA":
      reader.renditions.push(attributeList(name, value ?? ""));
      return;
    case "#EXT-X-I-FRAME-STREAM-INF":
      reader.iFrameVariants.push(attributeList(name, value ?? ""));
      return;
    case "#EXT-X-DEFINE":
      throw new SourcePlaylistError("EXT-X-DEFINE variable substitution (RFC 8216bis) is not supported");
  }
}

/** A URI line: the variant its EXT-X-STREAM-INF announced, or a media segment. */
function readUri(reader: Reader, uri: string): void {
  const next = reader.next;
  reader.next = { programDateTimeTag: false };
  if (next.streamInf !== undefined) {
    reader.variants.push(variant(uri, next.streamInf));
    return;
  }
  if (next.duration === undefined) throw new SourcePlaylistError(`segment ${uri} has no valid EXTINF duration`);
  const segment: SourceSegment = {
    uri,
    duration: next.duration,
    mediaSequence: reader.mediaSequence + reader.segments.length,
    discontinuitySequence: reader.discontinuitySequence,
    key: reader.key,
    map: reader.map,
    byteRange: next.byteRange,
    hasProgramDateTimeTag: next.programDateTimeTag,
    title: next.title,
  };
  if (reader.programDateTime !== undefined) {
    segment.programDateTime = reader.programDateTime;
    reader.programDateTime += next.duration * 1000;
  }
  reader.segments.push(segment);
}

/** Reads a master or media playlist (§4.3.4, §4.3.3). */
export function parseSourcePlaylist(text: string): SourceMasterPlaylist | SourceMediaPlaylist {
  if (!text.startsWith("#EXTM3U")) throw new SourcePlaylistError("not an HLS playlist (no #EXTM3U, §4.3.1.1)");
  const reader: Reader = {
    independentSegments: false,
    mediaSequence: 0,
    iFramesOnly: false,
    endList: false,
    discontinuitySequence: 0,
    byteRangeEnd: 0,
    next: { programDateTimeTag: false },
    segments: [],
    variants: [],
    renditions: [],
    iFrameVariants: [],
  };
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    if (!line.startsWith("#")) {
      readUri(reader, line);
    } else if (line.startsWith("#EXT")) {
      // Lines starting with # but not #EXT are comments (§4.1).
      const colon = line.indexOf(":");
      readTag(reader, colon < 0 ? line : line.slice(0, colon), colon < 0 ? undefined : line.slice(colon + 1));
    }
  }
  if (reader.variants.length > 0) {
    if (reader.segments.length > 0) throw new SourcePlaylistError("both media segments and variants (§4.1)");
    return {
      kind: "master",
      // Keep the source's EXT-X-VERSION (players may key behaviour on it); the serializer raises it
      // if the features need more (§7).
      playlist: {
        version: reader.version !== undefined && reader.version >= 1 ? reader.version : undefined,
        independentSegments: reader.independentSegments,
        renditions: reader.renditions.map(rendition),
        variants: reader.variants,
        iFrameVariants: reader.iFrameVariants.map(iFrameVariant),
      },
    };
  }
  return {
    kind: "media",
    targetDuration: reader.targetDuration,
    playlistType: reader.playlistType,
    independentSegments: reader.independentSegments,
    iFramesOnly: reader.iFramesOnly,
    endList: reader.endList,
    segments: reader.segments,
  };
}
