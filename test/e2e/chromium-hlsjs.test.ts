/**
 * A real browser player against a real `wrangler dev` (PLAYBACK_POLICY=signed), cross-origin:
 * Debian's Chromium (headless, driven by playwright-core) opens a page served from 127.0.0.1 on
 * another port than the Worker, and hls.js (from the npm package, MSE path) plays the Worker's VOD
 * master of an AES-128 job laid out like MediaConvert output. Every playlist, segment and key
 * request is a cross-origin XHR from the page, so the browser enforces our CORS answers.
 *
 * - the master and a clip play (currentTime advances, a decoded frame is drawn), the key comes
 *   through the key route, and playlists, segments and the key carry the page's origin in
 *   Access-Control-Allow-Origin;
 * - a player that sends the key token as `Authorization: Bearer` (a preflighted request) plays too;
 * - a page on an origin not in ALLOWED_ORIGINS gets a fatal network error and no key bytes;
 * - a tampered playback token or key token fails fast with a manifest or key load error.
 *
 * Chromium is required at /usr/bin/chromium (`apt-get install -y chromium`; .ci/run installs it):
 * without it the file fails, it never skips. HLSJS_SCREENSHOT=<path> saves a screenshot of the
 * playing page there.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { LOCAL_HOST } from "../../local/aws.ts";
import { startWranglerDev, type WranglerDev } from "../../local/wrangler-dev.ts";
import { jobScope } from "../../worker/auth/tokens.ts";
import { encodeEncryptedHls, requireFfmpeg } from "./support/ffmpeg.ts";
import {
  e2eToken,
  MASTER_NAME,
  RENDITION_BASE,
  putJobRows,
  uploadJobFiles,
  vodUrl,
  workerVars,
} from "./support/vod-job.ts";

const require = createRequire(import.meta.url);
const CHROMIUM = "/usr/bin/chromium";
/** The toolchain notes' flags for Debian's Chromium in a container. */
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
const JOB = "1704164400000-e2ehlsjs";
const KEY = randomBytes(16);
/** Seconds of playback that prove the player decrypts, demuxes and renders, not just loads. */
const PLAYED_SECONDS = 1.5;

/** How the page's player asks for the key (hls.js `xhrSetup` rewrites the key request). */
type KeyRequest = "query" | "bearer" | "tampered";

interface PlayerState {
  supported: boolean;
  startedAt: number;
  manifestParsed: boolean;
  keys: string[];
  errors: Array<{ type: string; details: string; fatal: boolean; status: number | null; at: number }>;
  fatal: { type: string; details: string; status: number | null; at: number } | null;
}

declare global {
  interface Window {
    startPlayer(src: string, keyRequest: KeyRequest): boolean;
    playerState: PlayerState;
  }
}

/**
 * The player page. Load policies without retries so a refused playlist or key is fatal at once
 * (hls.js's defaults retry a key for ~9 s); segments get one quick retry.
 */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>media-edge hls.js</title></head>
<body style="margin:0;background:#000">
<video id="video" muted playsinline width="320" height="180"></video>
<script src="/hls.min.js"></script>
<script>
const noRetry = { default: { maxTimeToFirstByteMs: 5000, maxLoadTimeMs: 10000, timeoutRetry: null, errorRetry: null } };
const quickRetry = { maxNumRetry: 1, retryDelayMs: 200, maxRetryDelayMs: 200 };
const toHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

// Flips one character in the middle of the JWT signature (the last characters of base64url may
// only carry padding bits, so changing them can leave the signature valid).
function tamper(token) {
  const i = token.length - 10;
  return token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1);
}

