/**
 * The demo page in a real browser against the local stack, as a person would use it: Debian's
 * Chromium (headless, playwright-core) opens the page the Worker serves at /, under signed playback,
 * with its tokens in the URL fragment. Everything runs for real: s3rver, DynamoDB Local, the
 * Lambdas, the MediaConvert emulator (ffmpeg) and the Rekognition emulator, `wrangler dev`.
 *
 * - the page opens without a console error (its icon is inline, so no /favicon.ico 404); its note
 *   names the tokens it holds, and a page opened without them says where they come from once the
 *   API refuses it for want of one;
 * - a person chooses a file: a small clip goes up in one presigned PUT, a larger one in presigned
 *   parts (MULTIPART_THRESHOLD_BYTES=5 MiB); the upload bar takes values between 0 and 1, the
 *   transcoding bar moves to 100 and the upload plays >= 3 s; a too-large file (the upload token's
 *   `max`) and a text file are refused with the API's status and message;
 * - an upload is followed through the seed-compatible job_id and status endpoints (the transcoding
 *   bar moves to 100), then plays >= 3 s of video time through the VOD playlist and the key route
 *   with no player error; the key request carried a token; the faces list seeks the player;
 * - a tampered play token stops playback with the page's error state; a refused key shows its own;
 *   a recorder window of a missing stream says so;
 * - nothing written to S3 and no log line of the run holds a content key (hex or raw) or the token
 *   secret; no token was sent to another origin.
 *
 * Chromium is required at /usr/bin/chromium and ffmpeg on PATH (.ci/run installs both): without
 * them the file fails, it never skips. DEMO_SCREENSHOT=<path> saves the screenshot of the page
 * playing a video there (docs/images/demo-page.png is made so).
 */
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  copyFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { localDynamoDbClient, localS3Client } from "../../local/aws.ts";
import { DEFAULT_BUCKETS, DEFAULT_TABLES } from "../../model/index.ts";
import { encodeSourceSegments } from "../../local/recorder/backfill.ts";
import { segmentKey } from "../../local/recorder/naming.ts";
import { DEMO_SCOPE } from "../../local/playback.ts";
import { jobScope, mintToken, recordingScope } from "../../worker/auth/tokens.ts";
import { startDemoStack, type DemoStack } from "./support/demo-stack.ts";
import { ffmpeg, requireFfmpeg } from "./support/ffmpeg.ts";
import { tamperSignature } from "../support/tamper.ts";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--autoplay-policy=no-user-gesture-required",
];
/** TOKEN_SECRET of this run (test-only); the scan below proves it never reaches S3 or a log. */
const TOKEN_SECRET = "demo-page-e2e-secret-7f3a9c1e5b2d4f6a8c0e";
/** Generous bounds for a busy machine: each wait ends as soon as its condition holds. */
const TEST_TIMEOUT_MS = 240_000;
const JOB_DEADLINE_MS = 90_000;
const PLAY_DEADLINE_MS = 60_000;
const PLAYED_SECONDS = 3;
const SMALL_KEY = "demo/small clip.mp4";
/** S3's smallest part (5 MiB): files above it go up in parts. */
const MULTIPART_THRESHOLD_BYTES = 5 * 1024 * 1024;
/** A recorder stream with three 2-s segments from 2024-01-02T03:00:00Z (RECORDING_SEGMENT_SECONDS=2). */
const STREAM = "cam1";
const RECORDED_FROM = Date.UTC(2024, 0, 2, 3, 0, 0) / 1000;

let work: string;
let stack: DemoStack;
let context: BrowserContext;
let smallClip: string;
/** ~14 MB (lossless 720p): more than MULTIPART_THRESHOLD_BYTES, so it goes up in parts. */
let largeClip: string;
/** Every token this run minted (none may appear in a log line or be sent to another origin). */
const minted: string[] = [];
/** Every request the pages made: URL and headers. */
const requests: Array<{ method: string; url: string; headers: Record<string, string> }> = [];
/** The browser console of every page (scanned with the logs). */
const consoleLines: string[] = [];
/** Each page's console errors (a resource that failed to load is one, e.g. a 404 /favicon.ico). */
const consoleErrors = new WeakMap<Page, string[]>();

