/**
 * A short-lived edge cache for lookups, like the seed's 5-second CloudFront cache policy.
 * Only bodies are cached (no CORS headers: they are added per request afterwards), keyed on a
 * synthetic URL that names the table and the key, and only for successful lookups.
 * The Cache API is per data centre and does nothing on *.workers.dev:
 * https://developers.cloudflare.com/workers/runtime-apis/cache/
 */
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";

const CACHE_ORIGIN = "https://media-edge.cache.internal";

/**
 * Returns the cached body for `key`, or calls `load` and caches what it returns (undefined is
 * not cached). Sets the request's cacheStatus for the access log.
 */
export async function cachedLookup(
  c: Context<AppEnv>,
  key: string,
  load: () => Promise<string | undefined>,
): Promise<string | undefined> {
  const ttl = c.get("config").cacheTtlSeconds;
  if (ttl === 0) {
    c.set("cacheStatus", "bypass");
    return load();
  }
  const cacheKey = new Request(`${CACHE_ORIGIN}/${key}`);
  const cache = caches.default;
  const hit = await cache.match(cacheKey);
  if (hit) {
    c.set("cacheStatus", "hit");
    return hit.text();
  }
  c.set("cacheStatus", "miss");
  const body = await load();
  if (body !== undefined) {
    const stored = new Response(body, { headers: { "cache-control": `max-age=${ttl}` } });
    c.executionCtx.waitUntil(cache.put(cacheKey, stored));
  }
  return body;
}
