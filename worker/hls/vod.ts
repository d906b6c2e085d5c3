/**
 * MediaConvert VOD playlists: parse (source-playlist.ts), clip to whole segments, rewrite URIs, and hand
 * plain data to the strict serializer in playlist.ts.
 *
 * Decryption is the part that must not break. With AES-128 and no IV attribute, a segment's IV is
 * its Media Sequence Number (RFC 8216 §5.2), and MediaConvert writes no IV when
 * `InitializationVectorInManifest` is EXCLUDE. A clip therefore keeps every kept segment's original
 * Media Sequence Number (EXT-X-MEDIA-SEQUENCE = the first kept segment's number, §4.3.3.2), and
 * re-emits the key in force for its first segment, with an explicit IV only where the original
 * had one.
 */
import type { MasterPlaylist, MediaPlaylist, MediaSegment, SegmentKey, SegmentMap } from "./playlist.ts";
import type { SourceKey, SourceMediaPlaylist, SourceSegment } from "./source-playlist.ts";

export {
  parseSourcePlaylist,
  SourcePlaylistError,
  type SourceKey,
  type SourceMasterPlaylist,
  type SourceMediaPlaylist,
  type SourceSegment,
} from "./source-playlist.ts";

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
    iFramesOnly: source.iFramesOnly,
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
