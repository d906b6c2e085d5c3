/**
 * worker/hls/source-playlist.ts against its oracle, the m3u8-parser reader it replaced
 * (m3u8-parser-oracle.ts): both must read the same data from every playlist the tests and the
 * emulator produce and from generated MediaConvert-shaped ones. Where the two differ on purpose (our
 * reader refuses what breaks RFC 8216's grammar instead of guessing), the cases below say so.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSourcePlaylist, SourcePlaylistError } from "../../../worker/hls/source-playlist.ts";
import { parseWithM3u8Parser } from "./m3u8-parser-oracle.ts";

const FIXTURES = join(import.meta.dirname, "../../fixtures/hls");

function agree(text: string): void {
  expect(parseSourcePlaylist(text)).toEqual(parseWithM3u8Parser(text));
}

describe("the fixtures", () => {
  // ffmpeg/: ffmpeg 5.1's own HLS (the e2e tests' source): AES-128 with an IV, fMP4 with EXT-X-MAP,
  // a single file with byte ranges and program date times, an ABR master with an audio group.
  const files = ["mediaconvert", "golden", "ffmpeg"].flatMap((folder) =>
    readdirSync(join(FIXTURES, folder)).map((name) => join(folder, name)),
  );

  it.each(files)("%s reads as m3u8-parser reads it", (file) => {
    const text = readFileSync(join(FIXTURES, file), "utf8");
    agree(text);
    // The same playlist with CRLF line ends and without its final newline.
    agree(text.replaceAll("\n", "\r\n"));
    agree(text.trimEnd());
  });

  it("there are fixtures of both kinds", () => {
    const kinds = files.map((file) => parseSourcePlaylist(readFileSync(join(FIXTURES, file), "utf8")).kind);
    expect(kinds).toContain("master");
    expect(kinds).toContain("media");
  });
});

// ---------------------------------------------------------------------------------------------
// Generated playlists in the grammar MediaConvert, ffmpeg and the emulator write

const hex32 = fc.stringMatching(/^[0-9a-fA-F]{32}$/);
const name = fc.stringMatching(/^[A-Za-z0-9_ %.-]{1,12}$/).filter((s) => s.trim() === s && !s.startsWith("#"));
const duration = fc
  .tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 999_999 }), fc.constantFrom(3, 6))
  .map(([whole, fraction, digits]) => `${whole}.${String(fraction).padStart(6, "0").slice(0, digits)}`)
  .filter((text) => Number(text) > 0);
/** Comments, blank lines and tags our model does not carry: dropped by both readers. */
const noise = fc.constantFrom(
  "",
  "# a comment",
  "#EXT-X-ALLOW-CACHE:YES",
  "#EXT-X-START:TIME-OFFSET=2.5",
  "#EXT-X-GAP",
);

const key = fc.oneof(
  fc.constant("#EXT-X-KEY:METHOD=NONE"),
  fc
    .record({
      method: fc.constantFrom("AES-128", "SAMPLE-AES"),
      uri: name,
      iv: fc.option(hex32, { nil: undefined }),
      identity: fc.boolean(),
    })
    .map(
      ({ method, uri, iv, identity }) =>
        `#EXT-X-KEY:METHOD=${method},URI="${uri}.key"${iv === undefined ? "" : `,IV=0x${iv}`}` +
        (identity ? ',KEYFORMAT="identity",KEYFORMATVERSIONS="1"' : ""),
    ),
);

const segment = fc.record({
  discontinuity: fc.boolean(),
  key: fc.option(key, { nil: undefined }),
  programDateTime: fc.option(fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }), { nil: undefined }),
  byteRange: fc.option(fc.tuple(fc.integer({ min: 1, max: 1e6 }), fc.option(fc.nat(1e7), { nil: undefined })), {
    nil: undefined,
  }),
  duration,
  title: fc.option(
    fc.stringMatching(/^[A-Za-z0-9 ]{1,8}$/).map((s) => s.trim()),
    { nil: undefined },
  ),
  uri: name.map((s) => `${s}.ts`),
  noise: fc.option(noise, { nil: undefined }),
});

