/**
 * MediaConvert VOD playlists: parse (m3u8-parser), clip to whole segments, rewrite URIs, and hand
 * plain data to the strict serializer in playlist.ts.
 *
 * Decryption is the part that must not break. With AES-128 and no IV attribute, a segment's IV is
 * its Media Sequence Number (RFC 8216 §5.2), and MediaConvert writes no IV when
 * `InitializationVectorInManifest` is EXCLUDE. A clip therefore keeps every kept segment's original
 * Media Sequence Number (EXT-X-MEDIA-SEQUENCE = the first kept segment's number, §4.3.3.2), and
 * re-emits the key in force for its first segment, with an explicit IV only where the original
 * had one.
 */
import { Parser } from "m3u8-parser";
import type { Segment as ParsedSegment } from "m3u8-parser";
import type {
  IFrameVariant,
  KeyMethod,
  MasterPlaylist,
  MediaPlaylist,
  MediaSegment,
  Rendition,
  SegmentKey,
  SegmentMap,
  Variant,
} from "./playlist.ts";

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

/** A source media segment with everything in force for it (m3u8-parser's model). */
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
  endList: boolean;
  segments: SourceSegment[];
}

export interface SourceMasterPlaylist {
  kind: "master";
  playlist: MasterPlaylist;
}

const KEY_METHODS: readonly KeyMethod[] = ["NONE", "AES-128", "SAMPLE-AES"];

function ivBytes(iv: Uint32Array | undefined): Uint8Array | undefined {
  if (iv === undefined) return undefined;
  // m3u8-parser stores the IV as four big-endian 32-bit words.
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) view.setUint32(i * 4, iv[i] ?? 0);
  return bytes;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function optionalNumber(value: unknown): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const number = typeof value === "number" ? value : Number(value);
  return Number.isFinite(number) ? number : undefined;
}

function yesNo(value: unknown): boolean | undefined {
  if (typeof value !== "string") return undefined;
  return value.toUpperCase() === "YES";
}

/**
 * Parses a playlist with m3u8-parser. EXT-X-MEDIA attributes are read from the parse stream
 * because the parser's media-group model drops some of them (CHANNELS, ASSOC-LANGUAGE).
 */
export function parseSourcePlaylist(text: string): SourceMasterPlaylist | SourceMediaPlaylist {
  if (!text.startsWith("#EXTM3U")) throw new SourcePlaylistError("not an HLS playlist (no #EXTM3U, §4.3.1.1)");
  const parser = new Parser();
  const mediaTags: Array<Record<string, unknown>> = [];
  const keyTags: Array<Record<string, unknown>> = [];
  parser.parseStream.on("data", (entry: unknown) => {
    const tag = entry as { type?: string; tagType?: string; attributes?: Record<string, unknown> };
    if (tag.type === "tag" && tag.tagType === "media" && tag.attributes) mediaTags.push(tag.attributes);
    if (tag.type === "tag" && tag.tagType === "key" && tag.attributes) keyTags.push(tag.attributes);
  });
  parser.push(text);
  parser.end();
  const manifest = parser.manifest;

  // Key systems m3u8-parser moves out of the segment model (FairPlay, PlayReady, Widevine) would be
  // silently dropped; we only serve identity keys, so refuse rather than emit a playlist without them.
  if (
    keyTags.some(
      (attributes) => optionalString(attributes.KEYFORMAT) !== undefined && attributes.KEYFORMAT !== "identity",
    )
  ) {
    throw new SourcePlaylistError("only identity-format keys (MediaConvert STATIC_KEY) can be served");
  }

  if (manifest.playlists !== undefined && manifest.playlists.length > 0) {
    return { kind: "master", playlist: masterFrom(manifest, mediaTags) };
  }

  let mediaSequence = manifest.mediaSequence ?? 0;
  const segments = manifest.segments.map((segment: ParsedSegment): SourceSegment => {
    if (!Number.isFinite(segment.duration) || segment.duration < 0) {
      throw new SourcePlaylistError(`segment ${segment.uri} has no valid EXTINF duration`);
    }
    const key = segment.key;
    let sourceKey: SourceKey | undefined;
    if (key !== undefined) {
      const method = key.method as KeyMethod;
      if (!KEY_METHODS.includes(method)) throw new SourcePlaylistError(`unsupported EXT-X-KEY METHOD=${key.method}`);
      sourceKey = method === "NONE" ? { method } : { method, uri: key.uri, iv: ivBytes(key.iv) };
    }
    const map = segment.map as { uri: string; byterange?: { length: number; offset: number } } | undefined;
    return {
      uri: segment.uri,
      duration: segment.duration,
      mediaSequence: mediaSequence++,
      discontinuitySequence: segment.timeline ?? 0,
      key: sourceKey,
      map: map === undefined ? undefined : { uri: map.uri, byteRange: map.byterange },
      byteRange: segment.byterange,
      programDateTime: typeof segment.programDateTime === "number" ? segment.programDateTime : undefined,
      hasProgramDateTimeTag: segment.dateTimeString !== undefined,
      title: optionalString(segment.title),
    };
  });
  return {
    kind: "media",
    targetDuration: manifest.targetDuration,
    playlistType: manifest.playlistType,
    independentSegments: manifest.independentSegments === true,
    endList: manifest.endList === true,
    segments,
  };
}

