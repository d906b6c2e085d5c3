/**
 * The player: hls.js (bundled from npm, MSE) on the page's <video>, or the browser's own HLS when
 * MSE is missing (Safari on iOS). Playlists, segments and keys all come from this origin's Worker;
 * the key URIs in the playlists already carry their short-lived tokens, so the page adds nothing
 * to any request.
 *
 * Refusals are fatal at once (no retries on 4xx: hls.js would otherwise retry a refused key for
 * seconds), and each becomes one state the page shows with the API's own message.
 */
import Hls, { type ErrorData, type LoaderResponse, type RetryConfig } from "hls.js";
import { describeFailure, type PlaybackFailure } from "./failures.ts";

/** Text of the response behind an hls.js error (XHR loader: text for playlists, bytes for keys). */
function responseText(networkDetails: unknown): string {
  if (typeof XMLHttpRequest === "undefined" || !(networkDetails instanceof XMLHttpRequest)) return "";
  try {
    if (networkDetails.responseType === "arraybuffer" && networkDetails.response instanceof ArrayBuffer) {
      return new TextDecoder().decode(networkDetails.response);
    }
    return networkDetails.responseType === "" || networkDetails.responseType === "text"
      ? networkDetails.responseText
      : "";
  } catch {
    return "";
  }
}

/** Retries timeouts, 5xx and network errors twice; never a 4xx (a refusal will not change). */
function retryPolicy(maxTimeToFirstByteMs: number, maxLoadTimeMs: number) {
  const retry: RetryConfig = {
    maxNumRetry: 2,
    retryDelayMs: 500,
    maxRetryDelayMs: 4000,
    shouldRetry: (
      config: RetryConfig | null | undefined,
      count: number,
      _timeout: boolean,
      response?: LoaderResponse,
    ) =>
      !!config &&
      count < config.maxNumRetry &&
      !(response?.code !== undefined && response.code >= 400 && response.code < 500),
  };
  return { default: { maxTimeToFirstByteMs, maxLoadTimeMs, timeoutRetry: retry, errorRetry: retry } };
}

export interface PlayerHandlers {
  onPlaying(): void;
  onFailure(failure: PlaybackFailure): void;
}

export interface Player {
  destroy(): void;
}

/** Plays `src` (a same-origin playlist URL) in `video`. */
export function play(video: HTMLVideoElement, src: string, handlers: PlayerHandlers): Player {
  video.addEventListener("playing", handlers.onPlaying, { once: true });
  if (!Hls.isSupported()) {
    const onError = () => handlers.onFailure({ kind: "media", message: "The browser cannot play this video." });
    video.addEventListener("error", onError, { once: true });
    video.src = src;
    void video.play().catch(() => undefined);
    return {
      destroy: () => {
        video.removeEventListener("error", onError);
        video.removeAttribute("src");
        video.load();
      },
    };
  }
  const hls = new Hls({
    workerPath: "/hls.worker.js",
    manifestLoadPolicy: retryPolicy(10_000, 20_000),
    playlistLoadPolicy: retryPolicy(10_000, 20_000),
    keyLoadPolicy: retryPolicy(8_000, 20_000),
    fragLoadPolicy: retryPolicy(10_000, 120_000),
  });
  let failed = false;
  hls.on(Hls.Events.ERROR, (_event, data: ErrorData) => {
    if (!data.fatal || failed) return;
    failed = true;
    const status = data.response?.code || undefined;
    handlers.onFailure(describeFailure(data.details, status, responseText(data.networkDetails)));
    hls.destroy();
  });
  hls.on(Hls.Events.MANIFEST_PARSED, () => void video.play().catch(() => undefined));
  hls.loadSource(src);
  hls.attachMedia(video);
  return { destroy: () => hls.destroy() };
}
