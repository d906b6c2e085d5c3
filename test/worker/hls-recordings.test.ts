/**
 * Recorder window playlists and segment streaming through the real Worker in workerd, against
 * the local S3 server holding a generated archive: thousands of segment objects in several
 * streams, a gap, and objects whose names are not segment names.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { readConfig, type Config } from "../../worker/config.ts";
import { awsEdgeClient } from "../../worker/http/middleware.ts";
import { listWindowSegments } from "../../worker/routes/recordings.ts";
import { formatSegmentName } from "../../worker/hls/recordings.ts";
import { recordingScope } from "../../worker/auth/tokens.ts";
import goldenGap from "../fixtures/hls/golden/recordings-gap.m3u8?raw";
import { recorderSegments, segmentBody, testToken, tokenIn, withoutTokens } from "./hls-support.ts";
import { bindings, call, callWith } from "./support/request.ts";
import { putObjects } from "./support/s3.ts";

const BUCKET = "media-recordings";
const T0 = Date.UTC(2024, 0, 2) / 1000; // 2024-01-02T00:00:00Z
const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(".000", "");
const ROOT_COUNT = 1500;
const GAP = [500, 501, 502]; // 04:10:00-04:11:00 missing
const rootStarts = Array.from({ length: ROOT_COUNT }, (_, i) => T0 + i * 30).filter((_, i) => !GAP.includes(i));
// cam1 drifts: segments of 30 and 31 seconds.
const cam1Starts = Array.from({ length: 400 }, (_, i) => T0 + i * 30 + Math.floor(i / 2));
const cam2Starts = Array.from({ length: 40 }, (_, i) => T0 + 3600 + i * 30);
const NOW = Math.floor(Date.now() / 1000);
const liveStarts = Array.from({ length: 10 }, (_, i) => NOW - 300 + i * 30 - (NOW % 30));
// Three hours of a live recorder up to now (the segment being recorded is not there yet), with a
// gap of two segments about two hours back, in the part that has settled.
const LIVE_DAY_FIRST = NOW - (NOW % 30) - 3 * 3600;
const liveDayStarts = Array.from({ length: 3 * 120 }, (_, i) => LIVE_DAY_FIRST + i * 30).filter(
  (_, i) => i !== 100 && i !== 101,
);

function config(): Config {
  const result = readConfig(env as unknown as Record<string, unknown>);
  if (result instanceof Error) throw result;
  return result;
}

beforeAll(async () => {
  await putObjects(BUCKET, [
    ...recorderSegments("movie/", rootStarts),
    ...recorderSegments("movie/cam1/", cam1Starts),
    ...recorderSegments("movie/site-a/cam2/", cam2Starts),
    ...recorderSegments("movie/live/", liveStarts),
    ...recorderSegments("movie/live-day/", liveDayStarts),
    // Not segment names: skipped (and logged), never emitted.
    { key: "movie/20240102T041230Z-broken.ts", body: "x" },
    { key: "movie/20240102T0412.ts", body: "x" },
    { key: "movie/cam1/notes.txt", body: "x" },
  ]);
}, 120_000);

describe("GET /api/media/recordings/playlist.m3u8", () => {
  it("a past window with a gap: VOD, ENDLIST, DISCONTINUITY, PROGRAM-DATE-TIME, golden", async () => {
    const response = await call(
      `/api/media/recordings/playlist.m3u8?start=${iso(T0 + 4 * 3600 + 8 * 60 + 45)}&end=${iso(T0 + 4 * 3600 + 12 * 60 + 10)}`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
    expect(response.headers.get("cache-control")).toBe("public, max-age=86400");
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.nightonly.com");
    expect(await response.text()).toBe(goldenGap);
  });

  it("a window starting inside a segment includes that segment; epoch seconds work too", async () => {
    const text = await (await call(`/api/media/recordings/playlist.m3u8?start=${T0 + 45}&end=${T0 + 61}`)).text();
    const uris = text.split("\n").filter((line) => line.startsWith("https://"));
    expect(uris).toEqual([
      `https://edge.test/api/media/segments/recordings/${formatSegmentName(T0 + 30)}`,
      `https://edge.test/api/media/segments/recordings/${formatSegmentName(T0 + 60)}`,
    ]);
    expect(text).toContain(`#EXT-X-MEDIA-SEQUENCE:${(T0 + 30) / 30}\n`);
  });

  it("a drifting stream: durations from the next start, TARGETDURATION is the ceiling of the longest", async () => {
    const text = await (
      await call(`/api/media/recordings/playlist.m3u8?stream=cam1&start=${T0}&end=${T0 + 600}`)
    ).text();
    expect(text).toContain("#EXT-X-TARGETDURATION:31\n");
    expect(text).toContain("#EXTINF:31.000,\n");
    expect(text).toContain("#EXTINF:30.000,\n");
    expect(text).not.toContain("notes.txt");
    expect(text).toContain("/segments/recordings/cam1/");
    const nested = await (
      await call(`/api/media/recordings/playlist.m3u8?stream=site-a/cam2&start=${T0 + 3600}&end=${T0 + 3700}`)
    ).text();
    expect(nested.split("\n").filter((l) => l.includes("/segments/recordings/site-a/cam2/"))).toHaveLength(4);
  });

  it("streams do not leak into each other: the root listing skips sub-stream folders", async () => {
    const text = await (await call(`/api/media/recordings/playlist.m3u8?start=${T0}&end=${T0 + 3600}`)).text();
    expect(text).not.toMatch(/cam1|cam2|live\//);
    expect(text.split("\n").filter((l) => l.startsWith("https://"))).toHaveLength(120);
  });

  it("a live window (no end): EVENT, no ENDLIST, cached at most half the target duration, stable media sequence", async () => {
    const start = liveStarts[2]! + 10;
    const first = await call(`/api/media/recordings/playlist.m3u8?stream=live&start=${start}`);
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("public, max-age=15");
    const text = await first.text();
    expect(text).toContain("#EXT-X-PLAYLIST-TYPE:EVENT\n");
    expect(text).not.toContain("ENDLIST");
    const sequence = /#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)![1];
    expect(Number(sequence)).toBe(Math.floor(liveStarts[2]! / 30));
    await putObjects(BUCKET, recorderSegments("movie/live/", [liveStarts.at(-1)! + 30]));
    const reloaded = await (await call(`/api/media/recordings/playlist.m3u8?stream=live&start=${start}`)).text();
    expect(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(reloaded)![1]).toBe(sequence);
    const uris = (t: string) => t.split("\n").filter((l) => l.startsWith("https://"));
    expect(uris(reloaded).slice(0, uris(text).length)).toEqual(uris(text));
    expect(uris(reloaded)).toHaveLength(uris(text).length + 1);
  });

  it("a day-long live window: its settled whole hours come from the edge cache, so a reload makes one S3 call", async () => {
    // The head/tail boundary moves on the hour (two segments late): not across this test.
    const secondsToNextBoundary = 3600 - ((Date.now() / 1000 - 60) % 3600);
    if (secondsToNextBoundary < 15) await new Promise((done) => setTimeout(done, (secondsToNextBoundary + 1) * 1000));
    const path = `/api/media/recordings/playlist.m3u8?stream=live-day&start=${LIVE_DAY_FIRST}`;
    const load = async () => {
      const lines: string[] = [];
      const spy = vi.spyOn(console, "log").mockImplementation((...args) => void lines.push(args.map(String).join(" ")));
      try {
        const response = await callWith({}, path);
        const text = await response.text();
        const access = lines
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .find((r) => r.msg === "request");
        return { status: response.status, text, access: access! };
      } finally {
        spy.mockRestore();
      }
    };
    const first = await load();
    expect(first.status).toBe(200);
    expect(first.text).toContain("#EXT-X-PLAYLIST-TYPE:EVENT\n");
    // Three hours fit one listing page each way: the settled head and the fresh tail.
    expect(first.access).toMatchObject({ status: 200, cache: "live-head-miss", upstream_calls: 2 });
    const reload = await load();
    expect(reload.access).toMatchObject({ status: 200, cache: "live-head-hit", upstream_calls: 1 });
    expect(reload.text).toBe(first.text);

    // The joined listing gives exactly what one listing of the whole window gives.
    const whole = await listWindowSegments(awsEdgeClient(config()), config(), "live-day", {
      start: LIVE_DAY_FIRST,
      end: LIVE_DAY_FIRST + 86_400,
    });
    const names = (text: string) =>
      text
        .split("\n")
        .filter((line) => line.startsWith("https://"))
        .map((uri) => uri.split("/").pop());
    expect(names(reload.text)).toEqual(whole.map((segment) => segment.key.split("/").pop()));
    expect(names(reload.text)).toHaveLength(liveDayStarts.length);
    // The gap, in the cached head, is still marked.
    expect(reload.text.match(/#EXT-X-DISCONTINUITY\n/g)).toHaveLength(1);
  });

  it.each([
    ["missing start", "end=2024-01-02T01:00:00Z", /start is required/],
    ["unparsable start", "start=yesterday", /start is not a time/],
    ["time without zone", "start=2024-01-02T01:00:00", /start is not a time/],
    ["NaN", "start=NaN", /start is not a time/],
    ["negative", "start=-5", /start is not a time/],
    ["end before start", `start=${T0 + 100}&end=${T0}`, /end must be after start/],
    ["too long", `start=${T0}&end=${T0 + 7 * 86_400 + 1}`, /longer than the maximum of 604800/],
    ["stream ../", `start=${T0}&stream=../secret`, /stream/],
    ["stream %2F", `start=${T0}&stream=a%2F..%2F..`, /stream/],
    ["stream control character", `start=${T0}&stream=cam%0A1`, /stream/],
    ["stream absolute", `start=${T0}&stream=/etc`, /stream/],
  ])("400 JSON for %s", async (_, query, message) => {
    const response = await call(`/api/media/recordings/playlist.m3u8?${query}`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { success: boolean; message: string };
    expect(body.success).toBe(false);
    expect(body.message).toMatch(message);
  });

  it("404 JSON for an empty window (before the archive, and inside the gap)", async () => {
    for (const query of [`start=${T0 - 7200}&end=${T0 - 3600}`, `start=${T0 + 15_031}&end=${T0 + 15_059}`]) {
      const response = await call(`/api/media/recordings/playlist.m3u8?${query}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ success: false, message: "No recordings in this window." });
    }
  });

  it("SEGMENT_BASE_URL: segment URIs point at the public hosting, keys percent-encoded", async () => {
    const response = await callWith(
      { SEGMENT_BASE_URL: "https://recordings.example.com/base/" },
      `/api/media/recordings/playlist.m3u8?stream=cam1&start=${T0}&end=${T0 + 60}`,
    );
    const text = await response.text();
    expect(text).toContain(`\nhttps://recordings.example.com/base/movie/cam1/${formatSegmentName(T0)}\n`);
  });

  it("a 200 from S3 with malformed XML is a 502 JSON, not a partial playlist", async () => {
    const response = await callWith(
      { S3_ENDPOINT: `${bindings.TEST_CHAOS_ENDPOINT}/malformed/hls-listing`, CACHE_TTL_SECONDS: "0" },
      `/api/media/recordings/playlist.m3u8?start=${T0}&end=${T0 + 60}`,
    );
    expect(response.status).toBe(502);
    const body = await response.text();
    expect(body).toContain("Upstream error.");
    expect(body).not.toContain("UPSTREAM-SECRET-BODY");
  });
});

describe("S3 calls per window", () => {
  const count = async (stream: string, start: number, seconds: number) => {
    const aws = awsEdgeClient(config());
    const segments = await listWindowSegments(aws, config(), stream, { start, end: start + seconds });
    return { calls: aws.stats.calls, segments: segments.length };
  };

  it("depend on the window, not on where it lies in the archive or how large the archive is", async () => {
    // 1 h: one page wherever the window lies; the archive (1,500 root objects) is never read whole.
    // The listing also returns the one segment before the window (it could contain the start) and
    // the first one after it (the look-ahead that gives the last segment its real duration).
    expect(await count("", T0, 3600)).toEqual({ calls: 1, segments: 121 });
    expect(await count("", T0 + 10 * 3600, 3600)).toEqual({ calls: 1, segments: 122 });
    expect(await count("cam1", T0 + 3600, 3600)).toMatchObject({ calls: 1 });
    // 10 h = 1,200 segments: more than one 1,000-key page, so continuation tokens are followed.
    const tenHours = await count("", T0 + 3600, 36_000);
    expect(tenHours.calls).toBe(2);
    // 1,200 minus the gap, plus the lookback and look-ahead segments (the two keys that are not
    // segment names are skipped).
    expect(tenHours.segments).toBe(1200 - 3 + 2);
  });
});

describe("GET /api/media/segments/recordings/...", () => {
  const key = `movie/cam1/${formatSegmentName(cam1Starts[5]!)}`;
  const path = `/api/media/segments/recordings/cam1/${formatSegmentName(cam1Starts[5]!)}`;

  it("streams the private object with caching headers, and honours Range", async () => {
    const response = await call(path);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("video/mp2t");
    expect(response.headers.get("cache-control")).toBe("public, max-age=86400, immutable");
    expect(response.headers.get("accept-ranges")).toBe("bytes");
    expect(await response.text()).toBe(segmentBody(key));
    const ranged = await call(path, { headers: { range: "bytes=8-11" } });
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe(segmentBody(key).slice(8, 12));
  });

  it("HEAD asks S3 for headers only (HeadObject), never the object's bytes; then answers from the cache", async () => {
    const name = formatSegmentName(cam1Starts[6]!);
    const headPath = `/api/media/segments/recordings/cam1/${name}`;
    const body = segmentBody(`movie/cam1/${name}`);
    const s3Methods: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      if (request.url.startsWith(bindings.S3_ENDPOINT!)) s3Methods.push(request.method);
      return realFetch(request);
    }) as typeof fetch;
    try {
      const head = await callWith({}, headPath, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(head.headers.get("content-length")).toBe(String(body.length));
      expect(head.headers.get("content-type")).toBe("video/mp2t");
      expect(await head.text()).toBe("");
      expect(s3Methods).toEqual(["HEAD"]);
      // A GET streams (and caches) the object; a HEAD after it is answered from the cache.
      expect(await (await callWith({}, headPath)).text()).toBe(body);
      const cachedHead = await callWith({}, headPath, { method: "HEAD" });
      expect(cachedHead.status).toBe(200);
      expect(await cachedHead.text()).toBe("");
      expect(s3Methods).toEqual(["HEAD", "GET"]);
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it("400 for paths that are not segment names, 404 for missing segments", async () => {
    for (const bad of [
      "cam1/notes.txt",
      "..%2Fmovie%2F20240102T000000Z.ts",
      "cam1%2F20240102T000000Z.ts",
      "cam1/20240102T000000Z.ts%00",
    ]) {
      expect((await call(`/api/media/segments/recordings/${bad}`)).status, bad).toBe(400);
    }
    expect((await call(`/api/media/segments/recordings/cam1/20300101T000000Z.ts`)).status).toBe(404);
  });
});

describe("PLAYBACK_POLICY=signed", () => {
  const signed = { PLAYBACK_POLICY: "signed" };
  const query = `stream=cam1&start=${T0}&end=${T0 + 90}`;

  it("the playlist needs a play token for that stream; its segment URIs carry a media token", async () => {
    expect((await callWith(signed, `/api/media/recordings/playlist.m3u8?${query}`)).status).toBe(401);
    const other = await testToken(recordingScope("cam2"), "play");
    expect((await callWith(signed, `/api/media/recordings/playlist.m3u8?${query}&token=${other}`)).status).toBe(403);
    const token = await testToken(recordingScope("cam1"), "play");
    const response = await callWith(signed, `/api/media/recordings/playlist.m3u8?${query}&token=${token}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("private, max-age=60");
    const text = await response.text();
    expect(withoutTokens(text)).toContain(`/segments/recordings/cam1/${formatSegmentName(T0)}?token=TOKEN\n`);
    const mediaToken = tokenIn(text, /segments\/recordings/)!;
    const segmentPath = `/api/media/segments/recordings/cam1/${formatSegmentName(T0)}`;
    expect((await callWith(signed, segmentPath)).status).toBe(401);
    const segment = await callWith(signed, `${segmentPath}?token=${mediaToken}`);
    expect(segment.status).toBe(200);
    expect(segment.headers.get("cache-control")).toBe("private, max-age=86400");
    // A media token opens segments, not playlists.
    expect((await callWith(signed, `/api/media/recordings/playlist.m3u8?${query}&token=${mediaToken}`)).status).toBe(
      403,
    );
  });

  it("rec:* grants every stream", async () => {
    const token = await testToken("rec:*", "play");
    expect((await callWith(signed, `/api/media/recordings/playlist.m3u8?${query}&token=${token}`)).status).toBe(200);
  });
});
