/**
 * The demo page at `/`: files from the `[assets]` directory (dist/page, built from page/ by
 * `npm run build:page`), served through the ASSETS binding so DEMO_PAGE=off can turn the page off
 * (wrangler.toml runs the Worker first for every path). The files are uploaded beside the Worker,
 * not inside its bundle. https://developers.cloudflare.com/workers/static-assets/binding/
 *
 * Page responses get a Content-Security-Policy: scripts only from this origin (no inline script, no
 * CDN), no framing, no referrer (the page's URL fragment holds tokens; fragments are never sent,
 * but nothing else from the page's URL needs to leave either).
 */
import { Hono } from "hono/tiny";
import type { AppEnv } from "../env.ts";
import { ApiError, SEED_MESSAGES } from "../http/errors.ts";

/**
 * connect-src allows http(s) anywhere: the page PUTs uploads to presigned S3 URLs, whose host
 * depends on the bucket and region (or S3_ENDPOINT locally). worker-src blob: is hls.js's worker.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self' https: http:",
  "worker-src 'self' blob:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join("; ");

export const pageRoutes = new Hono<AppEnv>();

pageRoutes.on(["GET", "HEAD"], "*", async (c) => {
  const assets = c.env.ASSETS as Fetcher | undefined;
  // API paths never fall through to the page; neither does anything while the page is off.
  if (!c.get("config").demoPage || assets === undefined || c.req.path.startsWith("/api/")) {
    throw new ApiError(404, SEED_MESSAGES.noRoute);
  }
  const asset = await assets.fetch(c.req.raw);
  if (asset.status === 404) throw new ApiError(404, SEED_MESSAGES.noRoute);
  const response = new Response(asset.body, asset);
  response.headers.set("content-security-policy", PAGE_CSP);
  response.headers.set("referrer-policy", "no-referrer");
  response.headers.set("x-content-type-options", "nosniff");
  return response;
});
