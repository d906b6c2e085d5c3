/**
 * The recorder's live window in a browser player, while it records: hls.js (npm package, MSE) in
 * Debian's headless Chromium opens the window of a stream being recorded in 2-s segments, from a
 * page on another origin, and keeps playing into segments that were uploaded after it started,
 * which it can only know of by reloading the live playlist. Waits on player and recorder events
 * (a segment uploaded, a fragment loaded, playback position), never on the clock.
 *
 * Chromium is required at /usr/bin/chromium (`apt-get install -y chromium`).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { LOCAL_HOST, localS3Client } from "../../local/aws.ts";
import type { RecorderEvent } from "../../local/recorder/events.ts";
import { recordLive, type LiveRecording } from "../../local/recorder/live.ts";
import { startWranglerDev, type WranglerDev } from "../../local/wrangler-dev.ts";
import { DEFAULT_BUCKETS } from "../../model/index.ts";
import { requireFfmpeg } from "./support/ffmpeg.ts";
import { workerVars } from "./support/vod-job.ts";

const require = createRequire(import.meta.url);
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--autoplay-policy=no-user-gesture-required"]; // prettier-ignore

interface LiveState {
  live: boolean | null;
  fragments: number[];
  fatal: string | null;
}

declare global {
  interface Window {
    startLive(src: string): boolean;
    liveState: LiveState;
  }
}

const PAGE = `<!doctype html><html><head><meta charset="utf-8"></head><body>
<video id="video" muted playsinline width="320" height="180"></video>
<script src="/hls.min.js"></script>
<script>
window.startLive = (src) => {
  const state = (window.liveState = { live: null, fragments: [], fatal: null });
  if (!Hls.isSupported()) return false;
  const video = document.getElementById("video");
  const hls = new Hls();
  hls.on(Hls.Events.LEVEL_LOADED, (_, data) => (state.live = data.details.live));
  hls.on(Hls.Events.FRAG_LOADED, (_, data) => state.fragments.push(data.frag.sn));
  hls.on(Hls.Events.ERROR, (_, data) => { if (data.fatal) state.fatal = data.type + ": " + data.details; });
  hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => {}));
  hls.loadSource(src);
  hls.attachMedia(video);
  return true;
};
</script></body></html>`;

let work: string;
let worker: WranglerDev;
let context: BrowserContext;
let pageServer: Server;
let origin: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is not installed at ${CHROMIUM}: \`apt-get install -y chromium\``);
  await requireFfmpeg();
  work = mkdtempSync(join(tmpdir(), "media-edge-recorder-hlsjs-"));
  const hlsJs = readFileSync(require.resolve("hls.js/dist/hls.min.js"));
  pageServer = createServer((request, response) => {
    const body = request.url === "/" ? PAGE : request.url === "/hls.min.js" ? hlsJs : undefined;
    if (body === undefined) return response.writeHead(404).end();
    response.writeHead(200, { "content-type": request.url === "/" ? "text/html" : "text/javascript" }).end(body);
  });
  await new Promise<void>((resolve) => pageServer.listen(0, LOCAL_HOST, resolve));
  origin = `http://${LOCAL_HOST}:${(pageServer.address() as { port: number }).port}`;
  [worker, context] = await Promise.all([
    startWranglerDev({
      vars: workerVars(
        { dynamodbEndpoint: inject("dynamodbEndpoint"), s3Endpoint: inject("s3Endpoint") },
        { ALLOWED_ORIGINS: origin, RECORDING_SEGMENT_SECONDS: "2", PLAYBACK_POLICY: "public" },
      ),
    }),
    chromium.launchPersistentContext(join(work, "profile"), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS }), // prettier-ignore
  ]);
}, 120_000);

afterAll(async () => {
  await context?.close();
  await worker?.stop();
  await new Promise<void>((resolve) => (pageServer ? pageServer.close(() => resolve()) : resolve()));
  if (work) rmSync(work, { recursive: true, force: true });
});

it("hls.js plays a live window while the recorder adds segments to it", async () => {
  const s3 = localS3Client(inject("s3Endpoint"));
  const stream = `hlsjs-${Date.now().toString(36)}`;
  let uploads = 0;
  let twoUploaded!: () => void;
  const ready = new Promise<void>((resolve) => (twoUploaded = resolve));
  let recording: LiveRecording | undefined;
  try {
    recording = recordLive(
      { input: "testsrc", stream, bucket: DEFAULT_BUCKETS.recordings, prefix: "movie", segmentSeconds: 2,
        backlogBytes: 2 ** 30, workDir: join(work, stream) }, // prettier-ignore
      {
        client: s3,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        random: Math.random,
        now: Date.now,
        freeBytes: () => Number.MAX_SAFE_INTEGER,
        report: (event: RecorderEvent) => event.type === "uploaded" && ++uploads === 2 && twoUploaded(),
      },
    );
    await ready;
    const firstSequence = Math.floor(recording.startSeconds / 2);
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    const url = `${worker.url}/api/media/recordings/playlist.m3u8?stream=${stream}&start=${recording.startSeconds}`;
    expect(await page.evaluate((src) => window.startLive(src), url)).toBe(true);
    const uploadedAtStart = uploads;
    // Playing past what existed when the player started needs a segment added since: a reload.
    await page.waitForFunction(
      (sequence) => window.liveState.fatal !== null || window.liveState.fragments.some((sn) => sn >= sequence),
      firstSequence + uploadedAtStart + 1,
      { timeout: 90_000 },
    );
    const state = await page.evaluate(() => ({
      ...window.liveState,
      time: document.querySelector("video")!.currentTime,
    }));
    expect(state.fatal).toBeNull();
    expect(state.live).toBe(true);
    expect(state.fragments).toContain(firstSequence + uploadedAtStart + 1);
    await page.waitForFunction(() => document.querySelector("video")!.currentTime > 0, undefined, { timeout: 30_000 });
  } finally {
    recording?.stop();
    await recording?.done;
    s3.destroy();
  }
}, 180_000);
