/**
 * MediaConvert playlists through m3u8-parser, clipping and URI rewriting (worker/hls/vod.ts),
 * against golden files in test/fixtures/hls/. `UPDATE_GOLDEN=1` rewrites the golden outputs.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { serializeMasterPlaylist, serializeMediaPlaylist } from "../../../worker/hls/playlist.ts";
import {
  clipSegments,
  effectiveIv,
  outputMasterPlaylist,
  outputMediaPlaylist,
  parseSourcePlaylist,
  resolveOutputPath,
  SourcePlaylistError,
  type SourceMediaPlaylist,
} from "../../../worker/hls/vod.ts";

const FIXTURES = join(import.meta.dirname, "../../fixtures/hls");
const read = (name: string) => readFileSync(join(FIXTURES, name), "utf8");

function golden(name: string, actual: string): void {
  const path = join(FIXTURES, "golden", name);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, "utf8"));
}

function media(name: string): SourceMediaPlaylist {
  const parsed = parseSourcePlaylist(read(name));
  if (parsed.kind !== "media") throw new Error("expected a media playlist");
  return parsed;
}

const rewriter = {
  segment: (uri: string) =>
    `https://edge.test/api/media/segments/vod/JOB/${encodeURIComponent(resolveOutputPath("r.m3u8", uri)!)}`,
  key: () => "https://edge.test/api/media/keys/JOB?token=KEY_TOKEN",
};

describe("parsing MediaConvert output", () => {
  it("reads a master with its audio group, keeping CHANNELS (which m3u8-parser's model drops)", () => {
    const parsed = parseSourcePlaylist(read("mediaconvert/master.m3u8"));
    expect(parsed.kind).toBe("master");
    if (parsed.kind !== "master") return;
    expect(parsed.playlist.renditions[0]).toMatchObject({
      type: "AUDIO",
      groupId: "program_audio",
      channels: "2",
      default: true,
    });
    expect(parsed.playlist.variants.map((v) => v.uri)).toEqual([
      "Big Buck Bunny.test_720p.m3u8",
      "Big%20Buck%20Bunny.test_360p.m3u8",
    ]);
  });

  it("numbers segments from EXT-X-MEDIA-SEQUENCE and keeps explicit IVs", () => {
    const implicit = media("mediaconvert/rendition-implicit-iv.m3u8");
    expect(implicit.segments.map((s) => s.mediaSequence)).toEqual([1, 2, 3, 4, 5]);
    expect(implicit.segments[0]!.key).toEqual({ method: "AES-128", uri: "Big Buck Bunny.test.key", iv: undefined });
    const explicit = media("mediaconvert/rendition-explicit-iv.m3u8");
    expect(explicit.segments[2]!.key!.iv![15]).toBe(0xcd);
    expect(explicit.segments.map((s) => s.discontinuitySequence)).toEqual([0, 1, 1, 1]);
  });

  it("refuses what it cannot serve faithfully", () => {
    expect(() => parseSourcePlaylist("not a playlist")).toThrow(SourcePlaylistError);
    expect(() =>
      parseSourcePlaylist(
        '#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://x",KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"\n#EXTINF:6,\na.ts\n#EXT-X-ENDLIST\n',
      ),
    ).toThrow(/identity/);
  });
});

describe("clipping to whole segments", () => {
  const source = media("mediaconvert/rendition-implicit-iv.m3u8");

  it("keeps every segment that overlaps [start, end)", () => {
    const uris = (start?: number, end?: number) => clipSegments(source, { start, end }).map((s) => s.mediaSequence);
    expect(uris()).toEqual([1, 2, 3, 4, 5]);
    expect(uris(6.006, 12.012)).toEqual([2]); // exactly on boundaries
    expect(uris(6, 12.013)).toEqual([1, 2, 3]);
    expect(uris(20)).toEqual([4, 5]);
    expect(uris(undefined, 0.001)).toEqual([1]);
    expect(uris(100)).toEqual([]);
  });

  it("property: a clip is a contiguous run covering the range, numbered as in the original", () => {
    fc.assert(
      fc.property(fc.float({ min: 0, max: 27, noNaN: true }), fc.float({ min: 0, max: 30, noNaN: true }), (a, b) => {
        const [start, end] = a < b ? [a, b] : [b, a + 0.001];
        const kept = clipSegments(source, { start, end });
        kept.forEach((s, i) => i > 0 && expect(s.mediaSequence).toBe(kept[i - 1]!.mediaSequence + 1));
        const offset = source.segments.slice(0, kept[0]!.mediaSequence - 1).reduce((sum, s) => sum + s.duration, 0);
        const total = kept.reduce((sum, s) => sum + s.duration, 0);
        expect(offset).toBeLessThanOrEqual(start + 1e-9);
        expect(offset + total).toBeGreaterThanOrEqual(Math.min(end, 27.361) - 1e-9);
      }),
    );
  });

  it("a clip keeps the original media sequence, so the implicit IV (§5.2) is unchanged", () => {
    const kept = clipSegments(source, { start: 13, end: 20 });
    const playlist = outputMediaPlaylist(source, kept, rewriter);
    expect(playlist.mediaSequence).toBe(3);
    for (const [i, segment] of kept.entries()) {
      expect(effectiveIv({}, playlist.mediaSequence! + i)).toEqual(effectiveIv({}, segment.mediaSequence));
    }
    golden("vod-clip-implicit-iv.m3u8", serializeMediaPlaylist(playlist));
  });

  it("a clip re-emits the key in force and the explicit IV the original had; discontinuity sequence carried", () => {
    const explicit = media("mediaconvert/rendition-explicit-iv.m3u8");
    const kept = clipSegments(explicit, { start: 5 });
    const playlist = outputMediaPlaylist(explicit, kept, rewriter);
    expect(playlist.discontinuitySequence).toBe(1);
    expect(playlist.segments[0]!.key!.iv).toEqual(new Uint8Array(16));
    expect(playlist.segments[0]!.discontinuity).toBe(false);
    golden("vod-clip-explicit-iv.m3u8", serializeMediaPlaylist(playlist));
  });

  it("a clip of an I-frame playlist stays I-frames-only (§4.3.3.6), at version 4 or more", () => {
    const iFrames = media("mediaconvert/rendition-iframes.m3u8");
    expect(iFrames.iFramesOnly).toBe(true);
    const playlist = outputMediaPlaylist(iFrames, clipSegments(iFrames, { start: 2.5 }), rewriter);
    const text = serializeMediaPlaylist(playlist);
    expect(text).toContain("\n#EXT-X-I-FRAMES-ONLY\n");
    expect(text).toMatch(/^#EXTM3U\n#EXT-X-VERSION:4\n/);
    golden("vod-clip-iframes.m3u8", text);
    // An ordinary rendition does not get the tag.
    expect(serializeMediaPlaylist(outputMediaPlaylist(source, clipSegments(source, {}), rewriter))).not.toContain(
      "I-FRAMES-ONLY",
    );
  });

  it("the whole rendition rewrites every segment and key URI and encodes names with spaces", () => {
    const playlist = outputMediaPlaylist(source, clipSegments(source, {}), rewriter);
    const text = serializeMediaPlaylist(playlist);
    expect(text).not.toMatch(/Big Buck/);
    golden("vod-rendition.m3u8", text);
  });

  it("the master points every variant and rendition at the Worker", () => {
    const parsed = parseSourcePlaylist(read("mediaconvert/master.m3u8"));
    if (parsed.kind !== "master") throw new Error("expected master");
    const text = serializeMasterPlaylist(
      outputMasterPlaylist(
        parsed.playlist,
        (uri) =>
          `https://edge.test/api/media/vod/JOB/${encodeURIComponent(resolveOutputPath("master.m3u8", uri)!)}?start=10`,
      ),
    );
    golden("vod-master.m3u8", text);
  });
});

describe("effectiveIv (§5.2)", () => {
  it("is the media sequence number as a big-endian 128-bit integer", () => {
    expect([...effectiveIv({}, 0x01020304)].slice(12)).toEqual([1, 2, 3, 4]);
    expect([...effectiveIv({}, 2 ** 40)].slice(10, 11)).toEqual([1]);
  });
});

describe("resolveOutputPath", () => {
  it("resolves relative URIs inside the job folder and refuses escapes", () => {
    expect(resolveOutputPath("master.m3u8", "a%20b.ts")).toBe("a b.ts");
    expect(resolveOutputPath("sub/r.m3u8", "../x.ts")).toBe("x.ts");
    expect(resolveOutputPath("r.m3u8", "../x.ts")).toBeUndefined();
    expect(resolveOutputPath("r.m3u8", "a%2F..%2F..%2Fx.ts")).toBeUndefined();
    expect(resolveOutputPath("r.m3u8", "https://cdn/x.ts")).toBeUndefined();
    expect(resolveOutputPath("r.m3u8", "/abs.ts")).toBeUndefined();
    expect(resolveOutputPath("r.m3u8", "100%.ts")).toBe("100%.ts");
  });
});