window.startPlayer = (src, keyRequest) => {
  const state = (window.playerState = {
    supported: Hls.isSupported(), startedAt: performance.now(), manifestParsed: false, keys: [], errors: [], fatal: null,
  });
  if (!state.supported) return false;
  const video = document.getElementById("video");
  const hls = new Hls({
    manifestLoadPolicy: noRetry,
    playlistLoadPolicy: noRetry,
    keyLoadPolicy: noRetry,
    fragLoadPolicy: { default: { maxTimeToFirstByteMs: 5000, maxLoadTimeMs: 10000, timeoutRetry: quickRetry, errorRetry: quickRetry } },
    xhrSetup(xhr, url) {
      if (keyRequest === "query" || !url.includes("/api/media/keys/")) return;
      const parsed = new URL(url);
      const token = parsed.searchParams.get("token");
      if (keyRequest === "tampered") {
        parsed.searchParams.set("token", tamper(token));
        xhr.open("GET", parsed.href, true);
      } else {
        parsed.searchParams.delete("token");
        xhr.open("GET", parsed.href, true);
        xhr.setRequestHeader("Authorization", "Bearer " + token);
      }
    },
  });
  hls.on(Hls.Events.ERROR, (_, data) => {
    const error = { type: data.type, details: data.details, fatal: data.fatal, status: data.response ? data.response.code : null, at: performance.now() - state.startedAt };
    state.errors.push(error);
    if (data.fatal && !state.fatal) state.fatal = error;
  });
  hls.on(Hls.Events.KEY_LOADED, (_, data) => state.keys.push(toHex(new Uint8Array(data.keyInfo.decryptdata.key))));
  hls.on(Hls.Events.MANIFEST_PARSED, () => {
    state.manifestParsed = true;
    video.play().catch(() => {});
  });
  hls.loadSource(src);
  hls.attachMedia(video);
  window.hls = hls;
  return true;
};
</script>
</body></html>
`;

interface PageServer {
  origin: string;
  close(): Promise<void>;
}

/** Serves the player page and hls.js from node_modules on 127.0.0.1 (a port the OS picks). */
async function startPageServer(): Promise<PageServer> {
  const hlsJs = readFileSync(require.resolve("hls.js/dist/hls.min.js"));
  const server: Server = createServer((request, response) => {
    if (request.url === "/") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      response.end(PAGE);
    } else if (request.url === "/hls.min.js") {
      response.writeHead(200, { "content-type": "text/javascript", "cache-control": "no-store" });
      response.end(hlsJs);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, LOCAL_HOST, resolve);
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("page server has no port");
  return {
    origin: `http://${LOCAL_HOST}:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Exchange {
  url: string;
  method: string;
  status: number;
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string>;
}

/** Records every response the page's requests got, as the browser's network layer saw it. */
function recordNetwork(page: Page): { exchanges: Exchange[]; settled(): Promise<Exchange[]> } {
  const pending: Array<Promise<Exchange>> = [];
  const exchanges: Exchange[] = [];
  page.on("response", (response) => {
    pending.push(
      (async () => {
        const request = response.request();
        const exchange = {
          url: response.url(),
          method: request.method(),
          status: response.status(),
          requestHeaders: await request.allHeaders(),
          responseHeaders: await response.allHeaders(),
        };
        exchanges.push(exchange);
        return exchange;
      })(),
    );
  });
  return { exchanges, settled: () => Promise.all(pending) };
}

interface CorsFailure {
  url: string;
  /** Chromium's reason, e.g. MissingAllowOriginHeader. */
  corsError: string;
  /** The status the server answered, which the page never sees. */
  status: number | undefined;
}

interface Preflight {
  url: string;
  status: number;
  headers: Record<string, string>;
}

/**
 * What only DevTools shows: the requests Chromium blocked for CORS (Playwright reports them as
 * `net::ERR_FAILED`, DevTools says why and what the server answered), and CORS preflights.
 */
