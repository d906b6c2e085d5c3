/**
 * The test oracle for worker/hls/source-playlist.ts: the Worker's previous playlist reader, on
 * m3u8-parser, kept as it was (issue 12 moved m3u8-parser out of the Worker bundle). The property
 * tests in source-playlist.test.ts check both read the same playlists to the same data.
 */
import { Parser } from "m3u8-parser";
import type { Segment as ParsedSegment } from "m3u8-parser";
import type { IFrameVariant, KeyMethod, MasterPlaylist, Rendition, Variant } from "../../../worker/hls/playlist.ts";
import {
  SourcePlaylistError,
  type SourceKey,
  type SourceMasterPlaylist,
  type SourceMediaPlaylist,
  type SourceSegment,
} from "../../../worker/hls/source-playlist.ts";

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
export function parseWithM3u8Parser(text: string): SourceMasterPlaylist | SourceMediaPlaylist {
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
    // Parsed by m3u8-parser, missing from its typings.
    iFramesOnly: (manifest as { iFramesOnly?: boolean }).iFramesOnly === true,
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