const mediaPlaylist = fc
  .record({
    version: fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }),
    independent: fc.boolean(),
    iFramesOnly: fc.boolean(),
    target: fc.integer({ min: 1, max: 31 }),
    sequence: fc.option(fc.nat(1e9), { nil: undefined }),
    discontinuitySequence: fc.option(fc.nat(100), { nil: undefined }),
    type: fc.option(fc.constantFrom("VOD", "EVENT"), { nil: undefined }),
    map: fc.option(fc.tuple(name, fc.option(fc.tuple(fc.nat(1000), fc.nat(1000)), { nil: undefined })), {
      nil: undefined,
    }),
    segments: fc.array(segment, { minLength: 0, maxLength: 8 }),
    endList: fc.boolean(),
  })
  .map((p) => {
    const lines = ["#EXTM3U"];
    if (p.version !== undefined) lines.push(`#EXT-X-VERSION:${p.version}`);
    if (p.independent) lines.push("#EXT-X-INDEPENDENT-SEGMENTS");
    if (p.iFramesOnly) lines.push("#EXT-X-I-FRAMES-ONLY");
    lines.push(`#EXT-X-TARGETDURATION:${p.target}`);
    if (p.sequence !== undefined) lines.push(`#EXT-X-MEDIA-SEQUENCE:${p.sequence}`);
    if (p.discontinuitySequence !== undefined) lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${p.discontinuitySequence}`);
    if (p.type !== undefined) lines.push(`#EXT-X-PLAYLIST-TYPE:${p.type}`);
    if (p.map !== undefined) {
      const [uri, range] = p.map;
      lines.push(`#EXT-X-MAP:URI="${uri}.mp4"${range === undefined ? "" : `,BYTERANGE="${range[0] + 1}@${range[1]}"`}`);
    }
    for (const s of p.segments) {
      if (s.noise !== undefined) lines.push(s.noise);
      if (s.discontinuity) lines.push("#EXT-X-DISCONTINUITY");
      if (s.key !== undefined) lines.push(s.key);
      if (s.programDateTime !== undefined) {
        lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.programDateTime).toISOString()}`);
      }
      if (s.byteRange !== undefined) {
        lines.push(`#EXT-X-BYTERANGE:${s.byteRange[0]}${s.byteRange[1] === undefined ? "" : `@${s.byteRange[1]}`}`);
      }
      lines.push(`#EXTINF:${s.duration},${s.title ?? ""}`, s.uri);
    }
    if (p.endList) lines.push("#EXT-X-ENDLIST");
    return lines.join("\n") + "\n";
  });

const rendition = fc
  .record({
    type: fc.constantFrom("AUDIO", "SUBTITLES", "CLOSED-CAPTIONS", "VIDEO"),
    group: fc.stringMatching(/^[a-z_]{1,10}$/),
    name: fc.stringMatching(/^[A-Za-z ]{1,10}$/).filter((s) => s.trim() === s),
    language: fc.option(fc.constantFrom("eng", "jpn", "fr-CA"), { nil: undefined }),
    default: fc.option(fc.constantFrom("YES", "NO"), { nil: undefined }),
    autoselect: fc.option(fc.constantFrom("YES", "NO"), { nil: undefined }),
    channels: fc.option(fc.constantFrom("2", "6", "16/JOC"), { nil: undefined }),
    uri: fc.option(name, { nil: undefined }),
  })
  .map((r) => {
    const attributes = [`TYPE=${r.type}`, `GROUP-ID="${r.group}"`, `NAME="${r.name}"`];
    if (r.language !== undefined) attributes.push(`LANGUAGE="${r.language}"`);
    if (r.default !== undefined) attributes.push(`DEFAULT=${r.default}`);
    if (r.autoselect !== undefined) attributes.push(`AUTOSELECT=${r.autoselect}`);
    if (r.channels !== undefined) attributes.push(`CHANNELS="${r.channels}"`);
    if (r.type === "CLOSED-CAPTIONS") attributes.push('INSTREAM-ID="CC1"');
    else if (r.uri !== undefined) attributes.push(`URI="${r.uri}.m3u8"`);
    return `#EXT-X-MEDIA:${attributes.join(",")}`;
  });