function masterFrom(manifest: Parser["manifest"], mediaTags: Array<Record<string, unknown>>): MasterPlaylist {
  const renditions: Rendition[] = mediaTags.map((attributes) => {
    const type = attributes.TYPE;
    if (type !== "AUDIO" && type !== "VIDEO" && type !== "SUBTITLES" && type !== "CLOSED-CAPTIONS") {
      throw new SourcePlaylistError(`EXT-X-MEDIA with unknown TYPE ${String(type)}`);
    }
    const groupId = optionalString(attributes["GROUP-ID"]);
    const name = optionalString(attributes.NAME);
    if (groupId === undefined || name === undefined)
      throw new SourcePlaylistError("EXT-X-MEDIA without GROUP-ID or NAME");
    return {
      type,
      groupId,
      name,
      uri: optionalString(attributes.URI),
      language: optionalString(attributes.LANGUAGE),
      assocLanguage: optionalString(attributes["ASSOC-LANGUAGE"]),
      default: yesNo(attributes.DEFAULT),
      autoselect: yesNo(attributes.AUTOSELECT),
      forced: yesNo(attributes.FORCED),
      instreamId: optionalString(attributes["INSTREAM-ID"]),
      characteristics: optionalString(attributes.CHARACTERISTICS),
      channels: optionalString(attributes.CHANNELS),
    };
  });
  const variants: Variant[] = (manifest.playlists ?? []).map((item) => {
    const a = item.attributes;
    const bandwidth = optionalNumber(a.BANDWIDTH);
    if (bandwidth === undefined) throw new SourcePlaylistError(`EXT-X-STREAM-INF for ${item.uri} has no BANDWIDTH`);
    const hdcp = optionalString(a["HDCP-LEVEL"]);
    return {
      uri: item.uri,
      bandwidth,
      averageBandwidth: optionalNumber(a["AVERAGE-BANDWIDTH"]),
      codecs: optionalString(a.CODECS),
      resolution: a.RESOLUTION,
      frameRate: optionalNumber(a["FRAME-RATE"]),
      hdcpLevel: hdcp === "TYPE-0" || hdcp === "NONE" ? hdcp : undefined,
      audio: optionalString(a.AUDIO),
      video: optionalString(a.VIDEO),
      subtitles: optionalString(a.SUBTITLES),
      closedCaptions: optionalString(a["CLOSED-CAPTIONS"]),
    };
  });
  const iFrameVariants: IFrameVariant[] = (manifest.iFramePlaylists ?? []).map((item) => {
    const a = item.attributes as Record<string, unknown>;
    const bandwidth = optionalNumber(a.BANDWIDTH);
    if (bandwidth === undefined)
      throw new SourcePlaylistError(`EXT-X-I-FRAME-STREAM-INF for ${item.uri} has no BANDWIDTH`);
    return {
      uri: item.uri,
      bandwidth,
      averageBandwidth: optionalNumber(a["AVERAGE-BANDWIDTH"]),
      codecs: optionalString(a.CODECS),
      resolution: a.RESOLUTION as { width: number; height: number } | undefined,
      video: optionalString(a.VIDEO),
    };
  });
  // Keep the source's EXT-X-VERSION (players may key behaviour on it); the serializer raises it if
  // the features need more (§7).
  return {
    version: typeof manifest.version === "number" && manifest.version >= 1 ? manifest.version : undefined,
    independentSegments: manifest.independentSegments === true,
    renditions,
    variants,
    iFrameVariants,
  };
}

