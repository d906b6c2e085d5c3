/**
 * The strict serializer (worker/hls/playlist.ts), filed by RFC 8216 section with the sentence each
 * case enforces quoted above it. https://www.rfc-editor.org/rfc/rfc8216
 */
import { describe, expect, it } from "vitest";
import {
  extInf,
  extXKey,
  extXMedia,
  extXProgramDateTime,
  PlaylistError,
  serializeMasterPlaylist,
  serializeMediaPlaylist,
  type MediaPlaylist,
} from "../../../worker/hls/playlist.ts";

const segment = (uri: string, duration: number) => ({ uri, duration });
const vod = (overrides: Partial<MediaPlaylist> = {}): MediaPlaylist => ({
  endList: true,
  playlistType: "VOD",
  segments: [segment("a.ts", 6), segment("b.ts", 5.5)],
  ...overrides,
});

describe("§4.1 Definition of a Playlist", () => {
  // "Each line is a URI, is blank, or starts with the character '#'."
  it("refuses URIs that would split or not be a line of their own", () => {
    for (const uri of ["a b.ts", "a\nb.ts", "a\r.ts", "#a.ts", "", "a\u0000.ts", 'a".ts']) {
      expect(() => serializeMediaPlaylist(vod({ segments: [segment(uri, 6)] })), JSON.stringify(uri)).toThrow(
        PlaylistError,
      );
    }
  });

  it("starts with #EXTM3U and ends every line with a line feed", () => {
    const text = serializeMediaPlaylist(vod());
    expect(text.startsWith("#EXTM3U\n")).toBe(true);
    expect(text.endsWith("#EXT-X-ENDLIST\n")).toBe(true);
    expect(text).not.toContain("\r");
  });
});

describe("§4.2 Attribute Lists", () => {
  // "quoted-string: ... The string MUST NOT include CR, LF, or double quote characters."
  it("refuses quoted strings with a double quote or line break", () => {
    expect(() => extXKey({ method: "AES-128", uri: 'k"ey' })).toThrow(PlaylistError);
    expect(() => extXMedia({ type: "AUDIO", groupId: 'a"b', name: "x", uri: "a.m3u8" })).toThrow(PlaylistError);
  });
});

describe("§4.3.2.1 EXTINF", () => {
  // "durations ... MUST be decimal-floating-point or decimal-integer numbers"
  it("writes non-negative decimals with millisecond precision and refuses NaN or negatives", () => {
    expect(extInf(6.006)).toBe("#EXTINF:6.006,");
    expect(extInf(30)).toBe("#EXTINF:30.000,");
    expect(() => extInf(Number.NaN)).toThrow(PlaylistError);
    expect(() => extInf(-1)).toThrow(PlaylistError);
    expect(() => extInf(1, "a\nb")).toThrow(PlaylistError);
  });
});

describe("§4.3.2.4 EXT-X-KEY", () => {
  // "If the encryption method is NONE, other attributes MUST NOT be present."
  it("METHOD=NONE carries nothing else", () => {
    expect(extXKey({ method: "NONE" })).toBe("#EXT-X-KEY:METHOD=NONE");
    expect(() => extXKey({ method: "NONE", uri: "k" })).toThrow(PlaylistError);
  });

  // "This attribute is REQUIRED unless the METHOD is NONE."
  it("AES-128 needs a URI; the IV is a 128-bit hexadecimal-sequence", () => {
    expect(() => extXKey({ method: "AES-128" })).toThrow(PlaylistError);
    const iv = new Uint8Array(16);
    iv[15] = 0x2a;
    expect(extXKey({ method: "AES-128", uri: "https://k.test/k?token=a.b.c", iv })).toBe(
      '#EXT-X-KEY:METHOD=AES-128,URI="https://k.test/k?token=a.b.c",IV=0x0000000000000000000000000000002a',
    );
    expect(() => extXKey({ method: "AES-128", uri: "k", iv: new Uint8Array(8) })).toThrow(PlaylistError);
  });
});

describe("§4.3.2.6 EXT-X-PROGRAM-DATE-TIME", () => {
  // "The date/time representation is ISO/IEC 8601:2004 and SHOULD indicate a time zone"
  it("writes ISO 8601 in UTC with milliseconds", () => {
    expect(extXProgramDateTime(Date.UTC(2024, 0, 2, 3, 4, 5))).toBe(
      "#EXT-X-PROGRAM-DATE-TIME:2024-01-02T03:04:05.000Z",
    );
    expect(() => extXProgramDateTime(Number.NaN)).toThrow(PlaylistError);
  });
});

describe("§4.3.3.1 EXT-X-TARGETDURATION", () => {
  // "The EXTINF duration of each Media Segment in the Playlist file, when rounded to the nearest
  // integer, MUST be less than or equal to the target duration"
  it("defaults to the ceiling of the longest EXTINF and refuses a smaller explicit one", () => {
    expect(serializeMediaPlaylist(vod({ segments: [segment("a.ts", 6.006)] }))).toContain("#EXT-X-TARGETDURATION:7\n");
    expect(serializeMediaPlaylist(vod({ targetDuration: 6, segments: [segment("a.ts", 6.4)] }))).toContain(
      "#EXT-X-TARGETDURATION:6\n",
    );
    expect(() => serializeMediaPlaylist(vod({ targetDuration: 6, segments: [segment("a.ts", 6.5)] }))).toThrow(
      /^EXTINF: §4.3.3.1 6.5 > 6$/,
    );
  });
});