const variant = fc
  .record({
    bandwidth: fc.integer({ min: 1, max: 5e7 }),
    average: fc.option(fc.integer({ min: 1, max: 5e7 }), { nil: undefined }),
    codecs: fc.option(fc.constantFrom("avc1.64001f,mp4a.40.2", "avc1.4d401f"), { nil: undefined }),
    resolution: fc.option(fc.tuple(fc.integer({ min: 16, max: 3840 }), fc.integer({ min: 16, max: 2160 })), {
      nil: undefined,
    }),
    frameRate: fc.option(fc.constantFrom("29.970", "25.000", "60"), { nil: undefined }),
    audio: fc.option(fc.constantFrom("program_audio"), { nil: undefined }),
    hdcp: fc.option(fc.constantFrom("TYPE-0", "NONE"), { nil: undefined }),
    captions: fc.option(fc.constantFrom("NONE", '"cc"'), { nil: undefined }),
    uri: name,
  })
  .map((v) => {
    const attributes = [`BANDWIDTH=${v.bandwidth}`];
    if (v.average !== undefined) attributes.push(`AVERAGE-BANDWIDTH=${v.average}`);
    if (v.codecs !== undefined) attributes.push(`CODECS="${v.codecs}"`);
    if (v.resolution !== undefined) attributes.push(`RESOLUTION=${v.resolution[0]}x${v.resolution[1]}`);
    if (v.frameRate !== undefined) attributes.push(`FRAME-RATE=${v.frameRate}`);
    if (v.audio !== undefined) attributes.push(`AUDIO="${v.audio}"`);
    if (v.hdcp !== undefined) attributes.push(`HDCP-LEVEL=${v.hdcp}`);
    if (v.captions !== undefined) attributes.push(`CLOSED-CAPTIONS=${v.captions}`);
    return `#EXT-X-STREAM-INF:${attributes.join(",")}\n${v.uri}.m3u8`;
  });

const iFrameVariant = fc
  .record({
    bandwidth: fc.integer({ min: 1, max: 5e6 }),
    average: fc.option(fc.integer({ min: 1, max: 5e6 }), { nil: undefined }),
    resolution: fc.tuple(fc.integer({ min: 16, max: 3840 }), fc.integer({ min: 16, max: 2160 })),
    uri: name,
  })
  .map(
    (v) =>
      `#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=${v.bandwidth}` +
      (v.average === undefined ? "" : `,AVERAGE-BANDWIDTH=${v.average}`) +
      `,CODECS="avc1.64001f",RESOLUTION=${v.resolution[0]}x${v.resolution[1]},URI="${v.uri}_iframe.m3u8"`,
  );

const masterPlaylist = fc
  .record({
    version: fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }),
    independent: fc.boolean(),
    renditions: fc.array(rendition, { maxLength: 4 }),
    variants: fc.array(variant, { minLength: 1, maxLength: 5 }),
    iFrames: fc.array(iFrameVariant, { maxLength: 3 }),
    noise: fc.array(noise, { maxLength: 2 }),
  })
  .map((m) =>
    [
      "#EXTM3U",
      ...(m.version === undefined ? [] : [`#EXT-X-VERSION:${m.version}`]),
      ...(m.independent ? ["#EXT-X-INDEPENDENT-SEGMENTS"] : []),
      ...m.renditions,
      ...m.noise,
      ...m.variants,
      ...m.iFrames,
      "",
    ].join("\n"),
  );

describe("generated playlists read as m3u8-parser reads them", () => {
  it("property: media playlists (keys, IVs, discontinuities, byte ranges, maps, program date times)", () => {
    fc.assert(
      fc.property(mediaPlaylist, fc.boolean(), (text, crlf) => agree(crlf ? text.replaceAll("\n", "\r\n") : text)),
      { numRuns: 300 },
    );
  });

  it("property: master playlists (renditions, variants, I-frame variants)", () => {
    fc.assert(
      fc.property(masterPlaylist, (text) => agree(text)),
      { numRuns: 200 },
    );
  });

  it("property: the emulator's renditions (local/emulators/mediaconvert.ts), with and without IVs", () => {
    const emulated = fc
      .record({
        durations: fc.array(
          duration.map((d) => Number(d).toFixed(3)).filter((d) => Number(d) > 0),
          { minLength: 1, maxLength: 10 },
        ),
        includeIv: fc.boolean(),
      })
      .map(({ durations, includeIv }) => {
        const lines = ["#EXTM3U", "#EXT-X-VERSION:3"];
        const target = Math.max(1, ...durations.map((d) => Math.ceil(Number(d))));
        lines.push(`#EXT-X-TARGETDURATION:${target}`, "#EXT-X-MEDIA-SEQUENCE:1", "#EXT-X-PLAYLIST-TYPE:VOD");
        durations.forEach((d, i) => {
          const iv = (i + 1).toString(16).padStart(32, "0");
          if (includeIv) lines.push(`#EXT-X-KEY:METHOD=AES-128,URI="https://keys.test/k",IV=0x${iv}`);
          else if (i === 0) lines.push('#EXT-X-KEY:METHOD=AES-128,URI="https://keys.test/k"');
          lines.push(`#EXTINF:${d},`, `video_720p_${String(i + 1).padStart(5, "0")}.ts`);
        });
        return [...lines, "#EXT-X-ENDLIST", ""].join("\n");
      });
    fc.assert(fc.property(emulated, (text) => agree(text)));
  });
});

