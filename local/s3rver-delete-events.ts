/**
 * Events for multi-object deletes on the local S3 server. s3rver 3.7.1 sends `ObjectRemoved:Delete`
 * for a DeleteObject but nothing for a DeleteObjects (`POST /<bucket>?delete`, what `aws s3 rm
 * --recursive` and the SDKs' batch deletes send); S3 sends one event per deleted key. The recording
 * indexer follows deletions, so `npm start` needs them too. This Koa middleware lets s3rver delete
 * the objects, then sends the event s3rver sends for a single delete, once per key of the request.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
 */
import { createRequire } from "node:module";
import type { KoaContext, S3rverInternals } from "./s3rver-multipart.ts";

const require = createRequire(import.meta.url);

/** s3rver's own event, as its object controller builds it for a DeleteObject. */
const S3Event = require("s3rver/lib/models/event") as new (
  data: { bucket: string; eventType: "Delete"; S3Item: { key: string } },
  request: { reqHeaders: unknown; sourceIp: string },
) => unknown;

/** What the middleware reads beyond the common context: the parsed XML body, the app, the client. */
type DeleteContext = KoaContext & {
  request: { body?: { Delete?: { Object?: { Key?: unknown } | Array<{ Key?: unknown }> } } };
  app: { emit(event: "event", payload: unknown): void };
  headers: unknown;
  ip: string;
};

/** The keys a DeleteObjects request named, as s3rver parsed its body. */
function requestedKeys(ctx: DeleteContext): string[] {
  const objects = ctx.request.body?.Delete?.Object;
  const list = objects === undefined ? [] : Array.isArray(objects) ? objects : [objects];
  return list.flatMap((object) => (typeof object.Key === "string" ? [object.Key] : []));
}

/** Adds an ObjectRemoved:Delete event per key of a successful DeleteObjects. */
export function addMultiDeleteEvents(server: S3rverInternals): void {
  server.middleware.unshift(async (context, next) => {
    await next();
    const ctx = context as DeleteContext;
    const bucket = /^\/([^/]+)\/?$/.exec(ctx.path)?.[1];
    if (ctx.method !== "POST" || ctx.query.delete === undefined || bucket === undefined || ctx.status !== 200) return;
    for (const key of requestedKeys(ctx)) {
      ctx.app.emit(
        "event",
        new S3Event({ bucket, eventType: "Delete", S3Item: { key } }, { reqHeaders: ctx.headers, sourceIp: ctx.ip }),
      );
    }
  });
}
