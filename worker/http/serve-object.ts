/**
 * Streaming an object from a private bucket through the edge cache, shared by the segment and the
 * thumbnail routes. Range requests pass through to S3; conditional requests are answered as RFC 9110
 * §13 says (304/412, evaluated here: worker/http/conditional.ts); S3's error bodies never reach a
 * client (a range past the end is a JSON 416 with the object's size in Content-Range). Whole objects
 * are kept in the edge cache (they never change), keyed without the token and looked up only after
 * the token check. A Range request is answered from a cached whole object when there is one (the
 * Cache API serves the 206), else passed to S3. HEAD is answered from the cache's headers or an S3
 * HeadObject, without fetching the bytes.
 */
import type { Context } from "hono";
import type { Config } from "../config.ts";
import { getObject, PASSTHROUGH_RESPONSE_HEADERS } from "../aws/s3.ts";
import type { AppEnv } from "../env.ts";
import { edgeCacheRequest } from "./edge-cache.ts";
import { evaluatePreconditions, ifRangeHolds, type Validators } from "./conditional.ts";
import { ApiError } from "./errors.ts";
import { log } from "./log.ts";

/** Media types by extension; only these are streamed (never playlists, JSON or key files). */
export const MEDIA_TYPES: Readonly<Record<string, string>> = {
  ts: "video/mp2t",
  aac: "audio/aac",
  ac3: "audio/ac3",
  ec3: "audio/eac3",
  mp3: "audio/mpeg",
  m4s: "video/iso.segment",
  mp4: "video/mp4",
  m4a: "audio/mp4",
  m4v: "video/mp4",
  cmfv: "video/mp4",
  cmfa: "audio/mp4",
  vtt: "text/vtt",
  webvtt: "text/vtt",
};

/** Edge and browser lifetime of a segment: they are immutable. */
export const SEGMENT_MAX_AGE_SECONDS = 86_400;

export function mediaTypeOf(name: string): string | undefined {
  const extension = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : MEDIA_TYPES[extension];
}

/** Where an object is, resolved only on a cache miss (it may need a DynamoDB read). */
type Locate = () => Promise<{ bucket: string; key: string } | undefined>;

interface ServeOptions {
  cacheKey: string;
  contentType: string;
  cacheControl: string;
  locate: Locate;
  /** The 404 message when the object is missing (default "Segment not found."). */
  notFound?: string;
}

/** An object's answer before the client's preconditions: from the edge cache or from S3. */
interface ObjectAnswer {
  status: number;
  headers: Headers;
  body: ReadableStream | null;
  fromS3: boolean;
}

/**
 * Reads the object, or the `range` of it, from the edge cache (whole objects; the Cache API serves
 * the 206) or else S3. Only the Range reaches either: the client's conditions are evaluated here,
 * against the answer's validators, so the cache and S3 answer them alike (RFC 9110 §13.2.2).
 */
async function readObject(
  c: Context<AppEnv>,
  options: ServeOptions,
  range: string | null,
  head: boolean,
): Promise<ObjectAnswer | undefined> {
  const cached = await caches.default.match(
    edgeCacheRequest(options.cacheKey, { headers: range === null ? {} : { range } }),
  );
  if (cached) {
    c.set("cacheStatus", "hit");
    if (head) await cached.body?.cancel();
    return {
      status: cached.status,
      headers: new Headers(cached.headers),
      body: head ? null : cached.body,
      fromS3: false,
    };
  }
  c.set("cacheStatus", "miss");
  const location = await options.locate();
  if (location === undefined) return undefined;
  const object = await getObject(c.get("aws"), {
    ...location,
    headers: new Headers(range === null ? {} : { range }),
    method: head ? "HEAD" : "GET",
  });
  return object && { ...object, fromS3: true };
}

/**
 * The 416 of RFC 9110 §15.5.17: a Content-Range with the object's size, and the JSON error body.
 * The size comes from an S3 HeadObject: S3's 416 does not carry it, nor do the Cache API's.
 */
async function rangeNotSatisfiable(c: Context<AppEnv>, options: ServeOptions): Promise<never> {
  const location = await options.locate();
  const whole = location && (await getObject(c.get("aws"), { ...location, method: "HEAD" }));
  if (whole === undefined) throw new ApiError(404, options.notFound ?? "Segment not found.");
  const size = whole.headers.get("content-length");
  throw new ApiError(416, "Range not satisfiable.", {
    headers: size === null ? {} : { "content-range": `bytes */${size}` },
  });
}

