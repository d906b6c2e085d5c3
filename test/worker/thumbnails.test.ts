/**
 * Thumbnails, posters and storyboards through the real Worker in workerd, with capture files in
 * the local S3 server named as MediaConvert names them and the rows job-state writes in DynamoDB
 * Local (Captures on the status row, or info.json once the row has expired).
 */
import { AwsClient } from "aws4fetch";
import { beforeAll, describe, expect, it } from "vitest";
import { captureFileName, type FrameCaptures } from "../../model/captures.ts";
import { LOCAL_CREDENTIALS } from "../../local/constants.ts";
import { DEFAULT_REGION, DEFAULT_TABLES, epochSeconds, INFO_FILE } from "../../model/index.ts";
import { jobScope } from "../../worker/auth/tokens.ts";
import { encodeS3Key } from "../../worker/aws/s3-url.ts";
import { segmentBody, testToken } from "./hls-support.ts";
import { putItem } from "./support/dynamodb.ts";
import { bindings, call, callWith } from "./support/request.ts";
import { putObjects } from "./support/s3.ts";

const BUCKET = "media-output";
const RUN = crypto.randomUUID().slice(0, 8);
const OUTPUT_PATH = `thumbs-${RUN}/clip one.mp4_20261205000000/`;
/** 12 captures, one every 5 s, in 320 and 1280 px; the video is 57.5 s long. */
const CAPTURES: FrameCaptures = {
  interval_seconds: 5,
  sets: [
    { name_prefix: "clip one_thumb320", width: 320, height: 180, count: 12 },
    { name_prefix: "clip one_thumb1280", width: 1280, height: 720, count: 12 },
  ],
};
const JOBS = {
  row: `1764892800000-row${RUN}`,
  info: `1764892800000-info${RUN}`,
  none: `1764892800000-none${RUN}`,
  running: `1764892800000-run${RUN}`,
  missing: `1764892800000-gone${RUN}`,
};

/** The test body of a capture file: its own key, so a test sees which file was served. */
const keyOf = (width: number, index: number) => `${OUTPUT_PATH}${captureFileName(`clip one_thumb${width}`, index)}`;

async function seedJob(jobId: string, status: Record<string, unknown> | null, outputPath = OUTPUT_PATH) {
  const now = epochSeconds();
  await putItem(DEFAULT_TABLES.jobIdToOutput, {
    JobId: jobId,
    InputFile: "uploads/clip one.mp4",
    OutputBucket: BUCKET,
    OutputPath: outputPath,
    KeyFile: "clip one.key",
    KeyValue: "00112233445566778899aabbccddeeff",
    CreationTime: now,
  });
  if (status !== null) {
    await putItem(DEFAULT_TABLES.jobIdToStatus, {
      JobId: jobId,
      ProgressRate: 100,
      OutputPath: outputPath,
      CreationTime: now,
      ExpirationTime: now + 86_400,
      ...status,
    });
  }
}

beforeAll(async () => {
  const files = CAPTURES.sets.flatMap((set) =>
    Array.from({ length: set.count }, (_, index) => keyOf(set.width, index)),
  );
  const infoPath = `thumbs-${RUN}/info only/`;
  await putObjects(BUCKET, [
    ...files.map((key) => ({ key, body: segmentBody(key) })),
    // The info-only job's folder holds the same files (its row expired; info.json outlives it).
    ...files.map((key) => ({ key: key.replace(OUTPUT_PATH, infoPath), body: segmentBody(key) })),
    {
      key: `${infoPath}${INFO_FILE}`,
      body: JSON.stringify({ duration_ms: 57_500, playlists: {}, playlist_paths: [], captures: CAPTURES }),
    },
  ]);
  await seedJob(JOBS.row, { JobStatus: "COMPLETE", DurationMs: 57_500, Captures: CAPTURES });
  await seedJob(JOBS.info, null, infoPath);
  await seedJob(JOBS.none, { JobStatus: "COMPLETE", DurationMs: 57_500 });
  await seedJob(JOBS.running, { JobStatus: "PROGRESSING", ProgressRate: 40 });
}, 60_000);

const still = (jobId: string, name: string) => `/api/media/vod/${jobId}/${name}`;

