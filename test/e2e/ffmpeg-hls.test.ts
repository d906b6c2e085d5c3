/**
 * Real clients against a real `wrangler dev` (PLAYBACK_POLICY=signed): ffmpeg encodes a short clip
 * to HLS, the test lays it out as MediaConvert output in the local S3 server with the rows the
 * Lambdas write, and then
 * - ffmpeg plays the Worker's master, a rendition and a clip, fetching the key through the token;
 * - a bad token makes ffmpeg fail;
 * - the decrypted bytes of every clip segment, fetched and decrypted using only the Worker's
 *   playlist (its key URI and its derived or explicit IV), equal the original segments.
 *
 * Two encryptions are covered:
 * - implicit IV (MediaConvert with InitializationVectorInManifest=EXCLUDE): each segment encrypted
 *   with its media sequence number as IV (RFC 8216 §5.2), no IV attribute in the playlist. ffmpeg
 *   5.1 cannot write this (with no IV in the key info it encrypts every segment with IV 0 and writes
 *   IV=0x0...), so the test encrypts ffmpeg's clear segments itself;
 * - explicit IV: ffmpeg's own `-hls_key_info_file` output, IV=0x0... written in the playlist.
 * Plus a recorder window over `-f segment` output, played by ffmpeg.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Parser } from "m3u8-parser";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startWranglerDev, type WranglerDev } from "../../local/wrangler-dev.ts";
import { DEFAULT_BUCKETS } from "../../model/index.ts";
import { recordingScope } from "../../worker/auth/tokens.ts";
import { effectiveIv } from "../../worker/hls/vod.ts";
import { formatSegmentName } from "../../worker/hls/recordings.ts";
import { TEST_SOURCE, encodeEncryptedHls, ffmpeg, requireFfmpeg } from "./support/ffmpeg.ts";
import {
  e2eToken,
  MASTER,
  OUTPUT_PATH,
  putJobRows,
  uploadJobFiles,
  uploadObjects,
  uploadOutput,
  type UploadObject,
  vodUrl as workerVodUrl,
  workerVars,
} from "./support/vod-job.ts";

const IMPLICIT_JOB = "1704164400000-e2eimp";
const EXPLICIT_JOB = "1704164400000-e2eexp";
const RECORDING_T0 = Date.UTC(2024, 0, 3) / 1000;

let work: string;
let worker: WranglerDev;
const originals = new Map<string, Buffer>(); // clear segment bytes by file name
const keys = { implicit: randomBytes(16), explicit: randomBytes(16) };

function aes(key: Buffer, iv: Uint8Array, data: Buffer, decrypt = false): Buffer {
  const cipher = (decrypt ? createDecipheriv : createCipheriv)("aes-128-cbc", key, iv);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

beforeAll(async () => {
  await requireFfmpeg();
  const endpoints = { dynamodbEndpoint: inject("dynamodbEndpoint"), s3Endpoint: inject("s3Endpoint") };
  work = mkdtempSync(join(tmpdir(), "media-edge-e2e-"));
  const clear = join(work, "clear");
  const explicit = join(work, "explicit");
  const recorder = join(work, "recorder");
  for (const dir of [clear, explicit, recorder]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(work, "explicit.key"), keys.explicit);
  writeFileSync(join(work, "keyinfo"), `Clip Test.key\n${join(work, "explicit.key")}\n`);

  const [clearRun, explicitRun, recorderRun, wrangler] = await Promise.all([
    // Clear HLS numbered from 1 (as MediaConvert numbers its segments), to be encrypted below.
    ffmpeg([...TEST_SOURCE, "-hls_time", "2", "-hls_playlist_type", "vod", "-start_number", "1",
      "-hls_segment_filename", join(clear, "Clip Test_180p_%05d.ts"), join(clear, "Clip Test_180p.m3u8")]), // prettier-ignore
    // ffmpeg's own AES-128 output: one explicit IV=0x0... for every segment.
    encodeEncryptedHls(explicit, "Clip Test_180p", join(work, "keyinfo")),
    // A recorder: 4-second MPEG-TS segments. The segment muxer starts every file with fresh
    // continuity counters; `initial_discontinuity` says so in the stream, else a strict client
    // (ffmpeg -xerror) reports the first packet of each file as corrupt (docs/api.md, "Recorder windows").
    ffmpeg([...TEST_SOURCE, "-f", "segment", "-segment_time", "4", "-segment_format", "mpegts",
      "-segment_format_options", "mpegts_flags=+initial_discontinuity", join(recorder, "part%d.ts")]), // prettier-ignore
    startWranglerDev({
      vars: workerVars(endpoints, { ALLOWED_ORIGINS: "https://app.example.com", RECORDING_SEGMENT_SECONDS: "4" }),
    }),
  ]);
  worker = wrangler;
  for (const result of [clearRun, explicitRun, recorderRun]) {
    if (result.code !== 0) throw new Error(`ffmpeg failed: ${result.stderr}`);
  }

  // Implicit-IV job: encrypt each clear segment with IV = its media sequence number.
  const clearPlaylist = readFileSync(join(clear, "Clip Test_180p.m3u8"), "utf8");
  const sequenceStart = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(clearPlaylist)?.[1] ?? "0");
  const names = clearPlaylist.split("\n").filter((line) => line.endsWith(".ts"));
  const implicitPath = `${OUTPUT_PATH}${IMPLICIT_JOB}/`;
  const implicitFiles: UploadObject[] = names.map((name, index) => {
    const bytes = readFileSync(join(clear, name));
    originals.set(name, bytes);
    return { key: `${implicitPath}${name}`, body: aes(keys.implicit, effectiveIv({}, sequenceStart + index), bytes) };
  });
  const implicitPlaylist = clearPlaylist.replace(
    "#EXT-X-PLAYLIST-TYPE:VOD\n",
    '#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-KEY:METHOD=AES-128,URI="Clip Test.key"\n',
  );
  expect(implicitPlaylist).not.toContain("IV=");
  implicitFiles.push(
    { key: `${implicitPath}Clip Test_180p.m3u8`, body: implicitPlaylist },
    { key: `${implicitPath}Clip Test.m3u8`, body: MASTER },
  );

  // Recorder segments named by start time, as the recorder writes them.
  const parts = readdirSync(recorder).sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]));
  const recorderFiles = parts.map((part, index) => ({
    key: `movie/e2e/${formatSegmentName(RECORDING_T0 + index * 4)}`,
    body: readFileSync(join(recorder, part)),
  }));

  await Promise.all([
    uploadOutput(endpoints.s3Endpoint, implicitFiles),
    // Explicit-IV job: ffmpeg's files as they are (the clear originals are decrypted from them).
    uploadJobFiles(endpoints.s3Endpoint, EXPLICIT_JOB, explicit),
    uploadObjects(endpoints.s3Endpoint, DEFAULT_BUCKETS.recordings, recorderFiles),
    putJobRows(endpoints.dynamodbEndpoint, IMPLICIT_JOB, keys.implicit.toString("hex")),
    putJobRows(endpoints.dynamodbEndpoint, EXPLICIT_JOB, keys.explicit.toString("hex")),
  ]);
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const vodUrl = (jobId: string, playlist: string, query = "") => workerVodUrl(worker.url, jobId, playlist, query);

/** Fetches every segment and the key of a Worker playlist and decrypts them as a player must. */
async function decryptThroughPlaylist(url: string): Promise<Array<{ uri: string; sequence: number; clear: Buffer }>> {
  const text = await (await fetch(url)).text();
  const parser = new Parser();
  parser.push(text);
  parser.end();
  const manifest = parser.manifest;
  const out: Array<{ uri: string; sequence: number; clear: Buffer }> = [];
  const keyCache = new Map<string, Buffer>();
  for (const [index, segment] of manifest.segments.entries()) {
    const sequence = (manifest.mediaSequence ?? 0) + index;
    const key = segment.key!;
    if (!keyCache.has(key.uri)) {
      const response = await fetch(key.uri);
      expect(response.status).toBe(200);
      keyCache.set(key.uri, Buffer.from(await response.arrayBuffer()));
    }
    const iv = key.iv === undefined ? effectiveIv({}, sequence) : ivFromWords(key.iv);
    const encrypted = Buffer.from(await (await fetch(segment.uri)).arrayBuffer());
    out.push({ uri: segment.uri, sequence, clear: aes(keyCache.get(key.uri)!, iv, encrypted, true) });
  }
  return out;
}

