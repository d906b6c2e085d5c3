/**
 * `npm run record` end to end (local/recorder/): real ffmpeg, the local S3 server, a real
 * `wrangler dev`. Everything waits on the recorder's events (a segment uploaded, ffmpeg exited),
 * never on the clock:
 * - a live recording of the test pattern in 2-s segments: the window grows with every upload,
 *   and ffmpeg (-xerror) plays it through the Worker's window and segment routes;
 * - a stop (Ctrl-C) finishes the segment in progress and uploads it, leaving nothing behind;
 * - a backfill of a day, checked by listing the bucket against the expected names;
 * - uploads refused by a flaky S3 are retried without loss; a full backlog drops its oldest
 *   segments and says so; a permanent error fails the recording and keeps the segment on disk.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { GetObjectCommand, ListObjectsV2Command, type S3Client, type _Object } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { localS3Client } from "../../local/aws.ts";
import { backfill } from "../../local/recorder/backfill.ts";
import type { RecorderEvent } from "../../local/recorder/events.ts";
import { recordLive, type RecorderDeps } from "../../local/recorder/live.ts";
import { createUploadQueue } from "../../local/recorder/upload.ts";
import { startWranglerDev, type WranglerDev } from "../../local/wrangler-dev.ts";
import { DEFAULT_BUCKETS } from "../../model/index.ts";
import { formatSegmentName } from "../../worker/hls/recordings.ts";
import { ffmpeg, requireFfmpeg } from "./support/ffmpeg.ts";
import { startFlakyS3 } from "./support/flaky-s3.ts";
import { workerVars } from "./support/vod-job.ts";

const run = promisify(execFile);
const BUCKET = DEFAULT_BUCKETS.recordings;
const runId = randomBytes(3).toString("hex"); // streams of this run only
let work: string;
let worker: WranglerDev;
let s3: S3Client;

beforeAll(async () => {
  await requireFfmpeg();
  work = mkdtempSync(join(tmpdir(), "media-edge-recorder-"));
  s3 = localS3Client(inject("s3Endpoint"));
  worker = await startWranglerDev({
    vars: workerVars(
      { dynamodbEndpoint: inject("dynamodbEndpoint"), s3Endpoint: inject("s3Endpoint") },
      { ALLOWED_ORIGINS: "https://app.example.com", RECORDING_SEGMENT_SECONDS: "2", PLAYBACK_POLICY: "public" },
    ),
  });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  s3?.destroy();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Recorder dependencies with real time (names must be "now" for a live window) and collected events. */
function liveDeps(events: RecorderEvent[], onEvent: (event: RecorderEvent) => void = () => undefined): RecorderDeps {
  return {
    client: s3,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: () => 0.5,
    now: Date.now,
    freeBytes: () => Number.MAX_SAFE_INTEGER,
    report: (event) => (events.push(event), onEvent(event)),
  };
}

async function listKeys(prefix: string): Promise<_Object[]> {
  const objects: _Object[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }));
    objects.push(...(page.Contents ?? []));
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return objects;
}

const uploadedKeys = (events: RecorderEvent[]) =>
  events.flatMap((event) => (event.type === "uploaded" ? [event.key] : []));