/** The served image's test body names its key: which capture was chosen. */
async function served(response: Response): Promise<string> {
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("image/jpeg");
  return new TextDecoder()
    .decode(await response.arrayBuffer())
    .replace(/^SEGMENT /, "")
    .trim();
}

describe("GET /api/media/vod/{job}/thumbnail.jpg", () => {
  it("returns the capture nearest the time, in the smallest generated width at least as wide as asked", async () => {
    expect(await served(await call(still(JOBS.row, "thumbnail.jpg?time=12&width=300")))).toBe(keyOf(320, 2));
    expect(await served(await call(still(JOBS.row, "thumbnail.jpg?time=12.6&width=321")))).toBe(keyOf(1280, 3));
    expect(await served(await call(still(JOBS.row, "thumbnail.jpg?time=0")))).toBe(keyOf(1280, 0));
    expect(await served(await call(still(JOBS.row, "thumbnail.jpg?time=7.5&width=4000")))).toBe(keyOf(1280, 2));
  });

  it("a time past the end gets the last capture; no time gets the poster", async () => {
    expect(await served(await call(still(JOBS.row, "thumbnail.jpg?time=99999&width=320")))).toBe(keyOf(320, 11));
    expect(await served(await call(still(JOBS.row, "thumbnail.jpg")))).toBe(keyOf(1280, 5));
  });

  it("negative, non-numeric or empty-width parameters are a 400 JSON error, before any lookup", async () => {
    for (const query of ["time=-1", "time=abc", "time=1e3", "time=NaN", "width=0", "width=-5", "width=12px"]) {
      const response = await call(still(JOBS.missing, `thumbnail.jpg?${query}`));
      expect(response.status, query).toBe(400);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(((await response.json()) as { message: string }).message).toMatch(/Parameter (time|width) must be/);
    }
  });

  it("is streamed like a segment and kept in the edge cache (served after the object is gone)", async () => {
    const path = still(JOBS.row, "thumbnail.jpg?time=50&width=320");
    const first = await callWith({}, path);
    expect(first.headers.get("cache-control")).toBe("public, max-age=86400, immutable");
    expect(await served(first)).toBe(keyOf(320, 10));
    const s3 = new AwsClient({ ...LOCAL_CREDENTIALS, region: DEFAULT_REGION, service: "s3", retries: 0 });
    const url = `${bindings.S3_ENDPOINT}/${BUCKET}/${encodeS3Key(keyOf(320, 10))}`;
    expect((await s3.fetch(url, { method: "DELETE" })).status).toBe(204);
    expect(await served(await callWith({}, path))).toBe(keyOf(320, 10));
    // A capture never cached and gone from S3 is a 404 JSON error.
    const gone = `thumbs-${RUN}/info only/${captureFileName("clip one_thumb320", 10)}`;
    await (await s3.fetch(`${bindings.S3_ENDPOINT}/${BUCKET}/${encodeS3Key(gone)}`, { method: "DELETE" })).text();
    const missing = await call(still(JOBS.info, "thumbnail.jpg?time=50&width=320"));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ message: "Thumbnail not found." });
  });
});

describe("poster.jpg and the job's state", () => {
  it("the poster is the middle capture, widest by default", async () => {
    expect(await served(await call(still(JOBS.row, "poster.jpg")))).toBe(keyOf(1280, 5));
    expect(await served(await call(still(JOBS.row, "poster.jpg?width=200")))).toBe(keyOf(320, 5));
  });

  it("after the status row expired, the captures come from info.json", async () => {
    expect(await served(await call(still(JOBS.info, "poster.jpg")))).toBe(keyOf(1280, 5));
  });

  it("a job without captures (older jobs) is a 404 that says so; unknown 404; running 409", async () => {
    for (const name of ["thumbnail.jpg?time=1", "poster.jpg", "storyboard.vtt"]) {
      const none = await call(still(JOBS.none, name));
      expect(none.status).toBe(404);
      expect(await none.json()).toMatchObject({
        message: "This job has no thumbnails.",
        reason: "the job was transcoded without frame captures",
      });
    }
    const missing = await call(still(JOBS.missing, "poster.jpg"));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ message: "Not found item." });
    const running = await call(still(JOBS.running, "poster.jpg"));
    expect(running.status).toBe(409);
    expect(await running.json()).toMatchObject({ message: "Job is not complete.", status: "PROGRESSING" });
    expect((await call(still("bad id!", "poster.jpg"))).status).toBe(400);
  });
});