// ---------------------------------------------------------------------------------------------
// Clipping

/** A clip request in seconds from the start of the presentation; either bound may be open. */
export interface ClipRange {
  start?: number;
  end?: number;
}

/** Total duration of segments (sum of EXTINF): a media playlist's, or a clip's. */
export function totalDuration(segments: readonly { duration: number }[]): number {
  return segments.reduce((sum, segment) => sum + segment.duration, 0);
}

/**
 * The whole segments that overlap [start, end) (a segment spans [t, t + EXTINF) where t is the
 * sum of the durations before it). Open bounds default to the presentation's start and end.
 * Returns an empty list when nothing overlaps.
 */
export function clipSegments(playlist: SourceMediaPlaylist, range: ClipRange): SourceSegment[] {
  const start = range.start ?? 0;
  const end = range.end ?? Number.POSITIVE_INFINITY;
  const kept: SourceSegment[] = [];
  let t = 0;
  for (const segment of playlist.segments) {
    const segmentEnd = t + segment.duration;
    if (t >= end) break;
    if (segmentEnd > start || (segment.duration === 0 && t >= start)) kept.push(segment);
    t = segmentEnd;
  }
  return kept;
}

function sameKey(a: SourceKey | undefined, b: SourceKey | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.method !== b.method || a.uri !== b.uri) return false;
  if (a.iv === undefined || b.iv === undefined) return a.iv === b.iv;
  return a.iv.every((byte, i) => byte === b.iv![i]);
}

function sameMap(a: SegmentMap | undefined, b: SegmentMap | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.uri === b.uri && a.byteRange?.length === b.byteRange?.length && a.byteRange?.offset === b.byteRange?.offset;
}

/** How URIs of the output playlist are made from the source's (relative) URIs. */
export interface MediaUriRewriter {
  segment(uri: string): string;
  /** Key URI for a source key (AES-128 / SAMPLE-AES). */
  key(key: SourceKey): string;
}

/**
 * The output media playlist for kept segments. Key and map tags are written where they change
 * and always before the first kept segment (they apply "until the next" tag, §4.3.2.4-5, so a clip
 * that starts later must repeat the one in force). EXT-X-MEDIA-SEQUENCE and
 * EXT-X-DISCONTINUITY-SEQUENCE are the first kept segment's original numbers (§4.3.3.2-3).
 */