/**
 * Streams an object: edge cache first (whole objects), else S3. Range requests get a 206 (or the
 * whole object when If-Range does not hold), conditional requests a 304 or 412 (RFC 9110 §13),
 * an unsatisfiable range a JSON 416; a 200 from S3 is teed into the cache while it streams.
 */
export async function serveObject(c: Context<AppEnv>, options: ServeOptions): Promise<Response> {
  // Hono answers HEAD with the GET handler's headers and no body: ask for no bytes either (an
  // unread GET body would still have been fetched from S3 or the cache).
  const head = c.req.method === "HEAD";
  const client = c.req.raw.headers;
  const range = client.get("range");
  let object = await readObject(c, options, range, head);
  if (object?.status === 206 && !ifRangeHolds(client, validatorsOf(object.headers))) {
    // If-Range does not hold: the whole object instead of the range (RFC 9110 §13.1.5).
    await object.body?.cancel();
    object = await readObject(c, options, null, head);
  }
  if (object === undefined) throw new ApiError(404, options.notFound ?? "Segment not found.");
  if (object.status === 416) return rangeNotSatisfiable(c, options);
  const verdict = object.status === 304 ? "not-modified" : evaluatePreconditions(client, validatorsOf(object.headers));
  if (verdict !== "proceed") {
    await object.body?.cancel();
    if (verdict === "failed") throw new ApiError(412, "Precondition failed.");
    return notModified(object.headers, options.cacheControl);
  }
  const headers = new Headers();
  for (const name of PASSTHROUGH_RESPONSE_HEADERS) {
    const value = object.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  headers.set("content-type", options.contentType);
  headers.set("cache-control", options.cacheControl);
  headers.set("accept-ranges", "bytes");
  let body = object.body === null ? null : reportStreamFailure(c, object.body);
  if (object.fromS3 && object.status === 200 && body !== null) {
    const [toClient, toCache] = body.tee();
    body = toClient;
    const stored = new Response(toCache, { status: 200, headers: new Headers(headers) });
    stored.headers.set("cache-control", `public, max-age=${SEGMENT_MAX_AGE_SECONDS}`);
    c.executionCtx.waitUntil(caches.default.put(edgeCacheRequest(options.cacheKey), stored).catch(() => undefined));
  }
  return new Response(body, { status: object.status, headers });
}

function validatorsOf(headers: Headers): Validators {
  return { etag: headers.get("etag"), lastModified: headers.get("last-modified") };
}

/** A 304 with the validators and caching headers a 200 would carry (RFC 9110 §15.4.5). */
function notModified(objectHeaders: Headers, cacheControl: string): Response {
  const headers = new Headers({ "cache-control": cacheControl });
  for (const name of ["etag", "last-modified"]) {
    const value = objectHeaders.get(name);
    if (value !== null) headers.set(name, value);
  }
  return new Response(null, { status: 304, headers });
}

/**
 * The same bytes, logging one error line when the stream fails after the status was sent (an
 * upstream body that stalled or broke). The failure still reaches the client as a failed stream
 * (a reset or an unterminated chunked body), never as a clean short 200.
 */
function reportStreamFailure(c: Context<AppEnv>, body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  reader.closed.catch(() => undefined);
  let bytes = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const chunk = await reader.read();
          if (chunk.done) return controller.close();
          bytes += chunk.value.byteLength;
          controller.enqueue(chunk.value);
        } catch (error) {
          log("error", "segment body failed after the status was sent", {
            request_id: c.get("requestId"),
            path: c.req.path,
            bytes_sent: bytes,
            error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          });
          controller.error(error);
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** Cache-Control of an immutable media object under the playback policy. */
export function segmentCacheControl(config: Config): string {
  // Signed playback: shared caches must not hand a segment to someone without a token.
  return config.playback.policy === "signed"
    ? `private, max-age=${SEGMENT_MAX_AGE_SECONDS}`
    : `public, max-age=${SEGMENT_MAX_AGE_SECONDS}, immutable`;
}
