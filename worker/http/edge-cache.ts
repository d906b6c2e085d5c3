/**
 * The Worker's edge caching: every entry under one synthetic origin (edgeCacheRequest); texts of
 * objects that never change in the Cache API (edgeCachedText); and, for lookups, a short-lived
 * cache like the seed's 5-second CloudFront cache policy, in the isolate's memory only (a small
 * bounded map): no I/O at all for a repeated lookup.
 *
 * Lookups do not use the Cache API (per data centre, shared by its isolates:
 * https://developers.cloudflare.com/workers/runtime-apis/cache/). A status or job-id body is a few
 * dozen bytes that one DynamoDB GetItem reads; a Cache API match is a subrequest of its own and a
 * put another (Request, Response and headers built, body streamed), so a miss paid match + GetItem +
 * put, about 0.8 ms of CPU more than the GetItem alone (issue 12, `npm run bench`), to spare a
 * GetItem only when another isolate of the same data centre read the same key in the last few
 * seconds, which a job polled by its own uploader rarely is. Large texts (playlists, face results)
 * still go through the Cache API: there one match saves S3 reads and parsing that cost far more.
 * Only bodies are cached (CORS headers are added per request afterwards), and only for successful
 * lookups; an entry never lives longer than CACHE_TTL_SECONDS after the read.
 */
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";

const CACHE_ORIGIN = "https://media-edge.cache.internal";
/** Bound on the isolate tier: at most this many bodies (a few hundred bytes each) per isolate. */
export const MEMORY_CACHE_ENTRIES = 1000;

const memory = new Map<string, { body: string; expires: number }>();

function remember(key: string, body: string, expires: number): void {
  memory.delete(key);
  if (memory.size >= MEMORY_CACHE_ENTRIES) memory.delete(memory.keys().next().value!);
  memory.set(key, { body, expires });
}

/** The Cache API request of an internal entry: a synthetic URL that no client request can name. */
export function edgeCacheRequest(path: string, init?: RequestInit): Request {
  return new Request(`${CACHE_ORIGIN}/${path}`, init);
}

/**
 * Text that never changes under `path`: from the Cache API, else `load()`'s, stored for
 * `maxAgeSeconds` once the response is sent (a failed store is ignored). Only the Cache API tier:
 * such texts can be large, the isolate tier is for small lookups. Leaves cacheStatus to the caller.
 */
export async function edgeCacheText(
  c: Context<AppEnv>,
  path: string,
  maxAgeSeconds: number,
  load: () => Promise<string>,
): Promise<{ text: string; hit: boolean }> {
  const request = edgeCacheRequest(path);
  const cache = caches.default;
  const hit = await cache.match(request);
  if (hit) return { text: await hit.text(), hit: true };
  const text = await load();
  const stored = new Response(text, { headers: { "cache-control": `max-age=${maxAgeSeconds}` } });
  c.executionCtx.waitUntil(cache.put(request, stored).catch(() => undefined));
  return { text, hit: false };
}

/**
 * Text of an object that never changes (a finished job's playlist, a face result file), through
 * edgeCacheText. Sets the request's cacheStatus: "miss" before loading (so a load that fails is
 * logged as a miss), "hit" otherwise.
 */
export async function edgeCachedText(
  c: Context<AppEnv>,
  path: string,
  maxAgeSeconds: number,
  load: () => Promise<string>,
): Promise<string> {
  const { text, hit } = await edgeCacheText(c, path, maxAgeSeconds, () => {
    c.set("cacheStatus", "miss");
    return load();
  });
  if (hit) c.set("cacheStatus", "hit");
  return text;
}

/**
 * Returns the cached body for `key` from the isolate's memory, or calls `load` and keeps what it
 * returns (undefined is not kept) for CACHE_TTL_SECONDS. Sets the request's cacheStatus for the
 * access log: "hit-memory", "miss" or "bypass" (CACHE_TTL_SECONDS=0).
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
  const now = Date.now();
  const remembered = memory.get(key);
  if (remembered && remembered.expires > now) {
    c.set("cacheStatus", "hit-memory");
    return remembered.body;
  }
  c.set("cacheStatus", "miss");
  const body = await load();
  if (body !== undefined) remember(key, body, now + ttl * 1000);
  return body;
}