// ---------------------------------------------------------------------------------------------
// Where the two differ on purpose

describe("refused on purpose, where m3u8-parser guessed", () => {
  const media = (...lines: string[]) =>
    ["#EXTM3U", "#EXT-X-TARGETDURATION:6", ...lines, "#EXT-X-ENDLIST", ""].join("\n");
  const refusals: Array<[string, string]> = [
    // m3u8-parser gave the segment the target duration; EXTINF is REQUIRED (§4.3.2.1).
    ["a segment without EXTINF", media("a.ts")],
    // m3u8-parser defaulted METHOD to AES-128 / kept the previous key; both are REQUIRED (§4.3.2.4).
    ["EXT-X-KEY without METHOD", media('#EXT-X-KEY:URI="k"', "#EXTINF:6,", "a.ts")],
    ["EXT-X-KEY without URI", media("#EXT-X-KEY:METHOD=AES-128", "#EXTINF:6,", "a.ts")],
    // m3u8-parser read a short IV as garbage words.
    ["an IV that is not 128 bits", media('#EXT-X-KEY:METHOD=AES-128,URI="k",IV=0x1234', "#EXTINF:6,", "a.ts")],
    // m3u8-parser kept the NaN as the segment's date.
    ["a program date time that is not a date", media("#EXT-X-PROGRAM-DATE-TIME:yesterday", "#EXTINF:6,", "a.ts")],
    ["an attribute list with a stray quote", media('#EXT-X-KEY:METHOD=AES-128,URI="k"x', "#EXTINF:6,", "a.ts")],
    ["a repeated attribute", media('#EXT-X-KEY:METHOD=AES-128,URI="k",URI="j"', "#EXTINF:6,", "a.ts")],
    ["a trailing comma in an attribute list", media('#EXT-X-KEY:METHOD=AES-128,URI="k",', "#EXTINF:6,", "a.ts")],
    ["a target duration that is not an integer", media("#EXT-X-TARGETDURATION:6.5", "#EXTINF:6,", "a.ts")],
    ["an unknown playlist type", media("#EXT-X-PLAYLIST-TYPE:LIVE", "#EXTINF:6,", "a.ts")],
    // m3u8-parser substituted the variables; we would have to as well.
    ["EXT-X-DEFINE", media('#EXT-X-DEFINE:NAME="v",VALUE="x"', "#EXTINF:6,", "{$v}.ts")],
    // m3u8-parser crashed with a TypeError (a 500) on the URI line without EXT-X-STREAM-INF.
    ["a master with a URI line of no variant", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\nb.m3u8\n"],
    ["a RESOLUTION that is not <w>x<h>", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=720p\na.m3u8\n"],
  ];

  it.each(refusals)("%s", (_, text) => {
    expect(() => parseSourcePlaylist(text)).toThrow(SourcePlaylistError);
  });

  it("an EXTINF of 0 stays 0 (m3u8-parser made it 0.01)", () => {
    const parsed = parseSourcePlaylist(media("#EXTINF:0,", "a.ts"));
    expect(parsed.kind === "media" && parsed.segments[0]!.duration).toBe(0);
    const oracle = parseWithM3u8Parser(media("#EXTINF:0,", "a.ts"));
    expect(oracle.kind === "media" && oracle.segments[0]!.duration).toBe(0.01);
  });

  it("a valid playlist next to each refused one is read, so the refusals are the line's fault", () => {
    agree(media('#EXT-X-KEY:METHOD=AES-128,URI="k",IV=0x00000000000000000000000000001234', "#EXTINF:6,", "a.ts"));
    agree(
      media("#EXT-X-PROGRAM-DATE-TIME:2026-12-06T00:00:00.000Z", "#EXT-X-PLAYLIST-TYPE:EVENT", "#EXTINF:6,", "a.ts"),
    );
  });
});