async function token(scope: string): Promise<string> {
  const value = await mintToken(TOKEN_SECRET, { scope, purpose: "play", ttlSeconds: 900 });
  minted.push(value);
  return value;
}

/** An upload token for any key, at most `maxBytes` when given (the `max` claim). */
async function uploadToken(maxBytes?: number): Promise<string> {
  const value = await mintToken(TOKEN_SECRET, { scope: "upload:*", purpose: "upload", ttlSeconds: 900, maxBytes });
  minted.push(value);
  return value;
}

/** The page's tokens as `npm start` prints them: one demo play token and one upload token. */
async function demoFragment(maxBytes?: number): Promise<Record<string, string>> {
  return { token: await token(DEMO_SCOPE), upload_token: await uploadToken(maxBytes) };
}

/** Chooses `file` in the page's file input, as a person would, and waits for the upload's outcome. */
async function chooseFile(page: Page, file: string): Promise<{ state: string; error?: string; text: string }> {
  await page.getByLabel("Choose a video or audio file, or drop it here").setInputFiles(file);
  await page.waitForFunction(
    () => ["done", "error"].includes(document.getElementById("upload-status")!.dataset.state ?? ""),
    undefined,
    { timeout: JOB_DEADLINE_MS },
  );
  return page.evaluate(() => {
    const status = document.getElementById("upload-status")!;
    return { state: status.dataset.state ?? "", error: status.dataset.error, text: status.textContent ?? "" };
  });
}