function ivFromWords(words: Uint32Array): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  words.forEach((word, i) => view.setUint32(i * 4, word));
  return bytes;
}

const fileName = (uri: string) => decodeURIComponent(new URL(uri).pathname.split("/").pop()!);

describe("ffmpeg plays the Worker's playlists (wrangler dev, PLAYBACK_POLICY=signed)", () => {
  it("the master and a clip, implicit IV: the key comes through the token", async () => {
    for (const url of [
      await vodUrl(IMPLICIT_JOB, "Clip Test.m3u8"),
      await vodUrl(IMPLICIT_JOB, "Clip Test_180p.m3u8", "&start=4.5&end=8"),
    ]) {
      const result = await ffmpeg(["-v", "error", "-xerror", "-i", url, "-f", "null", "-"]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
    }
  });

  it("the master and a clip, explicit IV", async () => {
    for (const url of [
      await vodUrl(EXPLICIT_JOB, "Clip Test.m3u8"),
      await vodUrl(EXPLICIT_JOB, "Clip Test.m3u8", "&start=2&end=6"),
    ]) {
      const result = await ffmpeg(["-v", "error", "-xerror", "-i", url, "-f", "null", "-"]);
      expect(result.code, result.stderr).toBe(0);
    }
  });

  it("a bad token fails: on the playlist, and on the key", async () => {
    const noToken = `${worker.url}/api/media/vod/${IMPLICIT_JOB}/${encodeURIComponent("Clip Test.m3u8")}`;
    expect((await ffmpeg(["-v", "error", "-xerror", "-i", noToken, "-f", "null", "-"])).code).not.toBe(0);
    // The Worker's own rendition, with its key token tampered, played from a file.
    const text = await (await fetch(await vodUrl(IMPLICIT_JOB, "Clip Test_180p.m3u8"))).text();
    const tampered = text.replace(
      /(\/api\/media\/keys\/[^?]+\?token=[^"]+)"/,
      (_, uri: string) => `${uri.slice(0, -3)}AAA"`,
    );
    expect(tampered).not.toBe(text);
    const file = join(work, "tampered.m3u8");
    writeFileSync(file, tampered);
    const result = await ffmpeg([
      "-v", "error", "-xerror", "-protocol_whitelist", "file,http,tcp,crypto,data", "-i", file, "-f", "null", "-",
    ]); // prettier-ignore
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/401|Unauthorized|Invalid data|Error/i);
  });

  it("a recorder window: ffmpeg plays it through the segment route", async () => {
    const token = await e2eToken(recordingScope("e2e"), "play");
    const url = `${worker.url}/api/media/recordings/playlist.m3u8?stream=e2e&start=${RECORDING_T0 + 2}&end=${RECORDING_T0 + 9}&token=${token}`;
    const text = await (await fetch(url)).text();
    expect(text.match(/#EXTINF:4\.000,/g)).toHaveLength(3);
    const result = await ffmpeg(["-v", "error", "-xerror", "-i", url, "-f", "null", "-"]);
    expect(result.code, result.stderr).toBe(0);
  });
});

describe("decryption is proven by bytes (RFC 8216 §5.2)", () => {
  it("implicit IV: every clip segment decrypts, via the Worker's playlist alone, to the original", async () => {
    const segments = await decryptThroughPlaylist(
      await vodUrl(IMPLICIT_JOB, "Clip Test_180p.m3u8", "&start=4.5&end=8"),
    );
    expect(segments.map((s) => fileName(s.uri))).toEqual(["Clip Test_180p_00003.ts", "Clip Test_180p_00004.ts"]);
    for (const segment of segments) expect(segment.clear.equals(originals.get(fileName(segment.uri))!)).toBe(true);
  });

  it("control: renumbering the clip from 0 (what a naive window does) would corrupt every segment", async () => {
    const segments = await decryptThroughPlaylist(
      await vodUrl(IMPLICIT_JOB, "Clip Test_180p.m3u8", "&start=4.5&end=8"),
    );
    const first = segments[0]!;
    const encrypted = Buffer.from(await (await fetch(first.uri)).arrayBuffer());
    const decipher = createDecipheriv("aes-128-cbc", keys.implicit, effectiveIv({}, 0));
    decipher.setAutoPadding(false);
    const wrong = Buffer.concat([decipher.update(encrypted), decipher.final()]);
    expect(wrong.subarray(0, 16).equals(originals.get(fileName(first.uri))!.subarray(0, 16))).toBe(false);
  });

  it("explicit IV: clip segments decrypt to what the original playlist decrypts to", async () => {
    const originalPlaylist = readFileSync(join(work, "explicit", "Clip Test_180p.m3u8"), "utf8");
    const segments = await decryptThroughPlaylist(await vodUrl(EXPLICIT_JOB, "Clip Test_180p.m3u8", "&start=2&end=6"));
    expect(segments.length).toBe(2);
    for (const segment of segments) {
      const name = fileName(segment.uri);
      expect(originalPlaylist).toContain(name);
      const viaOriginal = aes(keys.explicit, new Uint8Array(16), readFileSync(join(work, "explicit", name)), true);
      expect(segment.clear.equals(viaOriginal)).toBe(true);
      expect(segment.clear[0]).toBe(0x47); // MPEG-TS sync byte
    }
  });
});