/** The cues of a storyboard: [start, end, url]. */
function cues(vtt: string): Array<[string, string, string]> {
  return [...vtt.matchAll(/^(\S+) --> (\S+)\n(\S+)$/gm)].map((m) => [m[1]!, m[2]!, m[3]!]);
}

describe("storyboard.vtt", () => {
  it("a WebVTT thumbnails track: one cue per capture of the smallest width, each URL serving its image", async () => {
    const response = await call(still(JOBS.row, "storyboard.vtt"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/vtt; charset=utf-8");
    const vtt = await response.text();
    expect(vtt.startsWith("WEBVTT\n\n")).toBe(true);
    const list = cues(vtt);
    expect(list).toHaveLength(12);
    expect(list[0]).toEqual([
      "00:00:00.000",
      "00:00:05.000",
      `https://edge.test/api/media/vod/${JOBS.row}/thumbnail.jpg?time=0&width=320`,
    ]);
    expect(list[11]!.slice(0, 2)).toEqual(["00:00:55.000", "00:00:57.500"]);
    const url = new URL(list[7]![2]);
    expect(await served(await call(url.pathname + url.search))).toBe(keyOf(320, 7));
    const wide = cues(await (await call(still(JOBS.row, "storyboard.vtt?width=1000"))).text());
    expect(wide[0]![2]).toContain("width=1280");
  });
});

describe("PLAYBACK_POLICY=signed (stills)", () => {
  const signed = { PLAYBACK_POLICY: "signed" };
  const scope = jobScope(JOBS.row);

  it("needs a play or thumbnail token of the job: 401 without, 403 for another job or purpose", async () => {
    const path = still(JOBS.row, "thumbnail.jpg?time=5");
    expect((await callWith(signed, path)).status).toBe(401);
    expect((await callWith(signed, `${path}&token=${await testToken(jobScope(JOBS.info), "play")}`)).status).toBe(403);
    for (const purpose of ["media", "key"] as const) {
      expect((await callWith(signed, `${path}&token=${await testToken(scope, purpose)}`)).status).toBe(403);
    }
    for (const purpose of ["play", "thumbnail"] as const) {
      const token = await testToken(scope, purpose);
      expect(await served(await callWith(signed, `${path}&token=${token}`))).toBe(keyOf(1280, 1));
      expect((await callWith(signed, still(JOBS.row, `poster.jpg?token=${token}`))).status).toBe(200);
    }
    const image = await callWith(signed, `${path}&token=${await testToken(scope, "thumbnail")}`);
    expect(image.headers.get("cache-control")).toBe("private, max-age=86400");
  });

  it("a thumbnail token opens no playlist; a failed check reads nothing (even for an unknown job)", async () => {
    const thumbnail = await testToken(scope, "thumbnail");
    expect((await callWith(signed, still(JOBS.row, `master.m3u8?token=${thumbnail}`))).status).toBe(403);
    const unknown = await callWith(signed, still(JOBS.missing, "poster.jpg"));
    expect(unknown.status).toBe(401);
  });

  it("the storyboard's image URLs carry thumbnail tokens that open them", async () => {
    const token = await testToken(scope, "thumbnail");
    const response = await callWith(signed, still(JOBS.row, `storyboard.vtt?token=${token}`));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toMatch(/^private, max-age=\d+$/);
    const list = cues(await response.text());
    const url = new URL(list[3]![2]);
    const embedded = url.searchParams.get("token")!;
    expect(JSON.parse(atob(embedded.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")))).toMatchObject({
      sub: scope,
      pur: "thumbnail",
    });
    expect(await served(await callWith(signed, url.pathname + url.search))).toBe(keyOf(320, 3));
  });
});

describe("the status route lists the captures of a COMPLETE job", () => {
  it("captures in the status body", async () => {
    const response = await call(`/api/media/status?job_id=${JOBS.row}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ job_status: "COMPLETE", captures: CAPTURES });
  });
});