export function outputMediaPlaylist(
  source: SourceMediaPlaylist,
  kept: readonly SourceSegment[],
  rewrite: MediaUriRewriter,
): MediaPlaylist {
  const first = kept[0];
  const maxDuration = kept.reduce((max, segment) => Math.max(max, segment.duration), 0);
  // Keep the source's target duration when it is valid for the kept segments, else ceil(max).
  const sourceTarget = source.targetDuration;
  const targetDuration =
    sourceTarget !== undefined &&
    Number.isSafeInteger(sourceTarget) &&
    kept.every((s) => Math.round(s.duration) <= sourceTarget)
      ? sourceTarget
      : Math.max(1, Math.ceil(maxDuration));
  let previous: SourceSegment | undefined;
  const segments = kept.map((segment, index): MediaSegment => {
    let key: SegmentKey | undefined;
    if (
      index === 0 ? segment.key !== undefined && segment.key.method !== "NONE" : !sameKey(previous?.key, segment.key)
    ) {
      const sourceKey = segment.key ?? { method: "NONE" };
      key =
        sourceKey.method === "NONE"
          ? { method: "NONE" }
          : { method: sourceKey.method, uri: rewrite.key(sourceKey), iv: sourceKey.iv };
    }
    let map: SegmentMap | undefined;
    if (segment.map !== undefined && (index === 0 || !sameMap(previous?.map, segment.map))) {
      map = { uri: rewrite.segment(segment.map.uri), byteRange: segment.map.byteRange };
    }
    const discontinuity = index > 0 && segment.discontinuitySequence !== previous!.discontinuitySequence;
    const programDateTime =
      segment.programDateTime !== undefined && (index === 0 || segment.hasProgramDateTimeTag || discontinuity)
        ? segment.programDateTime
        : undefined;
    previous = segment;
    return {
      uri: rewrite.segment(segment.uri),
      duration: segment.duration,
      title: segment.title,
      byteRange: segment.byteRange,
      discontinuity,
      key,
      map,
      programDateTime,
    };
  });
  return {
    targetDuration,
    mediaSequence: first?.mediaSequence ?? 0,
    discontinuitySequence: first?.discontinuitySequence ?? 0,
    playlistType: source.playlistType ?? (source.endList ? "VOD" : undefined),
    independentSegments: source.independentSegments,
    endList: source.endList,
    segments,
  };
}

/** How URIs of an output master playlist are made from the source's (relative) playlist URIs. */
export type PlaylistUriRewriter = (uri: string) => string;

/** The master playlist with every variant, rendition and I-frame playlist URI rewritten. */
export function outputMasterPlaylist(source: MasterPlaylist, rewrite: PlaylistUriRewriter): MasterPlaylist {
  return {
    ...source,
    renditions: source.renditions.map((rendition) =>
      rendition.uri === undefined ? rendition : { ...rendition, uri: rewrite(rendition.uri) },
    ),
    variants: source.variants.map((variant) => ({ ...variant, uri: rewrite(variant.uri) })),
    iFrameVariants: (source.iFrameVariants ?? []).map((variant) => ({ ...variant, uri: rewrite(variant.uri) })),
  };
}

/**
 * The IV a segment is decrypted with (RFC 8216 §5.2): the explicit IV, or else the Media Sequence
 * Number as a big-endian 128-bit integer. Used by tests and tools to check decryption by bytes.
 */
export function effectiveIv(key: { iv?: Uint8Array }, mediaSequence: number): Uint8Array {
  if (key.iv !== undefined) return key.iv;
  const iv = new Uint8Array(16);
  let value = BigInt(mediaSequence);
  for (let i = 15; i >= 0 && value > 0n; i--) {
    iv[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return iv;
}

// ---------------------------------------------------------------------------------------------
// Paths inside a job's output folder

/** Whether a URI has a scheme (`https:`, `skd:`, ...), i.e. is absolute rather than relative (RFC 3986 §4.3). */
export function isAbsoluteUri(uri: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(uri);
}

/**
 * Resolves a URI found in a playlist against the playlist's folder (both relative to the job's
 * output folder). Returns the object path relative to the output folder, or undefined when the
 * URI is absolute (has a scheme or starts with "/") or climbs out of the output folder.
 * Percent-escapes are decoded (MediaConvert writes names as they are; a URI may escape them).
 */
export function resolveOutputPath(playlistPath: string, uri: string): string | undefined {
  if (isAbsoluteUri(uri) || uri.startsWith("/")) return undefined;
  const withoutQuery = uri.replace(/[?#].*$/, "");
  const parts = playlistPath.split("/").slice(0, -1);
  for (const raw of withoutQuery.split("/")) {
    let part: string;
    try {
      part = decodeURIComponent(raw);
    } catch {
      part = raw;
    }
    // An encoded "/" would smuggle extra path segments (or "..") past the checks above.
    if (part.includes("/")) return undefined;
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return undefined;
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return parts.length === 0 ? undefined : parts.join("/");
}
