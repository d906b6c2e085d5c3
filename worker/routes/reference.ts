/**
 * GET /api/media/openapi.json, /api/media/docs and /api/media/docs/<file>: the API reference
 * (openapi/document.ts) and its page (Swagger UI from swagger-ui-dist, no CDN), built by
 * `npm run build:openapi` into the `[assets]` directory and read through the ASSETS binding: the
 * files are uploaded beside the Worker and cost its bundle nothing.
 * https://developers.cloudflare.com/workers/static-assets/binding/
 */
import { Hono } from "hono/tiny";
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { DOC_PAGE_FILES } from "../../openapi/files.ts";
import { ApiError, SEED_MESSAGES } from "../http/errors.ts";

/** The page's own files (openapi/build.ts writes them); anything else under /docs/ is no route. */
const PAGE_FILES: ReadonlySet<string> = new Set(DOC_PAGE_FILES);

/** Scripts only from this origin; Swagger UI sets inline styles and shows data: images. */
export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join("; ");

/** Short: the files change with each deploy and are small next to a video. */
const REFERENCE_CACHE_CONTROL = "public, max-age=300";

async function serveAsset(c: Context<AppEnv>, path: string, extraHeaders: Record<string, string> = {}) {
  // ASSETS exists when wrangler.toml has [assets]; typed here so this file does not depend on the generated Env.
  const assets = (c.env as { ASSETS?: Fetcher }).ASSETS;
  const asset = assets && (await assets.fetch(new URL(path, c.req.url)));
  if (asset?.status !== 200) {
    await asset?.body?.cancel();
    throw new ApiError(404, SEED_MESSAGES.noRoute);
  }
  const response = new Response(asset.body, asset);
  response.headers.set("cache-control", REFERENCE_CACHE_CONTROL);
  response.headers.set("x-content-type-options", "nosniff");
  for (const [name, value] of Object.entries(extraHeaders)) response.headers.set(name, value);
  return response;
}

export const referenceRoutes = new Hono<AppEnv>()
  .get("/openapi.json", (c) => serveAsset(c, "/api/media/openapi.json"))
  // html_handling auto-trailing-slash serves docs/index.html at docs/.
  .get("/docs", (c) => serveAsset(c, "/api/media/docs/", { "content-security-policy": DOCS_CSP }))
  .get("/docs/:file", (c) => {
    const file = c.req.param("file");
    if (!PAGE_FILES.has(file)) throw new ApiError(404, SEED_MESSAGES.noRoute);
    return serveAsset(c, `/api/media/docs/${file}`);
  });