/** Uploads `file` through the page, then follows its job to COMPLETE and plays it >= 3 s. */
async function uploadAndPlay(file: string): Promise<{ page: Page; uploaded: string; statuses: string[] }> {
  const page = await openPage(await demoFragment());
  await page.evaluate(() => {
    const statuses: string[] = [];
    (window as unknown as { uploadLines: string[] }).uploadLines = statuses;
    const status = document.getElementById("upload-status")!;
    new MutationObserver(() => statuses.push(status.textContent ?? "")).observe(status, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
  const uploaded = await chooseFile(page, file);
  expect(uploaded, uploaded.text).toMatchObject({ state: "done" });
  const played = await waitForPlayback(page);
  expect(played, played.text).toMatchObject({ state: "playing" });
  expect(played.currentTime).toBeGreaterThanOrEqual(PLAYED_SECONDS);
  expect(await page.locator("#job-status").textContent()).toMatch(/^Job \S+ is COMPLETE\.$/);
  expectForward((await progressSeen(page))["job-progress"]!, 0, 100);
  const statuses = await page.evaluate(() => (window as unknown as { uploadLines: string[] }).uploadLines);
  return { page, uploaded: uploaded.text, statuses };
}

/** Records each value the page's progress bars take (MutationObserver: every step, no sampling). */
function watchProgressBars(): void {
  const seen: Record<string, number[]> = {};
  (window as unknown as { progressSeen: typeof seen }).progressSeen = seen;
  document.addEventListener("DOMContentLoaded", () => {
    for (const bar of document.querySelectorAll("progress")) {
      seen[bar.id] = [Number(bar.getAttribute("value"))];
      new MutationObserver(() => seen[bar.id]!.push(Number(bar.getAttribute("value")))).observe(bar, {
        attributes: true,
        attributeFilter: ["value"],
      });
    }
  });
}

/** Values the page's progress bars took, in order. */
async function progressSeen(page: Page): Promise<Record<string, number[]>> {
  return page.evaluate(() => (window as unknown as { progressSeen: Record<string, number[]> }).progressSeen);
}

/** A bar that started at `from`, ended at `to` and never went back. */
function expectForward(values: number[], from: number, to: number): void {
  expect(values[0]).toBe(from);
  expect(values.at(-1)).toBe(to);
  expect(values).toEqual([...values].sort((a, b) => a - b));
}

async function openPage(fragment: Record<string, string>): Promise<Page> {
  const page = await context.newPage();
  page.on("request", (request) =>
    requests.push({ method: request.method(), url: request.url(), headers: request.headers() }),
  );
  const errors: string[] = [];
  consoleErrors.set(page, errors);
  page.on("console", (message) => {
    consoleLines.push(message.text());
    if (message.type() === "error") errors.push(message.text());
  });
  await page.addInitScript(watchProgressBars);
  const hash = new URLSearchParams(fragment).toString();
  await page.goto(`${stack.worker.url}/${hash ? `#${hash}` : ""}`);
  return page;
}

/** The job id of an upload once submit-job has recorded it (asked as the page asks: job_id). */
async function jobIdOf(inputFile: string): Promise<string> {
  const deadline = Date.now() + JOB_DEADLINE_MS;
  while (Date.now() < deadline) {
    const response = await fetch(`${stack.worker.url}/api/media/job_id?input_file=${encodeURIComponent(inputFile)}`);
    const body = (await response.json()) as { job_id?: string };
    if (body.job_id) return body.job_id;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no job for ${inputFile}:\n${stack.logs().join("\n").slice(-4000)}`);
}

/** Waits until the player status leaves "loading": playing for PLAYED_SECONDS, or an error state. */
async function waitForPlayback(
  page: Page,
): Promise<{ state: string; error?: string; text: string; currentTime: number }> {
  await page.waitForFunction(
    (seconds) => {
      const status = document.getElementById("player-status")!;
      return status.dataset.state === "error" || document.querySelector("video")!.currentTime >= seconds;
    },
    PLAYED_SECONDS,
    { timeout: PLAY_DEADLINE_MS + JOB_DEADLINE_MS },
  );
  return page.evaluate(() => {
    const status = document.getElementById("player-status")!;
    return {
      state: status.dataset.state ?? "",
      error: status.dataset.error,
      text: status.textContent ?? "",
      currentTime: document.querySelector("video")!.currentTime,
    };
  });
}

async function putInput(key: string, file: string): Promise<void> {
  const s3 = localS3Client(stack.s3.endpoint);
  try {
    await s3.send(new PutObjectCommand({ Bucket: DEFAULT_BUCKETS.input, Key: key, Body: readFileSync(file) }));
  } finally {
    s3.destroy();
  }
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: \`apt-get install -y chromium\` (.ci/run installs it)`);
  }
  await requireFfmpeg();
  work = mkdtempSync(join(tmpdir(), "media-edge-demo-page-"));
  smallClip = join(work, "small clip.mp4");
  largeClip = join(work, "large clip.mp4");
  const [encoded, encodedLarge, started, browser] = await Promise.all([
    ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
      "-t", "8", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", smallClip]), // prettier-ignore
    ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
      "-t", "8", "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", largeClip]), // prettier-ignore
    startDemoStack(inject("dynamodbEndpoint"), {
      PLAYBACK_POLICY: "signed",
      FACES_POLICY: "public",
      TOKEN_SECRET,
      KEY_TOKEN_TTL_SECONDS: "300",
      CACHE_TTL_SECONDS: "1",
      RECORDING_SEGMENT_SECONDS: "2",
      UPLOAD_POLICY: "signed",
      MULTIPART_THRESHOLD_BYTES: String(MULTIPART_THRESHOLD_BYTES),
    }),
    chromium.launchPersistentContext(join(work, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1000, height: 1300 },
      // The window picker's datetime-local values are local times: UTC here, so they name known instants.
      timezoneId: "UTC",
    }),
  ]);
  stack = started;
  context = browser;
  if (encoded.code !== 0) throw new Error(`ffmpeg failed: ${encoded.stderr}`);
  if (encodedLarge.code !== 0) throw new Error(`ffmpeg failed: ${encodedLarge.stderr}`);
  if (statSync(largeClip).size <= MULTIPART_THRESHOLD_BYTES)
    throw new Error("the large clip is too small for multipart");
  await putInput(SMALL_KEY, smallClip);
  await recordStream();
}, TEST_TIMEOUT_MS);