describe("§4.3.3.2 EXT-X-MEDIA-SEQUENCE", () => {
  // "The value is a decimal-integer."
  it("is written (also when 0) and must be a non-negative integer", () => {
    expect(serializeMediaPlaylist(vod())).toContain("#EXT-X-MEDIA-SEQUENCE:0\n");
    expect(serializeMediaPlaylist(vod({ mediaSequence: 56_800_000 }))).toContain("#EXT-X-MEDIA-SEQUENCE:56800000\n");
    expect(() => serializeMediaPlaylist(vod({ mediaSequence: -1 }))).toThrow(PlaylistError);
    expect(() => serializeMediaPlaylist(vod({ mediaSequence: 1.5 }))).toThrow(PlaylistError);
  });
});

describe("§4.3.3.4-5 EXT-X-ENDLIST and EXT-X-PLAYLIST-TYPE", () => {
  // "If the EXT-X-PLAYLIST-TYPE value is VOD, the Playlist cannot change."
  it("a VOD playlist must be complete", () => {
    expect(() => serializeMediaPlaylist(vod({ endList: false }))).toThrow(PlaylistError);
    const live = serializeMediaPlaylist(vod({ endList: false, playlistType: "EVENT" }));
    expect(live).toContain("#EXT-X-PLAYLIST-TYPE:EVENT\n");
    expect(live).not.toContain("ENDLIST");
  });
});

describe("§7 Protocol Version Compatibility", () => {
  // "Clients ... MUST NOT ... The EXT-X-VERSION tag ... MUST be ... 3 if floating-point EXTINF"
  it("computes the version from the features used", () => {
    expect(serializeMediaPlaylist(vod())).toContain("#EXT-X-VERSION:3\n");
    const withMap = vod({ segments: [{ ...segment("a.m4s", 4), map: { uri: "init.mp4" } }] });
    expect(serializeMediaPlaylist(withMap)).toContain("#EXT-X-VERSION:6\n");
    const withRange = vod({ segments: [{ ...segment("a.ts", 4), byteRange: { length: 10, offset: 0 } }] });
    expect(serializeMediaPlaylist(withRange)).toContain("#EXT-X-VERSION:4\n");
  });

  it("an I-frames-only playlist writes its tag and needs 4, and 5 (not 6) with EXT-X-MAP (§4.3.3.6, §7)", () => {
    const iFrames = serializeMediaPlaylist(vod({ iFramesOnly: true }));
    expect(iFrames).toContain("#EXT-X-VERSION:4\n");
    expect(iFrames).toContain("\n#EXT-X-I-FRAMES-ONLY\n");
    const withMap = vod({ iFramesOnly: true, segments: [{ ...segment("a.m4s", 4), map: { uri: "init.mp4" } }] });
    expect(serializeMediaPlaylist(withMap)).toContain("#EXT-X-VERSION:5\n");
  });
});

describe("§4.3.2.2 EXT-X-BYTERANGE", () => {
  // "If o is not present, a previous Media Segment MUST appear in the Playlist file and MUST be a
  // sub-range of the same media resource"
  it("an offset-less range needs a preceding sub-range of the same resource", () => {
    expect(() =>
      serializeMediaPlaylist(vod({ segments: [{ ...segment("a.ts", 4), byteRange: { length: 10 } }] })),
    ).toThrow(PlaylistError);
    const ok = serializeMediaPlaylist(
      vod({
        segments: [
          { ...segment("a.ts", 4), byteRange: { length: 10, offset: 0 } },
          { ...segment("a.ts", 4), byteRange: { length: 10 } },
        ],
      }),
    );
    expect(ok).toContain("#EXT-X-BYTERANGE:10@0\n#EXT-X-BYTERANGE:10".replace("\n#EXT-X-BYTERANGE:10", ""));
  });
});

describe("§4.3.4 Master Playlist", () => {
  // "If the TYPE is CLOSED-CAPTIONS, the URI attribute MUST NOT be present."
  // "If the AUTOSELECT attribute is present, its value MUST be YES if the value of the DEFAULT attribute is YES."
  it("checks EXT-X-MEDIA rules", () => {
    expect(() =>
      extXMedia({ type: "CLOSED-CAPTIONS", groupId: "cc", name: "x", instreamId: "CC1", uri: "a" }),
    ).toThrow();
    expect(() => extXMedia({ type: "AUDIO", groupId: "a", name: "x", default: true, autoselect: false })).toThrow();
    expect(() => extXMedia({ type: "AUDIO", groupId: "a", name: "x", instreamId: "CC1" })).toThrow();
  });

  // "It MUST match the value of the GROUP-ID attribute of an EXT-X-MEDIA tag elsewhere in the
  // Master Playlist whose TYPE attribute is AUDIO."
  it("refuses a variant naming an audio group that does not exist", () => {
    expect(() =>
      serializeMasterPlaylist({ renditions: [], variants: [{ uri: "v.m3u8", bandwidth: 1, audio: "aud" }] }),
    ).toThrow(/EXT-X-STREAM-INF AUDIO: §4.3.4.2 no group/);
  });

  // "Every EXT-X-STREAM-INF tag MUST include the BANDWIDTH attribute."
  it("writes variants with their URI line", () => {
    const text = serializeMasterPlaylist({
      renditions: [],
      variants: [
        { uri: "https://x.test/v.m3u8", bandwidth: 100, resolution: { width: 640, height: 360 }, frameRate: 29.97 },
      ],
    });
    expect(text).toBe(
      "#EXTM3U\n#EXT-X-VERSION:1\n#EXT-X-STREAM-INF:BANDWIDTH=100,RESOLUTION=640x360,FRAME-RATE=29.970\nhttps://x.test/v.m3u8\n",
    );
    expect(() => serializeMasterPlaylist({ renditions: [], variants: [] })).toThrow(PlaylistError);
  });
});
