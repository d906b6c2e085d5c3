/**
 * VOD playlists, clips, VOD segments and key delivery through the real Worker in workerd, with
 * a MediaConvert-shaped output in the local S3 server and the rows the Lambdas write in
 * DynamoDB Local (JobOutputItem, JobStatusItem).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TABLES, epochSeconds, INFO_FILE } from "../../model/index.ts";
import { jobScope } from "../../worker/auth/tokens.ts";
import { mintToken } from "../../worker/auth/tokens.ts";
import masterSource from "../fixtures/hls/mediaconvert/master.m3u8?raw";
import explicitSource from "../fixtures/hls/mediaconvert/rendition-explicit-iv.m3u8?raw";
import implicitSource from "../fixtures/hls/mediaconvert/rendition-implicit-iv.m3u8?raw";
import { segmentBody, testToken, tokenIn, withoutTokens } from "./hls-support.ts";
import { putItem } from "./support/dynamodb.ts";
import { bindings, call, callWith, chaosRequests } from "./support/request.ts";
import { putObject, putObjects } from "./support/s3.ts";

const BUCKET = "media-output";
const KEY_HEX = "00112233445566778899aabbccddeeff";
const OUTPUT_PATH = "uploads/Big Buck Bunny.test.mp4_20240102T030000Z/";
const MASTER = "Big Buck Bunny.test.m3u8";
const JOB = "1704164400000-hlsvod";
const unique = () => crypto.randomUUID().slice(0, 8);

async function seedJob(jobId: string, status: Record<string, unknown> | null, output: Record<string, unknown> = {}) {
  const now = epochSeconds();
  await putItem(DEFAULT_TABLES.jobIdToOutput, {
    JobId: jobId,
    InputFile: "uploads/Big Buck Bunny.test.mp4",
    OutputBucket: BUCKET,
    OutputPath: OUTPUT_PATH,
    KeyFile: "Big Buck Bunny.test.key",
    KeyValue: KEY_HEX,
    CreationTime: now,
    ...output,
  });
  if (status !== null) {
    await putItem(DEFAULT_TABLES.jobIdToStatus, {
      JobId: jobId,
      ProgressRate: 100,
      OutputPath: OUTPUT_PATH,
      Playlists: { ".m3u8": MASTER },
      CreationTime: now,
      ExpirationTime: now + 86_400,
      ...status,
    });
  }
}

beforeAll(async () => {
  const segments = [1, 2, 3, 4, 5].map((n) => `${OUTPUT_PATH}Big Buck Bunny.test_720p_0000${n}.ts`);
  await putObjects(BUCKET, [
    { key: `${OUTPUT_PATH}${MASTER}`, body: masterSource },
    { key: `${OUTPUT_PATH}Big Buck Bunny.test_720p.m3u8`, body: implicitSource },
    { key: `${OUTPUT_PATH}Big Buck Bunny.test_360p.m3u8`, body: implicitSource },
    { key: `${OUTPUT_PATH}Big Buck Bunny.test_audio.m3u8`, body: explicitSource },
    { key: `${OUTPUT_PATH}${INFO_FILE}`, body: '{"playlists": {".m3u8": "Big Buck Bunny.test.m3u8"}}' },
    ...segments.map((key) => ({ key, body: segmentBody(key) })),
  ]);
  await seedJob(JOB, { JobStatus: "COMPLETE" });
}, 60_000);

const vod = (path: string, jobId = JOB) => `/api/media/vod/${jobId}/${path}`;

describe("GET /api/media/vod/{job_id}/{playlist}.m3u8", () => {
  it("the master: every variant and rendition URI rewritten to this route, names percent-encoded", async () => {
    const response = await call(vod(encodeURIComponent(MASTER)));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
    expect(response.headers.get("cache-control")).toBe("private, max-age=60");
    const text = await response.text();
    expect(text).toContain(`URI="https://edge.test/api/media/vod/${JOB}/Big%20Buck%20Bunny.test_audio.m3u8"`);
    expect(text).toContain(`\nhttps://edge.test/api/media/vod/${JOB}/Big%20Buck%20Bunny.test_720p.m3u8\n`);
    expect(text).toContain(`\nhttps://edge.test/api/media/vod/${JOB}/Big%20Buck%20Bunny.test_360p.m3u8\n`);
    expect(text).toContain('CHANNELS="2"');
  });

  it("a rendition: segments -> segment route, EXT-X-KEY -> key route with a token that opens the key", async () => {
    const text = await (await call(vod("Big%20Buck%20Bunny.test_720p.m3u8"))).text();
    expect(withoutTokens(text)).toBe(
      [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-TARGETDURATION:6",
        "#EXT-X-MEDIA-SEQUENCE:1",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        `#EXT-X-KEY:METHOD=AES-128,URI="https://edge.test/api/media/keys/${JOB}?token=TOKEN"`,
        ...[1, 2, 3, 4, 5].flatMap((n) => [
          n === 5 ? "#EXTINF:3.337," : "#EXTINF:6.006,",
          `https://edge.test/api/media/segments/vod/${JOB}/Big%20Buck%20Bunny.test_720p_0000${n}.ts`,
        ]),
        "#EXT-X-ENDLIST",
        "",
      ].join("\n"),
    );
    const keyUri = /URI="https:\/\/edge\.test([^"]+)"/.exec(text)![1]!;
    const key = await call(keyUri);
    expect(key.status).toBe(200);
    expect(Buffer.from(await key.arrayBuffer()).toString("hex")).toBe(KEY_HEX);
  });

  it("?start=&end= clips to whole segments keeping the original media sequence (implicit IV)", async () => {
    const text = await (await call(vod("Big%20Buck%20Bunny.test_720p.m3u8?start=13&end=20"))).text();
    expect(text).toContain("#EXT-X-MEDIA-SEQUENCE:3\n");
    expect(text.match(/#EXTINF/g)).toHaveLength(2);
    expect(text).toContain("_00003.ts\n");
    expect(text).toContain("_00004.ts\n");
    expect(text).toContain("#EXT-X-KEY:METHOD=AES-128,URI=");
    expect(text).toContain("#EXT-X-ENDLIST\n");
  });

  it("a clip of a rendition with explicit IVs re-emits the IV in force", async () => {
    const text = await (await call(vod("Big%20Buck%20Bunny.test_audio.m3u8?start=9"))).text();
    expect(text).toContain("#EXT-X-MEDIA-SEQUENCE:2\n");
    expect(text).toContain("#EXT-X-DISCONTINUITY-SEQUENCE:1\n");
    expect(text).toMatch(/#EXT-X-KEY:METHOD=AES-128,URI="[^"]+",IV=0x0000000000000000000000000000abcd\n/);
  });

  it("the master passes start/end on to the renditions", async () => {
    const text = await (await call(vod(`${encodeURIComponent(MASTER)}?start=13&end=20`))).text();
    expect(text).toContain(`/Big%20Buck%20Bunny.test_720p.m3u8?start=13&end=20\n`);
  });

  it.each([
    ["start=abc", /start must be a number/],
    ["start=-1", /start must be a number/],
    ["start=1e3", /start must be a number/],
    ["start=10&end=5", /end must be after start/],
    ["start=10&end=10", /end must be after start/],
    ["start=27.4", /beyond the end/],
  ])("400 JSON for %s", async (query, message) => {
    const response = await call(vod(`Big%20Buck%20Bunny.test_720p.m3u8?${query}`));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(message);
  });

  it("400 for paths that are not playlists or try to leave the job's folder", async () => {
    for (const path of ["info.json", "..%2Fother.m3u8", "a%00.m3u8"]) {
      expect((await call(vod(path))).status, path).toBe(400);
    }
    expect((await call("/api/media/vod/bad%20id/x.m3u8")).status).toBe(400);
  });

  it("404 JSON for an unknown job, 409 JSON with the status for an unfinished one", async () => {
    const unknown = await call(vod("x.m3u8", `nope-${unique()}`));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ success: false, status: null });
    const progressing = `job-${unique()}`;
    await seedJob(progressing, { JobStatus: "PROGRESSING", ProgressRate: 40 });
    const response = await call(vod(encodeURIComponent(MASTER), progressing));
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      success: false,
      message: "Job is not complete.",
      job_id: progressing,
      status: "PROGRESSING",
      progress: 40,
    });
    const failed = `job-${unique()}`;
    await seedJob(failed, { JobStatus: "ERROR", ProgressRate: 100 });
    expect(await (await call(vod(encodeURIComponent(MASTER), failed))).json()).toMatchObject({ status: "ERROR" });
  });

  it("after the status row's TTL: info.json (written only at COMPLETE) still serves the job", async () => {
    const expired = `job-${unique()}`;
    await seedJob(expired, { JobStatus: "COMPLETE", ExpirationTime: epochSeconds() - 10 });
    expect((await call(vod(encodeURIComponent(MASTER), expired))).status).toBe(200);
    const neverFinished = `job-${unique()}`;
    await seedJob(neverFinished, null, { OutputPath: `elsewhere/${unique()}/` });
    const response = await call(vod(encodeURIComponent(MASTER), neverFinished));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ status: null });
  });

  it("404 JSON for a playlist the job does not have", async () => {
    const response = await call(vod("missing.m3u8"));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ message: "Playlist not found." });
  });

  it("502 JSON (logged) for a source playlist that cannot be served faithfully", async () => {
    const jobId = `job-${unique()}`;
    const path = `broken/${unique()}/`;
    await seedJob(jobId, { JobStatus: "COMPLETE" }, { OutputPath: path });
    await putObject(
      BUCKET,
      `${path}fairplay.m3u8`,
      '#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://k",KEYFORMAT="com.apple.streamingkeydelivery"\n#EXTINF:6,\na.ts\n#EXT-X-ENDLIST\n',
    );
    expect((await call(vod("fairplay.m3u8", jobId))).status).toBe(502);
  });
});

describe("GET /api/media/segments/vod/{job_id}/...", () => {
  it("streams the job's media with Range; refuses non-media paths; 404 for missing", async () => {
    const path = `/api/media/segments/vod/${JOB}/Big%20Buck%20Bunny.test_720p_00002.ts`;
    const response = await call(path);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("video/mp2t");
    const body = segmentBody(`${OUTPUT_PATH}Big Buck Bunny.test_720p_00002.ts`);
    expect(await response.text()).toBe(body);
    const ranged = await call(path, { headers: { range: "bytes=0-6" } });
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe(body.slice(0, 7));
    for (const bad of [MASTER, INFO_FILE, "x.key"]) {
      expect((await call(`/api/media/segments/vod/${JOB}/${encodeURIComponent(bad)}`)).status, bad).toBe(400);
    }
    expect((await call(`/api/media/segments/vod/${JOB}/missing.ts`)).status).toBe(404);
    expect((await call(`/api/media/segments/vod/unknown-${unique()}/a.ts`)).status).toBe(404);
  });
});

describe("PLAYBACK_POLICY=signed (VOD)", () => {
  const signed = { PLAYBACK_POLICY: "signed" };

  it("playlists need a play token for the job, variants carry it on, segments get a media token", async () => {
    expect((await callWith(signed, vod(encodeURIComponent(MASTER)))).status).toBe(401);
    const other = await testToken(jobScope("another-job"), "play");
    expect((await callWith(signed, vod(`${encodeURIComponent(MASTER)}?token=${other}`))).status).toBe(403);
    const play = await testToken(jobScope(JOB), "play");
    const master = await (await callWith(signed, vod(`${encodeURIComponent(MASTER)}?token=${play}`))).text();
    expect(master).toContain(`/Big%20Buck%20Bunny.test_720p.m3u8?token=${play}\n`);
    const rendition = await callWith(signed, vod(`Big%20Buck%20Bunny.test_720p.m3u8?token=${play}`));
    expect(rendition.status).toBe(200);
    const text = await rendition.text();
    const mediaToken = tokenIn(text, /segments\/vod/)!;
    const keyToken = tokenIn(text, /EXT-X-KEY/)!;
    const segment = `/api/media/segments/vod/${JOB}/Big%20Buck%20Bunny.test_720p_00001.ts`;
    expect((await callWith(signed, segment)).status).toBe(401);
    expect((await callWith(signed, `${segment}?token=${mediaToken}`)).status).toBe(200);
    // Embedded tokens do not open playlists: a leaked playlist cannot mint itself new ones.
    expect((await callWith(signed, vod(`Big%20Buck%20Bunny.test_720p.m3u8?token=${keyToken}`))).status).toBe(403);
    expect((await callWith(signed, vod(`Big%20Buck%20Bunny.test_720p.m3u8?token=${mediaToken}`))).status).toBe(403);
  });
});

describe("GET /api/media/keys/{job_id}", () => {
  const keyPath = (token?: string, jobId = JOB) =>
    `/api/media/keys/${jobId}${token === undefined ? "" : `?token=${token}`}`;

  it("a key token: exactly 16 bytes, application/octet-stream, private no-store, CORS", async () => {
    const response = await call(keyPath(await testToken(jobScope(JOB), "key")));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.nightonly.com");
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(bytes.length).toBe(16);
    expect(Buffer.from(bytes).toString("hex")).toBe(KEY_HEX);
  });

  it("a play token and an Authorization: Bearer header work too", async () => {
    const play = await testToken(jobScope(JOB), "play");
    expect((await call(keyPath(play))).status).toBe(200);
    const bearer = await call(keyPath(), {
      headers: { authorization: `Bearer ${await testToken(jobScope(JOB), "key")}` },
    });
    expect(bearer.status).toBe(200);
  });

  it("missing, expired, tampered -> 401; wrong job, wrong purpose -> 403; JSON, never key bytes", async () => {
    const valid = await testToken(jobScope(JOB), "key");
    const [header, payload, signature] = valid.split(".");
    const forged = Buffer.from(JSON.stringify({ sub: jobScope(JOB), pur: "key", iat: 1, exp: 4e9 })).toString(
      "base64url",
    );
    const cases: Array<[string | undefined, number]> = [
      [undefined, 401],
      ["", 401],
      ["not-a-jwt", 401],
      [await testToken(jobScope(JOB), "key", 60, epochSeconds() - 3600), 401],
      [`${header}.${forged}.${signature}`, 401],
      [`${header}.${payload}.${signature!.slice(0, -4)}AAAA`, 401],
      [
        await mintToken("another-secret-0123456789abcdef0123", {
          scope: jobScope(JOB),
          purpose: "key",
          ttlSeconds: 60,
        }),
        401,
      ],
      [await testToken(jobScope("other-job"), "key"), 403],
      [await testToken(jobScope(JOB), "media"), 403],
    ];
    for (const [token, status] of cases) {
      const response = await call(keyPath(token));
      expect(response.status, String(token)).toBe(status);
      expect(response.headers.get("content-type")).toContain("application/json");
      expect(response.headers.get("cache-control")).toBe("no-store");
      const body = new Uint8Array(await response.arrayBuffer());
      expect(Buffer.from(body).toString("hex")).not.toContain(KEY_HEX);
      expect(Buffer.from(body).toString("latin1")).not.toContain(Buffer.from(KEY_HEX, "hex").toString("latin1"));
      if (status === 401) expect(response.headers.get("www-authenticate")).toContain("Bearer");
    }
  });

  it("the token is checked before any read: a bad token never reaches DynamoDB", async () => {
    const id = `keys-before-read-${unique()}`;
    const chaos = bindings.TEST_CHAOS_ENDPOINT;
    const response = await callWith({ DYNAMODB_ENDPOINT: `${chaos}/hang/${id}` }, keyPath("x.y.z"));
    expect(response.status).toBe(401);
    expect(await chaosRequests(`/hang/${id}`)).toBe(0);
  });

  it("404 for a job without a key row (after a valid token), 400 for a bad id", async () => {
    const jobId = `nokey-${unique()}`;
    expect((await call(keyPath(await testToken(jobScope(jobId), "key"), jobId))).status).toBe(404);
    expect((await call("/api/media/keys/..%2Fx?token=a.b.c")).status).toBe(400);
    expect((await call("/api/media/keys/bad%20id?token=a.b.c")).status).toBe(400);
  });

  it("a malformed KeyValue is a 500 that never echoes it", async () => {
    const jobId = `badkey-${unique()}`;
    await seedJob(jobId, { JobStatus: "COMPLETE" }, { KeyValue: "SECRET-NOT-HEX" });
    const response = await call(keyPath(await testToken(jobScope(jobId), "key"), jobId));
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain("SECRET-NOT-HEX");
  });

  it("rotation: tokens signed with TOKEN_SECRET_PREVIOUS work while it is set", async () => {
    const rotated = {
      TOKEN_SECRET: "the-new-secret-0123456789abcdef01234",
      TOKEN_SECRET_PREVIOUS: bindings.TOKEN_SECRET,
    };
    const oldToken = await testToken(jobScope(JOB), "key");
    expect((await callWith(rotated, keyPath(oldToken))).status).toBe(200);
    expect((await callWith({ ...rotated, TOKEN_SECRET_PREVIOUS: undefined }, keyPath(oldToken))).status).toBe(401);
    // Playlists mint with the new secret at once.
    const text = await (await callWith(rotated, vod("Big%20Buck%20Bunny.test_720p.m3u8"))).text();
    const fresh = tokenIn(text, /EXT-X-KEY/)!;
    expect((await callWith({ ...rotated, TOKEN_SECRET_PREVIOUS: undefined }, keyPath(fresh))).status).toBe(200);
  });
});