/** Three recorder segments of STREAM in the recordings bucket, named as the recorder names them. */
async function recordStream(): Promise<void> {
  const segments = await encodeSourceSegments({ input: "testsrc", segmentSeconds: 2 }, 3, RECORDED_FROM);
  const s3 = localS3Client(stack.s3.endpoint);
  try {
    for (const [i, body] of segments.entries()) {
      const Key = segmentKey("movie", STREAM, RECORDED_FROM + 2 * i);
      await s3.send(new PutObjectCommand({ Bucket: DEFAULT_BUCKETS.recordings, Key, Body: body }));
    }
  } finally {
    s3.destroy();
  }
}

afterAll(async () => {
  await context?.close();
  await stack?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the demo page in Chromium against the local stack (signed playback)", () => {
  it(
    "opens without a console error (no /favicon.ico 404), its note naming the tokens it holds",
    async () => {
      const page = await openPage(await demoFragment());
      await page.waitForLoadState("networkidle");
      expect(consoleErrors.get(page)).toEqual([]);
      const note = page.getByRole("note");
      await expect
        .poll(() => note.textContent())
        .toBe("This page uses the playback token and the upload token in its URL fragment.");
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a page without tokens says nothing of them until the API refuses it for want of one, then where they come from",
    async () => {
      const page = await openPage({});
      const note = page.locator("#token-note");
      expect(await note.isHidden()).toBe(true);
      const refused = await chooseFile(page, smallClip);
      expect(refused).toMatchObject({ state: "error", text: "Upload refused (401): Token is required." });
      await note.waitFor({ state: "visible" });
      expect(await note.textContent()).toMatch(/^The API asks for an upload token, and this page has none\. /);
      expect(await note.textContent()).not.toContain("`");
      expect(await note.locator("code").textContent()).toBe("npm start");
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "uploads a chosen small clip in one PUT, follows its job and plays it >= 3 s",
    async () => {
      const { page, uploaded, statuses } = await uploadAndPlay(smallClip);
      expect(uploaded).toMatch(/^Uploaded .* as \S*small\S*\.mp4\.$/);
      expect(statuses.some((line) => line.includes(" · part "))).toBe(false);
      expectForward((await progressSeen(page))["upload-progress"]!, 0, 1);
      const puts = requests.filter((r) => r.method === "PUT" && r.url.includes("small"));
      expect(puts.length).toBe(1);
      expect(new URL(puts[0]!.url).searchParams.has("partNumber")).toBe(false);
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "uploads a chosen large clip in parts with intermediate progress, follows its job and plays it >= 3 s",
    async () => {
      const { page, statuses } = await uploadAndPlay(largeClip);
      const upload = (await progressSeen(page))["upload-progress"]!;
      expectForward(upload, 0, 1);
      expect(
        upload.some((value) => value > 0 && value < 1),
        JSON.stringify(upload),
      ).toBe(true);
      const partCounts = statuses.map((line) => / · part \d+ of (\d+) done/.exec(line)?.[1]).filter(Boolean);
      expect(Number(partCounts[0])).toBeGreaterThanOrEqual(2);
      const parts = requests.filter((r) => r.method === "PUT" && new URL(r.url).searchParams.has("partNumber"));
      expect(parts.length).toBe(Number(partCounts[0]));

      // The screenshot of the page as a person leaves it: uploaded, transcoded, playing, faces listed.
      await page.locator("#faces-list button").first().waitFor({ timeout: JOB_DEADLINE_MS });
      await page.screenshot({ path: join(work, "demo-page.png"), fullPage: true });
      if (process.env.DEMO_SCREENSHOT) copyFileSync(join(work, "demo-page.png"), process.env.DEMO_SCREENSHOT);
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a file larger than the upload token's max is refused with 413, as the page shows it",
    async () => {
      const page = await openPage(await demoFragment(1000));
      const refused = await chooseFile(page, smallClip);
      expect(refused).toEqual({
        state: "error",
        error: "refused",
        text: "Upload refused (413): The file is larger than 1000 bytes, the most this upload allows.",
      });
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a text file is refused with 415, as the page shows it",
    async () => {
      const notes = join(work, "notes.txt");
      writeFileSync(notes, "not a video\n");
      const page = await openPage(await demoFragment());
      const refused = await chooseFile(page, notes);
      expect(refused).toEqual({
        state: "error",
        error: "refused",
        text: "Upload refused (415): Only video/* and audio/* uploads are accepted.",
      });
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "follows an upload's job to COMPLETE, plays it >= 3 s with a token on the key request, and faces seek",
    async () => {
      const jobId = await jobIdOf(SMALL_KEY);
      const page = await openPage({ token: await token(jobScope(jobId)) });
      await page.getByLabel("Or open an earlier upload").fill(SMALL_KEY);
      await page.getByRole("button", { name: "Open" }).press("Enter");

      const played = await waitForPlayback(page);
      expect(played, played.text).toMatchObject({ state: "playing" });
      expect(played.currentTime).toBeGreaterThanOrEqual(PLAYED_SECONDS);
      await expect.poll(() => page.locator("#job-status").textContent()).toBe(`Job ${jobId} is COMPLETE.`);
      expectForward((await progressSeen(page))["job-progress"]!, 0, 100);

      const keyRequests = requests.filter((request) => new URL(request.url).pathname === `/api/media/keys/${jobId}`);
      expect(keyRequests.length).toBeGreaterThanOrEqual(1);
      for (const request of keyRequests) expect(new URL(request.url).searchParams.get("token")).toMatch(/^ey/);

      // Faces: a list of times; choosing one seeks the player there.
      await page.locator("#faces-list button").first().waitFor({ timeout: JOB_DEADLINE_MS });
      const button = page.locator("#faces-list button").nth(2);
      const target = Number(await button.getAttribute("data-ms")) / 1000;
      await page.evaluate(() => {
        const video = document.querySelector("video")!;
        (window as unknown as { seeks: number[] }).seeks = [];
        video.addEventListener("seeked", () =>
          (window as unknown as { seeks: number[] }).seeks.push(video.currentTime),
        );
      });
      await button.focus();
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => (window as unknown as { seeks: number[] }).seeks.length > 0);
      const seeks = await page.evaluate(() => (window as unknown as { seeks: number[] }).seeks);
      expect(seeks[0]).toBeCloseTo(target, 1);

      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a tampered play token stops playback with the page's error state",
    async () => {
      const jobId = await jobIdOf(SMALL_KEY);
      const page = await openPage({ token: tamperSignature(await token(jobScope(jobId))) });
      await page.getByLabel("Or open an earlier upload").fill(SMALL_KEY);
      await page.getByRole("button", { name: "Open" }).click();
      const played = await waitForPlayback(page);
      expect(played).toMatchObject({
        state: "error",
        error: "refused",
        text: "Playback refused (401): Token is invalid.",
      });
      expect(played.currentTime).toBe(0);
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a refused key shows the key error state, not a stalled player",
    async () => {
      const jobId = await jobIdOf(SMALL_KEY);
      const page = await openPage({ token: await token(jobScope(jobId)) });
      // The playlist's embedded key token, tampered on its way out of the browser.
      await page.route("**/api/media/keys/**", (route) => {
        const url = new URL(route.request().url());
        url.searchParams.set("token", tamperSignature(url.searchParams.get("token")!));
        return route.continue({ url: url.href });
      });
      await page.getByLabel("Or open an earlier upload").fill(SMALL_KEY);
      await page.getByRole("button", { name: "Open" }).click();
      const played = await waitForPlayback(page);
      expect(played).toMatchObject({
        state: "error",
        error: "key-refused",
        text: "Key refused (401): Token is invalid.",
      });
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "the window picker plays a recorder window (stream, start, end) >= 3 s",
    async () => {
      const page = await openPage({ token: await token(recordingScope(STREAM)) });
      await page.getByLabel("Stream").fill(STREAM);
      await page.getByLabel("Start (your time zone)").fill("2024-01-02T03:00:00");
      await page.getByLabel("End", { exact: true }).fill("2024-01-02T03:00:06");
      await page.getByRole("button", { name: "Play window" }).press("Enter");
      const played = await waitForPlayback(page);
      expect(played, played.text).toMatchObject({ state: "playing" });
      expect(played.currentTime).toBeGreaterThanOrEqual(PLAYED_SECONDS);
      const window = requests.find((r) => r.url.includes("/api/media/recordings/playlist.m3u8?stream=" + STREAM));
      expect(new URL(window!.url).searchParams.get("start")).toBe("2024-01-02T03:00:00Z");
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a recorder window of a stream with no recordings says so",
    async () => {
      const page = await openPage({ token: await token(recordingScope("nocam")) });
      await page.getByLabel("Stream").fill("nocam");
      await page.getByLabel("Start (your time zone)").fill("2024-01-02T03:00:00");
      await page.getByLabel("End", { exact: true }).fill("2024-01-02T03:10:00");
      await page.getByRole("button", { name: "Play window" }).click();
      const played = await waitForPlayback(page);
      expect(played).toMatchObject({
        state: "error",
        error: "missing",
        text: "Not found: No recordings in this window.",
      });
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "no content key (hex or raw) and no token secret in any S3 object or log line; tokens stayed on this origin",
    async () => {
      const dynamodb = localDynamoDbClient(stack.dynamodbEndpoint);
      const rows = await dynamodb
        .send(new ScanCommand({ TableName: DEFAULT_TABLES.jobIdToOutput }))
        .finally(() => dynamodb.destroy());
      const keys = (rows.Items ?? []).map((item) => item.KeyValue?.S).filter((value): value is string => !!value);
      expect(keys.length).toBeGreaterThanOrEqual(1);

      const files: string[] = [];
      const walk = (dir: string) => {
        for (const name of readdirSync(dir)) {
          const path = join(dir, name);
          if (statSync(path).isDirectory()) walk(path);
          else files.push(path);
        }
      };
      walk(stack.s3Directory);
      expect(files.some((file) => file.includes("small clip.mp4"))).toBe(true); // the scan sees the uploads
      expect(files.some((file) => /\.ts(\._S3rver_object)?$/.test(file))).toBe(true); // and the encrypted segments
      const needles = (hex: string) => [Buffer.from(hex, "hex"), Buffer.from(hex), Buffer.from(hex.toUpperCase())];
      const secrets = [...keys.flatMap(needles), Buffer.from(TOKEN_SECRET)];
      for (const file of files) {
        const bytes = readFileSync(file);
        for (const secret of secrets) expect(bytes.includes(secret), `${file} holds a secret`).toBe(false);
      }

      const logs = [...stack.logs(), ...consoleLines].join("\n");
      expect(logs).toContain("/api/media/keys/"); // the Worker's access log is in the scan
      for (const hex of keys) expect(logs.toLowerCase()).not.toContain(hex);
      expect(logs).not.toContain(TOKEN_SECRET);
      for (const jwt of minted) expect(logs).not.toContain(jwt.split(".")[2]);

      const workerOrigin = new URL(stack.worker.url).origin;
      for (const request of requests.filter((r) => new URL(r.url).origin !== workerOrigin)) {
        const sent = `${request.url} ${JSON.stringify(request.headers)}`;
        for (const jwt of minted) expect(sent).not.toContain(jwt.split(".")[2]);
      }
    },
    TEST_TIMEOUT_MS,
  );
});