async function recordDevtools(page: Page): Promise<{ corsFailures(): CorsFailure[]; preflights: Preflight[] }> {
  const cdp = await context.newCDPSession(page);
  // Every page starts with an empty HTTP cache: within one token step (worker/auth/playback.ts
  // embeddedToken) the Worker names the same playlists and segments alike, and the browser would
  // answer a later test's requests from an earlier test's responses, off the network this records.
  await cdp.send("Network.clearBrowserCache");
  const urls = new Map<string, string>();
  const statuses = new Map<string, number>();
  const failed: Array<{ requestId: string; corsError: string }> = [];
  const preflights: Preflight[] = [];
  cdp.on("Network.requestWillBeSent", (event) => urls.set(event.requestId, event.request.url));
  cdp.on("Network.responseReceivedExtraInfo", (event) => statuses.set(event.requestId, event.statusCode));
  cdp.on("Network.responseReceived", (event) => {
    if (event.type !== "Preflight") return;
    const headers = Object.fromEntries(Object.entries(event.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    preflights.push({ url: event.response.url, status: event.response.status, headers });
  });
  cdp.on("Network.loadingFailed", (event) => {
    if (event.corsErrorStatus) failed.push({ requestId: event.requestId, corsError: event.corsErrorStatus.corsError });
  });
  await cdp.send("Network.enable");
  const corsFailures = () =>
    failed.map(({ requestId, corsError }) => ({
      url: urls.get(requestId) ?? "",
      corsError,
      status: statuses.get(requestId),
    }));
  return { corsFailures, preflights };
}

let work: string;
let worker: WranglerDev;
let context: BrowserContext;
let allowedPage: PageServer;
let deniedPage: PageServer;
const openPages: Page[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: \`apt-get install -y chromium\` (.ci/run installs it)`);
  }
  await requireFfmpeg();
  work = mkdtempSync(join(tmpdir(), "media-edge-chromium-"));
  const hlsDir = join(work, "hls");
  mkdirSync(hlsDir);
  writeFileSync(join(work, "content.key"), KEY);
  writeFileSync(join(work, "keyinfo"), `Clip Test.key\n${join(work, "content.key")}\n`);
  [allowedPage, deniedPage] = await Promise.all([startPageServer(), startPageServer()]);

  const [encoded, wrangler, browser] = await Promise.all([
    encodeEncryptedHls(hlsDir, RENDITION_BASE, join(work, "keyinfo")),
    startWranglerDev({
      vars: workerVars(
        { dynamodbEndpoint: inject("dynamodbEndpoint"), s3Endpoint: inject("s3Endpoint") },
        // Only the allowed page's exact origin (and an unrelated one); the denied page's port is not listed.
        { ALLOWED_ORIGINS: `https://app.example.com ${allowedPage.origin}` },
      ),
    }),
    chromium.launchPersistentContext(join(work, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    }),
  ]);
  worker = wrangler;
  context = browser;
  if (encoded.code !== 0) throw new Error(`ffmpeg failed: ${encoded.stderr}`);
  await Promise.all([
    uploadJobFiles(inject("s3Endpoint"), JOB, hlsDir),
    putJobRows(inject("dynamodbEndpoint"), JOB, KEY.toString("hex")),
  ]);
}, 60_000);

afterEach(async () => {
  await Promise.all(openPages.splice(0).map((page) => page.close()));
});