describe("live recording", () => {
  it("records the test pattern; the window grows per upload and ffmpeg plays it", async () => {
    const stream = `live-${runId}`;
    const events: RecorderEvent[] = [];
    const windowSizes: Array<Promise<number>> = [];
    let url = "";
    const recording = recordLive(
      { input: "testsrc", stream, bucket: BUCKET, prefix: "movie", segmentSeconds: 2, durationSeconds: 6,
        backlogBytes: 2 ** 30, workDir: join(work, stream) }, // prettier-ignore
      liveDeps(events, (event) => {
        if (event.type !== "uploaded") return;
        windowSizes.push(fetch(url).then(async (r) => ((await r.text()).match(/#EXTINF:/g) ?? []).length));
      }),
    );
    url = `${worker.url}/api/media/recordings/playlist.m3u8?stream=${stream}&start=${recording.startSeconds}`;
    expect(await recording.done).toEqual({ uploaded: 3 });

    const keys = uploadedKeys(events);
    expect(keys).toEqual([0, 2, 4].map((offset) => `movie/${stream}/${formatSegmentName(recording.startSeconds + offset)}`)); // prettier-ignore
    const sizes = await Promise.all(windowSizes);
    // Each look at the window came after its segment's upload: it held at least that many.
    sizes.forEach((size, index) => expect(size).toBeGreaterThanOrEqual(index + 1));
    expect(sizes.at(-1)).toBe(3);
    expect(readdirSync(join(work, stream, "pending"))).toEqual([]);

    // The live (EVENT) window: ffmpeg plays from its first segment and ends when a reload adds none.
    const played = await ffmpeg(["-v", "error", "-xerror", "-live_start_index", "0", "-m3u8_hold_counters", "1",
      "-i", url, "-f", "null", "-"]); // prettier-ignore
    expect(played.code, played.stderr).toBe(0);
  }, 120_000);

  it("a stop finishes the segment in progress and uploads it", async () => {
    const stream = `stop-${runId}`;
    const events: RecorderEvent[] = [];
    const recording = recordLive(
      { input: "testsrc", stream, bucket: BUCKET, prefix: "movie", segmentSeconds: 2, backlogBytes: 2 ** 30,
        workDir: join(work, stream) }, // prettier-ignore
      liveDeps(events, (event) => event.type === "uploaded" && recording.stop()),
    );
    const { uploaded } = await recording.done;
    expect(uploaded).toBeGreaterThanOrEqual(2);
    const listed = (await listKeys(`movie/${stream}/`)).map((object) => object.Key);
    expect(listed).toEqual(uploadedKeys(events));
    expect(readdirSync(join(work, stream, "pending"))).toEqual([]);
  }, 120_000);
  it("a full disk stops the recording, says so, and still uploads what was recorded", async () => {
    const stream = `full-${runId}`;
    const events: RecorderEvent[] = [];
    const recording = recordLive(
      { input: "testsrc", stream, bucket: BUCKET, prefix: "movie", segmentSeconds: 2, backlogBytes: 2 ** 30,
        workDir: join(work, stream) }, // prettier-ignore
      { ...liveDeps(events), freeBytes: () => 10 * 2 ** 20 }, // 10 MiB: under the 64 MiB reserve
    );
    await expect(recording.done).rejects.toThrow(/disk .* is full/);
    expect(events.filter((event) => event.type === "disk-full")).toHaveLength(1);
    const listed = (await listKeys(`movie/${stream}/`)).map((object) => object.Key);
    expect(listed.length).toBeGreaterThanOrEqual(1);
    expect(listed).toEqual(uploadedKeys(events));
  }, 120_000);
});

describe("backfill", () => {
  it("writes a day of segments ending now, minus the gaps, late ones last", async () => {
    const source = join(work, "tiny.mp4");
    const made = await ffmpeg(["-f", "lavfi", "-i", "color=black:size=64x36:rate=1", "-t", "120", "-c:v", "libx264",
      "-preset", "ultrafast", source]); // prettier-ignore
    expect(made.code, made.stderr).toBe(0);
    const stream = `day-${runId}`;
    const now = Date.UTC(2025, 5, 1, 12, 1, 0); // 12:01: the archive ends at 12:00
    const events: RecorderEvent[] = [];
    const result = await backfill(
      { input: source, stream, bucket: BUCKET, prefix: "movie", segmentSeconds: 120, backfillSeconds: 86_400,
        gap: { everySeconds: 3600, lengthSeconds: 240 }, late: { everySeconds: 600, lengthSeconds: 0 },
        concurrency: 8, sourceSegments: 1 }, // prettier-ignore
      { ...liveDeps(events), now: () => now },
    );
    // 720 two-minute segments from 12:00 the day before; :00 and :02 of each hour are gaps.
    const expected: string[] = [];
    for (let start = now / 1000 - 60 - 86_400; start < now / 1000 - 60; start += 120) {
      if (start % 3600 >= 240) expected.push(`movie/${stream}/${formatSegmentName(start)}`);
    }
    expect(expected).toHaveLength(672);
    expect(result).toEqual({ uploaded: 672, gaps: 48 });
    const listed = await listKeys(`movie/${stream}/`);
    expect(listed.map((object) => object.Key)).toEqual(expected);
    expect(new Set(listed.map((object) => object.Size)).size).toBe(1); // one encoded segment, reused
    // Each copy is moved to its place: consecutive segments start one segment length apart.
    const starts: number[] = [];
    for (const key of expected.slice(0, 2)) {
      const file = join(work, key.replaceAll("/", "_"));
      const stored = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      writeFileSync(file, await stored.Body!.transformToByteArray());
      const probe = await run("ffprobe", ["-v", "error", "-show_entries", "format=start_time", "-of", "csv=p=0", file]);
      starts.push(Number(probe.stdout.trim()));
    }
    expect(starts[1]! - starts[0]!).toBeCloseTo(120, 1);
    const late = events.flatMap((event) => (event.type === "uploaded" && event.late ? [event.key] : []));
    expect(late).toHaveLength(144); // :06, :16, ... of every hour
    expect(late.every((key) => /\d\d[0-5]600Z\.ts$/.test(key))).toBe(true);
  }, 180_000);

  it("a backfilled window plays through the Worker (ffmpeg -xerror)", async () => {
    const stream = `played-${runId}`;
    const now = Date.UTC(2025, 5, 1, 12, 0, 1);
    const events: RecorderEvent[] = [];
    await backfill(
      { input: "testsrc", stream, bucket: BUCKET, prefix: "movie", segmentSeconds: 2, backfillSeconds: 20,
        concurrency: 4, sourceSegments: 3 }, // prettier-ignore
      { ...liveDeps(events), now: () => now },
    );
    expect(uploadedKeys(events)).toHaveLength(10);
    const start = now / 1000 - 21;
    const url = `${worker.url}/api/media/recordings/playlist.m3u8?stream=${stream}&start=${start}&end=${start + 20}`;
    const playlist = await (await fetch(url)).text();
    expect(playlist.match(/#EXTINF:2\.000,/g)).toHaveLength(10);
    expect(playlist).toContain("#EXT-X-ENDLIST");
    const played = await ffmpeg(["-v", "error", "-xerror", "-i", url, "-f", "null", "-"]);
    expect(played.code, played.stderr).toBe(0);
  }, 120_000);
});

describe("uploads that fail", () => {
  function segmentFiles(dir: string, count: number, bytes: number) {
    return Array.from({ length: count }, (_, index) => {
      const file = join(dir, `segment-${index}.ts`);
      const body = randomBytes(bytes);
      writeFileSync(file, body);
      return { key: `movie/retry-${runId}/${formatSegmentName(1_750_000_000 + 30 * index)}`, file, body, bytes };
    });
  }

  it("are retried until S3 takes them: nothing lost, local copies removed after", async () => {
    const flaky = await startFlakyS3(inject("s3Endpoint"), 2);
    const dir = mkdtempSync(join(work, "retry-"));
    // One attempt per send: the recorder's own retries are under test, not the SDK's.
    const client = localS3Client(flaky.endpoint, { maxAttempts: 1 });
    const events: RecorderEvent[] = [];
    try {
      const queue = createUploadQueue({
        client, bucket: BUCKET, maxBytes: 2 ** 20,
        deps: { sleep: async () => undefined, random: () => 0, now: Date.now, report: (event) => events.push(event) },
      }); // prettier-ignore
      const files = segmentFiles(dir, 3, 1000);
      for (const { key, file, bytes } of files) queue.add({ key, file, bytes, late: false });
      await queue.drained();
      expect(flaky.refused()).toBe(6);
      expect(events.filter((event) => event.type === "retry")).toHaveLength(6);
      expect(events.filter((event) => event.type === "uploaded").map((event) => (event as { attempts: number }).attempts)).toEqual([3, 3, 3]); // prettier-ignore
      for (const { key, file, body } of files) {
        const stored = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
        expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(body)).toBe(true);
        expect(existsSync(file)).toBe(false);
      }
    } finally {
      client.destroy();
      await flaky.stop();
    }
  });

  it("past the backlog bound, the oldest waiting segments are dropped and reported", async () => {
    const flaky = await startFlakyS3(inject("s3Endpoint"), 1);
    const dir = mkdtempSync(join(work, "backlog-"));
    const client = localS3Client(flaky.endpoint, { maxAttempts: 1 });
    const events: RecorderEvent[] = [];
    // The first upload waits in its retry until every segment has been added.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    try {
      const queue = createUploadQueue({
        client, bucket: BUCKET, maxBytes: 2500,
        deps: { sleep: () => held, random: () => 0, now: Date.now, report: (event) => events.push(event) },
      }); // prettier-ignore
      const files = segmentFiles(dir, 5, 1000);
      const added = files.map(({ key, file, bytes }) => (queue.add({ key, file, bytes, late: false }), key));
      await new Promise<void>((resolve) => {
        const poll = () => (events.some((event) => event.type === "retry") ? resolve() : setImmediate(poll));
        poll();
      });
      release();
      await queue.drained();
      // In flight: segment 0. Waiting: 1..4 = 4000 bytes > 2500, so 1 and 2 were dropped.
      expect(events.filter((event) => event.type === "dropped").map((event) => (event as { key: string }).key)).toEqual(added.slice(1, 3)); // prettier-ignore
      expect(uploadedKeys(events)).toEqual([added[0], added[3], added[4]]);
    } finally {
      client.destroy();
      await flaky.stop();
    }
  });

  it("a permanent error fails the queue and keeps the segment on disk", async () => {
    const dir = mkdtempSync(join(work, "denied-"));
    const queue = createUploadQueue({
      client: s3, bucket: "no-such-recordings-bucket", maxBytes: 2 ** 20,
      deps: { sleep: async () => undefined, random: () => 0, now: Date.now, report: () => undefined },
    }); // prettier-ignore
    const [segment] = segmentFiles(dir, 1, 100);
    queue.add({ key: segment!.key, file: segment!.file, bytes: 100, late: false });
    await expect(queue.drained()).rejects.toMatchObject({ name: "NoSuchBucket" });
    expect(existsSync(segment!.file)).toBe(true);
  });
});