afterAll(async () => {
  await context?.close();
  await Promise.all([allowedPage?.close(), deniedPage?.close(), worker?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

/**
 * Opens the page on `origin`, starts hls.js on `src` and waits until the video has played
 * PLAYED_SECONDS or hls.js reported a fatal error.
 */
async function play(origin: string, src: string, keyRequest: KeyRequest = "query") {
  const page = await context.newPage();
  openPages.push(page);
  const network = recordNetwork(page);
  const devtools = await recordDevtools(page);
  await page.goto(`${origin}/`);
  const supported = await page.evaluate(([url, mode]) => window.startPlayer(url, mode), [src, keyRequest] as const);
  expect(supported, "Hls.isSupported(): hls.js must play through MSE, not Chromium's native HLS").toBe(true);
  await page.waitForFunction(
    (seconds) => window.playerState.fatal !== null || document.querySelector("video")!.currentTime > seconds,
    PLAYED_SECONDS,
    { timeout: 15_000 },
  );
  const result = await page.evaluate(() => {
    const video = document.querySelector("video")!;
    return {
      state: window.playerState,
      currentTime: video.currentTime,
      duration: video.duration,
      // MSE attaches a MediaSource as a blob: URL; native HLS would play the .m3u8 URL itself.
      videoSrc: video.src,
    };
  });
  return { page, ...result, exchanges: await network.settled(), ...devtools };
}

/** Whether the canvas copy of the current frame has picture content (testsrc2: colour bars, text). */
async function frameHasPicture(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const video = document.querySelector("video")!;
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const context2d = canvas.getContext("2d")!;
    context2d.drawImage(video, 0, 0);
    const { data } = context2d.getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4 * 97) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    return canvas.width > 0 && colours.size > 50;
  });
}

const workerRoute = (exchange: Exchange) => new URL(exchange.url).pathname.split("/").slice(0, 4).join("/");
const fileName = (url: string) => decodeURIComponent(new URL(url).pathname.split("/").pop()!);

/**
 * Every Worker exchange of the page was sent with the page's Origin and answered with it in ACAO,
 * and Chromium blocked nothing.
 */
function expectCorsGranted({ exchanges, corsFailures }: Awaited<ReturnType<typeof play>>, origin: string): void {
  expect(corsFailures()).toEqual([]);
  const fromWorker = exchanges.filter((exchange) => exchange.url.startsWith(worker.url));
  expect(fromWorker.length).toBeGreaterThan(0);
  for (const exchange of fromWorker) {
    expect(exchange.requestHeaders.origin, exchange.url).toBe(origin);
    expect(exchange.responseHeaders["access-control-allow-origin"], exchange.url).toBe(origin);
    expect(exchange.responseHeaders.vary?.toLowerCase(), exchange.url).toContain("origin");
  }
}

describe("hls.js in Chromium plays the Worker's HLS cross-origin (wrangler dev, PLAYBACK_POLICY=signed)", () => {
  it("the master plays through MSE; playlists, segments and the key are CORS-granted; the key comes from the key route", async () => {
    const origin = allowedPage.origin;
    const result = await play(origin, await vodUrl(worker.url, JOB, MASTER_NAME));
    expect(result.state.fatal, JSON.stringify(result.state.errors)).toBeNull();
    expect(result.currentTime).toBeGreaterThan(PLAYED_SECONDS);
    expect(result.videoSrc).toMatch(/^blob:/);
    expect(await frameHasPicture(result.page)).toBe(true);
    if (process.env.HLSJS_SCREENSHOT) await result.page.screenshot({ path: process.env.HLSJS_SCREENSHOT });

    const byRoute = Object.groupBy(result.exchanges, workerRoute);
    const playlists = byRoute["/api/media/vod"] ?? [];
    const segments = byRoute["/api/media/segments"] ?? [];
    const keys = byRoute["/api/media/keys"] ?? [];
    expect(playlists.map((e) => fileName(e.url)).sort()).toEqual([MASTER_NAME, `${RENDITION_BASE}.m3u8`]);
    expect(segments.length).toBeGreaterThanOrEqual(1);
    expect(segments.every((e) => fileName(e.url).startsWith(`${RENDITION_BASE}_`))).toBe(true);
    expect(keys.length).toBeGreaterThanOrEqual(1);
    for (const exchange of [...playlists, ...segments, ...keys]) expect(exchange.status, exchange.url).toBe(200);
    // The key: our route, the job, a token in the query; its bytes are the job's content key.
    expect(new URL(keys[0]!.url).pathname).toBe(`/api/media/keys/${JOB}`);
    expect(new URL(keys[0]!.url).searchParams.get("token")).toBeTruthy();
    expect(keys[0]!.responseHeaders["cache-control"]).toBe("private, no-store");
    expect(result.state.keys).toContain(KEY.toString("hex"));
    // hls.js sends no non-safelisted headers (no Range for whole segments): no preflight at all.
    expect(result.preflights).toEqual([]);
    expectCorsGranted(result, origin);
  });

  it("a clip (?start=2&end=6) plays only its two segments", async () => {
    const result = await play(allowedPage.origin, await vodUrl(worker.url, JOB, MASTER_NAME, "&start=2&end=6"));
    expect(result.state.fatal, JSON.stringify(result.state.errors)).toBeNull();
    expect(result.currentTime).toBeGreaterThan(PLAYED_SECONDS);
    expect(result.duration).toBeCloseTo(4, 0);
    const segments = result.exchanges.filter((e) => workerRoute(e) === "/api/media/segments").map((e) => e.url);
    expect([...new Set(segments.map(fileName))].sort()).toEqual([
      `${RENDITION_BASE}_00001.ts`,
      `${RENDITION_BASE}_00002.ts`,
    ]);
    expect(result.state.keys).toContain(KEY.toString("hex"));
    expectCorsGranted(result, allowedPage.origin);
  });

  it("a player sending the key token as Authorization: Bearer (preflighted) plays", async () => {
    const result = await play(allowedPage.origin, await vodUrl(worker.url, JOB, MASTER_NAME), "bearer");
    expect(result.state.fatal, JSON.stringify(result.state.errors)).toBeNull();
    expect(result.currentTime).toBeGreaterThan(PLAYED_SECONDS);
    const key = result.exchanges.find((e) => workerRoute(e) === "/api/media/keys")!;
    expect(new URL(key.url).searchParams.has("token")).toBe(false);
    expect(key.requestHeaders.authorization).toMatch(/^Bearer /);
    expect(key.status).toBe(200);
    // Authorization is not CORS-safelisted: Chromium asked first, and the Worker granted exactly it.
    expect(result.preflights).toEqual([
      {
        url: key.url,
        status: 204,
        headers: expect.objectContaining({
          "access-control-allow-origin": allowedPage.origin,
          "access-control-allow-headers": "authorization",
          "access-control-allow-methods": "GET, HEAD, OPTIONS",
        }),
      },
    ]);
    expect(result.state.keys).toContain(KEY.toString("hex"));
    expectCorsGranted(result, allowedPage.origin);
  });
});

/**
 * A frontend written for the seed, whose Lambda@Edge answered `Access-Control-Allow-Headers: *`:
 * its status poll may send headers that make Chromium preflight a GET.
 */
async function pollStatus(method: string, headers: Record<string, string>) {
  const page = await context.newPage();
  openPages.push(page);
  const devtools = await recordDevtools(page);
  await page.goto(`${allowedPage.origin}/`);
  const url = `${worker.url}/api/media/status?job_id=${JOB}`;
  const answer = await page.evaluate(
    async ([url, method, headers]) => {
      try {
        const response = await fetch(url, { method, headers });
        return { status: response.status, body: await response.json() };
      } catch (error) {
        return { error: String(error) };
      }
    },
    [url, method, headers] as const,
  );
  return { answer, ...devtools };
}

describe("a seed frontend's status poll from an allowed origin", () => {
  it("sending Content-Type and Cache-Control on a GET (preflighted): granted, and the status reads", async () => {
    const result = await pollStatus("GET", { "Content-Type": "application/json", "Cache-Control": "no-cache" });
    expect(result.answer).toEqual({
      status: 200,
      body: expect.objectContaining({ success: true, job_status: "COMPLETE", progress_rate: 100 }),
    });
    expect(result.preflights).toEqual([
      {
        url: expect.stringContaining("/api/media/status?"),
        status: 204,
        headers: expect.objectContaining({
          "access-control-allow-origin": allowedPage.origin,
          "access-control-allow-headers": "cache-control, content-type",
        }),
      },
    ]);
    expect(result.corsFailures()).toEqual([]);
  });

  it("a method the route does not serve: Chromium names the method, not the origin", async () => {
    const result = await pollStatus("DELETE", {});
    expect(result.answer).toEqual({ error: expect.stringContaining("Failed to fetch") });
    // DevTools may report the failure after fetch() has rejected in the page.
    await expect
      .poll(() => result.corsFailures())
      .toEqual([
        {
          url: expect.stringContaining("/api/media/status?"),
          corsError: "MethodDisallowedByPreflightResponse",
          // Blocked after the preflight: the DELETE itself was never sent.
          status: undefined,
        },
      ]);
    expect(result.preflights).toEqual([
      {
        url: expect.stringContaining("/api/media/status?"),
        status: 204,
        headers: expect.objectContaining({
          "access-control-allow-origin": allowedPage.origin,
          "access-control-allow-methods": "GET, HEAD, OPTIONS",
        }),
      },
    ]);
  });
});

describe("what must fail, fails in the browser", () => {
  it("a page on an origin not in ALLOWED_ORIGINS: fatal network error, no key bytes reach it", async () => {
    const origin = deniedPage.origin;
    const result = await play(origin, await vodUrl(worker.url, JOB, MASTER_NAME));
    expect(result.state.fatal).toMatchObject({ type: "networkError", details: "manifestLoadError" });
    expect(result.state.manifestParsed).toBe(false);
    expect(result.state.keys).toEqual([]);
    // The Worker refuses the origin outright (422, no Access-Control-Allow-Origin), so Chromium
    // blocks the answer and hands hls.js status 0.
    expect(result.exchanges.filter((e) => e.url.startsWith(worker.url))).toEqual([]);
    // DevTools may report the failure just after hls.js (or fetch) heard of it.
    await expect
      .poll(result.corsFailures)
      .toEqual([
        { url: expect.stringContaining(`/api/media/vod/${JOB}/`), corsError: "MissingAllowOriginHeader", status: 422 },
      ]);
    expect(result.state.fatal!.status).toBe(0);

    // Even with a valid key token (say, from a leaked playlist), the page cannot read the key.
    const keyToken = await e2eToken(jobScope(JOB), "key", 300);
    const keyUrl = `${worker.url}/api/media/keys/${JOB}?token=${keyToken}`;
    const read = await result.page.evaluate(async (url) => {
      try {
        const bytes = await (await fetch(url)).arrayBuffer();
        return { bytes: bytes.byteLength };
      } catch (error) {
        return { error: String(error) };
      }
    }, keyUrl);
    expect(read).toEqual({ error: expect.stringContaining("TypeError") });
    await expect
      .poll(() => result.corsFailures()[1])
      .toEqual({ url: keyUrl, corsError: "MissingAllowOriginHeader", status: 422 });
  });

  it("a tampered playback token: fatal manifest load error (401, readable through CORS) at once", async () => {
    const url = new URL(await vodUrl(worker.url, JOB, MASTER_NAME));
    const token = url.searchParams.get("token")!;
    const i = token.length - 10;
    url.searchParams.set("token", token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1));
    const result = await play(allowedPage.origin, url.href);
    expect(result.state.fatal).toMatchObject({ type: "networkError", details: "manifestLoadError", status: 401 });
    expect(result.state.fatal!.at).toBeLessThan(3000);
    expect(result.exchanges.some((e) => workerRoute(e) === "/api/media/keys")).toBe(false);
    expectCorsGranted(result, allowedPage.origin);
  });

  it("a tampered key token: fatal key load error (401) at once, nothing decrypted", async () => {
    const result = await play(allowedPage.origin, await vodUrl(worker.url, JOB, MASTER_NAME), "tampered");
    expect(result.state.fatal).toMatchObject({ type: "networkError", details: "keyLoadError", status: 401 });
    expect(result.state.fatal!.at).toBeLessThan(3000);
    expect(result.state.keys).toEqual([]);
    expect(result.currentTime).toBe(0);
    const keys = result.exchanges.filter((e) => workerRoute(e) === "/api/media/keys");
    expect(keys.map((e) => e.status)).toEqual([401]);
    expect(keys[0]!.responseHeaders["www-authenticate"]).toBeTruthy();
    expectCorsGranted(result, allowedPage.origin);
  });
});
